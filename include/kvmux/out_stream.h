/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * out_stream.h - output to a host descriptor that kvmux does not control
 * (stdout, stderr, a log file, a FIFO), which no slow, stuck or vanished
 * reader can turn into a hang of kvmux.
 *
 * Writers append to a bounded buffer and never block: what does not fit
 * is refused, and the writer is told when there is room again (that is
 * the back-pressure a console device passes on to its guest).  A thread
 * of the stream's own does the write(2) calls and is the only thread that
 * may block on the descriptor; nothing ever waits for it without a bound.
 * A descriptor the parent left non-blocking is polled, not given up on.
 *
 * The thread writes whole lines: a partial line waits up to 5 ms for its
 * "\n" (or for 4 KiB to gather, or for a drain or close), so a guest that
 * hands its console over a byte at a time costs a write(2) and two
 * wake-ups per line, not per byte.
 *
 * Why a thread and not O_NONBLOCK: the flag belongs to the open file
 * description, which kvmux shares with its parent (the shell's terminal,
 * a CI runner's pipe); setting it would change their descriptor too.
 *
 * Errors: the reader going away (EPIPE) and any other write error are
 * reported once each through callbacks, for the owner to say what they
 * mean; later output to the stream is counted as lost instead of written.
 */
#ifndef KVMUX_OUT_STREAM_H
#define KVMUX_OUT_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct out_stream;

#define OUT_STREAM_CAPACITY (64 * 1024) /* bytes buffered per stream */

/* Called without any lock of the stream held, on the stream's thread. */
typedef void (*out_stream_fn)(void *opaque);

/* What the owner hears, at most once each; either may be NULL. */
struct out_stream_events {
	void (*gone)(void *opaque); /* the reader went away (EPIPE) */
	void (*failed)(void *opaque, int err); /* another write error */
};

/*
 * A stream writing to fd (kvmux does not close it).  Returns NULL with
 * err_set() when the thread cannot be started.
 */
struct out_stream *out_stream_create(int fd, const struct out_stream_events *ev,
				     void *opaque);

/*
 * Append up to len bytes; never blocks.  With whole, all of them or none
 * (so that lines from several writers never interleave).  Returns the
 * bytes taken; fewer than len means the buffer is full: the caller keeps
 * the rest and waits for its room callback.  After a write error, or
 * once the reader has gone, everything is taken and counted as lost.
 */
size_t out_stream_write(struct out_stream *s, const void *buf, size_t len,
			bool whole);

/*
 * Ask for fn(opaque) to run once, when the stream has taken some of its
 * buffer out (or has failed, or is stopping).  One waiter per opaque: a
 * second call for the same opaque before the first ran does nothing.
 * Returns 0, or -1 if too many waiters (OUT_STREAM_WAITERS) are queued.
 */
#define OUT_STREAM_WAITERS 64
int out_stream_wait_room(struct out_stream *s, out_stream_fn fn, void *opaque);

/* From now on write what is buffered at once, partial lines too (the
 * writer has nothing more to come: a stopped console, a drain). */
void out_stream_flush(struct out_stream *s);

/* How much longer than its grace a drain waits for a thread that makes
 * progress or has not run yet (a heavily loaded host), in ns. */
#define OUT_STREAM_STARVED_NS (3 * 1000000000ULL)

/*
 * Wait until everything buffered is written, or until fd (if >= 0, a
 * signalfd say) is readable, or until the grace (deadline_ns, on
 * CLOCK_MONOTONIC, less now) is used up by time the stream's thread
 * spent waiting on its descriptor without writing anything (a reader
 * that does not read).  Time the thread spends writing, or waiting for a
 * CPU, does not count, up to OUT_STREAM_STARVED_NS past the grace: a busy
 * host delays output, only a reader can make it undeliverable.  Returns
 * the bytes still buffered.
 */
size_t out_stream_drain(struct out_stream *s, uint64_t deadline_ns, int fd);

/*
 * Stop the thread and free the stream.  A thread still blocked in
 * write(2) (a reader that never reads) is not waited for: it and its
 * stream are left to the process's exit.  To a regular file it is, for
 * up to THREAD_JOIN_TIMEOUT_NS (5 s; kvmux/thread.h): such a write
 * waits for no reader, only for the CPU on a busy host, or for a file
 * system that does not answer.  Nor is an idle thread (nothing
 * buffered, no room callback running), which ends by itself: joining it
 * would only put a wake-up and its exit on the path to kvmux's own (up
 * to 16 streams are left so; later ones are joined).  What is still
 * buffered for a regular file is written by the caller (such a write
 * waits for no reader; only a starved thread leaves bytes there).
 * Returns the bytes that were never delivered (still buffered, or lost
 * after an error).
 */
uint64_t out_stream_close(struct out_stream *s);

/*
 * How many bytes the stream has taken so far (0 or more; written,
 * buffered or lost), and in *line_open whether the last of them was not
 * a "\n": its output ends inside a line (false before any byte).
 */
uint64_t out_stream_taken(struct out_stream *s, bool *line_open);

/* CLOCK_MONOTONIC now, in ns: the clock of the deadlines above. */
uint64_t out_stream_now_ns(void);

#endif
