/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sched_park.h - the parking scheduler: one thread that applies the
 * policy's decisions (kvmux/sched_policy.h) to running VMs.  It measures each
 * VM's vCPU thread CPU time, parks VMs whose budget is spent (their vCPU
 * threads wait outside KVM_RUN) and releases them, and sleeps until the
 * next decision.  Used where the kernel cannot enforce the shares
 * (kvmux/cgroup_cpu.h), and for priorities, which only it honours.
 */
#ifndef KVMUX_SCHED_PARK_H
#define KVMUX_SCHED_PARK_H

#include <stdint.h>

struct vm;
struct group_plan;
struct sched_park;

/*
 * Start the thread: vms[i] runs plan->vm[i]; both stay valid until
 * sched_park_stop().  Returns NULL with err_set() on failure.
 */
struct sched_park *sched_park_start(struct vm **vms,
				    const struct group_plan *plan);
/* Stop the thread, release every VM, free. */
void sched_park_stop(struct sched_park *gs);

/* The thread's own CPU time so far (its overhead), in ns. */
uint64_t sched_park_cpu_ns(struct sched_park *gs);

#endif
