// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_alloc.c - proportional sizing of a group of VMs, the rounding
 * rules, the floors, and CPU-time shares (host/alloc.c, docs/config.md).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kvmux/alloc.h"
#include "kvmux/error.h"

#define MIB (1ULL << 20)
#define GIB (1ULL << 30)
#define MAX_VMS 8

/* A VM asking cpus and memory, with a priority and a weight. */
struct ask {
	unsigned int cpus;
	uint64_t memory;
	unsigned int priority, weight;
};

static struct vm_config vms[MAX_VMS];

static const struct vm_config *make_vms(const struct ask *asks, unsigned int n)
{
	static const char *const names[MAX_VMS] = { "a", "b", "c", "d",
						    "e", "f", "g", "h" };
	unsigned int i;

	for (i = 0; i < n; i++) {
		vm_config_init(&vms[i]);
		vms[i].name = names[i];
		vms[i].cpus = asks[i].cpus;
		vms[i].memory = asks[i].memory;
		vms[i].priority = asks[i].priority;
		vms[i].weight = asks[i].weight ? asks[i].weight : 1;
	}
	return vms;
}

static struct group_config host(unsigned int cpus, uint64_t memory)
{
	struct group_config group;

	group_config_init(&group);
	group.host_cpus = cpus;
	group.host_memory = memory;
	return group;
}

static void build(const struct ask *asks, unsigned int n,
		  const struct group_config *group, struct group_plan *plan)
{
	assert_int_equal(group_plan_build(make_vms(asks, n), n, group, plan),
			 0);
	assert_int_equal(plan->nr_vms, n);
}

/* What holds for any plan: within capacity, floors, never above asks. */
static void check_invariants(const struct group_plan *plan)
{
	uint64_t memory = 0, budget = 0;
	unsigned int cpus = 0, i;

	for (i = 0; i < plan->nr_vms; i++) {
		const struct vm_plan *v = &plan->vm[i];

		cpus += v->cpus;
		memory += v->memory;
		budget += v->budget_ns;
		assert_true(v->cpus >= 1 && v->cpus <= v->cpus_asked);
		assert_true(v->memory <= v->memory_asked);
		assert_true(v->memory >= ALLOC_MIN_MEMORY ||
			    v->memory == v->memory_asked);
		if (v->memory != v->memory_asked)
			assert_int_equal(v->memory % ALLOC_MEMORY_UNIT, 0);
	}
	assert_true(cpus <= plan->cpu_capacity);
	assert_true(memory <= plan->memory_capacity);
	assert_true(budget <= plan->cpu_time_ns);
}

/* docs/config.md: host 2 CPUs and 4 GiB; A (priority 1) 1 CPU 1 GiB, B 1
 * CPU 3 GiB.  Both fit as asked; A runs first; each gets half the time. */
static void worked_example(void **state)
{
	static const struct ask asks[] = { { 1, 1 * GIB, 1, 1 },
					   { 1, 3 * GIB, 0, 1 } };
	struct group_config group = host(2, 4 * GIB);
	struct group_plan plan;

	build(asks, 2, &group, &plan);
	assert_int_equal(plan.cpu_capacity, 2);
	assert_int_equal(plan.vm[0].cpus, 1);
	assert_int_equal(plan.vm[0].memory, 1 * GIB);
	assert_int_equal(plan.vm[1].cpus, 1);
	assert_int_equal(plan.vm[1].memory, 3 * GIB);
	assert_false(plan.cpus_scaled);
	assert_false(plan.memory_scaled);
	assert_int_equal(plan.order[0], 0);
	assert_int_equal(plan.order[1], 1);
	assert_int_equal(plan.vm[0].dispatch, 0);
	assert_int_equal(plan.cpu_time_ns, 200000000);
	assert_true(plan.vm[0].share == 0.5 && plan.vm[1].share == 0.5);
	assert_int_equal(plan.vm[0].budget_ns, 100000000);
	assert_int_equal(plan.vm[1].budget_ns, 100000000);
	check_invariants(&plan);
	group_plan_free(&plan);
}

