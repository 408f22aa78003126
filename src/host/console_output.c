// SPDX-License-Identifier: GPL-2.0-only
/*
 * console_output.c - the destinations of a run's consoles, one stream
 * each (kvmux/console_output.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kvmux/console_output.h"
#include "kvmux/diag.h"
#include "kvmux/error.h"
#include "kvmux/exit_status.h"
#include "kvmux/out_stream.h"

/* How often kvmux looks again for a FIFO's reader. */
#define FIFO_RETRY_MS 50

struct dest {
	struct console_outputs *set;
	char *name; /* "stdout", or the file's path */
	int fd; /* -1: nowhere; stdout is not closed */
	bool has_inode; /* a file, or a stdout that is a file or a pipe */
	dev_t dev;
	ino_t ino;
	struct out_stream *stream;
	unsigned int users;
	bool on_stderr_file; /* on stderr's file: diag follows it */
};

struct console_outputs {
	struct dest **dest;
	unsigned int nr;
	void (*on_gone)(void *opaque);
	void *opaque;
};

static void dest_gone(void *opaque)
{
	struct dest *d = opaque;

	d->set->on_gone(d->set->opaque);
}

static void dest_failed(void *opaque, int err)
{
	struct dest *d = opaque;

	diag("console output %s: write failed: %s; its further output is "
	     "dropped",
	     d->name, strerror(err));
}

static const struct out_stream_events dest_events = {
	.gone = dest_gone,
	.failed = dest_failed,
};

struct console_outputs *console_outputs_create(void (*on_gone)(void *opaque),
					       void *opaque)
{
	struct console_outputs *set = calloc(1, sizeof(*set));

	if (!set) {
		err_host("out of memory");
		return NULL;
	}
	set->on_gone = on_gone;
	set->opaque = opaque;
	return set;
}

static int add(struct console_outputs *set, struct dest *d)
{
	struct dest **grown =
		realloc(set->dest, (set->nr + 1) * sizeof(*grown));

	if (!grown)
		return err_host("out of memory");
	set->dest = grown;
	d->set = set;
	d->users = 1;
	if (d->fd >= 0) {
		d->stream = out_stream_create(d->fd, &dest_events, d);
		if (!d->stream)
			return -1;
	}
	set->dest[set->nr] = d;
	return set->nr++;
}

/* The destination that writes to this file (or pipe) already, or -1. */
static int find_inode(struct console_outputs *set, dev_t dev, ino_t ino)
{
	unsigned int i;

	for (i = 0; i < set->nr; i++) {
		struct dest *d = set->dest[i];

		if (d->has_inode && d->dev == dev && d->ino == ino) {
			d->users++;
			return i;
		}
	}
	return -1;
}

/* The destination of that name ("stdout", "none"), or -1. */
static int find_name(struct console_outputs *set, const char *name)
{
	unsigned int i;

	for (i = 0; i < set->nr; i++) {
		struct dest *d = set->dest[i];

		if (!d->has_inode && !strcmp(d->name, name)) {
			d->users++;
			return i;
		}
	}
	return -1;
}

int console_file_name(const char *tmpl, const char *vm_name, char **path)
{
	size_t len = strlen(tmpl), n = 0, i;
	char *out;

	for (i = 0; tmpl[i]; i++)
		if (tmpl[i] == '%' && tmpl[i + 1] == 'n')
			len += strlen(vm_name);
	out = malloc(len + 1);
	if (!out)
		return err_host("out of memory");
	for (i = 0; tmpl[i]; i++) {
		if (tmpl[i] != '%') {
			out[n++] = tmpl[i];
		} else if (tmpl[i + 1] == 'n') {
			memcpy(out + n, vm_name, strlen(vm_name));
			n += strlen(vm_name);
			i++;
		} else if (tmpl[i + 1] == '%') {
			out[n++] = tmpl[i++];
		} else {
			free(out);
			return err_set("'%.2s' in %s: a %% is %%n (the VM's "
				       "name) or %%%% (a %%)",
				       tmpl + i, tmpl);
		}
	}
	out[n] = '\0';
	*path = out;
	return 0;
}

