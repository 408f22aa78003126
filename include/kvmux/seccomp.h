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
 * With SYSCALL_FILTER_ON a forbidden call raises SIGSYS
 * (SECCOMP_RET_TRAP): one line on stderr names the call and the kind of
 * thread, and kvmux exits with EXIT_SECCOMP (159).  With
 * SYSCALL_FILTER_LOG the call goes through and the kernel logs it (the
 * audit log: `dmesg`, type=1326).
 */
#ifndef KVMUX_SECCOMP_H
#define KVMUX_SECCOMP_H

#include "kvmux/config.h"
#include "kvmux/privileges.h"
#include "kvmux/thread.h"

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
