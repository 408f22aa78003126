// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_sched.c - the scheduler's budgets and dispatch decisions, checked
 * by simulating CPU-bound and idle guests on a virtual clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kvmux/alloc.h"
#include "kvmux/group_sched.h"
#include "kvmux/sched_policy.h"

#define MS 1000000ULL
#define PERIOD (100 * MS)

struct sim_vm {
	unsigned int vcpus, weight, priority;
	bool cap, idle;
};

/* A VM: vCPUs, weight, priority, cap, idle (a guest sitting in HLT). */
#define VM(v, w, prio, cap, idle)     \
	{                             \
		v, w, prio, cap, idle \
	}

static void setup(struct sched_policy *p, struct sched_vm *vm,
		  const struct sim_vm *spec, unsigned int n, unsigned int cpus)
{
	unsigned int i;

	memset(vm, 0, n * sizeof(*vm));
	for (i = 0; i < n; i++) {
		vm[i].nr_vcpus = spec[i].vcpus;
		vm[i].weight = (uint64_t)spec[i].vcpus * spec[i].weight;
		vm[i].priority = spec[i].priority;
		vm[i].cap = spec[i].cap;
		vm[i].busy = !spec[i].idle;
	}
	*p = (struct sched_policy){
		.vm = vm, .nr_vms = n, .host_cpus = cpus, .period_ns = PERIOD
	};
	sched_compute_budgets(p);
}

/*
 * Run one period on a virtual clock: released busy vCPUs share the host
 * CPUs equally (as the host scheduler would), idle ones use nothing.
 * first_run[i] records when VM i first ran in the period.
 */
static void simulate_period(struct sched_policy *p, const struct sim_vm *spec,
			    uint64_t *first_run)
{
	uint64_t now = 0;
	unsigned int i;

	sched_new_period(p);
	for (i = 0; i < p->nr_vms; i++)
		first_run[i] = UINT64_MAX;
	while (now < PERIOD) {
		uint64_t step, running = 0;

		p->period_left_ns = PERIOD - now;
		step = sched_decide(p);

		if (now + step > PERIOD)
			step = PERIOD - now;
		for (i = 0; i < p->nr_vms; i++)
			if (p->vm[i].released && !spec[i].idle)
				running += p->vm[i].nr_vcpus;
		for (i = 0; i < p->nr_vms; i++) {
			uint64_t rate_milli;

			if (!p->vm[i].released || spec[i].idle)
				continue;
			rate_milli = running <= p->host_cpus ?
					     1000 :
					     1000 * p->host_cpus / running;
			p->vm[i].used_ns +=
				step * p->vm[i].nr_vcpus * rate_milli / 1000;
			if (first_run[i] == UINT64_MAX)
				first_run[i] = now;
		}
		now += step;
	}
}

static void assert_near(uint64_t got, uint64_t want, uint64_t slack)
{
	assert_in_range(got, want > slack ? want - slack : 0, want + slack);
}

static void budgets_follow_weights(void **state)
{
	const struct sim_vm spec[] = { VM(1, 1, 0, false, false),
				       VM(1, 1, 0, false, false),
				       VM(2, 1, 0, false, false) };
	struct sched_vm vm[3];
	struct sched_policy p;

	/* 4 vCPUs asked of 4 CPUs: T_i = A_i / sum(A) x W, W = 400 ms. */
	setup(&p, vm, spec, 3, 4);
	assert_int_equal(vm[0].budget_ns, 100 * MS);
	assert_int_equal(vm[1].budget_ns, 100 * MS);
	assert_int_equal(vm[2].budget_ns, 200 * MS);
}

static void budgets_capped_by_vcpus(void **state)
{
	const struct sim_vm spec[] = { VM(1, 1, 0, false, false),
				       VM(1, 2, 0, false, false),
				       VM(1, 5, 0, false, false) };
	struct sched_vm vm[3];
	struct sched_policy p;

	/* 1:2:5 of 200 ms would give the third 125 ms, more than one vCPU
	 * can use in 100 ms: it gets 100, the other 25 go 1:2. */
	setup(&p, vm, spec, 3, 2);
	assert_near(vm[0].budget_ns, 33333333, 1);
	assert_near(vm[1].budget_ns, 66666666, 1);
	assert_int_equal(vm[2].budget_ns, 100 * MS);
}

/*
 * Three CPU-bound one-vCPU VMs, weights 1:2:5, on 2 CPUs, with the given
 * priorities: every period each uses its budget; first[] of the last one.
 */
