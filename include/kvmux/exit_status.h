/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * exit_status.h - why a VM stopped, and the exit status kvmux reports.
 *
 * The contract scripts rely on (also in docs/exit-status.md and --help):
 *
 *   0-255   the guest wrote this value to the debug-exit port (0x501)
 *   0       also: the guest powered off (ACPI sleep control, S5), on
 *           its own or after the power button (--shutdown-grace)
 *   120     the guest stopped cleanly: every vCPU halted, interrupts off
 *   121     the guest reset the machine (i8042 0xFE, ACPI reset register,
 *           triple fault)
 *   122     the guest crashed the vCPU (KVM internal error, failed entry)
 *   123     the guest panicked or reported failure: it wrote
 *           "panicked" to pvpanic, or a console line matched --fail-on
 *   124     --timeout expired (as timeout(1)); with --shutdown-grace,
 *           and the guest did not power off within the grace
 *   125     kvmux could not start or run the VM (no /dev/kvm, permission,
 *           memory, a failing KVM call)
 *   126     bad usage: options, a config file, or an unusable kernel,
 *           initrd or disk image
 *   141     the console's reader went away (EPIPE: 128 + SIGPIPE)
 *   128+N   kvmux was stopped by signal N (SIGINT, SIGTERM, SIGHUP,
 *           SIGQUIT; Ctrl-A x on the console counts as SIGINT)
 *   159     a thread of kvmux made a system call its seccomp filter
 *           forbids (128 + SIGSYS); stderr names the call and the thread
 *
 * A guest that wants an unambiguous result writes a value below 120.
 */
#ifndef KVMUX_EXIT_STATUS_H
#define KVMUX_EXIT_STATUS_H

enum {
	EXIT_GUEST_HALTED = 120,
	EXIT_GUEST_RESET = 121,
	EXIT_GUEST_CRASHED = 122,
	EXIT_GUEST_PANICKED = 123,
	EXIT_TIMEOUT = 124,
	EXIT_HOST_FAILURE = 125,
	EXIT_BAD_USAGE = 126,
	EXIT_SIGNAL_BASE = 128,
	EXIT_SECCOMP = 159, /* 128 + SIGSYS */
};

enum vm_stop_reason {
	VM_RUNNING = 0,
	VM_STOP_GUEST_EXIT, /* value: what the guest wrote */
	VM_STOP_HALTED,
	VM_STOP_RESET,
	VM_STOP_CRASHED,
	VM_STOP_TIMEOUT,
	VM_STOP_SIGNAL, /* value: the signal number */
	VM_STOP_HOST_FAILURE,
	VM_STOP_POWER_OFF, /* the guest entered S5 */
	VM_STOP_PANICKED, /* the guest reported a panic (pvpanic) */
	VM_STOP_FAIL_ON, /* a console line matched a --fail-on pattern */
};

/* The process exit status for a VM that stopped for reason (and value). */
int exit_status_for(enum vm_stop_reason reason, int value);

/* A short name for reason: "exit", "halted", "reset", ... */
const char *vm_stop_reason_name(enum vm_stop_reason reason);

/* The exit status table as text, for --help and the man page. */
extern const char exit_status_help[];

#endif
