// SPDX-License-Identifier: GPL-2.0-only
/*
 * console.c - virtio-console (virtio 1.x section 5.3), a single port.
 *
 * Output runs on the device's own I/O thread: when the host side is slow
 * (a full pipe, a paused terminal) the write blocks that thread only, so
 * nothing is lost and no vCPU or other device waits.  Input waits in a
 * buffer until the guest posts receive buffers.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "kvmux/console_sink.h"
#include "kvmux/error.h"
#include "kvmux/virtio_console.h"
#include "kvmux/virtio_mmio.h"

#define CONSOLE_QUEUE_SIZE 128
#define CONSOLE_RX_QUEUE 0
#define CONSOLE_TX_QUEUE 1
#define CONSOLE_INPUT_MAX (64 * 1024)

struct virtio_console {
	struct console_sink *out;
	struct virtio_mmio *transport;
	struct virtq_chain chain;

	pthread_mutex_t input_lock;
	uint8_t input[CONSOLE_INPUT_MAX];
	size_t input_len;
};

static void transmit(struct virtio_console *con, struct virtq *vq)
{
	const struct virtq_chain *c = &con->chain;
	unsigned int i;

	for (i = 0; i < c->nr_bufs; i++)
		if (!c->buf[i].device_writable)
			console_sink_write(con->out, c->buf[i].host,
					   c->buf[i].len);
	virtq_push(vq, c->head, 0);
}

static bool input_pending(struct virtio_console *con)
{
	bool pending;

	pthread_mutex_lock(&con->input_lock);
	pending = con->input_len > 0;
	pthread_mutex_unlock(&con->input_lock);
	return pending;
}

/* Fill one receive buffer from the input; false when nothing is left. */
static bool receive_one(struct virtio_console *con, struct virtq *vq, int *rc)
{
	size_t len;

	pthread_mutex_lock(&con->input_lock);
	if (!con->input_len) {
		pthread_mutex_unlock(&con->input_lock);
		return false;
	}
	*rc = virtq_pop(vq, &con->chain);
	if (*rc <= 0) {
		pthread_mutex_unlock(&con->input_lock);
		return false;
	}
	len = virtq_chain_write(&con->chain, 0, con->input, con->input_len);
	memmove(con->input, con->input + len, con->input_len - len);
	con->input_len -= len;
	pthread_mutex_unlock(&con->input_lock);
	virtq_push(vq, con->chain.head, len);
	return true;
}

static void console_queue_notify(void *dev, unsigned int q)
{
	struct virtio_console *con = dev;
	struct virtq *vq = virtio_mmio_queue(con->transport, q);
	int rc = 0;

	/* Serve until the ring is empty, then ask for notifications again
	 * (with EVENT_IDX that publishes avail_event) and serve what came in
	 * meanwhile: otherwise the driver would never notify again. */
	do {
		if (q == CONSOLE_RX_QUEUE) {
			while (receive_one(con, vq, &rc))
				;
		} else {
			virtq_disable_notify(vq);
			while ((rc = virtq_pop(vq, &con->chain)) > 0)
				transmit(con, vq);
		}
		virtio_mmio_used(con->transport, q);
		if (rc < 0)
			return; /* the transport reports the broken queue */
	} while (virtq_enable_notify(vq) &&
		 (q != CONSOLE_RX_QUEUE || input_pending(con)));
}

size_t virtio_console_input(void *dev, const uint8_t *buf, size_t len)
{
	struct virtio_console *con = dev;
	size_t room;

	pthread_mutex_lock(&con->input_lock);
	room = CONSOLE_INPUT_MAX - con->input_len;
	if (len > room)
		len = room;
	memcpy(con->input + con->input_len, buf, len);
	con->input_len += len;
	pthread_mutex_unlock(&con->input_lock);
	virtio_mmio_kick(con->transport, CONSOLE_RX_QUEUE);
	return len;
}

static void console_config_read(void *dev, uint64_t off, void *data,
				unsigned int len)
{
	memset(data, 0, len); /* no size, no ports: nothing negotiated */
}

static void console_reset(void *dev)
{
	(void)dev; /* pending input stays for the next driver */
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

struct virtio_console *virtio_console_create(struct vm *vm, struct platform *p,
					     struct console_sink *out)
{
	struct virtio_console *con = calloc(1, sizeof(*con));

	if (!con) {
		err_set("out of memory");
		return NULL;
	}
	con->out = out;
	pthread_mutex_init(&con->input_lock, NULL);
	con->transport = virtio_mmio_create(vm, p, &console_ops, con);
	if (!con->transport) {
		virtio_console_destroy(con);
		return NULL;
	}
	return con;
}

int virtio_console_start(struct virtio_console *con)
{
	return virtio_mmio_start(con->transport);
}

void virtio_console_destroy(struct virtio_console *con)
{
	if (!con)
		return;
	virtio_mmio_destroy(con->transport);
	pthread_mutex_destroy(&con->input_lock);
	free(con);
}
