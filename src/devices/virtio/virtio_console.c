// SPDX-License-Identifier: GPL-2.0-only
/*
 * virtio_console.c - virtio-console (virtio 1.x section 5.3), a single port.
 *
 * Output: each transmit buffer goes to the console sink and is returned
 * to the guest only once the sink took all of it.  When the host side is
 * full the device keeps the buffer and stops serving the transmitq until
 * the sink has room again, so a slow reader slows the guest's writes down
 * and loses nothing; no thread ever blocks on the host.
 * Input waits in a buffer until the guest posts receive buffers; the host
 * feeds only what fits, and hears when there is room again.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "kvmux/config.h"
#include "kvmux/console_sink.h"
#include "kvmux/device.h"
#include "kvmux/error.h"
#include "kvmux/out_stream.h"
#include "kvmux/virtio_console.h"
#include "kvmux/virtio_mmio.h"

#define CONSOLE_QUEUE_SIZE 128
#define CONSOLE_RX_QUEUE 0
#define CONSOLE_TX_QUEUE 1
#define CONSOLE_INPUT_MAX (64 * 1024)
/* Chains served per wake-up of the I/O thread: then it looks around. */
#define CONSOLE_BATCH CONSOLE_QUEUE_SIZE
/* At stop, what of a held transmit chain goes to the sink at most. */
#define CONSOLE_HAND_OVER_MAX OUT_STREAM_OVERFLOW_MAX

struct virtio_console {
	struct console_sink *out;
	struct virtio_mmio *transport;
	struct virtq_chain chain; /* receive */

	/* The transmit chain being written out (I/O thread only). */
	struct virtq_chain tx;
	bool tx_busy;
	unsigned int tx_buf; /* first buffer not yet fully written */
	uint32_t tx_off; /* bytes of it already written */

	pthread_mutex_t input_lock;
	uint8_t input[CONSOLE_INPUT_MAX];
	size_t input_len;
	void (*input_room_fn)(void *opaque);
	void *input_room_opaque;
	bool input_room_wanted;
};

/* Write out what is left of the transmit chain, at most budget bytes of
 * it; true once all is out. */
static bool tx_write(struct virtio_console *con, uint64_t budget)
{
	const struct virtq_chain *c = &con->tx;

	for (; con->tx_buf < c->nr_bufs; con->tx_buf++, con->tx_off = 0) {
		const struct virtq_buf *b = &c->buf[con->tx_buf];
		size_t n = b->len - con->tx_off;

		if (b->device_writable)
			continue;
		if (n > budget) {
			if (!budget)
				return false;
			n = budget;
		}
		n = console_sink_write(con->out, b->host + con->tx_off, n);
		con->tx_off += n;
		budget -= n;
		if (con->tx_off < b->len)
			return false; /* the sink calls back with room */
	}
	return true;
}

/*
 * Serve up to a batch of transmit chains.  Returns 1 if the batch ran
 * out with chains left, 0 when done or waiting for the sink, -1 if the
 * queue broke.
 */
static int transmit(struct virtio_console *con, struct virtq *vq)
{
	unsigned int served;
	int rc;

	for (served = 0; served < CONSOLE_BATCH; served++) {
		if (!con->tx_busy) {
			rc = virtq_pop(vq, &con->tx);
			if (rc <= 0)
				return rc;
			con->tx_busy = true;
			con->tx_buf = 0;
			con->tx_off = 0;
		}
		if (!tx_write(con, UINT64_MAX))
			return 0;
		virtq_push(vq, con->tx.head, 0);
		con->tx_busy = false;
	}
	return 1;
}

static bool input_pending(struct virtio_console *con)
{
	bool pending;

	pthread_mutex_lock(&con->input_lock);
	pending = con->input_len > 0;
	pthread_mutex_unlock(&con->input_lock);
	return pending;
}

/* Under input_lock: the host may feed more (it waited for room). */
static void input_consumed(struct virtio_console *con)
{
	if (con->input_room_wanted) {
		con->input_room_wanted = false;
		con->input_room_fn(con->input_room_opaque);
	}
}

/* Fill one receive buffer from the input: 1 done, 0 nothing, -1 broken. */
static int receive_one(struct virtio_console *con, struct virtq *vq)
{
	size_t len;
	int rc;

	pthread_mutex_lock(&con->input_lock);
	if (!con->input_len) {
		pthread_mutex_unlock(&con->input_lock);
		return 0;
	}
	rc = virtq_pop(vq, &con->chain);
	if (rc <= 0) {
		pthread_mutex_unlock(&con->input_lock);
		return rc;
	}
	len = virtq_chain_write(&con->chain, 0, con->input, con->input_len);
	memmove(con->input, con->input + len, con->input_len - len);
	con->input_len -= len;
	input_consumed(con);
	pthread_mutex_unlock(&con->input_lock);
	virtq_push(vq, con->chain.head, len);
	return 1;
}

/* Same contract as transmit(). */
static int receive(struct virtio_console *con, struct virtq *vq)
{
	unsigned int served;
	int rc;

	for (served = 0; served < CONSOLE_BATCH; served++) {
		rc = receive_one(con, vq);
		if (rc <= 0)
			return rc;
	}
	return 1;
}

/*
 * Serve a batch, then ask for notifications again (with EVENT_IDX that
 * publishes avail_event) and look once more: a chain that came in before
 * the driver could see the request would otherwise never be noticed.
 * One interrupt for the whole batch.
 */
