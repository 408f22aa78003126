// SPDX-License-Identifier: GPL-2.0-only
/*
 * console_sink.c - guest console output into an out_stream, raw or as
 * prefixed lines (kvmux/console_sink.h).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "kvmux/console_sink.h"
#include "kvmux/out_stream.h"

#define SINK_LINE_MAX 4096 /* a longer line is cut into pieces this long */

struct console_sink {
	struct out_stream *out;
	console_room_fn room_fn;
	void *room_opaque;
	pthread_mutex_t lock;
	size_t prefix_len; /* 0: pass-through */
	uint64_t taken; /* bytes taken from the device in all (atomic) */
	size_t line_len; /* bytes in line[], the prefix included */
	bool line_done; /* line[] is complete and waits for room */
	char line[SINK_LINE_MAX];
};

/* The stream has room: hand over a waiting line, then tell the device. */
static void stream_has_room(void *opaque);

static void wait_for_room(struct console_sink *sink)
{
	out_stream_wait_room(sink->out, stream_has_room, sink);
}

/* Under the lock: the complete line into the stream, whole, if it fits. */
static bool commit_line(struct console_sink *sink)
{
	if (!out_stream_write(sink->out, sink->line, sink->line_len, true))
		return false;
	sink->line_len = sink->prefix_len;
	sink->line_done = false;
	return true;
}

static void stream_has_room(void *opaque)
{
	struct console_sink *sink = opaque;
	bool blocked;

	pthread_mutex_lock(&sink->lock);
	blocked = sink->line_done && !commit_line(sink);
	if (blocked)
		wait_for_room(sink);
	pthread_mutex_unlock(&sink->lock);
	if (!blocked && sink->room_fn)
		sink->room_fn(sink->room_opaque);
}

struct console_sink *console_sink_create(struct out_stream *out,
					 const char *prefix)
{
	struct console_sink *sink = calloc(1, sizeof(*sink));

	if (!sink)
		return NULL;
	sink->out = out;
	pthread_mutex_init(&sink->lock, NULL);
	if (prefix) {
		/* A name too long for a line is cut: lines stay lines. */
		sink->prefix_len = strnlen(prefix, SINK_LINE_MAX / 2);
		memcpy(sink->line, prefix, sink->prefix_len);
		memcpy(sink->line + sink->prefix_len, "| ", 2);
		sink->prefix_len += 2;
		sink->line_len = sink->prefix_len;
	}
	return sink;
}

void console_sink_on_room(struct console_sink *sink, console_room_fn fn,
			  void *opaque)
{
	sink->room_fn = fn;
	sink->room_opaque = opaque;
}

static size_t write_raw(struct console_sink *sink, const void *buf, size_t len)
{
	size_t n = out_stream_write(sink->out, buf, len, false);

	if (n < len)
		wait_for_room(sink);
	return n;
}

/* Collect bytes into lines; stop at a finished line that does not fit. */
static size_t write_lines(struct console_sink *sink, const char *p, size_t len)
{
	size_t taken = 0;

	pthread_mutex_lock(&sink->lock);
	while (taken < len) {
		if (sink->line_done && !commit_line(sink)) {
			wait_for_room(sink);
			break;
		}
		if (p[taken] != '\r') /* guests end lines with \r\n: keep \n */
			sink->line[sink->line_len++] = p[taken];
		sink->line_done =
			p[taken] == '\n' || sink->line_len == SINK_LINE_MAX;
		taken++;
	}
	if (sink->line_done && !commit_line(sink))
		wait_for_room(sink);
	pthread_mutex_unlock(&sink->lock);
	return taken;
}

size_t console_sink_write(struct console_sink *sink, const void *buf,
			  size_t len)
{
	size_t n;

	if (!sink->out)
		n = len;
	else if (!sink->prefix_len)
		n = write_raw(sink, buf, len);
	else
		n = write_lines(sink, buf, len);
	__atomic_add_fetch(&sink->taken, n, __ATOMIC_RELAXED);
	return n;
}

uint64_t console_sink_bytes(struct console_sink *sink)
{
	return sink ? __atomic_load_n(&sink->taken, __ATOMIC_RELAXED) : 0;
}

void console_sink_flush(struct console_sink *sink)
{
	if (!sink || !sink->out || !sink->prefix_len)
		return;
	pthread_mutex_lock(&sink->lock);
	if (!sink->line_done && sink->line_len > sink->prefix_len) {
		sink->line[sink->line_len++] = '\n';
		sink->line_done = true;
	}
	if (sink->line_done)
		commit_line(sink);
	pthread_mutex_unlock(&sink->lock);
}

size_t console_sink_pending(struct console_sink *sink)
{
	size_t n;

	if (!sink || !sink->prefix_len)
		return 0;
	pthread_mutex_lock(&sink->lock);
	n = sink->line_len - sink->prefix_len;
	pthread_mutex_unlock(&sink->lock);
	return n;
}

void console_sink_destroy(struct console_sink *sink)
{
	if (!sink)
		return;
	pthread_mutex_destroy(&sink->lock);
	free(sink);
}
