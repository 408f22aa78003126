// SPDX-License-Identifier: GPL-2.0-only
/* error.c - the per-thread "what went wrong" line (see kvmux/error.h). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvmux/error.h"
#include "kvmux/exit_status.h"

static __thread char err_buf[ERR_MSG_MAX];
static __thread enum err_class err_last;

/* A message before it is cut to ERR_MSG_MAX (a path is up to 4 KiB). */
#define ERR_SCRATCH 8192
/* What stands for the middle of a message too long to keep whole. */
#define ERR_CUT " [...] "

void err_printable(char *text)
{
	for (; *text; text++)
		if (iscntrl((unsigned char)*text))
			*text = '?';
}

/* msg into out (ERR_MSG_MAX bytes): whole if it fits, else its start
 * and its end, where the reason usually is ("...: File name too long"). */
static void fit(char *out, const char *msg)
{
	size_t len = strlen(msg), cut = strlen(ERR_CUT);
	size_t keep = ERR_MSG_MAX - 1 - cut, head = keep / 3;

	if (len < ERR_MSG_MAX) {
		memcpy(out, msg, len + 1);
		return;
	}
	memcpy(out, msg, head);
	memcpy(out + head, ERR_CUT, cut);
	memcpy(out + head + cut, msg + len - (keep - head), keep - head + 1);
}

/*
 * Format into a scratch buffer first: callers may pass err_msg() itself as
 * an argument, to wrap the last message ("--cpus: %s").  One line of
 * printable text: a path or a name may hold a newline or a terminal's
 * escape sequence.
 */
static void record(enum err_class cls, int saved_errno, const char *fmt,
		   va_list ap)
{
	char msg[ERR_SCRATCH], *whole = NULL;
	size_t used;
	va_list again;
	int len;

	va_copy(again, ap);
	len = vsnprintf(msg, sizeof(msg), fmt, ap);
	/* Longer still (a huge value): the end is the reason, so keep it. */
	if (len >= (int)sizeof(msg) && vasprintf(&whole, fmt, again) >= 0) {
		fit(msg, whole); /* ERR_MSG_MAX: it fits msg */
		free(whole);
	}
	va_end(again);
	if (saved_errno) {
		used = strlen(msg);
		if (used > sizeof(msg) - 64)
			used = sizeof(msg) - 64; /* room for the reason */
		snprintf(msg + used, sizeof(msg) - used, ": %s%s",
			 strerror(saved_errno),
			 saved_errno == EMFILE ?
				 " (the descriptor limit: ulimit -n)" :
				 "");
	}
	err_printable(msg);
	fit(err_buf, msg);
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
