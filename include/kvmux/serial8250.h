/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * serial8250.h - a 16550A UART on the port I/O bus.
 *
 * Transmitted bytes go to a console sink as the guest writes them;
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

/* Queue host input for the guest; returns how many bytes fitted. */
size_t serial8250_receive(struct serial8250 *uart, const uint8_t *buf,
			  size_t len);

#endif
