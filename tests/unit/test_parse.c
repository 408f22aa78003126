// SPDX-License-Identifier: GPL-2.0-only
/* test_parse.c - sizes, integers and durations as users type them */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kvmux/error.h"
#include "kvmux/parse.h"

static uint64_t size_of(const char *text)
{
	uint64_t bytes = 0;

	assert_int_equal(parse_size(text, SIZE_MIB, &bytes), 0);
	return bytes;
}

static void sizes_with_suffixes(void **state)
{
	assert_int_equal(size_of("512M"), 512ULL << 20);
	assert_int_equal(size_of("2G"), 2ULL << 30);
	assert_int_equal(size_of("2g"), 2ULL << 30);
	assert_int_equal(size_of("1GiB"), 1ULL << 30);
	assert_int_equal(size_of("4096K"), 4ULL << 20);
	assert_int_equal(size_of("1T"), 1ULL << 40);
	assert_int_equal(size_of("4096b"), 4096);
}

static void bare_number_uses_default_unit(void **state)
{
	uint64_t bytes;

	assert_int_equal(size_of("64"), 64ULL << 20);
	assert_int_equal(parse_size("4096", 1, &bytes), 0);
	assert_int_equal(bytes, 4096);
}

static void bad_sizes(void **state)
{
	static const char *const bad[] = { "",	    "M",   "-1G", "12Q", "1.5G",
					   "0x100", " 1G", "1G ", "1GG" };
	uint64_t bytes;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse_size(bad[i], SIZE_MIB, &bytes), -1);
		assert_non_null(strstr(err_msg(), "is not a size"));
	}
}

static void size_overflow(void **state)
{
	uint64_t bytes;

	assert_int_equal(parse_size("99999999999999999999", 1, &bytes), -1);
	assert_int_equal(parse_size("17179869184G", 1, &bytes), -1);
	assert_non_null(strstr(err_msg(), "too large"));
	assert_int_equal(parse_size("16777215T", 1, &bytes), 0);
}

static void uints(void **state)
{
	uint64_t v;

	assert_int_equal(parse_uint("8", 1, 1024, &v), 0);
	assert_int_equal(v, 8);
	assert_int_equal(parse_uint("0", 1, 1024, &v), -1);
	assert_non_null(strstr(err_msg(), "out of range"));
	assert_int_equal(parse_uint("1025", 1, 1024, &v), -1);
	assert_int_equal(parse_uint("two", 1, 1024, &v), -1);
	assert_non_null(strstr(err_msg(), "not a whole number"));
	assert_int_equal(parse_uint("3x", 1, 1024, &v), -1);
	assert_int_equal(parse_uint("", 1, 1024, &v), -1);
	/* past 2^64 - 1: said so, not "not a whole number" */
	assert_int_equal(parse_uint("99999999999999999999", 1, 1024, &v), -1);
	assert_non_null(
		strstr(err_msg(), "'99999999999999999999' is too large"));
}

static void hex_uints(void **state)
{
	uint64_t v;

	assert_int_equal(parse_uint_hex("0xf4", 0, 0xffff, &v), 0);
	assert_int_equal(v, 0xf4);
	assert_int_equal(parse_uint_hex("0XFFFF", 0, 0xffff, &v), 0);
	assert_int_equal(v, 0xffff);
	assert_int_equal(parse_uint_hex("1281", 0, 0xffff, &v), 0);
	assert_int_equal(v, 1281);
	assert_int_equal(parse_uint_hex("0x10000", 0, 0xffff, &v), -1);
	assert_non_null(strstr(err_msg(), "out of range (0 to 0xffff)"));
	assert_int_equal(parse_uint_hex("0x", 0, 0xffff, &v), -1);
	assert_int_equal(parse_uint_hex("0xg", 0, 0xffff, &v), -1);
	assert_int_equal(parse_uint_hex("0x1g", 0, 0xffff, &v), -1);
	assert_int_equal(parse_uint_hex("0x-1", 0, 0xffff, &v), -1);
	assert_int_equal(
		parse_uint_hex("0x11111111111111111111", 0, UINT64_MAX, &v),
		-1);
	assert_non_null(strstr(err_msg(), "is too large"));
	assert_int_equal(parse_uint_hex("0xg", 0, 0xffff, &v), -1);
	assert_non_null(strstr(err_msg(), "not a whole number"));
}

