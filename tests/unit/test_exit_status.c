// SPDX-License-Identifier: GPL-2.0-only
/* test_exit_status.c - the exit status contract scripts depend on */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kvmux/exit_status.h"

static void guest_value_passes_through(void **state)
{
	assert_int_equal(exit_status_for(VM_STOP_GUEST_EXIT, 0), 0);
	assert_int_equal(exit_status_for(VM_STOP_GUEST_EXIT, 42), 42);
	assert_int_equal(exit_status_for(VM_STOP_GUEST_EXIT, 255), 255);
	assert_int_equal(exit_status_for(VM_STOP_GUEST_EXIT, 0x1ff), 255);
}

static void each_stop_has_its_own_code(void **state)
{
	assert_int_equal(exit_status_for(VM_STOP_HALTED, 0), 120);
	assert_int_equal(exit_status_for(VM_STOP_RESET, 0), 121);
	assert_int_equal(exit_status_for(VM_STOP_CRASHED, 0), 122);
	assert_int_equal(exit_status_for(VM_STOP_PANICKED, 0), 123);
	assert_int_equal(exit_status_for(VM_STOP_FAIL_ON, 0), 123);
	assert_int_equal(exit_status_for(VM_STOP_POWER_OFF, 0), 0);
	assert_int_equal(exit_status_for(VM_STOP_TIMEOUT, 0), 124);
	assert_int_equal(exit_status_for(VM_STOP_HOST_FAILURE, 0), 125);
	assert_int_equal(EXIT_BAD_USAGE, 126);
}

static void signals_as_in_the_shell(void **state)
{
	assert_int_equal(exit_status_for(VM_STOP_SIGNAL, SIGINT), 130);
	assert_int_equal(exit_status_for(VM_STOP_SIGNAL, SIGTERM), 143);
	assert_int_equal(exit_status_for(VM_STOP_SIGNAL, 0), 125);
	assert_int_equal(exit_status_for(VM_STOP_SIGNAL, 200), 125);
}

static void still_running_is_not_success(void **state)
{
	assert_int_equal(exit_status_for(VM_RUNNING, 0), 125);
	assert_int_equal(exit_status_for((enum vm_stop_reason)99, 0), 125);
}

static void names_and_help(void **state)
{
	assert_string_equal(vm_stop_reason_name(VM_STOP_RESET), "reset");
	assert_string_equal(vm_stop_reason_name(VM_STOP_TIMEOUT), "timeout");
	assert_string_equal(vm_stop_reason_name(VM_STOP_PANICKED), "panicked");
	assert_string_equal(vm_stop_reason_name(VM_STOP_FAIL_ON), "fail-on");
	assert_non_null(strstr(exit_status_help, "--fail-on"));
	assert_string_equal(vm_stop_reason_name(VM_STOP_POWER_OFF), "poweroff");
	assert_non_null(strstr(exit_status_help, "123"));
	assert_string_equal(vm_stop_reason_name((enum vm_stop_reason)99),
			    "unknown");
	assert_non_null(strstr(exit_status_help, "124"));
	assert_non_null(strstr(exit_status_help, "0x501"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(guest_value_passes_through),
		cmocka_unit_test(each_stop_has_its_own_code),
		cmocka_unit_test(signals_as_in_the_shell),
		cmocka_unit_test(still_running_is_not_success),
		cmocka_unit_test(names_and_help),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
