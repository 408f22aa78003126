/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * result.h - --result FILE: how a run ended, as one JSON object (RFC
 * 8259) a script can read (host/result.c; members in
 * docs/exit-status.md).
 *
 * The file is checked when the run starts (a directory kvmux cannot
 * write to fails then, 126, before any VM) and written when it ends,
 * however it ends: through a temporary file in the same directory and a
 * rename, so a reader sees the old file or the whole new one, never half.
 */
#ifndef KVMUX_RESULT_H
#define KVMUX_RESULT_H

#include <stdbool.h>
#include <stdint.h>

struct result_vm {
	const char *name;
	int status; /* the exit status this VM alone would give */
	const char *reason; /* "exit", "timeout", ...; "not started" */
	const char *detail; /* what happened, or ""; never NULL */
	bool started;
	double wall_seconds, cpu_seconds;
	uint64_t exits_kvmux; /* exits kvmux handled (port, MMIO, ...) */
	uint64_t exits_kvm; /* all exits, KVM's count (0: unknown) */
	uint64_t console_bytes; /* bytes the guest wrote to its consoles */
	uint64_t console_lost; /* of those, the bytes that never got out */
	/* In a group: the share of the group's CPU time it was due, and
	 * what it got (fractions); negative: not a group. */
	double target_share, obtained_share;
};

struct run_result {
	int status; /* kvmux's exit status */
	const char *error; /* why kvmux gave up, or NULL */
	unsigned int nr_vms;
	const struct result_vm *vm;
	/* A group's scheduler, in words (NULL: one VM). */
	const char *scheduler;
	unsigned int host_cpus;
	uint64_t period_ns;
};

/*
 * Check that path can be written (an existing path must be a regular
 * file) and make the temporary file beside it (".kvmux-result-PID"),
 * kept open for result_write().  Returns 0, or -1 with err_set().
 */
int result_open(const char *path);

/* The temporary file's name and path (both NULL: no result_open()), for
 * a helper that renames one to the other (fd_release_start()). */
void result_names(const char **temp, const char **path);

/*
 * Write r into the temporary file, flush it and rename it to the path of
 * result_open() (nothing if none was opened): with rename(2) here, or
 * through publish, which returns 0 or an errno value and removes the
 * temporary file when it fails.  Returns 0, or -1 with err_set().
 */
int result_write(const struct run_result *r, int (*publish)(void));

#endif
