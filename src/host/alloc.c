// SPDX-License-Identifier: GPL-2.0-only
/*
 * alloc.c - proportional sizing of a group of VMs and their CPU-time
 * shares (kvmux/alloc.h).  Pure functions: no KVM, no host state.
 *
 * Products of two amounts take 128 bits, so proportions are exact integer
 * arithmetic: the same inputs give the same plan on every host.
 */
#include <stdlib.h>
#include <string.h>

#include "kvmux/alloc.h"
#include "kvmux/sched_policy.h"
#include "kvmux/error.h"

typedef unsigned __int128 u128;

struct claim {
	u128 remainder; /* of the proportional quota, in 1/(S x unit) */
	uint64_t units; /* whole units of the quota */
	bool pinned; /* held at its least */
	bool topped_up; /* got a leftover unit */
};

static u128 sum(const uint64_t *amount, unsigned int n)
{
	u128 total = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		total += amount[i];
	return total;
}

/*
 * Claimants whose proportional quota of what is left falls below their
 * least are held at the least; the rest share what remains.  Holding one
 * shrinks the others' quotas, so repeat until no more are held.  Returns
 * the capacity left to the unheld ones and their total ask (*asked).
 */
static u128 pin_leasts(const uint64_t *ask, const uint64_t *least,
		       unsigned int n, uint64_t capacity, struct claim *c,
		       u128 *asked)
{
	u128 left, total;
	bool changed;
	unsigned int i;

	do {
		left = capacity;
		total = 0;
		for (i = 0; i < n; i++) {
			if (c[i].pinned)
				left -= least[i];
			else
				total += ask[i];
		}
		changed = false;
		for (i = 0; i < n; i++) {
			if (!c[i].pinned &&
			    (u128)ask[i] * left < (u128)least[i] * total) {
				c[i].pinned = true;
				changed = true;
			}
		}
	} while (changed);
	*asked = total;
	return left;
}

/* The unheld claimant with the largest remainder that may take a unit. */
static int next_top_up(const uint64_t *ask, const unsigned int *rank,
		       unsigned int n, uint64_t unit, const struct claim *c)
{
	int best = -1;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (c[i].pinned || c[i].topped_up ||
		    (c[i].units + 1) * unit > ask[i])
			continue;
		if (best < 0 || c[i].remainder > c[best].remainder ||
		    (c[i].remainder == c[best].remainder &&
		     rank[i] < rank[best]))
			best = i;
	}
	return best;
}

/* Hamilton's method on what the held claimants left. */
static void largest_remainder(const uint64_t *ask, const unsigned int *rank,
			      unsigned int n, u128 left, u128 asked,
			      uint64_t unit, struct claim *c)
{
	u128 den = asked * unit, handed = 0, leftover;
	unsigned int i;
	int best;

	for (i = 0; i < n; i++) {
		if (c[i].pinned)
			continue;
		c[i].units = (u128)ask[i] * left / den;
		c[i].remainder = (u128)ask[i] * left % den;
		handed += c[i].units;
	}
	for (leftover = left / unit - handed; leftover; leftover--) {
		best = next_top_up(ask, rank, n, unit, c);
		if (best < 0)
			break;
		c[best].units++;
		c[best].topped_up = true;
	}
}

int alloc_apportion(const uint64_t *ask, const uint64_t *least,
		    const unsigned int *rank, unsigned int n, uint64_t capacity,
		    uint64_t unit, uint64_t *out)
{
	struct claim *c;
	u128 left, asked;
	unsigned int i;

	if (sum(ask, n) <= capacity) {
		memcpy(out, ask, n * sizeof(*out));
		return 0;
	}
	if (sum(least, n) > capacity)
		return -1;
	c = calloc(n, sizeof(*c));
	if (!c)
		return -1;
	left = pin_leasts(ask, least, n, capacity, c, &asked);
	if (asked)
		largest_remainder(ask, rank, n, left, asked, unit, c);
	for (i = 0; i < n; i++)
		out[i] = c[i].pinned ? least[i] : c[i].units * unit;
	free(c);
	return 0;
}

/* Higher priority first; equal priorities in config order. */
static void dispatch_order(const struct vm_config *vm, unsigned int n,
			   unsigned int *order)
{
	unsigned int i, j, pick;

	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = 1; i < n; i++) {
		pick = order[i];
		for (j = i;
		     j > 0 && vm[order[j - 1]].priority < vm[pick].priority;
		     j--)
			order[j] = order[j - 1];
		order[j] = pick;
	}
}

