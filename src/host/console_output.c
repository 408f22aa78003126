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
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kvmux/console_output.h"
#include "kvmux/diag.h"
#include "kvmux/error.h"
#include "kvmux/host_file.h"
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
	bool regular; /* a regular file opened by its name */
	bool append; /* ,append: console_outputs_truncate() leaves it */
	bool no_reader; /* a FIFO without a reader yet: fd is /dev/null's */
	const char *vm; /* the VM that opened it, for a clash's error */
};

struct console_outputs {
	struct dest **dest;
	unsigned int nr;
	void (*on_gone)(void *opaque);
	void *opaque;
	uint64_t fifo_deadline_ns; /* UINT64_MAX: wait until a signal */
	const char *deadline_vm; /* whose --timeout that is; NULL: one VM */
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
	set->fifo_deadline_ns = UINT64_MAX;
	return set;
}

void console_outputs_set_deadline(struct console_outputs *set,
				  uint64_t deadline_ns, const char *vm)
{
	set->fifo_deadline_ns = deadline_ns;
	set->deadline_vm = vm;
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

		if (d->has_inode && d->dev == dev && d->ino == ino)
			return i;
	}
	return -1;
}

/* The destination of that name ("stdout", "none"), or -1. */
static int find_name(struct console_outputs *set, const char *name)
{
	unsigned int i;

	for (i = 0; i < set->nr; i++) {
		struct dest *d = set->dest[i];

		if (!d->has_inode && !strcmp(d->name, name))
			return i;
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

/* The deadline passed with a FIFO still without a reader. */
static int fifo_timeout(const struct console_outputs *set, const char *path,
			int *status)
{
	*status = EXIT_TIMEOUT;
	if (!set->deadline_vm)
		return err_set("--timeout expired while waiting for a reader "
			       "of FIFO %s: the VM did not start",
			       path);
	return err_set("the --timeout of %s, the run's earliest, expired "
		       "while waiting for a reader of FIFO %s: no VM started",
		       set->deadline_vm, path);
}

/* How long to sleep before looking for a reader again (now < deadline):
 * FIFO_RETRY_MS, or until the deadline, rounded up. */
static int fifo_retry_ms(uint64_t now, uint64_t deadline)
{
	uint64_t left = deadline - now;

	if (left >= FIFO_RETRY_MS * 1000000ull)
		return FIFO_RETRY_MS;
	return (int)((left + 999999) / 1000000);
}

/*
 * A FIFO without a reader: wait for one, looking again every
 * FIFO_RETRY_MS, as long as no signal came and the run's deadline has
 * not passed.  Returns the descriptor, or -1 with *status set.
 */
static int open_fifo(const struct console_outputs *set, const char *path,
		     int signal_fd, int *status)
{
	struct pollfd pfd = { .fd = signal_fd, .events = POLLIN };
	bool said = false;
	uint64_t now;
	int fd;

	for (;;) {
		fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
		if (fd >= 0 || errno != ENXIO)
			break;
		now = out_stream_now_ns();
		if (now >= set->fifo_deadline_ns)
			return fifo_timeout(set, path, status);
		if (!said)
			diag_info("console output %s is a FIFO without a "
				  "reader: waiting for one",
				  path);
		said = true;
		if (poll(&pfd, signal_fd >= 0,
			 fifo_retry_ms(now, set->fifo_deadline_ns)) > 0 &&
		    signalled(signal_fd, path, status) < 0)
			return -1;
	}
	if (fd < 0) {
		*status = EXIT_BAD_USAGE;
		return err_input_errno("cannot open console output %s", path);
	}
	return fd;
}

/*
 * A FIFO: opened at once if it has a reader, else (*no_reader) a
 * stand-in on /dev/null, for console_outputs_wait() to replace once the
 * VMs are ready: a reader is waited for only after every input has been
 * checked, so that a bad kernel fails at once.
 */
static int open_fifo_now(const char *path, bool *no_reader)
{
	int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

	if (fd < 0 && errno == ENXIO) {
		*no_reader = true;
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			return err_set_errno("cannot open /dev/null");
		return fd;
	}
	if (fd < 0)
		return err_input_errno("cannot open console output %s", path);
	return fd;
}

/*
 * A file console_outputs_truncate() could not empty (append-only or
 * immutable, chattr(1)) is refused now, not half way through emptying
 * the run's files.  A file system without such flags says ENOTTY or
 * EOPNOTSUPP.
 */
static int check_truncatable(int fd, const char *path)
{
	int flags = 0;

	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0)
		return errno == ENOTTY || errno == EOPNOTSUPP ?
			       0 :
			       err_input_errno("cannot read the flags of "
					       "console output %s",
					       path);
	if (flags & (FS_APPEND_FL | FS_IMMUTABLE_FL))
		return err_set("console output %s is %s: it cannot be "
			       "emptied (,append would append to it)",
			       path,
			       flags & FS_IMMUTABLE_FL ? "immutable" :
							 "append-only");
	return 0;
}

/*
 * Open a console file.  A FIFO's descriptor stays non-blocking: its
 * stream is direct (kvmux/out_stream.h) and must never block.  Any
 * other is blocking: its stream's thread waits (on a terminal, a
 * blocking write(2) is one piece, which no message of kvmux's splits).
 * Never truncated here: console_outputs_truncate() does that once the
 * VMs are about to start, so that a run that fails before leaves the
 * last run's file as it was.  O_APPEND always: another writer of the
 * file (a second kvmux) never has its lines overwritten.
 */
static int open_file(struct dest *d, const char *path, int *status)
{
	struct stat st;
	int fd;

	*status = EXIT_BAD_USAGE;
	if (host_refuse_own_fd(path, "console output") < 0)
		return -1;
	if (stat(path, &st) == 0 && S_ISFIFO(st.st_mode)) {
		fd = open_fifo_now(path, &d->no_reader);
		if (fd < 0)
			*status = err_status();
	} else if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) &&
		   !S_ISCHR(st.st_mode)) {
		return err_set("console output %s is %s, not a file", path,
			       S_ISDIR(st.st_mode) ?
				       "a directory" :
				       "a socket or block device");
	} else {
		fd = open(path,
			  O_WRONLY | O_CREAT | O_APPEND | O_NONBLOCK |
				  O_CLOEXEC | O_NOCTTY,
			  0666); /* less the umask, as a shell's > */
		if (fd < 0)
			return err_input_errno("cannot open console output %s",
					       path);
		if (!d->append && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		    check_truncatable(fd, path) < 0) {
			close(fd);
			return -1;
		}
	}
	if (fd >= 0 && fstat(fd, &st) == 0 && !S_ISFIFO(st.st_mode))
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

