// SPDX-License-Identifier: GPL-2.0-only
/* host_file.c - input files opened and read, output files written, with errors
 * that name them (kvmux/host_file.h) */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "kvmux/error.h"
#include "kvmux/host_file.h"

const char *host_file_type(unsigned int mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return "a regular file";
	case S_IFDIR:
		return "a directory";
	case S_IFIFO:
		return "a FIFO";
	case S_IFCHR:
		return "a character device";
	case S_IFBLK:
		return "a block device";
	case S_IFSOCK:
		return "a socket";
	}
	return "a special file"; /* no type: an eventfd, an epoll */
}

static bool type_ok(unsigned int mode, bool block_ok)
{
	return S_ISREG(mode) || (block_ok && S_ISBLK(mode));
}

static int refuse_type(const char *path, const char *what, unsigned int mode,
		       bool block_ok)
{
	return err_set("%s %s is %s, not a file%s", what, path,
		       host_file_type(mode),
		       block_ok ? " or a block device" : "");
}

bool host_same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/*
 * The descriptor above stderr of this process that is the file st is, or
 * -1 (its directory's own is left out).  -1 too for the file of stdin,
 * stdout or stderr, which kvmux may hold copies of: /dev/stdout is the
 * caller's own.
 */
static int own_fd_of(const struct stat *st)
{
	DIR *dir;
	struct dirent *e;
	struct stat o;
	int fd, found = -1;

	for (fd = 0; fd <= STDERR_FILENO; fd++)
		if (!fstat(fd, &o) && host_same_file(&o, st))
			return -1;
	dir = opendir("/proc/self/fd");
	if (!dir)
		return -1;
	while (found < 0 && (e = readdir(dir))) {
		fd = atoi(e->d_name);
		if (fd > STDERR_FILENO && fd != dirfd(dir) && !fstat(fd, &o) &&
		    host_same_file(&o, st))
			found = fd;
	}
	closedir(dir);
	return found;
}

/*
 * Follow path's last component through symbolic links, as open(2) would,
 * until it is not a link (0) or is one of /proc's (1: at[] names it).
 * Only the last step counts: /proc/PID/root/... and /proc/self/cwd/...
 * pass through a /proc link to a file of their own.
 */
