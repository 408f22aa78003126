/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * legacy.h - the small PC devices a guest needs to start and stop:
 *
 *   i8042       keyboard controller at 0x60/0x64, enough for the reset
 *               command (0xfe) that Linux and firmware use to reboot.
 *   debug exit  port 0x501 by default: a guest that writes byte V there
 *               ends the run, and kvmux exits with status V; or QEMU's
 *               isa-debug-exit convention (a window of 1, 2 or 4 ports
 *               anywhere, status (V << 1) | 1).
 *
 * Both only register ranges on the VM's port I/O bus and request VM stops;
 * they have no state worth tearing down beyond their allocation.
 */
#ifndef KVMUX_LEGACY_H
#define KVMUX_LEGACY_H

#include <stdbool.h>
#include <stdint.h>

struct vm;

#define I8042_DATA_PORT 0x60
#define I8042_CMD_PORT 0x64
#define DEBUG_EXIT_PORT 0x501

struct i8042;
struct i8042 *i8042_create(struct vm *vm);
void i8042_destroy(struct i8042 *kbc);

#define DEBUG_EXIT_PORT_LIMIT 0x10000U /* the port I/O space */

/* --debug-exit port=PORT[,size=1|2|4][,status=raw|qemu] */
struct debug_exit_config {
	uint16_t port; /* the window's first port */
	uint8_t size; /* 1, 2 or 4 ports; port + size <= 0x10000 */
	bool qemu_status; /* the status is (V << 1) | 1, not V */
};

#define DEBUG_EXIT_DEFAULT                                               \
	(struct debug_exit_config)                                       \
	{                                                                \
		.port = DEBUG_EXIT_PORT, .size = 1, .qemu_status = false \
	}

struct debug_exit;

/* Decode cfg's window on vm's port bus.  NULL with err_set() on error. */
struct debug_exit *debug_exit_create(struct vm *vm,
				     const struct debug_exit_config *cfg);
void debug_exit_destroy(struct debug_exit *d);

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
