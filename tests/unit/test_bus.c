// SPDX-License-Identifier: GPL-2.0-only
/* test_bus.c - address ranges to device callbacks */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kvmux/bus.h"
#include "kvmux/error.h"

struct fake_dev {
	uint64_t last_off;
	unsigned int last_len;
	uint8_t last_byte;
	unsigned int reads, writes;
};

static void fake_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	struct fake_dev *dev = opaque;

	dev->reads++;
	dev->last_off = off;
	dev->last_len = len;
	memset(data, 0x5a, len);
}

static void fake_write(void *opaque, uint64_t off, const void *data,
		       unsigned int len)
{
	struct fake_dev *dev = opaque;

	dev->writes++;
	dev->last_off = off;
	dev->last_len = len;
	dev->last_byte = *(const uint8_t *)data;
}

static const struct bus_ops fake_ops = { .read = fake_read,
					 .write = fake_write };

static void routes_by_offset(void **state)
{
	struct fake_dev a = { 0 }, b = { 0 };
	struct bus bus;
	uint8_t byte = 7;
	uint32_t word = 0;

	bus_init(&bus, "test");
	assert_int_equal(bus_register(&bus, 0x3f8, 8, &fake_ops, &a, "a"), 0);
	assert_int_equal(bus_register(&bus, 0x60, 1, &fake_ops, &b, "b"), 0);
	assert_true(bus_access(&bus, 0x3fd, true, &byte, 1));
	assert_int_equal(a.writes, 1);
	assert_int_equal(a.last_off, 5);
	assert_int_equal(a.last_byte, 7);
	assert_true(bus_access(&bus, 0x60, false, &word, 1));
	assert_int_equal(b.reads, 1);
	assert_int_equal(word & 0xff, 0x5a);
	bus_free(&bus);
}

static void unclaimed_reads_all_ones(void **state)
{
	struct fake_dev a = { 0 };
	struct bus bus;
	uint32_t word = 0;

	bus_init(&bus, "test");
	assert_int_equal(bus_register(&bus, 0x100, 4, &fake_ops, &a, "a"), 0);
	assert_false(bus_access(&bus, 0x80, false, &word, 4));
	assert_int_equal(word, 0xffffffff);
	/* Starts inside, runs past the end: the device never sees it. */
	assert_false(bus_access(&bus, 0x102, false, &word, 4));
	assert_int_equal(a.reads, 0);
	assert_false(bus_access(&bus, 0x104, true, &word, 1));
	assert_int_equal(bus.unclaimed, 3);
	bus_free(&bus);
}

static void overlaps_refused(void **state)
{
	struct fake_dev a = { 0 };
	struct bus bus;

	bus_init(&bus, "test");
	assert_int_equal(bus_register(&bus, 0x100, 0x10, &fake_ops, &a, "a"),
			 0);
	assert_int_equal(bus_register(&bus, 0x10f, 1, &fake_ops, &a, "b"), -1);
	assert_non_null(strstr(err_msg(), "overlaps a"));
	assert_int_equal(bus_register(&bus, 0xf0, 0x11, &fake_ops, &a, "c"),
			 -1);
	assert_int_equal(bus_register(&bus, 0x110, 0, &fake_ops, &a, "d"), -1);
	assert_int_equal(bus_register(&bus, UINT64_MAX, 2, &fake_ops, &a, "e"),
			 -1);
	assert_int_equal(bus_register(&bus, 0x110, 1, &fake_ops, &a, "f"), 0);
	bus_free(&bus);
}

/* An in-kernel device's range: no device over it, no access routed. */
static void reserved_ranges(void **state)
{
	struct fake_dev a = { 0 };
	struct bus bus;
	uint32_t word = 0;

	bus_init(&bus, "port I/O");
	assert_int_equal(bus_reserve(&bus, 0x40, 4, "the in-kernel PIT (KVM)"),
			 0);
	assert_int_equal(bus_register(&bus, 0x43, 1, &fake_ops, &a, "dbg"), -1);
	assert_string_equal(err_msg(), "dbg: port I/O range 0x43+0x1 overlaps "
				       "the in-kernel PIT (KVM)");
	assert_false(bus_access(&bus, 0x41, false, &word, 1));
	assert_int_equal(word & 0xff, 0xff);
	assert_false(bus_access(&bus, 0x40, true, &word, 4));
	assert_int_equal(bus.unclaimed, 2);
	bus_free(&bus);
}

static void unclaimed_runs(void **state)
{
	struct fake_dev a = { 0 };
	struct bus bus;

	bus_init(&bus, "test");
	assert_int_equal(bus_unclaimed_run(&bus, 0x3e, 4), 4);
	assert_int_equal(bus_register(&bus, 0x40, 4, &fake_ops, &a, "a"), 0);
	assert_int_equal(bus_reserve(&bus, 0x61, 1, "r"), 0);
	assert_int_equal(bus_unclaimed_run(&bus, 0x3e, 4), 2);
	assert_int_equal(bus_unclaimed_run(&bus, 0x3f, 4), 1);
	assert_int_equal(bus_unclaimed_run(&bus, 0x40, 4), 0);
	assert_int_equal(bus_unclaimed_run(&bus, 0x43, 4), 0);
	assert_int_equal(bus_unclaimed_run(&bus, 0x44, 4), 4);
	assert_int_equal(bus_unclaimed_run(&bus, 0x5f, 4), 2);
	assert_int_equal(bus_unclaimed_run(&bus, 0x62, 4), 4);
	assert_int_equal(bus_unclaimed_run(&bus, UINT64_MAX - 3, 3), 3);
	bus_free(&bus);
}

static void many_ranges_stay_sorted(void **state)
{
	struct fake_dev dev[64] = { 0 };
	struct bus bus;
	unsigned int i;
	uint8_t byte = 1;

	bus_init(&bus, "test");
	/* Register in a scrambled order; lookups must still find each. */
	for (i = 0; i < 64; i++) {
		unsigned int n = (i * 37) % 64;

		assert_int_equal(bus_register(&bus, 0x1000 + n * 0x10, 0x10,
					      &fake_ops, &dev[n], "dev"),
				 0);
	}
	for (i = 0; i < 64; i++)
		assert_true(bus_access(&bus, 0x1000 + i * 0x10 + 3, true, &byte,
				       1));
	for (i = 0; i < 64; i++) {
		assert_int_equal(dev[i].writes, 1);
		assert_int_equal(dev[i].last_off, 3);
	}
	for (i = 1; i < bus.nr_ranges; i++)
		assert_true(bus.range[i - 1].base < bus.range[i].base);
	bus_free(&bus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(routes_by_offset),
		cmocka_unit_test(unclaimed_reads_all_ones),
		cmocka_unit_test(overlaps_refused),
		cmocka_unit_test(reserved_ranges),
		cmocka_unit_test(unclaimed_runs),
		cmocka_unit_test(many_ranges_stay_sorted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