static void oversubscribed_memory(void **state)
{
	static const struct ask asks[] = { { 1, 2 * GIB, 0, 1 },
					   { 1, 2 * GIB, 0, 1 },
					   { 1, 4 * GIB, 0, 1 } };
	struct group_config group = host(4, 4 * GIB);
	struct group_plan plan;

	build(asks, 3, &group, &plan);
	assert_true(plan.memory_scaled);
	assert_int_equal(plan.vm[0].memory, 1 * GIB);
	assert_int_equal(plan.vm[1].memory, 1 * GIB);
	assert_int_equal(plan.vm[2].memory, 2 * GIB);
	assert_int_equal(plan.vm[0].memory_asked, 2 * GIB);
	check_invariants(&plan);
	group_plan_free(&plan);
}

/* 3, 3, 2 of 4: quotas 1.5, 1.5, 1; the one leftover vCPU breaks a tie. */
static void cpus_largest_remainder(void **state)
{
	static const struct ask asks[] = { { 3, 64 * MIB, 0, 1 },
					   { 3, 64 * MIB, 0, 1 },
					   { 2, 64 * MIB, 0, 1 } };
	struct ask by_priority[3];
	struct group_config group = host(4, 4 * GIB);
	struct group_plan plan;

	build(asks, 3, &group, &plan);
	assert_true(plan.cpus_scaled);
	assert_int_equal(plan.vm[0].cpus, 2); /* config order wins the tie */
	assert_int_equal(plan.vm[1].cpus, 1);
	assert_int_equal(plan.vm[2].cpus, 1);
	check_invariants(&plan);
	group_plan_free(&plan);

	memcpy(by_priority, asks, sizeof(asks));
	by_priority[1].priority = 1; /* higher priority wins the tie */
	build(by_priority, 3, &group, &plan);
	assert_int_equal(plan.vm[0].cpus, 1);
	assert_int_equal(plan.vm[1].cpus, 2);
	assert_int_equal(plan.vm[2].cpus, 1);
	group_plan_free(&plan);
}

/* Asks 7, 2, 1 of 4: quota 2.8, 0.8, 0.4 -> the floor of 1 vCPU holds the
 * small ones; the big one gets what is left. */
static void cpus_floor(void **state)
{
	static const struct ask asks[] = { { 7, 64 * MIB, 0, 1 },
					   { 2, 64 * MIB, 0, 1 },
					   { 1, 64 * MIB, 0, 1 } };
	struct group_config group = host(4, 4 * GIB);
	struct group_plan plan;

	build(asks, 3, &group, &plan);
	assert_int_equal(plan.vm[0].cpus, 2);
	assert_int_equal(plan.vm[1].cpus, 1);
	assert_int_equal(plan.vm[2].cpus, 1);
	check_invariants(&plan);
	group_plan_free(&plan);
}

/* The asks do not fit group: refused with exactly msg, no plan. */
static void expect_refused(const struct ask *asks, unsigned int n,
			   const struct group_config *group, const char *msg)
{
	struct group_plan plan;

	assert_int_equal(group_plan_build(make_vms(asks, n), n, group, &plan),
			 -1);
	assert_string_equal(err_msg(), msg);
	assert_null(plan.vm);
}

static void minimums_do_not_fit(void **state)
{
	static const struct ask five[] = { { 1, 64 * MIB, 0, 1 },
					   { 1, 64 * MIB, 0, 1 },
					   { 1, 64 * MIB, 0, 1 },
					   { 1, 64 * MIB, 0, 1 },
					   { 1, 64 * MIB, 0, 1 } };
	static const struct ask big[] = { { 1, 1 * GIB, 0, 1 },
					  { 1, 1 * GIB, 0, 1 },
					  { 1, 1 * GIB, 0, 1 } };
	struct group_config group = host(4, 4 * GIB);

	expect_refused(five, 5, &group,
		       "the 5 VMs need at least one vCPU each, more than the "
		       "group's 4 (4 host CPUs, overcommit 1.000)");
	/* One VM, one host CPU: no "1 VMs" or "1 host CPUs" (plan a.conf). */
	group = host(1, 4 * GIB);
	group.overcommit_milli = 500;
	expect_refused(big, 1, &group,
		       "the 1 VM needs at least one vCPU, more than the "
		       "group's 0 (1 host CPU, overcommit 0.500)");
	group = host(1, 16 * MIB);
	expect_refused(big, 1, &group,
		       "the 1 VM needs at least 32 MiB of memory (32 MiB each, "
		       "or what a VM asks if less), more than the group's 16 "
		       "MiB");
	group = host(4, 64 * MIB);
	expect_refused(big, 3, &group,
		       "the 3 VMs need at least 96 MiB of memory (32 MiB each, "
		       "or what a VM asks if less), more than the group's 64 "
		       "MiB");
}

