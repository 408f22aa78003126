// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_plan.c - sizing a group of VMs (src/host/alloc.c) and the
 * scheduler's policy (src/host/sched_policy.c) with hostile numbers:
 * every value the config files and group options can give, from the
 * smallest to the largest each parser lets through.
 *
 * Input: u16 VMs (n % 258: none to one too many), the group (u16 host
 * CPUs, u8 shift + u64 host memory, u16 overcommit, u16 period in ms,
 * u8 sched), per VM (u8 shift + u64 memory, u8 vCPUs, u16 weight, u32
 * priority, u8 cap), then up to 8 scheduler decisions (u64 time left in
 * the period, per VM u8 state and u64 CPU time used).
 *
 * Checked: group_plan_build() fails exactly when the floors do not fit
 * (alloc.h), else every VM gets at most what it asked, at least its
 * floor, and the sums fit; layout_build() takes every VM's size and its
 * map adds up; the dispatch order is by priority, then config
 * order; budgets never exceed what a VM's vCPUs can use and add up to the
 * period's CPU time whenever the VMs can use it.  sched_decide() never
 * releases a stopped VM or a capped one over budget, never has more busy
 * vCPUs released than host CPUs (one VM larger than the host excepted),
 * and holds a VM back only when it does not fit (sched.h).
 *
 * libFuzzer flags: -max_len=24000
 */
#include <stdbool.h>

#include "fuzz.h"
#include "kvmux/alloc.h"
#include "kvmux/error.h"
#include "kvmux/group_sched.h"
#include "kvmux/layout.h"
#include "kvmux/platform.h"
#include "kvmux/request.h"
#include "kvmux/sched_policy.h"

/* What the parsers let through (cli/request.c, cli/config_file.c). */
#define OVERCOMMIT_MAX_MILLI 64000
#define PERIOD_MAX_MS 10000
#define WEIGHT_MAX 10000

static struct vm_config vm[SCHED_MAX_VMS + 1];
static struct sched_vm svm[SCHED_MAX_VMS];

/* Bytes spread over all magnitudes: a u64 shifted right by 0-63. */
static uint64_t magnitude(struct fuzz_in *in)
{
	unsigned int shift = fuzz_u8(in) % 64;

	return fuzz_u64(in) >> shift;
}

static void read_group(struct fuzz_in *in, struct group_config *g)
{
	group_config_init(g);
	g->host_cpus = 1 + fuzz_u16(in) % GROUP_MAX_HOST_CPUS;
	g->host_memory = magnitude(in);
	if (g->host_memory < LAYOUT_MIN_RAM)
		g->host_memory = LAYOUT_MIN_RAM;
	g->overcommit_milli = 1 + fuzz_u16(in) % OVERCOMMIT_MAX_MILLI;
	g->period_ns = (1 + fuzz_u16(in) % PERIOD_MAX_MS) * 1000000ULL;
	g->sched = fuzz_u8(in) & 1;
}

static void read_vm(struct fuzz_in *in, struct vm_config *v)
{
	static const uint64_t pages = (LAYOUT_MAX_RAM - LAYOUT_MIN_RAM) / 4096;

	vm_config_init(v);
	v->memory = LAYOUT_MIN_RAM + magnitude(in) % (pages + 1) * 4096;
	v->cpus = 1 + fuzz_u8(in) % PLATFORM_MAX_CPUS;
	v->weight = 1 + fuzz_u16(in) % WEIGHT_MAX;
	v->priority = fuzz_u32(in);
	v->cap = fuzz_u8(in) & 1;
}

static uint64_t least_memory(uint64_t asked)
{
	return asked < ALLOC_MIN_MEMORY ? asked : ALLOC_MIN_MEMORY;
}

/* alloc.h: only floors that do not fit make the plan fail. */
static bool floors_fit(unsigned int n, const struct group_config *g)
{
	uint64_t cpu_capacity =
		(uint64_t)g->host_cpus * g->overcommit_milli / 1000;
	unsigned __int128 least = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		least += least_memory(vm[i].memory);
	return n >= 1 && n <= SCHED_MAX_VMS && least <= g->host_memory &&
	       n <= cpu_capacity;
}

