// SPDX-License-Identifier: GPL-2.0-only
/*
 * serial8250.c - 16550A UART emulation.
 *
 * Enough of the chip for Linux's 8250 driver (including its probe, which
 * uses scratch and loopback tests) and for polled early consoles.  Bytes
 * leave as soon as they are written while the host takes them; when it
 * does not (a slow reader), they wait in the transmit FIFO (16 bytes with
 * FCR enabled, else the one-byte THR) and LSR says THR is not empty, as
 * a real UART on a slow line would, until the host has room again.  A
 * byte written to a full FIFO is lost, as on the chip (the guest did not
 * look at LSR); such bytes are counted.
 * The receive FIFO is deeper than a real 16550's so that pasted input
 * survives a guest that reads slowly; the host only feeds what fits.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "kvmux/bus.h"
#include "kvmux/console_sink.h"
#include "kvmux/device.h"
#include "kvmux/error.h"
#include "kvmux/platform.h"
#include "kvmux/serial8250.h"

enum uart_reg {
	UART_RBR_THR = 0, /* DLAB=0; DLL with DLAB=1 */
	UART_IER = 1, /* DLAB=0; DLM with DLAB=1 */
	UART_IIR_FCR = 2,
	UART_LCR = 3,
	UART_MCR = 4,
	UART_LSR = 5,
	UART_MSR = 6,
	UART_SCR = 7,
	UART_NR_REGS = 8,
};

#define IER_RDI 0x01 /* received data available */
#define IER_THRI 0x02 /* transmitter holding register empty */
#define IER_RLSI 0x04 /* receiver line status */
#define IER_MSI 0x08 /* modem status */
#define IIR_NO_INT 0x01
#define IIR_MSI 0x00
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_RLSI 0x06
#define IIR_FIFO_ON 0xc0
#define FCR_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
#define FCR_CLEAR_TX 0x04
#define LCR_DLAB 0x80
#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80

#define RX_FIFO_SIZE 4096
#define TX_FIFO_SIZE 16 /* a 16550A's */

struct serial8250 {
	struct device_env env; /* the interrupt line, the sink */
	unsigned int irq;
	struct console_sink *out;
	pthread_mutex_t lock;

	uint8_t ier, fcr, lcr, mcr, scr, dll, dlm;
	bool overrun;
	bool thr_interrupt; /* THRE pending until IIR read or THR write */
	bool irq_level;

	uint8_t tx[TX_FIFO_SIZE]; /* bytes the host did not take yet */
	unsigned int tx_len;
	uint64_t tx_lost; /* written while the FIFO was full */

	uint8_t rx[RX_FIFO_SIZE];
	size_t rx_head, rx_count;
	void (*rx_room_fn)(void *opaque); /* the host waits for RX room */
	void *rx_room_opaque;
	bool rx_room_wanted;
};

static uint8_t pending_iir(const struct serial8250 *uart)
{
	if ((uart->ier & IER_RLSI) && uart->overrun)
		return IIR_RLSI;
	if ((uart->ier & IER_RDI) && uart->rx_count)
		return IIR_RDI;
	if ((uart->ier & IER_THRI) && uart->thr_interrupt)
		return IIR_THRI;
	return IIR_NO_INT;
}

/* Drive the line only when it changes: each change is an ioctl. */
static void update_irq(struct serial8250 *uart)
{
	bool level = pending_iir(uart) != IIR_NO_INT && (uart->mcr & MCR_OUT2);

	if (level == uart->irq_level)
		return;
	uart->irq_level = level;
	uart->env.irq_line(uart->env.ctx, uart->irq, level);
}

static void update_irq(struct serial8250 *uart);

static void rx_push(struct serial8250 *uart, uint8_t byte)
{
	if (uart->rx_count == RX_FIFO_SIZE) {
		uart->overrun = true;
		return;
	}
	uart->rx[(uart->rx_head + uart->rx_count) % RX_FIFO_SIZE] = byte;
	uart->rx_count++;
}

/* Half empty again (read, or cleared through FCR): the host may send
 * more (one wake-up, not one per byte). */
static void rx_room_check(struct serial8250 *uart)
{
	if (uart->rx_room_wanted && uart->rx_count <= RX_FIFO_SIZE / 2) {
		uart->rx_room_wanted = false;
		uart->rx_room_fn(uart->rx_room_opaque);
	}
}

