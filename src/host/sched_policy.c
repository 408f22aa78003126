// SPDX-License-Identifier: GPL-2.0-only
/*
 * sched_policy.c - budgets and dispatch decisions of the group scheduler,
 * as pure functions over plain data (kvmux/sched_policy.h, docs/scheduler.md).
 */
#include <stdlib.h>

#include "kvmux/sched_policy.h"

/* A VM that used less than this share of the time since the last decision
 * is idle: its guest sits in HLT. */
#define BUSY_PERMILLE 50

static uint64_t vm_limit(const struct sched_policy *p, const struct sched_vm *v)
{
	return (uint64_t)v->nr_vcpus * p->period_ns;
}

void sched_share_out(const uint64_t *weight, const uint64_t *limit,
		     unsigned int n, uint64_t capacity, uint64_t *out)
{
	bool capped[SCHED_MAX_VMS] = { false };
	uint64_t left = capacity;
	unsigned int i, round;

	for (i = 0; i < n; i++)
		out[i] = 0;
	for (round = 0; round < n && left; round++) {
		unsigned __int128 total = 0;
		bool changed = false;

		for (i = 0; i < n; i++)
			if (!capped[i])
				total += weight[i];
		if (!total)
			return;
		for (i = 0; i < n; i++) {
			if (!capped[i] &&
			    (unsigned __int128)left * weight[i] / total >=
				    limit[i]) {
				out[i] = limit[i];
				capped[i] = true;
				changed = true;
			}
		}
		if (!changed) {
			for (i = 0; i < n; i++)
				if (!capped[i])
					out[i] = (unsigned __int128)left *
						 weight[i] / total;
			return;
		}
		left = capacity;
		for (i = 0; i < n; i++)
			if (capped[i])
				left = left > out[i] ? left - out[i] : 0;
	}
}

/* Budgets: W = host_cpus x period shared out, each capped at what its
 * vCPUs can use in a period. */
void sched_compute_budgets(struct sched_policy *p)
{
	uint64_t weight[SCHED_MAX_VMS] = { 0 }, limit[SCHED_MAX_VMS] = { 0 };
	uint64_t budget[SCHED_MAX_VMS];
	unsigned int i;

	for (i = 0; i < p->nr_vms; i++) {
		weight[i] = p->vm[i].weight;
		limit[i] = vm_limit(p, &p->vm[i]);
	}
	sched_share_out(weight, limit, p->nr_vms,
			(uint64_t)p->host_cpus * p->period_ns, budget);
	for (i = 0; i < p->nr_vms; i++)
		p->vm[i].budget_ns = budget[i];
}

/*
 * cpu.shares is a weight in 2..262144 (cgroup v1).  Keep the ratios of
 * A_i: 1024 per unit of weight while the largest fits, else scale the
 * largest to the maximum; a VM never drops below the minimum.
 */
void sched_cgroup_shares(const struct sched_policy *p, uint64_t *shares)
{
	uint64_t max = 1;
	unsigned int i;

	for (i = 0; i < p->nr_vms; i++)
		if (p->vm[i].weight > max)
			max = p->vm[i].weight;
	for (i = 0; i < p->nr_vms; i++) {
		uint64_t w = p->vm[i].weight;

		shares[i] =
			max * SCHED_SHARES_UNIT <= SCHED_SHARES_MAX ?
				w * SCHED_SHARES_UNIT :
				(unsigned __int128)w * SCHED_SHARES_MAX / max;
		if (shares[i] < SCHED_SHARES_MIN)
			shares[i] = SCHED_SHARES_MIN;
	}
}

bool sched_cgroup_cap(uint64_t budget_ns, uint64_t period_ns,
		      uint64_t *quota_us, uint64_t *period_us)
{
	unsigned __int128 longer;

	*period_us = period_ns / 1000;
	if (*period_us > SCHED_CFS_PERIOD_MAX_US)
		*period_us = SCHED_CFS_PERIOD_MAX_US;
	if (*period_us < SCHED_CFS_MIN_US)
		*period_us = SCHED_CFS_MIN_US;
	*quota_us = (unsigned __int128)budget_ns * *period_us / period_ns;
	if (*quota_us >= SCHED_CFS_MIN_US)
		return true;
	/* The least quota, over the period that keeps the ratio. */
	*quota_us = SCHED_CFS_MIN_US;
	longer = budget_ns ? (unsigned __int128)SCHED_CFS_MIN_US * period_ns /
				     budget_ns :
			     SCHED_CFS_PERIOD_MAX_US + 1;
	if (longer > SCHED_CFS_PERIOD_MAX_US) {
		*period_us = SCHED_CFS_PERIOD_MAX_US;
		return false;
	}
	*period_us = longer;
	return true;
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

static uint64_t check_interval(const struct sched_policy *p)
{
	return p->period_ns / SCHED_CHECKS_PER_PERIOD;
}

/* Nothing to enforce until a VM wakes: none is busy, none has a cap
 * that a waking VM could overrun before the next look. */
static bool all_idle(const struct sched_policy *p)
{
	unsigned int i;

	for (i = 0; i < p->nr_vms; i++)
		if (!p->vm[i].stopped && (p->vm[i].busy || p->vm[i].cap))
			return false;
	return true;
}

static uint64_t back_off(struct sched_policy *p)
{
	uint64_t next = p->idle_interval_ns ? 2 * p->idle_interval_ns :
					      check_interval(p);

	if (next > SCHED_IDLE_INTERVAL_MAX_NS)
		next = SCHED_IDLE_INTERVAL_MAX_NS;
	if (next < SCHED_MIN_INTERVAL_NS)
		next = SCHED_MIN_INTERVAL_NS;
	p->idle_interval_ns = next;
	return next;
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
	if (next > check_interval(p))
		next = check_interval(p);
	if (all_idle(p))
		return back_off(p);
	p->idle_interval_ns = 0;
	return next < SCHED_MIN_INTERVAL_NS ? SCHED_MIN_INTERVAL_NS : next;
}

bool sched_was_busy(const struct sched_policy *p, uint64_t cpu_ns,
		    uint64_t elapsed_ns)
{
	uint64_t window =
		elapsed_ns < check_interval(p) ? elapsed_ns : check_interval(p);

	return cpu_ns * 1000 > window * BUSY_PERMILLE;
}