static void check_sizes(const struct group_plan *p)
{
	unsigned __int128 mem = 0, asked_mem = 0;
	uint64_t cpus = 0, asked_cpus = 0;
	unsigned int i;

	for (i = 0; i < p->nr_vms; i++) {
		const struct vm_plan *v = &p->vm[i];

		FUZZ_CHECK(v->memory_asked == vm[i].memory);
		FUZZ_CHECK(v->memory <= v->memory_asked);
		FUZZ_CHECK(v->memory >= least_memory(v->memory_asked));
		FUZZ_CHECK(v->memory == v->memory_asked ||
			   v->memory == least_memory(v->memory_asked) ||
			   v->memory % ALLOC_MEMORY_UNIT == 0);
		FUZZ_CHECK(v->cpus >= 1 && v->cpus <= v->cpus_asked &&
			   v->cpus_asked == vm[i].cpus);
		mem += v->memory;
		asked_mem += v->memory_asked;
		cpus += v->cpus;
		asked_cpus += v->cpus_asked;
	}
	FUZZ_CHECK(p->memory_scaled == (asked_mem > p->memory_capacity));
	FUZZ_CHECK(mem <= p->memory_capacity || !p->memory_scaled);
	FUZZ_CHECK(p->memory_scaled || mem == asked_mem);
	FUZZ_CHECK(p->cpus_scaled == (asked_cpus > p->cpu_capacity));
	FUZZ_CHECK(cpus <= p->cpu_capacity || !p->cpus_scaled);
	FUZZ_CHECK(p->cpus_scaled || cpus == asked_cpus);
}

static void check_order(const struct group_plan *p)
{
	unsigned int i, a, b;

	for (i = 0; i < p->nr_vms; i++) {
		FUZZ_CHECK(p->order[i] < p->nr_vms);
		FUZZ_CHECK(p->vm[p->order[i]].dispatch == i);
		if (!i)
			continue;
		a = p->order[i - 1];
		b = p->order[i];
		FUZZ_CHECK(vm[a].priority > vm[b].priority ||
			   (vm[a].priority == vm[b].priority && a < b));
	}
}

static void check_budgets(const struct group_plan *p)
{
	unsigned __int128 sum = 0, usable = 0;
	double share[SCHED_MAX_VMS], shares = 0;
	uint64_t cpu[SCHED_MAX_VMS];
	unsigned int i;

	for (i = 0; i < p->nr_vms; i++) {
		uint64_t limit = (uint64_t)p->vm[i].cpus * p->period_ns;

		FUZZ_CHECK(p->vm[i].budget_ns <= limit);
		cpu[i] = p->vm[i].budget_ns;
		sum += p->vm[i].budget_ns;
		usable += limit;
	}
	FUZZ_CHECK(sum <= p->cpu_time_ns);
	/* Water-filling hands out everything the VMs can use (rounding
	 * down loses less than 1 ns per VM). */
	if (usable >= p->cpu_time_ns)
		FUZZ_CHECK(sum + p->nr_vms >= p->cpu_time_ns);
	else
		FUZZ_CHECK(sum == usable);
	/* A period in which each VM used its budget: due shares of it. */
	group_sched_obtained_targets(p, cpu, p->period_ns, share);
	for (i = 0; i < p->nr_vms; i++)
		shares += share[i];
	FUZZ_CHECK(!sum || (shares > 0.999 && shares < 1.001));
}

/* run.c builds each VM's memory map from the plan: it must take it. */
static void check_layout(uint64_t ram)
{
	struct ram_slot slot[2];
	struct mem_layout l;
	uint64_t sum = 0, end = 0;
	unsigned int i, n;

	FUZZ_CHECK(layout_build(&l, ram) == 0);
	for (i = 0; i < l.nr_ranges; i++) {
		FUZZ_CHECK(l.range[i].addr >= end && l.range[i].size);
		end = l.range[i].addr + l.range[i].size;
		if (l.range[i].type == MEM_RAM)
			sum += l.range[i].size;
	}
	/* The legacy holes below 1 MiB are backed but not RAM. */
	FUZZ_CHECK(sum == ram - (LAYOUT_HIGH_START - LAYOUT_EBDA_START));
	n = layout_ram_slots(&l, slot);
	for (i = 0, sum = 0; i < n; i++)
		sum += slot[i].size;
	FUZZ_CHECK(sum == ram && n == 1 + (ram > MMIO_GAP_START));
	FUZZ_CHECK(layout_is_ram(&l, LAYOUT_HIGH_START,
				 layout_low_ram_end(&l) - LAYOUT_HIGH_START));
	FUZZ_CHECK(!layout_is_ram(&l, LAYOUT_EBDA_START, 1));
	FUZZ_CHECK(!layout_is_ram(&l, MMIO_GAP_START, 1));
}

