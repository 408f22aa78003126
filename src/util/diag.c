// SPDX-License-Identifier: GPL-2.0-only
/* diag.c - kvmux's messages on stderr (kvmux/diag.h) */
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kvmux/diag.h"
#include "kvmux/error.h"
#include "kvmux/out_stream.h"

#define DIAG_LINE_MAX 1024

static struct out_stream *stream; /* NULL: write directly */
static enum diag_level level = DIAG_NORMAL; /* set before any thread */

/*
 * Console outputs on stderr's file (diag_follow_console()).  A file has
 * one destination however it is named (host/console_output.c), so there
 * are at most two: stdout on a terminal, and a console file reaching the
 * same terminal by a path such as /dev/stderr.  Left ones keep their
 * last state until a message has used it.
 */
#define FOLLOWED_MAX 4

struct followed {
	struct out_stream
		*stream; /* NULL: left (its last state kept), or free */
	bool line_open; /* when it was last looked at */
	uint64_t taken; /* its byte count then */
	uint64_t broken_at; /* the count at the last "\n" that broke it */
};

static pthread_mutex_t console_lock = PTHREAD_MUTEX_INITIALIZER;
static struct followed followed[FOLLOWED_MAX];

/* Under console_lock: f's state now (its last, once left). */
static void look(struct followed *f)
{
	if (f->stream)
		f->taken = out_stream_taken(f->stream, &f->line_open);
}

/* Does f end inside a line that no message has broken yet? */
static bool unbroken(const struct followed *f)
{
	return f->line_open && f->taken != f->broken_at;
}

/* Does a message have to start with "\n"?  At most once per open line:
 * the one "\n" ends every followed output's line. */
static bool break_console_line(void)
{
	bool brk = false;
	unsigned int i;

	pthread_mutex_lock(&console_lock);
	for (i = 0; i < FOLLOWED_MAX; i++) {
		look(&followed[i]);
		brk |= unbroken(&followed[i]);
	}
	for (i = 0; brk && i < FOLLOWED_MAX; i++)
		followed[i].broken_at = followed[i].taken;
	pthread_mutex_unlock(&console_lock);
	return brk;
}

/* Under console_lock: a slot never used, or left with nothing to break. */
static struct followed *free_slot(void)
{
	unsigned int i;

	for (i = 0; i < FOLLOWED_MAX; i++)
		if (!followed[i].stream && !unbroken(&followed[i]))
			return &followed[i];
	return NULL;
}

void diag_follow_console(struct out_stream *s)
{
	struct followed *f;

	pthread_mutex_lock(&console_lock);
	f = free_slot();
	if (f) /* none: more outputs than there can be; not followed */
		*f = (struct followed){ .stream = s, .broken_at = UINT64_MAX };
	pthread_mutex_unlock(&console_lock);
}

void diag_unfollow_console(struct out_stream *s)
{
	unsigned int i;

	pthread_mutex_lock(&console_lock);
	for (i = 0; i < FOLLOWED_MAX; i++) {
		if (s && followed[i].stream == s) {
			look(&followed[i]);
			followed[i].stream = NULL;
		}
	}
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
	err_printable(line + n); /* a name or a guest's line: one line */
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

int diag_attach(struct event_loop *loop)
{
	struct out_stream *s = __atomic_load_n(&stream, __ATOMIC_ACQUIRE);

	return s ? out_stream_attach(s, loop) : 0;
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
