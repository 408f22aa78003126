// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_debug_exit.c - what a write to the debug-exit window means: kvmux's
 * raw byte on 0x501, and QEMU's isa-debug-exit status (V << 1) | 1 for a
 * window of 1, 2 or 4 ports, with narrower and offset writes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kvmux/config.h"
#include "kvmux/debug_exit.h"

static bool status_of(const struct debug_exit_config *cfg, uint64_t off,
		      uint32_t data, unsigned int len, uint32_t *value,
		      uint32_t *status)
{
	return debug_exit_status(cfg, off, &data, len, value, status);
}

static void test_default(void **state)
{
	const struct debug_exit_config cfg = DEBUG_EXIT_DEFAULT;
	uint32_t value, status;

	assert_int_equal(cfg.port, 0x501);
	assert_int_equal(cfg.size, 1);
	assert_false(cfg.qemu_status);
	assert_true(status_of(&cfg, 0, 42, 1, &value, &status));
	assert_int_equal(status, 42);
	/* An outl to 0x501 still means its low byte, as before. */
	assert_true(status_of(&cfg, 0, 0x12345607, 4, &value, &status));
	assert_int_equal(value, 7);
	assert_int_equal(status, 7);
	/* 0x502-0x504 are registered (so outl reaches us) but ignored. */
	assert_false(status_of(&cfg, 1, 5, 1, &value, &status));
	assert_false(status_of(&cfg, 3, 5, 1, &value, &status));
}

static void test_qemu_window(void **state)
{
	const struct debug_exit_config cfg = { .port = 0xf4,
					       .size = 4,
					       .qemu_status = true };
	uint32_t value, status;

	assert_true(status_of(&cfg, 0, 0x10, 4, &value, &status));
	assert_int_equal(value, 0x10);
	assert_int_equal(status, 0x21);
	/* Narrower writes inside the window: an outb to 0xf4 or 0xf5. */
	assert_true(status_of(&cfg, 0, 0xffffff03, 1, &value, &status));
	assert_int_equal(value, 3);
	assert_int_equal(status, 7);
	assert_true(status_of(&cfg, 1, 0x02, 1, &value, &status));
	assert_int_equal(status, 5);
	/* An outl at 0xf6 keeps the two bytes inside the window. */
	assert_true(status_of(&cfg, 2, 0x00070001, 4, &value, &status));
	assert_int_equal(value, 1);
	assert_false(status_of(&cfg, 4, 1, 1, &value, &status));
	/* Large values: the process status keeps the low 8 bits. */
	assert_true(status_of(&cfg, 0, 0x80000000, 4, &value, &status));
	assert_int_equal(status, 1);
}

static void test_raw_wide(void **state)
{
	const struct debug_exit_config cfg = { .port = 0x600, .size = 2 };
	uint32_t value, status;

	assert_true(status_of(&cfg, 0, 0x1234, 2, &value, &status));
	assert_int_equal(value, 0x1234);
	assert_int_equal(status, 0x1234);
	assert_true(status_of(&cfg, 0, 0xabcd1234, 4, &value, &status));
	assert_int_equal(value, 0x1234);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default),
		cmocka_unit_test(test_qemu_window),
		cmocka_unit_test(test_raw_wide),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
