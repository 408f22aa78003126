/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * stdio_console.h - stdin to the VM's console device, with flow control
 * and, on a terminal, raw mode and the Ctrl-A escape keys
 * (host/stdio_console.c).  When the console goes elsewhere (a file,
 * nowhere, a group's prefixed lines), a terminal on stdin still gives
 * the escape keys, and nothing else.
 *
 * The keys: Ctrl-A x stops the run (as SIGINT: 130), Ctrl-A h prints
 * them on stderr, Ctrl-A Ctrl-A sends one Ctrl-A to the guest; any other
 * Ctrl-A sequence is dropped.
 */
#ifndef KVMUX_STDIO_CONSOLE_H
#define KVMUX_STDIO_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_loop;

/* Where host console input goes: returns how many bytes were taken. */
typedef size_t (*console_input_fn)(void *opaque, const uint8_t *buf,
				   size_t len);

/* Ctrl-A x: stop the run (the VM, or every VM of a group). */
typedef void (*console_stop_fn)(void *opaque);

#define STDIO_CONSOLE_CHUNK 4096 /* bytes read from stdin at a time */

struct stdio_console {
	struct event_loop *loop;
	console_input_fn input; /* NULL: the escape keys only */
	void *opaque;
	console_stop_fn stop;
	void *stop_opaque;
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
 * Feed stdin to input, in raw mode when stdin is a terminal (with the
 * escape keys; Ctrl-A x calls stop).  Flow control: stdin is read only
 * while the device takes what was read; when it is full, reading stops
 * until the device calls stdio_console_room().  Pipes, terminals and
 * regular files all work; at the end of the input the guest simply gets
 * no more bytes.  Returns 0 or -1 with err_set().
 */
int stdio_console_attach(struct stdio_console *con, struct event_loop *loop,
			 console_input_fn input, void *opaque,
			 console_stop_fn stop, void *stop_opaque);

/*
 * Only the escape keys, when stdin is the terminal of kvmux's foreground
 * process group (else nothing: a background job must not take the
 * terminal).  The terminal reads keys at once without echo, and keeps
 * its signal keys: Ctrl-C is still SIGINT.  Returns 0 or -1 with
 * err_set().
 */
int stdio_console_attach_keys(struct stdio_console *con,
			      struct event_loop *loop, console_stop_fn stop,
			      void *stop_opaque);

/* The device has room for input again (any thread, never blocks). */
void stdio_console_room(void *con);

/* Close what attach opened (also when nothing was attached: con zeroed). */
void stdio_console_detach(struct stdio_console *con);

#endif
