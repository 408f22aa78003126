// SPDX-License-Identifier: GPL-2.0-only
/*
 * acpi_ged.c - the Generic Event Device behind the power button
 * (kvmux/acpi_ged.h).
 *
 * The pending events are one byte changed with atomic operations, so the
 * host thread that raises an event and the vCPU that reads the register
 * need no lock.  The event is recorded before the edge is sent: a guest
 * woken by the edge always finds it; a guest that reads between the two
 * takes it early and finds nothing on the next _EVT, which is harmless.
 */
#include <stdlib.h>
#include <string.h>

#include "kvmux/acpi_ged.h"
#include "kvmux/acpi_hw.h"
#include "kvmux/bus.h"
#include "kvmux/error.h"

struct acpi_ged {
	struct irq_line irq;
	uint8_t pending; /* ACPI_GED_EVT_* the guest has not read */
};

static void ged_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	struct acpi_ged *ged = opaque;

	memset(data, 0, len);
	*(uint8_t *)data =
		__atomic_exchange_n(&ged->pending, 0, __ATOMIC_ACQ_REL);
}

static void ged_write(void *opaque, uint64_t off, const void *data,
		      unsigned int len)
{
}

static const struct bus_ops acpi_ged_ops = {
	.read = ged_read,
	.write = ged_write,
};

struct acpi_ged *acpi_ged_create(struct bus *pio, uint16_t port,
				 const struct irq_line *irq)
{
	struct acpi_ged *ged = calloc(1, sizeof(*ged));

	if (!ged) {
		err_set("out of memory");
		return NULL;
	}
	ged->irq = *irq;
	if (bus_register(pio, port, ACPI_GED_LEN, &acpi_ged_ops, ged,
			 "acpi-ged") < 0) {
		free(ged);
		return NULL;
	}
	return ged;
}

void acpi_ged_destroy(struct acpi_ged *ged)
{
	free(ged);
}

int acpi_ged_raise(struct acpi_ged *ged, uint8_t events)
{
	__atomic_fetch_or(&ged->pending, events, __ATOMIC_ACQ_REL);
	return irq_line_pulse(&ged->irq);
}
