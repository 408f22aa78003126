/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * thread.h - joining threads with a bound, and the descriptor table they
 * share.
 *
 * kvmux never waits for a thread without a deadline: a thread stuck in
 * host I/O (a disk on a hung network file system, say) must not keep the
 * run from ending.  A thread that misses its deadline is left to the
 * process's exit, with everything it may touch.
 */
#ifndef KVMUX_THREAD_H
#define KVMUX_THREAD_H

#include <pthread.h>
#include <stdint.h>

/*
 * The kinds of kvmux's threads (and of its child processes), as the
 * system call filter (host/seccomp.c) tells them apart.
 */
enum thread_kind {
	THREAD_MAIN, /* the runner: event loop, setup and teardown */
	THREAD_VCPU, /* KVM_RUN and the devices' port and MMIO callbacks */
	THREAD_IO, /* a virtio device's I/O thread */
	THREAD_OUTPUT, /* an output stream's writer (util/out_stream.c) */
	THREAD_SCHED, /* the parking scheduler of a group */
	THREAD_REAPER, /* the cgroup reaper: a child process */
	THREAD_RELEASE, /* the fd release helper: a child process */
	THREAD_KINDS,
};

/*
 * Every thread calls this once its own setup is done, before it does
 * any work for the guest (the reaper: first thing after fork()).  It
 * names the thread "kvmux-KIND" (not the main thread) and runs the hook
 * set by thread_set_enter_hook(), which installs the
 * thread's system call filter; without a hook it does nothing.  It
 * returns only if the hook succeeded: a thread that cannot be confined
 * ends the process.
 */
void thread_enter(enum thread_kind kind);

/* What thread_enter() runs from now on (NULL: nothing); any thread. */
void thread_set_enter_hook(void (*hook)(enum thread_kind kind));

/* The short name of a kind: "main", "vcpu", "io", "output", ... */
const char *thread_kind_name(enum thread_kind kind);

/*
 * Grow the process's descriptor table to hold at least nr descriptors;
 * call it while the process has a single thread.  The kernel never
 * shrinks the table, and growing it once threads share it waits for an
 * RCU grace period (expand_fdtable()), several ms of wall time on a busy
 * host, at each doubling past 64.  A soft RLIMIT_NOFILE below nr is
 * raised first, up to the hard limit (kvmux waits with poll and epoll,
 * never select, so descriptors past 1023 are fine): the table stops at
 * the soft limit.  Leaves no descriptor open.  Returns 0, or a negative
 * errno value (the table is then at least as large as before).
 */
int thread_reserve_fds(unsigned int nr);

/* Stop waiting this long after a stop was asked for. */
#define THREAD_JOIN_TIMEOUT_NS 5000000000ULL /* 5 s */

/* CLOCK_MONOTONIC, in ns. */
uint64_t thread_now_ns(void);

/*
 * Join thread by deadline_ns (CLOCK_MONOTONIC).  Returns 0 when joined,
 * -1 if it was still running at the deadline (it is then detached).
 */
int thread_join_until(pthread_t thread, uint64_t deadline_ns);

#endif
