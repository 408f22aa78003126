// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_console_sink.c - console output through out_streams: prefixed
 * lines, back-pressure instead of loss, descriptors left non-blocking,
 * readers that go away, failing files; and iov_advance.
 */
#include <fcntl.h>
#include <errno.h>
#include <pthread.h>
#include <regex.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "kvmux/console_sink.h"
#include "kvmux/iov.h"
#include "kvmux/line_match.h"
#include "kvmux/out_stream.h"

#define FOREVER (out_stream_now_ns() + 60000000000ULL)

/* Everything the pipe holds once its writer is closed. */
static size_t read_all(int fd, char *buf, size_t size)
{
	size_t got = 0;
	ssize_t n;

	while (got < size - 1 && (n = read(fd, buf + got, size - 1 - got)) > 0)
		got += n;
	buf[got] = '\0';
	return got;
}

/* Drain the stream, close it and the pipe's write end. */
static void finish(struct out_stream *s, int write_fd)
{
	assert_int_equal(out_stream_drain(s, FOREVER, -1), 0);
	assert_int_equal(out_stream_close(s), 0);
	close(write_fd);
}

static void prefixed_lines(void **state)
{
	int p[2];
	char out[256];
	struct out_stream *s;
	struct console_sink *sink;

	assert_int_equal(pipe(p), 0);
	s = out_stream_create(p[1], NULL, NULL);
	sink = console_sink_create(s, "vm1");
	assert_non_null(sink);
	/* Bytes arrive one at a time, as from a UART; \r is dropped. */
	assert_int_equal(console_sink_write(sink, "he", 2), 2);
	assert_int_equal(console_sink_write(sink, "llo\r\nwor", 8), 8);
	assert_int_equal(console_sink_write(sink, "ld", 2), 2);
	console_sink_flush(sink); /* the VM stopped mid-line */
	finish(s, p[1]);
	read_all(p[0], out, sizeof(out));
	assert_string_equal(out, "vm1| hello\nvm1| world\n");
	console_sink_destroy(sink);
	close(p[0]);
}

static void raw_passes_through(void **state)
{
	int p[2];
	char out[64];
	struct out_stream *s;
	struct console_sink *sink;

	assert_int_equal(pipe(p), 0);
	s = out_stream_create(p[1], NULL, NULL);
	sink = console_sink_create(s, NULL);
	assert_int_equal(console_sink_write(sink, "a\r\nb", 4), 4);
	finish(s, p[1]);
	assert_int_equal(read_all(p[0], out, sizeof(out)), 4);
	assert_string_equal(out, "a\r\nb");
	console_sink_destroy(sink);
	close(p[0]);
}

/*
 * A partial line (a prompt) is not kept for its end forever: with no
 * drain and no close, it reaches the reader on its own.  Then a line
 * fed a byte at a time, as a UART hands it over, arrives whole.
 */
static void partial_line_is_written_without_its_end(void **state)
{
	char out[64] = "";
	struct out_stream *s;
	ssize_t n;
	size_t got = 0;
	int p[2];
	const char *line = "ok\n";

	assert_int_equal(pipe(p), 0);
	s = out_stream_create(p[1], NULL, NULL);
	assert_int_equal(out_stream_write(s, "login: ", 7, false), 7);
	while (got < 7 && (n = read(p[0], out + got, 7 - got)) > 0)
		got += n; /* blocks until the stream writes it */
	assert_string_equal(out, "login: ");
	for (; *line; line++)
		assert_int_equal(out_stream_write(s, line, 1, false), 1);
	finish(s, p[1]);
	assert_int_equal(read_all(p[0], out, sizeof(out)), 3);
	assert_string_equal(out, "ok\n");
	close(p[0]);
}