static bool console_queue_notify(void *dev, unsigned int q)
{
	struct virtio_console *con = dev;
	struct virtq *vq = virtio_mmio_queue(con->transport, q);
	int rc;

	virtq_disable_notify(vq);
	rc = q == CONSOLE_RX_QUEUE ? receive(con, vq) : transmit(con, vq);
	virtio_mmio_used(con->transport, q);
	if (rc != 0)
		return rc > 0;
	/* Done, or waiting for the sink or for input: notifications on.  A
	 * chain that came meanwhile is served in the next batch, if it can
	 * be (receive buffers wait for input, transmit ones for the sink). */
	if (!virtq_enable_notify(vq))
		return false;
	return q == CONSOLE_RX_QUEUE ? input_pending(con) : !con->tx_busy;
}

static size_t console_input(void *dev, const uint8_t *buf, size_t len)
{
	struct virtio_console *con = dev;
	size_t room;

	pthread_mutex_lock(&con->input_lock);
	room = CONSOLE_INPUT_MAX - con->input_len;
	if (len > room) {
		len = room;
		con->input_room_wanted = con->input_room_fn != NULL;
	}
	memcpy(con->input + con->input_len, buf, len);
	con->input_len += len;
	pthread_mutex_unlock(&con->input_lock);
	virtio_mmio_kick(con->transport, CONSOLE_RX_QUEUE);
	return len;
}

static void console_on_input_room(void *dev, void (*fn)(void *opaque),
				  void *opaque)
{
	struct virtio_console *con = dev;

	con->input_room_fn = fn;
	con->input_room_opaque = opaque;
}

/* The sink has room again (the output thread): resume the transmitq. */
static void tx_room(void *opaque)
{
	struct virtio_console *con = opaque;

	virtio_mmio_kick(con->transport, CONSOLE_TX_QUEUE);
}

static void console_config_read(void *dev, uint64_t off, void *data,
				unsigned int len)
{
	memset(data, 0, len); /* no size, no ports: nothing negotiated */
}

static void console_reset(void *dev)
{
	struct virtio_console *con = dev;

	con->tx_busy = false; /* the driver takes its buffers back */
	/* Pending input stays for the next driver. */
}

static const struct virtio_device_ops console_ops = {
	.name = "virtio-console",
	.device_id = VIRTIO_ID_CONSOLE,
	.features = 0,
	.nr_queues = 2,
	.queue_max = CONSOLE_QUEUE_SIZE,
	.config_size = 12, /* cols, rows, max_nr_ports, emerg_wr */
	.config_read = console_config_read,
	.queue_notify = console_queue_notify,
	.reset = console_reset,
};

static unsigned int console_count(const struct vm_config *cfg)
{
	return cfg->console == CONSOLE_VIRTIO;
}

static void *console_open(const struct vm_config *cfg, unsigned int i)
{
	struct virtio_console *con = calloc(1, sizeof(*con));

	if (!con) {
		err_host("out of memory");
		return NULL;
	}
	pthread_mutex_init(&con->input_lock, NULL);
	return con;
}

static int console_attach(void *dev, const struct device_env *env)
{
	struct virtio_console *con = dev;

	con->out = env->console;
	con->transport = virtio_mmio_create(env, &console_ops, con);
	if (!con->transport)
		return -1;
	/* Last: a failed attach leaves the sink no pointer to this device. */
	console_sink_on_room(con->out, tx_room, con);
	return 0;
}

static int console_start(void *dev)
{
	return virtio_mmio_start(((struct virtio_console *)dev)->transport);
}

static int console_stop(void *dev, uint64_t deadline_ns)
{
	return virtio_mmio_stop(((struct virtio_console *)dev)->transport,
				deadline_ns);
}

/*
 * At stop: the rest of the transmit chain the sink had no room for (it
 * takes it all now), up to CONSOLE_HAND_OVER_MAX bytes: a stream keeps
 * no more than that behind its full buffer anyway, and a chain may name
 * guest RAM many times over (128 buffers of up to 4 GiB), which would
 * hold kvmux's end for minutes.  What is left stays counted as
 * undelivered.  The guest never hears of it: its VM has stopped.
 */
static void console_hand_over(void *dev)
{
	struct virtio_console *con = dev;

	if (con->tx_busy && tx_write(con, CONSOLE_HAND_OVER_MAX))
		con->tx_busy = false;
}

/* Bytes of a transmit buffer the sink never took (after a stop). */
static uint64_t console_undelivered(void *dev)
{
	struct virtio_console *con = dev;
	uint64_t n = 0;
	unsigned int i;

	if (!con->tx_busy)
		return 0;
	for (i = con->tx_buf; i < con->tx.nr_bufs; i++)
		if (!con->tx.buf[i].device_writable)
			n += con->tx.buf[i].len;
	return n - con->tx_off;
}

static void console_destroy(void *dev)
{
	struct virtio_console *con = dev;

	virtio_mmio_destroy(con->transport);
	pthread_mutex_destroy(&con->input_lock);
	free(con);
}

static const struct console_device_ops console_device_ops = {
	.input = console_input,
	.on_input_room = console_on_input_room,
	.hand_over = console_hand_over,
	.undelivered = console_undelivered,
};

const struct device_kind virtio_console_kind = {
	.name = "virtio-console",
	.count = console_count,
	.open = console_open,
	.attach = console_attach,
	.start = console_start,
	.stop = console_stop,
	.destroy = console_destroy,
	.console = &console_device_ops,
};