/* A VM asking less than the floor keeps its (odd) size; others scale. */
static void small_vm_keeps_its_ask(void **state)
{
	static const struct ask asks[] = { { 1, 5 * MIB, 0, 1 },
					   { 1, 1 * GIB, 0, 1 } };
	struct group_config group = host(2, 512 * MIB);
	struct group_plan plan;

	build(asks, 2, &group, &plan);
	assert_int_equal(plan.vm[0].memory, 5 * MIB);
	assert_int_equal(plan.vm[1].memory, 506 * MIB);
	check_invariants(&plan);
	group_plan_free(&plan);
}

/* 101 and 51 MiB of 100: quotas 66.4 and 33.6 MiB, in 2 MiB units 33.2
 * and 16.8: floors 66 + 32, the spare unit to the larger remainder. */
static void odd_sizes(void **state)
{
	static const struct ask asks[] = { { 1, 101 * MIB, 0, 1 },
					   { 1, 51 * MIB, 0, 1 } };
	struct group_config group = host(2, 100 * MIB);
	struct group_plan plan;

	build(asks, 2, &group, &plan);
	assert_int_equal(plan.vm[0].memory, 66 * MIB);
	assert_int_equal(plan.vm[1].memory, 34 * MIB);
	check_invariants(&plan);
	group_plan_free(&plan);
}

/* A capacity that is not a multiple of 2 MiB: the odd part stays unused. */
static void capacity_not_a_unit_multiple(void **state)
{
	static const struct ask asks[] = { { 1, 1 * GIB, 0, 1 },
					   { 1, 1 * GIB, 0, 1 },
					   { 1, 1 * GIB, 0, 1 } };
	struct group_config group = host(4, 1 * GIB + 3 * MIB + 4096);
	struct group_plan plan;

	build(asks, 3, &group, &plan);
	/* 1027 MiB + 4 KiB: 513 units of 2 MiB, 171 each. */
	assert_int_equal(plan.vm[0].memory, 342 * MIB);
	assert_int_equal(plan.vm[1].memory, 342 * MIB);
	assert_int_equal(plan.vm[2].memory, 342 * MIB);
	check_invariants(&plan);
	group_plan_free(&plan);
}

static void one_vm(void **state)
{
	static const struct ask asks[] = { { 8, 8 * GIB, 0, 1 } };
	struct group_config group = host(2, 4 * GIB + 1 * MIB);
	struct group_plan plan;

	build(asks, 1, &group, &plan);
	assert_int_equal(plan.vm[0].cpus, 2);
	assert_int_equal(plan.vm[0].memory, 4 * GIB);
	assert_true(plan.vm[0].share == 1.0);
	assert_int_equal(plan.vm[0].budget_ns, 200000000);
	check_invariants(&plan);
	group_plan_free(&plan);
}

/* Asks that add up to exactly the capacity are not scaled. */
static void exactly_full(void **state)
{
	static const struct ask asks[] = { { 1, 1 * GIB + 3 * MIB, 0, 1 },
					   { 3, 3 * GIB - 3 * MIB, 0, 1 } };
	struct group_config group = host(4, 4 * GIB);
	struct group_plan plan;

	build(asks, 2, &group, &plan);
	assert_false(plan.cpus_scaled);
	assert_false(plan.memory_scaled);
	assert_int_equal(plan.vm[0].memory, 1 * GIB + 3 * MIB);
	assert_int_equal(plan.vm[1].memory, 3 * GIB - 3 * MIB);
	assert_int_equal(plan.vm[1].cpus, 3);
	group_plan_free(&plan);
}

