/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * acpi_ged.h - the ACPI Generic Event Device (spec 6.3, 5.6.9) behind
 * kvmux's power button: the host raises an event, the device records it
 * and sends an edge on its interrupt line; the guest's _EVT method (in
 * the DSDT, boot/acpi.c) reads the one-byte event register, which returns
 * the pending events (ACPI_GED_EVT_*) and clears them, and notifies the
 * power button device.  Writes to the register are ignored.
 */
#ifndef KVMUX_ACPI_GED_H
#define KVMUX_ACPI_GED_H

/*
 * A device kind (kvmux/device.h), present with ACPI.  Its event
 * (DEVICE_EVENT_POWER_BUTTON) records the power button in the event
 * register and pulses GSI ACPI_GED_GSI; the event stays pending until the
 * guest reads it, so pressing twice before the guest looks delivers it
 * once.
 */
extern const struct device_kind acpi_ged_kind;

#endif