static void run_weights_125(const unsigned int prio[3], uint64_t *first)
{
	const struct sim_vm spec[] = { VM(1, 1, prio[0], false, false),
				       VM(1, 2, prio[1], false, false),
				       VM(1, 5, prio[2], false, false) };
	struct sched_vm vm[3];
	struct sched_policy p;
	unsigned int i, period;

	setup(&p, vm, spec, 3, 2);
	for (period = 0; period < 5; period++) {
		simulate_period(&p, spec, first);
		for (i = 0; i < 3; i++)
			assert_near(vm[i].used_ns, vm[i].budget_ns, MS);
	}
}

static void shares_met_when_oversubscribed(void **state)
{
	static const unsigned int equal[3] = { 0, 0, 0 };
	uint64_t first[3];

	run_weights_125(equal, first);
}

static void higher_priority_dispatched_first(void **state)
{
	const struct sim_vm spec[] = { VM(1, 1, 0, false, false),
				       VM(1, 1, 0, false, false),
				       VM(1, 1, 9, false, false) };
	struct sched_vm vm[3];
	struct sched_policy p;
	uint64_t first[3];

	setup(&p, vm, spec, 3, 1);
	simulate_period(&p, spec, first);
	assert_int_equal(first[2], 0);
	assert_true(first[0] > 0 && first[1] > 0);
	assert_true(first[0] >= vm[2].budget_ns - MS);
	/* Equal priority: config order breaks the tie. */
	assert_true(first[0] < first[1]);
}

static void priority_never_costs_a_share(void **state)
{
	static const unsigned int lightest_first[3] = { 9, 4, 0 };
	uint64_t first[3];

	/* The lowest priority VM needs the whole period: it must start at
	 * once even though the others go first by priority. */
	run_weights_125(lightest_first, first);
	assert_int_equal(first[0], 0);
	assert_int_equal(first[2], 0);
}

static void idle_budget_goes_to_others(void **state)
{
	struct sim_vm spec[] = { VM(1, 1, 0, false, false),
				 VM(1, 1, 0, false, false),
				 VM(1, 1, 0, false, true) };
	struct sched_vm vm[3];
	struct sched_policy p;
	uint64_t first[3];

	/* Three equal VMs on 2 CPUs, one idle: the busy two get the idle
	 * one's budget (work conserving) and use both CPUs fully. */
	setup(&p, vm, spec, 3, 2);
	vm[2].busy = false;
	simulate_period(&p, spec, first);
	assert_near(vm[0].used_ns, 100 * MS, MS);
	assert_near(vm[1].used_ns, 100 * MS, MS);
}

static void cap_is_a_hard_limit(void **state)
{
	struct sim_vm spec[] = { VM(1, 1, 0, true, false),
				 VM(1, 1, 0, false, true) };
	struct sched_vm vm[2];
	struct sched_policy p;
	uint64_t first[2];

	/* Two VMs on one CPU, the second idle: the first is capped at its
	 * 50 ms even though the CPU is free. */
	setup(&p, vm, spec, 2, 1);
	vm[1].busy = false;
	simulate_period(&p, spec, first);
	assert_near(vm[0].used_ns, 50 * MS, MS / 2);
	/* Without cap it takes the whole CPU. */
	spec[0].cap = false;
	setup(&p, vm, spec, 2, 1);
	vm[1].busy = false;
	simulate_period(&p, spec, first);
	assert_near(vm[0].used_ns, 100 * MS, MS);
}

static void stopped_vms_are_not_released(void **state)
{
	const struct sim_vm spec[] = { VM(1, 1, 0, false, false),
				       VM(1, 1, 0, false, false) };
	struct sched_vm vm[2];
	struct sched_policy p;

	setup(&p, vm, spec, 2, 1);
	vm[0].stopped = true;
	sched_decide(&p);
	assert_false(vm[0].released);
	assert_true(vm[1].released);
}

static void decisions_are_spaced(void **state)
{
	const struct sim_vm spec[] = { VM(1, 1, 0, false, false),
				       VM(1, 1, 0, false, false) };
	struct sched_vm vm[2];
	struct sched_policy p;
	uint64_t next;

	setup(&p, vm, spec, 2, 1);
	next = sched_decide(&p);
	assert_true(next >= SCHED_MIN_INTERVAL_NS);
	assert_true(next <= PERIOD / SCHED_CHECKS_PER_PERIOD);
	/* Almost spent: look again soon, but not sooner than the floor. */
	vm[0].used_ns = vm[0].budget_ns - 1;
	vm[1].used_ns = vm[1].budget_ns;
	assert_int_equal(sched_decide(&p), SCHED_MIN_INTERVAL_NS);
	assert_true(vm[0].released);
}

