/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * host_file.h - the host's files around the VM (host/host_file.c): input
 * files opened without blocking and read with pread(2) (never mapped: a
 * mapped file that shrinks raises SIGBUS), whole-file writes, and the
 * host's RAM.
 */
#ifndef KVMUX_HOST_FILE_H
#define KVMUX_HOST_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct stat;

/*
 * An input file the boot loaders read (kernel, initrd, module), open for
 * reading; its size is taken once, when it is opened.
 */
struct host_file {
	const char *path; /* as the user gave it; NULL: not open */
	int fd;
	uint64_t len; /* bytes, as fstat(2) said when it was opened; > 0 */
	const char *what; /* "kernel", "initrd", "module" */
};

/*
 * Open an input file (kernel, initrd, config, disk image) without ever
 * blocking in open(2) (a FIFO without a writer would): flags are O_RDONLY
 * or O_RDWR.  It must be a regular file, or with block_ok a block
 * device; anything else is refused, naming what it is.  what names it in
 * errors ("kernel").  Returns the descriptor (blocking, close-on-exec),
 * or -1 with err_set() and errno: open(2)'s if that failed, else 0.
 */
int host_open_input(const char *path, const char *what, int flags,
		    bool block_ok);

/*
 * Refuse a path that reaches one of kvmux's own open files through one of
 * /proc's magic links (/dev/fd/N, /proc/self/fd/N, /proc/thread-self/fd/N,
 * also through a symbolic link to one, a relative path or another PID
 * namespace's /proc): kvmux closes every descriptor it inherits above
 * stderr before it opens anything, so such a name can only mean a file
 * kvmux opened itself (a kernel, a disk, a console log), never the one
 * the caller meant.  Found by following the path's last component
 * through symbolic links to a link of /proc, and comparing the file it
 * reaches with this process's descriptors; /dev/stdin and its like stay
 * allowed, and so do paths that only pass through /proc
 * (/proc/PID/root/...).
 * what names the file in the error ("disk").  Returns 0, or -1 with
 * err_set() (status 126).
 */
int host_refuse_own_fd(const char *path, const char *what);

/* Whether a and b (stat(2) results) are one file: device and inode. */
bool host_same_file(const struct stat *a, const struct stat *b);

/* "a FIFO", "a directory", ... for a st_mode. */
const char *host_file_type(unsigned int mode);

/*
 * Open the regular file at path, of 1 to max bytes (UINT64_MAX: any size),
 * to read it with host_file_read(); path and what (a string constant)
 * must outlive f.  Nothing is read or mapped yet: a loader reads what it
 * needs, and nothing else of the file costs memory.  Returns 0, or -1
 * with err_set() for a missing, unreadable, empty, non-regular or
 * oversized file (f is then all zero: not open).
 */
int host_file_open(const char *path, const char *what, uint64_t max,
		   struct host_file *f);

/*
 * Read len bytes at byte offset off (inside the size the file had when
 * opened) into buf: all of them, or an error.  The file may change size
 * while it is read (a build rewriting the kernel as a test boots it):
 * bytes past f->len are never read, and a file that now ends before
 * off + len is refused, as the input is then not the one whose size was
 * checked: "kernel PATH changed while being read: it ends at byte N, before the
 * M bytes it had when opened" (ERR_INPUT, 126; a file that claims more than
 * it gives, such as a sysfs file, reads so too).
 * A failing read(2) is ERR_HOST (125) with its errno.  Returns 0 or -1.
 */
int host_file_read(const struct host_file *f, void *buf, uint64_t off,
		   size_t len);

/*
 * pread(2) len bytes at byte offset off of fd into buf, again after a short
 * read or EINTR: returns the bytes read, fewer than len only where the
 * file ends, or -1 with errno.
 */
ssize_t host_pread_all(int fd, void *buf, size_t len, uint64_t off);

/* Close f and make it all zero; f may be all zero (never opened). */
void host_file_close(struct host_file *f);

/*
 * Create or truncate path and write len bytes to it.  what names it in
 * errors ("--dump-dtb").  A FIFO without a reader is refused at once
 * (ERR_INPUT).  Returns 0, or -1 with err_set().
 */
int host_write_file(const char *path, const char *what, const void *buf,
		    size_t len);

/* Bytes of RAM the host has in all (for sanity checks on --memory). */
uint64_t host_total_memory(void);

#endif
