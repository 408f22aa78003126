// SPDX-License-Identifier: GPL-2.0-only
/*
 * debug_exit.c - port 0x501: the guest's result becomes kvmux's exit status.
 *
 * Any write width is accepted (outb, outw, outl); the low byte is the
 * status.  Reads return all ones, like an empty port.
 */
#include <stdint.h>

#include "kvmux/bus.h"
#include "kvmux/legacy.h"
#include "kvmux/vm.h"

#define DEBUG_EXIT_WIDTH 4

static void debug_exit_write(void *opaque, uint64_t off, const void *data,
			     unsigned int len)
{
	struct vm *vm = opaque;
	uint8_t value = *(const uint8_t *)data;

	if (off != 0)
		return; /* the status is the byte at the port itself */
	vm_request_stop(vm, VM_STOP_GUEST_EXIT, value,
			"guest wrote %u to the debug-exit port", value);
}

static const struct bus_ops debug_exit_ops = {
	.write = debug_exit_write,
};

int debug_exit_create(struct vm *vm)
{
	return bus_register(&vm->pio, DEBUG_EXIT_PORT, DEBUG_EXIT_WIDTH,
			    &debug_exit_ops, vm, "debug-exit");
}
