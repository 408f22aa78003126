// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_i8254.c - kvmux's 8254 PIT (devices/i8254.c) against the Intel
 * 8254 data sheet (231164-005), tick by tick: the counter logic takes the
 * time as an argument, so each test says exactly when each access
 * happens.  Counts in every mode, OUT through the read-back status and
 * port 0x61, the latches and the byte flip-flops, BCD, channel 2's gate,
 * and where channel 0 raises IRQ 0.  The last tests drive the device
 * through the port bus of a fake VM and its timer.
 */
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kvmux/i8254.h"
#include "device_test_util.h"

#define T0 1000000000ull /* an arbitrary start, in ns */
#define PORT_B_OUT2 0x20
#define PORT_B_REFRESH 0x10
#define STATUS_OUT 0x80
#define STATUS_NULL_COUNT 0x40

/* When d ticks since t have been counted (the first ns of tick d). */
static uint64_t after(uint64_t t, uint64_t d)
{
	return t + (d * 1000000000ull + I8254_HZ - 1) / I8254_HZ;
}

static uint64_t at(uint64_t d)
{
	return after(T0, d);
}

/* Control word for channel ch: rw 3 (LSB then MSB), mode, binary. */
static void program(struct i8254 *pit, unsigned int ch, unsigned int mode,
		    uint16_t count, uint64_t now)
{
	i8254_write(pit, 3, ch << 6 | 0x30 | mode << 1, now);
	i8254_write(pit, ch, count & 0xff, now);
	i8254_write(pit, ch, count >> 8, now);
}

/* Latch channel ch's count and read it (LSB, MSB). */
static uint16_t latched(struct i8254 *pit, unsigned int ch, uint64_t now)
{
	uint16_t lo;

	i8254_write(pit, 3, ch << 6, now);
	lo = i8254_read(pit, ch, now);
	return lo | i8254_read(pit, ch, now + 12345) << 8;
}

/* Read-back of channel ch's status byte alone. */
static uint8_t status(struct i8254 *pit, unsigned int ch, uint64_t now)
{
	i8254_write(pit, 3, 0xe0 | 2u << ch, now);
	return i8254_read(pit, ch, now);
}

static void mode2_counts_down_and_reloads(void **state)
{
	struct i8254 pit;

	(void)state;
	i8254_init(&pit);
	program(&pit, 0, 2, 1000, T0);
	assert_int_equal(latched(&pit, 0, T0), 1000);
	assert_int_equal(latched(&pit, 0, at(1)), 999);
	assert_int_equal(latched(&pit, 0, at(999)), 1);
	assert_int_equal(latched(&pit, 0, at(1000)), 1000); /* reloaded */
	assert_int_equal(latched(&pit, 0, at(2500)), 500);
	/* OUT is low only while the count is 1. */
	assert_true(status(&pit, 0, at(998)) & STATUS_OUT);
	assert_false(status(&pit, 0, at(999)) & STATUS_OUT);
	assert_true(status(&pit, 0, at(1000)) & STATUS_OUT);
}

static void mode0_out_rises_at_terminal_count_and_count_wraps(void **state)
{
	struct i8254 pit;

	(void)state;
	i8254_init(&pit);
	i8254_write(&pit, 3, 0x30, T0); /* channel 0, mode 0 */
	assert_int_equal(status(&pit, 0, T0) & (STATUS_OUT | STATUS_NULL_COUNT),
			 STATUS_NULL_COUNT); /* OUT low, no count yet */
	i8254_write(&pit, 0, 100, T0);
	i8254_write(&pit, 0, 0, T0);
	assert_int_equal(status(&pit, 0, T0), 0x30); /* rw 3, mode 0 */
	assert_false(status(&pit, 0, at(99)) & STATUS_OUT);
	assert_true(status(&pit, 0, at(100)) & STATUS_OUT);
	assert_int_equal(latched(&pit, 0, at(100)), 0);
	assert_int_equal(latched(&pit, 0, at(101)), 0xffff);
	assert_true(status(&pit, 0, at(101)) & STATUS_OUT); /* stays high */
}

