// SPDX-License-Identifier: GPL-2.0-only
/*
 * out_stream.c - a bounded buffer in front of a host descriptor
 * (kvmux/out_stream.h), written at once without blocking where the
 * descriptor allows it, else drained by a thread of its own.
 *
 * The buffer is a ring.  A direct stream writes it under the lock with a
 * descriptor that never blocks, from whichever thread wrote to it; when
 * the reader falls behind (EAGAIN), the owner's event loop waits for
 * room and writes the rest.  A threaded stream's thread is the only one
 * that calls write(2), and it does so without the lock, so writers never
 * wait for the descriptor.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "kvmux/error.h"
#include "kvmux/event_loop.h"
#include "kvmux/out_stream.h"
#include "kvmux/thread.h"

/* How often a drain looks at a buffer that is not emptied (to tell a
 * stuck reader from a busy host); an emptied one wakes it at once. */
#define DRAIN_POLL_MS 10
#define DRAIN_POLL_MAX_MS 1000 /* a direct drain looks again at least so */

/*
 * A partial line waits up to LINE_WAIT_NS for its end (or for
 * LINE_BATCH bytes) before it is written: a guest that prints a byte per
 * exit (a UART) then costs the thread two wake-ups and one write(2) per
 * line, not one of each per byte, and a prompt without "\n" still shows
 * within milliseconds.
 */
#define LINE_WAIT_NS (5 * 1000000ull)
#define LINE_BATCH 4096

/*
 * A thread's write(2) to anything but a regular file takes at most
 * WRITE_CHUNK bytes (to a pipe PIPE_BUF, for another reason:
 * nonblocking_fd()), up to the end of a line where one ends in them (a
 * longer line goes whole).  A blocking write to a socket or a terminal
 * returns only once all of it is in, so a drain sees a slow reader move
 * only between writes: one that takes WRITE_CHUNK bytes (or the line)
 * within the grace gets everything.  The line's end keeps a line in one
 * piece, which kvmux's own messages to the same terminal need.
 */
#define WRITE_CHUNK (16 * 1024)

struct waiter {
	out_stream_fn fn;
	void *opaque;
};

struct out_stream {
	int fd;
	bool regular_file; /* looked at when made: later the filter forbids */
	bool pipe; /* a pipe or FIFO: for_one_write() takes PIPE_BUF */
	const struct out_stream_events *ev;
	void *opaque;
	/* Threaded: interrupts a poll for POLLOUT at close.  Direct: the
	 * owner's loop has something to do (kick()). */
	int wake_fd; /* eventfd */
	int drained_fd; /* eventfd: the buffer emptied while a drain waited */
	pthread_t thread;

	/* A direct stream (no thread): what it writes to, fd or a
	 * non-blocking descriptor of its own on the same pipe or FIFO
	 * (then closed with the stream). */
	bool direct;
	int direct_fd;
	bool own_direct_fd;
	struct event_loop *loop; /* out_stream_attach()'s, or NULL */
	bool backlogged; /* direct_fd said EAGAIN: the loop waits for room */
	bool polling; /* direct_fd is in the loop (EPOLLONESHOT) */
	bool watching; /* ... and armed: the loop hears of room by itself */
	bool kicked; /* wake_fd has a count the loop has not read yet */
	int line_timer_fd; /* timerfd: a partial line's LINE_WAIT_NS */
	bool line_timer_armed;
	uint64_t partial_ns; /* when the buffered partial line began */
	int pending_err; /* a write error the loop is yet to report */

	pthread_mutex_t lock;
	pthread_cond_t cond; /* data to write, or stop */
	pthread_cond_t wrote; /* after close: the thread left write(2) */
	size_t head, len; /* the ring's contents */
	bool writing; /* the thread is in write(2), without the lock */
	bool calling; /* the thread calls waiters, without the lock */
	size_t complete; /* buffered bytes up to the last "\n" (0: none) */
	bool awaiting_line; /* the thread waits for the end of a line */
	bool flush; /* a drain waits: write what there is at once */
	bool draining; /* out_stream_drain() waits on drained_fd */
	bool stop;
	bool broken; /* gone or failed: output is counted, not written */
	uint64_t taken; /* bytes taken by out_stream_write(), in all */
	bool line_open; /* the last byte taken was not "\n" */
	uint64_t written; /* bytes taken out of the ring, in all */
	uint64_t lost;
	/* out_stream_write_last()'s bytes behind a full ring, in order: a
	 * second ring of OUT_STREAM_OVERFLOW_MAX bytes (allocated at its
	 * first use, in one piece: a realloc() of a large block is an
	 * mremap(2), which the threads' seccomp filters forbid), over_len
	 * of them from over_head; they move into the ring as it empties,
	 * and no other write comes before them. */
	uint8_t *over;
	size_t over_head, over_len;
	struct waiter waiter[OUT_STREAM_WAITERS];
	unsigned int nr_waiters;
	/* OUT_STREAM_CAPACITY bytes, not zeroed: its pages are faulted in
	 * only as output comes (a hello run touches one of 16). */
	uint8_t *buf;
};

