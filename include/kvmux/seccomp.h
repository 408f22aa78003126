/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * seccomp.h - kvmux's system call filters: one allowlist per kind of
 * thread (enum thread_kind, kvmux/thread.h), installed before the guest
 * runs its first instruction (host/seccomp.c; docs/architecture.md,
 * "Security", lists them).
 *
 * Filters stack (a call must pass every filter of its thread) and a
 * thread inherits its creator's.  So:
 *
 *   seccomp_setup()        before any thread or child exists: compiles
 *                          every list and sets thread_enter()'s hook;
 *                          output threads and the cgroup reaper, which
 *                          start before any VM exists, install their own
 *                          list alone when they start
 *   seccomp_install_base() the main thread, before it starts a VM's
 *                          threads: the union of the lists of the
 *                          threads it will start and its own
 *   thread_enter(kind)     each thread as it starts: its own list on top
 *                          of the base, so its own list is what it may
 *                          call; the main thread last, once every
 *                          thread has started
 *
 * The programs are compiled with libseccomp when kvmux is built
 * (tools/seccomp_gen.c writes them into a file linked into the kvmux
 * binary, which hands them over with seccomp_use_prebuilt()): a run only
 * copies them and puts its process ID in.  The one list that depends on
 * the run, the output threads' with --user (the user's IDs), and every
 * list of a program without them (unit tests) are compiled at setup.
 *
 * With SYSCALL_FILTER_ON a forbidden call raises SIGSYS
 * (SECCOMP_RET_TRAP): one line on stderr names the call and the kind of
 * thread, and kvmux exits with EXIT_SECCOMP (159).  With
 * SYSCALL_FILTER_LOG the call goes through and the kernel logs it (the
 * audit log: `dmesg`, type=1326).
 */
#ifndef KVMUX_SECCOMP_H
#define KVMUX_SECCOMP_H

#include <linux/filter.h>
#include <stdint.h>

#include "kvmux/config.h"
#include "kvmux/privileges.h"
#include "kvmux/thread.h"

#define SECCOMP_NAMES_MAX 512 /* system call numbers with a name */
#define SECCOMP_NAME_LEN 32

/* A program compiled when kvmux was built, with kvmux's process ID (the
 * rule for tgkill(2)) still to be put in: insn[pid_at[i]].k.  len 0:
 * none (the build host's kernel lacked the action): compiled at run
 * time. */
struct seccomp_prebuilt_program {
	const struct sock_filter *insn;
	unsigned int len;
	const unsigned short *pid_at;
	unsigned int nr_pid_at;
};

/* Every kind's program (the base at [THREAD_KINDS]) for SIGSYS ([0])
 * and for --seccomp log ([1]), and the system calls' names. */
struct seccomp_prebuilt {
	uint32_t arch; /* AUDIT_ARCH_*: the programs' and the names' */
	struct seccomp_prebuilt_program program[2][THREAD_KINDS + 1];
	const char (*names)[SECCOMP_NAME_LEN]; /* by number; "": none */
};

/* Made by tools/seccomp_gen.c; only the kvmux binary links it. */
extern const struct seccomp_prebuilt seccomp_prebuilt;

/* Use p's programs and names from now on (before seccomp_setup()). */
void seccomp_use_prebuilt(const struct seccomp_prebuilt *p);

/*
 * For tools/seccomp_gen.c: compile kind's list (THREAD_KINDS: the base)
 * for mode (ON or LOG) as seccomp_setup() would, with pid as kvmux's
 * process ID, without --user's rules.  prog->filter is malloc()ed.
 * Returns 0, or -1 with err_host().
 */
int seccomp_compile_kind(enum thread_kind kind, enum syscall_filter mode,
			 uint32_t pid, struct sock_fprog *prog);

/*
 * Compile the lists for mode, install the SIGSYS handler, set
 * PR_SET_NO_NEW_PRIVS and make thread_enter() install a thread's list.
 * Whatever the mode, every thread gets no_new_privs, and thread_enter()
 * drops the capabilities of every thread but the main thread
 * (host_drop_privileges()) and the reaper.
 * user: the --user kvmux will switch to (NULL or unset: none), which the
 * threads that exist then take part in.  Call once, before any thread
 * is created.  Returns 0, or -1 with err_host() (a kernel without
 * seccomp filters).
 */
int seccomp_setup(enum syscall_filter mode, const struct host_user *user);

/* The main thread, before it starts the VMs' threads: the base filter.
 * Returns 0, or -1 with err_host(). */
int seccomp_install_base(void);

/* How many system calls kind's list allows, and in *ioctls how many
 * ioctl(2) requests (for the docs and tests). */
unsigned int seccomp_list_size(enum thread_kind kind, unsigned int *ioctls);

#endif