static void long_lines_are_split_not_lost(void **state)
{
	static char line[10000], out[20000];
	int p[2];
	struct out_stream *s;
	struct console_sink *sink;

	memset(line, 'x', sizeof(line));
	assert_int_equal(pipe(p), 0);
	s = out_stream_create(p[1], NULL, NULL);
	sink = console_sink_create(s, "v");
	assert_int_equal(console_sink_write(sink, line, sizeof(line)),
			 sizeof(line));
	console_sink_flush(sink);
	finish(s, p[1]);
	/* 10000 bytes in lines of at most 4096, each with its "v| " and
	 * "\n". */
	assert_int_equal(read_all(p[0], out, sizeof(out)),
			 sizeof(line) + 3 * 3 + 3);
	assert_int_equal(strchr(out, '\n') - out, 3 + 4096);
	console_sink_destroy(sink);
	close(p[0]);
}

static void discard_without_stream(void **state)
{
	struct console_sink *sink = console_sink_create(NULL, "quiet");

	assert_int_equal(console_sink_write(sink, "lost\n", 5), 5);
	console_sink_destroy(sink);
}

struct room {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int calls;
};

static void on_room(void *opaque)
{
	struct room *r = opaque;

	pthread_mutex_lock(&r->lock);
	r->calls++;
	pthread_cond_signal(&r->cond);
	pthread_mutex_unlock(&r->lock);
}

/* Has on_room() been called?  Waits up to 10 ms for it. */
static bool room_called(struct room *r)
{
	struct timespec ts;
	bool called;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 10 * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&r->lock);
	if (!r->calls)
		pthread_cond_timedwait(&r->cond, &r->lock, &ts);
	called = r->calls;
	pthread_mutex_unlock(&r->lock);
	return called;
}

/* What a non-blocking read got: 0 if nothing. */
static size_t read_some(int fd, char *buf, size_t len)
{
	ssize_t n = read(fd, buf, len);

	return n > 0 ? n : 0;
}

/* A reader that does not read: the sink fills up and says so, then the
 * device hears when there is room, and nothing was lost. */
static void full_stream_pushes_back(void **state)
{
	static char chunk[4096], out[4096];
	struct room r = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
			  0 };
	struct out_stream *s;
	struct console_sink *sink;
	size_t taken = 0, total = 0, n;
	int p[2];

	memset(chunk, 'y', sizeof(chunk));
	assert_int_equal(pipe(p), 0);
	s = out_stream_create(p[1], NULL, NULL);
	sink = console_sink_create(s, NULL);
	console_sink_on_room(sink, on_room, &r);
	/* The pipe (64 KiB) and the stream (64 KiB) fill; then short. */
	while ((n = console_sink_write(sink, chunk, sizeof(chunk))) ==
	       sizeof(chunk))
		taken += n;
	taken += n;
	assert_true(taken >= OUT_STREAM_CAPACITY);
	assert_true(taken < 4 * OUT_STREAM_CAPACITY);
	/* Read until the room callback comes.  One read is not always
	 * enough: the thread's write(2) to the blocking pipe may be larger
	 * than what one read frees, and it returns (and the stream has room)
	 * only once all of it is in the pipe. */
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	while (!room_called(&r))
		total += read_some(p[0], out, sizeof(out));
	assert_int_equal(console_sink_write(sink, chunk, 16), 16);
	taken += 16;
	out_stream_close(s); /* a writer is blocked or idle: both are fine */
	while ((n = read(p[0], out, sizeof(out))) > 0 && n <= sizeof(out))
		total += n;
	assert_true(total <= taken);
	console_sink_destroy(sink);
	close(p[0]);
	close(p[1]);
}

struct slow_reader {
	int fd;
	size_t got;
};

static void *read_slowly(void *arg)
{
	struct slow_reader *sr = arg;
	char buf[1000];
	ssize_t n;

	while ((n = read(sr->fd, buf, sizeof(buf))) > 0) {
		sr->got += n;
		usleep(100);
	}
	return NULL;
}

