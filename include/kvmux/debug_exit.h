/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * debug_exit.h - the guest's result becomes kvmux's exit status: a device
 * kind (kvmux/device.h), always present.  A write to its window (port
 * 0x501, one byte, by default; --debug-exit sets another, as QEMU's
 * isa-debug-exit is configured) stops the VM with VM_STOP_GUEST_EXIT.
 */
#ifndef KVMUX_DEBUG_EXIT_H
#define KVMUX_DEBUG_EXIT_H

#include <stdbool.h>
#include <stdint.h>

struct debug_exit_config;

extern const struct device_kind debug_exit_kind;

/*
 * What a write of len bytes at offset off into the registered range means:
 * false if it starts past the window, else the value V (the written bytes
 * inside the window, little-endian) and the exit status (V, or
 * (V << 1) | 1 with qemu_status; the process keeps its low 8 bits).
 */
bool debug_exit_status(const struct debug_exit_config *cfg, uint64_t off,
		       const void *data, unsigned int len, uint32_t *value,
		       uint32_t *status);

#endif
