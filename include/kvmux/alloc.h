/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * alloc.h - sizing a group of VMs to the host they share, and their share
 * of its CPU time (docs/config.md, "Sizing").
 *
 * Memory and vCPUs are sized separately.  If what the VMs ask fits the
 * group's capacity each gets what it asks; if not, each gets its share in
 * proportion to what it asks, rounded (memory in 2 MiB units, vCPUs in
 * whole numbers) by largest remainder so the total never exceeds the
 * capacity, and never below a floor.  CPU time per period is divided in
 * proportion to allocated vCPUs x weight.  Priority only orders dispatch.
 *
 * Everything here is plain data computed by pure functions, except
 * group_config_resolve_host() which asks the host for its defaults.
 */
#ifndef KVMUX_ALLOC_H
#define KVMUX_ALLOC_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "kvmux/config.h"

/* Memory is handed out in units of a 2 MiB huge page. */
#define ALLOC_MEMORY_UNIT (2ULL << 20)

/*
 * Scaling never takes a VM below this (a VM that asks less keeps what it
 * asks): about what a small Linux guest with an initramfs needs to boot.
 * The guest-firmware kernels need 2 MiB (LAYOUT_MIN_RAM) and ask for it.
 */
#define ALLOC_MIN_MEMORY (32ULL << 20)

/* What the host keeps for itself: max(256 MiB, 5% of MemTotal). */
#define HOST_RESERVE_MIN (256ULL << 20)
#define HOST_RESERVE_PERCENT 5

struct vm_plan {
	const char *name; /* the config's (valid while the config is) */
	unsigned int index; /* position in config order */
	unsigned int dispatch; /* 0: dispatched first in each period */
	unsigned int cpus_asked, cpus;
	uint64_t memory_asked, memory; /* bytes */
	unsigned int priority, weight;
	bool cap;
	uint64_t share_weight; /* cpus x weight */
	double share; /* share_weight / the group's total */
	uint64_t budget_ns; /* CPU time per period: share x cpu_time_ns */
};

struct group_plan {
	unsigned int nr_vms;
	struct vm_plan *vm; /* in config order */
	unsigned int *order; /* dispatch order: indexes into vm[] */
	unsigned int host_cpus;
	unsigned int overcommit_milli;
	unsigned int cpu_capacity; /* vCPUs: host_cpus x overcommit */
	uint64_t memory_capacity; /* bytes */
	uint64_t period_ns;
	uint64_t cpu_time_ns; /* per period: period_ns x host_cpus */
	uint64_t total_share_weight; /* sum of share_weight */
	bool cpus_scaled, memory_scaled; /* asks did not fit: scaled down */
	enum sched_mode sched;
};

/*
 * Apportion capacity among n claimants asking ask[i] each: ask[i] if the
 * asks fit, else proportional shares in multiples of unit, at least
 * least[i] (<= ask[i]) and at most ask[i], summing to <= capacity.  Ties
 * in the largest-remainder round go to the lower rank[i].  Amounts below
 * 2^48, n below 2^16.  Returns 0, or -1 if the leasts do not fit.
 */
int alloc_apportion(const uint64_t *ask, const uint64_t *least,
		    const unsigned int *rank, unsigned int n, uint64_t capacity,
		    uint64_t unit, uint64_t *out);

/*
 * Size nr_vms VMs to group (host_cpus and host_memory already set, see
 * group_config_resolve_host()).  Returns 0, or -1 with err_set() when even
 * the floors do not fit; free the plan with group_plan_free() if 0.
 */
int group_plan_build(const struct vm_config *vm, unsigned int nr_vms,
		     const struct group_config *group, struct group_plan *plan);

void group_plan_free(struct group_plan *plan);

struct sched_policy;
struct sched_vm;
/*
 * The scheduler's view of a plan (kvmux/sched_policy.h): svm[i] for plan->vm[i]
 * (svm has plan->nr_vms entries), budgets computed, every VM busy.
 */
void group_plan_policy(const struct group_plan *plan, struct sched_policy *p,
		       struct sched_vm *svm);

/* The memory the host keeps for itself out of total bytes of RAM. */
uint64_t host_memory_reserve(uint64_t total);

/* MemTotal and MemAvailable, in bytes, from /proc/meminfo's text. */
int meminfo_parse(FILE *meminfo, uint64_t *total, uint64_t *available);

/*
 * Fill in what the user left to the host (host/capacity.c): host_cpus =
 * online CPUs, host_memory = MemAvailable less host_memory_reserve().
 * Returns 0, or -1 with err_set().
 */
int group_config_resolve_host(struct group_config *group);

#endif
