/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * console_test_util.h - a console sink for tests of console devices (the
 * UART, virtio-console) whose output the test reads back, and whose host
 * side the test can make full on purpose to see back-pressure.
 *
 * The sink is the real one (kvmux/console_sink.h, pass-through) over a
 * real out_stream writing into a pipe: a direct stream, served by an
 * event loop on a thread of its own (loop_thread.h), as kvmux's main
 * thread serves stdout's.  "Full" is made without timing: while the
 * stream is idle the test fills the pipe itself, so the stream's writes
 * then fail with EAGAIN and its buffer fills up and stays full until the
 * test starts its reader.  The filler bytes are
 * TC_FILLER, which devices under test never write, and the reader drops
 * them: out[] holds exactly what the device wrote, in order.
 *
 * Order of teardown: stop the device's threads, tc_finish() (the stream's
 * loop may call the device until then), destroy the device, tc_free().
 */
#ifndef KVMUX_TESTS_CONSOLE_TEST_UTIL_H
#define KVMUX_TESTS_CONSOLE_TEST_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "kvmux/console_sink.h"
#include "kvmux/out_stream.h"
#include "kvmux/thread.h"
#include "loop_thread.h"

#define TC_FILLER 0
#define TC_OUT_MAX (64 * 1024)
/* A bound against hangs on a loaded machine, not a timing expectation. */
#define TC_DRAIN_NS (10 * 1000000000ULL)

struct test_console {
	int pipe[2];
	struct loop_thread lt; /* serves the stream */
	struct out_stream *stream;
	struct console_sink *sink;
	pthread_t reader;
	bool reading, finished;
	char out[TC_OUT_MAX + 1]; /* the device's bytes, NUL-terminated */
	size_t out_len;
};

/* A pass-through sink into a fresh pipe; 0, or -1. */
static inline int tc_init(struct test_console *tc)
{
	memset(tc, 0, sizeof(*tc));
	if (pipe2(tc->pipe, O_CLOEXEC) < 0)
		return -1;
	if (lt_init(&tc->lt) < 0)
		return -1;
	tc->stream = out_stream_create(tc->pipe[1], NULL, NULL);
	if (!tc->stream || out_stream_attach(tc->stream, &tc->lt.loop) < 0 ||
	    lt_start(&tc->lt) < 0)
		return -1;
	tc->sink = console_sink_create(tc->stream, NULL);
	return tc->sink ? 0 : -1;
}

static inline void *tc_read_all(void *arg)
{
	struct test_console *tc = arg;
	char buf[4096];
	ssize_t n, i;

	while ((n = read(tc->pipe[0], buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		for (i = 0; i < n; i++)
			if (buf[i] != TC_FILLER && tc->out_len < TC_OUT_MAX)
				tc->out[tc->out_len++] = buf[i];
	}
	return NULL;
}

/* Make the host side full: the device's next sink write comes back short
 * and stays so until tc_read_on().  The stream must be idle (drained). */
static inline int tc_make_full(struct test_console *tc)
{
	static const uint8_t filler[4096] = { TC_FILLER };
	int fd = tc->pipe[1];

	if (out_stream_drain(tc->stream, thread_now_ns() + TC_DRAIN_NS, -1))
		return -1;
	/* The stream waits for data, away from the descriptor. */
	if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
		return -1;
	while (write(fd, filler, sizeof(filler)) > 0)
		;
	while (write(fd, filler, 1) > 0)
		;
	if (fcntl(fd, F_SETFL, 0) < 0)
		return -1;
	while (out_stream_write(tc->stream, filler, sizeof(filler), false) ==
	       sizeof(filler))
		;
	return 0;
}

/* Start reading the pipe (room appears), until tc_finish(). */
static inline int tc_read_on(struct test_console *tc)
{
	if (tc->reading)
		return 0;
	if (pthread_create(&tc->reader, NULL, tc_read_all, tc))
		return -1;
	tc->reading = true;
	return 0;
}

/*
 * Everything the sink took, into out[]: drain and close the stream, then
 * collect the rest (once; later calls do nothing).  The device's threads
 * must have stopped, and bytes it still holds are not waited for.
 * Returns the bytes the stream never delivered (0 when all went through).
 */
static inline uint64_t tc_finish(struct test_console *tc)
{
	uint64_t undelivered;

	if (tc->finished)
		return 0;
	if (tc_read_on(tc) < 0)
		return UINT64_MAX;
	lt_stop(&tc->lt); /* the drain writes the rest itself */
	out_stream_drain(tc->stream, thread_now_ns() + TC_DRAIN_NS, -1);
	undelivered = out_stream_close(tc->stream);
	close(tc->pipe[1]);
	pthread_join(tc->reader, NULL);
	tc->out[tc->out_len] = '\0';
	tc->finished = true;
	return undelivered;
}

static inline void tc_free(struct test_console *tc)
{
	tc_finish(tc);
	console_sink_destroy(tc->sink);
	lt_free(&tc->lt);
	close(tc->pipe[0]);
}

#endif
