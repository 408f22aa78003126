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

#define MAX_EDGES 8

struct recorder {
	unsigned int stops, notes;
	enum vm_stop_reason reason;
	char detail[128], note[128];
	unsigned int nr_levels;
	struct {
		unsigned int gsi;
		bool level;
	} levels[MAX_EDGES];
	bool irq_fails;
};

static void rec_stop(void *ctx, enum vm_stop_reason reason, int value,
		     const char *detail)
{
	struct recorder *r = ctx;

	r->stops++;
	r->reason = reason;
	snprintf(r->detail, sizeof(r->detail), "%s", detail);
}

static void rec_note(void *ctx, const char *msg)
{
	struct recorder *r = ctx;

	r->notes++;
	snprintf(r->note, sizeof(r->note), "%s", msg);
}

static int rec_irq(void *ctx, unsigned int gsi, bool level)
{
	struct recorder *r = ctx;

	if (r->irq_fails)
		return err_set("KVM_IRQ_LINE %u: test", gsi);
	if (r->nr_levels < MAX_EDGES) {
		r->levels[r->nr_levels].gsi = gsi;
		r->levels[r->nr_levels].level = level;
		r->nr_levels++;
	}
	return 0;
}

struct fixture {
	struct bus pio;
	struct recorder rec;
	struct dev_stop stop;
	struct irq_line irq;
	struct acpi_pm *pm;
	struct pvpanic *pv;
	struct acpi_ged *ged;
};

static int setup(void **state)
{
	static struct fixture fx;

	memset(&fx, 0, sizeof(fx));
	bus_init(&fx.pio, "pio");
	fx.stop = (struct dev_stop){ rec_stop, rec_note, &fx.rec };
	fx.irq = (struct irq_line){ rec_irq, &fx.rec, ACPI_GED_GSI };
	fx.pm = acpi_pm_create(&fx.pio, &fx.stop);
	fx.pv = pvpanic_create(&fx.pio, PVPANIC_PORT, &fx.stop);
	fx.ged = acpi_ged_create(&fx.pio, ACPI_GED_PORT, &fx.irq);
	if (!fx.pm || !fx.pv || !fx.ged)
		return -1;
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	acpi_pm_destroy(fx->pm);
	pvpanic_destroy(fx->pv);
	acpi_ged_destroy(fx->ged);
	bus_free(&fx->pio);
	return 0;
}

static void out8(struct fixture *fx, uint16_t port, uint8_t v)
{
	assert_true(bus_access(&fx->pio, port, true, &v, 1));
}

static uint8_t in8(struct fixture *fx, uint16_t port)
{
	uint8_t v = 0xee;

	assert_true(bus_access(&fx->pio, port, false, &v, 1));
	return v;
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
	assert_int_equal(fx->rec.stops, 1);
	assert_int_equal(fx->rec.reason, VM_STOP_POWER_OFF);
	assert_int_equal(exit_status_for(fx->rec.reason, 0), 0);
	assert_non_null(strstr(fx->rec.detail, "S5"));
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
	assert_int_equal(fx->rec.stops, 0);
	assert_int_equal(in8(fx, ACPI_PM_BASE + ACPI_PM_SLEEP_CONTROL_REG), 0);
	assert_int_equal(in8(fx, ACPI_PM_BASE + ACPI_PM_SLEEP_STATUS_REG), 0);
	assert_int_equal(in8(fx, ACPI_PM_BASE + ACPI_PM_RESET_REG), 0);
}

static void reset_value_resets(void **state)
{
	struct fixture *fx = *state;

	out8(fx, ACPI_PM_BASE + ACPI_PM_RESET_REG, ACPI_RESET_VALUE + 1);
	out8(fx, ACPI_PM_BASE + ACPI_PM_RESET_REG, 0);
	assert_int_equal(fx->rec.stops, 0);
	out8(fx, ACPI_PM_BASE + ACPI_PM_RESET_REG, ACPI_RESET_VALUE);
	assert_int_equal(fx->rec.stops, 1);
	assert_int_equal(fx->rec.reason, VM_STOP_RESET);
	assert_int_equal(exit_status_for(fx->rec.reason, 0), 121);
}

