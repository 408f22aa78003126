// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_layout.c - the guest memory map: ranges for small, gap-sized and
 * large RAM, size validation, and the slots that back it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kvmux/error.h"
#include "kvmux/layout.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)
/* Bytes below 1 MiB that are not RAM: the EBDA and 0xa0000-0xfffff. */
#define LEGACY_NON_RAM 0x60400ULL

static uint64_t ram_sum(const struct mem_layout *l)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < l->nr_ranges; i++)
		if (l->range[i].type == MEM_RAM)
			sum += l->range[i].size;
	return sum;
}

static void assert_range(const struct mem_range *r, uint64_t addr,
			 uint64_t size, uint32_t type)
{
	assert_int_equal(r->addr, addr);
	assert_int_equal(r->size, size);
	assert_int_equal(r->type, type);
}

/* The four ranges every layout starts with. */
static void assert_low_ranges(const struct mem_layout *l, uint64_t low_end)
{
	assert_range(&l->range[0], 0, 0x9fc00, MEM_RAM);
	assert_range(&l->range[1], 0x9fc00, 0x400, MEM_RESERVED);
	assert_range(&l->range[2], 0xf0000, 0x10000, MEM_RESERVED);
	assert_range(&l->range[3], 0x100000, low_end - 0x100000, MEM_RAM);
}

static void assert_sorted_disjoint(const struct mem_layout *l)
{
	unsigned int i;

	for (i = 1; i < l->nr_ranges; i++)
		assert_true(l->range[i - 1].addr + l->range[i - 1].size <=
			    l->range[i].addr);
}

static void test_smallest(void **state)
{
	struct mem_layout l;
	struct ram_slot slot[2];

	assert_int_equal(layout_build(&l, 2 * MiB), 0);
	assert_int_equal(l.nr_ranges, 4);
	assert_int_equal(l.ram_size, 2 * MiB);
	assert_low_ranges(&l, 2 * MiB);
	assert_int_equal(ram_sum(&l), 2 * MiB - LEGACY_NON_RAM);
	assert_int_equal(layout_low_ram_end(&l), 2 * MiB);
	assert_int_equal(layout_ram_slots(&l, slot), 1);
	assert_int_equal(slot[0].gpa, 0);
	assert_int_equal(slot[0].size, 2 * MiB);
}

static void test_128m(void **state)
{
	struct mem_layout l;
	struct ram_slot slot[2];

	assert_int_equal(layout_build(&l, 128 * MiB), 0);
	assert_int_equal(l.nr_ranges, 4);
	assert_low_ranges(&l, 128 * MiB);
	assert_sorted_disjoint(&l);
	assert_int_equal(ram_sum(&l), 128 * MiB - LEGACY_NON_RAM);
	assert_int_equal(layout_ram_slots(&l, slot), 1);
	assert_int_equal(slot[0].size, 128 * MiB);
}

static void test_exactly_3g(void **state)
{
	struct mem_layout l;
	struct ram_slot slot[2];

	assert_int_equal(layout_build(&l, 3 * GiB), 0);
	assert_int_equal(l.nr_ranges, 4);
	assert_low_ranges(&l, MMIO_GAP_START);
	assert_int_equal(ram_sum(&l), 3 * GiB - LEGACY_NON_RAM);
	assert_int_equal(layout_low_ram_end(&l), MMIO_GAP_START);
	assert_int_equal(layout_ram_slots(&l, slot), 1);
	assert_int_equal(slot[0].size, 3 * GiB);
}

static void test_3g_plus_2m(void **state)
{
	struct mem_layout l;
	struct ram_slot slot[2];

	assert_int_equal(layout_build(&l, 3 * GiB + 2 * MiB), 0);
	assert_int_equal(l.nr_ranges, 5);
	assert_low_ranges(&l, MMIO_GAP_START);
	assert_range(&l.range[4], 4 * GiB, 2 * MiB, MEM_RAM);
	assert_sorted_disjoint(&l);
	assert_int_equal(ram_sum(&l), 3 * GiB + 2 * MiB - LEGACY_NON_RAM);
	assert_int_equal(layout_ram_slots(&l, slot), 2);
	assert_int_equal(slot[0].gpa, 0);
	assert_int_equal(slot[0].size, 3 * GiB);
	assert_int_equal(slot[1].gpa, 4 * GiB);
	assert_int_equal(slot[1].size, 2 * MiB);
}