/* Streams whose thread was still in write(2) at close: left to exit(). */
static struct out_stream *abandoned[16];
static unsigned int nr_abandoned;
static pthread_mutex_t abandoned_lock = PTHREAD_MUTEX_INITIALIZER;

uint64_t out_stream_taken(struct out_stream *s, bool *line_open)
{
	uint64_t taken;

	pthread_mutex_lock(&s->lock);
	taken = s->taken;
	*line_open = s->line_open;
	pthread_mutex_unlock(&s->lock);
	return taken;
}

uint64_t out_stream_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* CLOCK_MONOTONIC ns from now, as pthread_cond_timedwait() takes it
 * (the stream's condition variables use that clock). */
static struct timespec deadline_in(uint64_t ns)
{
	uint64_t at = out_stream_now_ns() + ns;

	return (struct timespec){ .tv_sec = at / 1000000000ull,
				  .tv_nsec = at % 1000000000ull };
}

/* One writev(2) of cnt pieces, waiting for room on a descriptor left
 * non-blocking. */
static ssize_t write_some(struct out_stream *s, const struct iovec *iov,
			  int cnt)
{
	for (;;) {
		struct pollfd pfd[2] = { { .fd = s->fd, .events = POLLOUT },
					 { .fd = s->wake_fd,
					   .events = POLLIN } };
		ssize_t done = writev(s->fd, iov, cnt);

		if (done >= 0 || (errno != EINTR && errno != EAGAIN))
			return done;
		if (errno == EAGAIN && poll(pfd, 2, -1) > 0 && pfd[1].revents)
			return 0; /* closing */
	}
}

/* Under the lock: call the waiters, without it.  After close there are
 * none left (close called them), so an abandoned thread calls nobody. */
static void wake_waiters(struct out_stream *s)
{
	struct waiter w[OUT_STREAM_WAITERS];
	unsigned int i, n = s->nr_waiters;

	if (!n)
		return; /* keeps the lock, and a caller's calling flag */
	memcpy(w, s->waiter, n * sizeof(w[0]));
	s->nr_waiters = 0;
	s->calling = true;
	pthread_mutex_unlock(&s->lock);
	for (i = 0; i < n; i++)
		w[i].fn(w[i].opaque);
	pthread_mutex_lock(&s->lock);
	s->calling = false;
}

/* Under the lock: drop the overflow, counted lost. */
static void drop_overflow(struct out_stream *s)
{
	s->lost += s->over_len;
	s->over_len = s->over_head = 0;
	free(s->over);
	s->over = NULL;
}

/* Under the lock: the descriptor failed; drop what is buffered. */
static void mark_broken(struct out_stream *s)
{
	s->broken = true;
	s->lost += s->len;
	s->len = 0;
	drop_overflow(s);
}

/* Under the lock: tell the owner what err (EPIPE: the reader went away)
 * means, without the lock. */
static void report_error(struct out_stream *s, int err)
{
	bool gone = err == EPIPE;

	if (s->stop)
		return; /* closed: the owner may be gone */
	/* Calling, as for waiters: a close meanwhile joins the thread
	 * rather than leave it running the owner's callback. */
	s->calling = true;
	pthread_mutex_unlock(&s->lock);
	if (gone && s->ev && s->ev->gone)
		s->ev->gone(s->opaque);
	else if (!gone && s->ev && s->ev->failed)
		s->ev->failed(s->opaque, err);
	pthread_mutex_lock(&s->lock);
	s->calling = false;
}

static void break_stream(struct out_stream *s, int err)
{
	mark_broken(s);
	report_error(s, err);
}

/*
 * Under the lock: len bytes (no more than the ring has room for) at the
 * ring's end.  Returns whether they begin a partial line: after a "\n"
 * of theirs, or after nothing but whole lines.
 */
static bool ring_append(struct out_stream *s, const void *buf, size_t len)
{
	size_t tail = (s->head + s->len) % OUT_STREAM_CAPACITY;
	size_t first = len < OUT_STREAM_CAPACITY - tail ?
			       len :
			       OUT_STREAM_CAPACITY - tail;
	const char *nl = memrchr(buf, '\n', len);
	bool partial;

	memcpy(s->buf + tail, buf, first);
	memcpy(s->buf, (const uint8_t *)buf + first, len - first);
	partial = len && ((const char *)buf)[len - 1] != '\n' &&
		  (nl || s->len == s->complete);
	if (nl)
		s->complete = s->len + (nl - (const char *)buf) + 1;
	s->len += len;
	return partial;
}

/* Under the lock: as much of the overflow as the ring has room for, in
 * the one or two pieces the overflow's ring holds it in. */
static void refill(struct out_stream *s)
{
	size_t n = OUT_STREAM_CAPACITY - s->len, first;

	if (n > s->over_len)
		n = s->over_len;
	if (!n)
		return;
	first = n < OUT_STREAM_OVERFLOW_MAX - s->over_head ?
			n :
			OUT_STREAM_OVERFLOW_MAX - s->over_head;
	ring_append(s, s->over + s->over_head, first);
	ring_append(s, s->over, n - first);
	s->over_head = (s->over_head + n) % OUT_STREAM_OVERFLOW_MAX;
	s->over_len -= n;
}

/* Under the lock: done bytes of the ring were written. */
static void advance(struct out_stream *s, size_t done)
{
	s->head = (s->head + done) % OUT_STREAM_CAPACITY;
	s->len -= done;
	s->complete = s->complete > done ? s->complete - done : 0;
	s->written += done;
	refill(s);
}

/* Under the lock: the first n buffered bytes, as the one or two pieces
 * the ring holds them in (it may wrap inside them), for one writev(2):
 * a line the ring's end cuts still goes in one write.  Returns the count
 * of pieces. */
static int ring_iov(const struct out_stream *s, size_t n, struct iovec iov[2])
{
	size_t first = n < OUT_STREAM_CAPACITY - s->head ?
			       n :
			       OUT_STREAM_CAPACITY - s->head;

	iov[0] = (struct iovec){ s->buf + s->head, first };
	iov[1] = (struct iovec){ s->buf, n - first };
	return n > first ? 2 : 1;
}

/* ns in whole ms, rounded up (a timer or poll(2) never ends early). */
static uint64_t ms_up(uint64_t ns)
{
	return (ns + 999999) / 1000000;
}

/* Under the lock: whole lines only, while a partial one may still end. */
static size_t bytes_to_write(const struct out_stream *s)
{
	if (s->complete && s->len < LINE_BATCH && !s->flush && !s->stop)
		return s->complete;
	return s->len;
}

/* Under the lock: the offset just past the last (or, if !last, the
 * first) "\n" in buffered bytes [from, to), across the ring's end; 0 if
 * there is none. */
static size_t ring_newline(const struct out_stream *s, size_t from, size_t to,
			   bool last)
{
	struct iovec iov[2];
	size_t base[2], lo;
	const uint8_t *p, *nl;
	int k, i;

	ring_iov(s, to, iov);
	base[0] = 0;
	base[1] = iov[0].iov_len;
	for (k = 0; k < 2; k++) {
		i = last ? 1 - k : k;
		lo = from > base[i] ? from - base[i] : 0;
		if (lo >= iov[i].iov_len)
			continue;
		p = (const uint8_t *)iov[i].iov_base + lo;
		nl = last ? memrchr(p, '\n', iov[i].iov_len - lo) :
			    memchr(p, '\n', iov[i].iov_len - lo);
		if (nl)
			return base[i] +
			       (nl - (const uint8_t *)iov[i].iov_base) + 1;
	}
	return 0;
}

/* Under the lock: of the first n buffered bytes, those one write(2)
 * takes: WRITE_CHUNK (a pipe's: PIPE_BUF) up to its last line end, or a
 * longer line whole (as before: kvmux's messages never land inside a
 * line the buffer holds), or a chunk of a line longer than the buffer. */
static size_t for_one_write(const struct out_stream *s, size_t n)
{
	size_t chunk = s->pipe ? PIPE_BUF : WRITE_CHUNK, end;

	if (s->regular_file || n <= chunk)
		return n;
	end = ring_newline(s, 0, chunk, true);
	if (!end)
		end = ring_newline(s, chunk, n, false);
	return end ? end : chunk;
}

static void write_chunk(struct out_stream *s)
{
	struct iovec iov[2];
	int cnt = ring_iov(s, for_one_write(s, bytes_to_write(s)), iov);
	ssize_t done;

	s->writing = true;
	pthread_mutex_unlock(&s->lock);
	done = write_some(s, iov, cnt);
	pthread_mutex_lock(&s->lock);
	s->writing = false;
	if (s->stop)
		pthread_cond_broadcast(&s->wrote);
	if (done < 0)
		break_stream(s, errno);
	else if (done > 0)
		advance(s, done);
	/* The waiters first: once drained, the owner may free what they
	 * use. */
	wake_waiters(s);
	if (!s->len && s->draining) {
		uint64_t one = 1;

		s->draining = false;
		if (write(s->drained_fd, &one, sizeof(one)) < 0)
			return; /* cannot fail: the drain looks again anyway */
	}
}

/* Under the lock: is what is buffered worth a write(2) now? */
static bool worth_writing(const struct out_stream *s)
{
	return s->complete || s->len >= LINE_BATCH || s->flush || s->stop;
}

/* Under the lock: give a partial line LINE_WAIT_NS to be completed. */
static void wait_for_line(struct out_stream *s)
{
	struct timespec ts = deadline_in(LINE_WAIT_NS);

	s->awaiting_line = true;
	while (!worth_writing(s) &&
	       pthread_cond_timedwait(&s->cond, &s->lock, &ts) != ETIMEDOUT)
		;
	s->awaiting_line = false;
}

static void *writer_thread(void *arg)
{
	struct out_stream *s = arg;

	thread_enter(THREAD_OUTPUT);
	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (!s->len && !s->stop && !s->nr_waiters)
			pthread_cond_wait(&s->cond, &s->lock);
		if (s->stop)
			break;
		if (!s->len) {
			wake_waiters(s); /* registered after the last write */
			continue;
		}
		if (!worth_writing(s))
			wait_for_line(s);
		if (s->stop)
			break;
		write_chunk(s);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/*
 * Direct streams.  Writers write the whole lines they add at once, under
 * the lock: direct_fd never blocks.  A partial line waits up to
 * LINE_WAIT_NS on a timer they arm, as on a threaded stream's thread (a
 * UART hands over a byte per exit: a write(2) per byte cost a chatty
 * guest more than it saved).  What the reader cannot take yet waits in
 * the ring for the owner's event loop (out_stream_attach()), which
 * watches direct_fd for room and the timer, writes the rest and calls
 * the room waiters; so does it report write errors.  Writers only kick
 * it: they may hold their device's locks, which a waiter or the owner's
 * callback takes.  A stream without a loop writes partial lines at once.
 */

/* Under the lock: have the loop look at the stream (a write(2) to an
 * eventfd, which never blocks). */
static void kick(struct out_stream *s)
{
	uint64_t one = 1;

	if (s->kicked)
		return;
	s->kicked = true;
	if (write(s->wake_fd, &one, sizeof(one)) < 0)
		s->kicked = false; /* cannot fail: a fresh count */
}

/* Under the lock: write what is buffered without blocking (all of it,
 * or whole lines only), until the reader is behind (backlogged) or that
 * is out.  Returns whether any of it went. */
static bool pump(struct out_stream *s, bool all)
{
	bool wrote = false;

	s->backlogged = false;
	while (s->len && !s->broken && (all || worth_writing(s))) {
		struct iovec iov[2];
		size_t n = for_one_write(s, all ? s->len : bytes_to_write(s));
		int cnt = ring_iov(s, n, iov);
		ssize_t done = writev(s->direct_fd, iov, cnt);

		if (done > 0) {
			advance(s, done);
			wrote = true;
		} else if (done == 0 || errno == EAGAIN) {
			s->backlogged = true;
			break;
		} else if (errno != EINTR) {
			mark_broken(s);
			s->pending_err = errno;
		}
	}
	return wrote;
}

static void on_loop_event(void *opaque, int fd, uint32_t events);

/* Under the lock, on the loop's thread: be called when direct_fd has
 * room (once: EPOLLONESHOT, so a reader that went away while nothing
 * waits cannot make the loop spin on EPOLLERR). */
static void watch_room(struct out_stream *s)
{
	uint32_t events = EPOLLOUT | EPOLLONESHOT;
	int rc;

	if (s->polling)
		rc = event_loop_modify(s->loop, s->direct_fd, events);
	else
		rc = event_loop_add(s->loop, s->direct_fd, events,
				    on_loop_event, s);
	if (!rc) {
		s->polling = s->watching = true;
		return;
	}
	mark_broken(s); /* no way to wait: a write error */
	s->pending_err = errno ? errno : EIO;
	kick(s); /* reported by the loop's next round */
}

/* Under the lock, on the owner's thread (its loop, or a drain): write
 * what waits, call the room waiters and report an error.  Returns the
 * bytes left to write (a drain's answer). */
static size_t serve(struct out_stream *s)
{
	bool wrote = pump(s, true);
	int err;

	/* Only once room was made (or all of it is there, or the stream
	 * broke): a waiter refused for want of room, called with none new,
	 * would write, be refused, kick and wait again, and the loop spin. */
	if (s->nr_waiters && (wrote || !s->len || s->broken))
		wake_waiters(s);
	err = s->pending_err;
	s->pending_err = 0;
	if (err)
		report_error(s, err);
	return s->len;
}

/*
 * Under the lock, on the loop's thread, when the line timer fired: it was
 * armed for a partial line that has ended and gone since, and what waits
 * now is a later one, buffered for less than LINE_WAIT_NS: the timer runs
 * again for the rest of that line's own wait.  (A UART hands over a line
 * in about 2 ms: without this, every other line went in two pieces, one
 * of them from the loop's thread.)  Returns whether it runs again.
 */
static bool line_wait_again(struct out_stream *s)
{
	uint64_t age = out_stream_now_ns() - s->partial_ns;

	if (!s->len || worth_writing(s) || s->backlogged || s->broken ||
	    age >= LINE_WAIT_NS)
		return false;
	/* Rounded up: a timer that fires early would come back here. */
	if (timer_fd_set(s->line_timer_fd, ms_up(LINE_WAIT_NS - age), 0) < 0)
		return false;
	s->line_timer_armed = true;
	return true;
}

/* The loop: a kick (wake_fd), a partial line's time (line_timer_fd)
 * or room on direct_fd. */
static void on_loop_event(void *opaque, int fd, uint32_t events)
{
	struct out_stream *s = opaque;

	pthread_mutex_lock(&s->lock);
	if (fd == s->wake_fd) {
		event_fd_drain(fd);
		s->kicked = false;
	} else if (fd == s->line_timer_fd) {
		event_fd_drain(fd);
		s->line_timer_armed = false;
		if (line_wait_again(s)) {
			pthread_mutex_unlock(&s->lock);
			return;
		}
	} else {
		s->watching = false; /* EPOLLONESHOT: disarmed */
	}
	if (serve(s) && s->backlogged && !s->stop)
		watch_room(s);
	pthread_mutex_unlock(&s->lock);
}

int out_stream_attach(struct out_stream *s, struct event_loop *loop)
{
	if (!s->direct)
		return 0;
	pthread_mutex_lock(&s->lock);
	s->loop = loop; /* first: an event may come as soon as it is added */
	pthread_mutex_unlock(&s->lock);
	/* A kick before this left a count: the loop sees it at once. */
	if (event_loop_add(loop, s->wake_fd, EPOLLIN, on_loop_event, s) < 0 ||
	    event_loop_add(loop, s->line_timer_fd, EPOLLIN, on_loop_event, s) <
		    0)
		return -1;
	return 0;
}

/*
 * A descriptor on fd's file that a write(2) never blocks on, or -1 (a
 * regular file, a socket, a terminal, another device, a read-only
 * descriptor: a thread writes those).  Not fd's own O_NONBLOCK, which
 * belongs to the open file description kvmux shares with its parent: a
 * description of its own on the same pipe or FIFO (*own), opened again
 * through /proc, also when fd is non-blocking already (the parent, or
 * another process that shares it, may clear the flag at any time).
 * /dev/null is written as it is.
 *
 * Not a terminal: a blocking write(2) to one is a single piece there
 * (the tty layer holds its write lock throughout), but a non-blocking
 * one stops wherever the terminal is full, and kvmux's message, written
 * to the same terminal through stderr's stream, then lands inside a
 * console line (a slow terminal behind a flood, then a --timeout:
 * "flood 00998816 aaaakvmux: vm: timeout: ..."), which docs/devices.md
 * promises never happens.  A pipe splits a write only where it is full,
 * and one of at most PIPE_BUF bytes never, blocking or not (all of it or
 * EAGAIN): a stream on a pipe writes whole lines in pieces of at most
 * PIPE_BUF (for_one_write()), so that a message through stderr's stream
 * on the same pipe (2>&1) lands between lines, not inside one that the
 * pipe had room for only in part.  A threaded one too (no twin could be
 * opened: no /proc, another user's pipe): a blocking write(2) to a full
 * pipe goes in a page at a time as room comes, and a writer waiting
 * meanwhile gets its turn between two pages.
 */
static int nonblocking_fd(int fd, bool *own)
{
	int flags = fcntl(fd, F_GETFL), twin;
	struct stat st, twin_st;
	char path[32];

	*own = false;
	if (flags < 0 || fstat(fd, &st) < 0)
		return -1;
	if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3))
		return fd; /* /dev/null */
	/* Opened again, a read-only descriptor (a pipe's reading end, say
	 * kvmux's own stdin's) would be written: fd's thread writes to fd
	 * itself. */
	if (!S_ISFIFO(st.st_mode) || (flags & O_ACCMODE) == O_RDONLY)
		return -1;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	twin = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (twin < 0)
		return -1; /* no /proc, a FIFO without a reader */
	if (fstat(twin, &twin_st) < 0 || twin_st.st_dev != st.st_dev ||
	    twin_st.st_ino != st.st_ino) {
		close(twin);
		return -1;
	}
	*own = true;
	return twin;
}

