// SPDX-License-Identifier: GPL-2.0-only
/*
 * stdio_console.c - stdin to the guest console, with a terminal escape.
 *
 * In raw mode Ctrl-C reaches the guest, so the user needs another way
 * out: Ctrl-A x, as in QEMU and screen.
 */
#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "kvmux/event_loop.h"
#include "kvmux/host.h"
#include "kvmux/term.h"
#include "kvmux/vm.h"

#define ESCAPE_KEY 0x01 /* Ctrl-A */
#define STDIN_CHUNK 256

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
				vm_request_stop(con->vm, VM_STOP_SIGNAL, SIGINT,
						"stopped from the console "
						"(Ctrl-A x)");
				return out;
			}
			if (c != ESCAPE_KEY)
				continue; /* unknown escape: dropped */
		} else if (c == ESCAPE_KEY) {
			con->escape = true;
			continue;
		}
		buf[out++] = c;
	}
	return out;
}

static void stdin_ready(void *opaque, int fd, uint32_t events)
{
	struct stdio_console *con = opaque;
	uint8_t buf[STDIN_CHUNK];
	ssize_t n = read(fd, buf, sizeof(buf));
	size_t len;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		/* End of input: the guest just gets no more bytes. */
		event_loop_remove(con->loop, fd);
		return;
	}
	len = con->tty ? filter_escapes(con, buf, n) : (size_t)n;
	if (len)
		con->input(con->opaque, buf, len);
}

int stdio_console_attach(struct stdio_console *con, struct event_loop *loop,
			 struct vm *vm, console_input_fn input, void *opaque)
{
	*con = (struct stdio_console){
		.vm = vm,
		.loop = loop,
		.input = input,
		.opaque = opaque,
	};
	con->tty = term_raw_begin(STDIN_FILENO);
	if (event_loop_add(loop, STDIN_FILENO, EPOLLIN, stdin_ready, con) < 0) {
		/* stdin may be a regular file or /dev/null, which epoll
		 * refuses: the guest then simply gets no input. */
		return 0;
	}
	return 0;
}