static void mode3_is_a_square_wave(void **state)
{
	struct i8254 pit;

	(void)state;
	i8254_init(&pit);
	program(&pit, 0, 3, 100, T0);
	assert_true(status(&pit, 0, at(0)) & STATUS_OUT);
	assert_true(status(&pit, 0, at(49)) & STATUS_OUT);
	assert_false(status(&pit, 0, at(50)) & STATUS_OUT);
	assert_false(status(&pit, 0, at(99)) & STATUS_OUT);
	assert_true(status(&pit, 0, at(100)) & STATUS_OUT);
	assert_int_equal(latched(&pit, 0, at(10)), 80); /* by two */
	/* Mode 7 acts as 3 and reads back as written. */
	i8254_write(&pit, 3, 0x3e, T0);
	i8254_write(&pit, 0, 100, T0);
	i8254_write(&pit, 0, 0, T0);
	assert_int_equal(status(&pit, 0, T0) & 0x0e, 7 << 1);
	assert_false(status(&pit, 0, at(50)) & STATUS_OUT);
}

static void modes_4_and_5_strobe_for_one_tick(void **state)
{
	struct i8254 pit;

	(void)state;
	i8254_init(&pit);
	program(&pit, 0, 4, 10, T0);
	assert_true(status(&pit, 0, at(9)) & STATUS_OUT);
	assert_false(status(&pit, 0, at(10)) & STATUS_OUT);
	assert_true(status(&pit, 0, at(11)) & STATUS_OUT);
	/* Channel 2 in mode 5 waits for its gate to rise. */
	program(&pit, 2, 5, 10, T0);
	assert_int_equal(latched(&pit, 2, at(50)), 10);
	i8254_write_port_b(&pit, 0x01, at(50));
	assert_int_equal(latched(&pit, 2, after(at(50), 5)), 5);
	assert_false(status(&pit, 2, after(at(50), 10)) & STATUS_OUT);
}

static void latch_holds_until_read_and_ignores_a_second_latch(void **state)
{
	struct i8254 pit;

	(void)state;
	i8254_init(&pit);
	program(&pit, 0, 2, 0x1234, T0);
	i8254_write(&pit, 3, 0x00, at(0x34)); /* latch: 0x1200 */
	i8254_write(&pit, 3, 0x00, at(0x100)); /* ignored */
	assert_int_equal(i8254_read(&pit, 0, at(0x200)), 0x00);
	assert_int_equal(i8254_read(&pit, 0, at(0x300)), 0x12);
	/* Released: the next reads are live, LSB then MSB. */
	assert_int_equal(i8254_read(&pit, 0, at(0x1034)), 0x00);
	assert_int_equal(i8254_read(&pit, 0, at(0x1034)), 0x02);
}

static void read_back_gives_status_then_count(void **state)
{
	struct i8254 pit;

	(void)state;
	i8254_init(&pit);
	program(&pit, 2, 0, 500, T0); /* gate low: held at 500 */
	/* Read-back of channel 2: count and status (bits 5, 4 clear). */
	i8254_write(&pit, 3, 0xc8, at(7));
	assert_int_equal(i8254_read(&pit, 2, at(8)), 0x30); /* OUT low */
	assert_int_equal(i8254_read(&pit, 2, at(9)), 500 & 0xff);
	assert_int_equal(i8254_read(&pit, 2, at(9)), 500 >> 8);
	/* The control word cannot be read. */
	assert_int_equal(i8254_read(&pit, 3, T0), 0xff);
}

