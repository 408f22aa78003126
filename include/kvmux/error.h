/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * error.h - one line that says what went wrong.
 *
 * Code deep in kvmux (a loader, a device, an ioctl wrapper) records the
 * reason for a failure with err_set() and returns -1; the caller that
 * decides to give up prints err_msg() once.  The message is per thread, so
 * vCPU threads cannot clobber each other's reasons.
 */
#ifndef KVMUX_ERROR_H
#define KVMUX_ERROR_H

#define ERR_MSG_MAX 512

/* Record a message (printf format); always returns -1 for tail calls. */
int err_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Like err_set(), with ": strerror(errno)" appended (errno read first). */
int err_set_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The last message recorded by this thread ("" if none). */
const char *err_msg(void);

#endif