/* Scratch arrays for one resource. */
struct amounts {
	uint64_t *ask, *least, *out;
	unsigned int *rank;
};

static int size_memory(const struct vm_config *vm, unsigned int n,
		       const struct group_config *group, struct amounts *a,
		       struct group_plan *plan)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		a->ask[i] = vm[i].memory;
		a->least[i] = vm[i].memory < ALLOC_MIN_MEMORY ?
				      vm[i].memory :
				      ALLOC_MIN_MEMORY;
	}
	if (alloc_apportion(a->ask, a->least, a->rank, n, group->host_memory,
			    ALLOC_MEMORY_UNIT, a->out) < 0)
		return err_set("the %u VM%s need%s at least %llu MiB of "
			       "memory (%llu MiB each, or what a VM asks if "
			       "less), more than the group's %llu MiB",
			       n, n == 1 ? "" : "s", n == 1 ? "s" : "",
			       (unsigned long long)(sum(a->least, n) >> 20),
			       ALLOC_MIN_MEMORY >> 20,
			       (unsigned long long)(group->host_memory >> 20));
	plan->memory_scaled = sum(a->ask, n) > group->host_memory;
	for (i = 0; i < n; i++) {
		plan->vm[i].memory_asked = a->ask[i];
		plan->vm[i].memory = a->out[i];
	}
	return 0;
}

static int size_cpus(const struct vm_config *vm, unsigned int n,
		     struct amounts *a, struct group_plan *plan)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		a->ask[i] = vm[i].cpus;
		a->least[i] = 1;
	}
	if (alloc_apportion(a->ask, a->least, a->rank, n, plan->cpu_capacity, 1,
			    a->out) < 0)
		return err_set("the %u VM%s need%s at least one vCPU%s, more "
			       "than the group's %u (%u host CPU%s, overcommit "
			       "%u.%03u)",
			       n, n == 1 ? "" : "s", n == 1 ? "s" : "",
			       n == 1 ? "" : " each", plan->cpu_capacity,
			       plan->host_cpus, plan->host_cpus == 1 ? "" : "s",
			       plan->overcommit_milli / 1000,
			       plan->overcommit_milli % 1000);
	plan->cpus_scaled = sum(a->ask, n) > plan->cpu_capacity;
	for (i = 0; i < n; i++) {
		plan->vm[i].cpus_asked = a->ask[i];
		plan->vm[i].cpus = a->out[i];
	}
	return 0;
}

void group_plan_policy(const struct group_plan *plan, struct sched_policy *p,
		       struct sched_vm *svm)
{
	unsigned int i;

	for (i = 0; i < plan->nr_vms; i++)
		svm[i] = (struct sched_vm){
			.nr_vcpus = plan->vm[i].cpus,
			.priority = plan->vm[i].priority,
			.weight = plan->vm[i].share_weight,
			.cap = plan->vm[i].cap,
			.busy = true,
		};
	*p = (struct sched_policy){ .vm = svm,
				    .nr_vms = plan->nr_vms,
				    .host_cpus = plan->host_cpus,
				    .period_ns = plan->period_ns };
	sched_compute_budgets(p);
}

/*
 * T_i = A_i / sum(A) x W, with A_i = vCPUs x weight, W = period x CPUs,
 * where no VM gets more than its vCPUs can use (vCPUs x period): the
 * scheduler's water-filling (host/sched_policy.c) decides, so the plan
 * shows exactly the budgets the scheduler will enforce.
 */
static void compute_shares(struct group_plan *plan)
{
	struct sched_vm svm[SCHED_MAX_VMS];
	struct sched_policy policy;
	struct vm_plan *v;
	unsigned int i;

	plan->total_share_weight = 0;
	for (i = 0; i < plan->nr_vms; i++) {
		v = &plan->vm[i];
		v->share_weight = (uint64_t)v->cpus * v->weight;
		plan->total_share_weight += v->share_weight;
	}
	group_plan_policy(plan, &policy, svm);
	for (i = 0; i < plan->nr_vms; i++) {
		v = &plan->vm[i];
		v->budget_ns = svm[i].budget_ns;
		v->share = (double)v->budget_ns / plan->cpu_time_ns;
	}
}