static void single_byte_modes(void **state)
{
	struct i8254 pit;

	(void)state;
	i8254_init(&pit);
	i8254_write(&pit, 3, 0x14, T0); /* channel 0, LSB only, mode 2 */
	i8254_write(&pit, 0, 200, T0);
	assert_int_equal(i8254_read(&pit, 0, at(50)), 150);
	assert_int_equal(i8254_read(&pit, 0, at(50)), 150);
	i8254_write(&pit, 3, 0x24, T0); /* MSB only: 0x0300 */
	i8254_write(&pit, 0, 3, T0);
	assert_int_equal(i8254_read(&pit, 0, at(0x100)), 2);
}

static void bcd_counts_in_decimal_digits(void **state)
{
	struct i8254 pit;

	(void)state;
	i8254_init(&pit);
	i8254_write(&pit, 3, 0x31, T0); /* mode 0, BCD */
	i8254_write(&pit, 0, 0x00, T0);
	i8254_write(&pit, 0, 0x10, T0); /* 1000 */
	assert_int_equal(latched(&pit, 0, at(1)), 0x0999);
	assert_int_equal(latched(&pit, 0, at(1001)), 0x9999); /* wraps */
	i8254_write(&pit, 3, 0x31, T0);
	i8254_write(&pit, 0, 0, T0);
	i8254_write(&pit, 0, 0, T0); /* 0: 10000 */
	assert_int_equal(latched(&pit, 0, at(1)), 0x9999);
}

/* Linux's and the runtime's TSC calibration: gate 2 on, mode 0, poll OUT2
 * in port 0x61. */
static void channel2_out_in_port_b(void **state)
{
	struct i8254 pit;

	(void)state;
	i8254_init(&pit);
	i8254_write_port_b(&pit, 0x01, T0);
	program(&pit, 2, 0, 23864, T0);
	assert_false(i8254_read_port_b(&pit, at(23863)) & PORT_B_OUT2);
	assert_true(i8254_read_port_b(&pit, at(23864)) & PORT_B_OUT2);
	assert_int_equal(i8254_read_port_b(&pit, T0) & 0x0f, 0x01);
	i8254_write_port_b(&pit, 0xff, T0);
	assert_int_equal(i8254_read_port_b(&pit, T0) & 0x0f, 0x0f);
	/* The refresh bit toggles every 15.085 us. */
	assert_int_not_equal(i8254_read_port_b(&pit, 0) & PORT_B_REFRESH,
			     i8254_read_port_b(&pit, 15085) & PORT_B_REFRESH);
}

static void channel2_gate_pauses_mode0(void **state)
{
	struct i8254 pit;

	(void)state;
	i8254_init(&pit);
	program(&pit, 2, 0, 1000, T0); /* gate low: does not count */
	assert_int_equal(latched(&pit, 2, at(100)), 1000);
	i8254_write_port_b(&pit, 0x01, at(100));
	assert_int_equal(latched(&pit, 2, after(at(100), 200)), 800);
	i8254_write_port_b(&pit, 0x00, after(at(100), 200));
	assert_int_equal(latched(&pit, 2, at(5000)), 800);
	i8254_write_port_b(&pit, 0x01, at(5000));
	assert_int_equal(latched(&pit, 2, after(at(5000), 100)), 700);
}