/* A 16-bit write is two byte registers: the reset register's byte counts. */
static void wide_access_is_per_byte(void **state)
{
	struct fixture *fx = *state;
	uint8_t both[2] = { 0, ACPI_RESET_VALUE };
	uint8_t past[4];

	assert_true(bus_access(&fx->pio,
			       ACPI_PM_BASE + ACPI_PM_SLEEP_STATUS_REG, true,
			       both, 2));
	assert_int_equal(fx->rec.reason, VM_STOP_RESET);
	/* Past the three registers: not decoded, reads as all ones. */
	assert_false(bus_access(&fx->pio, ACPI_PM_BASE, false, past, 4));
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
	assert_int_equal(fx->rec.notes, 1);
	assert_non_null(strstr(fx->rec.note, "crash kernel loaded"));
	assert_int_equal(fx->rec.stops, 0);
	out8(fx, PVPANIC_PORT, 0xfc); /* unsupported bits */
	assert_int_equal(fx->rec.notes, 1);
	assert_int_equal(fx->rec.stops, 0);
}

static void pvpanic_panicked_stops_with_123(void **state)
{
	struct fixture *fx = *state;

	out8(fx, PVPANIC_PORT, PVPANIC_PANICKED | PVPANIC_CRASH_LOADED);
	assert_int_equal(fx->rec.notes, 1);
	assert_int_equal(fx->rec.stops, 1);
	assert_int_equal(fx->rec.reason, VM_STOP_PANICKED);
	assert_int_equal(exit_status_for(fx->rec.reason, 0), 123);
	assert_string_equal(fx->rec.detail, "guest panicked (pvpanic)");
	assert_int_equal(pvpanic_events(0xff), PVPANIC_SUPPORTED);
}

static void ged_raise_sends_an_edge_and_latches(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(in8(fx, ACPI_GED_PORT), 0);
	assert_int_equal(acpi_ged_raise(fx->ged, ACPI_GED_EVT_POWER_BUTTON), 0);
	assert_int_equal(fx->rec.nr_levels, 2);
	assert_int_equal(fx->rec.levels[0].gsi, ACPI_GED_GSI);
	assert_true(fx->rec.levels[0].level);
	assert_false(fx->rec.levels[1].level);
	/* Pending until read, whatever the guest writes meanwhile. */
	out8(fx, ACPI_GED_PORT, 0);
	assert_int_equal(in8(fx, ACPI_GED_PORT), ACPI_GED_EVT_POWER_BUTTON);
	assert_int_equal(in8(fx, ACPI_GED_PORT), 0);
	assert_int_equal(fx->rec.stops, 0);
}

static void ged_events_merge_until_read(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(acpi_ged_raise(fx->ged, ACPI_GED_EVT_POWER_BUTTON), 0);
	assert_int_equal(acpi_ged_raise(fx->ged, ACPI_GED_EVT_POWER_BUTTON), 0);
	assert_int_equal(fx->rec.nr_levels, 4);
	assert_int_equal(in8(fx, ACPI_GED_PORT), ACPI_GED_EVT_POWER_BUTTON);
	assert_int_equal(in8(fx, ACPI_GED_PORT), 0);
}

static void ged_reports_a_line_it_cannot_drive(void **state)
{
	struct fixture *fx = *state;

	fx->rec.irq_fails = true;
	assert_int_equal(acpi_ged_raise(fx->ged, ACPI_GED_EVT_POWER_BUTTON),
			 -1);
	assert_non_null(strstr(err_msg(), "KVM_IRQ_LINE"));
	/* The event still waits for the guest. */
	assert_int_equal(in8(fx, ACPI_GED_PORT), ACPI_GED_EVT_POWER_BUTTON);
}

static void ports_cannot_be_claimed_twice(void **state)
{
	struct fixture *fx = *state;

	assert_null(pvpanic_create(&fx->pio, PVPANIC_PORT, &fx->stop));
	assert_null(acpi_pm_create(&fx->pio, &fx->stop));
	assert_null(acpi_ged_create(&fx->pio, ACPI_GED_PORT, &fx->irq));
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
		T(pvpanic_panicked_stops_with_123),
		T(ged_raise_sends_an_edge_and_latches),
		T(ged_events_merge_until_read),
		T(ged_reports_a_line_it_cannot_drive),
		T(ports_cannot_be_claimed_twice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
