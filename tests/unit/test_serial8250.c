// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_serial8250.c - the 16550A at COM1 as Linux's 8250 driver and early
 * consoles drive it, without KVM: the scratch and loopback probes, IIR
 * priorities and FIFO bits, LSR, the divisor latch, the interrupt line
 * (IER and OUT2), transmit into a real console sink, back-pressure from a
 * full host side, and input fed through the console ops.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <linux/serial_reg.h>

#include "kvmux/serial8250.h"
#include "console_test_util.h"
#include "device_test_util.h"

#define COM1 SERIAL_COM1_BASE
#define RX_FIFO 4096 /* what the UART takes from the host at once */

struct fixture {
	struct test_vm vm;
	struct vm_config cfg;
	struct test_console tc;
	void *uart;
	unsigned int room_calls; /* on_input_room's callback */
};

static int setup(void **state)
{
	static struct fixture fx;

	memset(&fx, 0, sizeof(fx));
	if (tc_init(&fx.tc) < 0)
		return -1;
	test_vm_init(&fx.vm, NULL, 1);
	fx.vm.env.console = fx.tc.sink;
	vm_config_init(&fx.cfg);
	fx.uart = test_attach(&fx.vm, &serial8250_kind, &fx.cfg, 0);
	if (!fx.uart)
		return -1;
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	tc_finish(&fx->tc); /* the stream's thread may call the UART */
	serial8250_kind.destroy(fx->uart);
	tc_free(&fx->tc);
	test_vm_free(&fx->vm);
	return 0;
}

static void out8(struct fixture *fx, unsigned int reg, uint8_t v)
{
	assert_true(tv_out8(&fx->vm, COM1 + reg, v));
}

static uint8_t in8(struct fixture *fx, unsigned int reg)
{
	return tv_in8(&fx->vm, COM1 + reg);
}

static void out_str(struct fixture *fx, const char *s)
{
	while (*s)
		out8(fx, UART_TX, *s++);
}

static size_t input(struct fixture *fx, const void *buf, size_t len)
{
	return serial8250_kind.console->input(fx->uart, buf, len);
}

static uint64_t undelivered(struct fixture *fx)
{
	return serial8250_kind.console->undelivered(fx->uart);
}

/* The last level driven on COM1's line; -1 if none was. */
static int last_level(struct fixture *fx)
{
	unsigned int n = fx->vm.nr_levels;

	if (!n)
		return -1;
	assert_int_equal(fx->vm.levels[n - 1].gsi, SERIAL_COM1_IRQ);
	return fx->vm.levels[n - 1].level;
}

static bool thr_empty(void *arg)
{
	return tv_in8(arg, COM1 + UART_LSR) & UART_LSR_THRE;
}

/* The host has room again: wait until the stream is empty and the UART
 * has sent what waited. */
static void room_appears(struct fixture *fx)
{
	assert_int_equal(tc_read_on(&fx->tc), 0);
	assert_int_equal(out_stream_drain(fx->tc.stream,
					  thread_now_ns() + TEST_WAIT_NS, -1),
			 0);
	assert_true(test_wait(thr_empty, &fx->vm));
}

static void count_room(void *opaque)
{
	((struct fixture *)opaque)->room_calls++;
}

static void described_as_isa_device(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(fx->vm.platform.nr_isa, 1);
	assert_int_equal(fx->vm.platform.isa[0].port, 0x3f8);
	assert_int_equal(fx->vm.platform.isa[0].nr_ports, 8);
	assert_int_equal(fx->vm.platform.isa[0].irq, 4);
	assert_null(serial8250_kind.count);
}

static void scratch_register_holds_a_byte(void **state)
{
	struct fixture *fx = *state;

	out8(fx, UART_SCR, 0x5a);
	assert_int_equal(in8(fx, UART_SCR), 0x5a);
	out8(fx, UART_SCR, 0xa5);
	assert_int_equal(in8(fx, UART_SCR), 0xa5);
	/* Past the eight registers: nothing decodes (read as all ones). */
	assert_int_equal(tv_in8(&fx->vm, COM1 + 8), 0xff);
}