/* Every VM idle: the look-again interval doubles up to the maximum (it
 * may pass the period's end); a busy VM, or one with cap, resets it. */
static void idle_group_backs_off(void **state)
{
	const struct sim_vm spec[] = { VM(1, 1, 0, false, true),
				       VM(1, 2, 0, false, true) };
	struct sched_vm vm[2];
	struct sched_policy p;
	uint64_t next = 0, want;
	int i;

	setup(&p, vm, spec, 2, 1);
	for (i = 0; i < 20; i++) {
		want = next ? 2 * next : PERIOD / SCHED_CHECKS_PER_PERIOD;
		next = sched_decide(&p);
		assert_int_equal(next, want < SCHED_IDLE_INTERVAL_MAX_NS ?
					       want :
					       SCHED_IDLE_INTERVAL_MAX_NS);
		assert_int_equal(p.idle_interval_ns, next);
		assert_true(vm[0].released && vm[1].released);
	}
	vm[1].busy = true;
	assert_true(sched_decide(&p) <= PERIOD / SCHED_CHECKS_PER_PERIOD);
	assert_int_equal(p.idle_interval_ns, 0);
	vm[1].busy = false;
	vm[0].cap = true;
	assert_true(sched_decide(&p) <= PERIOD / SCHED_CHECKS_PER_PERIOD);
	assert_int_equal(p.idle_interval_ns, 0);
}

/* Busy: more than 5% of the time, over at most one check interval, so a
 * VM that woke late in a long idle interval counts. */
static void busy_is_judged_over_one_check(void **state)
{
	struct sched_policy p = { .period_ns = PERIOD };
	uint64_t check = PERIOD / SCHED_CHECKS_PER_PERIOD;

	assert_false(sched_was_busy(&p, check / 20, check));
	assert_true(sched_was_busy(&p, check / 20 + 1, check));
	assert_false(sched_was_busy(&p, check / 40, check / 2));
	assert_true(
		sched_was_busy(&p, check / 20 + 1, SCHED_IDLE_INTERVAL_MAX_NS));
	assert_false(sched_was_busy(&p, 0, SCHED_IDLE_INTERVAL_MAX_NS));
}

static void share_out_water_fills(void **state)
{
	const uint64_t weight[3] = { 1, 2, 5 };
	const uint64_t limit[3] = { 100, 100, 100 };
	uint64_t out[3];

	/* 200 by 1:2:5 would give the third 125: it keeps 100, the rest
	 * goes 1:2. */
	sched_share_out(weight, limit, 3, 200, out);
	assert_near(out[0], 33, 1);
	assert_near(out[1], 66, 1);
	assert_int_equal(out[2], 100);
	/* With less to share nobody reaches a limit: plain 1:2:5. */
	sched_share_out(weight, limit, 3, 160, out);
	assert_int_equal(out[0], 20);
	assert_int_equal(out[1], 40);
	assert_int_equal(out[2], 100);
	sched_share_out(weight, limit, 3, 80, out);
	assert_int_equal(out[0], 10);
	assert_int_equal(out[1], 20);
	assert_int_equal(out[2], 50);
	/* More than everyone can use: everyone at its limit. */
	sched_share_out(weight, limit, 3, 1000, out);
	assert_int_equal(out[0] + out[1] + out[2], 300);
}

static void cgroup_shares_keep_ratios(void **state)
{
	const struct sim_vm spec[] = { VM(1, 1, 0, false, false),
				       VM(2, 3, 0, false, false),
				       VM(254, 10000, 0, false, false) };
	struct sched_vm vm[3];
	struct sched_policy p;
	uint64_t shares[3];

	setup(&p, vm, spec, 2, 2);
	sched_cgroup_shares(&p, shares);
	assert_int_equal(shares[0], 1024);
	assert_int_equal(shares[1], 6 * 1024);
	/* A weight too large for 1024 per unit: scaled into the range,
	 * the smallest kept above the kernel's minimum. */
	setup(&p, vm, spec, 3, 2);
	sched_cgroup_shares(&p, shares);
	assert_int_equal(shares[2], SCHED_SHARES_MAX);
	assert_int_equal(shares[0], SCHED_SHARES_MIN);
	assert_true(shares[1] >= SCHED_SHARES_MIN &&
		    shares[1] < SCHED_SHARES_MAX / 1000);
}

/* A cap as CFS bandwidth keeps the budget's share of the period, also
 * when the budget per period is under the kernel's 1 ms least quota. */