static int ends_in_proc_link(const char *path, char at[PATH_MAX])
{
	char target[PATH_MAX];
	struct statfs fs;
	struct stat st;
	unsigned int hops;
	const char *slash;
	ssize_t n;
	int fd;

	if (snprintf(at, PATH_MAX, "%s", path) >= PATH_MAX)
		return 0;
	for (hops = 0; hops < 40; hops++) { /* as the kernel's MAXSYMLINKS */
		fd = open(at, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return 0;
		if (fstat(fd, &st) || !S_ISLNK(st.st_mode)) {
			close(fd);
			return 0;
		}
		if (!fstatfs(fd, &fs) && fs.f_type == PROC_SUPER_MAGIC) {
			close(fd);
			return 1;
		}
		n = readlinkat(fd, "", target, sizeof(target) - 1);
		close(fd);
		if (n <= 0)
			return 0;
		target[n] = '\0';
		slash = strrchr(at, '/');
		if (target[0] == '/' || !slash)
			snprintf(at, PATH_MAX, "%s", target);
		else if (snprintf(at + (slash + 1 - at),
				  PATH_MAX - (slash + 1 - at), "%s",
				  target) >= PATH_MAX - (slash + 1 - at))
			return 0;
	}
	return 0;
}

int host_refuse_own_fd(const char *path, const char *what)
{
	char at[PATH_MAX];
	struct stat st;
	int fd, own;

	if (!ends_in_proc_link(path, at))
		return 0;
	fd = open(at, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return 0; /* for the open that follows to say */
	own = fstat(fd, &st) ? -1 : own_fd_of(&st);
	close(fd);
	if (own < 0)
		return 0;
	return err_set("%s %s leads through /proc%s%s%s to a file kvmux "
		       "opened itself, not one it inherited (kvmux closes "
		       "those above stderr at start): give the file's path",
		       what, path, strcmp(at, path) ? " (" : "",
		       strcmp(at, path) ? at : "", strcmp(at, path) ? ")" : "");
}

/* open(2) failed with err: say why, naming what the path is if that is
 * why (a socket gives ENXIO, a directory opened to write EISDIR). */
static int open_error(const char *path, const char *what, bool block_ok,
		      int err)
{
	struct stat st;

	if (err == ENOENT) {
		err_set("%s %s does not exist", what, path);
	} else if (!stat(path, &st) && !type_ok(st.st_mode, block_ok)) {
		refuse_type(path, what, st.st_mode, block_ok);
	} else {
		errno = err;
		err_input_errno("cannot open %s %s", what, path);
	}
	errno = err; /* for the caller's own advice (EROFS) */
	return -1;
}

int host_open_input(const char *path, const char *what, int flags,
		    bool block_ok)
{
	struct stat st;
	int fd;

	if (host_refuse_own_fd(path, what) < 0)
		return -1;
	fd = open(path, flags | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return open_error(path, what, block_ok, errno);
	if (fstat(fd, &st) < 0) {
		err_set_errno("%s %s", what, path);
		goto fail;
	}
	if (!type_ok(st.st_mode, block_ok)) {
		refuse_type(path, what, st.st_mode, block_ok);
		goto fail;
	}
	/* Our own open file description: the flag was only for open(). */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
fail:
	close(fd);
	errno = 0;
	return -1;
}

static int check_stat(int fd, const char *path, const char *what, uint64_t max,
		      uint64_t *len)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return err_set_errno("%s %s", what, path);
	if (st.st_size == 0)
		return err_set("%s %s is empty", what, path);
	if ((uint64_t)st.st_size > max)
		return err_set("%s %s is larger (%lld bytes) than guest memory",
			       what, path, (long long)st.st_size);
	*len = st.st_size;
	return 0;
}

#ifdef KVMUX_TEST_BUILD
/*
 * Test builds only: with $KVMUX_TEST_INPUT_GATE set to "WHAT:FIFO", the
 * input named WHAT ("kernel", "initrd", "module") waits there, opened and
 * its size taken but nothing read, until a writer has come and gone, so
 * that a test can change the file at exactly that point.
 */
static void test_input_gate(const char *what)
{
	const char *gate = getenv("KVMUX_TEST_INPUT_GATE");
	size_t n = strlen(what);
	char byte;
	int fd;

	if (!gate || strncmp(gate, what, n) || gate[n] != ':' ||
	    (fd = open(gate + n + 1, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	while (read(fd, &byte, 1) > 0)
		;
	close(fd);
}
#else
static void test_input_gate(const char *what)
{
	(void)what;
}
#endif

int host_file_open(const char *path, const char *what, uint64_t max,
		   struct host_file *f)
{
	int fd = host_open_input(path, what, O_RDONLY, false);
	uint64_t len = 0;

	*f = (struct host_file){ 0 };
	if (fd < 0)
		return -1;
	if (check_stat(fd, path, what, max, &len) < 0) {
		close(fd);
		return -1;
	}
	*f = (struct host_file){
		.path = path, .fd = fd, .len = len, .what = what
	};
	test_input_gate(what);
	return 0;
}

/*
 * pread(2) until all is read: a regular file gives fewer bytes than asked
 * for only at its end (or for more than 2 GiB at once).
 */
ssize_t host_pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pread(fd, p + done, len - done, off + done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

int host_file_read(const struct host_file *f, void *buf, uint64_t off,
		   size_t len)
{
	ssize_t n;

	if (!f->path)
		return err_host("read of an input file that is not open");
	if (off > f->len || len > f->len - off)
		return err_host("%s %s: read of %zu bytes at %llu is outside "
				"its %llu bytes",
				f->what, f->path, len, (unsigned long long)off,
				(unsigned long long)f->len);
	n = host_pread_all(f->fd, buf, len, off);
	if (n < 0)
		return err_set_errno("cannot read %s %s", f->what, f->path);
	if ((size_t)n == len)
		return 0;
	/* Bytes came up to off + n: the file ended there, or (none came)
	 * somewhere before off, when it had been cut further back. */
	return err_set("%s %s changed while being read: it ends %s byte "
		       "%llu, before the %llu bytes it had when opened",
		       f->what, f->path, n ? "at" : "at or before",
		       (unsigned long long)(off + n),
		       (unsigned long long)f->len);
}

void host_file_close(struct host_file *f)
{
	if (f->path)
		close(f->fd);
	*f = (struct host_file){ 0 };
}

static int write_fully(int fd, const char *path, const char *what,
		       const uint8_t *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_input_errno("cannot write %s %s", what,
					       path);
		done += n;
	}
	return 0;
}

int host_write_file(const char *path, const char *what, const void *buf,
		    size_t len)
{
	int fd, rc;

	if (host_refuse_own_fd(path, what) < 0)
		return -1;
	/* Non-blocking only to open: a FIFO nobody reads is refused at
	 * once instead of waiting for a reader (nothing would stop that). */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NONBLOCK,
		  0666);

	if (fd < 0 && errno == ENXIO)
		return err_set("%s %s is a FIFO without a reader", what, path);
	if (fd < 0)
		return err_input_errno("cannot create %s %s", what, path);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	rc = write_fully(fd, path, what, buf, len);
	if (close(fd) < 0 && !rc)
		rc = err_input_errno("cannot write %s %s", what, path);
	return rc;
}

uint64_t host_total_memory(void)
{
	long pages = sysconf(_SC_PHYS_PAGES);
	long page_size = sysconf(_SC_PAGESIZE);

	if (pages <= 0 || page_size <= 0)
		return UINT64_MAX;
	return (uint64_t)pages * (uint64_t)page_size;
}
