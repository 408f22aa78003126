/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * group_sched.h - the thread that applies the scheduler's decisions
 * (kvmux/sched.h) to running VMs: it measures each VM's vCPU thread CPU
 * time, parks and releases VMs, and sleeps until the next decision.
 */
#ifndef KVMUX_GROUP_SCHED_H
#define KVMUX_GROUP_SCHED_H

#include <stdbool.h>
#include <stdint.h>

struct vm;
struct group_plan;
struct group_sched;

/* Does this group need a scheduler at all?  Only when its vCPUs outnumber
 * the CPUs it may use, or a VM asked for a hard cap. */
bool group_sched_needed(const struct group_plan *plan);

/* vms[i] runs plan->vm[i]; both stay valid until group_sched_stop(). */
struct group_sched *group_sched_start(struct vm **vms,
				      const struct group_plan *plan);
/* Stop the thread, release every VM, free. */
void group_sched_stop(struct group_sched *gs);

/* The scheduler thread's own CPU time so far (overhead), in ns. */
uint64_t group_sched_cpu_ns(struct group_sched *gs);
/* Target share of VM i (fraction of the group's CPU time). */
double group_sched_target_share(struct group_sched *gs, unsigned int i);

/* Budget fractions without a running thread (for plans and reports). */
void group_sched_targets(const struct group_plan *plan, double *share);

#endif
