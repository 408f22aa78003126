// SPDX-License-Identifier: GPL-2.0-only
/*
 * device.c - the table of device kinds (kvmux/device.h).
 *
 * Order: the virtio console before the UART (the first console device
 * present gets stdin), the console before the disks (virtio devices take
 * windows and interrupt lines in this order, which docs/devices.md
 * promises), the legacy devices in between.  The debug exit last: its
 * window is where the user puts it, and the spare ports it takes past
 * the window are only those no other device has.  The IOAPIC (with a
 * split irqchip) first: it takes the VM's lines before anyone drives
 * them.
 */
#include <stddef.h>

#include "kvmux/acpi_ged.h"
#include "kvmux/acpi_pm.h"
#include "kvmux/debug_exit.h"
#include "kvmux/device.h"
#include "kvmux/i8042.h"
#include "kvmux/i8254.h"
#include "kvmux/i8259.h"
#include "kvmux/ioapic.h"
#include "kvmux/pvpanic.h"
#include "kvmux/serial8250.h"
#include "kvmux/virtio_blk.h"
#include "kvmux/virtio_console.h"

const struct device_kind *const device_kinds[] = {
	&ioapic_kind, /* --irqchip split: the lines' controllers, first */
	&i8259_kind,
	&virtio_console_kind, /* hvc0, with --console virtio */
	&serial8250_kind, /* COM1 */
	&i8042_kind, /* the reset line */
	&i8254_kind, /* the interval timer, with --pit on */
	&pvpanic_kind, /* QEMU's panic device */
	&acpi_pm_kind, /* ACPI sleep and reset registers */
	&acpi_ged_kind, /* ACPI power button */
	&virtio_blk_kind, /* the disks */
	&debug_exit_kind, /* the guest's result */
	NULL,
};

unsigned int device_count(const struct device_kind *kind,
			  const struct vm_config *cfg)
{
	return kind->count ? kind->count(cfg) : 1;
}