static void irq0_edges(void **state)
{
	struct i8254 pit;

	(void)state;
	i8254_init(&pit);
	assert_int_equal(i8254_next_irq_ns(&pit), 0);
	program(&pit, 0, 2, 1000, T0); /* 838 us */
	assert_int_equal(i8254_next_irq_ns(&pit), at(1000));
	assert_false(i8254_take_irq(&pit, at(1000) - 1));
	assert_true(i8254_take_irq(&pit, at(1000)));
	assert_false(i8254_take_irq(&pit, at(1000)));
	assert_int_equal(i8254_next_irq_ns(&pit), at(2000));
	/* Late: the edges at 2000-5000 are one interrupt; next at 6000. */
	assert_true(i8254_take_irq(&pit, at(5500)));
	assert_int_equal(i8254_next_irq_ns(&pit), at(6000));
	/* A control word stops it until a count is written. */
	i8254_write(&pit, 3, 0x30, at(5600));
	assert_int_equal(i8254_next_irq_ns(&pit), 0);
	assert_false(i8254_take_irq(&pit, at(100000)));
	/* Mode 0: one edge at the terminal count. */
	i8254_write(&pit, 0, 500 & 0xff, at(10000));
	i8254_write(&pit, 0, 500 >> 8, at(10000));
	assert_int_equal(i8254_next_irq_ns(&pit), after(at(10000), 500));
	assert_true(i8254_take_irq(&pit, after(at(10000), 500)));
	assert_int_equal(i8254_next_irq_ns(&pit), 0);
	/* Mode 4: OUT rises after the tick at the terminal count. */
	program(&pit, 0, 4, 500, at(20000));
	assert_int_equal(i8254_next_irq_ns(&pit), after(at(20000), 501));
	/* Channel 2 never raises IRQ 0. */
	i8254_init(&pit);
	i8254_write_port_b(&pit, 0x01, T0);
	program(&pit, 2, 2, 10, T0);
	assert_int_equal(i8254_next_irq_ns(&pit), 0);
}

/* A host that wakes 50 us late for every edge of a 200.3 us period (just
 * above the minimum) loses none: the minimum counts from when each
 * interrupt was due, not from when it was raised. */
static void late_host_loses_no_ticks(void **state)
{
	struct i8254 pit;
	uint64_t next;
	unsigned int irqs = 0, i;

	(void)state;
	i8254_init(&pit);
	program(&pit, 0, 2, 239, T0);
	for (i = 0; i < 1000; i++) {
		next = i8254_next_irq_ns(&pit);
		irqs += i8254_take_irq(&pit, next + 50000);
	}
	assert_int_equal(irqs, 1000);
	assert_int_equal(i8254_next_irq_ns(&pit), at(239 * 1001));
}

/* The first byte of a two-byte count in mode 0 stops the count with OUT
 * low; channel 2's gate cannot start it again until the count is whole;
 * null count is set by the count's last byte, not the first. */
static void mode0_first_byte_stops_with_out_low(void **state)
{
	struct i8254 pit;

	(void)state;
	i8254_init(&pit);
	i8254_write_port_b(&pit, 0x01, T0);
	program(&pit, 2, 0, 10, T0);
	assert_true(status(&pit, 2, at(20)) & STATUS_OUT); /* reached 0 */
	i8254_write(&pit, 2, 100, at(20));
	assert_int_equal(
		status(&pit, 2, at(21)) & (STATUS_OUT | STATUS_NULL_COUNT), 0);
	i8254_write_port_b(&pit, 0x00, at(22));
	i8254_write_port_b(&pit, 0x01, at(23));
	assert_int_equal(latched(&pit, 2, at(50)), latched(&pit, 2, at(40)));
	i8254_write(&pit, 2, 0, at(60)); /* 100: counts from here */
	assert_int_equal(latched(&pit, 2, after(at(60), 30)), 70);
}

/* Channel 2 in mode 1: a count written during a one-shot waits for the
 * next trigger (null count until then); the one-shot goes on. */
static void mode1_new_count_waits_for_the_trigger(void **state)
{
	struct i8254 pit;
	uint64_t t;

	(void)state;
	i8254_init(&pit);
	program(&pit, 2, 1, 100, T0);
	assert_true(status(&pit, 2, T0) & STATUS_NULL_COUNT);
	i8254_write_port_b(&pit, 0x01, at(10)); /* trigger */
	assert_false(status(&pit, 2, at(11)) & STATUS_NULL_COUNT);
	i8254_write(&pit, 2, 50, at(20));
	i8254_write(&pit, 2, 0, at(20));
	assert_true(status(&pit, 2, at(21)) & STATUS_NULL_COUNT);
	/* The one under way: low until 100 ticks after its trigger. */
	assert_false(status(&pit, 2, after(at(10), 99)) & STATUS_OUT);
	assert_true(status(&pit, 2, after(at(10), 100)) & STATUS_OUT);
	/* The next trigger loads 50. */
	t = after(at(10), 200);
	i8254_write_port_b(&pit, 0x00, t);
	i8254_write_port_b(&pit, 0x01, t);
	assert_false(status(&pit, 2, t) & STATUS_NULL_COUNT);
	assert_int_equal(latched(&pit, 2, after(t, 10)), 40);
}