static uint64_t remaining(const struct sched_vm *v)
{
	return v->used_ns < v->budget_ns ? v->budget_ns - v->used_ns : 0;
}

static void check_decision(const struct sched_policy *sp, uint64_t next)
{
	uint64_t busy_cpus = 0, busy_released = 0;
	unsigned int i;

	FUZZ_CHECK(next >= SCHED_MIN_INTERVAL_NS);
	/* Every VM idle (none with cap): a back-off, up to its maximum. */
	FUZZ_CHECK(next <= SCHED_MIN_INTERVAL_NS ||
		   next <= sp->period_ns / SCHED_CHECKS_PER_PERIOD ||
		   (next == sp->idle_interval_ns &&
		    next <= SCHED_IDLE_INTERVAL_MAX_NS));
	for (i = 0; i < sp->nr_vms; i++) {
		const struct sched_vm *v = &sp->vm[i];

		FUZZ_CHECK(!sp->idle_interval_ns || v->stopped ||
			   (!v->busy && !v->cap));

		FUZZ_CHECK(!v->released || !v->stopped);
		FUZZ_CHECK(!v->released || remaining(v) || !v->cap);
		if (v->released && v->busy) {
			busy_cpus += v->nr_vcpus;
			busy_released++;
		}
	}
	FUZZ_CHECK(busy_cpus <= sp->host_cpus || busy_released == 1);
	for (i = 0; i < sp->nr_vms; i++) {
		const struct sched_vm *v = &sp->vm[i];

		if (v->released || v->stopped || (!remaining(v) && v->cap))
			continue;
		/* Held back: only a busy VM, and only for want of CPUs. */
		FUZZ_CHECK(v->busy && busy_cpus + v->nr_vcpus > sp->host_cpus);
	}
}

/* sched_decide() over the plan's VMs, as group_sched.c sets them up. */
static void run_scheduler(struct fuzz_in *in, const struct group_plan *p)
{
	struct sched_policy sp = { .vm = svm,
				   .nr_vms = p->nr_vms,
				   .host_cpus = p->host_cpus,
				   .period_ns = p->period_ns };
	unsigned int i, round;

	for (i = 0; i < p->nr_vms; i++)
		svm[i] = (struct sched_vm){ .nr_vcpus = p->vm[i].cpus,
					    .priority = p->vm[i].priority,
					    .weight = p->vm[i].share_weight,
					    .cap = p->vm[i].cap };
	sched_compute_budgets(&sp);
	for (i = 0; i < p->nr_vms; i++)
		FUZZ_CHECK(svm[i].budget_ns == p->vm[i].budget_ns);
	for (round = 0; round < 8 && in->left; round++) {
		sp.period_left_ns = fuzz_u64(in) % (p->period_ns + 1);
		for (i = 0; i < p->nr_vms; i++) {
			uint8_t state = fuzz_u8(in);

			svm[i].busy = state & 1;
			svm[i].stopped = state & 2;
			svm[i].used_ns = fuzz_u64(in) % (2 * p->period_ns + 1);
		}
		check_decision(&sp, sched_decide(&sp));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	unsigned int i, n = fuzz_u16(&in) % (SCHED_MAX_VMS + 2);
	struct group_config g;
	struct group_plan p;
	int rc;

	read_group(&in, &g);
	for (i = 0; i < n; i++)
		read_vm(&in, &vm[i]);
	err_set("%s", "");
	rc = group_plan_build(vm, n, &g, &p);
	FUZZ_CHECK((rc == 0) == floors_fit(n, &g));
	if (rc < 0) {
		FUZZ_CHECK(err_msg()[0]);
		return 0;
	}
	FUZZ_CHECK(p.nr_vms == n);
	check_sizes(&p);
	check_order(&p);
	check_budgets(&p);
	for (i = 0; i < n; i++)
		check_layout(p.vm[i].memory);
	run_scheduler(&in, &p);
	group_plan_free(&p);
	return 0;
}
