// SPDX-License-Identifier: GPL-2.0-only
/*
 * console_sink.c - guest console output into one or two out_streams, as
 * bytes or as prefixed lines, optionally timed, and past the --fail-on
 * patterns (kvmux/console_sink.h).
 *
 * With several outputs (or lines, or times) the sink takes the guest's
 * bytes a run at a time (up to a line's end), and only as much of it as
 * every output can take: a stream of bytes holds up to a few KiB its
 * stream refused, prefixed lines a complete line.  So no output ever
 * gets a byte the others miss, and what a sink holds is bounded.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "kvmux/console_sink.h"
#include "kvmux/line_match.h"
#include "kvmux/out_stream.h"

#define STAMP_MAX 32 /* "[%5llu.%06llu] " of any 64-bit time: 24 */
#define HEAD_MAX (STAMP_MAX + CONSOLE_SINK_PREFIX_MAX + 2)
#define SPAN_MAX 1024 /* bytes handed to every output at once, at most */

struct sink_output {
	struct console_sink *sink;
	struct out_stream *out; /* NULL: discarded */
	bool lines; /* prefixed lines, else a stream of bytes */
	bool stamps; /* each line starts with the time */
	bool line_start; /* the next byte begins a line */
	bool line_done; /* lines: buf holds a complete line */
	bool split; /* lines: the last line was cut: drop a "\n" now */
	size_t prefix_len;
	size_t len; /* bytes in buf */
	size_t content; /* lines: bytes of the line itself */
	char prefix[CONSOLE_SINK_PREFIX_MAX + 2]; /* "name| " */
	char buf[HEAD_MAX + CONSOLE_SINK_LINE_MAX + 1];
};

struct console_sink {
	pthread_mutex_t lock;
	uint64_t taken; /* bytes taken from the device in all (atomic) */
	console_room_fn room_fn; /* NULL once the device stopped */
	void *room_opaque;
	bool last; /* console_sink_last(): the streams take everything */
	uint64_t epoch_ns;
	unsigned int nr; /* outputs */
	unsigned int active; /* outputs with a stream */
	/* The one output, a stream of bytes without times: no copy. */
	struct sink_output *direct;
	struct sink_output *output[CONSOLE_SINK_OUTPUTS];
	struct line_scan *scan; /* --fail-on; NULL: none */
	console_match_fn match_fn;
	void *match_opaque;
};

/* An output's stream has room: hand over what waits, then tell the
 * device. */
static void output_has_room(void *opaque);

/*
 * Each output waits on its own stream, and its callback touches that
 * stream only (and calls the device back only while it runs, see
 * console_sink_flush()): at the end of a run the streams are closed one
 * after the other, and a closing stream calls its waiters.
 */
static void wait_for_room(struct sink_output *o)
{
	out_stream_wait_room(o->out, output_has_room, o);
}

struct console_sink *console_sink_new(void)
{
	struct console_sink *sink = calloc(1, sizeof(*sink));

	if (!sink)
		return NULL;
	pthread_mutex_init(&sink->lock, NULL);
	sink->epoch_ns = out_stream_now_ns();
	return sink;
}

struct console_sink *console_sink_create(struct out_stream *out,
					 const char *prefix)
{
	struct console_sink *sink = console_sink_new();

	if (sink && console_sink_add_output(sink, out, prefix, 0) < 0) {
		console_sink_destroy(sink);
		return NULL;
	}
	return sink;
}

int console_sink_add_output(struct console_sink *sink, struct out_stream *out,
			    const char *prefix, unsigned int flags)
{
	struct sink_output *o;

	if (sink->nr == CONSOLE_SINK_OUTPUTS)
		return -1;
	o = calloc(1, sizeof(*o));
	if (!o)
		return -1;
	o->sink = sink;
	o->out = out;
	o->lines = prefix != NULL;
	o->stamps = flags & CONSOLE_SINK_TIMESTAMPS;
	o->line_start = true;
	if (prefix) {
		/* A name too long for a line is cut: lines stay lines. */
		o->prefix_len = strnlen(prefix, CONSOLE_SINK_PREFIX_MAX);
		memcpy(o->prefix, prefix, o->prefix_len);
		memcpy(o->prefix + o->prefix_len, "| ", 2);
		o->prefix_len += 2;
	}
	sink->output[sink->nr] = o;
	if (out) {
		sink->active++;
		sink->direct =
			sink->active == 1 && !o->lines && !o->stamps ? o : NULL;
	}
	return sink->nr++;
}

void console_sink_set_epoch(struct console_sink *sink, uint64_t ns)
{
	sink->epoch_ns = ns;
}

int console_sink_fail_on(struct console_sink *sink, const struct line_match *m,
			 console_match_fn fn, void *opaque)
{
	sink->scan = malloc(sizeof(*sink->scan));
	if (!sink->scan)
		return -1;
	line_scan_init(sink->scan, m);
	sink->match_fn = fn;
	sink->match_opaque = opaque;
	return 0;
}

void console_sink_on_room(struct console_sink *sink, console_room_fn fn,
			  void *opaque)
{
	sink->room_fn = fn;
	sink->room_opaque = opaque;
}

