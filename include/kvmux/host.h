/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * host.h - what kvmux needs from the host around the VM: input files,
 * the stdin side of the console, and dropping privileges.
 */
#ifndef KVMUX_HOST_H
#define KVMUX_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_loop;
struct vm;

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
 * or -1 with err_set().
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
 * errors ("--dump-dtb").  Returns 0, or -1 with err_set().
 */
int host_write_file(const char *path, const char *what, const void *buf,
		    size_t len);

/* Bytes of RAM the host has in all (for sanity checks on --memory). */
uint64_t host_total_memory(void);

/* Where host console input goes: returns how many bytes were taken. */
typedef size_t (*console_input_fn)(void *opaque, const uint8_t *buf,
				   size_t len);

#define STDIO_CONSOLE_CHUNK 4096 /* bytes read from stdin at a time */

struct stdio_console {
	struct vm *vm;
	struct event_loop *loop;
	console_input_fn input;
	void *opaque;
	bool tty;
	bool escape; /* the last byte was Ctrl-A */
	bool pollable; /* stdin works with epoll (a regular file does not) */
	bool reading; /* stdin is watched by the event loop */
	bool eof;
	int room_fd; /* eventfd: the device took input, it has room again */
	size_t pending_off, pending_len; /* read, not yet taken */
	uint8_t pending[STDIO_CONSOLE_CHUNK];
};

/*
 * Feed stdin to input, in raw mode when stdin is a terminal (Ctrl-A x
 * stops the VM).  Flow control: stdin is read only while the device takes
 * what was read; when it is full, reading stops until the device calls
 * stdio_console_room().  Pipes, terminals and regular files all work; at
 * the end of the input the guest simply gets no more bytes.  Returns 0 or
 * -1 with err_set().
 */
int stdio_console_attach(struct stdio_console *con, struct event_loop *loop,
			 struct vm *vm, console_input_fn input, void *opaque);

/* The device has room for input again (any thread, never blocks). */
void stdio_console_room(void *con);

/* Close what attach opened. */
void stdio_console_detach(struct stdio_console *con);

/* Give up every capability and the right to gain new ones. */
int host_drop_privileges(void);

#endif
