// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_virtio_console.c - virtio-console (src/devices/virtio/
 * virtio_console.c) behind the virtio-mmio transport and the ring walker,
 * its transmitq writing to a real console sink, its receiveq fed through
 * the console ops' input().  The harness and the model are
 * fuzz_virtio.h's; this file adds the model of the two queues (virtio
 * 1.x, 5.3.6) and of the host side.
 *
 * The host side, chosen by the input: a sink into a pipe that a reader
 * drains (it never fills: a notification that would send more than the
 * stream holds is left out), a sink that discards, or a sink whose pipe
 * and stream are full for the whole input (nothing leaves; the device
 * holds the first transmit buffer that has bytes).
 *
 * Input: u8 host side (modulo 3: pipe, discard, full), then
 * fuzz_virtio.h's steps, and its own: a transmit chain, receive buffers,
 * host input (console_op_*).
 *
 * Properties, besides fuzz_virtio.h's: the sink gets the readable bytes
 * of the transmit chains in order, each chain returned with length 0
 * only once all of it was taken; nothing is returned while the sink is
 * full, and what the device holds then is counted as undelivered; host
 * input fills the receive buffers in order, no more than fits (what
 * input() refuses is said by its return value), each used length the
 * bytes written; the host hears once that there is room after a refusal.
 *
 * Link flags: -Wl,--wrap=epoll_wait
 * libFuzzer flags: -max_len=8192
 * smoke runs: 2000
 */
#include "console_test_util.h"
#include "fuzz_virtio.h"
#include "kvmux/config.h"
#include "kvmux/virtio_console.h"

#define RXQ 0
#define TXQ 1
#define CON_BATCH 128 /* chains virtio_console.c serves per wake-up */
#define CON_INPUT_MAX (64 * 1024) /* input it holds for the guest */

enum host { HOST_PIPE, HOST_DISCARD, HOST_FULL };

/* What the device and the sink keep, as the model sees them. */
struct con_state {
	bool tx_busy;
	unsigned int tx_buf;
	uint32_t tx_off;
	struct fv_chain tx;
	uint8_t input[CON_INPUT_MAX];
	size_t input_len;
	bool room_wanted;
	uint64_t room_calls;
	uint64_t taken; /* bytes the sink took */
	size_t out_len; /* of them, in out[] */
};

struct con {
	enum host host;
	struct test_console tc;
	struct console_sink *sink;
	uint64_t room_seen; /* atomic: the room callback ran */
	struct con_state m, saved;
	struct fv_model saved_model;
	uint8_t out[TC_OUT_MAX]; /* what the sink must have written */
};

static struct con con;

static uint64_t con_features(struct fv *v)
{
	return 0;
}

static const uint8_t *con_config(struct fv *v, size_t *len)
{
	static const uint8_t zeros[12]; /* cols, rows, ports, emerg_wr */

	*len = sizeof(zeros);
	return zeros;
}

/* The sink takes len bytes of guest RAM at gpa, or none while full.
 * The pipe's reader drops TC_FILLER bytes: so does out[]. */
static size_t sink_take(struct fv *v, uint64_t gpa, uint32_t len)
{
	const uint8_t *p = fv_mptr(v, gpa, len);
	uint32_t i;

	if (con.host == HOST_FULL)
		return 0;
	for (i = 0; con.host == HOST_PIPE && i < len; i++)
		if (p[i] != TC_FILLER && con.m.out_len < TC_OUT_MAX)
			con.out[con.m.out_len++] = p[i];
	con.m.taken += len;
	return len;
}

/* What is left of the held chain's readable buffers, in order. */
static bool tx_write(struct fv *v)
{
	const struct fv_chain *c = &con.m.tx;

	for (; con.m.tx_buf < c->nr; con.m.tx_buf++, con.m.tx_off = 0) {
		const struct fv_buf *b = &c->buf[con.m.tx_buf];

		if (b->writable)
			continue;
		con.m.tx_off += sink_take(v, b->gpa + con.m.tx_off,
					  b->len - con.m.tx_off);
		if (con.m.tx_off < b->len)
			return false;
	}
	return true;
}

/* 1: a full batch, 0: done or held, -1: a violation. */
static int transmit(struct fv *v, struct fv_queue *q)
{
	unsigned int served;
	int rc;

	for (served = 0; served < CON_BATCH; served++) {
		if (!con.m.tx_busy) {
			rc = fv_pop(v, q, &con.m.tx);
			if (rc <= 0)
				return rc;
			con.m.tx_busy = true;
			con.m.tx_buf = 0;
			con.m.tx_off = 0;
		}
		if (!tx_write(v))
			return 0;
		fv_push(v, q, con.m.tx.head, 0);
		con.m.tx_busy = false;
	}
	return 1;
}

