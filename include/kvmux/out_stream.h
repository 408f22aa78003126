/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * out_stream.h - output to a host descriptor that kvmux does not control
 * (stdout, stderr, a log file, a FIFO), which no slow, stuck or vanished
 * reader can turn into a hang of kvmux.
 *
 * Writers append to a bounded buffer and never block: what does not fit
 * is refused, and the writer is told when there is room again (that is
 * the back-pressure a console device passes on to its guest).  Nothing
 * ever waits for the descriptor without a bound.  A stream is one of two
 * kinds, chosen by its descriptor when it is made:
 *
 *  - direct (a pipe or FIFO, /dev/null): the writer's own
 *    thread calls write(2), with a descriptor that never blocks.  Not
 *    fd's O_NONBLOCK, which belongs to the open file
 *    description kvmux shares with its parent (a CI runner's pipe): a
 *    description of the stream's own on the same pipe, opened again
 *    through /proc/self/fd, also when the parent left it non-blocking
 *    (it may clear the flag at any time; /dev/null is used as it is).
 *    Whole lines go at once; a partial line waits up to 5 ms on a timer
 *    the writer arms (timerfd_settime(2)), or for the rest of its line.
 *    When the reader falls behind, the rest waits in the buffer for the
 *    owner's event loop (out_stream_attach()), which waits for room and
 *    for the timer, writes, calls the room waiters and reports errors: a
 *    writer may hold locks those callbacks take.  No thread: a run that
 *    prints a few lines costs no thread start, filter, wake-up or exit.
 *  - threaded (a regular file, a socket, a terminal, any other device,
 *    a read-only descriptor, or no /proc):
 *    a thread of the stream's own does the write(2) calls and is the only
 *    thread that may block on the descriptor (a file system that does not
 *    answer, a terminal nobody reads).  A descriptor the parent left
 *    non-blocking is polled, not given up on.  A terminal is not direct:
 *    there a blocking write(2) is one piece, which kvmux's messages on
 *    the same terminal never split, and a non-blocking one is not.
 *
 * Both write whole lines: a partial line waits up to 5 ms for its "\n"
 * (or for 4 KiB to gather, or for a drain or close), so a guest that
 * hands its console over a byte at a time (a UART) costs a write(2) per
 * line, not per byte (and, threaded, two wake-ups).
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

/* Called without any lock of the stream held, on the stream's thread
 * (direct: the thread of the loop it is attached to, or of a drain). */
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
 * Let loop (the owner's, run by one thread) serve a direct stream: wait
 * for room when its reader is behind, write the rest, call the room
 * waiters and the events.  Until then (and for a stream never attached)
 * that waits for out_stream_drain(), and partial lines are written at
 * once.  Nothing for a threaded stream.
 * Returns 0, or -1 with err_set().  out_stream_close() detaches it.
 */
struct event_loop;
int out_stream_attach(struct out_stream *s, struct event_loop *loop);

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
 * Append all len bytes, for a writer that can hold nothing back any more:
 * a console whose VM has stopped hands over what its device still held.
 * What the buffer has no room for waits in an overflow behind it, of at
 * most OUT_STREAM_OVERFLOW_MAX bytes per stream (allocated at its first use,
 * freed at close), and goes out in order as the buffer empties; until
 * then out_stream_write() sees a full buffer.  Bytes beyond that bound
 * are counted as lost (out_stream_close()).  Never blocks; returns len.
 */
#define OUT_STREAM_OVERFLOW_MAX (1024 * 1024)
size_t out_stream_write_last(struct out_stream *s, const void *buf, size_t len);

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
 * signalfd say) is readable, or until the stream's thread has waited on
 * its descriptor for the grace (deadline_ns, on CLOCK_MONOTONIC, less
 * now) in a row without writing anything (a reader that does not read).
 * Output that moves (a write(2) to a socket or a terminal takes at most
 * 16 KiB, or one longer line), or a thread waiting for a CPU, is waited
 * for up to OUT_STREAM_STARVED_NS past the grace: a busy host or a slow
 * reader delays output, only a reader that stops can make it
 * undeliverable.  A
 * direct stream is written by the caller itself, waiting for room up to
 * the grace; it also calls the room waiters and reports errors, as its
 * loop would.  Returns the bytes still buffered.
 */
size_t out_stream_drain(struct out_stream *s, uint64_t deadline_ns, int fd);

/*
 * Free the stream, after calling its room waiters; a direct stream
 * leaves its loop (which may have been freed already).  A threaded
 * stream's thread is stopped first.  A thread still blocked in
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
