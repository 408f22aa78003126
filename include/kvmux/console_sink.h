/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * console_sink.h - one console device's output on the host: the bytes a
 * guest writes to its UART or virtio-console, on their way to one or two
 * out_streams (kvmux/out_stream.h: stdout, a console file, a log), and
 * past the --fail-on patterns (kvmux/line_match.h).
 *
 * Each output of a sink gets the same bytes, in one of two forms:
 *
 *  - a stream of bytes (no prefix): what the guest wrote, as it comes
 *    (one VM on a terminal: interactive), each line optionally headed by
 *    the time since the sink's epoch, "[    1.234567] ";
 *  - prefixed lines: whole lines handed over as "prefix| line" in one
 *    piece (after the time, if asked), so the consoles of several VMs
 *    sharing a stream interleave by lines, never inside one; "\r" is
 *    dropped, and a line longer than CONSOLE_SINK_LINE_MAX is cut into
 *    lines that long.
 *
 * Sinks never block.  When a stream is full a sink takes fewer bytes
 * than offered, and calls the device's room callback once there is room
 * again: the device holds the rest (UART: THR stays full;
 * virtio-console: the buffer is not returned yet), which is how a slow
 * reader slows the guest down instead of losing its output.  A sink with
 * one stream of bytes (no time) hands bytes straight to its stream; with
 * more, or with lines or times, it holds at most a line or a few KiB per
 * output that its stream could not take yet, and takes nothing more until
 * they are out, so every output gets every byte.  Once the VM has
 * stopped (console_sink_last()) nothing is held back any more: what the
 * device and the sink still hold goes to the streams whole, behind what
 * they buffer, for the run's final drain.
 */
#ifndef KVMUX_CONSOLE_SINK_H
#define KVMUX_CONSOLE_SINK_H

#include <stddef.h>
#include <stdint.h>

struct console_sink;
struct line_match;
struct out_stream;

#define CONSOLE_SINK_OUTPUTS 2 /* the console's destination and its log */
#define CONSOLE_SINK_LINE_MAX 4096 /* bytes of a prefixed line, at most */
#define CONSOLE_SINK_PREFIX_MAX 256 /* a longer prefix is cut */

/* Runs on another thread than the device's, with no sink lock held. */
typedef void (*console_room_fn)(void *opaque);

/* A sink without outputs yet (it discards); NULL when out of memory. */
struct console_sink *console_sink_new(void);

/*
 * A sink with one output: out (NULL: discard) as a stream of bytes
 * (prefix NULL) or prefixed lines.  NULL when out of memory.
 */
struct console_sink *console_sink_create(struct out_stream *out,
					 const char *prefix);

/* Output flags. */
#define CONSOLE_SINK_TIMESTAMPS 0x1 /* each line starts with the time */

/*
 * One more output for the same bytes (before use): out may be NULL (its
 * index is taken, nothing is written).  Returns its index, or -1 when
 * the sink has CONSOLE_SINK_OUTPUTS already or memory is out.
 */
int console_sink_add_output(struct console_sink *sink, struct out_stream *out,
			    const char *prefix, unsigned int flags);

/* Times are counted from ns (CLOCK_MONOTONIC); default: the creation. */
void console_sink_set_epoch(struct console_sink *sink, uint64_t ns);

/*
 * Match every line against m (which must outlive the sink); on the first
 * line that matches, fn(opaque, pattern, line) runs once, on the thread
 * that wrote the line's end, with no sink lock held (line: NUL-ended,
 * may hold other NUL bytes; valid until the sink is destroyed).  Before
 * use.  Returns 0, or -1 when out of memory.
 */
typedef void (*console_match_fn)(void *opaque, const char *pattern,
				 const char *line);
int console_sink_fail_on(struct console_sink *sink, const struct line_match *m,
			 console_match_fn fn, void *opaque);

/* The device's callback for "there is room again"; set before use. */
void console_sink_on_room(struct console_sink *sink, console_room_fn fn,
			  void *opaque);

/*
 * Take up to len bytes the guest wrote (any thread).  Returns how many
 * were taken; fewer than len means "full": offer the rest again after the
 * room callback has run.
 */
size_t console_sink_write(struct console_sink *sink, const void *buf,
			  size_t len);

/* Bytes the sink took from the device in all (any thread). */
uint64_t console_sink_bytes(struct console_sink *sink);

/*
 * At stop, once the device's threads have stopped, before it hands over
 * what it still holds: from now on the sink takes every byte offered and
 * hands it on, what it holds included, whether its streams have room or
 * not (out_stream_write_last(): they keep it until it is written or
 * their drain gives up, and count what they lose).  The device's room
 * callback is not called any more.
 */
void console_sink_last(struct console_sink *sink);

/*
 * At stop, once the device's threads have stopped (after
 * console_sink_last(), if called, and what the device held): hand over
 * what is held, a partial last line of prefixed lines ended with a
 * newline, and match a last line without its newline against --fail-on
 * (its fn runs here, on the caller's thread).  The device's room
 * callback is not called any more.
 */
void console_sink_flush(struct console_sink *sink);

/* Bytes output i holds that never reached its stream (after a flush). */
size_t console_sink_pending(struct console_sink *sink, unsigned int output);

/* Frees the sink; the streams are the caller's. */
void console_sink_destroy(struct console_sink *sink);

#endif
