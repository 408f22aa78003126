/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * console_sink.h - where a guest's console output goes on the host.
 *
 * A sink without a prefix writes bytes through at once (one VM on a
 * terminal: interactive).  A sink with a prefix collects whole lines and
 * writes each as "prefix| line" in one write, so the consoles of several
 * VMs sharing stdout interleave by lines, never inside one.
 */
#ifndef KVMUX_CONSOLE_SINK_H
#define KVMUX_CONSOLE_SINK_H

#include <stddef.h>

struct console_sink;

/* fd: destination (-1: discard).  prefix: NULL for pass-through. */
struct console_sink *console_sink_create(int fd, const char *prefix);
/* Any thread; devices call it with what the guest wrote. */
void console_sink_write(struct console_sink *sink, const void *buf, size_t len);
/* Write out a partial last line (when the VM stops): nothing is lost. */
void console_sink_flush(struct console_sink *sink);
/* Flushes, then frees; the fd is the caller's. */
void console_sink_destroy(struct console_sink *sink);

#endif