static void durations(void **state)
{
	uint64_t ms;

	assert_int_equal(parse_duration_ms("30", &ms), 0);
	assert_int_equal(ms, 30000);
	assert_int_equal(parse_duration_ms("1.5", &ms), 0);
	assert_int_equal(ms, 1500);
	assert_int_equal(parse_duration_ms("90s", &ms), 0);
	assert_int_equal(ms, 90000);
	assert_int_equal(parse_duration_ms("2m", &ms), 0);
	assert_int_equal(ms, 120000);
	assert_int_equal(parse_duration_ms("1h", &ms), 0);
	assert_int_equal(ms, 3600000);
	assert_int_equal(parse_duration_ms("0.0001", &ms), 0);
	assert_int_equal(ms, 1);
	assert_int_equal(parse_duration_ms("250ms", &ms), 0);
	assert_int_equal(ms, 250);
	assert_int_equal(parse_duration_ms("0", &ms), 0);
	assert_int_equal(ms, 0);
	/* past the precision kept, still not "no timeout" */
	assert_int_equal(parse_duration_ms("0.0000001", &ms), 0);
	assert_int_equal(ms, 1);
	assert_int_equal(parse_duration_ms("0.0000000", &ms), 0);
	assert_int_equal(ms, 0);
	/* a fraction alone, or a point alone after the digits, as sleep(1) */
	assert_int_equal(parse_duration_ms(".5", &ms), 0);
	assert_int_equal(ms, 500);
	assert_int_equal(parse_duration_ms(".25s", &ms), 0);
	assert_int_equal(ms, 250);
	assert_int_equal(parse_duration_ms("5.", &ms), 0);
	assert_int_equal(ms, 5000);
}

/* Found by tests/fuzz/fuzz_parse.c: "0.0000001" was 0 ms, which --timeout
 * takes for "no timeout"; any non-zero duration is at least 1 ms. */
static void tiny_durations(void **state)
{
	uint64_t ms;

	assert_int_equal(parse_duration_ms("0.0000001", &ms), 0);
	assert_int_equal(ms, 1);
	assert_int_equal(parse_duration_ms("0.00000000000000000001ms", &ms), 0);
	assert_int_equal(ms, 1);
	assert_int_equal(parse_duration_ms("0.000000000", &ms), 0);
	assert_int_equal(ms, 0);
}

/* Whole milliseconds, truncated; the truncated reading (for a range
 * from 1 ms: --period) leaves a duration under 1 ms at 0. */
static void truncated_durations(void **state)
{
	static const struct {
		const char *text;
		uint64_t ms, truncated;
	} cases[] = {
		{ "1.2345678", 1234, 1234 }, { "0.0001", 1, 0 },
		{ "0.5ms", 1, 0 },	     { "0.001", 1, 1 },
		{ "10.001", 10001, 10001 },
	};
	uint64_t ms;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse_duration_ms(cases[i].text, &ms), 0);
		assert_int_equal(ms, cases[i].ms);
		assert_int_equal(
			parse_duration_ms_truncated(cases[i].text, &ms), 0);
		assert_int_equal(ms, cases[i].truncated);
	}
	assert_int_equal(parse_duration_ms_truncated("1x", &ms), -1);
	assert_non_null(strstr(err_msg(), "'1x' is not a duration"));
}

static void bad_durations(void **state)
{
	static const char *const bad[] = { "",	   "s",	    "-1",  "1x",
					   "1ss",  "1.5.5", "1 s", "1msx",
					   "1mss", ".",	    ".s",  "..5",
					   ".-5",  "+.5" };
	uint64_t ms;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse_duration_ms(bad[i], &ms), -1);
		assert_non_null(strstr(err_msg(), "not a duration"));
	}
	assert_int_equal(parse_duration_ms("99999999999999999h", &ms), -1);
	assert_non_null(strstr(err_msg(), "is too large"));
	assert_int_equal(parse_duration_ms("99999999999999999999", &ms), -1);
	assert_non_null(strstr(err_msg(), "is too large"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sizes_with_suffixes),
		cmocka_unit_test(bare_number_uses_default_unit),
		cmocka_unit_test(bad_sizes),
		cmocka_unit_test(size_overflow),
		cmocka_unit_test(uints),
		cmocka_unit_test(hex_uints),
		cmocka_unit_test(durations),
		cmocka_unit_test(tiny_durations),
		cmocka_unit_test(truncated_durations),
		cmocka_unit_test(bad_durations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