/* The parent left the descriptor non-blocking: EAGAIN is waited out,
 * never a reason to drop (300 KB through a 64 KiB pipe). */
static void nonblocking_fd_loses_nothing(void **state)
{
	static char chunk[3000];
	struct slow_reader sr;
	struct out_stream *s;
	pthread_t reader;
	size_t sent = 0;
	int p[2];

	memset(chunk, 'z', sizeof(chunk));
	assert_int_equal(pipe(p), 0);
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	sr = (struct slow_reader){ p[0], 0 };
	pthread_create(&reader, NULL, read_slowly, &sr);
	s = out_stream_create(p[1], NULL, NULL);
	while (sent < 300000) {
		size_t n = out_stream_write(s, chunk, sizeof(chunk), false);

		sent += n;
		if (n < sizeof(chunk))
			usleep(1000); /* full: the stream's thread is behind */
	}
	finish(s, p[1]);
	pthread_join(reader, NULL);
	assert_int_equal(sr.got, sent);
	close(p[0]);
}

struct events {
	int gone, failed, err;
};

static void ev_gone(void *opaque)
{
	((struct events *)opaque)->gone++;
}

static void ev_failed(void *opaque, int err)
{
	((struct events *)opaque)->failed++;
	((struct events *)opaque)->err = err;
}

static const struct out_stream_events test_events = { ev_gone, ev_failed };

/* The reader closed its end: said once, later output counted. */
static void vanished_reader_is_reported_once(void **state)
{
	struct events ev = { 0 };
	struct out_stream *s;
	int p[2];

	assert_int_equal(pipe(p), 0);
	close(p[0]);
	s = out_stream_create(p[1], &test_events, &ev);
	out_stream_write(s, "one\n", 4, false);
	out_stream_drain(s, FOREVER, -1);
	assert_int_equal(out_stream_write(s, "two\n", 4, false), 4);
	out_stream_drain(s, FOREVER, -1);
	assert_int_equal(out_stream_close(s), 8);
	assert_int_equal(ev.gone, 1);
	assert_int_equal(ev.failed, 0);
	close(p[1]);
}

/* A write error that is not EPIPE (here EBADF): failed, once. */
static void failing_file_is_reported_once(void **state)
{
	struct events ev = { 0 };
	struct out_stream *s;
	int fd = open("/dev/null", O_RDONLY);

	s = out_stream_create(fd, &test_events, &ev);
	out_stream_write(s, "x", 1, false);
	out_stream_drain(s, FOREVER, -1);
	out_stream_write(s, "y", 1, false);
	assert_int_equal(out_stream_close(s), 2);
	assert_int_equal(ev.failed, 1);
	assert_int_equal(ev.gone, 0);
	assert_int_equal(ev.err, EBADF);
	close(fd);
}

/* Two VMs' lines in one stream: whole lines, never mixed. */
static void shared_stream_keeps_lines_whole(void **state)
{
	static char out[65536];
	struct console_sink *a, *b;
	struct out_stream *s;
	char *line, *save;
	int p[2], i, lines = 0;

	assert_int_equal(pipe(p), 0);
	s = out_stream_create(p[1], NULL, NULL);
	a = console_sink_create(s, "a");
	b = console_sink_create(s, "b");
	for (i = 0; i < 200; i++) {
		console_sink_write(a, "aaaa", 4);
		console_sink_write(b, "bb", 2);
		console_sink_write(a, "aaaa\n", 5);
		console_sink_write(b, "bbbbbb\n", 7);
	}
	finish(s, p[1]);
	read_all(p[0], out, sizeof(out));
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), lines++)
		assert_true(!strcmp(line, "a| aaaaaaaa") ||
			    !strcmp(line, "b| bbbbbbbb"));
	assert_int_equal(lines, 400);
	console_sink_destroy(a);
	console_sink_destroy(b);
	close(p[0]);
}

