// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_guest_mem.c - gm_ptr()/gm_read()/gm_write()/gm_zero() bounds, including
 * guest addresses and lengths chosen to make naive arithmetic wrap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kvmux/error.h"
#include "kvmux/guest_mem.h"

#define LOW_SIZE 0x10000ULL
#define HIGH_GPA 0x100000000ULL
#define HIGH_SIZE 0x2000ULL
#define TOP_SIZE 0x1000ULL
#define TOP_GPA (UINT64_MAX - TOP_SIZE + 1) /* ends exactly at 2^64 */

static uint8_t low[LOW_SIZE], high[HIGH_SIZE], top[TOP_SIZE];

static const struct guest_mem gm = {
	.region = {
		{ .gpa = 0, .size = LOW_SIZE, .host = low },
		{ .gpa = HIGH_GPA, .size = HIGH_SIZE, .host = high },
		{ .gpa = TOP_GPA, .size = TOP_SIZE, .host = top },
	},
	.nr_regions = 3,
};

static void test_inside(void **state)
{
	assert_ptr_equal(gm_ptr(&gm, 0, 1), low);
	assert_ptr_equal(gm_ptr(&gm, 0, LOW_SIZE), low);
	assert_ptr_equal(gm_ptr(&gm, LOW_SIZE - 1, 1), low + LOW_SIZE - 1);
	assert_ptr_equal(gm_ptr(&gm, HIGH_GPA + 0x10, 0x100), high + 0x10);
	assert_ptr_equal(gm_ptr(&gm, TOP_GPA, TOP_SIZE), top);
	assert_ptr_equal(gm_ptr(&gm, UINT64_MAX, 1), top + TOP_SIZE - 1);
}

static void test_outside(void **state)
{
	assert_null(gm_ptr(&gm, LOW_SIZE, 1));
	assert_null(gm_ptr(&gm, LOW_SIZE - 1, 2)); /* crosses the end */
	assert_null(gm_ptr(&gm, 0, LOW_SIZE + 1));
	assert_null(gm_ptr(&gm, HIGH_GPA - 1, 2)); /* starts in a hole */
	assert_null(gm_ptr(&gm, HIGH_GPA + HIGH_SIZE, 1));
	assert_null(gm_ptr(&gm, 0x80000000, 1));
}

/* No region may be reached through gpa + len wrapping past 2^64. */
static void test_wrapping(void **state)
{
	assert_null(gm_ptr(&gm, 0, UINT64_MAX));
	assert_null(gm_ptr(&gm, 1, UINT64_MAX));
	assert_null(gm_ptr(&gm, UINT64_MAX, 2));
	assert_null(gm_ptr(&gm, UINT64_MAX, UINT64_MAX));
	assert_null(gm_ptr(&gm, TOP_GPA, TOP_SIZE + 1));
	assert_null(gm_ptr(&gm, TOP_GPA - 1, 2));
	assert_null(gm_ptr(&gm, HIGH_GPA + 1, UINT64_MAX - HIGH_GPA));
	assert_null(gm_ptr(&gm, LOW_SIZE - 1, UINT64_MAX - LOW_SIZE + 2));
}

static void test_read_write(void **state)
{
	const char msg[] = "hello";
	char back[sizeof(msg)];

	assert_int_equal(gm_write(&gm, HIGH_GPA + 0x100, msg, sizeof(msg)), 0);
	assert_memory_equal(high + 0x100, msg, sizeof(msg));
	assert_int_equal(gm_read(&gm, back, HIGH_GPA + 0x100, sizeof(back)), 0);
	assert_string_equal(back, msg);
}

static void test_read_write_errors(void **state)
{
	char buf[16] = { 0 };

	assert_int_equal(gm_write(&gm, LOW_SIZE - 8, buf, sizeof(buf)), -1);
	assert_non_null(strstr(err_msg(), "is not RAM"));
	assert_int_equal(gm_read(&gm, buf, UINT64_MAX - 7, sizeof(buf)), -1);
	assert_non_null(strstr(err_msg(), "is not RAM"));
}

/* gm_zero() clears unless the memory is known to be fresh (still zero). */
static void test_zero(void **state)
{
	struct guest_mem fresh = gm;

	memset(low, 0xaa, 0x100);
	assert_int_equal(gm_zero(&gm, 0x10, 0x20), 0);
	assert_int_equal(low[0x0f], 0xaa);
	assert_int_equal(low[0x10], 0);
	assert_int_equal(low[0x2f], 0);
	assert_int_equal(low[0x30], 0xaa);
	fresh.fresh = true;
	assert_int_equal(gm_zero(&fresh, 0x40, 0x20), 0);
	assert_int_equal(low[0x40], 0xaa); /* not touched */
	assert_int_equal(gm_zero(&gm, LOW_SIZE - 1, 2), -1);
	assert_int_equal(gm_zero(&fresh, UINT64_MAX, UINT64_MAX), -1);
	assert_non_null(strstr(err_msg(), "is not RAM"));
	memset(low, 0, 0x100);
}

static void test_empty(void **state)
{
	const struct guest_mem none = { .nr_regions = 0 };

	assert_null(gm_ptr(&none, 0, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inside),
		cmocka_unit_test(test_outside),
		cmocka_unit_test(test_wrapping),
		cmocka_unit_test(test_read_write),
		cmocka_unit_test(test_read_write_errors),
		cmocka_unit_test(test_zero),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
