/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * diag.h - kvmux's own messages: one "kvmux: ..." line each, on stderr.
 *
 * Once a run has started they go through an out_stream
 * (kvmux/out_stream.h), so a stderr whose reader is stuck (a pipe nobody
 * reads, a terminal stopped with Ctrl-S) delays the messages, never the
 * run or its stop.  Any thread may call diag().
 */
#ifndef KVMUX_DIAG_H
#define KVMUX_DIAG_H

#include <stdbool.h>
#include <stdint.h>

/* How much kvmux says (--quiet, --verbose). */
enum diag_level {
	DIAG_QUIET, /* errors only */
	DIAG_NORMAL, /* and how each VM ended, and a group's summary */
	DIAG_VERBOSE, /* and what each VM was built as, before it starts */
};

void diag_set_level(enum diag_level level);
/* Would a message of this level be printed? */
bool diag_wants(enum diag_level level);

/* Print "kvmux: <message>\n" (printf format; no newline in fmt): an
 * error, printed at every level. */
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same, only at DIAG_NORMAL and above (not with --quiet). */
void diag_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same, only at DIAG_VERBOSE. */
void diag_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* diag_info() without the "kvmux: " (a table's lines). */
void diag_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct out_stream;

/*
 * Messages start on a line of their own when console output to the same
 * file as stderr (a terminal, 2>&1, or a console file named
 * /dev/stderr) ends inside a line: a message then begins with "\n", once
 * per such ending, so that "kvmux: ..." is never glued to a guest's last
 * bytes.  diag_follow_console(s): follow s from now on (up to 4 streams
 * at once; more are not followed).  diag_unfollow_console(s): stop (call
 * before s is closed); the state s ended in still counts for the next
 * message.  Any thread; s stays in use until it is unfollowed.
 */
void diag_follow_console(struct out_stream *s);
void diag_unfollow_console(struct out_stream *s);

/* From now on, messages go through an out_stream on stderr, which never
 * blocks (kvmux/out_stream.h).  Returns 0, or -1 with err_set()
 * (messages then stay plain write(2) calls). */
int diag_start(void);

/* Let loop serve stderr's stream (out_stream_attach()), on its thread. */
struct event_loop;
int diag_attach(struct event_loop *loop);

/*
 * Give the buffered messages until deadline_ns (CLOCK_MONOTONIC), or
 * until fd (>= 0) is readable, then go back to direct writes.  Returns
 * the bytes that could not be written.
 */
uint64_t diag_stop(uint64_t deadline_ns, int fd);

#endif