/* Is fd's file stderr's (a terminal both are on, or 2>&1)? */
static bool on_stderr_file(int fd)
{
	struct stat a, b;

	return fd >= 0 && fstat(fd, &a) == 0 && fstat(STDERR_FILENO, &b) == 0 &&
	       host_same_file(&a, &b);
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

/*
 * cfg's VM writes to destination i too.  A regular file is truncated
 * once or appended to: two VMs that disagree (one ,append) are refused
 * rather than one of them ignored.  The same VM's console and log in
 * one file are refused by the caller, with its own words.
 */
static int share(struct console_outputs *set, int i, bool append,
		 const struct vm_config *cfg, int *status)
{
	static const char *const how[] = { "truncates it",
					   "appends to it (,append)" };
	struct dest *d = set->dest[i];

	if (d->regular && d->append != append && strcmp(d->vm, cfg->name)) {
		*status = EXIT_BAD_USAGE;
		return err_set("console file %s: vm %s %s, vm %s %s: give "
			       "both the same",
			       d->name, d->vm, how[d->append], cfg->name,
			       how[append]);
	}
	d->users++;
	return i;
}

/* A new destination for the file open on d->fd (st: its fstat()). */
static int add_file(struct console_outputs *set, struct dest *d,
		    const struct stat *st, const char *path)
{
	int i;

	d->has_inode = true;
	d->dev = st->st_dev;
	d->ino = st->st_ino;
	d->regular = S_ISREG(st->st_mode);
	d->name = strdup(path);
	if (!d->name)
		return err_host("out of memory");
	i = add(set, d);
	if (i >= 0 && !d->no_reader) /* not a stand-in's /dev/null */
		follow(d);
	return i;
}

/* A file a destination writes to already is not opened again. */
static int open_dest(struct console_outputs *set, const char *path, bool append,
		     const struct vm_config *cfg, int *status)
{
	struct dest *d;
	struct stat st;
	int i;

	if (stat(path, &st) == 0 &&
	    (i = find_inode(set, st.st_dev, st.st_ino)) >= 0)
		return share(set, i, append, cfg, status);
	d = calloc(1, sizeof(*d));
	if (!d)
		return err_host("out of memory");
	d->append = append;
	d->vm = cfg->name;
	d->fd = open_file(d, path, status);
	if (d->fd < 0) {
		free(d);
		return -1;
	}
	/* The stand-in of a FIFO without a reader is not the FIFO. */
	if ((d->no_reader ? stat(path, &st) : fstat(d->fd, &st)) < 0) {
		i = err_set_errno("cannot stat console output %s", path);
	} else if ((i = find_inode(set, st.st_dev, st.st_ino)) >= 0) {
		close(d->fd);
		free(d);
		return share(set, i, append, cfg, status);
	} else if ((i = add_file(set, d, &st, path)) >= 0) {
		return i;
	}
	*status = EXIT_HOST_FAILURE;
	close(d->fd);
	free(d->name);
	free(d);
	return i;
}

/* A file template of cfg, %n expanded: its destination. */
static int open_path(struct console_outputs *set, const char *tmpl, bool append,
		     const struct vm_config *cfg, int *status)
{
	char *path;
	int i;

	if (console_file_name(tmpl, cfg->name, &path) < 0) {
		*status = err_status();
		return -1;
	}
	i = open_dest(set, path, append, cfg, status);
	free(path);
	return i;
}

/* stdout is known by its inode too when it is a file or a pipe, so that
 * a console file naming it is not opened again.  kvmux never truncates
 * it: that is the shell's > or >>. */
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

	if (i >= 0) {
		set->dest[i]->users++;
		return i;
	}
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
			 const struct vm_config *cfg, int *status)
{
	*status = EXIT_HOST_FAILURE;
	switch (cfg->console_target) {
	case CONSOLE_TO_STDIO:
		return named(set, "stdout", STDOUT_FILENO);
	case CONSOLE_TO_NONE:
		return named(set, "none", -1);
	default:
		return open_path(set, cfg->console_file, cfg->console_append,
				 cfg, status);
	}
}