/* An edge of OUT0 that came before channel 0 was programmed again, and
 * was not yet taken (the main thread was late), still raises IRQ 0. */
static void due_edge_survives_reprogramming(void **state)
{
	struct i8254 pit;

	(void)state;
	i8254_init(&pit);
	program(&pit, 0, 0, 1000, T0);
	program(&pit, 0, 0, 1000, at(1500)); /* the edge at 1000 untaken */
	assert_true(i8254_next_irq_ns(&pit) <= at(1500));
	assert_true(i8254_take_irq(&pit, at(1500)));
	assert_int_equal(i8254_next_irq_ns(&pit), after(at(1500), 1000));
	/* Reprogrammed before its edge: none kept. */
	program(&pit, 0, 0, 1000, at(1600));
	assert_int_equal(i8254_next_irq_ns(&pit), after(at(1600), 1000));
}

/* However a guest programs channel 0, IRQ 0 comes at most every
 * I8254_MIN_IRQ_NS (KVM's min_timer_period_us): the main thread's
 * wake-ups for one VM are bounded. */
static void irq0_at_most_every_200us(void **state)
{
	struct i8254 pit;
	uint64_t now = T0, next;
	unsigned int irqs = 0;

	(void)state;
	i8254_init(&pit);
	program(&pit, 0, 2, 1, T0); /* an edge every tick: 1.19 MHz */
	/* 10 ms of timer firings, each when next_irq_ns says. */
	while ((next = i8254_next_irq_ns(&pit)) < T0 + 10000000) {
		assert_true(next >= now);
		now = next;
		irqs += i8254_take_irq(&pit, now);
	}
	assert_int_equal(irqs, 10000000 / I8254_MIN_IRQ_NS);
	/* A one-shot right after an interrupt waits for the rest of it. */
	program(&pit, 0, 0, 1, now + 1000);
	assert_int_equal(i8254_next_irq_ns(&pit), now + I8254_MIN_IRQ_NS);
	assert_false(i8254_take_irq(&pit, now + I8254_MIN_IRQ_NS - 1));
	assert_true(i8254_take_irq(&pit, now + I8254_MIN_IRQ_NS));
}

/* ---- The device, on a fake VM ---- */

