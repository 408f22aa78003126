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

#include <stdint.h>

#include "kvmux/dev_link.h"

struct bus;

/*
 * Claim port on the port I/O bus pio (ACPI_GED_LEN bytes); the interrupt
 * goes out on irq (copied).  Returns the device, or NULL with err_set().
 */
struct acpi_ged *acpi_ged_create(struct bus *pio, uint16_t port,
				 const struct irq_line *irq);
void acpi_ged_destroy(struct acpi_ged *ged);

/*
 * Record events (ACPI_GED_EVT_* bits) and interrupt the guest; any
 * thread.  Events stay pending until the guest reads them, so raising
 * one twice before the guest looks delivers it once.  Returns 0, or -1
 * with err_set() if the interrupt line could not be driven.
 */
int acpi_ged_raise(struct acpi_ged *ged, uint8_t events);

#endif
