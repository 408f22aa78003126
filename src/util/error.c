// SPDX-License-Identifier: GPL-2.0-only
/* error.c - the per-thread "what went wrong" line (see kvmux/error.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kvmux/error.h"
#include "kvmux/exit_status.h"

static __thread char err_buf[ERR_MSG_MAX];
static __thread enum err_class err_last;

/*
 * Format into a scratch buffer first: callers may pass err_msg() itself as
 * an argument, to wrap the last message ("--cpus: %s").
 */
static void record(enum err_class cls, int saved_errno, const char *fmt,
		   va_list ap)
{
	char msg[ERR_MSG_MAX];
	size_t used;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (saved_errno) {
		used = strlen(msg);
		snprintf(msg + used, sizeof(msg) - used, ": %s",
			 strerror(saved_errno));
	}
	memcpy(err_buf, msg, sizeof(err_buf));
	err_last = cls;
}

int err_set(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(ERR_INPUT, 0, fmt, ap);
	va_end(ap);
	return -1;
}

int err_host(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(ERR_HOST, 0, fmt, ap);
	va_end(ap);
	return -1;
}

int err_set_errno(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	record(ERR_HOST, saved, fmt, ap);
	va_end(ap);
	errno = saved;
	return -1;
}

int err_input_errno(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	record(ERR_INPUT, saved, fmt, ap);
	va_end(ap);
	errno = saved;
	return -1;
}

const char *err_msg(void)
{
	return err_buf;
}

enum err_class err_class(void)
{
	return err_last;
}

int err_status(void)
{
	return err_last == ERR_HOST ? EXIT_HOST_FAILURE : EXIT_BAD_USAGE;
}

void err_save(struct err_state *st)
{
	st->cls = err_last;
	memcpy(st->msg, err_buf, sizeof(st->msg));
}

int err_restore(const struct err_state *st)
{
	memcpy(err_buf, st->msg, sizeof(err_buf));
	err_buf[sizeof(err_buf) - 1] = '\0';
	err_last = st->cls;
	return -1;
}
