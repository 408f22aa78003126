/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * thread.h - joining threads with a bound.
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