static void test_8g(void **state)
{
	struct mem_layout l;
	struct ram_slot slot[2];

	assert_int_equal(layout_build(&l, 8 * GiB), 0);
	assert_int_equal(l.nr_ranges, 5);
	assert_low_ranges(&l, MMIO_GAP_START);
	assert_range(&l.range[4], 4 * GiB, 5 * GiB, MEM_RAM);
	assert_int_equal(ram_sum(&l), 8 * GiB - LEGACY_NON_RAM);
	assert_int_equal(layout_low_ram_end(&l), MMIO_GAP_START);
	assert_int_equal(layout_ram_slots(&l, slot), 2);
	assert_int_equal(slot[0].size + slot[1].size, 8 * GiB);
	assert_int_equal(slot[1].gpa + slot[1].size, 9 * GiB);
}

static void test_largest(void **state)
{
	struct mem_layout l;

	assert_int_equal(layout_build(&l, LAYOUT_MAX_RAM), 0);
	assert_int_equal(ram_sum(&l), LAYOUT_MAX_RAM - LEGACY_NON_RAM);
}

/* No RAM range may overlap the MMIO gap, whatever the size. */
static void test_gap_never_ram(void **state)
{
	static const uint64_t sizes[] = { 2 * MiB, 3 * GiB - 4096,
					  3 * GiB, 3 * GiB + 4096,
					  4 * GiB, 64 * GiB };
	struct mem_layout l;
	unsigned int i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		assert_int_equal(layout_build(&l, sizes[i]), 0);
		assert_sorted_disjoint(&l);
		assert_false(layout_is_ram(&l, MMIO_GAP_START, 1));
		assert_false(layout_is_ram(&l, MMIO_GAP_END - 1, 1));
		assert_false(layout_is_ram(&l, IOAPIC_ADDR, 4096));
		assert_int_equal(ram_sum(&l), sizes[i] - LEGACY_NON_RAM);
	}
}

static void test_not_4k_multiple(void **state)
{
	struct mem_layout l;

	assert_int_equal(layout_build(&l, 128 * MiB + 512), -1);
	assert_non_null(strstr(err_msg(), "multiple of 4 KiB"));
	assert_int_equal(l.nr_ranges, 0);
}

static void test_too_small(void **state)
{
	struct mem_layout l;

	assert_int_equal(layout_build(&l, 2 * MiB - 4096), -1);
	assert_non_null(strstr(err_msg(), "too small"));
	assert_int_equal(layout_build(&l, 0), -1);
	assert_non_null(strstr(err_msg(), "too small"));
}

static void test_too_large(void **state)
{
	struct mem_layout l;

	assert_int_equal(layout_build(&l, LAYOUT_MAX_RAM + 4096), -1);
	assert_non_null(strstr(err_msg(), "too large"));
	assert_int_equal(layout_build(&l, UINT64_MAX & ~0xfffULL), -1);
	assert_non_null(strstr(err_msg(), "too large"));
}

static void test_is_ram(void **state)
{
	struct mem_layout l;

	assert_int_equal(layout_build(&l, 8 * GiB), 0);
	assert_true(layout_is_ram(&l, 0, 0x9fc00));
	assert_false(layout_is_ram(&l, 0, 0x9fc01));
	assert_false(layout_is_ram(&l, 0x9fc00, 1));
	assert_false(layout_is_ram(&l, 0xa0000, 1)); /* VGA hole */
	assert_false(layout_is_ram(&l, 0xf0000, 1));
	assert_true(layout_is_ram(&l, 0x100000, MMIO_GAP_START - 0x100000));
	assert_false(layout_is_ram(&l, 0x100000, MMIO_GAP_START));
	assert_true(layout_is_ram(&l, 4 * GiB, 5 * GiB));
	assert_false(layout_is_ram(&l, 4 * GiB, 5 * GiB + 1));
	assert_false(layout_is_ram(&l, 9 * GiB, 1));
	/* Sizes and addresses that would wrap around. */
	assert_false(layout_is_ram(&l, 0x100000, UINT64_MAX));
	assert_false(layout_is_ram(&l, UINT64_MAX, 1));
	assert_false(layout_is_ram(&l, UINT64_MAX, UINT64_MAX));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smallest),
		cmocka_unit_test(test_128m),
		cmocka_unit_test(test_exactly_3g),
		cmocka_unit_test(test_3g_plus_2m),
		cmocka_unit_test(test_8g),
		cmocka_unit_test(test_largest),
		cmocka_unit_test(test_gap_never_ram),
		cmocka_unit_test(test_not_4k_multiple),
		cmocka_unit_test(test_too_small),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_is_ram),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