/*
 * A stream closed with no grace at all (its thread may not have run, as
 * on a host too busy to give it the CPU in time) still hands a regular
 * file every byte: only a reader can make output undeliverable.
 */
static void regular_file_gets_everything_at_close(void **state)
{
	static uint8_t data[OUT_STREAM_CAPACITY];
	char path[] = "/tmp/kvmux-test-stream.XXXXXX";
	unsigned int round;
	struct stat st;
	int fd;

	memset(data, 'x', sizeof(data));
	for (round = 0; round < 200; round++) {
		struct out_stream *s;

		fd = mkstemp(path);
		assert_true(fd >= 0);
		unlink(path);
		strcpy(path + strlen(path) - 6, "XXXXXX");
		s = out_stream_create(fd, NULL, NULL);
		assert_non_null(s);
		assert_int_equal(out_stream_write(s, data, sizeof(data), true),
				 sizeof(data));
		assert_int_equal(out_stream_close(s), 0);
		assert_int_equal(fstat(fd, &st), 0);
		assert_int_equal(st.st_size, sizeof(data));
		close(fd);
	}
}

/*
 * A drain with no grace left still waits for a thread that has not
 * written yet (on a busy host it may not have run): /dev/null takes
 * every byte at once, so nothing may be left.  Only a descriptor that
 * takes nothing uses up the grace (stuck_reader tests in t_stop.sh).
 */
static void drain_waits_for_a_thread_that_has_not_run(void **state)
{
	static uint8_t data[OUT_STREAM_CAPACITY];
	unsigned int round;
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	for (round = 0; round < 20; round++) {
		struct out_stream *s = out_stream_create(fd, NULL, NULL);

		assert_non_null(s);
		assert_int_equal(out_stream_write(s, data, sizeof(data), true),
				 sizeof(data));
		assert_int_equal(out_stream_drain(s, out_stream_now_ns(), -1),
				 0);
		assert_int_equal(out_stream_close(s), 0);
	}
	close(fd);
}

/* Does text match the POSIX extended regular expression re? */
static bool matches(const char *re, const char *text)
{
	regex_t r;
	bool yes;

	assert_int_equal(regcomp(&r, re, REG_EXTENDED | REG_NOSUB), 0);
	yes = !regexec(&r, text, 0, NULL, 0);
	regfree(&r);
	return yes;
}

/* Two outputs (the console and its log) get the same bytes. */
static void tee_gives_every_output_the_same_bytes(void **state)
{
	int p[2], q[2];
	char out1[64], out2[64];
	struct out_stream *s1, *s2;
	struct console_sink *sink;

	assert_int_equal(pipe(p), 0);
	assert_int_equal(pipe(q), 0);
	s1 = out_stream_create(p[1], NULL, NULL);
	s2 = out_stream_create(q[1], NULL, NULL);
	sink = console_sink_create(s1, NULL);
	assert_int_equal(console_sink_add_output(sink, s2, NULL, 0), 1);
	assert_int_equal(console_sink_add_output(sink, s2, NULL, 0), -1);
	assert_int_equal(console_sink_write(sink, "ab\r\nc", 5), 5);
	assert_int_equal(console_sink_write(sink, "d", 1), 1);
	console_sink_flush(sink);
	finish(s1, p[1]);
	finish(s2, q[1]);
	read_all(p[0], out1, sizeof(out1));
	read_all(q[0], out2, sizeof(out2));
	assert_string_equal(out1, "ab\r\ncd");
	assert_string_equal(out2, "ab\r\ncd");
	console_sink_destroy(sink);
	close(p[0]);
	close(q[0]);
}

/* Fill a pipe and its stream, so that the stream takes nothing more
 * until the pipe is read (no timing: the stream's thread is blocked). */