int console_outputs_open_log(struct console_outputs *set,
			     const struct vm_config *cfg, int *status)
{
	*status = EXIT_HOST_FAILURE;
	return open_path(set, cfg->console_log, cfg->console_log_append, cfg,
			 status);
}

int console_outputs_wait(struct console_outputs *set, int i, int signal_fd,
			 int *status)
{
	struct dest *d = set->dest[i];
	int fd;

	if (!d->no_reader)
		return 0;
	fd = open_fifo(set, d->name, signal_fd, status);
	if (fd < 0)
		return -1;
	/* Onto the stand-in's number: the stream writes there already (as
	 * a direct stream: /dev/null's; the FIFO stays non-blocking). */
	if (dup3(fd, d->fd, O_CLOEXEC) < 0) {
		*status = EXIT_HOST_FAILURE;
		err_set_errno("console output %s", d->name);
		close(fd);
		return -1;
	}
	close(fd);
	d->no_reader = false;
	follow(d);
	return 0;
}

int console_outputs_truncate(struct console_outputs *set)
{
	unsigned int i;

	for (i = 0; i < set->nr; i++) {
		struct dest *d = set->dest[i];

		if (d->regular && !d->append && ftruncate(d->fd, 0) < 0)
			return err_input_errno("cannot truncate console "
					       "output %s",
					       d->name);
	}
	return 0;
}

struct out_stream *console_outputs_stream(struct console_outputs *set, int i)
{
	return set->dest[i]->stream;
}

unsigned int console_outputs_users(struct console_outputs *set, int i)
{
	return set->dest[i]->users;
}

int console_outputs_attach(struct console_outputs *set, struct event_loop *loop)
{
	unsigned int i;

	for (i = 0; i < set->nr; i++)
		if (set->dest[i]->stream &&
		    out_stream_attach(set->dest[i]->stream, loop) < 0)
			return -1;
	return 0;
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