struct out_stream *out_stream_create(int fd, const struct out_stream_events *ev,
				     void *opaque)
{
	struct out_stream *s = calloc(1, sizeof(*s));
	pthread_condattr_t attr;
	struct stat st;
	int rc;

	if (!s) {
		err_host("out of memory");
		return NULL;
	}
	s->fd = fd;
	s->regular_file = !fstat(fd, &st) && S_ISREG(st.st_mode);
	s->pipe = !s->regular_file && S_ISFIFO(st.st_mode);
	s->ev = ev;
	s->opaque = opaque;
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &attr);
	pthread_cond_init(&s->wrote, &attr);
	pthread_condattr_destroy(&attr);
	s->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	s->drained_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->wake_fd < 0 || s->drained_fd < 0) {
		err_set_errno("eventfd");
		goto fail;
	}
	s->buf = malloc(OUT_STREAM_CAPACITY);
	if (!s->buf) {
		err_host("out of memory");
		goto fail;
	}
	s->line_timer_fd = -1;
	s->direct_fd = nonblocking_fd(fd, &s->own_direct_fd);
	s->direct = s->direct_fd >= 0;
	if (s->direct) {
		s->line_timer_fd = timerfd_create(CLOCK_MONOTONIC,
						  TFD_CLOEXEC | TFD_NONBLOCK);
		if (s->line_timer_fd >= 0)
			return s;
		err_set_errno("timerfd_create");
		goto fail;
	}
	rc = pthread_create(&s->thread, NULL, writer_thread, s);
	if (rc) {
		errno = rc;
		err_set_errno("cannot start an output thread");
		goto fail;
	}
	return s;
