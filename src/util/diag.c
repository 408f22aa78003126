// SPDX-License-Identifier: GPL-2.0-only
/* diag.c - kvmux's messages on stderr (kvmux/diag.h) */
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
	int n = snprintf(line, sizeof(line), "%s", prefix);

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