/* A stop signal came while waiting: say which, for the exit status. */
static int signalled(int signal_fd, const char *path, int *status)
{
	struct signalfd_siginfo info;

	if (read(signal_fd, &info, sizeof(info)) != sizeof(info))
		return 1; /* not a signal after all: go on waiting */
	*status = EXIT_SIGNAL_BASE + info.ssi_signo;
	return err_set("stopped by signal %u while waiting for a reader of "
		       "FIFO %s",
		       info.ssi_signo, path);
}

/*
 * A FIFO without a reader: wait for one, looking again every
 * FIFO_RETRY_MS, as long as no signal came and the timeout has not
 * passed.  Returns the descriptor, or -1 with *status set.
 */
static int open_fifo(const char *path, const struct vm_config *cfg,
		     int signal_fd, int *status)
{
	uint64_t deadline =
		cfg->timeout_ms ?
			out_stream_now_ns() + cfg->timeout_ms * 1000000ULL :
			UINT64_MAX;
	struct pollfd pfd = { .fd = signal_fd, .events = POLLIN };
	bool said = false;
	int fd;

	for (;;) {
		fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
		if (fd >= 0 || errno != ENXIO)
			break;
		if (!said)
			diag_info("console output %s is a FIFO without a "
				  "reader: "
				  "waiting for one",
				  path);
		said = true;
		if (poll(&pfd, signal_fd >= 0, FIFO_RETRY_MS) > 0 &&
		    signalled(signal_fd, path, status) < 0)
			return -1;
		if (out_stream_now_ns() >= deadline) {
			*status = EXIT_TIMEOUT;
			return err_set("--timeout expired while waiting for a "
				       "reader of FIFO %s",
				       path);
		}
	}
	if (fd < 0) {
		*status = EXIT_BAD_USAGE;
		return err_input_errno("cannot open console output %s", path);
	}
	return fd;
}

/*
 * Open a console file, truncated unless append; the descriptor is
 * blocking (its thread waits).  O_APPEND either way: another writer of
 * the file (a second kvmux) never has its lines overwritten.
 */
static int open_file(const char *path, bool append, const struct vm_config *cfg,
		     int signal_fd, int *status)
{
	struct stat st;
	int fd;

	*status = EXIT_BAD_USAGE;
	if (stat(path, &st) == 0 && S_ISFIFO(st.st_mode)) {
		fd = open_fifo(path, cfg, signal_fd, status);
	} else if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) &&
		   !S_ISCHR(st.st_mode)) {
		return err_set("console output %s is %s, not a file", path,
			       S_ISDIR(st.st_mode) ?
				       "a directory" :
				       "a socket or block device");
	} else {
		fd = open(path,
			  O_WRONLY | O_CREAT | O_APPEND | O_NONBLOCK |
				  O_CLOEXEC | O_NOCTTY | (append ? 0 : O_TRUNC),
			  0666); /* less the umask, as a shell's > */
		if (fd < 0)
			return err_input_errno("cannot open console output %s",
					       path);
	}
	if (fd >= 0)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

