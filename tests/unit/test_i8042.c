// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_i8042.c - the keyboard controller's reset paths without KVM: the
 * pulse-reset command 0xfe, the output-port write 0xd1 with the reset
 * line low (and not with it high: that is how Linux's boot code turns on
 * A20), what the status register says, and that nothing else stops the
 * VM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kvmux/i8042.h"
#include "device_test_util.h"

/* The 8042's status bits and commands (IBM PC/AT technical reference). */
#define STATUS_OBF 0x01 /* output buffer full */
#define STATUS_IBF 0x02 /* input buffer full: the guest must wait */
#define STATUS_SYS 0x04 /* system flag */
#define STATUS_CMD 0x08 /* the last write went to the command port */
#define CMD_READ_CONFIG 0x20
#define CMD_WRITE_CONFIG 0x60
#define CMD_SELF_TEST 0xaa
#define CMD_WRITE_OUTPUT 0xd1
#define CMD_PULSE_RESET 0xfe
#define OUTPUT_A20 0x02
#define OUTPUT_RESET_HIGH 0x01 /* active low: 1 means "not in reset" */

struct fixture {
	struct test_vm vm;
	struct vm_config cfg;
	void *kbc;
};

static int setup(void **state)
{
	static struct fixture fx;

	memset(&fx, 0, sizeof(fx));
	test_vm_init(&fx.vm, NULL, 1);
	vm_config_init(&fx.cfg);
	fx.kbc = test_attach(&fx.vm, &i8042_kind, &fx.cfg, 0);
	if (!fx.kbc)
		return -1;
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	i8042_kind.destroy(fx->kbc);
	test_vm_free(&fx->vm);
	return 0;
}

static void command(struct fixture *fx, uint8_t cmd)
{
	assert_true(tv_out8(&fx->vm, I8042_CMD_PORT, cmd));
}

static void data(struct fixture *fx, uint8_t byte)
{
	assert_true(tv_out8(&fx->vm, I8042_DATA_PORT, byte));
}

static uint8_t status(struct fixture *fx)
{
	return tv_in8(&fx->vm, I8042_CMD_PORT);
}

static void assert_reset(struct fixture *fx)
{
	assert_int_equal(fx->vm.stops, 1);
	assert_int_equal(fx->vm.reason, VM_STOP_RESET);
	assert_int_equal(exit_status_for(fx->vm.reason, fx->vm.value), 121);
	assert_non_null(strstr(fx->vm.detail, "i8042"));
}

static void pulse_reset_command_resets(void **state)
{
	struct fixture *fx = *state;

	assert_false(status(fx) & STATUS_IBF); /* Linux waits for this */
	command(fx, CMD_PULSE_RESET);
	assert_reset(fx);
}

static void output_port_with_reset_low_resets(void **state)
{
	struct fixture *fx = *state;

	command(fx, CMD_WRITE_OUTPUT);
	assert_int_equal(fx->vm.stops, 0);
	data(fx, OUTPUT_A20); /* bit 0 clear */
	assert_reset(fx);
}

/* 0xd1 0xdf: A20 on, reset line high, as Linux's boot code writes. */
static void output_port_with_reset_high_does_not(void **state)
{
	struct fixture *fx = *state;

	command(fx, CMD_WRITE_OUTPUT);
	data(fx, 0xdf);
	command(fx, CMD_WRITE_OUTPUT);
	data(fx, OUTPUT_A20 | OUTPUT_RESET_HIGH);
	assert_int_equal(fx->vm.stops, 0);
	/* The data byte ended the command: the next is the keyboard's. */
	data(fx, 0x00);
	assert_int_equal(fx->vm.stops, 0);
}

static void status_after_reset(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(status(fx), STATUS_SYS);
}

static void status_says_command_or_data(void **state)
{
	struct fixture *fx = *state;

	command(fx, CMD_WRITE_CONFIG);
	assert_int_equal(status(fx), STATUS_SYS | STATUS_CMD);
	data(fx, 0x45);
	assert_int_equal(status(fx), STATUS_SYS);
}

static void self_test_answers_through_output_buffer(void **state)
{
	struct fixture *fx = *state;

	command(fx, CMD_SELF_TEST);
	assert_true(status(fx) & STATUS_OBF);
	assert_int_equal(tv_in8(&fx->vm, I8042_DATA_PORT), 0x55);
	assert_false(status(fx) & STATUS_OBF);
}

static void config_byte_reads_back(void **state)
{
	struct fixture *fx = *state;

	command(fx, CMD_WRITE_CONFIG);
	data(fx, 0x47);
	command(fx, CMD_READ_CONFIG);
	assert_int_equal(status(fx) & (STATUS_OBF | STATUS_IBF), STATUS_OBF);
	assert_int_equal(tv_in8(&fx->vm, I8042_DATA_PORT), 0x47);
}

/*
 * 0xf0-0xff pulse the output lines whose bits are clear in the low
 * nibble: every even one pulses the reset line, an odd one does not.
 */
static void pulse_commands(void **state)
{
	struct fixture *fx = *state;
	unsigned int cmd;

	for (cmd = 0xf1; cmd <= 0xff; cmd += 2)
		command(fx, cmd);
	assert_int_equal(fx->vm.stops, 0);
	command(fx, 0xf0);
	assert_reset(fx);
}

/* A command while 0xd1 waits for its byte ends the wait: the next data
 * byte is not an output-port write. */
static void a_command_cancels_a_pending_write(void **state)
{
	struct fixture *fx = *state;

	command(fx, CMD_WRITE_OUTPUT);
	command(fx, 0xaa); /* self-test */
	data(fx, 0x00);
	assert_int_equal(fx->vm.stops, 0);
}

/*
 * Every other command, each followed by a data byte with bit 0 clear,
 * and data bytes on their own: no stop.
 */
static void nothing_else_stops(void **state)
{
	struct fixture *fx = *state;
	unsigned int cmd, byte;

	for (byte = 0; byte < 256; byte++)
		data(fx, byte);
	for (cmd = 0; cmd < 0xf0; cmd++) {
		if (cmd == CMD_WRITE_OUTPUT)
			continue;
		command(fx, cmd);
		data(fx, 0x00);
		tv_in8(&fx->vm, I8042_DATA_PORT);
	}
	assert_int_equal(fx->vm.stops, 0);
	assert_false(status(fx) & STATUS_IBF);
}

/* 0x61-0x63 belong to other chips: the two ports are claimed alone. */
static void claims_only_its_two_ports(void **state)
{
	struct fixture *fx = *state;
	uint8_t v = 0;

	assert_false(bus_access(&fx->vm.pio, 0x61, false, &v, 1));
	assert_false(bus_access(&fx->vm.pio, 0x63, false, &v, 1));
	assert_false(bus_access(&fx->vm.pio, 0x65, false, &v, 1));
	assert_null(i8042_kind.count); /* always present */
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(pulse_reset_command_resets),
		T(output_port_with_reset_low_resets),
		T(output_port_with_reset_high_does_not),
		T(status_after_reset),
		T(status_says_command_or_data),
		T(self_test_answers_through_output_buffer),
		T(config_byte_reads_back),
		T(pulse_commands),
		T(a_command_cancels_a_pending_write),
		T(nothing_else_stops),
		T(claims_only_its_two_ports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