fail:
	if (s->own_direct_fd)
		close(s->direct_fd);
	if (s->wake_fd >= 0)
		close(s->wake_fd);
	if (s->drained_fd >= 0)
		close(s->drained_fd);
	free(s->buf);
	free(s);
	return NULL;
}

/* Under the lock: a partial line is written at the latest when the
 * loop's timer fires (at once without a loop, or if it cannot be armed:
 * timer_fd_set() is a timerfd_settime(2), which every thread that
 * writes to a stream may make). */
static void arm_line_timer(struct out_stream *s)
{
	if (s->line_timer_armed)
		return;
	if (s->loop &&
	    timer_fd_set(s->line_timer_fd, LINE_WAIT_NS / 1000000, 0) == 0)
		s->line_timer_armed = true;
	else
		pump(s, true);
}

/* Direct, under the lock: what was just added goes at once (whole
 * lines), or waits for the loop. */
static void write_now(struct out_stream *s)
{
	if (!s->backlogged)
		pump(s, false);
	if (!s->backlogged && s->len && !s->broken)
		arm_line_timer(s);
	/* Behind a reader the loop watches already: it hears of room. */
	if ((s->backlogged && !s->watching) || s->pending_err)
		kick(s);
}

/* Under the lock: len more bytes of buf taken. */
static void count_taken(struct out_stream *s, const void *buf, size_t len)
{
	if (!len)
		return;
	s->taken += len;
	s->line_open = ((const char *)buf)[len - 1] != '\n';
}