static void make_full(struct out_stream *s, int fd)
{
	static const char filler[4096] = { 0 };

	assert_int_equal(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
	while (write(fd, filler, sizeof(filler)) > 0)
		;
	while (write(fd, filler, 1) > 0)
		;
	assert_int_equal(fcntl(fd, F_SETFL, 0), 0);
	while (out_stream_write(s, filler, sizeof(filler), false) ==
	       sizeof(filler))
		;
}

/* A thread that reads a pipe to its end, keeping what is not zero (a
 * filler's bytes). */
struct pipe_reader {
	int fd;
	pthread_t thread;
	size_t got;
	char buf[1 << 20];
};

static void *read_pipe(void *arg)
{
	struct pipe_reader *r = arg;
	char chunk[4096];
	ssize_t n, i;

	while ((n = read(r->fd, chunk, sizeof(chunk))) > 0)
		for (i = 0; i < n; i++)
			if (chunk[i] && r->got < sizeof(r->buf))
				r->buf[r->got++] = chunk[i];
	return NULL;
}

static struct pipe_reader *start_reader(int fd)
{
	struct pipe_reader *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	r->fd = fd;
	assert_int_equal(pthread_create(&r->thread, NULL, read_pipe, r), 0);
	return r;
}

/* Everything the pipe held, once its writer is closed; r is freed. */
static size_t end_reader(struct pipe_reader *r, char *out, size_t size)
{
	size_t n;

	pthread_join(r->thread, NULL);
	n = r->got < size ? r->got : size - 1;
	memcpy(out, r->buf, n);
	out[n] = '\0';
	free(r);
	return n;
}

static int room_calls(struct room *r)
{
	int n;

	pthread_mutex_lock(&r->lock);
	n = r->calls;
	pthread_mutex_unlock(&r->lock);
	return n;
}

static void wait_room_calls(struct room *r, int calls)
{
	pthread_mutex_lock(&r->lock);
	while (r->calls < calls)
		pthread_cond_wait(&r->cond, &r->lock);
	pthread_mutex_unlock(&r->lock);
}

/* The log's reader is stuck: the sink takes a bounded amount, then
 * waits, and the console's output never runs ahead of the log's. */
static void tee_waits_for_the_slower_output(void **state)
{
	static char chunk[1000], fast[8192], slow[8192];
	struct room r = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
			  0 };
	struct pipe_reader *fast_reader, *slow_reader;
	struct out_stream *s1, *s2;
	struct console_sink *sink;
	size_t taken = 0, n;
	int p[2], q[2], calls;

	memset(chunk, 'y', sizeof(chunk));
	assert_int_equal(pipe(p), 0);
	assert_int_equal(pipe(q), 0);
	s1 = out_stream_create(p[1], NULL, NULL);
	s2 = out_stream_create(q[1], NULL, NULL);
	make_full(s2, q[1]);
	sink = console_sink_create(s1, NULL);
	console_sink_add_output(sink, s2, NULL, 0);
	console_sink_on_room(sink, on_room, &r);
	while ((n = console_sink_write(sink, chunk, sizeof(chunk))) ==
	       sizeof(chunk))
		taken += n;
	taken += n;
	/* What the log's output may hold: a few KiB, not a stream's 64. */
	assert_true(taken > 0 && taken <= 8192);
	assert_int_equal(console_sink_pending(sink, 0), 0);
	assert_true(console_sink_pending(sink, 1) > 0);
	fast_reader = start_reader(p[0]);
	slow_reader = start_reader(q[0]);
	wait_room_calls(&r, 1);
	calls = room_calls(&r);
	assert_int_equal(console_sink_write(sink, "z", 1), 1);
	if (console_sink_pending(sink, 1))
		wait_room_calls(&r, calls + 1);
	console_sink_flush(sink);
	finish(s1, p[1]);
	finish(s2, q[1]);
	assert_int_equal(end_reader(fast_reader, fast, sizeof(fast)),
			 taken + 1);
	assert_int_equal(end_reader(slow_reader, slow, sizeof(slow)),
			 taken + 1);
	assert_memory_equal(fast, slow, taken + 1);
	console_sink_destroy(sink);
	close(p[0]);
	close(q[0]);
}

