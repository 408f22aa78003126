// SPDX-License-Identifier: GPL-2.0-only
/*
 * group_sched.c - choose and set up how a group's shares are enforced
 * (kvmux/group_sched.h, docs/scheduler.md).
 *
 * The kernel is preferred: per-VM cgroups with cpu.shares in the ratio
 * of the weights make CFS divide whatever CPU time the group gets in
 * that ratio, foreign load or not, with no thread of kvmux's and no
 * kicks; a hard cap is the CFS bandwidth quota, T_i every period W.
 * Parking stays for hosts where kvmux may not create cgroups and for
 * priorities, which CFS has no notion of.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "kvmux/alloc.h"
#include "kvmux/cgroup_cpu.h"
#include "kvmux/cgroup_join.h"
#include "kvmux/diag.h"
#include "kvmux/error.h"
#include "kvmux/group_sched.h"
#include "kvmux/sched_policy.h"
#include "kvmux/sched_park.h"
#include "kvmux/vm.h"

/* The longest wait before the cgroup moves (kvmux/cgroup_join.h). */
#define JOIN_DELAY_MAX_NS 100000000ull /* 100 ms */

struct cgroup_vm {
	struct group_sched *gs;
	unsigned int i;
};

struct group_sched {
	enum sched_mode mode; /* what enforces: OFF (nothing), CGROUP, PARK */
	char describe[ERR_MSG_MAX + 32];
	struct vm **vms;
	const struct group_plan *plan;
	struct cgroup_cpu cg;
	struct cgroup_vm *cg_vm;
	struct cgroup_join *join; /* moves the vCPU threads in */
	struct sched_park *park;
};

bool group_sched_needed(const struct group_plan *plan)
{
	unsigned int i, vcpus = 0;

	for (i = 0; i < plan->nr_vms; i++) {
		if (plan->vm[i].cap)
			return true;
		vcpus += plan->vm[i].cpus;
	}
	return vcpus > plan->host_cpus;
}

static bool any_priority(const struct group_plan *plan)
{
	unsigned int i;

	for (i = 0; i < plan->nr_vms; i++)
		if (plan->vm[i].priority)
			return true;
	return false;
}

/*
 * A vCPU thread as it starts.  A capped VM's thread moves itself before
 * the guest runs: a cap is a bound from the first instruction.  Shares
 * only divide what the group gets, so the others' moves are queued and
 * their guests run at once (host/cgroup_join.c says what a move costs).
 */
static int join_cgroup(void *opaque)
{
	struct cgroup_vm *v = opaque;

	if (v->gs->plan->vm[v->i].cap)
		return cgroup_cpu_move(&v->gs->cg, v->i, gettid());
	cgroup_join_post(v->gs->join, v->i);
	return 0;
}

static void leave_cgroup(void *opaque)
{
	struct cgroup_vm *v = opaque;

	cgroup_join_leave(v->gs->join);
}

static int set_vm_cgroups(struct group_sched *gs)
{
	const struct group_plan *plan = gs->plan;
	uint64_t shares[SCHED_MAX_VMS], quota, period;
	struct sched_vm svm[SCHED_MAX_VMS];
	struct sched_policy policy;
	unsigned int i;

	group_plan_policy(plan, &policy, svm);
	sched_cgroup_shares(&policy, shares);
	for (i = 0; i < plan->nr_vms; i++) {
		quota = period = 0;
		if (plan->vm[i].cap &&
		    !sched_cgroup_cap(svm[i].budget_ns, plan->period_ns, &quota,
				      &period))
			diag("%s: cap of %.3f%% of a CPU is raised to 0.1%% "
			     "(the kernel's least quota, 1 ms a second)",
			     plan->vm[i].name,
			     100.0 * svm[i].budget_ns / plan->period_ns);
		if (cgroup_cpu_set(&gs->cg, i, shares[i], quota, period) < 0)
			return -1;
		gs->cg_vm[i] = (struct cgroup_vm){ gs, i };
	}
	return 0;
}

/*
 * The run's cgroup weighs as much as its vCPU threads would on their
 * own, so the group competes with the rest of the host as before.
 */