/* 2 host CPUs x 1.5 = 3 vCPUs for asks of 2 and 2. */
static void overcommit(void **state)
{
	static const struct ask asks[] = { { 2, 64 * MIB, 0, 1 },
					   { 2, 64 * MIB, 0, 1 } };
	struct group_config group = host(2, 4 * GIB);
	struct group_plan plan;

	group.overcommit_milli = 1500;
	build(asks, 2, &group, &plan);
	assert_int_equal(plan.cpu_capacity, 3);
	assert_int_equal(plan.vm[0].cpus, 2);
	assert_int_equal(plan.vm[1].cpus, 1);
	/* CPU time is that of the host CPUs, not of the vCPUs. */
	assert_int_equal(plan.cpu_time_ns, 200000000);
	check_invariants(&plan);
	group_plan_free(&plan);

	group.overcommit_milli = 2000;
	build(asks, 2, &group, &plan);
	assert_false(plan.cpus_scaled);
	assert_int_equal(plan.vm[1].cpus, 2);
	group_plan_free(&plan);
}

/*
 * Weights 1:2:5 of one vCPU each on 2 CPUs: 1/8, 2/8, 5/8 of 200 ms would
 * give the third 125 ms, more than one vCPU can use in a 100 ms period; it
 * gets 100 ms and the other 100 ms go 1:2.
 */
static void weighted_shares(void **state)
{
	static const struct ask asks[] = { { 1, 64 * MIB, 0, 1 },
					   { 1, 64 * MIB, 0, 2 },
					   { 1, 64 * MIB, 0, 5 } };
	struct group_config group = host(2, 4 * GIB);
	struct group_plan plan;

	group.overcommit_milli = 2000;
	build(asks, 3, &group, &plan);
	assert_int_equal(plan.total_share_weight, 8);
	assert_int_equal(plan.vm[0].budget_ns, 33333333);
	assert_int_equal(plan.vm[1].budget_ns, 66666666);
	assert_int_equal(plan.vm[2].budget_ns, 100000000);
	assert_true(plan.vm[2].share == 0.5);
	group_plan_free(&plan);
}

/* Shares count allocated vCPUs: 2 vCPUs x weight 1 = 1 vCPU x weight 2. */
static void shares_count_vcpus(void **state)
{
	static const struct ask asks[] = { { 2, 64 * MIB, 0, 1 },
					   { 1, 64 * MIB, 0, 2 },
					   { 1, 64 * MIB, 0, 1 } };
	struct group_config group = host(2, 4 * GIB);
	struct group_plan plan;

	group.period_ns = 10000000;
	group.overcommit_milli = 2000;
	build(asks, 3, &group, &plan);
	assert_int_equal(plan.vm[0].share_weight, 2);
	assert_int_equal(plan.vm[1].share_weight, 2);
	assert_int_equal(plan.vm[2].share_weight, 1);
	/* W = 20 ms: 2:2:1 gives 8, 8 and 4 ms, each within its vCPUs. */
	assert_int_equal(plan.vm[0].budget_ns, 8000000);
	assert_int_equal(plan.vm[1].budget_ns, 8000000);
	assert_int_equal(plan.vm[2].budget_ns, 4000000);
	assert_true(plan.vm[0].share == 0.4);
	group_plan_free(&plan);
}

static void dispatch_by_priority(void **state)
{
	static const struct ask asks[] = { { 1, 64 * MIB, 0, 1 },
					   { 1, 64 * MIB, 5, 1 },
					   { 1, 64 * MIB, 5, 1 },
					   { 1, 64 * MIB, 1, 1 } };
	static const unsigned int want[] = { 1, 2, 3, 0 };
	struct group_config group = host(4, 4 * GIB);
	struct group_plan plan;
	unsigned int i;

	build(asks, 4, &group, &plan);
	for (i = 0; i < 4; i++) {
		assert_int_equal(plan.order[i], want[i]);
		assert_int_equal(plan.vm[want[i]].dispatch, i);
	}
	group_plan_free(&plan);
}

