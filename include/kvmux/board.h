/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * board.h - one VM with its devices: built from a vm_config, booted,
 * started, and torn down.  The runner (run.c) owns the event loop, the
 * signals and the group; a board owns everything of one VM.
 */
#ifndef KVMUX_BOARD_H
#define KVMUX_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kvmux/config.h"
#include "kvmux/host.h"
#include "kvmux/kvm.h"
#include "kvmux/platform.h"
#include "kvmux/vm.h"

struct console_sink;
struct out_stream;
struct serial8250;
struct i8042;
struct debug_exit;
struct virtio_console;
struct virtio_blk;

struct board {
	const struct vm_config *cfg;
	struct kvm_sys kvm;
	struct vm vm;
	struct platform platform;
	struct serial8250 *uart;
	struct i8042 *kbc;
	struct debug_exit *debug_exit;
	struct virtio_console *virtio_console;
	struct virtio_blk *disk[CONFIG_MAX_DISKS];
	unsigned int nr_disks;
	struct console_sink *uart_sink, *virtio_sink;
	struct stdio_console stdin_console;
	/* Mapped from board_prepare() until the kernel is loaded. */
	struct host_file kernel, initrd;
	struct host_file module[CONFIG_MAX_MODULES];
	char *module_string[CONFIG_MAX_MODULES]; /* "FILE[ CMDLINE]" */
	unsigned int nr_modules;

	int timeout_fd;
	uint64_t start_ns, end_ns; /* wall clock, for the summary */
	uint64_t cpu_ns; /* vCPU thread CPU time at the end */
	bool started; /* its threads were started */
	bool finished; /* stopped, joined, accounted */
	bool stuck; /* a thread did not stop in time: never torn down */
};

void board_init(struct board *b, const struct vm_config *cfg);

/*
 * Build the VM up to the point where it could run: inputs read, KVM
 * opened, devices created, kernel loaded.  out: where the console goes
 * (NULL: nowhere); prefix: the console's line prefix (NULL: bytes as
 * they come).  Returns 0, or the exit status to give up with (the error
 * is in err_msg()).
 */
int board_prepare(struct board *b, struct out_stream *out, const char *prefix);

/* Start the device threads and the vCPUs. */
int board_start(struct board *b);

/*
 * After a stop: stop and join every thread of the VM (with a bound: a
 * thread that misses it marks the board stuck), record the time, flush
 * the consoles' last lines; returns the exit status.
 */
int board_finish(struct board *b);

/* Console bytes of this VM that never reached its output stream. */
uint64_t board_undelivered(struct board *b);

/* Route host input (stdin) to this VM's console device. */
int board_attach_stdin(struct board *b, struct event_loop *loop);

void board_print_stats(struct board *b);
void board_teardown(struct board *b);

#endif
