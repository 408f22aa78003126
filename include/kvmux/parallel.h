/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * parallel.h - run n independent jobs at once, one thread each, and wait
 * for all of them (util/parallel.c).
 *
 * For set-up work that would otherwise run one job after another on one
 * thread, such as preparing the VMs of a group: on a shared host each
 * thread competes for CPU time as a separate process would.  The result
 * is what the jobs run in index order would report first: the lowest
 * index that failed, with its reason (err_msg()) in the caller's thread.
 */
#ifndef KVMUX_PARALLEL_H
#define KVMUX_PARALLEL_H

/*
 * One job: 0 on success, anything else (an exit status, -1) on failure,
 * with err_set() or the like saying why.  Jobs run in threads of their
 * own that inherit the caller's signal mask; they must not touch each
 * other's data.
 */
typedef int parallel_fn(void *opaque, unsigned int i);

/*
 * Run fn(opaque, i) for every i in [0, n), at most PARALLEL_MAX_THREADS
 * at a time, and wait for every one (no bound: a job is what the caller
 * would otherwise run itself).  A job whose thread cannot be created runs
 * in the caller's thread.  Returns the lowest i whose job failed, with
 * that job's return value in *rc and its reason restored as this
 * thread's err_msg(); or n (*rc = 0) if all succeeded.
 */
unsigned int parallel_run(unsigned int n, parallel_fn *fn, void *opaque,
			  int *rc);

/* More jobs than this wait for a thread to finish. */
#define PARALLEL_MAX_THREADS 64

#endif
