/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * i8042.h - the PC keyboard controller at ports 0x60/0x64, reduced to
 * what guests use to reset the machine (the pulse-reset command 0xfe and
 * the output-port reset line): a device kind (kvmux/device.h) that is
 * always present, and stops the VM with VM_STOP_RESET (status 121).
 */
#ifndef KVMUX_I8042_H
#define KVMUX_I8042_H

#define I8042_DATA_PORT 0x60
#define I8042_CMD_PORT 0x64

extern const struct device_kind i8042_kind;

#endif
