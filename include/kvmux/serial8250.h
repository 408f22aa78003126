/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * serial8250.h - a 16550A UART at COM1 (port 0x3f8, ISA IRQ 4), a device
 * kind (kvmux/device.h) that is always present.
 *
 * Transmitted bytes go to the device's console sink as the guest writes
 * them, or wait in the transmit FIFO while the sink is full
 * (kvmux/console_sink.h); received bytes are fed in through its console
 * ops, only as many as fit.  The interrupt line follows the 16550's rules
 * (IER, IIR priorities, OUT2 gating as on a PC).
 */
#ifndef KVMUX_SERIAL8250_H
#define KVMUX_SERIAL8250_H

#define SERIAL_COM1_BASE 0x3f8
#define SERIAL_COM1_IRQ 4

extern const struct device_kind serial8250_kind;

#endif
