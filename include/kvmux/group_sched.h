/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * group_sched.h - how a group's CPU shares are enforced
 * (docs/scheduler.md): the kernel through per-VM cgroups
 * (kvmux/cgroup_cpu.h), or kvmux's parking thread (kvmux/sched_park.h),
 * or nothing when the group fits the host or --sched is off.
 *
 * Lifecycle, from the runner:
 *   group_sched_create()  before any VM exists (the cgroups, and the
 *                         process that removes them, are made here)
 *   group_sched_attach()  once the VMs are built, before they start
 *   group_sched_start()   once the VMs run (the parking thread starts)
 *   group_sched_stop()    once every VM has stopped: stop enforcing
 *   group_sched_destroy() once the VMs are torn down: remove cgroups
 */
#ifndef KVMUX_GROUP_SCHED_H
#define KVMUX_GROUP_SCHED_H

#include <stdbool.h>

#include <stdint.h>

struct vm;
struct group_plan;
struct group_sched;

/*
 * Whether the group needs its shares enforced at all: its vCPUs outnumber
 * its host CPUs, or a VM has a cap.  Otherwise every vCPU has a CPU of its
 * own and no scheduler runs, whatever --sched says ("not needed").
 */
bool group_sched_needed(const struct group_plan *plan);

/*
 * Choose the mechanism for plan->sched and prepare it; plan stays valid
 * until group_sched_destroy().  --sched cgroup that cannot be had, or
 * that meets a priority, is an error; auto falls back to parking and
 * says why in group_sched_describe().  Returns NULL with err_set() on
 * failure.
 */
struct group_sched *group_sched_create(const struct group_plan *plan);
/* vms[i] runs plan->vm[i]; valid until group_sched_destroy(). */
void group_sched_attach(struct group_sched *gs, struct vm **vms);
/* Start enforcing (the parking thread).  Returns 0 or -1 with err_set(). */
int group_sched_start(struct group_sched *gs);
/* Stop the parking thread and release every VM.  NULL is fine. */
void group_sched_stop(struct group_sched *gs);
/* Stop, remove the cgroups (the VMs' threads must be gone), free. */
void group_sched_destroy(struct group_sched *gs);

/* For the summary: "on (cgroup)", "on (park)", "not needed", "off", ... */
const char *group_sched_describe(const struct group_sched *gs);
/* CPU time kvmux spent enforcing (the parking thread), in ns. */
uint64_t group_sched_cpu_ns(const struct group_sched *gs);

/*
 * The share of the group's CPU time each VM was due, given what the group
 * actually got: cpu_ns[i] of CPU time over wall_ns.  The weights A_i are
 * water-filled over that capacity, each VM limited to what its vCPUs (or
 * its budget, with cap) can use in wall_ns.  share[i] in 0..1.
 */
void group_sched_obtained_targets(const struct group_plan *plan,
				  const uint64_t *cpu_ns, uint64_t wall_ns,
				  double *share);

#endif
