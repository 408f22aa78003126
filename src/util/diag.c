// SPDX-License-Identifier: GPL-2.0-only
/* diag.c - kvmux's messages on stderr (kvmux/diag.h) */
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kvmux/diag.h"
#include "kvmux/out_stream.h"

#define DIAG_LINE_MAX 1024

static struct out_stream *stream; /* NULL: write directly */
static enum diag_level level = DIAG_NORMAL; /* set before any thread */

/* The console output on stderr's file (diag_follow_console()). */
static pthread_mutex_t console_lock = PTHREAD_MUTEX_INITIALIZER;
static struct out_stream *console; /* NULL: none, or no longer */
static bool console_line_open; /* when it was last looked at */
static uint64_t console_taken; /* its byte count then */
static uint64_t console_broken_at = UINT64_MAX; /* count at the last "\n" */

/* Under console_lock: the console's state now (its last, once left). */
static void look_at_console(void)
{
	if (console)
		console_taken = out_stream_taken(console, &console_line_open);
}

/* Does a message have to start with "\n"?  At most once per open line. */
static bool break_console_line(void)
{
	bool brk;

	pthread_mutex_lock(&console_lock);
	look_at_console();
	brk = console_line_open && console_taken != console_broken_at;
	if (brk)
		console_broken_at = console_taken;
	pthread_mutex_unlock(&console_lock);
	return brk;
}

void diag_follow_console(struct out_stream *s)
{
	pthread_mutex_lock(&console_lock);
	look_at_console();
	if (s) { /* a new stream: nothing of the old one counts */
		console_line_open = false;
		console_broken_at = UINT64_MAX;
	}
	console = s;
	pthread_mutex_unlock(&console_lock);
}

void diag_set_level(enum diag_level l)
{
	level = l;
}

bool diag_wants(enum diag_level l)
{
	return level >= l;
}

static void put(const char *prefix, const char *fmt, va_list ap)
{
	char line[DIAG_LINE_MAX];
	struct out_stream *s = __atomic_load_n(&stream, __ATOMIC_ACQUIRE);
	int n = snprintf(line, sizeof(line), "%s%s",
			 break_console_line() ? "\n" : "", prefix);

	vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	strcat(line, "\n");
	if (s)
		out_stream_write(s, line, strlen(line), true);
	else if (write(STDERR_FILENO, line, strlen(line)) < 0)
		return; /* nowhere left to say it */
}

void diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	put("kvmux: ", fmt, ap);
	va_end(ap);
}

void diag_info(const char *fmt, ...)
{
	va_list ap;

	if (!diag_wants(DIAG_NORMAL))
		return;
	va_start(ap, fmt);
	put("kvmux: ", fmt, ap);
	va_end(ap);
}

void diag_verbose(const char *fmt, ...)
{
	va_list ap;

	if (!diag_wants(DIAG_VERBOSE))
		return;
	va_start(ap, fmt);
	put("kvmux: ", fmt, ap);
	va_end(ap);
}

void diag_line(const char *fmt, ...)
{
	va_list ap;

	if (!diag_wants(DIAG_NORMAL))
		return;
	va_start(ap, fmt);
	put("", fmt, ap);
	va_end(ap);
}

int diag_start(void)
{
	struct out_stream *s = out_stream_create(STDERR_FILENO, NULL, NULL);

	if (!s)
		return -1;
	__atomic_store_n(&stream, s, __ATOMIC_RELEASE);
	return 0;
}

uint64_t diag_stop(uint64_t deadline_ns, int fd)
{
	struct out_stream *s =
		__atomic_exchange_n(&stream, NULL, __ATOMIC_ACQ_REL);

	if (!s)
		return 0;
	out_stream_drain(s, deadline_ns, fd);
	return out_stream_close(s);
}
