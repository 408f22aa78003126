/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvpanic.h - QEMU's panic device at one I/O port (PVPANIC_PORT in
 * kvmux/acpi_hw.h; docs/specs/pvpanic.rst in QEMU), as Linux's pvpanic
 * driver uses it:
 *
 *   read   the events the device supports: PVPANIC_SUPPORTED
 *   write  bit 0, "panicked": the run ends at once (VM_STOP_PANICKED,
 *          status 123); bit 1, "crash loaded" (a kdump kernel takes
 *          over): reported to the user the first time, the run goes
 *          on.  Bits the device does not support are ignored.
 */
#ifndef KVMUX_PVPANIC_H
#define KVMUX_PVPANIC_H

#include <stdint.h>

/* A device kind (kvmux/device.h), always present, ACPI or not. */
extern const struct device_kind pvpanic_kind;

/* The events a write of value reports: the supported bits of it. */
uint8_t pvpanic_events(uint8_t value);

#endif