/*
 * What a sink makes of two writes, after a flush, on a timed output
 * (prefix: lines) that follows a discarded one.
 */
static void timed_output(const char *prefix, const char *a, const char *b,
			 char *out, size_t size)
{
	struct console_sink *sink = console_sink_new();
	struct out_stream *s;
	int p[2];

	assert_int_equal(pipe(p), 0);
	s = out_stream_create(p[1], NULL, NULL);
	assert_int_equal(console_sink_add_output(sink, NULL, NULL, 0), 0);
	assert_int_equal(console_sink_add_output(sink, s, prefix,
						 CONSOLE_SINK_TIMESTAMPS),
			 1);
	console_sink_set_epoch(sink, out_stream_now_ns());
	console_sink_write(sink, a, strlen(a));
	console_sink_write(sink, b, strlen(b));
	console_sink_flush(sink);
	finish(s, p[1]);
	read_all(p[0], out, size);
	console_sink_destroy(sink);
	close(p[0]);
}

/* --timestamps: each line starts with the seconds since the epoch. */
static void timestamps_head_each_line(void **state)
{
	char out[256];

	timed_output(NULL, "one\r\ntw", "o\n\nthr", out, sizeof(out));
	assert_true(matches("^\\[ *[0-9]+\\.[0-9]{6}\\] one\r\n"
			    "\\[ *[0-9]+\\.[0-9]{6}\\] two\n"
			    "\\[ *[0-9]+\\.[0-9]{6}\\] \n"
			    "\\[ *[0-9]+\\.[0-9]{6}\\] thr$",
			    out));
}

/* Many timed lines in big pieces, as virtio-console hands them over:
 * every line gets its time, and nothing is lost (the time's room in the
 * output's buffer is reserved). */
static void many_timed_lines(void **state)
{
	static char chunk[5000], out[1 << 20];
	struct room r = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
			  0 };
	struct console_sink *sink = console_sink_new();
	struct pipe_reader *reader;
	struct out_stream *s;
	size_t sent = 0, n;
	int p[2], i, calls, lines = 0;
	char *line, *save;

	for (i = 0; i < 5000; i++)
		chunk[i] = i % 50 == 49 ? '\n' : 'a' + i % 26;
	assert_int_equal(pipe(p), 0);
	s = out_stream_create(p[1], NULL, NULL);
	console_sink_add_output(sink, s, NULL, CONSOLE_SINK_TIMESTAMPS);
	console_sink_on_room(sink, on_room, &r);
	reader = start_reader(p[0]);
	while (sent < 100 * sizeof(chunk)) {
		calls = room_calls(&r);
		n = console_sink_write(sink, chunk + sent % sizeof(chunk),
				       sizeof(chunk) - sent % sizeof(chunk));
		sent += n;
		if (!n) /* full: offer the rest again when there is room */
			wait_room_calls(&r, calls + 1);
	}
	calls = room_calls(&r);
	if (console_sink_pending(sink, 0))
		wait_room_calls(&r, calls + 1);
	console_sink_flush(sink);
	finish(s, p[1]);
	end_reader(reader, out, sizeof(out));
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), lines++)
		assert_true(matches("^\\[[ 0-9]{5}\\.[0-9]{6}\\] [a-z]{49}$",
				    line));
	assert_int_equal(lines, 100 * 5000 / 50);
	console_sink_destroy(sink);
	close(p[0]);
}

/* Shared lines with times: the time, then the prefix. */
static void prefixed_lines_with_timestamps(void **state)
{
	char out[256];

	timed_output("vm", "a\r\nb", "", out, sizeof(out));
	assert_true(matches("^\\[ *[0-9]+\\.[0-9]{6}\\] vm\\| a\n"
			    "\\[ *[0-9]+\\.[0-9]{6}\\] vm\\| b\n$",
			    out));
}

