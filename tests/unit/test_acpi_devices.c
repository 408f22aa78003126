// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_acpi_devices.c - the ACPI PM registers, pvpanic and the Generic
 * Event Device without KVM: each on a port I/O bus of its own, driven
 * with bus_access() as a vCPU exit would, its stops, notes and interrupt
 * edges recorded instead of reaching a VM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kvmux/acpi_ged.h"
#include "kvmux/acpi_hw.h"
#include "kvmux/acpi_pm.h"
#include "kvmux/bus.h"
#include "kvmux/error.h"
#include "kvmux/pvpanic.h"
#include "device_test_util.h"

struct fixture {
	struct test_vm vm;
	struct vm_config cfg;
	void *pm, *pv, *ged;
};

static int setup(void **state)
{
	static struct fixture fx;

	memset(&fx, 0, sizeof(fx));
	test_vm_init(&fx.vm, NULL, 1);
	vm_config_init(&fx.cfg);
	fx.pm = test_attach(&fx.vm, &acpi_pm_kind, &fx.cfg, 0);
	fx.pv = test_attach(&fx.vm, &pvpanic_kind, &fx.cfg, 0);
	fx.ged = test_attach(&fx.vm, &acpi_ged_kind, &fx.cfg, 0);
	if (!fx.pm || !fx.pv || !fx.ged)
		return -1;
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	acpi_pm_kind.destroy(fx->pm);
	pvpanic_kind.destroy(fx->pv);
	acpi_ged_kind.destroy(fx->ged);
	test_vm_free(&fx->vm);
	return 0;
}

static void out8(struct fixture *fx, uint16_t port, uint8_t v)
{
	assert_true(tv_out8(&fx->vm, port, v));
}

static uint8_t in8(struct fixture *fx, uint16_t port)
{
	return tv_in8(&fx->vm, port);
}

/* The power button, as the board raises it on SIGTERM. */
static int press(struct fixture *fx)
{
	int rc = acpi_ged_kind.event(fx->ged, DEVICE_EVENT_POWER_BUTTON);

	return rc > 0 ? 0 : -1;
}

static uint8_t sleep_value(unsigned int slp_typ, bool enable)
{
	return slp_typ << ACPI_SLP_TYP_SHIFT | (enable ? ACPI_SLP_EN : 0);
}

static void s5_with_slp_en_powers_off(void **state)
{
	struct fixture *fx = *state;

	out8(fx, ACPI_PM_BASE + ACPI_PM_SLEEP_CONTROL_REG,
	     sleep_value(ACPI_SLP_TYP_S5, true));
	assert_int_equal(fx->vm.stops, 1);
	assert_int_equal(fx->vm.reason, VM_STOP_POWER_OFF);
	assert_int_equal(exit_status_for(fx->vm.reason, 0), 0);
	assert_non_null(strstr(fx->vm.detail, "S5"));
}

static void other_sleep_writes_do_nothing(void **state)
{
	struct fixture *fx = *state;
	unsigned int typ;

	for (typ = 0; typ < 8; typ++)
		if (typ != ACPI_SLP_TYP_S5)
			out8(fx, ACPI_PM_BASE + ACPI_PM_SLEEP_CONTROL_REG,
			     sleep_value(typ, true));
	out8(fx, ACPI_PM_BASE + ACPI_PM_SLEEP_CONTROL_REG,
	     sleep_value(ACPI_SLP_TYP_S5, false));
	/* WAK_STS is write-1-to-clear: clearing it is no sleep request. */
	out8(fx, ACPI_PM_BASE + ACPI_PM_SLEEP_STATUS_REG, ACPI_WAK_STS);
	assert_int_equal(fx->vm.stops, 0);
	assert_int_equal(in8(fx, ACPI_PM_BASE + ACPI_PM_SLEEP_CONTROL_REG), 0);
	assert_int_equal(in8(fx, ACPI_PM_BASE + ACPI_PM_SLEEP_STATUS_REG), 0);
	assert_int_equal(in8(fx, ACPI_PM_BASE + ACPI_PM_RESET_REG), 0);
}

