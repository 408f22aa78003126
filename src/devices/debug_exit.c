// SPDX-License-Identifier: GPL-2.0-only
/*
 * debug_exit.c - the guest's result becomes kvmux's exit status.
 *
 * kvmux's own convention is port 0x501, one byte, the status as written.
 * Suites written for QEMU's isa-debug-exit configure their own window
 * (often iobase 0xf4, iosize 4) and expect QEMU's status (V << 1) | 1;
 * --debug-exit port=,size=,status=qemu gives them exactly that.
 *
 * A write that starts inside the window counts, at any width (an outb to
 * 0xf4 with size 4 too); its bytes inside the window are the value V.
 * Reads return all ones, like an empty port.
 */
#include <stdlib.h>
#include <string.h>

#include <stdio.h>

#include "kvmux/bus.h"
#include "kvmux/config.h"
#include "kvmux/debug_exit.h"
#include "kvmux/device.h"
#include "kvmux/error.h"
#include "kvmux/i8254.h"

/* Ports registered: the window, and up to an outl's worth past its
 * start where no other device is, so wider writes reach the device
 * instead of being dropped. */
#define DEBUG_EXIT_RANGE 4

struct debug_exit {
	struct device_env env; /* the stop */
	struct debug_exit_config cfg;
};

bool debug_exit_status(const struct debug_exit_config *cfg, uint64_t off,
		       const void *data, unsigned int len, uint32_t *value,
		       uint32_t *status)
{
	if (off >= cfg->size)
		return false;
	if (len > cfg->size - off)
		len = cfg->size - off;
	if (len > sizeof(*value))
		len = sizeof(*value);
	*value = 0;
	memcpy(value, data, len); /* x86 port data is little-endian */
	*status = cfg->qemu_status ? *value << 1 | 1 : *value;
	return true;
}

static void debug_exit_write(void *opaque, uint64_t off, const void *data,
			     unsigned int len)
{
	struct debug_exit *d = opaque;
	uint32_t value, status;

	char detail[64];

	if (!debug_exit_status(&d->cfg, off, data, len, &value, &status))
		return;
	snprintf(detail, sizeof(detail),
		 "guest wrote %u to the debug-exit port", value);
	d->env.stop(d->env.ctx, VM_STOP_GUEST_EXIT, (int)(status & 0xff),
		    detail);
}

static const struct bus_ops debug_exit_ops = {
	.write = debug_exit_write,
};

static void *debug_exit_open(const struct vm_config *vm, unsigned int i)
{
	const struct debug_exit_config *cfg = &vm->debug_exit;
	struct debug_exit *d;

	if (!cfg->size || cfg->size > DEBUG_EXIT_PORT_LIMIT - cfg->port) {
		err_set("debug-exit window of %u ports at %#x is not in the port space",
			cfg->size, cfg->port);
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		err_host("out of memory");
		return NULL;
	}
	d->cfg = *cfg;
	return d;
}

/* The window [port, port + len) was refused: if for the PIT's ports,
 * the only ones an option frees, say which option. */
static int overlap_hint(const struct bus *pio, uint64_t port, uint64_t len)
{
	uint64_t taken = port + bus_unclaimed_run(pio, port, len);
	char why[ERR_MSG_MAX];

	if ((taken < I8254_PORT || taken >= I8254_PORT + I8254_NR_PORTS) &&
	    taken != I8254_PORT_B)
		return -1;
	snprintf(why, sizeof(why), "%s", err_msg());
	return err_set("%s (--pit off frees ports 0x40-0x43 and 0x61)", why);
}

static int debug_exit_attach(void *dev, const struct device_env *env)
{
	struct debug_exit *d = dev;
	uint64_t len =
		d->cfg.size < DEBUG_EXIT_RANGE ? DEBUG_EXIT_RANGE : d->cfg.size;

	d->env = *env;
	if (len > DEBUG_EXIT_PORT_LIMIT - d->cfg.port)
		len = DEBUG_EXIT_PORT_LIMIT - d->cfg.port;
	len = bus_unclaimed_run(env->pio, d->cfg.port, len);
	if (len < d->cfg.size) /* refused, naming what the window overlaps */
		len = d->cfg.size;
	if (bus_register(env->pio, d->cfg.port, len, &debug_exit_ops, d,
			 "debug-exit") < 0)
		return overlap_hint(env->pio, d->cfg.port, len);
	return 0;
}

const struct device_kind debug_exit_kind = {
	.name = "debug-exit",
	.open = debug_exit_open,
	.attach = debug_exit_attach,
	.destroy = free,
};