/*
 * Under the lock: len more bytes behind the ring's, as many as
 * OUT_STREAM_OVERFLOW_MAX allows in all (the rest are counted lost).
 */
static void overflow_append(struct out_stream *s, const void *buf, size_t len)
{
	size_t tail, first;

	if (len > OUT_STREAM_OVERFLOW_MAX - s->over_len) {
		s->lost += len - (OUT_STREAM_OVERFLOW_MAX - s->over_len);
		len = OUT_STREAM_OVERFLOW_MAX - s->over_len;
	}
	if (!len)
		return;
	if (!s->over) {
		/* Not zeroed: its pages are faulted in only as it fills. */
		s->over = malloc(OUT_STREAM_OVERFLOW_MAX);
		if (!s->over) {
			s->lost += len;
			return;
		}
	}
	tail = (s->over_head + s->over_len) % OUT_STREAM_OVERFLOW_MAX;
	first = len < OUT_STREAM_OVERFLOW_MAX - tail ?
			len :
			OUT_STREAM_OVERFLOW_MAX - tail;
	memcpy(s->over + tail, buf, first);
	memcpy(s->over, (const uint8_t *)buf + first, len - first);
	s->over_len += len;
}

enum put_mode {
	PUT_SOME, /* what the ring has room for */
	PUT_WHOLE, /* all or nothing */
	PUT_ALL, /* all: what the ring has no room for overflows */
};

