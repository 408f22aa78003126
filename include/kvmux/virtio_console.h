/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio_console.h - a virtio console with one port (hvc0): guest output
 * to a console sink (held back while the sink is full), host input fed in
 * by the caller (only what fits).
 */
#ifndef KVMUX_VIRTIO_CONSOLE_H
#define KVMUX_VIRTIO_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

struct vm;
struct platform;
struct virtio_console;
struct console_sink;

/* out: where the guest's output goes (the console's room callback is
 * taken). */
struct virtio_console *virtio_console_create(struct vm *vm, struct platform *p,
					     struct console_sink *out);
int virtio_console_start(struct virtio_console *con);
/* Stop the I/O thread; -1 if it did not end by deadline_ns (monotonic). */
int virtio_console_stop(struct virtio_console *con, uint64_t deadline_ns);
void virtio_console_destroy(struct virtio_console *con);

/* Runs on the device's I/O thread with its input lock held: no blocking. */
typedef void (*virtio_console_room_fn)(void *opaque);

/*
 * Queue host input for the guest (any thread); returns bytes taken.
 * When not all were, fn(opaque) (virtio_console_on_input_room()) runs
 * once the guest has taken some.
 */
size_t virtio_console_input(void *con, const uint8_t *buf, size_t len);
void virtio_console_on_input_room(struct virtio_console *con,
				  virtio_console_room_fn fn, void *opaque);

/* Bytes of a transmit buffer the sink never took (after a stop). */
uint64_t virtio_console_undelivered(struct virtio_console *con);

#endif
