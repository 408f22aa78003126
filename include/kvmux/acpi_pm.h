/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * acpi_pm.h - the hardware-reduced ACPI registers a guest powers off and
 * resets with: the sleep control, sleep status and reset registers at
 * ACPI_PM_BASE (kvmux/acpi_hw.h), as the FADT describes them.
 *
 *   sleep control  SLP_TYP = ACPI_SLP_TYP_S5 with SLP_EN: power off
 *                  (VM_STOP_POWER_OFF, status 0); other types are ignored,
 *                  as kvmux offers no other sleep state.  Reads 0.
 *   sleep status   reads 0 (WAK_STS never sets: nothing wakes); writes
 *                  (write 1 to clear) change nothing.
 *   reset          ACPI_RESET_VALUE: reset (VM_STOP_RESET, status 121);
 *                  other values are ignored.  Reads 0.
 *
 * Each byte of a wider access is a separate register access.
 */
#ifndef KVMUX_ACPI_PM_H
#define KVMUX_ACPI_PM_H

#include <stdint.h>

/* A device kind (kvmux/device.h), present with ACPI. */
extern const struct device_kind acpi_pm_kind;

enum acpi_pm_action {
	ACPI_PM_NONE,
	ACPI_PM_POWER_OFF,
	ACPI_PM_RESET,
};

/* What writing value to register reg (offset from ACPI_PM_BASE) does. */
enum acpi_pm_action acpi_pm_write_action(uint64_t reg, uint8_t value);

#endif