static size_t put(struct out_stream *s, const void *buf, size_t len,
		  enum put_mode mode)
{
	size_t room, fit;
	bool was_empty, had_line, partial;

	pthread_mutex_lock(&s->lock);
	/* Behind an overflow the ring is full, whatever its length says. */
	room = s->over_len ? 0 : OUT_STREAM_CAPACITY - s->len;
	if (len > room && mode != PUT_ALL && !s->broken)
		len = mode == PUT_WHOLE ? 0 : room;
	count_taken(s, buf, len);
	if (s->broken) {
		s->lost += len;
		pthread_mutex_unlock(&s->lock);
		return len;
	}
	fit = len < room ? len : room;
	was_empty = !s->len;
	had_line = worth_writing(s);
	partial = ring_append(s, buf, fit);
	overflow_append(s, (const uint8_t *)buf + fit, len - fit);
	if (s->direct) {
		if (partial)
			s->partial_ns = out_stream_now_ns();
		write_now(s);
	} else if (fit && (was_empty || (s->awaiting_line && !had_line &&
					 worth_writing(s)))) {
		/* The thread waits for data, or for a line that now ended. */
		pthread_cond_signal(&s->cond);
	}
	pthread_mutex_unlock(&s->lock);
	return len;
}

size_t out_stream_write(struct out_stream *s, const void *buf, size_t len,
			bool whole)
{
	return put(s, buf, len, whole ? PUT_WHOLE : PUT_SOME);
}

