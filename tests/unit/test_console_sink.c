// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_console_sink.c - console output through out_streams: prefixed
 * lines, back-pressure instead of loss, descriptors left non-blocking,
 * readers that go away, failing files; and iov_advance.
 *
 * A stream is one of two kinds (kvmux/out_stream.h), and each test of
 * what a stream does runs on both (ON_BOTH()): direct, on a pipe, served
 * by an event loop on a thread of its own (loop_thread.h) as kvmux's
 * main thread serves stdout; threaded, on a socket (stdout a socket), a
 * thread of the stream's own.  The tests of the direct kind's own ways
 * (no thread, the parent's description left alone, no loop) follow.
 */
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <poll.h>
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
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "kvmux/console_sink.h"
#include "kvmux/iov.h"
#include "kvmux/line_match.h"
#include "kvmux/out_stream.h"
#include "loop_thread.h"

#define FOREVER (out_stream_now_ns() + 60000000000ULL)
/* A bound against hangs on a loaded machine, not a timing expectation. */
#define WAIT_S 60

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

/* CLOCK_REALTIME WAIT_S from now, for the tests' condition variables. */
static struct timespec wait_deadline(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += WAIT_S;
	return ts;
}

/* The ids of the process's threads, as /proc/self/task lists them. */
struct tasks {
	long id[256];
	unsigned int n;
};

static void read_tasks(struct tasks *t)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;

	assert_non_null(d);
	t->n = 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') {
			assert_true(t->n < sizeof(t->id) / sizeof(t->id[0]));
			t->id[t->n++] = atol(e->d_name);
		}
	closedir(d);
}

/*
 * All of them.  A listing that a thread's end overtakes stops at that
 * thread (the kernel walks the list from it), missing the later ones: an
 * idle stream thread of an earlier test, left to end by itself, may end
 * at any time.  So the list is read until two readings agree (a thread
 * that ended during one is in it and not in the next).
 */
static void list_tasks(struct tasks *t)
{
	struct tasks again;

	read_tasks(t);
	for (;;) {
		read_tasks(&again);
		if (again.n == t->n &&
		    !memcmp(again.id, t->id, t->n * sizeof(t->id[0])))
			return;
		*t = again;
	}
}

/* How many of after's threads before did not have: those started in
 * between (others may have ended meanwhile: a count would miss one). */
static unsigned int tasks_started(const struct tasks *before,
				  const struct tasks *after)
{
	unsigned int i, j, started = 0;

	for (i = 0; i < after->n; i++) {
		for (j = 0; j < before->n && before->id[j] != after->id[i]; j++)
			;
		started += j == before->n;
	}
	return started;
}

/* How many of the process's descriptors are open on fd's file. */
static unsigned int fds_on(int fd)
{
	DIR *d = opendir("/proc/self/fd");
	struct stat st, other;
	unsigned int n = 0;
	struct dirent *e;

	assert_non_null(d);
	assert_int_equal(fstat(fd, &st), 0);
	while ((e = readdir(d))) {
		int i = atoi(e->d_name);

		if (e->d_name[0] != '.' && i != dirfd(d) && !fstat(i, &other) &&
		    other.st_dev == st.st_dev && other.st_ino == st.st_ino)
			n++;
	}
	closedir(d);
	return n;
}

/* A stream on fd, and in *started how many threads making it started. */
static struct out_stream *create_counted(int fd,
					 const struct out_stream_events *ev,
					 void *opaque, unsigned int *started)
{
	struct tasks before, after;
	struct out_stream *s;

	list_tasks(&before);
	s = out_stream_create(fd, ev, opaque);
	list_tasks(&after);
	*started = tasks_started(&before, &after);
	return s;
}

enum kind { DIRECT, THREADED };
static enum kind kinds[] = { DIRECT, THREADED };