static int receive_one(struct fv *v, struct fv_queue *q)
{
	uint64_t n;
	int rc;

	if (!con.m.input_len)
		return 0;
	rc = fv_pop(v, q, &v->chain);
	if (rc <= 0)
		return rc;
	n = fv_chain_write(v, &v->chain, 0, con.m.input, con.m.input_len);
	memmove(con.m.input, con.m.input + n, con.m.input_len - n);
	con.m.input_len -= n;
	if (con.m.room_wanted) {
		con.m.room_wanted = false;
		con.m.room_calls++;
	}
	fv_push(v, q, v->chain.head, n);
	return 1;
}

static int receive(struct fv *v, struct fv_queue *q)
{
	unsigned int served;
	int rc;

	for (served = 0; served < CON_BATCH; served++) {
		rc = receive_one(v, q);
		if (rc <= 0)
			return rc;
	}
	return 1;
}

/* One wake-up: a batch, one interrupt; then notifications back on, and
 * another wake-up if chains came meanwhile and can be served. */
static bool con_queue_notify(struct fv *v, unsigned int qi)
{
	struct fv_queue *q = &v->m.q[qi];
	int rc;

	fv_disable_notify(v, q);
	rc = qi == RXQ ? receive(v, q) : transmit(v, q);
	fv_used(v, q);
	if (rc)
		return rc > 0;
	if (!fv_enable_notify(v, q))
		return false;
	return qi == RXQ ? con.m.input_len > 0 : !con.m.tx_busy;
}

/* The driver takes its buffers back; pending input stays. */
static void con_reset(struct fv *v)
{
	con.m.tx_busy = false;
}

/* Until the pipe's stream has written all it holds (out_stream_drain()
 * looks every 10 ms: too slow for a fuzzer). */
static void drain(void)
{
	uint64_t deadline = thread_now_ns() + FV_SETTLE_NS;

	while (out_stream_drain(con.tc.stream, 0, -1)) {
		if (thread_now_ns() > deadline)
			fuzz_fail("the console's stream did not drain");
		usleep(50);
	}
}

/*
 * A pipe's stream holds OUT_STREAM_CAPACITY bytes and the harness
 * captures TC_OUT_MAX: a transmit notification that would send more
 * (the model says, on a copy of itself) is not made, so the sink is
 * never full and nothing happens behind the harness's back.
 */
static bool con_may_kick(struct fv *v, unsigned int q)
{
	uint64_t before = con.m.taken, sent;

	if (con.host != HOST_PIPE || q != TXQ)
		return true;
	drain();
	con.saved = con.m;
	con.saved_model = v->m;
	fv_model_kick(v, q);
	sent = con.m.taken - before;
	con.m = con.saved;
	v->m = con.saved_model;
	return sent <= OUT_STREAM_CAPACITY && con.m.taken + sent <= TC_OUT_MAX;
}

static void con_check(struct fv *v)
{
	uint64_t seen = __atomic_load_n(&con.room_seen, __ATOMIC_SEQ_CST);

	if (seen != con.m.room_calls)
		fuzz_fail("the host heard of room %llu times, the model says "
			  "%llu",
			  (unsigned long long)seen,
			  (unsigned long long)con.m.room_calls);
	if (con.host == HOST_DISCARD &&
	    console_sink_bytes(con.sink) != con.m.taken)
		fuzz_fail("the sink took %llu bytes, the model says %llu",
			  (unsigned long long)console_sink_bytes(con.sink),
			  (unsigned long long)con.m.taken);
}

/* --- the driver's and the host's steps ----------------------------------- */

#define SHAPE_SPLIT 3 /* bits 0-1: 1-4 buffers */
#define SHAPE_INDIRECT 0x04
#define SHAPE_OTHER 0x08 /* a buffer of the other direction too */
#define SHAPE_HIGH 0x10
#define SHAPE_NOTIFY 0x20

/* u8 shape, u16 head: the common end of a chain. */
static void lay_chain(struct fv *v, unsigned int qi, struct fv_layout *o,
		      uint8_t shape, uint16_t head)
{
	uint64_t table = shape & SHAPE_INDIRECT ? fv_alloc(v, 16 * 8) : 0;

	fv_lay_out(v, &v->m.q[qi], o, head, table);
	if (shape & SHAPE_NOTIFY)
		fv_notify(v, qi);
}

/* Transmit: u8 length, the bytes, u8 shape, u16 head (a writable
 * buffer after them with SHAPE_OTHER: the device must skip it). */
static void console_op_tx(struct fv *v)
{
	struct fv_layout o = { 0 };
	size_t len;
	const uint8_t *text = fuzz_bytes(&v->in, fuzz_u8(&v->in), &len);
	uint8_t shape = fuzz_u8(&v->in);
	uint16_t head = fuzz_u16(&v->in);

	fv_lay_bufs(v, &o, len, shape & SHAPE_SPLIT, shape & SHAPE_HIGH, 0,
		    text);
	if (shape & SHAPE_OTHER)
		fv_lay(&o, fv_alloc(v, 16), 16, VRING_DESC_F_WRITE);
	lay_chain(v, TXQ, &o, shape, head);
}

/* Receive buffers: u16 length (modulo 8 KiB), u8 shape, u16 head (a
 * readable buffer in front with SHAPE_OTHER). */