static void reset_value_resets(void **state)
{
	struct fixture *fx = *state;

	out8(fx, ACPI_PM_BASE + ACPI_PM_RESET_REG, ACPI_RESET_VALUE + 1);
	out8(fx, ACPI_PM_BASE + ACPI_PM_RESET_REG, 0);
	assert_int_equal(fx->vm.stops, 0);
	out8(fx, ACPI_PM_BASE + ACPI_PM_RESET_REG, ACPI_RESET_VALUE);
	assert_int_equal(fx->vm.stops, 1);
	assert_int_equal(fx->vm.reason, VM_STOP_RESET);
	assert_int_equal(exit_status_for(fx->vm.reason, 0), 121);
}

/* A 16-bit write is two byte registers: the reset register's byte counts. */
static void wide_access_is_per_byte(void **state)
{
	struct fixture *fx = *state;
	uint8_t both[2] = { 0, ACPI_RESET_VALUE };
	uint8_t past[4];

	assert_true(bus_access(&fx->vm.pio,
			       ACPI_PM_BASE + ACPI_PM_SLEEP_STATUS_REG, true,
			       both, 2));
	assert_int_equal(fx->vm.reason, VM_STOP_RESET);
	/* Past the three registers: not decoded, reads as all ones. */
	assert_false(bus_access(&fx->vm.pio, ACPI_PM_BASE, false, past, 4));
	assert_int_equal(past[0], 0xff);
}

static void acpi_pm_action_table(void **state)
{
	assert_int_equal(acpi_pm_write_action(ACPI_PM_SLEEP_CONTROL_REG, 0x34),
			 ACPI_PM_POWER_OFF);
	assert_int_equal(acpi_pm_write_action(ACPI_PM_SLEEP_CONTROL_REG, 0x14),
			 ACPI_PM_NONE);
	assert_int_equal(
		acpi_pm_write_action(ACPI_PM_SLEEP_CONTROL_REG, 0x34 | 0xc3),
		ACPI_PM_POWER_OFF);
	assert_int_equal(acpi_pm_write_action(ACPI_PM_RESET_REG, 0x01),
			 ACPI_PM_RESET);
	assert_int_equal(acpi_pm_write_action(ACPI_PM_LEN, 0x01), ACPI_PM_NONE);
}

static void pvpanic_reads_supported_events(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(in8(fx, PVPANIC_PORT), 3);
}

static void pvpanic_crash_loaded_is_reported_only(void **state)
{
	struct fixture *fx = *state;

	out8(fx, PVPANIC_PORT, PVPANIC_CRASH_LOADED);
	assert_int_equal(fx->vm.notes, 1);
	assert_non_null(strstr(fx->vm.note, "crash kernel loaded"));
	assert_int_equal(fx->vm.stops, 0);
	out8(fx, PVPANIC_PORT, 0xfc); /* unsupported bits */
	assert_int_equal(fx->vm.notes, 1);
	assert_int_equal(fx->vm.stops, 0);
}

/* A guest that writes "crash loaded" in a loop must not flood stderr
 * (and crowd out kvmux's other lines in its 64 KiB buffer): one line. */
static void pvpanic_crash_loaded_is_reported_once(void **state)
{
	struct fixture *fx = *state;
	unsigned int i;

	for (i = 0; i < 1000; i++)
		out8(fx, PVPANIC_PORT, PVPANIC_CRASH_LOADED);
	assert_int_equal(fx->vm.notes, 1);
	assert_int_equal(fx->vm.stops, 0);
	out8(fx, PVPANIC_PORT, PVPANIC_PANICKED | PVPANIC_CRASH_LOADED);
	assert_int_equal(fx->vm.notes, 1);
	assert_int_equal(fx->vm.stops, 1);
	assert_int_equal(fx->vm.reason, VM_STOP_PANICKED);
}