/* The decimal digits of v, at least width of them (leading blanks or,
 * with zeros, zeros), at p; returns the count.  snprintf() took ten
 * times as long, once per line. */
static size_t put_decimal(char *p, uint64_t v, size_t width, char pad)
{
	char digits[20];
	size_t n = 0, i;

	do {
		digits[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	for (i = 0; n + i < width; i++)
		p[i] = pad;
	while (n)
		p[i++] = digits[--n];
	return i;
}

/* "[    1.234567] ": seconds since the epoch, as Linux's printk has it. */
static void put_stamp(const struct console_sink *sink, struct sink_output *o)
{
	uint64_t now = out_stream_now_ns();
	uint64_t us = (now > sink->epoch_ns ? now - sink->epoch_ns : 0) / 1000;
	char *p = o->buf + o->len;

	*p++ = '[';
	p += put_decimal(p, us / 1000000, 5, ' ');
	*p++ = '.';
	p += put_decimal(p, us % 1000000, 6, '0');
	*p++ = ']';
	*p++ = ' ';
	o->len = p - o->buf;
}

/* Prefixed lines: the time and the prefix, when a line begins. */
static void start_line(const struct console_sink *sink, struct sink_output *o)
{
	o->len = 0;
	o->content = 0;
	if (o->stamps)
		put_stamp(sink, o);
	memcpy(o->buf + o->len, o->prefix, o->prefix_len);
	o->len += o->prefix_len;
	o->line_start = false;
}

/*
 * Prefixed lines: "\r" is dropped (guests end lines with \r\n: keep
 * \n); "\n" or CONSOLE_SINK_LINE_MAX bytes complete a line, and a line
 * cut there gets a "\n" of its own (the guest's next "\n" is then
 * dropped).  p[0..n) fits the line and holds a "\n" at most at its end.
 */
static void put_line_span(const struct console_sink *sink,
			  struct sink_output *o, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = p[i];

		if (c == '\r' || (c == '\n' && o->split)) {
			o->split = false;
			continue;
		}
		o->split = false;
		if (o->line_start)
			start_line(sink, o);
		o->buf[o->len++] = c;
		if (c != '\n' && ++o->content < CONSOLE_SINK_LINE_MAX)
			continue;
		if (c != '\n') {
			o->buf[o->len++] = '\n';
			o->split = true;
		}
		o->line_done = true;
		o->line_start = true;
	}
}

/* A stream of bytes: as they come, a line's time first if asked. */
static void put_bytes_span(const struct console_sink *sink,
			   struct sink_output *o, const char *p, size_t n)
{
	if (o->line_start && o->stamps)
		put_stamp(sink, o);
	memcpy(o->buf + o->len, p, n);
	o->len += n;
	o->line_start = p[n - 1] == '\n';
}

static void put_span(const struct console_sink *sink, struct sink_output *o,
		     const char *p, size_t n)
{
	if (!o->out)
		return;
	if (o->lines)
		put_line_span(sink, o, p, n);
	else
		put_bytes_span(sink, o, p, n);
}

/* Into o's stream: as out_stream_write(), or all of it after
 * console_sink_last(). */
static size_t put(struct sink_output *o, const void *buf, size_t len,
		  bool whole)
{
	if (o->sink->last)
		return out_stream_write_last(o->out, buf, len);
	return out_stream_write(o->out, buf, len, whole);
}

/* Lines: the complete line into the stream, whole, if it fits. */
static bool commit_line(struct sink_output *o)
{
	if (!put(o, o->buf, o->len, true))
		return false;
	o->len = 0;
	o->line_done = false;
	return true;
}

/* A stream of bytes: as much of what it holds as the stream takes. */
static void flush_bytes(struct sink_output *o)
{
	size_t n = put(o, o->buf, o->len, false);

	memmove(o->buf, o->buf + n, o->len - n);
	o->len -= n;
}

/* A stream of bytes: what buf has room for, a time included. */
static size_t bytes_room(const struct sink_output *o)
{
	size_t used = o->len + STAMP_MAX;

	return used < sizeof(o->buf) ? sizeof(o->buf) - used : 0;
}

/*
 * How many of the next n bytes o takes now (0: none until its stream
 * has room); hands over what it holds to make room.
 */
static size_t output_room(struct sink_output *o, size_t n)
{
	size_t room;

	if (!o->out)
		return n;
	if (o->lines) {
		if (o->line_done && !commit_line(o))
			return 0;
		room = CONSOLE_SINK_LINE_MAX - (o->line_start ? 0 : o->content);
	} else {
		room = bytes_room(o);
		if (room < n) {
			flush_bytes(o);
			room = bytes_room(o);
		}
	}
	return n < room ? n : room;
}

/* Hand over what o holds; false if some of it must wait for room. */
static bool settle(struct sink_output *o)
{
	if (!o->out)
		return true;
	if (o->lines)
		return !o->line_done || commit_line(o);
	if (o->len)
		flush_bytes(o);
	return !o->len;
}

/* Does o hold bytes its stream has not taken yet?  (Its state only.) */
static bool holds(const struct sink_output *o)
{
	return o->out && (o->lines ? o->line_done : o->len > 0);
}

/* Under the lock: settle every output; wait for room where one holds
 * bytes back.  True when none does. */
static bool settle_all(struct console_sink *sink, bool wait)
{
	bool clear = true;
	unsigned int i;

	for (i = 0; i < sink->nr; i++) {
		if (settle(sink->output[i]))
			continue;
		clear = false;
		if (wait)
			wait_for_room(sink->output[i]);
	}
	return clear;
}

static void output_has_room(void *opaque)
{
	struct sink_output *o = opaque;
	struct console_sink *sink = o->sink;
	console_room_fn fn = NULL;
	unsigned int i;

	pthread_mutex_lock(&sink->lock);
	if (!settle(o))
		wait_for_room(o);
	for (i = 0; i < sink->nr && !holds(sink->output[i]); i++)
		;
	if (i == sink->nr)
		fn = sink->room_fn;
	pthread_mutex_unlock(&sink->lock);
	if (fn)
		fn(sink->room_opaque);
}

/* The next run of bytes handed over at once: up to a line's end. */
static size_t span(const char *p, size_t len)
{
	const char *nl;

	if (len > SPAN_MAX)
		len = SPAN_MAX;
	nl = memchr(p, '\n', len);
	return nl ? (size_t)(nl - p) + 1 : len;
}

/* Under the lock: a span at a time, as much as every output takes. */
static size_t write_outputs(struct console_sink *sink, const char *p,
			    size_t len)
{
	size_t taken = 0, n;
	unsigned int i;

	while (taken < len) {
		n = span(p + taken, len - taken);
		for (i = 0; i < sink->nr && n; i++)
			n = output_room(sink->output[i], n);
		if (!n)
			break;
		for (i = 0; i < sink->nr; i++)
			put_span(sink, sink->output[i], p + taken, n);
		taken += n;
	}
	settle_all(sink, true);
	return taken;
}

static size_t write_direct(struct console_sink *sink, const void *buf,
			   size_t len)
{
	size_t n = put(sink->direct, buf, len, false);

	if (n < len)
		wait_for_room(sink->direct);
	return n;
}

size_t console_sink_write(struct console_sink *sink, const void *buf,
			  size_t len)
{
	bool matched;
	size_t n;

	pthread_mutex_lock(&sink->lock);
	if (sink->direct)
		n = write_direct(sink, buf, len);
	else if (!sink->active)
		n = len;
	else
		n = write_outputs(sink, buf, len);
	matched = sink->scan && line_scan_feed(sink->scan, buf, n);
	pthread_mutex_unlock(&sink->lock);
	__atomic_add_fetch(&sink->taken, n, __ATOMIC_RELAXED);
	/* After a match the scan never changes its line again. */
	if (matched)
		sink->match_fn(sink->match_opaque, sink->scan->matched,
			       sink->scan->line);
	return n;
}

uint64_t console_sink_bytes(struct console_sink *sink)
{
	return sink ? __atomic_load_n(&sink->taken, __ATOMIC_RELAXED) : 0;
}

void console_sink_last(struct console_sink *sink)
{
	if (!sink)
		return;
	pthread_mutex_lock(&sink->lock);
	sink->last = true;
	sink->room_fn = NULL;
	pthread_mutex_unlock(&sink->lock);
}

void console_sink_flush(struct console_sink *sink)
{
	unsigned int i;
	bool matched;

	if (!sink)
		return;
	pthread_mutex_lock(&sink->lock);
	matched = sink->scan && line_scan_end(sink->scan);
	/* The device has stopped: a stream's room is nothing to it now,
	 * and its writes could reach a stream that is closed already. */
	sink->room_fn = NULL;
	for (i = 0; i < sink->nr; i++) {
		struct sink_output *o = sink->output[i];

		if (o->out && o->lines && !o->line_start) {
			o->buf[o->len++] = '\n';
			o->line_done = true;
			o->line_start = true;
		}
	}
	settle_all(sink, false);
	/* The last partial line is not held back for its end: it must be
	 * out before kvmux says why the run ended. */
	for (i = 0; i < sink->nr; i++)
		if (sink->output[i]->out)
			out_stream_flush(sink->output[i]->out);
	pthread_mutex_unlock(&sink->lock);
	if (matched)
		sink->match_fn(sink->match_opaque, sink->scan->matched,
			       sink->scan->line);
}

size_t console_sink_pending(struct console_sink *sink, unsigned int output)
{
	struct sink_output *o;
	size_t n;

	if (!sink || output >= sink->nr)
		return 0;
	o = sink->output[output];
	pthread_mutex_lock(&sink->lock);
	if (!o->lines)
		n = o->len;
	else
		n = o->line_done || !o->line_start ? o->content : 0;
	pthread_mutex_unlock(&sink->lock);
	return n;
}

void console_sink_destroy(struct console_sink *sink)
{
	unsigned int i;

	if (!sink)
		return;
	for (i = 0; i < sink->nr; i++)
		free(sink->output[i]);
	free(sink->scan);
	pthread_mutex_destroy(&sink->lock);
	free(sink);
}
