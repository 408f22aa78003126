/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * legacy.h - the small PC devices a guest needs to start and stop:
 *
 *   i8042       keyboard controller at 0x60/0x64, enough for the reset
 *               command (0xfe) that Linux and firmware use to reboot.
 *   debug exit  port 0x501: a guest that writes byte V there ends the run,
 *               and kvmux exits with status V.
 *
 * Both only register ranges on the VM's port I/O bus and request VM stops;
 * they have no state worth tearing down beyond their allocation.
 */
#ifndef KVMUX_LEGACY_H
#define KVMUX_LEGACY_H

struct vm;

#define I8042_DATA_PORT 0x60
#define I8042_CMD_PORT 0x64
#define DEBUG_EXIT_PORT 0x501

struct i8042;
struct i8042 *i8042_create(struct vm *vm);
void i8042_destroy(struct i8042 *kbc);

int debug_exit_create(struct vm *vm);

#endif
