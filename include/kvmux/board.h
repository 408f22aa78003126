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
#include "kvmux/device.h"
#include "kvmux/host_file.h"
#include "kvmux/stdio_console.h"
#include "kvmux/kvm.h"
#include "kvmux/platform.h"
#include "kvmux/vm.h"

struct console_sink;
struct device_kind;
struct line_match;
struct out_stream;

/* A stop the host asks for: what the VM's stop record gets, and why. */
struct board_stop {
	enum vm_stop_reason reason;
	int value;
	const char *cause; /* "SIGTERM", "--timeout": for messages */
	char why[128]; /* the stop's detail */
};

/* Where a VM's consoles go: BOARD_OUTPUT, then BOARD_LOG. */
struct board_output {
	struct out_stream *out; /* NULL: nowhere */
	const char *prefix; /* lines as "prefix| line"; NULL: bytes */
	bool timestamps; /* each line starts with the time since start */
};

enum { BOARD_OUTPUT, BOARD_LOG, BOARD_OUTPUTS };

/* One device: its kind, its state, and its sink if it is a console. */
struct board_device {
	const struct device_kind *kind;
	void *dev;
	struct console_sink *sink;
};

/* The most devices of one VM: the legacy ones, a console, the disks. */
#define BOARD_MAX_DEVICES (CONFIG_MAX_DISKS + 8)

struct board {
	const struct vm_config *cfg;
	struct kvm_sys kvm;
	struct vm vm;
	struct platform platform;
	struct board_device dev[BOARD_MAX_DEVICES];
	unsigned int nr_devs;
	/* Descriptors the devices asked the owner thread to watch
	 * (device_env.watch; board_watch()). */
	struct board_watch {
		int fd;
		void (*fn)(void *opaque);
		void *opaque;
	} watch[DEVICE_MAX_WATCHES];
	unsigned int nr_watches;
	struct board_device *console; /* stdin goes here; NULL: nowhere */
	struct stdio_console stdin_console;
	struct line_match *fail_on; /* --fail-on; NULL: none */
	/* Open in board_prepare() until the kernel is loaded. */
	struct host_file kernel, initrd;
	struct host_file module[CONFIG_MAX_MODULES];
	uint8_t *kernel_image; /* what the loaders parse of the kernel */
	size_t kernel_image_len;
	char *module_string[CONFIG_MAX_MODULES]; /* "FILE[ CMDLINE]" */
	unsigned int nr_modules;

	/* An orderly stop the host asked for (board_shutdown()); pending
	 * while the guest has its grace to power off. */
	struct board_stop shutdown;
	bool shutdown_pending;
	char reason[24]; /* the summary's word for the ending */

	uint64_t start_ns, end_ns; /* wall clock, for the summary */
	uint64_t cpu_ns; /* vCPU thread CPU time at the end */
	bool started; /* its threads were started */
	bool finished; /* stopped, joined, accounted */
	bool stuck; /* a thread did not stop in time: never torn down */
};

void board_init(struct board *b, const struct vm_config *cfg);

/*
 * Build the VM up to the point where it could run: every device of the
 * table (kvmux/device.h) opened, input files opened, KVM opened, the
 * devices attached, the kernel loaded.  out[]: where the consoles go
 * (each console device writes the same bytes to both), and a console
 * line that matches the config's fail_on stops the VM
 * (VM_STOP_FAIL_ON).  Returns 0, or the exit status to give up with: the
 * class of the error (kvmux/error.h) decides it, whatever step failed;
 * err_msg() says why.
 */
int board_prepare(struct board *b,
		  const struct board_output out[BOARD_OUTPUTS]);

/* Start the device threads and the vCPUs. */
int board_start(struct board *b);

/*
 * After a stop: stop and join every thread of the VM (with a bound: a
 * thread that misses it marks the board stuck), record the time, flush
 * the consoles' last lines; returns the exit status.
 */
int board_finish(struct board *b);

/*
 * Watch the descriptors the devices asked for (device_env.watch) on loop,
 * on the thread that runs it, from before board_start() until
 * board_unwatch().  0, or -1 with err_set().
 */
int board_watch(struct board *b, struct event_loop *loop);
void board_unwatch(struct board *b, struct event_loop *loop);
/* Console bytes of this VM that never reached output i's stream. */
uint64_t board_undelivered(struct board *b, unsigned int i);
/* Console bytes the guest wrote, to every console device. */
uint64_t board_console_bytes(struct board *b);
/* Exits of its vCPUs: those kvmux handled, and KVM's count of all. */
void board_exits(struct board *b, uint64_t *kvmux, uint64_t *kvm);

/*
 * Route host input (stdin) to this VM's console device when the console
 * is on stdio; else a terminal on stdin gives the escape keys only.
 */
int board_attach_stdin(struct board *b, struct event_loop *loop);

/*
 * Press the ACPI power button: the guest's GED interrupt fires and an ACPI
 * OS starts an orderly shutdown.  Any thread, between board_prepare() and
 * board_teardown().  Returns 0, or -1 with err_set() (no ACPI, or the
 * interrupt could not be raised).
 */
int board_power_button(struct board *b);

/*
 * An orderly stop the host asks for (SIGTERM, --timeout).  With a
 * shutdown grace (cfg->shutdown_grace_ms) and ACPI, press the power button
 * and return true: the guest may power off (status 0; board_finish() then
 * names the cause), and the caller ends the grace with board_end_grace()
 * after cfg->shutdown_grace_ms.  Otherwise, or if the button cannot be
 * pressed, stop the VM with stop at once and return false.  Main thread;
 * a VM that was never started or has a shutdown pending is left alone
 * (false).
 */
bool board_shutdown(struct board *b, const struct board_stop *stop);

/*
 * Stop a VM whose shutdown is pending, with the stop board_shutdown() got:
 * note says why before the grace is over (the grace's timer failed); NULL:
 * the grace is over.  Main thread.
 */
void board_end_grace(struct board *b, const char *note);

/*
 * A stop signal sig (1-64) during a VM's shutdown grace: stop it at once
 * with 128+sig (VM_STOP_SIGNAL), whatever began the grace, with why and
 * a note that the grace was cut short.  Main thread.
 */
void board_cut_grace(struct board *b, int sig, const char *why);

void board_print_stats(struct board *b);
void board_teardown(struct board *b);

#endif