size_t out_stream_write_last(struct out_stream *s, const void *buf, size_t len)
{
	return put(s, buf, len, PUT_ALL);
}

int out_stream_wait_room(struct out_stream *s, out_stream_fn fn, void *opaque)
{
	unsigned int i;
	int rc = 0;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < s->nr_waiters; i++)
		if (s->waiter[i].opaque == opaque)
			goto out;
	if (s->nr_waiters == OUT_STREAM_WAITERS) {
		rc = err_host("too many writers wait for one output");
		goto out;
	}
	s->waiter[s->nr_waiters++] = (struct waiter){ fn, opaque };
	/* Emptied since the caller was refused: nothing more would be
	 * written to call it, so the stream's thread or loop calls it now. */
	if (!s->len && s->direct)
		kick(s);
	else if (!s->len)
		pthread_cond_signal(&s->cond);
out:
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* Under the lock: waiting on its descriptor, with nothing written since
 * the last look, when written was seen (a reader that does not read), as
 * opposed to making progress or not having run at all (a host too busy
 * to give it a CPU). */
static bool stuck(const struct out_stream *s, uint64_t seen)
{
	return s->writing && s->written == seen;
}

/* Under the lock: bytes still to write, the overflow's included. */
static size_t buffered(const struct out_stream *s)
{
	return s->len + s->over_len;
}

void out_stream_flush(struct out_stream *s)
{
	pthread_mutex_lock(&s->lock);
	s->flush = true;
	if (s->direct)
		write_now(s);
	else
		pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

/* ns as a poll(2) timeout: rounded up, at most DRAIN_POLL_MAX_MS. */
static int poll_ms(uint64_t ns)
{
	uint64_t ms = ms_up(ns);

	return ms < DRAIN_POLL_MAX_MS ? (int)ms : DRAIN_POLL_MAX_MS;
}

/*
 * A direct stream's drain, on the owner's thread: write, and wait for
 * room until the reader has taken nothing for the grace (ns) in a row,
 * as a threaded drain does (a slow reader that reads is waited for), and
 * never past end (CLOCK_MONOTONIC).
 */
static size_t drain_direct(struct out_stream *s, uint64_t grace, uint64_t end,
			   int fd)
{
	uint64_t now, waited = 0, wait = 0, seen = 0, written;
	size_t left;

	for (;;) {
		struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN },
					 { .fd = s->direct_fd,
					   .events = POLLOUT } };
		int ready;

		pthread_mutex_lock(&s->lock);
		serve(s);
		left = buffered(s);
		written = s->written;
		pthread_mutex_unlock(&s->lock);
		/* Since the reader last took something. */
		waited = written != seen ? 0 : waited + wait;
		seen = written;
		now = out_stream_now_ns();
		if (!left || waited >= grace || now >= end)
			return left;
		ready = poll(pfd, 2, poll_ms(grace - waited));
		wait = out_stream_now_ns() - now;
		if (ready > 0 && pfd[0].revents)
			return left;
	}
}

size_t out_stream_drain(struct out_stream *s, uint64_t deadline_ns, int fd)
{
	uint64_t now = out_stream_now_ns(), moved = now, count;
	uint64_t grace = deadline_ns > now ? deadline_ns - now : 0;
	uint64_t end = now + grace + OUT_STREAM_STARVED_NS, seen = UINT64_MAX;
	size_t left;

	/* end also bounds a direct drain: a descriptor that polls ready but
	 * takes nothing cannot make it spin. */
	if (s->direct)
		return drain_direct(s, grace, end, fd);
	out_stream_flush(s);
	for (;;) {
		struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN },
					 { .fd = s->drained_fd,
					   .events = POLLIN } };
		bool done;

		pthread_mutex_lock(&s->lock);
		left = buffered(s);
		now = out_stream_now_ns();
		if (!stuck(s, seen))
			moved = now;
		seen = s->written;
		done = !left || now - moved > grace || now >= end;
		s->draining = !done;
		pthread_mutex_unlock(&s->lock);
		if (done)
			return left;
		if (poll(pfd, 2, DRAIN_POLL_MS) > 0 && pfd[0].revents)
			break;
		if (pfd[1].revents &&
		    read(s->drained_fd, &count, sizeof(count)) < 0)
			break; /* cannot fail: an eventfd with a count */
	}
	pthread_mutex_lock(&s->lock);
	s->draining = false;
	left = buffered(s);
	pthread_mutex_unlock(&s->lock);
	return left;
}

