// SPDX-License-Identifier: GPL-2.0-only
/*
 * console.c - output on the 16550 UART at COM1 and a small printf.
 *
 * Every port access is a VM exit (tens of microseconds under PVM), so output
 * is for results and diagnostics, not bulk data.  A VMM's UART model needs no
 * baud rate or line setup to transmit, so the only setup is turning the
 * FIFOs on: a 16550A then takes 16 bytes each time LSR says THRE (the
 * transmit FIFO is empty), one LSR read per 16 bytes instead of per byte.
 */
#include "rt.h"

#define UART_TX_FIFO 16 /* a 16550A's transmit FIFO, in bytes */

/* Bytes per THRE: 0 until uart_init(); then 16 with FIFOs, else 1. */
static unsigned int tx_burst;
/* Bytes the UART still takes before LSR must be read again. */
static unsigned int tx_room;

/*
 * Set FCR's FIFO enable and read IIR back: a 16550A reports both FIFO bits,
 * an 8250/16450 (no FIFO) neither, the original 16550 (unusable FIFO) only
 * bit 7.  Two exits, once per boot.  On QEMU's UART enabling the FIFOs also
 * empties the receive FIFO; nothing is typed at us this early.
 */
static void uart_init(void)
{
	outb(FCR_FIFO_ENABLE, PORT_COM1_IIR_FCR);
	if ((inb(PORT_COM1_IIR_FCR) & IIR_FIFOS_ON) == IIR_FIFOS_ON)
		tx_burst = UART_TX_FIFO;
	else
		tx_burst = 1;
}

/*
 * Wait for THRE without a bound: a VMM whose host side is full (kvmux
 * holds THRE clear while its reader is slow) must not lose our bytes, and
 * a missing UART cannot hang us either, since its LSR reads 0xff.
 */
void rt_putc(char c)
{
	rt_console_lock(); /* tx_room is shared by the CPUs */
	if (!tx_burst)
		uart_init();
	if (!tx_room) {
		while (!(inb(PORT_COM1_LSR) & LSR_THRE))
			;
		tx_room = tx_burst;
	}
	outb(c, PORT_COM1);
	tx_room--;
	rt_console_unlock();
}

void rt_puts(const char *s)
{
	rt_console_lock(); /* whole strings, not bytes, from each CPU */
	while (*s)
		rt_putc(*s++);
	rt_console_unlock();
}

/* Where formatted characters go: the UART or a buffer. */
struct sink {
	char *buf; /* NULL: the UART */
	size_t size;
	size_t len; /* characters produced, even those not stored */
};

static void sink_put(struct sink *s, char c)
{
	if (!s->buf)
		rt_putc(c);
	else if (s->len + 1 < s->size)
		s->buf[s->len] = c;
	s->len++;
}

static void sink_pad(struct sink *s, char c, int n)
{
	while (n-- > 0)
		sink_put(s, c);
}

struct spec {
	bool left; /* '-' */
	bool zero; /* '0' */
	int width;
};

static void put_str(struct sink *s, const struct spec *sp, const char *str)
{
	int n = strlen(str);

	if (!sp->left)
		sink_pad(s, ' ', sp->width - n);
	while (*str)
		sink_put(s, *str++);
	if (sp->left)
		sink_pad(s, ' ', sp->width - n);
}

static void put_num(struct sink *s, const struct spec *sp, uint64_t v,
		    unsigned int base, bool upper, bool neg, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, len;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	len = n + neg + strlen(prefix);
	if (!sp->left && !sp->zero)
		sink_pad(s, ' ', sp->width - len);
	if (neg)
		sink_put(s, '-');
	while (*prefix)
		sink_put(s, *prefix++);
	if (!sp->left && sp->zero)
		sink_pad(s, '0', sp->width - len);
	while (n)
		sink_put(s, tmp[--n]);
	if (sp->left)
		sink_pad(s, ' ', sp->width - len);
}

static void format(struct sink *s, const char *fmt, va_list ap)
{
	struct spec sp;
	int lng;
	uint64_t u;
	int64_t d;
	char c;

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			sink_put(s, *fmt);
			continue;
		}
		sp = (struct spec){ 0 };
		for (fmt++;; fmt++) {
			if (*fmt == '-')
				sp.left = true;
			else if (*fmt == '0')
				sp.zero = true;
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			sp.width = sp.width * 10 + (*fmt++ - '0');
		lng = 0;
		while (*fmt == 'l' || *fmt == 'z') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i':
			d = lng ? va_arg(ap, long) : va_arg(ap, int);
			u = d < 0 ? -(uint64_t)d : (uint64_t)d;
			put_num(s, &sp, u, 10, false, d < 0, "");
			break;
		case 'u':
		case 'x':
		case 'X':
			u = lng ? va_arg(ap, unsigned long) :
				  va_arg(ap, unsigned int);
			put_num(s, &sp, u, *fmt == 'u' ? 10 : 16, *fmt == 'X',
				false, "");
			break;
		case 'p':
			u = (uintptr_t)va_arg(ap, void *);
			put_num(s, &sp, u, 16, false, false, "0x");
			break;
		case 's':
			put_str(s, &sp, va_arg(ap, const char *) ?: "(null)");
			break;
		case 'c':
			c = va_arg(ap, int);
			sink_pad(s, ' ', sp.left ? 0 : sp.width - 1);
			sink_put(s, c);
			sink_pad(s, ' ', sp.left ? sp.width - 1 : 0);
			break;
		case '%':
			sink_put(s, '%');
			break;
		case '\0':
			return;
		default:
			/* Unknown conversion: show it rather than guess. */
			sink_put(s, '%');
			sink_put(s, *fmt);
			break;
		}
	}
}

int rt_vprintf(const char *fmt, va_list ap)
{
	struct sink s = { 0 };

	rt_console_lock();
	format(&s, fmt, ap);
	rt_console_unlock();
	return s.len;
}

int rt_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = rt_vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int rt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	struct sink s = { .buf = buf, .size = size };
	va_list ap;

	va_start(ap, fmt);
	format(&s, fmt, ap);
	va_end(ap);
	if (size)
		buf[s.len < size ? s.len : size - 1] = '\0';
	return s.len;
}
