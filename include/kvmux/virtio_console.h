/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio_console.h - a virtio console with one port (hvc0): a device kind
 * (kvmux/device.h) present when the VM's console is virtio.  Guest output
 * goes to its console sink (held back while the sink is full), host input
 * comes through its console ops (only what fits).
 */
#ifndef KVMUX_VIRTIO_CONSOLE_H
#define KVMUX_VIRTIO_CONSOLE_H

extern const struct device_kind virtio_console_kind;

#endif