static uint8_t rx_pop(struct serial8250 *uart)
{
	uint8_t byte;

	if (!uart->rx_count)
		return 0;
	byte = uart->rx[uart->rx_head];
	uart->rx_head = (uart->rx_head + 1) % RX_FIFO_SIZE;
	uart->rx_count--;
	rx_room_check(uart);
	return byte;
}

static unsigned int tx_capacity(const struct serial8250 *uart)
{
	return uart->fcr & FCR_ENABLE ? TX_FIFO_SIZE : 1;
}

/* Hand what waits in the FIFO to the host; THRE once it is empty. */
static void tx_flush(struct serial8250 *uart)
{
	size_t n;

	if (!uart->tx_len)
		return;
	n = console_sink_write(uart->out, uart->tx, uart->tx_len);
	memmove(uart->tx, uart->tx + n, uart->tx_len - n);
	uart->tx_len -= n;
	if (!uart->tx_len)
		uart->thr_interrupt = true;
}

static void transmit(struct serial8250 *uart, uint8_t byte)
{
	if (uart->mcr & MCR_LOOP) {
		/* The byte leaves THR for the receiver, not the line. */
		rx_push(uart, byte);
		uart->thr_interrupt = true;
		return;
	}
	/* >=: FIFOs turned off with more than a byte waiting leave THR
	 * full, not a FIFO to write past. */
	if (uart->tx_len >= tx_capacity(uart)) {
		uart->tx_lost++;
		return;
	}
	uart->tx[uart->tx_len++] = byte;
	tx_flush(uart);
}

/* The host has room again (its output thread): send what waits. */
static void tx_room(void *opaque)
{
	struct serial8250 *uart = opaque;

	pthread_mutex_lock(&uart->lock);
	tx_flush(uart);
	update_irq(uart);
	pthread_mutex_unlock(&uart->lock);
}

static uint8_t modem_status(const struct serial8250 *uart)
{
	uint8_t mcr = uart->mcr;

	if (!(mcr & MCR_LOOP))
		return MSR_DCD | MSR_DSR | MSR_CTS;
	/* Loopback wires the modem outputs back to the inputs. */
	return (mcr & MCR_DTR ? MSR_DSR : 0) | (mcr & MCR_RTS ? MSR_CTS : 0) |
	       (mcr & MCR_OUT1 ? MSR_RI : 0) | (mcr & MCR_OUT2 ? MSR_DCD : 0);
}

static uint8_t read_reg(struct serial8250 *uart, unsigned int reg)
{
	bool dlab = uart->lcr & LCR_DLAB;
	uint8_t val;

	switch (reg) {
	case UART_RBR_THR:
		return dlab ? uart->dll : rx_pop(uart);
	case UART_IER:
		return dlab ? uart->dlm : uart->ier;
	case UART_IIR_FCR:
		val = pending_iir(uart);
		if (val == IIR_THRI)
			uart->thr_interrupt = false;
		return val | (uart->fcr & FCR_ENABLE ? IIR_FIFO_ON : 0);
	case UART_LCR:
		return uart->lcr;
	case UART_MCR:
		return uart->mcr;
	case UART_LSR:
		val = (uart->tx_len ? 0 : LSR_THRE | LSR_TEMT) |
		      (uart->rx_count ? LSR_DR : 0) |
		      (uart->overrun ? LSR_OE : 0);
		uart->overrun = false;
		return val;
	case UART_MSR:
		return modem_status(uart);
	default:
		return uart->scr;
	}
}

static void write_reg(struct serial8250 *uart, unsigned int reg, uint8_t val)
{
	bool dlab = uart->lcr & LCR_DLAB;

	switch (reg) {
	case UART_RBR_THR:
		if (dlab) {
			uart->dll = val;
			break;
		}
		uart->thr_interrupt = false;
		transmit(uart, val); /* THRE again if the byte left */
		break;
	case UART_IER:
		if (dlab) {
			uart->dlm = val;
			break;
		}
		/* Enabling THRI with an empty THR raises it at once. */
		if ((val & IER_THRI) && !(uart->ier & IER_THRI) &&
		    !uart->tx_len)
			uart->thr_interrupt = true;
		uart->ier = val & 0x0f;
		break;
	case UART_IIR_FCR:
		uart->fcr = val;
		if (val & FCR_CLEAR_RX) {
			uart->rx_count = 0;
			rx_room_check(uart);
		}
		if (val & FCR_CLEAR_TX && uart->tx_len) {
			uart->tx_lost += uart->tx_len;
			uart->tx_len = 0;
			uart->thr_interrupt = true;
		}
		break;
	case UART_LCR:
		uart->lcr = val;
		break;
	case UART_MCR:
		uart->mcr = val & 0x1f;
		break;
	case UART_SCR:
		uart->scr = val;
		break;
	default: /* LSR and MSR are read-only */
		break;
	}
}

