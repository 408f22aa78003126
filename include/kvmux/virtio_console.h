/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio_console.h - a virtio console with one port (hvc0): guest output
 * to a console sink, host input fed in by the caller.
 */
#ifndef KVMUX_VIRTIO_CONSOLE_H
#define KVMUX_VIRTIO_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

struct vm;
struct platform;
struct virtio_console;
struct console_sink;

/* out: where the guest's output goes. */
struct virtio_console *virtio_console_create(struct vm *vm, struct platform *p,
					     struct console_sink *out);
int virtio_console_start(struct virtio_console *con);
void virtio_console_destroy(struct virtio_console *con);

/* Queue host input for the guest (any thread); returns bytes taken. */
size_t virtio_console_input(void *con, const uint8_t *buf, size_t len);

#endif
