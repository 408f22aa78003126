/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * serial8250.h - a 16550A UART on the port I/O bus.
 *
 * Transmitted bytes go to a console sink as the guest writes them, or
 * wait in the transmit FIFO while the sink is full (kvmux/console_sink.h);
 * received bytes are fed in by the host side with serial8250_receive().
 * The interrupt line follows the 16550's rules (IER, IIR priorities, OUT2
 * gating as on a PC) and is driven through vm_irq_line().
 */
#ifndef KVMUX_SERIAL8250_H
#define KVMUX_SERIAL8250_H

#include <stddef.h>
#include <stdint.h>

struct vm;
struct serial8250;
struct console_sink;

#define SERIAL_COM1_BASE 0x3f8
#define SERIAL_COM1_IRQ 4

/* out: where transmitted bytes go. */
struct serial8250 *serial8250_create(struct vm *vm, uint16_t base,
				     unsigned int irq,
				     struct console_sink *out);
void serial8250_destroy(struct serial8250 *uart);

/* Runs on a vCPU thread with the UART's lock held: must not block. */
typedef void (*serial8250_room_fn)(void *opaque);

/*
 * Queue host input for the guest; returns how many bytes fitted.  When
 * not all did, fn(opaque) (serial8250_on_input_room()) runs once the
 * guest has read the receive FIFO down to half.
 */
size_t serial8250_receive(struct serial8250 *uart, const uint8_t *buf,
			  size_t len);
void serial8250_on_input_room(struct serial8250 *uart, serial8250_room_fn fn,
			      void *opaque);

/* Bytes written by the guest that never reached the host: still in the
 * transmit FIFO, or written while it was full. */
uint64_t serial8250_tx_undelivered(struct serial8250 *uart);

#endif
