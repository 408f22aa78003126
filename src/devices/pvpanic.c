// SPDX-License-Identifier: GPL-2.0-only
/*
 * pvpanic.c - QEMU's panic device on one I/O port (kvmux/pvpanic.h).
 *
 * "Crash loaded" is reported before "panicked" is acted on, so a guest
 * that writes both bits at once is seen to do both.
 */
#include <stdlib.h>
#include <string.h>

#include "kvmux/acpi_hw.h"
#include "kvmux/bus.h"
#include "kvmux/error.h"
#include "kvmux/pvpanic.h"

struct pvpanic {
	struct dev_stop stop;
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
	const struct pvpanic *pv = opaque;
	uint8_t events = pvpanic_events(*(const uint8_t *)data);

	if (events & PVPANIC_CRASH_LOADED)
		pv->stop.note(pv->stop.ctx,
			      "guest reports a crash kernel loaded (pvpanic)");
	if (events & PVPANIC_PANICKED)
		pv->stop.stop(pv->stop.ctx, VM_STOP_PANICKED, 0,
			      "guest panicked (pvpanic)");
}

static const struct bus_ops pvpanic_ops = {
	.read = pvpanic_read,
	.write = pvpanic_write,
};

struct pvpanic *pvpanic_create(struct bus *pio, uint16_t port,
			       const struct dev_stop *stop)
{
	struct pvpanic *pv = calloc(1, sizeof(*pv));

	if (!pv) {
		err_set("out of memory");
		return NULL;
	}
	pv->stop = *stop;
	if (bus_register(pio, port, PVPANIC_LEN, &pvpanic_ops, pv, "pvpanic") <
	    0) {
		free(pv);
		return NULL;
	}
	return pv;
}

void pvpanic_destroy(struct pvpanic *pv)
{
	free(pv);
}