static void fill_vms(const struct vm_config *vm, struct group_plan *plan)
{
	unsigned int i;

	for (i = 0; i < plan->nr_vms; i++) {
		plan->vm[i] = (struct vm_plan){
			.name = vm[i].name,
			.index = i,
			.priority = vm[i].priority,
			.weight = vm[i].weight,
			.cap = vm[i].cap,
		};
	}
	for (i = 0; i < plan->nr_vms; i++)
		plan->vm[plan->order[i]].dispatch = i;
}

/* Only the parking scheduler orders dispatch by priority. */
static int check_priorities(const struct vm_config *vm, unsigned int nr_vms,
			    const struct group_config *group)
{
	unsigned int i;

	if (group->sched != SCHED_MODE_CGROUP)
		return 0;
	for (i = 0; i < nr_vms; i++)
		if (vm[i].priority)
			return err_set("%s sets a priority, which --sched "
				       "cgroup cannot honour (use --sched "
				       "park or auto)",
				       vm[i].name);
	return 0;
}

static int check_group(unsigned int nr_vms, const struct group_config *group,
		       struct group_plan *plan)
{
	if (!nr_vms)
		return err_set("no VMs to plan");
	if (nr_vms > SCHED_MAX_VMS)
		return err_set("%u VMs in one group: at most %d", nr_vms,
			       SCHED_MAX_VMS);
	if (!group->host_cpus || !group->host_memory || !group->period_ns ||
	    !group->overcommit_milli)
		return err_set("the group's capacity is not set");
	plan->nr_vms = nr_vms;
	plan->host_cpus = group->host_cpus;
	plan->overcommit_milli = group->overcommit_milli;
	plan->cpu_capacity =
		(uint64_t)group->host_cpus * group->overcommit_milli / 1000;
	plan->memory_capacity = group->host_memory;
	plan->period_ns = group->period_ns;
	plan->cpu_time_ns = group->period_ns * group->host_cpus;
	plan->sched = group->sched;
	return 0;
}

static int alloc_amounts(struct amounts *a, unsigned int n)
{
	a->ask = calloc(n, sizeof(*a->ask));
	a->least = calloc(n, sizeof(*a->least));
	a->out = calloc(n, sizeof(*a->out));
	if (!a->ask || !a->least || !a->out)
		return err_host("out of memory");
	return 0;
}

static void free_amounts(struct amounts *a)
{
	free(a->ask);
	free(a->least);
	free(a->out);
}

static int size_group(const struct vm_config *vm,
		      const struct group_config *group, struct amounts *a,
		      struct group_plan *plan)
{
	unsigned int n = plan->nr_vms, i;

	plan->vm = calloc(n, sizeof(*plan->vm));
	plan->order = calloc(n, sizeof(*plan->order));
	a->rank = calloc(n, sizeof(*a->rank));
	if (!plan->vm || !plan->order || !a->rank || alloc_amounts(a, n) < 0)
		return err_host("out of memory");
	dispatch_order(vm, n, plan->order);
	fill_vms(vm, plan);
	for (i = 0; i < n; i++)
		a->rank[i] = plan->vm[i].dispatch;
	if (size_memory(vm, n, group, a, plan) < 0 ||
	    size_cpus(vm, n, a, plan) < 0)
		return -1;
	compute_shares(plan);
	return 0;
}

int group_plan_build(const struct vm_config *vm, unsigned int nr_vms,
		     const struct group_config *group, struct group_plan *plan)
{
	struct amounts a = { 0 };
	int rc;

	*plan = (struct group_plan){ 0 };
	rc = check_group(nr_vms, group, plan);
	if (!rc)
		rc = check_priorities(vm, nr_vms, group);
	if (!rc)
		rc = size_group(vm, group, &a, plan);
	free_amounts(&a);
	free(a.rank);
	if (rc < 0)
		group_plan_free(plan);
	return rc;
}

void group_plan_free(struct group_plan *plan)
{
	free(plan->vm);
	free(plan->order);
	*plan = (struct group_plan){ 0 };
}

uint64_t host_memory_reserve(uint64_t total)
{
	uint64_t share = total / 100 * HOST_RESERVE_PERCENT;

	return share > HOST_RESERVE_MIN ? share : HOST_RESERVE_MIN;
}
