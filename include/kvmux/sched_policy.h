/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sched_policy.h - the priority-weighted time-slice scheduler for a group of VMs
 * (docs/scheduler.md).
 *
 * Every period W the group has host_cpus x period of CPU time; VM i is
 * entitled to T_i = A_i / sum(A) x W, A_i = its vCPUs x weight.  A VM can
 * never use more than its vCPUs x period, so entitlements above that are
 * capped and the excess is shared among the others by the same weights
 * (water-filling): the budgets then add up to W whenever the VMs can use
 * it.  Within a period, VMs with budget left are released in priority
 * order (ties: more budget left first, then config order) onto at most
 * host_cpus busy vCPUs -- except that a VM which can only get its budget
 * by running from now to the end of the period (no slack left) is
 * released first, whatever its priority: priority decides who goes first
 * among VMs that can afford to wait, never who gets less than its share.
 * A VM whose budget is spent is parked (its vCPU threads wait outside
 * KVM_RUN) until the next period.  Budget a VM leaves
 * unused (idle in HLT) goes to the others: once every VM with budget left
 * is running, free CPUs go to VMs over budget unless they set cap.
 *
 * The policy (sched_policy.c) is plain data and pure functions; the
 * mechanism (group_sched.c) is one thread that measures vCPU thread CPU time,
 * applies decisions by parking and releasing VMs, and sleeps until the
 * next decision is due.
 */
#ifndef KVMUX_SCHED_POLICY_H
#define KVMUX_SCHED_POLICY_H

#include <stdbool.h>
#include <stdint.h>

struct sched_vm {
	/* Given */
	unsigned int nr_vcpus;
	unsigned int priority;
	uint64_t weight; /* A_i: vCPUs x weight */
	bool cap;
	/* Derived: the budget per period after water-filling */
	uint64_t budget_ns;
	/* State within the current period */
	uint64_t used_ns;
	bool busy; /* used CPU since the last decision */
	bool released; /* may run now */
	bool stopped; /* the VM ended: never released again */
};

struct sched_policy {
	struct sched_vm *vm;
	unsigned int nr_vms;
	unsigned int host_cpus;
	uint64_t period_ns;
	uint64_t period_left_ns; /* until the current period ends */
	/* Set by sched_decide(): every VM idles (none with cap), and the
	 * next decision may come after the period's end. */
	uint64_t idle_interval_ns; /* 0: not idle */
};

/*
 * Water-filling: share capacity among n claimants in proportion to
 * weight[i], none getting more than limit[i]; what a limited claimant
 * cannot take is shared again among the others (at most n rounds).
 * out[i] is in the unit of capacity (ns of CPU time, say); the outs add
 * up to capacity unless every claimant reached its limit.  n is at most
 * SCHED_MAX_VMS.
 */
void sched_share_out(const uint64_t *weight, const uint64_t *limit,
		     unsigned int n, uint64_t capacity, uint64_t *out);

/* Fill every vm[].budget_ns: weighted shares of host_cpus x period, each
 * capped at nr_vcpus x period, the excess given to the uncapped. */
void sched_compute_budgets(struct sched_policy *p);

/*
 * The cgroup v1 cpu.shares of every VM (shares[i] for vm[i]): in the
 * ratio of the weights A_i, within SCHED_SHARES_MIN..SCHED_SHARES_MAX.
 */
#define SCHED_SHARES_MIN 2
#define SCHED_SHARES_MAX 262144
#define SCHED_SHARES_UNIT 1024 /* what one ordinary task weighs */
void sched_cgroup_shares(const struct sched_policy *p, uint64_t *shares);

/*
 * A cap as a CFS bandwidth limit (the kernel's sched-bwc.rst): quota_us
 * of CPU time every period_us, in the ratio budget_ns : period_ns.  Both
 * are at least SCHED_CFS_MIN_US; period_us is the group's period within
 * SCHED_CFS_MIN_US..SCHED_CFS_PERIOD_MAX_US, made longer (quota with it)
 * when the budget per period is under SCHED_CFS_MIN_US.  Returns false
 * when even the longest period cannot hold the ratio: then quota_us is
 * SCHED_CFS_MIN_US of SCHED_CFS_PERIOD_MAX_US, the closest it gets.
 * period_ns is not 0.
 */
#define SCHED_CFS_MIN_US 1000ULL /* the kernel's least quota and period */
#define SCHED_CFS_PERIOD_MAX_US 1000000ULL
bool sched_cgroup_cap(uint64_t budget_ns, uint64_t period_ns,
		      uint64_t *quota_us, uint64_t *period_us);

/* A new period: every VM's used_ns back to 0. */
void sched_new_period(struct sched_policy *p);

/*
 * Decide which VMs are released now (vm[].released), from used_ns and
 * busy.  Returns how long (ns) until a released VM can exhaust its budget:
 * when the next decision is due (at most until the period ends, which the
 * caller tracks).  While every VM that has not stopped idles and none
 * has cap, nothing can need parking until one wakes: the interval then
 * doubles at each decision, from period / SCHED_CHECKS_PER_PERIOD up to
 * SCHED_IDLE_INTERVAL_MAX_NS, and may pass the period's end (the
 * idle_interval_ns field says so); a busy VM resets it.
 */
uint64_t sched_decide(struct sched_policy *p);

/*
 * Whether a VM that used cpu_ns of CPU time over elapsed_ns was busy: more
 * than 5% of the time, counted over at most one check interval (period /
 * SCHED_CHECKS_PER_PERIOD), so that a VM that woke near the end of a long
 * idle interval is not taken for idle.
 */
bool sched_was_busy(const struct sched_policy *p, uint64_t cpu_ns,
		    uint64_t elapsed_ns);

/* Minimum interval between two decisions, so the thread stays cheap. */
#define SCHED_MIN_INTERVAL_NS 200000ULL /* 0.2 ms */
/* and at least this many per period, to notice idle VMs waking up. */
#define SCHED_CHECKS_PER_PERIOD 10
/* The longest interval while every VM idles: how late a waking VM may be
 * seen (it runs meanwhile: its CPUs were free). */
#define SCHED_IDLE_INTERVAL_MAX_NS 1000000000ULL /* 1 s */
#define SCHED_MAX_VMS 256

#endif