/* The test f, once on each kind of stream (state: the kind). */
/* clang-format off */
#define ON_BOTH(f) \
	{ #f "/direct", f, NULL, NULL, &kinds[DIRECT] }, \
	{ #f "/threaded", f, NULL, NULL, &kinds[THREADED] }
/* clang-format on */

static enum kind kind_of(void **state)
{
	return *(enum kind *)*state;
}

/*
 * Where a test's stream writes (wr) and its reader reads (rd): a pipe
 * for a direct stream, a socket for a threaded one.  The socket's send
 * buffer is cut to about a pipe's 64 KiB (the kernel doubles what it is
 * given, and counts each write's overhead), so that a bound on what the
 * descriptor and the stream take holds for both.
 */
struct peer {
	enum kind kind;
	int rd, wr;
	struct out_stream *s;
	struct loop_thread lt; /* direct, attached: serves s */
	bool attached;
	unsigned int twins; /* descriptors the stream opened on wr's file */
};

static void peer_open(struct peer *p, enum kind kind)
{
	int fds[2], size = 32 * 1024;

	memset(p, 0, sizeof(*p));
	p->kind = kind;
	if (kind == DIRECT) {
		assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	} else {
		assert_int_equal(
			socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds),
			0);
		assert_int_equal(setsockopt(fds[1], SOL_SOCKET, SO_SNDBUF,
					    &size, sizeof(size)),
				 0);
	}
	p->rd = fds[0];
	p->wr = fds[1];
}

/*
 * The stream on p->wr, which must be of p's kind (a direct one starts no
 * thread); a direct one is served by a loop thread of its own if attach
 * (else only out_stream_drain() writes what the reader could not take).
 */
static struct out_stream *peer_stream(struct peer *p,
				      const struct out_stream_events *ev,
				      void *opaque, bool attach)
{
	unsigned int started, fds = fds_on(p->wr);

	p->s = create_counted(p->wr, ev, opaque, &started);
	assert_non_null(p->s);
	p->twins = fds_on(p->wr) - fds;
	if (p->kind == DIRECT)
		assert_int_equal(started, 0);
	else
		assert_true(started >= 1);
	if (p->kind == DIRECT && attach) {
		assert_int_equal(lt_init(&p->lt), 0);
		p->attached = true;
		assert_int_equal(out_stream_attach(p->s, &p->lt.loop), 0);
		assert_int_equal(lt_start(&p->lt), 0);
	}
	return p->s;
}

/* A pipe or a socket of the test's kind, and its stream. */
static struct out_stream *peer_start(struct peer *p, void **state)
{
	peer_open(p, kind_of(state));
	return peer_stream(p, NULL, NULL, true);
}

/* Before draining or closing a direct stream: its loop stops (kvmux's
 * main thread drains its streams after its loop). */
static void peer_stop_loop(struct peer *p)
{
	if (p->attached)
		lt_stop(&p->lt);
}

/* As at the end of a run: every byte delivered; the writer's end closed
 * (the reader sees its end). */
static void peer_finish(struct peer *p)
{
	peer_stop_loop(p);
	assert_int_equal(out_stream_drain(p->s, FOREVER, -1), 0);
	assert_int_equal(out_stream_close(p->s), 0);
	p->s = NULL;
	close(p->wr);
	p->wr = -1;
}

/* After the stream's close. */
static void peer_free(struct peer *p)
{
	if (p->attached)
		lt_free(&p->lt);
	if (p->rd >= 0)
		close(p->rd);
	if (p->wr >= 0)
		close(p->wr);
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
	n = r->got;
	free(r);
	return n;
}

/* Byte i of a test's output: never 0 (a filler), and a lost, doubled or
 * misplaced run of bytes shows unless it is 251 bytes long or a multiple
 * of that (the count shows those). */
static char pattern(size_t i)
{
	return (char)(1 + i % 251);
}

static void fill_pattern(char *buf, size_t from, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = pattern(from + i);
}

/* A reader of pattern() bytes to the end, taking its time if slow (a
 * pace, not a condition of the tests): 0.1 ms per read, and pause_ms
 * after every pause_every bytes, if set. */
struct checker {
	int fd;
	bool slow;
	size_t pause_every;
	unsigned int pause_ms;
	pthread_t thread;
	size_t got;
	size_t bad; /* the first wrong byte's offset; SIZE_MAX: none */
};

static void *check_pattern(void *arg)
{
	struct checker *c = arg;
	char buf[1000];
	size_t since_pause = 0;
	ssize_t n, i;

	while ((n = read(c->fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < n; i++, c->got++)
			if (buf[i] != pattern(c->got) && c->bad == SIZE_MAX)
				c->bad = c->got;
		if (c->slow)
			usleep(100);
		since_pause += n;
		if (c->pause_every && since_pause >= c->pause_every) {
			since_pause = 0;
			usleep(c->pause_ms * 1000);
		}
	}
	return NULL;
}

static void start_checker(struct checker *c, int fd, bool slow)
{
	*c = (struct checker){ .fd = fd, .slow = slow, .bad = SIZE_MAX };
	assert_int_equal(pthread_create(&c->thread, NULL, check_pattern, c), 0);
}

/* Once the writer's end is closed: the reader got exactly sent bytes of
 * the pattern, in order. */
static void end_checker(struct checker *c, size_t sent)
{
	pthread_join(c->thread, NULL);
	assert_int_equal(c->bad, SIZE_MAX);
	assert_int_equal(c->got, sent);
}

/* Fill s with pattern() bytes from *sent on until it refuses some (its
 * descriptor takes no more: the stream met EAGAIN, or its thread is
 * blocked). */
static void fill_with_pattern(struct out_stream *s, size_t *sent)
{
	char chunk[4096];
	size_t n;

	do {
		fill_pattern(chunk, *sent, sizeof(chunk));
		n = out_stream_write(s, chunk, sizeof(chunk), false);
		*sent += n;
	} while (n == sizeof(chunk));
}

struct room {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int calls;
};

#define ROOM_INIT                                                      \
	{                                                              \
		PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0 \
	}

static void on_room(void *opaque)
{
	struct room *r = opaque;

	pthread_mutex_lock(&r->lock);
	r->calls++;
	pthread_cond_signal(&r->cond);
	pthread_mutex_unlock(&r->lock);
}

static int room_calls(struct room *r)
{
	int n;

	pthread_mutex_lock(&r->lock);
	n = r->calls;
	pthread_mutex_unlock(&r->lock);
	return n;
}

/* Wait until on_room() was called calls times in all (for WAIT_S at
 * most: a call that never comes fails the test, it does not hang it). */
static void wait_room_calls(struct room *r, int calls)
{
	struct timespec ts = wait_deadline();
	int rc = 0, called;

	pthread_mutex_lock(&r->lock);
	while (r->calls < calls && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&r->cond, &r->lock, &ts);
	called = r->calls;
	pthread_mutex_unlock(&r->lock);
	assert_true(called >= calls);
}

struct events {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int gone, failed, err;
	pthread_t thread; /* the last call's */
};

#define EVENTS_INIT                                \
	{                                          \
		.lock = PTHREAD_MUTEX_INITIALIZER, \
		.cond = PTHREAD_COND_INITIALIZER   \
	}

static void ev_gone(void *opaque)
{
	struct events *ev = opaque;

	pthread_mutex_lock(&ev->lock);
	ev->gone++;
	ev->thread = pthread_self();
	pthread_cond_signal(&ev->cond);
	pthread_mutex_unlock(&ev->lock);
}

static void ev_failed(void *opaque, int err)
{
	struct events *ev = opaque;

	pthread_mutex_lock(&ev->lock);
	ev->failed++;
	ev->err = err;
	ev->thread = pthread_self();
	pthread_cond_signal(&ev->cond);
	pthread_mutex_unlock(&ev->lock);
}

static const struct out_stream_events test_events = { ev_gone, ev_failed };

/* Wait for the first event (for WAIT_S at most). */
static void wait_event(struct events *ev)
{
	struct timespec ts = wait_deadline();
	int rc = 0, events;

	pthread_mutex_lock(&ev->lock);
	while (!ev->gone && !ev->failed && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&ev->cond, &ev->lock, &ts);
	events = ev->gone + ev->failed;
	pthread_mutex_unlock(&ev->lock);
	assert_true(events > 0);
}

/* The thread that reported p's event: its loop's, or the stream's own
 * (never the writer's: it may hold locks the owner's callback takes). */
static void assert_reported_by_server(struct events *ev, struct peer *p)
{
	pthread_t thread;

	pthread_mutex_lock(&ev->lock);
	thread = ev->thread;
	pthread_mutex_unlock(&ev->lock);
	if (p->kind == DIRECT)
		assert_true(pthread_equal(thread, p->lt.thread));
	else
		assert_false(pthread_equal(thread, pthread_self()));
}

static void prefixed_lines(void **state)
{
	struct pipe_reader *r;
	struct console_sink *sink;
	struct peer p;
	char out[256];

	sink = console_sink_create(peer_start(&p, state), "vm1");
	assert_non_null(sink);
	r = start_reader(p.rd);
	/* Bytes arrive one at a time, as from a UART; \r is dropped. */
	assert_int_equal(console_sink_write(sink, "he", 2), 2);
	assert_int_equal(console_sink_write(sink, "llo\r\nwor", 8), 8);
	assert_int_equal(console_sink_write(sink, "ld", 2), 2);
	console_sink_flush(sink); /* the VM stopped mid-line */
	peer_finish(&p);
	end_reader(r, out, sizeof(out));
	assert_string_equal(out, "vm1| hello\nvm1| world\n");
	console_sink_destroy(sink);
	peer_free(&p);
}

static void raw_passes_through(void **state)
{
	struct pipe_reader *r;
	struct console_sink *sink;
	struct peer p;
	char out[64];

	sink = console_sink_create(peer_start(&p, state), NULL);
	r = start_reader(p.rd);
	assert_int_equal(console_sink_write(sink, "a\r\nb", 4), 4);
	peer_finish(&p);
	assert_int_equal(end_reader(r, out, sizeof(out)), 4);
	assert_string_equal(out, "a\r\nb");
	console_sink_destroy(sink);
	peer_free(&p);
}

/*
 * A partial line (a prompt) is not kept for its end forever: with no
 * drain and no close, it reaches the reader on its own.  Then a line
 * fed a byte at a time, as a UART hands it over, arrives whole.
 */
static void partial_line_is_written_without_its_end(void **state)
{
	struct out_stream *s = NULL;
	const char *line = "ok\n";
	char out[64] = "";
	size_t got = 0;
	struct peer p;
	ssize_t n;

	s = peer_start(&p, state);
	assert_int_equal(out_stream_write(s, "login: ", 7, false), 7);
	while (got < 7 && (n = read(p.rd, out + got, 7 - got)) > 0)
		got += n; /* blocks until the stream writes it */
	assert_string_equal(out, "login: ");
	for (; *line; line++)
		assert_int_equal(out_stream_write(s, line, 1, false), 1);
	peer_finish(&p);
	assert_int_equal(read_all(p.rd, out, sizeof(out)), 3);
	assert_string_equal(out, "ok\n");
	peer_free(&p);
}

/*
 * A partial line waits its own 5 ms, not what is left of an earlier
 * one's: "x" starts a wait, "\ny" ends that line 4 ms later and starts
 * another, which the wait begun for "x" must not send before its time
 * (as a UART hands over a line in about 2 ms, that split every other
 * line in two).  Only a lower bound is asserted: a loaded host delays
 * the write, it never hastens it.
 */
static void partial_line_waits_from_its_own_start(void **state)
{
	struct timespec pause = { 0, 4 * 1000000 };
	uint64_t sent;
	char out[8] = "";
	size_t got = 0;
	struct peer p;
	ssize_t n;

	peer_start(&p, state);
	assert_int_equal(out_stream_write(p.s, "x", 1, false), 1);
	nanosleep(&pause, NULL);
	sent = out_stream_now_ns();
	assert_int_equal(out_stream_write(p.s, "\ny", 2, false), 2);
	while (got < 3 && (n = read(p.rd, out + got, 3 - got)) > 0)
		got += n; /* blocks until the stream writes "y" */
	assert_true(out_stream_now_ns() - sent >= 5 * 1000000);
	assert_string_equal(out, "x\ny");
	peer_finish(&p);
	peer_free(&p);
}

static void long_lines_are_split_not_lost(void **state)
{
	static char line[10000], out[20000];
	struct console_sink *sink;
	struct pipe_reader *r;
	struct peer p;

	memset(line, 'x', sizeof(line));
	sink = console_sink_create(peer_start(&p, state), "v");
	r = start_reader(p.rd);
	assert_int_equal(console_sink_write(sink, line, sizeof(line)),
			 sizeof(line));
	console_sink_flush(sink);
	peer_finish(&p);
	/* 10000 bytes in lines of at most 4096, each with its "v| " and
	 * "\n". */
	assert_int_equal(end_reader(r, out, sizeof(out)),
			 sizeof(line) + 3 * 3 + 3);
	assert_int_equal(strchr(out, '\n') - out, 3 + 4096);
	console_sink_destroy(sink);
	peer_free(&p);
}

static void discard_without_stream(void **state)
{
	struct console_sink *sink = console_sink_create(NULL, "quiet");

	assert_int_equal(console_sink_write(sink, "lost\n", 5), 5);
	console_sink_destroy(sink);
}

/* A reader that does not read: the sink fills up and says so, then the
 * device hears when there is room, and nothing was lost. */
static void full_stream_pushes_back(void **state)
{
	static char chunk[4096], out[4 * OUT_STREAM_CAPACITY];
	struct room r = ROOM_INIT;
	struct console_sink *sink;
	struct pipe_reader *reader;
	size_t taken = 0, n, i;
	struct peer p;

	memset(chunk, 'y', sizeof(chunk));
	sink = console_sink_create(peer_start(&p, state), NULL);
	console_sink_on_room(sink, on_room, &r);
	/* The pipe or socket (about 64 KiB) and the stream (64 KiB) fill;
	 * then short. */
	while ((n = console_sink_write(sink, chunk, sizeof(chunk))) ==
	       sizeof(chunk))
		taken += n;
	taken += n;
	assert_true(taken >= OUT_STREAM_CAPACITY);
	assert_true(taken < 4 * OUT_STREAM_CAPACITY);
	reader = start_reader(p.rd);
	wait_room_calls(&r, 1);
	assert_int_equal(console_sink_write(sink, chunk, 16), 16);
	taken += 16;
	peer_finish(&p);
	assert_int_equal(end_reader(reader, out, sizeof(out)), taken);
	for (i = 0; i < taken; i++)
		assert_int_equal(out[i], 'y');
	console_sink_destroy(sink);
	peer_free(&p);
}

/*
 * Over 300 KB through a descriptor that holds 64 KiB, to a reader that
 * takes its time; the writer offers the rest again when told there is
 * room: every byte arrives, in order.  nonblocking: the parent left the
 * descriptor so (EAGAIN is waited out, never a reason to drop); a direct
 * stream still writes through a description of its own (the parent may
 * clear the flag on the one it shares at any time).
 */
static void slow_reader_gets_everything(enum kind kind, bool nonblocking)
{
	static char chunk[3000];
	struct room r = ROOM_INIT;
	struct checker c;
	struct out_stream *s;
	size_t sent = 0, n;
	struct peer p;
	int calls;

	peer_open(&p, kind);
	if (nonblocking)
		assert_int_equal(fcntl(p.wr, F_SETFL, O_NONBLOCK), 0);
	start_checker(&c, p.rd, true);
	s = peer_stream(&p, NULL, NULL, true);
	/* Direct: a description of its own, whatever the parent's flags. */
	assert_int_equal(p.twins, kind == DIRECT);
	while (sent < 300 * 1024) {
		fill_pattern(chunk, sent, sizeof(chunk));
		calls = room_calls(&r);
		n = out_stream_write(s, chunk, sizeof(chunk), false);
		sent += n;
		if (n < sizeof(chunk)) {
			assert_int_equal(out_stream_wait_room(s, on_room, &r),
					 0);
			wait_room_calls(&r, calls + 1);
		}
	}
	assert_int_equal(!!(fcntl(p.wr, F_GETFL) & O_NONBLOCK), nonblocking);
	peer_finish(&p);
	end_checker(&c, sent);
	peer_free(&p);
}

static void slow_reader_loses_nothing(void **state)
{
	slow_reader_gets_everything(kind_of(state), false);
}

static void nonblocking_fd_loses_nothing(void **state)
{
	slow_reader_gets_everything(kind_of(state), true);
}

/*
 * At the end of a run, a reader that keeps reading, but takes longer than
 * the drain's grace for all of it, still gets every byte: it takes 16 KiB
 * every 0.35 s, the full buffer and descriptor (72 KiB) take about
 * 1.6 s, the grace is 1 s.  The grace is how long the reader may take
 * nothing in a row, and a threaded stream's writes to a socket end at
 * least every 16 KiB, so that the drain sees them move.  (Before, a
 * socket's one blocking write of the whole buffer looked stuck until it
 * ended, and the drain gave up after 1 s.)  A 0.35 s pause would have to
 * last 1 s, or all of them 4.6 s, for this to fail.
 */
static void slow_reader_gets_everything_at_the_end(void **state)
{
	uint64_t grace = 1000000000ull;
	struct checker c;
	struct out_stream *s;
	size_t sent = 0;
	struct peer p;
	int small = 4096;

	peer_open(&p, kind_of(state));
	if (p.kind == THREADED)
		assert_int_equal(setsockopt(p.wr, SOL_SOCKET, SO_SNDBUF, &small,
					    sizeof(small)),
				 0);
	else
		assert_true(fcntl(p.wr, F_SETPIPE_SZ, small) >= small);
	s = peer_stream(&p, NULL, NULL, true);
	fill_with_pattern(s, &sent); /* nobody reads yet: it fills up */
	peer_stop_loop(&p);
	c = (struct checker){ .fd = p.rd,
			      .pause_every = 16 * 1024,
			      .pause_ms = 350,
			      .bad = SIZE_MAX };
	assert_int_equal(pthread_create(&c.thread, NULL, check_pattern, &c), 0);
	assert_int_equal(out_stream_drain(s, out_stream_now_ns() + grace, -1),
			 0);
	assert_int_equal(out_stream_close(s), 0);
	close(p.wr);
	p.wr = -1;
	end_checker(&c, sent);
	peer_free(&p);
}

/*
 * Bytes written last (a stopped console's) wait behind a full buffer
 * nobody reads, in order, and no other write gets ahead of them; a
 * reader that comes later gets every byte.
 */
static void last_bytes_wait_behind_a_full_buffer(void **state)
{
	static char more[100 * 1024];
	struct out_stream *s;
	struct checker c;
	size_t sent = 0;
	struct peer p;

	s = peer_start(&p, state);
	fill_with_pattern(s, &sent); /* nobody reads yet: it fills up */
	fill_pattern(more, sent, sizeof(more));
	assert_int_equal(out_stream_write_last(s, more, sizeof(more)),
			 sizeof(more));
	sent += sizeof(more);
	/* Full, whatever the thread or loop took out meanwhile. */
	assert_int_equal(out_stream_write(s, "x", 1, false), 0);
	start_checker(&c, p.rd, false);
	peer_finish(&p);
	end_checker(&c, sent);
	peer_free(&p);
}

/* n bytes of pattern() from fd, from byte from on, read here. */
static void read_pattern(int fd, size_t from, size_t n)
{
	char buf[4096];
	ssize_t got, i;

	while (n) {
		got = read(fd, buf, n < sizeof(buf) ? n : sizeof(buf));
		assert_true(got > 0);
		for (i = 0; i < got; i++)
			assert_int_equal(buf[i], pattern(from + i));
		from += got;
		n -= got;
	}
}

/* pattern() bytes [from, to) through out_stream_write_last(), a small
 * piece at a time (as a sink hands a stopped console's over). */
static void write_last_pattern(struct out_stream *s, size_t from, size_t to)
{
	char piece[1000];
	size_t n;

	for (; from < to; from += n) {
		n = to - from < sizeof(piece) ? to - from : sizeof(piece);
		fill_pattern(piece, from, n);
		assert_int_equal(out_stream_write_last(s, piece, n), n);
	}
}

/*
 * The overflow is a ring: bytes written last after the reader took some
 * of it wrap around its end and still come out in order, none lost,
 * though more than OUT_STREAM_OVERFLOW_MAX went through it in all.
 */
static void last_bytes_wrap_around_the_overflow(void **state)
{
	size_t first = OUT_STREAM_OVERFLOW_MAX * 3 / 4, sent = 0, taken;
	struct out_stream *s;
	struct checker c;
	struct peer p;

	s = peer_start(&p, state);
	fill_with_pattern(s, &sent);
	write_last_pattern(s, sent, sent + first);
	sent += first;
	/* What the reader takes the stream refills from the overflow: most
	 * of it is out, and what follows wraps around the overflow's end
	 * (more than OUT_STREAM_OVERFLOW_MAX through it in all), within
	 * its bound. */
	taken = OUT_STREAM_OVERFLOW_MAX * 3 / 4 - 64 * 1024;
	read_pattern(p.rd, 0, taken);
	write_last_pattern(s, sent, sent + OUT_STREAM_OVERFLOW_MAX / 2);
	sent += OUT_STREAM_OVERFLOW_MAX / 2;
	c = (struct checker){ .fd = p.rd, .got = taken, .bad = SIZE_MAX };
	assert_int_equal(pthread_create(&c.thread, NULL, check_pattern, &c), 0);
	peer_finish(&p);
	end_checker(&c, sent);
	peer_free(&p);
}

/*
 * What a stream holds for a reader that never reads is bounded: beyond
 * the buffer and OUT_STREAM_OVERFLOW_MAX, bytes written last are counted
 * as lost at once, and everything not written is counted at close.
 */
static void last_bytes_beyond_the_bound_are_counted(void **state)
{
	size_t len = OUT_STREAM_CAPACITY + OUT_STREAM_OVERFLOW_MAX + 5000;
	char *more = malloc(len);
	struct out_stream *s;
	size_t sent = 0;
	uint64_t lost;
	struct peer p;

	assert_non_null(more);
	memset(more, 'z', len);
	s = peer_start(&p, state);
	fill_with_pattern(s, &sent);
	assert_int_equal(out_stream_write_last(s, more, len), len);
	sent += len;
	peer_stop_loop(&p);
	assert_true(out_stream_drain(s, out_stream_now_ns() + 100000000ull,
				     -1) > 0);
	lost = out_stream_close(s);
	/* At most what the descriptor holds went out. */
	assert_true(lost >= OUT_STREAM_OVERFLOW_MAX + 5000);
	assert_true(lost <= sent);
	free(more);
	/* A threaded stream's thread was left in write(2), as kvmux leaves
	 * it (out_stream_close()): it ends once its reader goes, and its
	 * descriptor stays open, as kvmux's stdout does until exit. */
	if (p.kind == THREADED)
		p.wr = -1;
	peer_free(&p);
}

/* Read n bytes of SOCK_SEQPACKET records from fd, each whole lines
 * (ending in "\n"): at most 16 KiB of them, or one longer line; returns
 * the largest record. */
static size_t read_line_records(int fd, size_t n)
{
	static char rec[128 * 1024];
	size_t got = 0, most = 0;
	ssize_t len;

	while (got < n) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		/* Only lost bytes make it wait that long. */
		assert_int_equal(poll(&pfd, 1, 30000), 1);
		len = recv(fd, rec, sizeof(rec), 0);
		assert_true(len > 0);
		assert_int_equal(rec[len - 1], '\n');
		if (len > 16 * 1024)
			assert_null(memchr(rec, '\n', len - 1));
		got += len;
		most = (size_t)len > most ? (size_t)len : most;
	}
	assert_int_equal(got, n);
	return most;
}

/*
 * A threaded stream writes a socket (or a terminal) at most 16 KiB at a
 * time, up to the end of a line (a longer line whole), and a line that
 * wraps around the ring in one write: a SOCK_SEQPACKET socket keeps each
 * write(2) a record of its own.  30,000 bytes first, so that the ring
 * wraps in the 64 KiB that follow (lines of 100 bytes: one line
 * straddles the ring's end); the reader starts once they are buffered,
 * so that a write could take all of them.  Then a 40,000-byte line.
 */
static void socket_writes_whole_lines_within_16_kib(void **state)
{
	static char line[100], big[40000];
	struct out_stream *s;
	int sv[2], sndbuf = 40 * 1024;
	size_t sent = 0;

	(void)state;
	assert_int_equal(
		socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	/* Room for ~80 KB: a record of the whole 64 KiB would still fit. */
	assert_int_equal(setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &sndbuf,
				    sizeof(sndbuf)),
			 0);
	s = out_stream_create(sv[1], NULL, NULL);
	assert_non_null(s);
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\n';
	for (; sent < 30000; sent += sizeof(line))
		assert_int_equal(out_stream_write(s, line, sizeof(line), true),
				 sizeof(line));
	read_line_records(sv[0], sent);
	assert_int_equal(out_stream_drain(s, FOREVER, -1), 0);
	sent = 0;
	while (out_stream_write(s, line, sizeof(line), true) == sizeof(line))
		sent += sizeof(line);
	assert_true(sent > OUT_STREAM_CAPACITY - sizeof(line));
	/* Not a record per line: the buffer went in large pieces. */
	assert_true(read_line_records(sv[0], sent) > 16 * 1024 - sizeof(line));
	/* The thread may not be back from its last write(2) yet. */
	assert_int_equal(out_stream_drain(s, FOREVER, -1), 0);
	/* A line longer than 16 KiB goes whole, after a shorter one. */
	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\n';
	assert_int_equal(out_stream_write(s, line, sizeof(line), true),
			 sizeof(line));
	assert_int_equal(out_stream_write(s, big, sizeof(big), true),
			 sizeof(big));
	assert_int_equal(read_line_records(sv[0], sizeof(line) + sizeof(big)),
			 sizeof(big));
	assert_int_equal(out_stream_drain(s, FOREVER, -1), 0);
	assert_int_equal(out_stream_close(s), 0);
	close(sv[0]);
	close(sv[1]);
}

/* The reader closed its end: said once, by the stream's loop or thread,
 * and later output is counted. */
static void vanished_reader_is_reported_once(void **state)
{
	struct events ev = EVENTS_INIT;
	struct out_stream *s;
	struct peer p;

	peer_open(&p, kind_of(state));
	s = peer_stream(&p, &test_events, &ev, true);
	close(p.rd);
	p.rd = -1;
	assert_int_equal(out_stream_write(s, "one\n", 4, false), 4);
	wait_event(&ev);
	assert_reported_by_server(&ev, &p);
	assert_int_equal(out_stream_write(s, "two\n", 4, false), 4);
	peer_stop_loop(&p);
	assert_int_equal(out_stream_drain(s, FOREVER, -1), 0);
	assert_int_equal(out_stream_close(s), 8);
	assert_int_equal(ev.gone, 1);
	assert_int_equal(ev.failed, 0);
	peer_free(&p);
}

/* A pipe whose reader left before the stream was made (whatever its
 * kind): said once, and its output counted. */
static void reader_gone_before_is_reported_once(void **state)
{
	struct events ev = EVENTS_INIT;
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

/*
 * A write error that is not EPIPE (here EBADF: a read-only descriptor):
 * failed, once, by the loop or the thread.  /dev/null is direct, a
 * regular file threaded.
 */
static void failing_file_is_reported_once(void **state)
{
	char path[] = "/tmp/kvmux-test-stream.XXXXXX";
	struct events ev = EVENTS_INIT;
	struct out_stream *s;
	struct peer p;
	int fd;

	memset(&p, 0, sizeof(p));
	p.kind = kind_of(state);
	p.rd = -1;
	if (p.kind == DIRECT) {
		p.wr = open("/dev/null", O_RDONLY | O_CLOEXEC);
	} else {
		fd = mkstemp(path);
		assert_true(fd >= 0);
		p.wr = open(path, O_RDONLY | O_CLOEXEC);
		unlink(path);
		close(fd);
	}
	assert_true(p.wr >= 0);
	s = peer_stream(&p, &test_events, &ev, true);
	out_stream_write(s, "x\n", 2, false);
	wait_event(&ev);
	assert_reported_by_server(&ev, &p);
	assert_int_equal(out_stream_write(s, "y", 1, false), 1);
	peer_stop_loop(&p);
	assert_int_equal(out_stream_drain(s, FOREVER, -1), 0);
	assert_int_equal(out_stream_close(s), 3);
	assert_int_equal(ev.failed, 1);
	assert_int_equal(ev.gone, 0);
	assert_int_equal(ev.err, EBADF);
	peer_free(&p);
}

/* Two VMs' lines in one stream: whole lines, never mixed. */
static void shared_stream_keeps_lines_whole(void **state)
{
	static char out[65536];
	struct console_sink *a, *b;
	struct out_stream *s;
	struct pipe_reader *r;
	int i, lines = 0;
	char *line, *save;
	struct peer p;

	s = peer_start(&p, state);
	a = console_sink_create(s, "a");
	b = console_sink_create(s, "b");
	r = start_reader(p.rd);
	for (i = 0; i < 200; i++) {
		console_sink_write(a, "aaaa", 4);
		console_sink_write(b, "bb", 2);
		console_sink_write(a, "aaaa\n", 5);
		console_sink_write(b, "bbbbbb\n", 7);
	}
	peer_finish(&p);
	end_reader(r, out, sizeof(out));
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), lines++)
		assert_true(!strcmp(line, "a| aaaaaaaa") ||
			    !strcmp(line, "b| bbbbbbbb"));
	assert_int_equal(lines, 400);
	console_sink_destroy(a);
	console_sink_destroy(b);
	peer_free(&p);
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
 * written yet (on a busy host it may not have run): /dev/zero takes
 * every byte at once (and, unlike /dev/null, has a thread), so nothing
 * may be left.  Only a descriptor that takes nothing uses up the grace
 * (stuck_reader tests in t_stop.sh).
 */
static void drain_waits_for_a_thread_that_has_not_run(void **state)
{
	static uint8_t data[OUT_STREAM_CAPACITY];
	unsigned int round, started;
	int fd = open("/dev/zero", O_WRONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	for (round = 0; round < 20; round++) {
		struct out_stream *s = create_counted(fd, NULL, NULL, &started);

		assert_non_null(s);
		assert_true(started >= 1);
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
	struct pipe_reader *r1, *r2;
	struct console_sink *sink;
	char out1[64], out2[64];
	struct out_stream *s2;
	struct peer p, q;

	sink = console_sink_create(peer_start(&p, state), NULL);
	s2 = peer_start(&q, state);
	r1 = start_reader(p.rd);
	r2 = start_reader(q.rd);
	assert_int_equal(console_sink_add_output(sink, s2, NULL, 0), 1);
	assert_int_equal(console_sink_add_output(sink, s2, NULL, 0), -1);
	assert_int_equal(console_sink_write(sink, "ab\r\nc", 5), 5);
	assert_int_equal(console_sink_write(sink, "d", 1), 1);
	console_sink_flush(sink);
	peer_finish(&p);
	peer_finish(&q);
	end_reader(r1, out1, sizeof(out1));
	end_reader(r2, out2, sizeof(out2));
	assert_string_equal(out1, "ab\r\ncd");
	assert_string_equal(out2, "ab\r\ncd");
	console_sink_destroy(sink);
	peer_free(&p);
	peer_free(&q);
}

/*
 * Fill a pipe or socket and its stream, so that the stream takes nothing
 * more until it is read (no timing: the stream's writes meet EAGAIN, or
 * its thread is blocked).  While the stream is idle, the test fills the
 * descriptor itself (a threaded stream shares fd's O_NONBLOCK, a direct
 * one has a description of its own).
 */
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

/* The log's reader is stuck: the sink takes a bounded amount, then
 * waits, and the console's output never runs ahead of the log's. */
static void tee_waits_for_the_slower_output(void **state)
{
	static char chunk[1000], fast[8192], slow[8192];
	struct room r = ROOM_INIT;
	struct pipe_reader *fast_reader, *slow_reader;
	struct out_stream *s1, *s2;
	struct console_sink *sink;
	size_t taken = 0, n;
	struct peer p, q;
	int calls;

	memset(chunk, 'y', sizeof(chunk));
	s1 = peer_start(&p, state);
	s2 = peer_start(&q, state);
	make_full(s2, q.wr);
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
	fast_reader = start_reader(p.rd);
	slow_reader = start_reader(q.rd);
	wait_room_calls(&r, 1);
	calls = room_calls(&r);
	assert_int_equal(console_sink_write(sink, "z", 1), 1);
	if (console_sink_pending(sink, 1))
		wait_room_calls(&r, calls + 1);
	console_sink_flush(sink);
	peer_finish(&p);
	peer_finish(&q);
	assert_int_equal(end_reader(fast_reader, fast, sizeof(fast)),
			 taken + 1);
	assert_int_equal(end_reader(slow_reader, slow, sizeof(slow)),
			 taken + 1);
	assert_memory_equal(fast, slow, taken + 1);
	console_sink_destroy(sink);
	peer_free(&p);
	peer_free(&q);
}

/*
 * A console whose VM stopped while its stream was full: after
 * console_sink_last() the sink takes the rest the device held, and hands
 * on the line it held itself and a last partial line, ended; a reader
 * that comes later gets all of it, and the sink holds nothing back.
 */
static void stopped_console_hands_over_everything(void **state)
{
	static char out[4096];
	struct pipe_reader *reader;
	struct console_sink *sink;
	struct out_stream *s;
	struct peer p;

	s = peer_start(&p, state);
	make_full(s, p.wr);
	sink = console_sink_create(s, "vm");
	assert_int_equal(console_sink_write(sink, "one\n", 4), 4);
	assert_int_equal(console_sink_write(sink, "two\n", 4), 0);
	assert_true(console_sink_pending(sink, 0) > 0);
	console_sink_last(sink);
	assert_int_equal(console_sink_write(sink, "two\nthr", 7), 7);
	console_sink_flush(sink);
	assert_int_equal(console_sink_pending(sink, 0), 0);
	reader = start_reader(p.rd);
	peer_finish(&p);
	end_reader(reader, out, sizeof(out));
	assert_string_equal(out, "vm| one\nvm| two\nvm| thr\n");
	console_sink_destroy(sink);
	peer_free(&p);
}

/*
 * What a sink makes of two writes, after a flush, on a timed output
 * (prefix: lines) that follows a discarded one.
 */
static void timed_output(void **state, const char *prefix, const char *a,
			 const char *b, char *out, size_t size)
{
	struct console_sink *sink = console_sink_new();
	struct pipe_reader *r;
	struct out_stream *s;
	struct peer p;

	s = peer_start(&p, state);
	r = start_reader(p.rd);
	assert_int_equal(console_sink_add_output(sink, NULL, NULL, 0), 0);
	assert_int_equal(console_sink_add_output(sink, s, prefix,
						 CONSOLE_SINK_TIMESTAMPS),
			 1);
	console_sink_set_epoch(sink, out_stream_now_ns());
	console_sink_write(sink, a, strlen(a));
	console_sink_write(sink, b, strlen(b));
	console_sink_flush(sink);
	peer_finish(&p);
	end_reader(r, out, size);
	console_sink_destroy(sink);
	peer_free(&p);
}

/* --timestamps: each line starts with the seconds since the epoch. */
static void timestamps_head_each_line(void **state)
{
	char out[256];

	timed_output(state, NULL, "one\r\ntw", "o\n\nthr", out, sizeof(out));
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
	struct room r = ROOM_INIT;
	struct console_sink *sink = console_sink_new();
	struct pipe_reader *reader;
	struct out_stream *s;
	size_t sent = 0, n;
	int i, calls, lines = 0;
	char *line, *save;
	struct peer p;

	for (i = 0; i < 5000; i++)
		chunk[i] = i % 50 == 49 ? '\n' : 'a' + i % 26;
	s = peer_start(&p, state);
	console_sink_add_output(sink, s, NULL, CONSOLE_SINK_TIMESTAMPS);
	console_sink_on_room(sink, on_room, &r);
	reader = start_reader(p.rd);
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
	peer_finish(&p);
	end_reader(reader, out, sizeof(out));
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), lines++)
		assert_true(matches("^\\[[ 0-9]{5}\\.[0-9]{6}\\] [a-z]{49}$",
				    line));
	assert_int_equal(lines, 100 * 5000 / 50);
	console_sink_destroy(sink);
	peer_free(&p);
}

/* Shared lines with times: the time, then the prefix. */
static void prefixed_lines_with_timestamps(void **state)
{
	char out[256];

	timed_output(state, "vm", "a\r\nb", "", out, sizeof(out));
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
	struct pipe_reader *r = NULL;
	struct out_stream *s = NULL;
	char out[256];
	struct peer p;
	int i;

	assert_non_null(m);
	for (i = 0; i < 2; i++) {
		memset(&f, 0, sizeof(f));
		if (i) {
			s = peer_start(&p, state);
			r = start_reader(p.rd);
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
			peer_finish(&p);
			end_reader(r, out, sizeof(out));
			assert_string_equal(out, "ok\nKernel panic - not "
						 "syncing\r\nBUG: later\n");
			peer_free(&p);
		}
	}
	line_match_free(m);
}

/*
 * A room waiter that comes when the stream has nothing buffered (it
 * emptied between the writer's refusal and its wait_room, or never held
 * anything) is still called: no later write would call it.
 */
static void room_waiter_on_an_empty_stream_is_called(void **state)
{
	struct room r = ROOM_INIT;
	struct out_stream *s;
	char out[2];
	struct peer p;

	s = peer_start(&p, state);
	assert_int_equal(out_stream_wait_room(s, on_room, &r), 0);
	wait_room_calls(&r, 1);
	assert_int_equal(out_stream_write(s, "x\n", 2, false), 2);
	/* Emptied: a direct stream by that write itself, a threaded one by
	 * its thread, which the drain waits for. */
	if (p.kind == THREADED)
		assert_int_equal(out_stream_drain(s, FOREVER, -1), 0);
	assert_int_equal(read(p.rd, out, 2), 2);
	assert_int_equal(out_stream_wait_room(s, on_room, &r), 0);
	wait_room_calls(&r, 2);
	peer_finish(&p);
	assert_int_equal(room_calls(&r), 2); /* once per wait */
	peer_free(&p);
}

/*
 * A terminal: a pseudo-terminal's slave in raw mode, whose master
 * (*master) nobody reads; -1 if the host has no pseudo-terminals.
 */
static int open_terminal(int *master)
{
	struct termios t;
	int slave;

	*master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*master < 0) {
		print_message("no pseudo-terminals here: %s\n",
			      strerror(errno));
		return -1;
	}
	assert_int_equal(grantpt(*master), 0);
	assert_int_equal(unlockpt(*master), 0);
	slave = open(ptsname(*master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(slave >= 0);
	assert_int_equal(tcgetattr(slave, &t), 0);
	cfmakeraw(&t);
	assert_int_equal(tcsetattr(slave, TCSANOW, &t), 0);
	return slave;
}

/* Only a stream that may block has a thread: a pipe and /dev/null do
 * not; a terminal (where only a blocking write(2) is one piece), a
 * regular file, a socket and another device do. */
static void only_threaded_streams_start_a_thread(void **state)
{
	static const bool threaded[6] = {
		false, true, false, true, true, true
	};
	char path[] = "/tmp/kvmux-test-stream.XXXXXX";
	unsigned int i, started;
	int fd[6], p[2], sv[2], master;
	struct out_stream *s;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
			 0);
	fd[0] = p[1];
	fd[1] = open_terminal(&master);
	fd[2] = open("/dev/null", O_WRONLY | O_CLOEXEC);
	fd[3] = mkstemp(path);
	unlink(path);
	fd[4] = sv[1];
	fd[5] = open("/dev/zero", O_WRONLY | O_CLOEXEC);
	for (i = 0; i < 6; i++) {
		if (i == 1 && fd[i] < 0)
			continue; /* no terminal to try */
		assert_true(fd[i] >= 0);
		s = create_counted(fd[i], NULL, NULL, &started);
		assert_non_null(s);
		if (threaded[i])
			assert_true(started >= 1);
		else
			assert_int_equal(started, 0);
		assert_int_equal(out_stream_close(s), 0);
		close(fd[i]);
	}
	if (master >= 0)
		close(master);
	close(p[0]);
	close(sv[0]);
}

/*
 * fd's open file description is the parent's too (a shell's terminal, a
 * CI runner's pipe): it stays blocking when the stream is made, and
 * after its writes met EAGAIN (the stream and fd both full).
 */
static void description_stays_blocking(int fd)
{
	static char chunk[4096];
	struct out_stream *s;
	unsigned int before = fds_on(fd), started;
	size_t sent = 0;

	assert_false(fcntl(fd, F_GETFL) & O_NONBLOCK);
	s = create_counted(fd, NULL, NULL, &started);
	assert_non_null(s);
	assert_int_equal(started, 0);
	assert_int_equal(fds_on(fd), before + 1); /* its own description */
	assert_false(fcntl(fd, F_GETFL) & O_NONBLOCK);
	memset(chunk, 'b', sizeof(chunk));
	while (out_stream_write(s, chunk, sizeof(chunk), false) ==
	       sizeof(chunk))
		sent += sizeof(chunk);
	assert_true(sent >= OUT_STREAM_CAPACITY - sizeof(chunk));
	assert_false(fcntl(fd, F_GETFL) & O_NONBLOCK);
	/* Nothing wrote the stream since (no loop, no drain): it is full. */
	assert_int_equal(out_stream_close(s), OUT_STREAM_CAPACITY);
	assert_int_equal(fds_on(fd), before);
	assert_false(fcntl(fd, F_GETFL) & O_NONBLOCK);
}

static void pipe_description_stays_blocking(void **state)
{
	int p[2];

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	description_stays_blocking(p[1]);
	close(p[0]);
	close(p[1]);
}

/*
 * A terminal is written by a thread, through the parent's blocking
 * description itself: a write(2) there is one piece, which a message of
 * kvmux's on the same terminal cannot split (a non-blocking one stops
 * wherever the terminal is full).
 */
static void terminal_is_written_blocking(void **state)
{
	int master, slave = open_terminal(&master);
	unsigned int before, started;
	struct out_stream *s;

	if (slave < 0)
		skip();
	before = fds_on(slave);
	s = create_counted(slave, NULL, NULL, &started);
	assert_non_null(s);
	assert_true(started >= 1);
	assert_int_equal(fds_on(slave), before); /* no description of its own */
	assert_false(fcntl(slave, F_GETFL) & O_NONBLOCK);
	assert_int_equal(out_stream_close(s), 0);
	close(slave);
	close(master);
}

/*
 * The parent gave a pipe's reading end (kvmux's stdin's, say) as the
 * output: writes fail (EBADF, said once) and nothing reaches the pipe,
 * as for any writer of that descriptor (the stream does not open the
 * pipe again for writing).
 */
static void read_only_pipe_is_not_written(void **state)
{
	struct events ev = EVENTS_INIT;
	struct out_stream *s;
	int p[2], queued;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	s = out_stream_create(p[0], &test_events, &ev);
	assert_non_null(s);
	assert_int_equal(out_stream_write(s, "x\n", 2, false), 2);
	out_stream_drain(s, FOREVER, -1);
	assert_int_equal(out_stream_close(s), 2);
	assert_int_equal(ev.failed, 1);
	assert_int_equal(ev.err, EBADF);
	assert_int_equal(ioctl(p[0], FIONREAD, &queued), 0);
	assert_int_equal(queued, 0);
	close(p[0]);
	close(p[1]);
}

/* A pseudo-terminal's master as the output: what is written reaches its
 * slave (/dev/ptmx opened again would be another terminal). */
static void terminal_master_output_reaches_its_slave(void **state)
{
	int master, slave = open_terminal(&master);
	struct pollfd pfd = { .events = POLLIN };
	char out[8] = "";
	struct out_stream *s;
	size_t got = 0;
	ssize_t n;

	if (slave < 0)
		skip();
	s = out_stream_create(master, NULL, NULL);
	assert_non_null(s);
	assert_int_equal(out_stream_write(s, "hi\n", 3, false), 3);
	assert_int_equal(out_stream_drain(s, FOREVER, -1), 0);
	assert_int_equal(out_stream_close(s), 0);
	pfd.fd = slave;
	while (got < 3 && poll(&pfd, 1, WAIT_S * 1000) == 1 &&
	       (n = read(slave, out + got, 3 - got)) > 0)
		got += n;
	assert_string_equal(out, "hi\n");
	close(slave);
	close(master);
}

/*
 * With no loop attached, what the reader could not take waits for
 * out_stream_drain(): none of it goes without a grace while the reader
 * does not read, and all of it, in order, once the reader reads.
 */
static void unattached_stream_is_written_by_drain(void **state)
{
	struct out_stream *s;
	struct checker c;
	size_t sent = 0;
	struct peer p;

	peer_open(&p, DIRECT);
	s = peer_stream(&p, NULL, NULL, false);
	fill_with_pattern(s, &sent);
	assert_true(sent >= OUT_STREAM_CAPACITY);
	assert_int_equal(out_stream_drain(s, out_stream_now_ns(), -1),
			 OUT_STREAM_CAPACITY);
	start_checker(&c, p.rd, false);
	peer_finish(&p);
	end_checker(&c, sent);
	peer_free(&p);
}

/* Every line of out is msg or len - 1 bytes of c and a "\n". */
static void assert_whole_lines(const char *out, const char *msg, size_t len,
			       const char *c)
{
	const char *nl;

	for (; *out; out = nl + 1) {
		nl = strchr(out, '\n');
		assert_non_null(nl);
		if ((size_t)(nl - out + 1) == strlen(msg) &&
		    !memcmp(out, msg, strlen(msg)))
			continue;
		assert_int_equal(nl - out + 1, len);
		assert_int_equal(strspn(out, c), len - 1);
	}
}

/*
 * stdout and stderr on one pipe (2>&1), with room for a page (a pipe
 * takes a write a page at a time): two console lines of 3,000 bytes are
 * two writes, each whole or not at all (a pipe never splits a write of
 * at most PIPE_BUF bytes), so kvmux's message, from stderr's stream,
 * goes between them, not inside one.  (Before, both went in one write,
 * which the pipe split after its first 4,096 bytes; the message came
 * next.)
 */
static void shared_pipe_keeps_lines_whole(void **state)
{
	static char filler[4096], line[6002], out[16384];
	const char *msg = "kvmux: vm: timeout\n";
	struct out_stream *console, *diag;
	struct pipe_reader *reader;
	struct peer p;

	(void)state;
	peer_open(&p, DIRECT);
	assert_int_equal(fcntl(p.wr, F_SETPIPE_SZ, 8192), 8192);
	assert_int_equal(write(p.wr, filler, sizeof(filler)), sizeof(filler));
	console = out_stream_create(p.wr, NULL, NULL);
	diag = out_stream_create(p.wr, NULL, NULL);
	assert_non_null(console);
	assert_non_null(diag);
	memset(line, 'c', sizeof(line));
	line[3000] = line[sizeof(line) - 1] = '\n';
	assert_int_equal(out_stream_write(console, line, sizeof(line), true),
			 sizeof(line));
	assert_int_equal(out_stream_write(diag, msg, strlen(msg), true),
			 strlen(msg));
	reader = start_reader(p.rd);
	assert_int_equal(out_stream_drain(diag, FOREVER, -1), 0);
	assert_int_equal(out_stream_drain(console, FOREVER, -1), 0);
	assert_int_equal(out_stream_close(diag), 0);
	assert_int_equal(out_stream_close(console), 0);
	close(p.wr);
	p.wr = -1;
	end_reader(reader, out, sizeof(out));
	assert_int_equal(strlen(out), strlen(msg) + sizeof(line));
	assert_whole_lines(out, msg, 3001, "c");
	peer_free(&p);
}

/* The one thread started since before (a stream's). */
static long started_thread(const struct tasks *before)
{
	struct tasks after;
	unsigned int i, j;
	long id = 0;

	list_tasks(&after);
	assert_int_equal(tasks_started(before, &after), 1);
	for (i = 0; i < after.n; i++) {
		for (j = 0; j < before->n && before->id[j] != after.id[i]; j++)
			;
		if (j == before->n)
			id = after.id[i];
	}
	return id;
}

/* Is thread id asleep in writev(2) (on a full pipe: waiting for room)? */
static bool asleep_in_writev(long id)
{
	char path[64], buf[256], *state;
	FILE *f;
	long nr = -1;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/stat", id);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	state = strrchr(buf, ')'); /* the name may hold anything */
	assert_non_null(state);
	snprintf(path, sizeof(path), "/proc/self/task/%ld/syscall", id);
	f = fopen(path, "r");
	assert_non_null(f);
	if (fscanf(f, "%ld", &nr) != 1) /* "running" */
		nr = -1;
	fclose(f);
	return state[2] == 'S' && nr == SYS_writev;
}

/* Waits (up to WAIT_S) for thread id to sleep in writev(2). */
static void wait_asleep_in_writev(long id)
{
	struct timespec pause = { 0, 1000000 };
	uint64_t end = out_stream_now_ns() + WAIT_S * 1000000000ULL;

	while (!asleep_in_writev(id)) {
		assert_true(out_stream_now_ns() < end);
		nanosleep(&pause, NULL);
	}
}

/*
 * As shared_pipe_keeps_lines_whole(), on a pipe no descriptor of the
 * stream's own could be opened on (no /proc, or another user's pipe: here
 * a FIFO without a reader then), which threads write: their blocking
 * write(2)s are whole lines of at most PIPE_BUF too.  Before, the
 * console's thread wrote its 12,000 bytes in one write(2), which the
 * pipe (one page) took a page at a time; between two pages, the waiting
 * message went in, inside a line.
 */
static void shared_pipe_keeps_lines_whole_threaded(void **state)
{
	char dir[] = "/tmp/kvmux-test-fifo.XXXXXX", path[64];
	static char filler[4096], lines[12000], out[32768];
	const char *msg = "kvmux: vm: timeout\n";
	struct out_stream *console, *diag;
	struct pipe_reader *reader;
	long console_thread, diag_thread;
	struct tasks before;
	int rd, wr;
	size_t i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	rd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	assert_true(rd >= 0);
	wr = open(path, O_WRONLY | O_CLOEXEC);
	assert_true(wr >= 0);
	/* One page, full: the next write(2) waits for the reader. */
	assert_int_equal(fcntl(wr, F_SETPIPE_SZ, 4096), 4096);
	assert_int_equal(write(wr, filler, sizeof(filler)), sizeof(filler));
	close(rd); /* the FIFO keeps its bytes while wr is open */
	list_tasks(&before);
	console = out_stream_create(wr, NULL, NULL);
	assert_non_null(console);
	console_thread = started_thread(&before);
	list_tasks(&before);
	diag = out_stream_create(wr, NULL, NULL);
	assert_non_null(diag);
	diag_thread = started_thread(&before);
	rd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	assert_true(rd >= 0);
	assert_int_equal(fcntl(rd, F_SETFL, 0), 0);
	unlink(path);
	rmdir(dir);
	for (i = 0; i < sizeof(lines); i++)
		lines[i] = i % 100 == 99 ? '\n' : 'l';
	/* Both wait for room, the console's thread first. */
	assert_int_equal(out_stream_write(console, lines, sizeof(lines), true),
			 sizeof(lines));
	wait_asleep_in_writev(console_thread);
	assert_int_equal(out_stream_write(diag, msg, strlen(msg), true),
			 strlen(msg));
	wait_asleep_in_writev(diag_thread);
	reader = start_reader(rd);
	assert_int_equal(out_stream_drain(diag, FOREVER, -1), 0);
	assert_int_equal(out_stream_drain(console, FOREVER, -1), 0);
	assert_int_equal(out_stream_close(diag), 0);
	assert_int_equal(out_stream_close(console), 0);
	close(wr);
	end_reader(reader, out, sizeof(out));
	close(rd);
	assert_int_equal(strlen(out), strlen(msg) + sizeof(lines));
	assert_whole_lines(out, msg, 100, "l");
}

/*
 * The reader goes away, with nothing buffered or with the stream full
 * (the loop waits for room: a oneshot that the end of the reader must
 * still fire): said once, by the loop if the stream is attached, else by
 * the drain (never by the writer, who may hold the owner's locks); what
 * was buffered and later output are counted as lost.
 */
static void reader_leaves_direct_stream(bool attach, bool full)
{
	struct events ev = EVENTS_INIT;
	struct out_stream *s;
	size_t sent = 0;
	struct peer p;

	peer_open(&p, DIRECT);
	s = peer_stream(&p, &test_events, &ev, attach);
	if (full) {
		fill_with_pattern(s, &sent);
		assert_true(sent >= OUT_STREAM_CAPACITY);
	}
	close(p.rd);
	p.rd = -1;
	if (!full)
		assert_int_equal(out_stream_write(s, "one\n", 4, false), 4);
	if (attach) {
		wait_event(&ev);
		peer_stop_loop(&p);
	} else {
		assert_int_equal(ev.gone, 0); /* not by the writer */
	}
	assert_int_equal(out_stream_drain(s, FOREVER, -1), 0);
	assert_int_equal(ev.gone, 1);
	assert_true(pthread_equal(ev.thread,
				  attach ? p.lt.thread : pthread_self()));
	assert_int_equal(out_stream_write(s, "two\n", 4, false), 4);
	assert_int_equal(out_stream_drain(s, FOREVER, -1), 0);
	assert_int_equal(out_stream_close(s),
			 (full ? OUT_STREAM_CAPACITY : 4) + 4);
	assert_int_equal(ev.gone, 1);
	assert_int_equal(ev.failed, 0);
	peer_free(&p);
}

static void gone_reader_is_reported_by_the_loop(void **state)
{
	reader_leaves_direct_stream(true, false);
	reader_leaves_direct_stream(true, true);
}

static void gone_reader_is_reported_by_the_drain(void **state)
{
	reader_leaves_direct_stream(false, false);
	reader_leaves_direct_stream(false, true);
}

/* An event of a loop thread's own, to know when it has gone round: all
 * it had to do before the probe (one round may hold the probe before an
 * older event), it has done once it answered two probes. */
struct probe {
	int fd; /* eventfd */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int rounds;
};

static void on_probe(void *opaque, int fd, uint32_t events)
{
	struct probe *pr = opaque;

	event_fd_drain(fd);
	pthread_mutex_lock(&pr->lock);
	pr->rounds++;
	pthread_cond_signal(&pr->cond);
	pthread_mutex_unlock(&pr->lock);
}

static void probe_loop(struct probe *pr)
{
	struct timespec ts = wait_deadline();
	int rc = 0, target, rounds;
	uint64_t one = 1;

	pthread_mutex_lock(&pr->lock);
	target = pr->rounds + 1;
	pthread_mutex_unlock(&pr->lock);
	assert_int_equal(write(pr->fd, &one, sizeof(one)), sizeof(one));
	pthread_mutex_lock(&pr->lock);
	while (pr->rounds < target && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&pr->cond, &pr->lock, &ts);
	rounds = pr->rounds;
	pthread_mutex_unlock(&pr->lock);
	assert_true(rounds >= target);
}

/* A writer of whole lines (a sink with prefixes or times) that offers a
 * refused line again from its room callback. */
struct line_writer {
	struct out_stream *s;
	struct room r; /* calls: the callback's */
	bool taken;
	char line[200];
};

static void offer_line(void *opaque)
{
	struct line_writer *w = opaque;
	bool taken = out_stream_write(w->s, w->line, sizeof(w->line), true);

	/* A wait refused (too many waiters) is seen as a line never
	 * taken: the test's thread asserts, not this one. */
	if (!taken)
		out_stream_wait_room(w->s, offer_line, w);
	pthread_mutex_lock(&w->r.lock);
	w->r.calls++;
	w->taken = taken;
	pthread_cond_signal(&w->r.cond);
	pthread_mutex_unlock(&w->r.lock);
}

/*
 * The reader does not read, and the stream has room, but not for a
 * whole line: the line's writer is told of room only once some of the
 * buffer went out (its refused write, and its wait, give it none), not
 * at every turn of the loop (which would then spin, the writer and the
 * loop kicking each other).
 */
static void refused_line_waits_for_the_reader(void **state)
{
	static const char filler[4096] = { 0 };
	struct line_writer w = { .r = ROOM_INIT };
	struct probe pr = { .lock = PTHREAD_MUTEX_INITIALIZER,
			    .cond = PTHREAD_COND_INITIALIZER };
	struct pipe_reader *reader;
	size_t left = OUT_STREAM_CAPACITY - 100, n;
	char out[sizeof(w.line) + 1];
	struct peer p;

	memset(w.line, 'L', sizeof(w.line));
	peer_open(&p, DIRECT);
	w.s = peer_stream(&p, NULL, NULL, false);
	/* The pipe full, the stream all but 100 bytes. */
	assert_int_equal(fcntl(p.wr, F_SETFL, O_NONBLOCK), 0);
	while (write(p.wr, filler, sizeof(filler)) > 0)
		;
	while (write(p.wr, filler, 1) > 0)
		;
	assert_int_equal(fcntl(p.wr, F_SETFL, 0), 0);
	for (; left; left -= n) {
		n = out_stream_write(
			w.s, filler,
			left < sizeof(filler) ? left : sizeof(filler), false);
		assert_true(n > 0);
	}
	/* Served from now on, with a probe to see the loop go round. */
	pr.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	assert_true(pr.fd >= 0);
	assert_int_equal(lt_init(&p.lt), 0);
	p.attached = true;
	assert_int_equal(
		event_loop_add(&p.lt.loop, pr.fd, EPOLLIN, on_probe, &pr), 0);
	assert_int_equal(out_stream_attach(w.s, &p.lt.loop), 0);
	assert_int_equal(lt_start(&p.lt), 0);
	assert_int_equal(out_stream_write(w.s, w.line, sizeof(w.line), true),
			 0);
	assert_int_equal(out_stream_wait_room(w.s, offer_line, &w), 0);
	/* Refused again (another of the device's writers): the loop looks
	 * at the stream after the wait began. */
	assert_int_equal(out_stream_write(w.s, w.line, sizeof(w.line), true),
			 0);
	probe_loop(&pr);
	probe_loop(&pr);
	assert_int_equal(room_calls(&w.r), 0);
	reader = start_reader(p.rd);
	pthread_mutex_lock(&w.r.lock);
	while (!w.taken) {
		struct timespec ts = wait_deadline();

		assert_int_not_equal(
			pthread_cond_timedwait(&w.r.cond, &w.r.lock, &ts),
			ETIMEDOUT);
	}
	pthread_mutex_unlock(&w.r.lock);
	peer_finish(&p);
	assert_int_equal(end_reader(reader, out, sizeof(out)), sizeof(w.line));
	assert_memory_equal(out, w.line, sizeof(w.line));
	peer_free(&p);
	close(pr.fd);
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
		ON_BOTH(prefixed_lines),
		ON_BOTH(raw_passes_through),
		ON_BOTH(partial_line_is_written_without_its_end),
		ON_BOTH(partial_line_waits_from_its_own_start),
		ON_BOTH(long_lines_are_split_not_lost),
		cmocka_unit_test(discard_without_stream),
		ON_BOTH(full_stream_pushes_back),
		ON_BOTH(slow_reader_loses_nothing),
		ON_BOTH(nonblocking_fd_loses_nothing),
		ON_BOTH(slow_reader_gets_everything_at_the_end),
		ON_BOTH(last_bytes_wait_behind_a_full_buffer),
		ON_BOTH(last_bytes_beyond_the_bound_are_counted),
		ON_BOTH(last_bytes_wrap_around_the_overflow),
		ON_BOTH(stopped_console_hands_over_everything),
		cmocka_unit_test(socket_writes_whole_lines_within_16_kib),
		ON_BOTH(vanished_reader_is_reported_once),
		cmocka_unit_test(reader_gone_before_is_reported_once),
		ON_BOTH(failing_file_is_reported_once),
		ON_BOTH(shared_stream_keeps_lines_whole),
		cmocka_unit_test(regular_file_gets_everything_at_close),
		cmocka_unit_test(drain_waits_for_a_thread_that_has_not_run),
		ON_BOTH(tee_gives_every_output_the_same_bytes),
		ON_BOTH(tee_waits_for_the_slower_output),
		ON_BOTH(timestamps_head_each_line),
		ON_BOTH(prefixed_lines_with_timestamps),
		ON_BOTH(many_timed_lines),
		ON_BOTH(fail_on_matches_lines_across_writes),
		ON_BOTH(room_waiter_on_an_empty_stream_is_called),
		cmocka_unit_test(only_threaded_streams_start_a_thread),
		cmocka_unit_test(pipe_description_stays_blocking),
		cmocka_unit_test(terminal_is_written_blocking),
		cmocka_unit_test(read_only_pipe_is_not_written),
		cmocka_unit_test(terminal_master_output_reaches_its_slave),
		cmocka_unit_test(unattached_stream_is_written_by_drain),
		cmocka_unit_test(shared_pipe_keeps_lines_whole),
		cmocka_unit_test(shared_pipe_keeps_lines_whole_threaded),
		cmocka_unit_test(gone_reader_is_reported_by_the_loop),
		cmocka_unit_test(gone_reader_is_reported_by_the_drain),
		cmocka_unit_test(refused_line_waits_for_the_reader),
		cmocka_unit_test(advance_over_entries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
