// SPDX-License-Identifier: GPL-2.0-only
/*
 * sched_policy.c - budgets and dispatch decisions of the group scheduler,
 * as pure functions over plain data (kvmux/sched.h, docs/scheduler.md).
 */
#include <stdlib.h>

#include "kvmux/sched.h"

static uint64_t vm_limit(const struct sched_policy *p, const struct sched_vm *v)
{
	return (uint64_t)v->nr_vcpus * p->period_ns;
}

/*
 * Water-filling: hand out the group's CPU time by weight; a VM that would
 * get more than it can use keeps its limit and leaves the excess to be
 * shared again among the rest.  At most nr_vms rounds.
 */
void sched_compute_budgets(struct sched_policy *p)
{
	uint64_t left = (uint64_t)p->host_cpus * p->period_ns;
	bool capped[SCHED_MAX_VMS] = { false };
	unsigned int i, round;

	for (i = 0; i < p->nr_vms; i++)
		p->vm[i].budget_ns = 0;
	for (round = 0; round < p->nr_vms && left; round++) {
		unsigned __int128 total = 0;
		bool changed = false;

		for (i = 0; i < p->nr_vms; i++)
			if (!capped[i])
				total += p->vm[i].weight;
		if (!total)
			break;
		for (i = 0; i < p->nr_vms; i++) {
			struct sched_vm *v = &p->vm[i];
			uint64_t share;

			if (capped[i])
				continue;
			share = (unsigned __int128)left * v->weight / total;
			if (share >= vm_limit(p, v)) {
				v->budget_ns = vm_limit(p, v);
				capped[i] = true;
				changed = true;
			}
		}
		if (!changed) {
			for (i = 0; i < p->nr_vms; i++)
				if (!capped[i])
					p->vm[i].budget_ns =
						(unsigned __int128)left *
						p->vm[i].weight / total;
			return;
		}
		left = (uint64_t)p->host_cpus * p->period_ns;
		for (i = 0; i < p->nr_vms; i++)
			if (capped[i])
				left -= p->vm[i].budget_ns;
	}
}

void sched_new_period(struct sched_policy *p)
{
	unsigned int i;

	for (i = 0; i < p->nr_vms; i++)
		p->vm[i].used_ns = 0;
}

static uint64_t remaining(const struct sched_vm *v)
{
	return v->used_ns < v->budget_ns ? v->budget_ns - v->used_ns : 0;
}

/* Dispatch order: priority, then the most budget left, then config order. */
static const struct sched_policy *sort_policy;

static int dispatch_cmp(const void *a, const void *b)
{
	const struct sched_vm *x = &sort_policy->vm[*(const unsigned int *)a];
	const struct sched_vm *y = &sort_policy->vm[*(const unsigned int *)b];

	if (x->priority != y->priority)
		return x->priority > y->priority ? -1 : 1;
	if (remaining(x) != remaining(y))
		return remaining(x) > remaining(y) ? -1 : 1;
	return *(const unsigned int *)a < *(const unsigned int *)b ? -1 : 1;
}

static void dispatch_order(const struct sched_policy *p, unsigned int *order)
{
	unsigned int i;

	for (i = 0; i < p->nr_vms; i++)
		order[i] = i;
	sort_policy = p;
	qsort(order, p->nr_vms, sizeof(order[0]), dispatch_cmp);
}

/*
 * Time the VM can still wait before it must run to the end of the period
 * to use its budget (0: none left).  Its vCPUs run in parallel.
 */
static uint64_t slack(const struct sched_policy *p, const struct sched_vm *v)
{
	uint64_t needs = remaining(v) / v->nr_vcpus;

	return p->period_left_ns > needs ? p->period_left_ns - needs : 0;
}

enum release_pass {
	PASS_NO_SLACK, /* must run now to get its budget */
	PASS_BUDGET, /* has budget: by priority */
	PASS_OVER_BUDGET, /* work conserving: free CPUs to the uncapped */
};

static bool wants(const struct sched_policy *p, const struct sched_vm *v,
		  enum release_pass pass)
{
	if (v->released || v->stopped)
		return false;
	switch (pass) {
	case PASS_NO_SLACK:
		return remaining(v) && slack(p, v) <= SCHED_MIN_INTERVAL_NS;
	case PASS_BUDGET:
		return remaining(v) > 0;
	case PASS_OVER_BUDGET:
		return !remaining(v) && !v->cap;
	}
	return false;
}

/* Release VMs in order while CPUs are free; idle VMs take no CPU. */
static unsigned int release(struct sched_policy *p, const unsigned int *order,
			    unsigned int free_cpus, enum release_pass pass)
{
	unsigned int i;

	for (i = 0; i < p->nr_vms; i++) {
		struct sched_vm *v = &p->vm[order[i]];

		if (!wants(p, v, pass))
			continue;
		if (v->busy && v->nr_vcpus > free_cpus &&
		    free_cpus < p->host_cpus)
			continue; /* does not fit now; a smaller one might */
		v->released = true;
		if (v->busy)
			free_cpus -= v->nr_vcpus < free_cpus ? v->nr_vcpus :
							       free_cpus;
	}
	return free_cpus;
}

uint64_t sched_decide(struct sched_policy *p)
{
	unsigned int order[SCHED_MAX_VMS];
	uint64_t next = p->period_ns;
	unsigned int i, free_cpus;

	dispatch_order(p, order);
	for (i = 0; i < p->nr_vms; i++)
		p->vm[i].released = false;
	free_cpus = release(p, order, p->host_cpus, PASS_NO_SLACK);
	free_cpus = release(p, order, free_cpus, PASS_BUDGET);
	release(p, order, free_cpus, PASS_OVER_BUDGET);
	for (i = 0; i < p->nr_vms; i++) {
		const struct sched_vm *v = &p->vm[i];
		/* Look again when a running VM's budget runs out, or when a
		 * waiting VM's slack does. */
		uint64_t due =
			v->released ? remaining(v) / v->nr_vcpus : slack(p, v);

		if (remaining(v) && !v->stopped && due < next)
			next = due;
	}
	/* Look again now and then: an idle VM may have become busy. */
	if (next > p->period_ns / SCHED_CHECKS_PER_PERIOD)
		next = p->period_ns / SCHED_CHECKS_PER_PERIOD;
	return next < SCHED_MIN_INTERVAL_NS ? SCHED_MIN_INTERVAL_NS : next;
}
