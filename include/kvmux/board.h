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
struct serial8250;
struct i8042;
struct pvpanic;
struct acpi_pm;
struct acpi_ged;
struct virtio_console;
struct virtio_blk;

struct board {
	const struct vm_config *cfg;
	struct kvm_sys kvm;
	struct vm vm;
	struct platform platform;
	struct serial8250 *uart;
	struct i8042 *kbc;
	struct pvpanic *pvpanic;
	struct acpi_pm *acpi_pm; /* NULL with --acpi off */
	struct acpi_ged *acpi_ged; /* NULL with --acpi off */
	struct virtio_console *virtio_console;
	struct virtio_blk *disk[CONFIG_MAX_DISKS];
	unsigned int nr_disks;
	int console_fd; /* where console output goes; -1: nowhere */
	struct console_sink *sink;
	struct stdio_console stdin_console;
	uint8_t *kernel, *initrd;
	size_t kernel_len, initrd_len;

	int timeout_fd;
	uint64_t start_ns, end_ns; /* wall clock, for the summary */
	uint64_t cpu_ns; /* vCPU thread CPU time at the end */
	bool finished; /* stopped, joined, accounted */
};

void board_init(struct board *b, const struct vm_config *cfg);

/*
 * Build the VM up to the point where it could run: inputs read, KVM
 * opened, devices created, kernel loaded.  prefix: the console's line
 * prefix (NULL for a single VM on the terminal).  Returns 0, or the exit
 * status to give up with (the error is in err_msg()).
 */
int board_prepare(struct board *b, const char *prefix);

/* Start the device threads and the vCPUs. */
int board_start(struct board *b);

/* After a stop: join the vCPUs and record time; returns the exit status. */
int board_finish(struct board *b);

/* Route host input (stdin) to this VM's console device. */
int board_attach_stdin(struct board *b, struct event_loop *loop);

/*
 * Press the ACPI power button: the guest's GED interrupt fires and an ACPI
 * OS starts an orderly shutdown.  Any thread, between board_prepare() and
 * board_teardown().  Returns 0, or -1 with err_set() (no ACPI, or the
 * interrupt could not be raised).
 */
int board_power_button(struct board *b);

void board_print_stats(struct board *b);
void board_teardown(struct board *b);

#endif
