/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * console_sink.h - one console device's output on the host: the bytes a
 * guest writes to its UART or virtio-console, on their way to an
 * out_stream (kvmux/out_stream.h: stdout, a log file).
 *
 * A sink without a prefix passes bytes through (one VM on a terminal:
 * interactive).  A sink with a prefix collects whole lines and hands each
 * over as "prefix| line" in one piece, so the consoles of several VMs
 * sharing a stream interleave by lines, never inside one.
 *
 * Sinks never block.  When the stream is full a sink takes fewer bytes
 * than offered, and calls the device's room callback once the stream has
 * room again: the device holds the rest (UART: THR stays full;
 * virtio-console: the buffer is not returned yet), which is how a slow
 * reader slows the guest down instead of losing its output.
 */
#ifndef KVMUX_CONSOLE_SINK_H
#define KVMUX_CONSOLE_SINK_H

#include <stddef.h>
#include <stdint.h>

struct console_sink;
struct out_stream;

/* Runs on another thread than the device's, with no sink lock held. */
typedef void (*console_room_fn)(void *opaque);

/* out: where lines go (NULL: discard).  prefix: NULL for pass-through. */
struct console_sink *console_sink_create(struct out_stream *out,
					 const char *prefix);

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

/* At stop: hand over a partial last line (ended with a newline). */
void console_sink_flush(struct console_sink *sink);

/* Bytes the sink holds that never reached its stream (after a flush). */
size_t console_sink_pending(struct console_sink *sink);

/* Frees the sink; the stream is the caller's. */
void console_sink_destroy(struct console_sink *sink);

#endif