static void console_op_rx(struct fv *v)
{
	struct fv_layout o = { 0 };
	uint32_t len = fuzz_u16(&v->in) % 0x2000;
	uint8_t shape = fuzz_u8(&v->in);
	uint16_t head = fuzz_u16(&v->in);

	if (shape & SHAPE_OTHER)
		fv_lay(&o, fv_alloc(v, 16), 16, 0);
	fv_lay_bufs(v, &o, len, shape & SHAPE_SPLIT, shape & SHAPE_HIGH,
		    VRING_DESC_F_WRITE, NULL);
	lay_chain(v, RXQ, &o, shape, head);
}

/* Host input: u8 length, the bytes, u8 repeats (1 + n times).  The
 * device takes what fits and always looks at its receiveq. */
static void console_op_input(struct fv *v)
{
	static uint8_t buf[255 * 256];
	size_t len, i, total, room, took;
	const uint8_t *b = fuzz_bytes(&v->in, fuzz_u8(&v->in), &len);
	unsigned int times = 1 + fuzz_u8(&v->in);
	uint64_t since = fv_wakeups();
	int want;

	for (i = 0, total = 0; i < times; i++, total += len)
		memcpy(buf + total, b, len);
	room = CON_INPUT_MAX - con.m.input_len;
	if (total > room)
		con.m.room_wanted = true;
	took = total < room ? total : room;
	memcpy(con.m.input + con.m.input_len, buf, took);
	con.m.input_len += took;
	want = fv_model_kick(v, RXQ);
	FUZZ_CHECK(virtio_console_kind.console->input(v->instance, buf,
						      total) == took);
	fv_settle_as(v, RXQ, since, want);
}

static void con_step(struct fv *v, unsigned int op)
{
	static void (*const ops[3])(struct fv *) = { console_op_tx,
						     console_op_rx,
						     console_op_input };

	ops[op](v);
}

static const struct fv_device con_device = {
	.kind = &virtio_console_kind,
	.device_id = VIRTIO_ID_CONSOLE,
	.nr_queues = 2,
	.queue_max = 128,
	.nr_ops = 3,
	.features = con_features,
	.config = con_config,
	.queue_notify = con_queue_notify,
	.reset = con_reset,
	.step = con_step,
	.check = con_check,
	.may_kick = con_may_kick,
};

/* --- one input ---------------------------------------------------------- */

static void room(void *opaque)
{
	__atomic_add_fetch(&con.room_seen, 1, __ATOMIC_SEQ_CST);
}

static void host_open(void)
{
	if (con.host == HOST_DISCARD) {
		con.sink = console_sink_new();
		FUZZ_CHECK(con.sink != NULL);
		return;
	}
	FUZZ_CHECK(tc_init(&con.tc) == 0);
	con.sink = con.tc.sink;
	if (con.host == HOST_PIPE)
		FUZZ_CHECK(tc_read_on(&con.tc) == 0);
	else
		FUZZ_CHECK(tc_make_full(&con.tc) == 0);
}

/* The bytes of the chain the device holds that the sink did not take. */
static uint64_t held(void)
{
	uint64_t n = 0;
	unsigned int i;

	if (!con.m.tx_busy)
		return 0;
	for (i = con.m.tx_buf; i < con.m.tx.nr; i++)
		if (!con.m.tx.buf[i].writable)
			n += con.m.tx.buf[i].len;
	return n - con.m.tx_off;
}

/* After the device stopped: what it holds, what the pipe got. */
static void host_close(struct fv *v)
{
	uint64_t says = virtio_console_kind.console->undelivered(v->instance);

	if (!v->lost && says != held())
		fuzz_fail("the device says it holds %llu bytes, the model "
			  "says %llu",
			  (unsigned long long)says, (unsigned long long)held());
	if (con.host == HOST_DISCARD) {
		console_sink_destroy(con.sink);
		return;
	}
	FUZZ_CHECK(tc_read_on(&con.tc) == 0);
	drain();
	FUZZ_CHECK(tc_finish(&con.tc) == 0);
	if (con.host == HOST_PIPE && !v->lost &&
	    (con.tc.out_len != con.m.out_len ||
	     memcmp(con.tc.out, con.out, con.m.out_len)))
		fuzz_fail("the pipe got %zu bytes, not the %zu the guest sent",
			  con.tc.out_len, con.m.out_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fv v;
	struct vm_config cfg;

	memset(&v, 0, sizeof(v));
	memset(&con.m, 0, sizeof(con.m));
	con.room_seen = 0;
	v.in = fuzz_in(data, size);
	v.dev = &con_device;
	con.host = fuzz_u8(&v.in) % 3;
	host_open();
	vm_config_init(&cfg);
	cfg.console = CONSOLE_VIRTIO;
	FUZZ_CHECK(fv_begin(&v, &cfg, con.sink) == 0);
	virtio_console_kind.console->on_input_room(v.instance, room, NULL);
	fv_drive(&v);
	fv_stop(&v);
	host_close(&v);
	fv_end(&v);
	if (con.host != HOST_DISCARD)
		tc_free(&con.tc);
	return 0;
}
