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

#include <stdint.h>

/* Print "kvmux: <message>\n" (printf format; no newline in fmt). */
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same without the "kvmux: " (a table's lines). */
void diag_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* From now on, messages are buffered for stderr's own thread.  Returns 0,
 * or -1 with err_set() (messages then stay direct). */
int diag_start(void);

/*
 * Give the buffered messages until deadline_ns (CLOCK_MONOTONIC), or
 * until fd (>= 0) is readable, then go back to direct writes.  Returns
 * the bytes that could not be written.
 */
uint64_t diag_stop(uint64_t deadline_ns, int fd);

#endif
