// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_virtio_console.c - virtio-console (virtio 1.x, 5.3) both ways,
 * without KVM: transmit chains reach a real console sink in order, and
 * are held (not returned to the guest) while the host side is full;
 * host input fills the receive buffers the guest posts, waits for them
 * when there are none, and the host is told when it may send more.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kvmux/virtio_console.h"
#include "console_test_util.h"
#include "virtio_test_util.h"

#define RXQ 0
#define TXQ 1
#define QSIZE 16
#define INPUT_MAX (64 * 1024) /* input the device holds for the guest */
#define FEATURES \
	((1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_RING_F_EVENT_IDX))

struct fixture {
	struct test_guest g;
	struct test_vm vm;
	struct vm_config cfg;
	struct test_console tc;
	void *con;
	bool stopped;
	unsigned int room_calls; /* atomic: on_input_room's callback */
	struct vt_dev d;
};

static const struct device_kind *const kind = &virtio_console_kind;

/* Features, both queues, DRIVER_OK; 0 or -1. */
static int bring_up(struct vt_dev *d)
{
	if (vt_negotiate(d, FEATURES) !=
		    (VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
		     VIRTIO_CONFIG_S_FEATURES_OK) ||
	    vt_queue(d, RXQ, QSIZE) != 1 || vt_queue(d, TXQ, QSIZE) != 1)
		return -1;
	vt_set_status(d, VIRTIO_CONFIG_S_DRIVER_OK);
	return 0;
}

static int setup(void **state)
{
	static struct fixture fx;

	memset(&fx, 0, sizeof(fx));
	if (tc_init(&fx.tc) < 0)
		return -1;
	tg_init(&fx.g);
	test_vm_init(&fx.vm, &fx.g.gm, 1);
	fx.vm.env.console = fx.tc.sink;
	vm_config_init(&fx.cfg);
	fx.cfg.console = CONSOLE_VIRTIO;
	fx.con = test_attach(&fx.vm, kind, &fx.cfg, 0);
	if (!fx.con || kind->start(fx.con) < 0)
		return -1;
	vt_init(&fx.d, &fx.vm, &fx.g, 0);
	if (bring_up(&fx.d) < 0)
		return -1;
	*state = &fx;
	return 0;
}

/* End the device's I/O thread (once). */
static int stop(struct fixture *fx)
{
	if (fx->stopped)
		return 0;
	fx->stopped = true;
	return kind->stop(fx->con, thread_now_ns() + THREAD_JOIN_TIMEOUT_NS);
}

/* Everything the guest wrote, once the device has stopped. */
static const char *output(struct fixture *fx)
{
	assert_int_equal(stop(fx), 0);
	assert_int_equal(tc_finish(&fx->tc), 0);
	return fx->tc.out;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	int rc = stop(fx);

	tc_finish(&fx->tc); /* the stream's thread may call the device */
	kind->destroy(fx->con);
	tc_free(&fx->tc);
	test_vm_free(&fx->vm);
	tg_free(&fx->g);
	return rc;
}

static size_t input(struct fixture *fx, const void *buf, size_t len)
{
	return kind->console->input(fx->con, buf, len);
}

/* Guest RAM for buffers: slot i of 4 KiB. */
static uint64_t buf_gpa(unsigned int i)
{
	return TG_DATA_GPA + 0x1000 * i;
}

/* A one-buffer transmit chain at descriptor head holding s. */
static uint16_t post_tx(struct fixture *fx, uint16_t head, const char *s)
{
	memcpy(tg_at(&fx->g, buf_gpa(head), strlen(s)), s, strlen(s));
	vt_desc(&fx->d, TXQ, head, buf_gpa(head), strlen(s), 0, 0);
	return vt_avail(&fx->d, TXQ, head);
}

