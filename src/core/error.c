// SPDX-License-Identifier: GPL-2.0-only
/* error.c - the per-thread "what went wrong" line (see kvmux/error.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kvmux/error.h"

static __thread char err_buf[ERR_MSG_MAX];

int err_set(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err_buf, sizeof(err_buf), fmt, ap);
	va_end(ap);
	return -1;
}

int err_set_errno(const char *fmt, ...)
{
	int saved = errno;
	size_t used;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err_buf, sizeof(err_buf), fmt, ap);
	va_end(ap);
	used = strlen(err_buf);
	snprintf(err_buf + used, sizeof(err_buf) - used, ": %s",
		 strerror(saved));
	errno = saved;
	return -1;
}

const char *err_msg(void)
{
	return err_buf;
}
