// SPDX-License-Identifier: GPL-2.0-only
/* error.c - the per-thread "what went wrong" line (see kvmux/error.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kvmux/error.h"

static __thread char err_buf[ERR_MSG_MAX];

/*
 * Format into a scratch buffer first: callers may pass err_msg() itself as
 * an argument, to wrap the last message ("--cpus: %s").
 */
int err_set(const char *fmt, ...)
{
	char msg[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memcpy(err_buf, msg, sizeof(err_buf));
	return -1;
}

int err_set_errno(const char *fmt, ...)
{
	char msg[ERR_MSG_MAX];
	int saved = errno;
	size_t used;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	used = strlen(msg);
	snprintf(msg + used, sizeof(msg) - used, ": %s", strerror(saved));
	memcpy(err_buf, msg, sizeof(err_buf));
	errno = saved;
	return -1;
}

const char *err_msg(void)
{
	return err_buf;
}