/* A receive buffer of len bytes at descriptor head (buffer slot 8 on). */
static uint16_t post_rx(struct fixture *fx, uint16_t head, uint32_t len)
{
	memset(tg_at(&fx->g, buf_gpa(8 + head), len), 0xee, len);
	vt_desc(&fx->d, RXQ, head, buf_gpa(8 + head), len, VIRTQ_DESC_F_WRITE,
		0);
	return vt_avail(&fx->d, RXQ, head);
}

/* What the device put in the receive buffer that made used->idx idx. */
static void assert_received(struct fixture *fx, uint16_t idx, const char *want)
{
	uint32_t id, len;

	assert_true(vt_wait_used(&fx->d, RXQ, idx));
	vt_used_elem(&fx->d, RXQ, idx, &id, &len);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(tg_at(&fx->g, buf_gpa(8 + id), len), want, len);
}

static void count_room(void *opaque)
{
	__atomic_add_fetch(&((struct fixture *)opaque)->room_calls, 1,
			   __ATOMIC_SEQ_CST);
}

static bool room_called(void *opaque)
{
	return __atomic_load_n(&((struct fixture *)opaque)->room_calls,
			       __ATOMIC_SEQ_CST) > 0;
}

struct event_wait {
	struct vt_dev *d;
	uint16_t value;
};

static bool avail_event_is(void *arg)
{
	struct event_wait *w = arg;

	return vt_avail_event(w->d, TXQ) == w->value;
}

/*
 * The device has taken `popped` transmit chains and gone idle: with
 * EVENT_IDX it then publishes avail_event, after any buffer it returned.
 */
static void wait_tx_idle(struct fixture *fx, uint16_t popped)
{
	struct event_wait w = { &fx->d, popped };

	assert_true(test_wait(avail_event_is, &w));
}