/* Keep a stream whose thread may still touch it reachable until exit;
 * false if there is no room left for it. */
static bool keep_until_exit(struct out_stream *s)
{
	bool kept = false;

	pthread_mutex_lock(&abandoned_lock);
	if (nr_abandoned < sizeof(abandoned) / sizeof(abandoned[0])) {
		abandoned[nr_abandoned++] = s;
		kept = true;
	}
	pthread_mutex_unlock(&abandoned_lock);
	return kept;
}

/*
 * After the thread: what is still buffered for a regular file.  Such a
 * write never waits for a reader, so only a thread that got no CPU in
 * the drain's grace (a heavily loaded host) left it there, and dropping
 * it would lose output for nothing.  Pipes and terminals keep the grace.
 */
static void write_rest_to_file(struct out_stream *s)
{
	ssize_t done;

	if (s->broken || !s->len || !s->regular_file)
		return;
	while (s->len) {
		struct iovec iov[2];
		int cnt = ring_iov(s, s->len, iov);

		done = writev(s->fd, iov, cnt);
		if (done < 0 && errno == EINTR)
			continue;
		if (done <= 0)
			return;
		advance(s, done);
	}
}

/*
 * Under the lock, after stop: a write(2) to a regular file waits for no
 * reader, so the thread comes back from it; on a busy host that can take
 * a while.  Waited for up to THREAD_JOIN_TIMEOUT_NS (a file system that
 * does not answer, such as a hung network mount, must not hang kvmux).
 * Returns whether the thread is still in write(2).
 */
static bool wait_for_file_write(struct out_stream *s)
{
	struct timespec ts = deadline_in(THREAD_JOIN_TIMEOUT_NS);

	while (s->writing && s->regular_file &&
	       pthread_cond_timedwait(&s->wrote, &s->lock, &ts) != ETIMEDOUT)
		;
	return s->writing;
}

/* Free what both kinds of stream have. */
static void free_stream(struct out_stream *s)
{
	close(s->wake_fd);
	close(s->drained_fd);
	pthread_cond_destroy(&s->cond);
	pthread_cond_destroy(&s->wrote);
	pthread_mutex_destroy(&s->lock);
	free(s->buf);
	free(s->over);
	free(s);
}

/* A direct stream: its loop forgets it; it has no thread to wait for. */
static uint64_t close_direct(struct out_stream *s)
{
	uint64_t undelivered;

	pthread_mutex_lock(&s->lock);
	s->stop = true;
	wake_waiters(s);
	undelivered = buffered(s) + s->lost;
	pthread_mutex_unlock(&s->lock);
	if (s->loop) {
		event_loop_remove(s->loop, s->wake_fd);
		event_loop_remove(s->loop, s->line_timer_fd);
		if (s->polling)
			event_loop_remove(s->loop, s->direct_fd);
	}
	if (s->own_direct_fd)
		close(s->direct_fd);
	close(s->line_timer_fd);
	free_stream(s);
	return undelivered;
}

uint64_t out_stream_close(struct out_stream *s)
{
	uint64_t one = 1, undelivered;
	bool busy, idle, leave;

	if (!s)
		return 0;
	if (s->direct)
		return close_direct(s);
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	busy = wait_for_file_write(s);
	/* A thread in a waiter's callback is not idle: the owner may free
	 * what the callback uses once this returns, so it is joined. */
	idle = !busy && !s->len && !s->calling;
	undelivered = buffered(s) + s->lost;
	pthread_cond_signal(&s->cond);
	wake_waiters(s);
	pthread_mutex_unlock(&s->lock);
	if (write(s->wake_fd, &one, sizeof(one)) < 0 || busy) {
		keep_until_exit(s); /* it may never come back */
		leave = true;
	} else {
		/* Nothing left to write: it ends by itself, and waiting for
		 * it (a wake-up, its exit) would only delay kvmux's end. */
		leave = idle && keep_until_exit(s);
	}
	if (leave) {
		pthread_detach(s->thread);
		return undelivered;
	}
	pthread_join(s->thread, NULL);
	write_rest_to_file(s);
	undelivered = buffered(s) + s->lost;
	free_stream(s);
	return undelivered;
}