/* Only parking orders dispatch: --sched cgroup refuses priorities. */
static void cgroup_refuses_priority(void **state)
{
	static const struct ask asks[] = { { 1, 64 * MIB, 0, 1 },
					   { 1, 64 * MIB, 5, 1 } };
	struct group_config group = host(2, 4 * GIB);
	struct group_plan plan;

	group.sched = SCHED_MODE_CGROUP;
	assert_int_equal(group_plan_build(make_vms(asks, 2), 2, &group, &plan),
			 -1);
	assert_non_null(strstr(err_msg(), "b sets a priority"));
	group.sched = SCHED_MODE_AUTO;
	build(asks, 2, &group, &plan);
	group_plan_free(&plan);
}

/* Many shapes: the invariants hold and the capacity is nearly used. */
static void invariants_sweep(void **state)
{
	struct ask asks[5];
	struct group_config group;
	struct group_plan plan;
	uint64_t seed = 12345, used;
	unsigned int round, i, n;

	for (round = 0; round < 500; round++) {
		n = 1 + round % 5;
		for (i = 0; i < n; i++) {
			seed = seed * 6364136223846793005ULL + 1;
			asks[i] = (struct ask){
				.cpus = 1 + (seed >> 33) % 16,
				.memory = (1 + (seed >> 40) % 4096) * 4 * MIB +
					  ((seed >> 20) % 3) * 4096,
				.priority = (seed >> 50) % 3,
				.weight = 1 + (seed >> 55) % 4,
			};
		}
		group = host(n + round % 7, (64 + round * 37) * MIB + round);
		build(asks, n, &group, &plan);
		check_invariants(&plan);
		for (used = 0, i = 0; i < n; i++)
			used += plan.vm[i].memory;
		if (plan.memory_scaled)
			assert_true(plan.memory_capacity - used <
				    n * ALLOC_MEMORY_UNIT + ALLOC_MIN_MEMORY);
		group_plan_free(&plan);
	}
}

static void reserve(void **state)
{
	assert_int_equal(host_memory_reserve(4 * GIB), 256 * MIB);
	assert_int_equal(host_memory_reserve(16 * GIB), 16 * GIB / 100 * 5);
	assert_int_equal(host_memory_reserve(0), 256 * MIB);
}

static void meminfo(void **state)
{
	static char text[] = "MemTotal:       16310784 kB\n"
			     "MemFree:         1234567 kB\n"
			     "MemAvailable:    8000000 kB\n"
			     "Buffers:          123456 kB\n";
	uint64_t total, available;
	FILE *f = fmemopen(text, strlen(text), "r");

	assert_non_null(f);
	assert_int_equal(meminfo_parse(f, &total, &available), 0);
	assert_int_equal(total, 16310784ULL << 10);
	assert_int_equal(available, 8000000ULL << 10);
	fclose(f);
	f = fmemopen(text, 28, "r"); /* MemTotal only */
	assert_non_null(f);
	assert_int_equal(meminfo_parse(f, &total, &available), -1);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(worked_example),
		cmocka_unit_test(oversubscribed_memory),
		cmocka_unit_test(cpus_largest_remainder),
		cmocka_unit_test(cpus_floor),
		cmocka_unit_test(minimums_do_not_fit),
		cmocka_unit_test(small_vm_keeps_its_ask),
		cmocka_unit_test(odd_sizes),
		cmocka_unit_test(capacity_not_a_unit_multiple),
		cmocka_unit_test(one_vm),
		cmocka_unit_test(exactly_full),
		cmocka_unit_test(overcommit),
		cmocka_unit_test(weighted_shares),
		cmocka_unit_test(shares_count_vcpus),
		cmocka_unit_test(dispatch_by_priority),
		cmocka_unit_test(cgroup_refuses_priority),
		cmocka_unit_test(invariants_sweep),
		cmocka_unit_test(reserve),
		cmocka_unit_test(meminfo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
