/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * host_file.h - the host's files around the VM (host/host_file.c): input
 * files opened without blocking and mapped read-only, whole-file writes,
 * and the host's RAM.
 */
#ifndef KVMUX_HOST_FILE_H
#define KVMUX_HOST_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An input file (kernel, initrd, module), mapped read-only. */
struct host_file {
	const uint8_t *data; /* NULL: not mapped */
	size_t len;
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

/* "a FIFO", "a directory", ... for a st_mode. */
const char *host_file_type(unsigned int mode);

/*
 * Map the regular file at path, of at most max bytes (UINT64_MAX: any
 * size), read-only and private: pages are read from disk only when a
 * loader touches them, so a kernel with gigabytes of debug information
 * costs what its headers and loadable segments cost.  what names it in
 * errors ("kernel", "initrd").  Returns 0, or -1 with err_set() for a
 * missing, unreadable, empty, non-regular or oversized file.
 *
 * The file must not shrink while it is mapped (reading a page past the new
 * end raises SIGBUS): unmap it as soon as its bytes are in guest memory.
 */
int host_map_file(const char *path, const char *what, uint64_t max,
		  struct host_file *f);
/* Undo host_map_file(); f may be all zero (never mapped). */
void host_unmap_file(struct host_file *f);

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
