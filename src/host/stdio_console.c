// SPDX-License-Identifier: GPL-2.0-only
/*
 * stdio_console.c - stdin to the guest console, with flow control and a
 * terminal escape (kvmux/stdio_console.h).
 *
 * In raw mode Ctrl-C reaches the guest, so the user needs another way
 * out: Ctrl-A x, as in QEMU and screen.
 *
 * Input is read a chunk at a time and handed to the device; what the
 * device cannot take yet stays here, and stdin is not read again until
 * the device says it has room (so nothing piped in is dropped).  A
 * regular file cannot be watched with epoll (it is always readable), so
 * it is read a chunk per turn of the event loop instead.
 */
#include <errno.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "kvmux/diag.h"
#include "kvmux/error.h"
#include "kvmux/event_loop.h"
#include "kvmux/stdio_console.h"
#include "kvmux/term.h"

#define ESCAPE_KEY 0x01 /* Ctrl-A */

static void print_keys(const struct stdio_console *con)
{
	diag("console keys: Ctrl-A x stops the run (status 130), Ctrl-A h "
	     "shows these%s",
	     con->input ? ", Ctrl-A Ctrl-A sends Ctrl-A" : "");
}

/* Remove escape sequences from buf in place; returns the bytes left. */
static size_t filter_escapes(struct stdio_console *con, uint8_t *buf,
			     size_t len)
{
	size_t in, out = 0;

	for (in = 0; in < len; in++) {
		uint8_t c = buf[in];

		if (con->escape) {
			con->escape = false;
			if (c == 'x' || c == 'X') {
				con->stop(con->stop_opaque);
				return out;
			}
			if (c == 'h' || c == 'H' || c == '?')
				print_keys(con);
			if (c != ESCAPE_KEY)
				continue; /* another escape: dropped */
		} else if (c == ESCAPE_KEY) {
			con->escape = true;
			continue;
		}
		buf[out++] = c;
	}
	return out;
}

static void stdin_ready(void *opaque, int fd, uint32_t events);

static void wake(struct stdio_console *con)
{
	uint64_t one = 1;

	if (write(con->room_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		return; /* an eventfd write cannot fail otherwise */
}

/* Watch stdin (or, for a regular file, come back next turn) or not. */
static void set_reading(struct stdio_console *con, bool on)
{
	if (!con->pollable) {
		if (on)
			wake(con);
		return;
	}
	if (on == con->reading || con->eof)
		return;
	con->reading = on;
	/* Removed, not just asked for no events: epoll reports a hang-up
	 * whatever was asked for, and no input is wanted yet. */
	if (on)
		event_loop_add(con->loop, STDIN_FILENO, EPOLLIN, stdin_ready,
			       con);
	else
		event_loop_remove(con->loop, STDIN_FILENO);
}

/* Hand over what is pending; true when the device took all of it. */
static bool feed(struct stdio_console *con)
{
	size_t n;

	if (con->pending_off == con->pending_len)
		return true;
	n = con->input(con->opaque, con->pending + con->pending_off,
		       con->pending_len - con->pending_off);
	con->pending_off += n;
	return con->pending_off == con->pending_len;
}

static void read_chunk(struct stdio_console *con)
{
	ssize_t n = read(STDIN_FILENO, con->pending, sizeof(con->pending));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		/* End of input: the guest just gets no more bytes. */
		set_reading(con, false);
		con->eof = true;
		return;
	}
	con->pending_off = 0;
	con->pending_len =
		con->tty ? filter_escapes(con, con->pending, n) : (size_t)n;
	set_reading(con, feed(con)); /* full: wait for the device */
}

static void stdin_ready(void *opaque, int fd, uint32_t events)
{
	read_chunk(opaque);
}

/* The device has room: what is pending first, then stdin again. */
static void room_ready(void *opaque, int fd, uint32_t events)
{
	struct stdio_console *con = opaque;

	event_fd_drain(fd);
	if (con->eof || !feed(con))
		return;
	if (con->pollable)
		set_reading(con, true);
	else
		read_chunk(con);
}

void stdio_console_room(void *opaque)
{
	wake(opaque);
}

int stdio_console_attach(struct stdio_console *con, struct event_loop *loop,
			 console_input_fn input, void *opaque,
			 console_stop_fn stop, void *stop_opaque)
{
	*con = (struct stdio_console){
		.loop = loop,
		.input = input,
		.opaque = opaque,
		.stop = stop,
		.stop_opaque = stop_opaque,
		.pollable = true,
	};
	con->room_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (con->room_fd < 0)
		return err_set_errno("eventfd");
	if (event_loop_add(loop, con->room_fd, EPOLLIN, room_ready, con) < 0)
		return -1;
	con->tty = term_raw_begin(STDIN_FILENO);
	con->reading = true;
	if (event_loop_add(loop, STDIN_FILENO, EPOLLIN, stdin_ready, con) < 0) {
		/* A regular file or /dev/null: epoll refuses them. */
		con->pollable = false;
		con->reading = false;
		wake(con);
	}
	return 0;
}

/* The escape keys only: what else is typed is dropped. */
static void keys_ready(void *opaque, int fd, uint32_t events)
{
	struct stdio_console *con = opaque;
	ssize_t n = read(STDIN_FILENO, con->pending, sizeof(con->pending));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		event_loop_remove(con->loop, STDIN_FILENO);
		con->reading = false;
		return;
	}
	filter_escapes(con, con->pending, n);
}

int stdio_console_attach_keys(struct stdio_console *con,
			      struct event_loop *loop, console_stop_fn stop,
			      void *stop_opaque)
{
	*con = (struct stdio_console){
		.stop = stop,
		.stop_opaque = stop_opaque,
		.room_fd = -1,
	};
	if (!isatty(STDIN_FILENO) || tcgetpgrp(STDIN_FILENO) != getpgrp())
		return 0;
	con->tty = term_keys_begin(STDIN_FILENO);
	if (!con->tty)
		return 0;
	con->loop = loop;
	con->reading = true;
	return event_loop_add(loop, STDIN_FILENO, EPOLLIN, keys_ready, con);
}

void stdio_console_detach(struct stdio_console *con)
{
	if (con->loop && !con->input && con->reading)
		event_loop_remove(con->loop, STDIN_FILENO);
	if (con->loop && con->room_fd >= 0)
		event_loop_remove(con->loop, con->room_fd);
	if (con->room_fd > 0)
		close(con->room_fd);
	con->room_fd = -1;
}