/* Is fd's file stderr's (a terminal both are on, or 2>&1)? */
static bool on_stderr_file(int fd)
{
	struct stat a, b;

	return fd >= 0 && fstat(fd, &a) == 0 && fstat(STDERR_FILENO, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* kvmux's lines must not continue a guest's last one on the file they
 * share (a terminal, 2>&1, --console-output /dev/stderr). */
static void follow(struct dest *d)
{
	if (d->stream && on_stderr_file(d->fd)) {
		d->on_stderr_file = true;
		diag_follow_console(d->stream);
	}
}

/* Stop diag following d, before its stream is closed. */
static void unfollow(struct dest *d)
{
	if (d->on_stderr_file && d->stream)
		diag_unfollow_console(d->stream);
}

/* A file a destination writes to already is not opened again (nor
 * truncated again). */
static int open_dest(struct console_outputs *set, const char *path, bool append,
		     const struct vm_config *cfg, int signal_fd, int *status)
{
	struct dest *d = calloc(1, sizeof(*d));
	struct stat st;
	int i;

	if (!d)
		return err_host("out of memory");
	if (stat(path, &st) == 0 &&
	    (i = find_inode(set, st.st_dev, st.st_ino)) >= 0) {
		free(d);
		return i;
	}
	d->fd = open_file(path, append, cfg, signal_fd, status);
	if (d->fd < 0) {
		free(d);
		return -1;
	}
	if (fstat(d->fd, &st) < 0)
		goto fail;
	i = find_inode(set, st.st_dev, st.st_ino);
	if (i >= 0) {
		close(d->fd);
		free(d);
		return i;
	}
	d->has_inode = true;
	d->dev = st.st_dev;
	d->ino = st.st_ino;
	d->name = strdup(path);
	if (d->name && (i = add(set, d)) >= 0) {
		follow(d);
		return i;
	}
fail:
	*status = EXIT_HOST_FAILURE;
	if (d->fd >= 0)
		close(d->fd);
	free(d->name);
	free(d);
	return -1;
}

/* A file template of cfg, %n expanded: its destination. */
static int open_path(struct console_outputs *set, const char *tmpl, bool append,
		     const struct vm_config *cfg, int signal_fd, int *status)
{
	char *path;
	int i;

	if (console_file_name(tmpl, cfg->name, &path) < 0) {
		*status = err_status();
		return -1;
	}
	i = open_dest(set, path, append, cfg, signal_fd, status);
	free(path);
	return i;
}

/* stdout is known by its inode too when it is a file or a pipe, so that
 * a console file naming it is not opened (and truncated) again. */
static int named(struct console_outputs *set, const char *name, int fd)
{
	struct dest *d;
	struct stat st;
	bool has_inode = fd >= 0 && fstat(fd, &st) == 0 &&
			 (S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode));
	/* Found by its inode then: every VM of a group must share its
	 * stream, or their lines would mix in the middle. */
	int i = has_inode ? find_inode(set, st.st_dev, st.st_ino) :
			    find_name(set, name);

	if (i >= 0)
		return i;
	d = calloc(1, sizeof(*d));
	if (!d || !(d->name = strdup(name))) {
		free(d);
		return err_host("out of memory");
	}
	d->fd = fd;
	if (has_inode) {
		d->has_inode = true;
		d->dev = st.st_dev;
		d->ino = st.st_ino;
	}
	i = add(set, d);
	if (i < 0) {
		free(d->name);
		free(d);
	} else {
		follow(d);
	}
	return i;
}

int console_outputs_open(struct console_outputs *set,
			 const struct vm_config *cfg, int signal_fd,
			 int *status)
{
	*status = EXIT_HOST_FAILURE;
	switch (cfg->console_target) {
	case CONSOLE_TO_STDIO:
		return named(set, "stdout", STDOUT_FILENO);
	case CONSOLE_TO_NONE:
		return named(set, "none", -1);
	default:
		return open_path(set, cfg->console_file, cfg->console_append,
				 cfg, signal_fd, status);
	}
}

int console_outputs_open_log(struct console_outputs *set,
			     const struct vm_config *cfg, int signal_fd,
			     int *status)
{
	*status = EXIT_HOST_FAILURE;
	return open_path(set, cfg->console_log, cfg->console_log_append, cfg,
			 signal_fd, status);
}

struct out_stream *console_outputs_stream(struct console_outputs *set, int i)
{
	return set->dest[i]->stream;
}

unsigned int console_outputs_users(struct console_outputs *set, int i)
{
	return set->dest[i]->users;
}

void console_outputs_finish(struct console_outputs *set, uint64_t deadline_ns,
			    int signal_fd, const uint64_t *undelivered)
{
	unsigned int i;

	for (i = 0; i < set->nr; i++) {
		struct dest *d = set->dest[i];
		uint64_t lost = undelivered ? undelivered[i] : 0;

		if (!d->stream)
			continue;
		out_stream_drain(d->stream, deadline_ns, signal_fd);
		unfollow(d);
		lost += out_stream_close(d->stream);
		d->stream = NULL;
		if (lost)
			diag("console output %s: %llu byte%s could not be "
			     "delivered",
			     d->name, (unsigned long long)lost,
			     lost == 1 ? "" : "s");
	}
}

void console_outputs_free(struct console_outputs *set)
{
	unsigned int i;

	if (!set)
		return;
	for (i = 0; i < set->nr; i++) {
		struct dest *d = set->dest[i];

		/* The descriptor stays open until exit: a stream whose thread
		 * was left blocked in write(2) may still use it. */
		unfollow(d);
		out_stream_close(d->stream);
		free(d->name);
		free(d);
	}
	free(set->dest);
	free(set);
}