static void present_with_virtio_console_only(void **state)
{
	struct fixture *fx = *state;
	struct vm_config cfg;

	vm_config_init(&cfg);
	assert_int_equal(device_count(kind, &cfg), 0);
	cfg.console = CONSOLE_VIRTIO;
	assert_int_equal(device_count(kind, &cfg), 1);
	assert_non_null(kind->console);
	assert_int_equal(vt_read(&fx->d, VIRTIO_MMIO_DEVICE_ID),
			 VIRTIO_ID_CONSOLE);
	assert_int_equal(fx->vm.nr_ioeventfds, 2);
	vt_write(&fx->d, VIRTIO_MMIO_QUEUE_SEL, 2);
	assert_int_equal(vt_read(&fx->d, VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
}

static void transmit_reaches_sink_in_order(void **state)
{
	struct fixture *fx = *state;
	uint32_t id, len;

	/* One chain of two buffers, then a chain of one. */
	memcpy(tg_at(&fx->g, buf_gpa(0), 7), "hello, ", 7);
	memcpy(tg_at(&fx->g, buf_gpa(1), 6), "world\n", 6);
	vt_desc(&fx->d, TXQ, 0, buf_gpa(0), 7, VIRTQ_DESC_F_NEXT, 1);
	vt_desc(&fx->d, TXQ, 1, buf_gpa(1), 6, 0, 0);
	vt_avail(&fx->d, TXQ, 0);
	post_tx(fx, 2, "bye\n");
	assert_true(vt_kick(&fx->d, TXQ));
	assert_true(vt_wait_used(&fx->d, TXQ, 2));
	vt_used_elem(&fx->d, TXQ, 1, &id, &len);
	assert_int_equal(id, 0);
	assert_int_equal(len, 0); /* the device wrote nothing into them */
	vt_used_elem(&fx->d, TXQ, 2, &id, &len);
	assert_int_equal(id, 2);
	/* output() stops the device: undelivered() is for after a stop. */
	assert_string_equal(output(fx), "hello, world\nbye\n");
	assert_int_equal(kind->console->undelivered(fx->con), 0);
}

static void input_fills_posted_buffer(void **state)
{
	struct fixture *fx = *state;
	uint16_t idx = post_rx(fx, 0, 16);

	assert_true(vt_kick(&fx->d, RXQ));
	assert_int_equal(input(fx, "ls -l\n", 6), 6);
	assert_received(fx, idx, "ls -l\n");
}

/* Input without a receive buffer waits in the device, in order. */
static void input_waits_for_buffers(void **state)
{
	struct fixture *fx = *state;
	uint16_t idx;

	assert_int_equal(input(fx, "abc", 3), 3);
	idx = post_rx(fx, 0, 2);
	assert_true(vt_kick(&fx->d, RXQ));
	assert_received(fx, idx, "ab");
	idx = post_rx(fx, 1, 8);
	assert_true(vt_kick(&fx->d, RXQ));
	assert_received(fx, idx, "c");
	assert_int_equal(input(fx, "d", 1), 1);
	idx = post_rx(fx, 2, 8);
	assert_true(vt_kick(&fx->d, RXQ));
	assert_received(fx, idx, "d");
}

/* The device holds only so much: input() takes what fits, then 0, and
 * the host hears once a buffer the guest posted made room. */
static void input_takes_what_fits_then_room(void **state)
{
	static char paste[INPUT_MAX + 10];
	struct fixture *fx = *state;
	unsigned int i;
	uint16_t idx;

	for (i = 0; i < sizeof(paste); i++)
		paste[i] = 'A' + i % 26;
	kind->console->on_input_room(fx->con, count_room, fx);
	assert_int_equal(input(fx, paste, sizeof(paste)), INPUT_MAX);
	assert_int_equal(input(fx, paste + INPUT_MAX, 10), 0);
	assert_false(room_called(fx));
	idx = post_rx(fx, 0, 100);
	assert_true(vt_kick(&fx->d, RXQ));
	paste[100] = '\0';
	assert_received(fx, idx, paste);
	assert_true(test_wait(room_called, fx));
	assert_int_equal(input(fx, paste + INPUT_MAX, 10), 10);
	assert_int_equal(fx->room_calls, 1);
}

/* A full host side: the chain is kept, not returned, until there is room;
 * a chain behind it waits its turn. */
static void transmit_held_while_sink_full(void **state)
{
	struct fixture *fx = *state;
	uint32_t id, len;

	assert_int_equal(tc_make_full(&fx->tc), 0);
	post_tx(fx, 0, "held\n");
	assert_true(vt_kick(&fx->d, TXQ));
	wait_tx_idle(fx, 1);
	assert_int_equal(vt_used_idx(&fx->d, TXQ), 0);
	post_tx(fx, 1, "next\n");
	assert_true(vt_kick(&fx->d, TXQ));
	assert_int_equal(tc_read_on(&fx->tc), 0);
	assert_true(vt_wait_used(&fx->d, TXQ, 2));
	vt_used_elem(&fx->d, TXQ, 1, &id, &len);
	assert_int_equal(id, 0);
	vt_used_elem(&fx->d, TXQ, 2, &id, &len);
	assert_int_equal(id, 1);
	assert_string_equal(output(fx), "held\nnext\n");
}

/* A full host side holds the guest's s, and the device stops. */
static void stop_holding(struct fixture *fx, const char *s)
{
	assert_int_equal(tc_make_full(&fx->tc), 0);
	post_tx(fx, 0, s);
	assert_true(vt_kick(&fx->d, TXQ));
	wait_tx_idle(fx, 1);
	assert_int_equal(stop(fx), 0);
}

static void held_output_counted_after_stop(void **state)
{
	struct fixture *fx = *state;

	stop_holding(fx, "never\n");
	assert_int_equal(kind->console->undelivered(fx->con), 6);
	assert_string_equal(output(fx), "");
}

/* At stop the held chain goes to the host after all, past the full
 * stream (board_finish(): console_sink_last(), then hand_over()). */
static void held_output_handed_over_after_stop(void **state)
{
	struct fixture *fx = *state;

	stop_holding(fx, "held\n");
	console_sink_last(fx->tc.sink);
	kind->console->hand_over(fx->con);
	assert_int_equal(kind->console->undelivered(fx->con), 0);
	assert_int_equal(tc_read_on(&fx->tc), 0);
	assert_string_equal(output(fx), "held\n");
	/* Not returned to the guest: its VM has stopped. */
	assert_int_equal(vt_used_idx(&fx->d, TXQ), 0);
}

/*
 * A held chain may name guest RAM many times over: at stop the device
 * hands over CONSOLE_HAND_OVER_MAX bytes of it (what a full stream keeps
 * at most), not all of it, and counts the rest as undelivered.
 */
static void hand_over_is_bounded(void **state)
{
	const uint32_t piece = 512 * 1024;
	struct fixture *fx = *state;
	uint16_t i;

	memset(tg_at(&fx->g, buf_gpa(0), piece), 'x', piece);
	for (i = 0; i < QSIZE; i++)
		vt_desc(&fx->d, TXQ, i, buf_gpa(0), piece,
			i + 1 < QSIZE ? VIRTQ_DESC_F_NEXT : 0, i + 1);
	assert_int_equal(tc_make_full(&fx->tc), 0);
	vt_avail(&fx->d, TXQ, 0);
	assert_true(vt_kick(&fx->d, TXQ));
	wait_tx_idle(fx, 1);
	assert_int_equal(stop(fx), 0);
	console_sink_last(fx->tc.sink);
	kind->console->hand_over(fx->con);
	assert_int_equal(console_sink_bytes(fx->tc.sink),
			 OUT_STREAM_OVERFLOW_MAX);
	assert_int_equal(kind->console->undelivered(fx->con),
			 (uint64_t)QSIZE * piece - OUT_STREAM_OVERFLOW_MAX);
	/* What was handed over is delivered; the reader keeps 64 KiB. */
	assert_int_equal(tc_finish(&fx->tc), 0);
	assert_int_equal(fx->tc.out_len, TC_OUT_MAX);
}

/* A driver reset takes the buffers back; input waits for the next one. */
static void reset_keeps_pending_input(void **state)
{
	struct fixture *fx = *state;
	uint16_t idx;

	assert_int_equal(input(fx, "keep", 4), 4);
	vt_write(&fx->d, VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(vt_read(&fx->d, VIRTIO_MMIO_STATUS), 0);
	assert_int_equal(bring_up(&fx->d), 0);
	idx = post_rx(fx, 0, 16);
	assert_true(vt_kick(&fx->d, RXQ));
	assert_received(fx, idx, "keep");
}

static void transmit_outside_ram_needs_reset(void **state)
{
	struct fixture *fx = *state;

	vt_desc(&fx->d, TXQ, 0, 0x200000000ULL, 16, 0, 0);
	vt_avail(&fx->d, TXQ, 0);
	assert_true(vt_kick(&fx->d, TXQ));
	assert_true(vt_wait_bits(&fx->d, VIRTIO_MMIO_STATUS,
				 VIRTIO_CONFIG_S_NEEDS_RESET));
	assert_true(vt_read(&fx->d, VIRTIO_MMIO_INTERRUPT_STATUS) &
		    VIRTIO_MMIO_INT_CONFIG);
	assert_non_null(strstr(fx->vm.note, "not RAM"));
	assert_string_equal(output(fx), "");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(present_with_virtio_console_only),
		T(transmit_reaches_sink_in_order),
		T(input_fills_posted_buffer),
		T(input_waits_for_buffers),
		T(input_takes_what_fits_then_room),
		T(transmit_held_while_sink_full),
		T(held_output_counted_after_stop),
		T(held_output_handed_over_after_stop),
		T(hand_over_is_bounded),
		T(reset_keeps_pending_input),
		T(transmit_outside_ram_needs_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
