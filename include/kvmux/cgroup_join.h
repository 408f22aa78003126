/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cgroup_join.h - move a group's vCPU threads into their VMs' cgroups
 * off the threads' own start path (host/cgroup_join.c).
 *
 * Writing a thread ID into a cgroup v1 "tasks" file waits out an RCU
 * grace period (cgroup_threadgroup_rwsem): 9-15 ms on a busy host, in
 * which a vCPU thread that moved itself ran no guest code, so a group of
 * 8 lean guests took 1.35x the wall time of 8 processes.  Instead each
 * vCPU thread queues its own move and runs the guest at once; one mover
 * thread makes the moves, one after another (after the first, the grace
 * period is already past for the rest).  A vCPU thread that ends waits
 * for a move of it under way and cancels a queued one, so the mover
 * never writes the ID of a thread that is gone (IDs are reused).
 *
 * The mover starts its moves one delay (the group's period, at most
 * 100 ms) after it starts: shares divide what the group gets over
 * periods, so a VM that ends within its first period never needed its
 * move, and a run of short guests then ends without waiting for a grace
 * period.
 *
 *   cgroup_join_create()   with the VMs, before any vCPU thread starts
 *   cgroup_join_post()     a vCPU thread as it starts (after its first
 *                          KVM_RUN: kvmux/vcpu.h says why)
 *   cgroup_join_leave()    the same thread as it ends
 *   cgroup_join_start()    the mover; posts made before it wait for it
 *   cgroup_join_destroy()  once every vCPU thread has ended
 */
#ifndef KVMUX_CGROUP_JOIN_H
#define KVMUX_CGROUP_JOIN_H

#include <stdint.h>

#include "kvmux/cgroup_cpu.h"

struct vm;
struct cgroup_join;

/*
 * For nr_threads vCPU threads in all (the most that will post), moved
 * into cg's VM cgroups from delay_ns (ns, CLOCK_MONOTONIC) after
 * cgroup_join_start() on.  cg must outlive it.  NULL (err_host()) if out
 * of memory.
 */
struct cgroup_join *cgroup_join_create(struct cgroup_cpu *cg,
				       unsigned int nr_threads,
				       uint64_t delay_ns);

/* The calling vCPU thread, of VM vm_index: queue its move. */
void cgroup_join_post(struct cgroup_join *cj, unsigned int vm_index);

/* The calling vCPU thread, ending: wait for or cancel its move. */
void cgroup_join_leave(struct cgroup_join *cj);

/* Start the mover thread; a failed move stops vms[vm_index] (host
 * failure).  vms must outlive it.  Returns 0, or -1 with err_set(). */
int cgroup_join_start(struct cgroup_join *cj, struct vm **vms);

/* Stop the mover (bounded: THREAD_JOIN_TIMEOUT_NS) and free; NULL is
 * fine.  Every vCPU thread must have ended or left. */
void cgroup_join_destroy(struct cgroup_join *cj);

#endif
