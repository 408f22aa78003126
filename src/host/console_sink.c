// SPDX-License-Identifier: GPL-2.0-only
/*
 * console_sink.c - guest console output to a host descriptor, raw or as
 * prefixed lines (kvmux/console_sink.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kvmux/console_sink.h"
#include "kvmux/iov.h"

#define SINK_LINE_MAX 4096

struct console_sink {
	int fd;
	char *prefix; /* "name| ", or NULL */
	pthread_mutex_t lock;
	size_t line_len;
	char line[SINK_LINE_MAX];
};

/* One lock for every sink: lines of different VMs sharing stdout must not
 * interleave, and a line is one writev. */
static pthread_mutex_t output_lock = PTHREAD_MUTEX_INITIALIZER;

static void write_all(int fd, struct iovec *iov, int n)
{
	while (n > 0 && fd >= 0) {
		ssize_t done = writev(fd, iov, n);

		if (done < 0 && errno == EINTR)
			continue;
		if (done <= 0)
			return; /* the reader is gone: output is dropped */
		iov_advance(&iov, &n, done);
	}
}

struct console_sink *console_sink_create(int fd, const char *prefix)
{
	struct console_sink *sink = calloc(1, sizeof(*sink));
	size_t len;

	if (!sink)
		return NULL;
	sink->fd = fd;
	pthread_mutex_init(&sink->lock, NULL);
	if (prefix) {
		len = strlen(prefix) + 3;
		sink->prefix = malloc(len);
		if (!sink->prefix) {
			free(sink);
			return NULL;
		}
		strcpy(sink->prefix, prefix);
		strcat(sink->prefix, "| ");
	}
	return sink;
}

/* Emit the collected line (with its prefix) in one write. */
static void emit_line(struct console_sink *sink)
{
	struct iovec iov[2] = {
		{ sink->prefix, strlen(sink->prefix) },
		{ sink->line, sink->line_len },
	};

	if (!sink->line_len)
		return;
	pthread_mutex_lock(&output_lock);
	write_all(sink->fd, iov, 2);
	pthread_mutex_unlock(&output_lock);
	sink->line_len = 0;
}

void console_sink_write(struct console_sink *sink, const void *buf, size_t len)
{
	const char *p = buf;
	struct iovec iov = { (void *)buf, len };

	if (!sink->prefix) {
		write_all(sink->fd, &iov, 1);
		return;
	}
	pthread_mutex_lock(&sink->lock);
	while (len--) {
		char c = *p++;

		if (c == '\r')
			continue; /* guests end lines with \r\n: keep \n */
		sink->line[sink->line_len++] = c;
		if (c == '\n' || sink->line_len == SINK_LINE_MAX)
			emit_line(sink);
	}
	pthread_mutex_unlock(&sink->lock);
}

void console_sink_flush(struct console_sink *sink)
{
	if (!sink || !sink->prefix)
		return;
	pthread_mutex_lock(&sink->lock);
	if (sink->line_len) {
		sink->line[sink->line_len++] = '\n';
		emit_line(sink);
	}
	pthread_mutex_unlock(&sink->lock);
}

void console_sink_destroy(struct console_sink *sink)
{
	if (!sink)
		return;
	console_sink_flush(sink);
	pthread_mutex_destroy(&sink->lock);
	free(sink->prefix);
	free(sink);
}
