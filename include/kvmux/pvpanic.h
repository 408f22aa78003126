/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvpanic.h - QEMU's panic device at one I/O port (PVPANIC_PORT in
 * kvmux/acpi_hw.h; docs/specs/pvpanic.rst in QEMU), as Linux's pvpanic
 * driver uses it:
 *
 *   read   the events the device supports: PVPANIC_SUPPORTED
 *   write  bit 0, "panicked": the run ends at once (VM_STOP_PANICKED,
 *          status 123); bit 1, "crash loaded" (a kdump kernel takes
 *          over): reported to the user, the run goes on.  Bits the
 *          device does not support are ignored.
 */
#ifndef KVMUX_PVPANIC_H
#define KVMUX_PVPANIC_H

#include <stdint.h>

#include "kvmux/dev_link.h"

struct bus;

/* The events a write of value reports: the supported bits of it. */
uint8_t pvpanic_events(uint8_t value);

/*
 * Claim port on the port I/O bus pio; stops and notes go to stop
 * (copied).  Returns the device, or NULL with err_set().
 */
struct pvpanic *pvpanic_create(struct bus *pio, uint16_t port,
			       const struct dev_stop *stop);
void pvpanic_destroy(struct pvpanic *pv);

#endif