static void pvpanic_panicked_stops_with_123(void **state)
{
	struct fixture *fx = *state;

	out8(fx, PVPANIC_PORT, PVPANIC_PANICKED | PVPANIC_CRASH_LOADED);
	assert_int_equal(fx->vm.notes, 1);
	assert_int_equal(fx->vm.stops, 1);
	assert_int_equal(fx->vm.reason, VM_STOP_PANICKED);
	assert_int_equal(exit_status_for(fx->vm.reason, 0), 123);
	assert_string_equal(fx->vm.detail, "guest panicked (pvpanic)");
	assert_int_equal(pvpanic_events(0xff), PVPANIC_SUPPORTED);
}

static void ged_raise_sends_an_edge_and_latches(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(in8(fx, ACPI_GED_PORT), 0);
	assert_int_equal(press(fx), 0);
	assert_int_equal(fx->vm.nr_levels, 2);
	assert_int_equal(fx->vm.levels[0].gsi, ACPI_GED_GSI);
	assert_true(fx->vm.levels[0].level);
	assert_false(fx->vm.levels[1].level);
	/* Pending until read, whatever the guest writes meanwhile. */
	out8(fx, ACPI_GED_PORT, 0);
	assert_int_equal(in8(fx, ACPI_GED_PORT), ACPI_GED_EVT_POWER_BUTTON);
	assert_int_equal(in8(fx, ACPI_GED_PORT), 0);
	assert_int_equal(fx->vm.stops, 0);
}

static void ged_events_merge_until_read(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(press(fx), 0);
	assert_int_equal(press(fx), 0);
	assert_int_equal(fx->vm.nr_levels, 4);
	assert_int_equal(in8(fx, ACPI_GED_PORT), ACPI_GED_EVT_POWER_BUTTON);
	assert_int_equal(in8(fx, ACPI_GED_PORT), 0);
}

static void ged_reports_a_line_it_cannot_drive(void **state)
{
	struct fixture *fx = *state;

	fx->vm.irq_fails = true;
	assert_int_equal(press(fx),
			 -1);
	assert_non_null(strstr(err_msg(), "KVM_IRQ_LINE"));
	/* The event still waits for the guest. */
	assert_int_equal(in8(fx, ACPI_GED_PORT), ACPI_GED_EVT_POWER_BUTTON);
}

static void ports_cannot_be_claimed_twice(void **state)
{
	struct fixture *fx = *state;

	assert_null(test_attach(&fx->vm, &pvpanic_kind, &fx->cfg, 0));
	assert_null(test_attach(&fx->vm, &acpi_pm_kind, &fx->cfg, 0));
	assert_null(test_attach(&fx->vm, &acpi_ged_kind, &fx->cfg, 0));
}

/* ACPI off: no PM registers, no GED; pvpanic either way. */
static void acpi_devices_follow_the_setting(void **state)
{
	struct vm_config cfg;

	vm_config_init(&cfg);
	assert_int_equal(device_count(&acpi_pm_kind, &cfg), 1);
	assert_int_equal(device_count(&acpi_ged_kind, &cfg), 1);
	cfg.acpi = false;
	assert_int_equal(device_count(&acpi_pm_kind, &cfg), 0);
	assert_int_equal(device_count(&acpi_ged_kind, &cfg), 0);
	assert_int_equal(device_count(&pvpanic_kind, &cfg), 1);
}

static void ged_is_in_the_platform_list(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(fx->vm.platform.ged_port, ACPI_GED_PORT);
	assert_int_equal(fx->vm.platform.ged_gsi, ACPI_GED_GSI);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(s5_with_slp_en_powers_off),
		T(other_sleep_writes_do_nothing),
		T(reset_value_resets),
		T(wide_access_is_per_byte),
		cmocka_unit_test(acpi_pm_action_table),
		T(pvpanic_reads_supported_events),
		T(pvpanic_crash_loaded_is_reported_only),
		T(pvpanic_crash_loaded_is_reported_once),
		T(pvpanic_panicked_stops_with_123),
		T(ged_raise_sends_an_edge_and_latches),
		T(ged_events_merge_until_read),
		T(ged_reports_a_line_it_cannot_drive),
		T(ports_cannot_be_claimed_twice),
		cmocka_unit_test(acpi_devices_follow_the_setting),
		T(ged_is_in_the_platform_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