static int use_cgroups(struct group_sched *gs)
{
	const struct group_plan *plan = gs->plan;
	uint64_t run_shares = 0;
	unsigned int i, vcpus = 0, queued = 0;

	for (i = 0; i < plan->nr_vms; i++) {
		vcpus += plan->vm[i].cpus;
		queued += plan->vm[i].cap ? 0 : plan->vm[i].cpus;
	}
	run_shares = (uint64_t)vcpus * SCHED_SHARES_UNIT;
	if (run_shares > SCHED_SHARES_MAX)
		run_shares = SCHED_SHARES_MAX;
	gs->cg_vm = calloc(plan->nr_vms, sizeof(*gs->cg_vm));
	if (!gs->cg_vm)
		return err_host("out of memory");
	if (cgroup_cpu_create(&gs->cg, plan->nr_vms, run_shares) < 0)
		return -1;
	/* The first period, at most JOIN_DELAY_MAX_NS: a long period would
	 * leave the start unshared for long. */
	gs->join = cgroup_join_create(&gs->cg, queued,
				      plan->period_ns < JOIN_DELAY_MAX_NS ?
					      plan->period_ns :
					      JOIN_DELAY_MAX_NS);
	if (!gs->join || set_vm_cgroups(gs) < 0) {
		cgroup_join_destroy(gs->join);
		gs->join = NULL;
		cgroup_cpu_destroy(&gs->cg);
		return -1;
	}
	gs->mode = SCHED_MODE_CGROUP;
	snprintf(gs->describe, sizeof(gs->describe), "on (cgroup)");
	return 0;
}

static void use_parking(struct group_sched *gs, const char *why)
{
	gs->mode = SCHED_MODE_PARK;
	snprintf(gs->describe, sizeof(gs->describe), "on (park%s%s)",
		 why ? "; " : "", why ? why : "");
}

static int choose(struct group_sched *gs)
{
	const struct group_plan *plan = gs->plan;
	char why[ERR_MSG_MAX + 16];

	switch (plan->sched) {
	case SCHED_MODE_OFF:
		return 0;
	case SCHED_MODE_PARK:
		use_parking(gs, NULL);
		return 0;
	case SCHED_MODE_CGROUP:
		return use_cgroups(gs); /* the plan refused priorities */
	case SCHED_MODE_AUTO:
		break;
	}
	if (any_priority(plan)) {
		use_parking(gs, "a VM sets a priority");
	} else if (use_cgroups(gs) < 0) {
		snprintf(why, sizeof(why), "cgroups: %s", err_msg());
		use_parking(gs, why);
	}
	return 0;
}

struct group_sched *group_sched_create(const struct group_plan *plan)
{
	struct group_sched *gs = calloc(1, sizeof(*gs));

	if (!gs) {
		err_host("out of memory");
		return NULL;
	}
	gs->plan = plan;
	gs->mode = SCHED_MODE_OFF;
	snprintf(gs->describe, sizeof(gs->describe), "%s",
		 plan->sched == SCHED_MODE_OFF ? "off" : "not needed");
	if (group_sched_needed(plan) && choose(gs) < 0) {
		group_sched_destroy(gs);
		return NULL;
	}
	return gs;
}

void group_sched_attach(struct group_sched *gs, struct vm **vms)
{
	unsigned int i;

	gs->vms = vms;
	if (gs->mode != SCHED_MODE_CGROUP)
		return;
	for (i = 0; i < gs->plan->nr_vms; i++) {
		vms[i]->vcpu_thread_start = join_cgroup;
		vms[i]->vcpu_thread_end = leave_cgroup;
		vms[i]->vcpu_thread_opaque = &gs->cg_vm[i];
	}
}

int group_sched_start(struct group_sched *gs)
{
	if (gs->mode == SCHED_MODE_CGROUP)
		return cgroup_join_start(gs->join, gs->vms);
	if (gs->mode != SCHED_MODE_PARK)
		return 0;
	gs->park = sched_park_start(gs->vms, gs->plan);
	return gs->park ? 0 : -1;
}

void group_sched_stop(struct group_sched *gs)
{
	if (!gs)
		return;
	sched_park_stop(gs->park);
	gs->park = NULL;
}

void group_sched_destroy(struct group_sched *gs)
{
	if (!gs)
		return;
	group_sched_stop(gs);
	cgroup_join_destroy(gs->join); /* every vCPU thread has ended */
	cgroup_cpu_destroy(&gs->cg);
	free(gs->cg_vm);
	free(gs);
}

const char *group_sched_describe(const struct group_sched *gs)
{
	return gs->describe;
}

uint64_t group_sched_cpu_ns(const struct group_sched *gs)
{
	return gs->park ? sched_park_cpu_ns(gs->park) : 0;
}

void group_sched_obtained_targets(const struct group_plan *plan,
				  const uint64_t *cpu_ns, uint64_t wall_ns,
				  double *share)
{
	uint64_t weight[SCHED_MAX_VMS], limit[SCHED_MAX_VMS],
		due[SCHED_MAX_VMS], total = 0;
	unsigned int i;

	for (i = 0; i < plan->nr_vms; i++) {
		const struct vm_plan *v = &plan->vm[i];

		weight[i] = v->share_weight;
		limit[i] = (uint64_t)v->cpus * wall_ns;
		if (v->cap)
			limit[i] = (unsigned __int128)v->budget_ns * wall_ns /
				   plan->period_ns;
		total += cpu_ns[i];
	}
	sched_share_out(weight, limit, plan->nr_vms, total, due);
	for (i = 0; i < plan->nr_vms; i++)
		share[i] = total ? (double)due[i] / total : 0;
}
