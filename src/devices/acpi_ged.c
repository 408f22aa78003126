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
#include "kvmux/config.h"
#include "kvmux/device.h"
#include "kvmux/error.h"
#include "kvmux/platform.h"

struct acpi_ged {
	struct device_env env; /* the interrupt line */
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

static unsigned int acpi_ged_count(const struct vm_config *cfg)
{
	return cfg->acpi;
}

static void *acpi_ged_open(const struct vm_config *cfg, unsigned int i)
{
	struct acpi_ged *ged = calloc(1, sizeof(*ged));

	if (!ged)
		err_host("out of memory");
	return ged;
}

static int acpi_ged_attach(void *dev, const struct device_env *env)
{
	struct acpi_ged *ged = dev;

	ged->env = *env;
	if (bus_register(env->pio, ACPI_GED_PORT, ACPI_GED_LEN, &acpi_ged_ops,
			 ged, "acpi-ged") < 0)
		return -1;
	platform_add_ged(env->platform, ACPI_GED_PORT, ACPI_GED_GSI);
	return 0;
}

/* The event is latched until the guest reads it, then an edge tells it. */
static int acpi_ged_event(void *dev, enum device_event ev)
{
	struct acpi_ged *ged = dev;

	if (ev != DEVICE_EVENT_POWER_BUTTON)
		return 0;
	__atomic_fetch_or(&ged->pending, ACPI_GED_EVT_POWER_BUTTON,
			  __ATOMIC_ACQ_REL);
	if (ged->env.irq_line(ged->env.ctx, ACPI_GED_GSI, true) < 0 ||
	    ged->env.irq_line(ged->env.ctx, ACPI_GED_GSI, false) < 0)
		return -1;
	return 1;
}

const struct device_kind acpi_ged_kind = {
	.name = "acpi-ged",
	.count = acpi_ged_count,
	.open = acpi_ged_open,
	.attach = acpi_ged_attach,
	.destroy = free,
	.event = acpi_ged_event,
};
