// SPDX-License-Identifier: GPL-2.0-only
/*
 * i8042.c - the PC keyboard controller, reduced to what guests use to
 * reset: the pulse-reset command 0xfe and the output-port write (0xd1)
 * with the reset line low.  A few controller commands answer the way a
 * present-but-keyboardless controller would, so probing guests do not
 * wait.  No keyboard or mouse is attached.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "kvmux/bus.h"
#include "kvmux/device.h"
#include "kvmux/error.h"
#include "kvmux/i8042.h"

#define STATUS_OBF 0x01 /* output buffer full: data waits at 0x60 */
#define STATUS_SYS 0x04 /* system flag: self-test passed */
#define STATUS_CMD 0x08 /* last write was a command */

#define CMD_READ_CONFIG 0x20
#define CMD_WRITE_CONFIG 0x60
#define CMD_SELF_TEST 0xaa
#define CMD_TEST_PORT1 0xab
#define CMD_TEST_PORT2 0xa9
#define CMD_WRITE_OUTPUT 0xd1
/* 0xf0-0xff pulse the output lines whose bits 0-3 are clear: bit 0 is
 * the reset line, so 0xfe (the one guests use) and every even one reset */
#define CMD_PULSE_MASK 0xf0

#define OUTPUT_RESET_LINE 0x01 /* active low */

struct i8042 {
	struct device_env env; /* the stop */
	pthread_mutex_t lock;
	uint8_t status;
	uint8_t config;
	uint8_t out; /* byte waiting at the data port */
	uint8_t pending_cmd; /* command waiting for its data byte */
};

static void put_output(struct i8042 *kbc, uint8_t byte)
{
	kbc->out = byte;
	kbc->status |= STATUS_OBF;
}

static void command(struct i8042 *kbc, uint8_t cmd)
{
	kbc->status |= STATUS_CMD;
	kbc->pending_cmd = 0; /* a new command ends the wait for data */
	if ((cmd & CMD_PULSE_MASK) == CMD_PULSE_MASK) {
		if (!(cmd & OUTPUT_RESET_LINE))
			kbc->env.stop(kbc->env.ctx, VM_STOP_RESET, 0,
				      "guest reset through the i8042");
		return;
	}
	switch (cmd) {
	case CMD_READ_CONFIG:
		put_output(kbc, kbc->config);
		break;
	case CMD_SELF_TEST:
		put_output(kbc, 0x55);
		break;
	case CMD_TEST_PORT1:
	case CMD_TEST_PORT2:
		put_output(kbc, 0x00);
		break;
	case CMD_WRITE_CONFIG:
	case CMD_WRITE_OUTPUT:
		kbc->pending_cmd = cmd;
		break;
	default:
		break;
	}
}

static void data(struct i8042 *kbc, uint8_t byte)
{
	kbc->status &= ~STATUS_CMD;
	switch (kbc->pending_cmd) {
	case CMD_WRITE_CONFIG:
		kbc->config = byte;
		break;
	case CMD_WRITE_OUTPUT:
		if (!(byte & OUTPUT_RESET_LINE))
			kbc->env.stop(kbc->env.ctx, VM_STOP_RESET, 0,
				      "guest reset through the i8042");
		break;
	default:
		break; /* bytes for the (absent) keyboard */
	}
	kbc->pending_cmd = 0;
}

/*
 * The two ports are separate one-byte ranges (0x61-0x63 belong to other
 * chips), so each has its own callbacks: the offset is 0 for both.
 */
static void data_read(void *opaque, uint64_t off, void *buf, unsigned int len)
{
	struct i8042 *kbc = opaque;

	memset(buf, 0xff, len);
	pthread_mutex_lock(&kbc->lock);
	*(uint8_t *)buf = kbc->out;
	kbc->status &= ~STATUS_OBF;
	pthread_mutex_unlock(&kbc->lock);
}

static void status_read(void *opaque, uint64_t off, void *buf, unsigned int len)
{
	struct i8042 *kbc = opaque;

	memset(buf, 0xff, len);
	pthread_mutex_lock(&kbc->lock);
	*(uint8_t *)buf = kbc->status;
	pthread_mutex_unlock(&kbc->lock);
}

static void data_write(void *opaque, uint64_t off, const void *buf,
		       unsigned int len)
{
	struct i8042 *kbc = opaque;

	pthread_mutex_lock(&kbc->lock);
	data(kbc, *(const uint8_t *)buf);
	pthread_mutex_unlock(&kbc->lock);
}

static void command_write(void *opaque, uint64_t off, const void *buf,
			  unsigned int len)
{
	struct i8042 *kbc = opaque;

	pthread_mutex_lock(&kbc->lock);
	command(kbc, *(const uint8_t *)buf);
	pthread_mutex_unlock(&kbc->lock);
}

static const struct bus_ops data_port_ops = {
	.read = data_read,
	.write = data_write,
};

static const struct bus_ops command_port_ops = {
	.read = status_read,
	.write = command_write,
};

static void *i8042_open(const struct vm_config *cfg, unsigned int i)
{
	struct i8042 *kbc = calloc(1, sizeof(*kbc));

	if (!kbc) {
		err_host("out of memory");
		return NULL;
	}
	kbc->status = STATUS_SYS;
	pthread_mutex_init(&kbc->lock, NULL);
	return kbc;
}

static int i8042_attach(void *dev, const struct device_env *env)
{
	struct i8042 *kbc = dev;

	kbc->env = *env;
	if (bus_register(env->pio, I8042_DATA_PORT, 1, &data_port_ops, kbc,
			 "i8042") < 0)
		return -1;
	return bus_register(env->pio, I8042_CMD_PORT, 1, &command_port_ops, kbc,
			    "i8042");
}

static void i8042_destroy(void *dev)
{
	struct i8042 *kbc = dev;

	pthread_mutex_destroy(&kbc->lock);
	free(kbc);
}

const struct device_kind i8042_kind = {
	.name = "i8042",
	.open = i8042_open,
	.attach = i8042_attach,
	.destroy = i8042_destroy,
};
