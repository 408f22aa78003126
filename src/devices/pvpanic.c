// SPDX-License-Identifier: GPL-2.0-only
/*
 * pvpanic.c - QEMU's panic device on one I/O port (kvmux/pvpanic.h).
 *
 * "Crash loaded" is reported before "panicked" is acted on, so a guest
 * that writes both bits at once is seen to do both.  It is reported once
 * per run: each write is a vCPU exit, and a guest writing it in a loop
 * would otherwise flood stderr and crowd out kvmux's own lines.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "kvmux/acpi_hw.h"
#include "kvmux/bus.h"
#include "kvmux/device.h"
#include "kvmux/error.h"
#include "kvmux/platform.h"
#include "kvmux/pvpanic.h"

struct pvpanic {
	struct device_env env; /* the stop */
	bool crash_loaded_reported; /* atomic: vCPUs may race on the port */
};

uint8_t pvpanic_events(uint8_t value)
{
	return value & PVPANIC_SUPPORTED;
}

static void pvpanic_read(void *opaque, uint64_t off, void *data,
			 unsigned int len)
{
	memset(data, 0, len);
	*(uint8_t *)data = PVPANIC_SUPPORTED;
}

static void pvpanic_write(void *opaque, uint64_t off, const void *data,
			  unsigned int len)
{
	struct pvpanic *pv = opaque;
	uint8_t events = pvpanic_events(*(const uint8_t *)data);

	if ((events & PVPANIC_CRASH_LOADED) &&
	    !__atomic_exchange_n(&pv->crash_loaded_reported, true,
				 __ATOMIC_RELAXED))
		pv->env.note(pv->env.ctx,
			     "guest reports a crash kernel loaded (pvpanic)");
	if (events & PVPANIC_PANICKED)
		pv->env.stop(pv->env.ctx, VM_STOP_PANICKED, 0,
			     "guest panicked (pvpanic)");
}

static const struct bus_ops pvpanic_ops = {
	.read = pvpanic_read,
	.write = pvpanic_write,
};

static void *pvpanic_open(const struct vm_config *cfg, unsigned int i)
{
	struct pvpanic *pv = calloc(1, sizeof(*pv));

	if (!pv)
		err_host("out of memory");
	return pv;
}

/* There with ACPI or without: ACPI only tells the guest where. */
static int pvpanic_attach(void *dev, const struct device_env *env)
{
	struct pvpanic *pv = dev;

	pv->env = *env;
	if (bus_register(env->pio, PVPANIC_PORT, PVPANIC_LEN, &pvpanic_ops, pv,
			 "pvpanic") < 0)
		return -1;
	platform_add_pvpanic(env->platform, PVPANIC_PORT);
	return 0;
}

const struct device_kind pvpanic_kind = {
	.name = "pvpanic",
	.open = pvpanic_open,
	.attach = pvpanic_attach,
	.destroy = free,
};
