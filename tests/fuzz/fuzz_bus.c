// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_bus.c - the port I/O and MMIO buses (src/core/bus.c): the guest
 * picks every address and length it accesses.
 *
 * Input: u8 ranges to register (n % 9), each a u8 shift and u64 base and
 * a u8 shift and u64 length (a u64 shifted right by 0-63, so all
 * magnitudes come up, up to the top of the address space); then accesses
 * until the input ends: u8 shift and u64 address, u8 length, u8 read or
 * write.
 *
 * Checked against a plain list of what was registered: bus_register()
 * refuses exactly the empty, wrapping and overlapping ranges; an access
 * reaches a device exactly when all its bytes lie in that device's range,
 * with the offset into it; anything else reads as all ones, is counted as
 * unclaimed, and no device sees it.
 */
#include <stdbool.h>

#include "fuzz.h"
#include "kvmux/bus.h"
#include "kvmux/error.h"

#define MAX_RANGES 8

struct range {
	uint64_t base, len;
};

static struct range ranges[MAX_RANGES];
static unsigned int nr_ranges;

/* What a device callback saw, for the check after the access. */
static struct {
	bool called;
	uintptr_t device;
	uint64_t off;
	unsigned int len;
} seen;

static void record(void *opaque, uint64_t off, unsigned int len)
{
	FUZZ_CHECK(!seen.called);
	seen.called = true;
	seen.device = (uintptr_t)opaque;
	seen.off = off;
	seen.len = len;
}

static void dev_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	record(opaque, off, len);
	memset(data, 0x5a, len);
}

static void dev_write(void *opaque, uint64_t off, const void *data,
		      unsigned int len)
{
	record(opaque, off, len);
}

static const struct bus_ops ops = { .read = dev_read, .write = dev_write };

static uint64_t magnitude(struct fuzz_in *in)
{
	unsigned int shift = fuzz_u8(in) % 64;

	return fuzz_u64(in) >> shift;
}

static bool fits(const struct range *r, uint64_t addr, uint64_t len)
{
	return addr >= r->base && addr - r->base < r->len &&
	       len <= r->len - (addr - r->base);
}

static bool may_register(uint64_t base, uint64_t len)
{
	unsigned int i;

	if (!len || base + len < base)
		return false;
	for (i = 0; i < nr_ranges; i++)
		if (base < ranges[i].base + ranges[i].len &&
		    ranges[i].base < base + len)
			return false;
	return true;
}

static void add_range(struct bus *bus, struct fuzz_in *in)
{
	uint64_t base = magnitude(in), len = magnitude(in);
	bool ok = may_register(base, len);

	FUZZ_CHECK((bus_register(bus, base, len, &ops,
				 (void *)(uintptr_t)nr_ranges, "dev") == 0) ==
		   ok);
	if (ok)
		ranges[nr_ranges++] = (struct range){ base, len };
}

static void guest_access(struct bus *bus, struct fuzz_in *in)
{
	uint64_t addr = magnitude(in), unclaimed = bus->unclaimed;
	unsigned int len = fuzz_u8(in), i, want = nr_ranges;
	bool is_write = fuzz_u8(in) & 1, claimed;
	uint8_t data[256];

	memset(data, 0, sizeof(data));
	for (i = 0; i < nr_ranges; i++)
		if (fits(&ranges[i], addr, len))
			want = i;
	memset(&seen, 0, sizeof(seen));
	claimed = bus_access(bus, addr, is_write, data, len);
	FUZZ_CHECK(claimed == (want < nr_ranges) && seen.called == claimed);
	if (claimed) {
		FUZZ_CHECK(seen.device == want && seen.len == len &&
			   seen.off == addr - ranges[want].base);
		return;
	}
	FUZZ_CHECK(bus->unclaimed == unclaimed + 1);
	for (i = 0; !is_write && i < len; i++)
		FUZZ_CHECK(data[i] == 0xff);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	unsigned int i, n = fuzz_u8(&in) % (MAX_RANGES + 1);
	struct bus bus;

	bus_init(&bus, "mmio");
	nr_ranges = 0;
	for (i = 0; i < n; i++)
		add_range(&bus, &in);
	while (in.left)
		guest_access(&bus, &in);
	bus_free(&bus);
	return 0;
}