static void reset_state_reads(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(in8(fx, UART_IIR), UART_IIR_NO_INT);
	assert_int_equal(in8(fx, UART_IER), 0);
	assert_int_equal(in8(fx, UART_LCR), UART_LCR_WLEN8);
	assert_int_equal(in8(fx, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	/* Not in loopback: a modem that is there and ready. */
	assert_int_equal(in8(fx, UART_MSR),
			 UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
}

/* Linux's probe: MCR = LOOP | OUT2 | RTS must read back as DCD | CTS. */
static void loopback_wires_mcr_to_msr(void **state)
{
	struct fixture *fx = *state;

	out8(fx, UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2 | UART_MCR_RTS);
	assert_int_equal(in8(fx, UART_MSR) & 0xf0, UART_MSR_DCD | UART_MSR_CTS);
	out8(fx, UART_MCR, UART_MCR_LOOP | UART_MCR_DTR | UART_MCR_OUT1);
	assert_int_equal(in8(fx, UART_MSR) & 0xf0, UART_MSR_DSR | UART_MSR_RI);
	out8(fx, UART_MCR, UART_MCR_LOOP);
	assert_int_equal(in8(fx, UART_MSR) & 0xf0, 0);
	assert_int_equal(in8(fx, UART_MCR), UART_MCR_LOOP);
}

static void loopback_returns_thr_bytes_in_rbr(void **state)
{
	struct fixture *fx = *state;

	out8(fx, UART_MCR, UART_MCR_LOOP);
	out_str(fx, "AB");
	assert_true(in8(fx, UART_LSR) & UART_LSR_DR);
	assert_int_equal(in8(fx, UART_RX), 'A');
	assert_int_equal(in8(fx, UART_RX), 'B');
	assert_false(in8(fx, UART_LSR) & UART_LSR_DR);
	out8(fx, UART_MCR, 0);
	out8(fx, UART_TX, 'C');
	tc_finish(&fx->tc);
	/* Looped bytes never reach the host. */
	assert_string_equal(fx->tc.out, "C");
}

/*
 * In loopback the transmitter still empties THR: the byte goes to the
 * receiver instead of the line, and THRE interrupts as after any other
 * byte (16550A data sheet, MCR bit 4).  A driver that sends in loopback
 * and waits for THRE must not wait for ever.
 */
static void loopback_thr_empties(void **state)
{
	struct fixture *fx = *state;

	out8(fx, UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2);
	out8(fx, UART_IER, UART_IER_THRI);
	assert_int_equal(in8(fx, UART_IIR), UART_IIR_THRI);
	assert_int_equal(in8(fx, UART_IIR), UART_IIR_NO_INT);
	out8(fx, UART_TX, 'L');
	assert_int_equal(in8(fx, UART_IIR), UART_IIR_THRI);
	assert_int_equal(in8(fx, UART_LSR) & (UART_LSR_THRE | UART_LSR_DR),
			 UART_LSR_THRE | UART_LSR_DR);
	assert_int_equal(in8(fx, UART_RX), 'L');
}

static void transmitted_bytes_reach_sink_in_order(void **state)
{
	struct fixture *fx = *state;

	out_str(fx, "Linux version 6.18\r\n");
	out_str(fx, "login: ");
	assert_int_equal(in8(fx, UART_LSR) & (UART_LSR_THRE | UART_LSR_TEMT),
			 UART_LSR_THRE | UART_LSR_TEMT);
	assert_int_equal(undelivered(fx), 0);
	assert_int_equal(tc_finish(&fx->tc), 0);
	assert_string_equal(fx->tc.out, "Linux version 6.18\r\nlogin: ");
}

static void divisor_latch_behind_dlab(void **state)
{
	struct fixture *fx = *state;
	uint8_t rx = 'x';

	out8(fx, UART_IER, UART_IER_RLSI);
	assert_int_equal(input(fx, &rx, 1), 1);
	out8(fx, UART_LCR, UART_LCR_DLAB | UART_LCR_WLEN8);
	assert_int_equal(in8(fx, UART_LCR), UART_LCR_DLAB | UART_LCR_WLEN8);
	out8(fx, UART_DLL, 0x0c); /* 9600 baud */
	out8(fx, UART_DLM, 0x00);
	assert_int_equal(in8(fx, UART_DLL), 0x0c);
	assert_int_equal(in8(fx, UART_DLM), 0x00);
	out8(fx, UART_DLM, 0x01);
	assert_int_equal(in8(fx, UART_DLM), 0x01);
	out8(fx, UART_LCR, UART_LCR_WLEN8);
	/* The latch writes touched neither IER, THR nor the RX FIFO. */
	assert_int_equal(in8(fx, UART_IER), UART_IER_RLSI);
	assert_int_equal(in8(fx, UART_RX), 'x');
	out8(fx, UART_LCR, UART_LCR_DLAB | UART_LCR_WLEN8);
	assert_int_equal(in8(fx, UART_DLL), 0x0c);
	out8(fx, UART_LCR, UART_LCR_WLEN8);
	tc_finish(&fx->tc);
	assert_int_equal(fx->tc.out_len, 0);
}

static void iir_fifo_bits_follow_fcr(void **state)
{
	struct fixture *fx = *state;

	out8(fx, UART_FCR, UART_FCR_ENABLE_FIFO);
	assert_int_equal(in8(fx, UART_IIR), 0xc0 | UART_IIR_NO_INT);
	out8(fx, UART_FCR, 0);
	assert_int_equal(in8(fx, UART_IIR), UART_IIR_NO_INT);
}

static void iir_thre_until_read(void **state)
{
	struct fixture *fx = *state;

	/* Enabling THRI with THR empty raises THRE at once. */
	out8(fx, UART_IER, UART_IER_THRI);
	assert_int_equal(in8(fx, UART_IIR), UART_IIR_THRI);
	/* Reading IIR while it says THRE clears it. */
	assert_int_equal(in8(fx, UART_IIR), UART_IIR_NO_INT);
	/* A byte sent (it leaves at once) makes THR empty again. */
	out8(fx, UART_TX, 'k');
	assert_int_equal(in8(fx, UART_IIR), UART_IIR_THRI);
	out8(fx, UART_IER, 0);
	assert_int_equal(in8(fx, UART_IIR), UART_IIR_NO_INT);
}

/* Make the RX FIFO overflow: full from the host, then a looped byte. */
static void overrun(struct fixture *fx)
{
	static uint8_t fill[RX_FIFO];

	memset(fill, 'o', sizeof(fill));
	assert_int_equal(input(fx, fill, sizeof(fill)), RX_FIFO);
	out8(fx, UART_MCR, UART_MCR_LOOP);
	out8(fx, UART_TX, 'x');
	out8(fx, UART_MCR, 0);
}

/* Priorities: line status, then received data, then THRE. */
static void iir_priorities(void **state)
{
	struct fixture *fx = *state;
	unsigned int i;

	overrun(fx);
	out8(fx, UART_IER, UART_IER_RLSI | UART_IER_RDI | UART_IER_THRI);
	assert_int_equal(in8(fx, UART_IIR), UART_IIR_RLSI);
	/* Reading LSR reports the overrun once and clears it. */
	assert_int_equal(in8(fx, UART_LSR), UART_LSR_DR | UART_LSR_OE |
						    UART_LSR_THRE |
						    UART_LSR_TEMT);
	assert_false(in8(fx, UART_LSR) & UART_LSR_OE);
	assert_int_equal(in8(fx, UART_IIR), UART_IIR_RDI);
	for (i = 0; i < RX_FIFO; i++)
		assert_int_equal(in8(fx, UART_RX), 'o');
	assert_false(in8(fx, UART_LSR) & UART_LSR_DR);
	assert_int_equal(in8(fx, UART_IIR), UART_IIR_THRI);
	assert_int_equal(in8(fx, UART_IIR), UART_IIR_NO_INT);
}

static void fcr_clears_rx_fifo(void **state)
{
	struct fixture *fx = *state;

	out8(fx, UART_FCR, UART_FCR_ENABLE_FIFO);
	assert_int_equal(input(fx, "abc", 3), 3);
	assert_true(in8(fx, UART_LSR) & UART_LSR_DR);
	out8(fx, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR);
	assert_false(in8(fx, UART_LSR) & UART_LSR_DR);
	assert_int_equal(input(fx, "d", 1), 1);
	assert_int_equal(in8(fx, UART_RX), 'd');
	assert_int_equal(in8(fx, UART_IIR) & 0xc0, 0xc0);
}

static void input_shows_up_in_rbr(void **state)
{
	struct fixture *fx = *state;

	assert_false(in8(fx, UART_LSR) & UART_LSR_DR);
	assert_int_equal(input(fx, "hi\n", 3), 3);
	assert_true(in8(fx, UART_LSR) & UART_LSR_DR);
	assert_int_equal(in8(fx, UART_RX), 'h');
	assert_int_equal(in8(fx, UART_RX), 'i');
	assert_int_equal(in8(fx, UART_RX), '\n');
	assert_false(in8(fx, UART_LSR) & UART_LSR_DR);
}

/* The host feeds only what fits; it hears once when there is room. */
static void input_takes_only_what_fits(void **state)
{
	static uint8_t paste[RX_FIFO + 1000];
	struct fixture *fx = *state;
	unsigned int i;

	for (i = 0; i < sizeof(paste); i++)
		paste[i] = 'a' + i % 26;
	serial8250_kind.console->on_input_room(fx->uart, count_room, fx);
	assert_int_equal(input(fx, paste, sizeof(paste)), RX_FIFO);
	assert_int_equal(input(fx, paste, 1), 0);
	assert_int_equal(fx->room_calls, 0);
	for (i = 0; i < RX_FIFO; i++)
		assert_int_equal(in8(fx, UART_RX), paste[i]);
	assert_int_equal(fx->room_calls, 1);
	assert_false(in8(fx, UART_LSR) & UART_LSR_DR);
	assert_int_equal(input(fx, paste + RX_FIFO, 1000), 1000);
	assert_int_equal(in8(fx, UART_RX), paste[RX_FIFO]);
	assert_int_equal(fx->room_calls, 1);
}

/* A host that waits for room must hear of it when the guest clears the
 * RX FIFO (as Linux's 8250 driver does at startup), not only when it
 * reads bytes: otherwise that input would wait forever. */
static void cleared_rx_fifo_makes_room(void **state)
{
	static uint8_t paste[RX_FIFO + 1];
	struct fixture *fx = *state;

	memset(paste, 'p', sizeof(paste));
	serial8250_kind.console->on_input_room(fx->uart, count_room, fx);
	assert_int_equal(input(fx, paste, sizeof(paste)), RX_FIFO);
	out8(fx, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR);
	assert_int_equal(fx->room_calls, 1);
	assert_int_equal(input(fx, paste, sizeof(paste)), RX_FIFO);
}

/* THRI and RDI drive COM1's line only with OUT2 set, as on a PC. */
static void line_follows_ier_and_out2(void **state)
{
	struct fixture *fx = *state;

	out8(fx, UART_IER, UART_IER_THRI);
	assert_int_equal(fx->vm.nr_levels, 0); /* pending, but OUT2 is 0 */
	out8(fx, UART_MCR, UART_MCR_OUT2);
	assert_int_equal(fx->vm.nr_levels, 1);
	assert_int_equal(last_level(fx), 1);
	assert_int_equal(in8(fx, UART_IIR), UART_IIR_THRI);
	assert_int_equal(fx->vm.nr_levels, 2);
	assert_int_equal(last_level(fx), 0);

	out8(fx, UART_IER, UART_IER_THRI | UART_IER_RDI);
	assert_int_equal(input(fx, "z", 1), 1);
	assert_int_equal(last_level(fx), 1);
	assert_int_equal(in8(fx, UART_RX), 'z');
	assert_int_equal(last_level(fx), 0);
	assert_int_equal(fx->vm.nr_levels, 4);

	out8(fx, UART_TX, 'q'); /* sent at once: THRE again */
	assert_int_equal(last_level(fx), 1);
	out8(fx, UART_MCR, 0); /* still pending, but gated off */
	assert_int_equal(last_level(fx), 0);
	assert_int_equal(in8(fx, UART_IIR), UART_IIR_THRI);
	assert_int_equal(fx->vm.nr_levels, 6);

	out8(fx, UART_IER, 0);
	out8(fx, UART_MCR, UART_MCR_OUT2);
	assert_int_equal(input(fx, "y", 1), 1);
	assert_int_equal(fx->vm.nr_levels, 6); /* RDI not enabled */
}

/* A full host side: THR stays full (LSR says so), a second byte is lost
 * as on the chip; room again sends the first, THRE and its interrupt. */
static void full_sink_holds_thr(void **state)
{
	struct fixture *fx = *state;

	out8(fx, UART_MCR, UART_MCR_OUT2);
	out8(fx, UART_IER, UART_IER_THRI);
	assert_int_equal(in8(fx, UART_IIR), UART_IIR_THRI);
	assert_int_equal(last_level(fx), 0);
	assert_int_equal(tc_make_full(&fx->tc), 0);

	out8(fx, UART_TX, 'a');
	assert_int_equal(in8(fx, UART_LSR) & (UART_LSR_THRE | UART_LSR_TEMT),
			 0);
	assert_int_equal(in8(fx, UART_IIR), UART_IIR_NO_INT);
	out8(fx, UART_TX, 'b');
	assert_int_equal(undelivered(fx), 2);

	room_appears(fx);
	assert_int_equal(in8(fx, UART_LSR) & (UART_LSR_THRE | UART_LSR_TEMT),
			 UART_LSR_THRE | UART_LSR_TEMT);
	assert_int_equal(last_level(fx), 1);
	assert_int_equal(in8(fx, UART_IIR), UART_IIR_THRI);
	assert_int_equal(undelivered(fx), 1); /* 'b' */
	out8(fx, UART_TX, 'c');
	assert_int_equal(tc_finish(&fx->tc), 0);
	assert_string_equal(fx->tc.out, "ac");
}

/* FIFOs on, the host side full, and the 16 bytes of s waiting. */
static void fill_tx_fifo(struct fixture *fx, const char *s)
{
	out8(fx, UART_FCR, UART_FCR_ENABLE_FIFO);
	assert_int_equal(tc_make_full(&fx->tc), 0);
	out_str(fx, s);
	assert_false(in8(fx, UART_LSR) & UART_LSR_THRE);
	assert_int_equal(undelivered(fx), 16);
}

/* With FIFOs on, 16 bytes wait for the host, in order. */
static void full_sink_fills_tx_fifo(void **state)
{
	struct fixture *fx = *state;

	fill_tx_fifo(fx, "0123456789abcdef");
	out8(fx, UART_TX, 'X'); /* FIFO full: lost */
	assert_int_equal(undelivered(fx), 17);
	room_appears(fx);
	assert_int_equal(undelivered(fx), 1);
	tc_finish(&fx->tc);
	assert_string_equal(fx->tc.out, "0123456789abcdef");
}

/* At stop the FIFO's bytes go to the host past the full stream; one the
 * guest wrote over a full FIFO stays counted. */
static void stop_hands_over_tx_fifo(void **state)
{
	struct fixture *fx = *state;

	fill_tx_fifo(fx, "0123456789abcdef");
	out8(fx, UART_TX, 'X'); /* FIFO full: lost */
	console_sink_last(fx->tc.sink);
	serial8250_kind.console->hand_over(fx->uart);
	assert_int_equal(undelivered(fx), 1);
	assert_int_equal(tc_read_on(&fx->tc), 0);
	assert_int_equal(tc_finish(&fx->tc), 0);
	assert_string_equal(fx->tc.out, "0123456789abcdef");
}

/* Turning FIFOs off with 16 bytes waiting leaves a THR that is full:
 * a further byte is lost, never written past the FIFO. */
static void fifo_off_with_bytes_waiting(void **state)
{
	struct fixture *fx = *state;

	fill_tx_fifo(fx, "ABCDEFGHIJKLMNOP");
	out8(fx, UART_FCR, 0);
	out8(fx, UART_TX, 'Z');
	assert_int_equal(undelivered(fx), 17);
	room_appears(fx);
	tc_finish(&fx->tc);
	assert_string_equal(fx->tc.out, "ABCDEFGHIJKLMNOP");
}

static void fcr_clears_tx_fifo(void **state)
{
	struct fixture *fx = *state;

	out8(fx, UART_FCR, UART_FCR_ENABLE_FIFO);
	assert_int_equal(tc_make_full(&fx->tc), 0);
	out_str(fx, "dropped");
	assert_false(in8(fx, UART_LSR) & UART_LSR_THRE);
	out8(fx, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_XMIT);
	assert_int_equal(in8(fx, UART_LSR) & (UART_LSR_THRE | UART_LSR_TEMT),
			 UART_LSR_THRE | UART_LSR_TEMT);
	assert_int_equal(undelivered(fx), 7);
	room_appears(fx);
	out8(fx, UART_TX, '!');
	tc_finish(&fx->tc);
	assert_string_equal(fx->tc.out, "!");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(described_as_isa_device),
		T(scratch_register_holds_a_byte),
		T(reset_state_reads),
		T(loopback_wires_mcr_to_msr),
		T(loopback_returns_thr_bytes_in_rbr),
		T(loopback_thr_empties),
		T(transmitted_bytes_reach_sink_in_order),
		T(divisor_latch_behind_dlab),
		T(iir_fifo_bits_follow_fcr),
		T(iir_thre_until_read),
		T(iir_priorities),
		T(fcr_clears_rx_fifo),
		T(input_shows_up_in_rbr),
		T(input_takes_only_what_fits),
		T(cleared_rx_fifo_makes_room),
		T(line_follows_ier_and_out2),
		T(full_sink_holds_thr),
		T(full_sink_fills_tx_fifo),
		T(stop_hands_over_tx_fifo),
		T(fifo_off_with_bytes_waiting),
		T(fcr_clears_tx_fifo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