struct failure {
	int calls;
	char pattern[64], line[128];
};

static void on_failure(void *opaque, const char *pattern, const char *line)
{
	struct failure *f = opaque;

	f->calls++;
	snprintf(f->pattern, sizeof(f->pattern), "%s", pattern);
	snprintf(f->line, sizeof(f->line), "%s", line);
}

/* --fail-on sees whole lines, however the bytes arrive, on a sink with
 * no output at all (--console-output none) as on one with a stream. */
static void fail_on_matches_lines_across_writes(void **state)
{
	static const char *const patterns[] = { "^Kernel panic", "linux" };
	struct line_match *m = line_match_create(patterns, 2);
	struct failure f = { 0 };
	struct console_sink *sink;
	char out[256];
	struct out_stream *s;
	int p[2], i;

	assert_non_null(m);
	for (i = 0; i < 2; i++) {
		memset(&f, 0, sizeof(f));
		if (i) {
			assert_int_equal(pipe(p), 0);
			s = out_stream_create(p[1], NULL, NULL);
		}
		sink = console_sink_create(i ? s : NULL, NULL);
		assert_int_equal(console_sink_fail_on(sink, m, on_failure, &f),
				 0);
		console_sink_write(sink, "ok\nKernel pa", 12);
		assert_int_equal(f.calls, 0);
		console_sink_write(sink, "nic - not sync", 14);
		console_sink_write(sink, "ing\r", 4);
		assert_int_equal(f.calls, 0);
		console_sink_write(sink, "\nBUG: later\n", 12);
		assert_int_equal(f.calls, 1);
		assert_string_equal(f.pattern, "^Kernel panic");
		assert_string_equal(f.line, "Kernel panic - not syncing");
		console_sink_destroy(sink);
		if (i) {
			finish(s, p[1]);
			read_all(p[0], out, sizeof(out));
			assert_string_equal(out, "ok\nKernel panic - not "
						 "syncing\r\nBUG: later\n");
			close(p[0]);
		}
	}
	line_match_free(m);
}

static void advance_over_entries(void **state)
{
	char a[4], b[8], c[2];
	struct iovec vec[3] = { { a, 4 }, { b, 8 }, { c, 2 } };
	struct iovec *iov = vec;
	int n = 3;

	iov_advance(&iov, &n, 6);
	assert_int_equal(n, 2);
	assert_ptr_equal(iov->iov_base, b + 2);
	assert_int_equal(iov->iov_len, 6);
	iov_advance(&iov, &n, 8);
	assert_int_equal(n, 0);
}

int main(void)
{
	/* As kvmux does: a vanished reader is EPIPE, not a fatal signal. */
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(prefixed_lines),
		cmocka_unit_test(raw_passes_through),
		cmocka_unit_test(partial_line_is_written_without_its_end),
		cmocka_unit_test(long_lines_are_split_not_lost),
		cmocka_unit_test(discard_without_stream),
		cmocka_unit_test(full_stream_pushes_back),
		cmocka_unit_test(nonblocking_fd_loses_nothing),
		cmocka_unit_test(vanished_reader_is_reported_once),
		cmocka_unit_test(failing_file_is_reported_once),
		cmocka_unit_test(shared_stream_keeps_lines_whole),
		cmocka_unit_test(regular_file_gets_everything_at_close),
		cmocka_unit_test(drain_waits_for_a_thread_that_has_not_run),
		cmocka_unit_test(tee_gives_every_output_the_same_bytes),
		cmocka_unit_test(tee_waits_for_the_slower_output),
		cmocka_unit_test(timestamps_head_each_line),
		cmocka_unit_test(prefixed_lines_with_timestamps),
		cmocka_unit_test(many_timed_lines),
		cmocka_unit_test(fail_on_matches_lines_across_writes),
		cmocka_unit_test(advance_over_entries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
