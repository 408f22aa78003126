// SPDX-License-Identifier: GPL-2.0-only
/*
 * bus.c - a sorted table of address ranges, searched by bisection.
 *
 * Registration happens before any vCPU runs, so the table needs no lock.
 */
#include <stdlib.h>
#include <string.h>

#include "kvmux/bus.h"
#include "kvmux/error.h"

void bus_init(struct bus *bus, const char *name)
{
	*bus = (struct bus){ .name = name };
}

void bus_free(struct bus *bus)
{
	free(bus->range);
	bus_init(bus, bus->name);
}

static bool overlaps(const struct bus_range *r, uint64_t base, uint64_t len)
{
	return base < r->base + r->len && r->base < base + len;
}

static int grow(struct bus *bus)
{
	unsigned int cap = bus->capacity ? bus->capacity * 2 : 16;
	struct bus_range *range = realloc(bus->range, cap * sizeof(*range));

	if (!range)
		return err_host("out of memory");
	bus->range = range;
	bus->capacity = cap;
	return 0;
}

int bus_register(struct bus *bus, uint64_t base, uint64_t len,
		 const struct bus_ops *ops, void *opaque, const char *name)
{
	unsigned int i, pos = bus->nr_ranges;

	if (len == 0 || base + len < base)
		return err_set("%s: bad %s range %#llx+%#llx", name, bus->name,
			       (unsigned long long)base,
			       (unsigned long long)len);
	for (i = 0; i < bus->nr_ranges; i++) {
		if (overlaps(&bus->range[i], base, len))
			return err_set(
				"%s: %s range %#llx+%#llx overlaps %s", name,
				bus->name, (unsigned long long)base,
				(unsigned long long)len, bus->range[i].name);
		if (pos == bus->nr_ranges && base < bus->range[i].base)
			pos = i;
	}
	if (bus->nr_ranges == bus->capacity && grow(bus) < 0)
		return -1;
	memmove(&bus->range[pos + 1], &bus->range[pos],
		(bus->nr_ranges - pos) * sizeof(bus->range[0]));
	bus->range[pos] = (struct bus_range){
		.base = base,
		.len = len,
		.ops = ops,
		.opaque = opaque,
		.name = name,
	};
	bus->nr_ranges++;
	return 0;
}

int bus_reserve(struct bus *bus, uint64_t base, uint64_t len, const char *name)
{
	return bus_register(bus, base, len, NULL, NULL, name);
}

uint64_t bus_unclaimed_run(const struct bus *bus, uint64_t base, uint64_t max)
{
	unsigned int i;

	for (i = 0; i < bus->nr_ranges && max; i++)
		if (overlaps(&bus->range[i], base, max))
			max = bus->range[i].base > base ?
				      bus->range[i].base - base :
				      0;
	return max;
}

static const struct bus_range *find(const struct bus *bus, uint64_t addr)
{
	unsigned int lo = 0, hi = bus->nr_ranges;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		const struct bus_range *r = &bus->range[mid];

		if (addr < r->base)
			hi = mid;
		else if (addr - r->base >= r->len)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

bool bus_access(struct bus *bus, uint64_t addr, bool is_write, void *data,
		unsigned int len)
{
	const struct bus_range *r = find(bus, addr);

	if (!r || !r->ops || len > r->len - (addr - r->base)) {
		__atomic_add_fetch(&bus->unclaimed, 1, __ATOMIC_RELAXED);
		if (!is_write)
			memset(data, 0xff, len);
		return false;
	}
	if (is_write) {
		if (r->ops->write)
			r->ops->write(r->opaque, addr - r->base, data, len);
	} else if (r->ops->read) {
		r->ops->read(r->opaque, addr - r->base, data, len);
	} else {
		memset(data, 0xff, len);
	}
	return true;
}