static void uart_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	struct serial8250 *uart = opaque;
	uint8_t *out = data;
	unsigned int i;

	pthread_mutex_lock(&uart->lock);
	for (i = 0; i < len; i++)
		out[i] =
			off + i < UART_NR_REGS ? read_reg(uart, off + i) : 0xff;
	update_irq(uart);
	pthread_mutex_unlock(&uart->lock);
}

static void uart_write(void *opaque, uint64_t off, const void *data,
		       unsigned int len)
{
	struct serial8250 *uart = opaque;
	const uint8_t *in = data;
	unsigned int i;

	pthread_mutex_lock(&uart->lock);
	for (i = 0; i < len && off + i < UART_NR_REGS; i++)
		write_reg(uart, off + i, in[i]);
	update_irq(uart);
	pthread_mutex_unlock(&uart->lock);
}

static const struct bus_ops uart_ops = {
	.read = uart_read,
	.write = uart_write,
};

/* COM1, always: early boot messages (earlyprintk) only know the UART,
 * so it is there even when the console is virtio. */
static void *serial8250_open(const struct vm_config *cfg, unsigned int i)
{
	struct serial8250 *uart = calloc(1, sizeof(*uart));

	if (!uart) {
		err_host("out of memory");
		return NULL;
	}
	uart->irq = SERIAL_COM1_IRQ;
	uart->lcr = 0x03; /* 8N1, as firmware would leave it */
	pthread_mutex_init(&uart->lock, NULL);
	return uart;
}

static int serial8250_attach(void *dev, const struct device_env *env)
{
	struct serial8250 *uart = dev;

	uart->env = *env;
	uart->out = env->console;
	if (bus_register(env->pio, SERIAL_COM1_BASE, UART_NR_REGS, &uart_ops,
			 uart, "serial8250") < 0 ||
	    platform_add_isa(env->platform, "serial", SERIAL_COM1_BASE,
			     UART_NR_REGS, SERIAL_COM1_IRQ) < 0)
		return -1;
	/* Last: a failed attach leaves the sink no pointer to this device. */
	console_sink_on_room(uart->out, tx_room, uart);
	return 0;
}

static void serial8250_destroy(void *dev)
{
	struct serial8250 *uart = dev;

	pthread_mutex_destroy(&uart->lock);
	free(uart);
}

static void serial8250_on_input_room(void *dev, void (*fn)(void *opaque),
				     void *opaque)
{
	struct serial8250 *uart = dev;

	uart->rx_room_fn = fn;
	uart->rx_room_opaque = opaque;
}

static size_t serial8250_receive(void *dev, const uint8_t *buf, size_t len)
{
	struct serial8250 *uart = dev;
	size_t i, room;

	pthread_mutex_lock(&uart->lock);
	room = RX_FIFO_SIZE - uart->rx_count;
	if (len > room) {
		len = room;
		uart->rx_room_wanted = uart->rx_room_fn != NULL;
	}
	for (i = 0; i < len; i++)
		rx_push(uart, buf[i]);
	update_irq(uart);
	pthread_mutex_unlock(&uart->lock);
	return len;
}

/* At stop: what waits in the transmit FIFO (the sink takes it all). */
static void serial8250_hand_over(void *dev)
{
	struct serial8250 *uart = dev;

	pthread_mutex_lock(&uart->lock);
	tx_flush(uart);
	pthread_mutex_unlock(&uart->lock);
}

static uint64_t serial8250_undelivered(void *dev)
{
	struct serial8250 *uart = dev;
	uint64_t n;

	pthread_mutex_lock(&uart->lock);
	n = uart->tx_len + uart->tx_lost;
	pthread_mutex_unlock(&uart->lock);
	return n;
}

static const struct console_device_ops serial8250_console = {
	.input = serial8250_receive,
	.on_input_room = serial8250_on_input_room,
	.hand_over = serial8250_hand_over,
	.undelivered = serial8250_undelivered,
};

const struct device_kind serial8250_kind = {
	.name = "serial8250",
	.open = serial8250_open,
	.attach = serial8250_attach,
	.destroy = serial8250_destroy,
	.console = &serial8250_console,
};