static void device_claims_its_ports_and_counts(void **state)
{
	struct test_vm vm;
	struct vm_config cfg;
	void *dev;
	uint16_t a, b;

	(void)state;
	test_vm_init(&vm, NULL, 1);
	vm_config_init(&cfg);
	assert_int_equal(i8254_kind.count(&cfg), 1); /* --pit auto */
	cfg.pit = PIT_KVM;
	assert_int_equal(i8254_kind.count(&cfg), 0);
	cfg.pit = PIT_OFF;
	assert_int_equal(i8254_kind.count(&cfg), 0);
	cfg.pit = PIT_ON;
	dev = test_attach(&vm, &i8254_kind, &cfg, 0);
	assert_non_null(dev);
	assert_int_equal(vm.nr_watches, 1);
	assert_int_equal(tv_in8(&vm, 0x43), 0xff);
	assert_true(tv_out8(&vm, 0x43, 0x34)); /* ch 0, mode 2 */
	assert_true(tv_out8(&vm, 0x40, 0xff));
	assert_true(tv_out8(&vm, 0x40, 0xff));
	/* Latched twice 20 ms of host time apart (under the 55 ms period,
	 * or any number of periods more): the count moved. */
	tv_out8(&vm, 0x43, 0x00);
	a = tv_in8(&vm, 0x40);
	a |= tv_in8(&vm, 0x40) << 8;
	nanosleep(&(struct timespec){ 0, 20000000 }, NULL);
	tv_out8(&vm, 0x43, 0x00);
	b = tv_in8(&vm, 0x40);
	b |= tv_in8(&vm, 0x40) << 8;
	assert_int_not_equal(a, b);
	/* Port 0x61 is decoded, 0x44 is not. */
	assert_true(tv_out8(&vm, 0x61, 0x03));
	assert_int_equal(tv_in8(&vm, 0x61) & 0x0f, 0x03);
	assert_false(tv_out8(&vm, 0x44, 0));
	/* A word is two byte cycles, port after port: at 0x42, channel
	 * 2's count (LSB only, mode 0, gate low), then at 0x43 a read-back
	 * of its status, which the next read of 0x42 gives. */
	assert_true(tv_out8(&vm, 0x61, 0x00));
	assert_true(tv_out8(&vm, 0x43, 0x90));
	assert_true(
		bus_access(&vm.pio, 0x42, true, (uint8_t[]){ 0x34, 0xe8 }, 2));
	assert_int_equal(tv_in8(&vm, 0x42) & 0x3f, 0x10);
	i8254_kind.destroy(dev);
	test_vm_free(&vm);
}

/* Channel 0 counts 1 in mode 0: the timer fires at once, and its
 * callback pulses GSI 0 (up, down) exactly once. */
static void device_timer_raises_irq0_once(void **state)
{
	struct test_vm vm;
	struct vm_config cfg;
	struct pollfd pfd;
	void *dev;

	(void)state;
	test_vm_init(&vm, NULL, 1);
	vm_config_init(&cfg);
	dev = test_attach(&vm, &i8254_kind, &cfg, 0);
	assert_non_null(dev);
	tv_out8(&vm, 0x43, 0x30);
	tv_out8(&vm, 0x40, 1);
	tv_out8(&vm, 0x40, 0);
	pfd = (struct pollfd){ .fd = vm.watch[0].fd, .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 10000), 1);
	vm.watch[0].fn(vm.watch[0].opaque);
	assert_int_equal(vm.nr_levels, 2);
	assert_int_equal(vm.levels[0].gsi, I8254_GSI);
	assert_true(vm.levels[0].level);
	assert_false(vm.levels[1].level);
	/* Disarmed after the one edge: nothing more to read. */
	assert_int_equal(poll(&pfd, 1, 0), 0);
	vm.watch[0].fn(vm.watch[0].opaque); /* a stray call raises nothing */
	assert_int_equal(vm.nr_levels, 2);
	i8254_kind.destroy(dev);
	test_vm_free(&vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mode2_counts_down_and_reloads),
		cmocka_unit_test(
			mode0_out_rises_at_terminal_count_and_count_wraps),
		cmocka_unit_test(mode3_is_a_square_wave),
		cmocka_unit_test(modes_4_and_5_strobe_for_one_tick),
		cmocka_unit_test(
			latch_holds_until_read_and_ignores_a_second_latch),
		cmocka_unit_test(read_back_gives_status_then_count),
		cmocka_unit_test(single_byte_modes),
		cmocka_unit_test(bcd_counts_in_decimal_digits),
		cmocka_unit_test(channel2_out_in_port_b),
		cmocka_unit_test(channel2_gate_pauses_mode0),
		cmocka_unit_test(irq0_edges),
		cmocka_unit_test(irq0_at_most_every_200us),
		cmocka_unit_test(late_host_loses_no_ticks),
		cmocka_unit_test(mode0_first_byte_stops_with_out_low),
		cmocka_unit_test(mode1_new_count_waits_for_the_trigger),
		cmocka_unit_test(due_edge_survives_reprogramming),
		cmocka_unit_test(device_claims_its_ports_and_counts),
		cmocka_unit_test(device_timer_raises_irq0_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