static void cgroup_cap_keeps_the_ratio(void **state)
{
	uint64_t quota, period;

	/* 25 ms of 100 ms: as it is. */
	assert_true(sched_cgroup_cap(25000000, 100000000, &quota, &period));
	assert_int_equal(quota, 25000);
	assert_int_equal(period, 100000);
	/* 4.8 % of 10 ms is 480 us: 1 ms of 20.833 ms, not 1 ms of 10. */
	assert_true(sched_cgroup_cap(480000, 10000000, &quota, &period));
	assert_int_equal(quota, 1000);
	assert_int_equal(period, 20833);
	/* 4.8 % of 1 ms: not a whole CPU. */
	assert_true(sched_cgroup_cap(48000, 1000000, &quota, &period));
	assert_int_equal(quota, 1000);
	assert_int_equal(period, 20833);
	/* A period over 1 s: the ratio over 1 s. */
	assert_true(sched_cgroup_cap(2500000000ULL, 10000000000ULL, &quota,
				     &period));
	assert_int_equal(quota, 250000);
	assert_int_equal(period, SCHED_CFS_PERIOD_MAX_US);
	/* Exactly 0.1 %: 1 ms of 1 s still holds it. */
	assert_true(sched_cgroup_cap(100000, 100000000, &quota, &period));
	assert_int_equal(quota, 1000);
	assert_int_equal(period, SCHED_CFS_PERIOD_MAX_US);
	/* Under 0.1 %, or nothing: the closest, and false says so. */
	assert_false(sched_cgroup_cap(50000, 100000000, &quota, &period));
	assert_int_equal(quota, SCHED_CFS_MIN_US);
	assert_int_equal(period, SCHED_CFS_PERIOD_MAX_US);
	assert_false(sched_cgroup_cap(0, 100000000, &quota, &period));
	assert_int_equal(quota, SCHED_CFS_MIN_US);
	assert_int_equal(period, SCHED_CFS_PERIOD_MAX_US);
	/* More than one CPU (two vCPUs, uncut): quota over the period. */
	assert_true(sched_cgroup_cap(200000000, 100000000, &quota, &period));
	assert_int_equal(quota, 200000);
	assert_int_equal(period, 100000);
}

static void targets_follow_what_the_group_got(void **state)
{
	struct vm_plan vms[3] = {
		{ .cpus = 1, .share_weight = 1 },
		{ .cpus = 1, .share_weight = 2 },
		{ .cpus = 1, .share_weight = 5 },
	};
	struct group_plan plan = { .nr_vms = 3,
				   .vm = vms,
				   .period_ns = PERIOD };
	uint64_t cpu[3] = { 1000 * MS, 2000 * MS, 3000 * MS };
	double share[3];

	/* 6 CPU-seconds in 3 s: two CPUs, the third VM capped at one. */
	group_sched_obtained_targets(&plan, cpu, 3000 * MS, share);
	assert_near(share[0] * 1000, 167, 1);
	assert_near(share[1] * 1000, 333, 1);
	assert_near(share[2] * 1000, 500, 1);
	/* 4.8 CPU-seconds in 3 s (a foreign load took the rest): 1:2:5. */
	cpu[2] = 1800 * MS;
	group_sched_obtained_targets(&plan, cpu, 3000 * MS, share);
	assert_near(share[0] * 1000, 125, 1);
	assert_near(share[2] * 1000, 625, 1);
	/* A cap limits a VM to its budget per period. */
	vms[2].cap = true;
	vms[2].budget_ns = 25 * MS;
	group_sched_obtained_targets(&plan, cpu, 3000 * MS, share);
	assert_near(share[2] * 1000, 156, 1); /* 0.75 s of 4.8 s */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(budgets_follow_weights),
		cmocka_unit_test(budgets_capped_by_vcpus),
		cmocka_unit_test(shares_met_when_oversubscribed),
		cmocka_unit_test(higher_priority_dispatched_first),
		cmocka_unit_test(priority_never_costs_a_share),
		cmocka_unit_test(idle_budget_goes_to_others),
		cmocka_unit_test(cap_is_a_hard_limit),
		cmocka_unit_test(stopped_vms_are_not_released),
		cmocka_unit_test(decisions_are_spaced),
		cmocka_unit_test(idle_group_backs_off),
		cmocka_unit_test(busy_is_judged_over_one_check),
		cmocka_unit_test(share_out_water_fills),
		cmocka_unit_test(cgroup_shares_keep_ratios),
		cmocka_unit_test(cgroup_cap_keeps_the_ratio),
		cmocka_unit_test(targets_follow_what_the_group_got),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
