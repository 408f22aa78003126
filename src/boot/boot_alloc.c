// SPDX-License-Identifier: GPL-2.0-only
/*
 * boot_alloc.c - place kvmux's boot structures where the kernel is not
 * (kvmux/boot_alloc.h).
 *
 * A first-fit search over a small unsorted table: each step jumps past the
 * region in the way, so a search ends after at most one step per region.
 * Claims and windows end at or below BOOT_ALLOC_LIMIT, far from 2^64, so
 * the sums below cannot wrap.
 */
#include <stdio.h>
#include <string.h>

#include "kvmux/boot_alloc.h"
#include "kvmux/error.h"

void boot_alloc_init(struct boot_alloc *a, const struct mem_layout *l)
{
	memset(a, 0, sizeof(*a));
	a->layout = l;
}

static uint64_t end_of(const struct boot_region *r)
{
	return r->addr + r->size;
}

static const struct boot_region *overlap(const struct boot_alloc *a,
					 uint64_t addr, uint64_t size)
{
	unsigned int i;

	for (i = 0; i < a->nr; i++) {
		const struct boot_region *r = &a->region[i];

		if (addr < end_of(r) && r->addr < addr + size)
			return r;
	}
	return NULL;
}

const struct boot_region *boot_alloc_blocker(const struct boot_alloc *a,
					     uint64_t start, uint64_t end)
{
	return start < end ? overlap(a, start, end - start) : NULL;
}

static int take(struct boot_alloc *a, uint64_t addr, uint64_t size,
		const char *what)
{
	struct boot_region *r;

	if (a->nr == BOOT_ALLOC_MAX)
		return err_set(
			"too many pieces to place in guest memory (at most %d): %s is one too many",
			BOOT_ALLOC_MAX, what);
	r = &a->region[a->nr++];
	r->addr = addr;
	r->size = size;
	snprintf(r->what, sizeof(r->what), "%s", what);
	return 0;
}

int boot_alloc_claim(struct boot_alloc *a, uint64_t addr, uint64_t size,
		     const char *what)
{
	const struct boot_region *r;

	if (!size)
		return 0;
	if (addr > BOOT_ALLOC_LIMIT || size > BOOT_ALLOC_LIMIT - addr)
		return err_set("%s at %#llx+%#llx is beyond guest memory", what,
			       (unsigned long long)addr,
			       (unsigned long long)size);
	r = overlap(a, addr, size);
	if (r)
		return err_set("%s at %#llx-%#llx overlaps %s at %#llx-%#llx",
			       what, (unsigned long long)addr,
			       (unsigned long long)(addr + size - 1), r->what,
			       (unsigned long long)r->addr,
			       (unsigned long long)(end_of(r) - 1));
	return take(a, addr, size, what);
}

static uint64_t align_up(uint64_t x, uint64_t align)
{
	return (x + align - 1) & ~(align - 1);
}

static uint64_t align_down(uint64_t x, uint64_t align)
{
	return x & ~(align - 1);
}

static bool fits(const struct boot_request *r, uint64_t at)
{
	return at >= r->start && at <= r->end && r->size <= r->end - at;
}

/* Lowest (or highest) aligned free address in the window. */
static bool find(const struct boot_alloc *a, const struct boot_request *r,
		 uint64_t align, uint64_t *out)
{
	const struct boot_region *hit;
	uint64_t at;

	if (r->size > r->end - r->start)
		return false;
	at = r->top ? align_down(r->end - r->size, align) :
		      align_up(r->start, align);
	while (fits(r, at)) {
		hit = overlap(a, at, r->size);
		if (!hit) {
			*out = at;
			return true;
		}
		if (!r->top)
			at = align_up(end_of(hit), align);
		else if (hit->addr < r->start || hit->addr - r->start < r->size)
			return false;
		else
			at = align_down(hit->addr - r->size, align);
	}
	return false;
}

static int no_room(const struct boot_alloc *a, const struct boot_request *r)
{
	const struct boot_region *b = boot_alloc_blocker(a, r->start, r->end);

	if (!b)
		return err_set("no room for %s (%#llx bytes) in %#llx-%#llx",
			       r->what, (unsigned long long)r->size,
			       (unsigned long long)r->start,
			       (unsigned long long)(r->end - 1));
	return err_set(
		"no room for %s (%#llx bytes) in %#llx-%#llx: %s occupies %#llx-%#llx",
		r->what, (unsigned long long)r->size,
		(unsigned long long)r->start, (unsigned long long)(r->end - 1),
		b->what, (unsigned long long)b->addr,
		(unsigned long long)(end_of(b) - 1));
}

static bool valid(const struct boot_request *r, uint64_t align)
{
	return r->size && r->start < r->end && r->end <= BOOT_ALLOC_LIMIT &&
	       !(align & (align - 1)) && align <= BOOT_ALLOC_LIMIT;
}

int boot_alloc_in(struct boot_alloc *a, const struct boot_request *r,
		  uint64_t *addr)
{
	uint64_t align = r->align ? r->align : 1;

	if (!valid(r, align) || !find(a, r, align, addr))
		return no_room(a, r);
	return take(a, *addr, r->size, r->what);
}

static bool preferred_free(const struct boot_alloc *a, uint64_t preferred,
			   uint64_t size, uint64_t align)
{
	return preferred && !(preferred & (align - 1)) &&
	       preferred < LAYOUT_EBDA_START &&
	       size <= LAYOUT_EBDA_START - preferred &&
	       !overlap(a, preferred, size);
}

int boot_alloc_struct(struct boot_alloc *a, uint64_t preferred, uint64_t size,
		      uint64_t align, const char *what, uint64_t *addr)
{
	struct boot_request r = {
		.what = what,
		.size = size,
		.align = align,
		.start = BOOT_LOW_START,
		.end = LAYOUT_EBDA_START,
	};
	char low_msg[ERR_MSG_MAX];

	if (!align)
		align = r.align = 1;
	if (preferred_free(a, preferred, size, align)) {
		*addr = preferred;
		return take(a, preferred, size, what);
	}
	if (!boot_alloc_in(a, &r, addr))
		return 0;
	snprintf(low_msg, sizeof(low_msg), "%s", err_msg());
	if (!a->layout)
		return err_set("%s", low_msg);
	r.start = LAYOUT_HIGH_START;
	r.end = layout_low_ram_end(a->layout);
	if (r.start < r.end && !boot_alloc_in(a, &r, addr))
		return 0;
	/* The low window is where it belongs: say what fills it. */
	return err_set("%s, nor above 1 MiB", low_msg);
}

int boot_alloc_bios(struct boot_alloc *a, uint64_t size, uint64_t align,
		    const char *what, uint64_t *addr)
{
	struct boot_request r = {
		.what = what,
		.size = size,
		.align = align,
		.start = LAYOUT_BIOS_START,
		.end = LAYOUT_HIGH_START,
	};

	return boot_alloc_in(a, &r, addr);
}
