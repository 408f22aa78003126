// SPDX-License-Identifier: GPL-2.0-only
/*
 * sched_park.c - the parking scheduler: a thread that enforces a group's
 * budgets by parking and releasing VMs (kvmux/sched_park.h,
 * docs/scheduler.md).
 *
 * Cost: one clock read per vCPU and a few comparisons per decision, at
 * most SCHED_CHECKS_PER_PERIOD decisions per period unless a budget is
 * about to run out; parking costs one kick per vCPU.  The host scheduler
 * still decides which host CPU runs which released vCPU thread, and
 * everything else on the host competes with the group as usual.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "kvmux/alloc.h"
#include "kvmux/error.h"
#include "kvmux/sched_policy.h"
#include "kvmux/sched_park.h"
#include "kvmux/thread.h"
#include "kvmux/vcpu.h"
#include "kvmux/vm.h"

struct sched_park {
	struct vm **vm;
	struct sched_policy policy;
	struct sched_vm *svm;
	uint64_t *period_base; /* VM CPU time when the period began */
	uint64_t *last_cpu; /* VM CPU time at the last decision */
	bool *parked;
	int stop_fd;
	pthread_t thread;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint64_t vm_cpu_ns(struct vm *vm)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++)
		sum += vcpu_cpu_time_ns(vm->vcpu[i]);
	return sum;
}

/* Measure every VM since the last decision. */
static void measure(struct sched_park *gs, uint64_t elapsed)
{
	unsigned int i;

	for (i = 0; i < gs->policy.nr_vms; i++) {
		struct sched_vm *v = &gs->svm[i];
		uint64_t cpu = vm_cpu_ns(gs->vm[i]);

		v->used_ns = cpu - gs->period_base[i];
		/* A parked VM tells nothing: keep what it was. */
		if (!gs->parked[i])
			v->busy = sched_was_busy(
				&gs->policy, cpu - gs->last_cpu[i], elapsed);
		v->stopped = vm_stopping(gs->vm[i]);
		gs->last_cpu[i] = cpu;
	}
}

static void apply(struct sched_park *gs)
{
	unsigned int i;

	for (i = 0; i < gs->policy.nr_vms; i++) {
		bool park = !gs->svm[i].released && !gs->svm[i].stopped;

		if (park != gs->parked[i]) {
			vm_set_parked(gs->vm[i], park);
			gs->parked[i] = park;
		}
	}
}

static void new_period(struct sched_park *gs)
{
	unsigned int i;

	for (i = 0; i < gs->policy.nr_vms; i++)
		gs->period_base[i] = vm_cpu_ns(gs->vm[i]);
	sched_new_period(&gs->policy);
}

/* Sleep ns, or until asked to stop (returns false then). */
static bool sleep_ns(struct sched_park *gs, uint64_t ns)
{
	struct timespec ts = { ns / 1000000000ull, ns % 1000000000ull };
	struct pollfd pfd = { .fd = gs->stop_fd, .events = POLLIN };

	return ppoll(&pfd, 1, &ts, NULL) == 0;
}

static void *sched_thread(void *arg)
{
	struct sched_park *gs = arg;
	uint64_t period_end = 0, last = now_ns();

	thread_enter(THREAD_SCHED);
	for (;;) {
		uint64_t now = now_ns(), next;

		if (now >= period_end) {
			new_period(gs);
			period_end = now + gs->policy.period_ns;
		}
		measure(gs, now - last ? now - last : 1);
		last = now;
		gs->policy.period_left_ns = period_end - now;
		next = sched_decide(&gs->policy);
		apply(gs);
		/* While every VM idles, period ends change nothing. */
		if (now + next > period_end && !gs->policy.idle_interval_ns)
			next = period_end - now;
		if (!sleep_ns(gs, next))
			break;
	}
	return NULL;
}

static void free_sched(struct sched_park *gs)
{
	if (gs->stop_fd >= 0)
		close(gs->stop_fd);
	free(gs->svm);
	free(gs->period_base);
	free(gs->last_cpu);
	free(gs->parked);
	free(gs);
}

struct sched_park *sched_park_start(struct vm **vms,
				    const struct group_plan *plan)
{
	struct sched_park *gs = calloc(1, sizeof(*gs));
	unsigned int n = plan->nr_vms;
	int rc;

	if (!gs || n > SCHED_MAX_VMS) {
		free(gs);
		err_host("cannot schedule %u VMs (at most %d)", n,
			 SCHED_MAX_VMS);
		return NULL;
	}
	gs->vm = vms;
	gs->stop_fd = eventfd(0, EFD_CLOEXEC);
	gs->svm = calloc(n, sizeof(*gs->svm));
	gs->period_base = calloc(n, sizeof(uint64_t));
	gs->last_cpu = calloc(n, sizeof(uint64_t));
	gs->parked = calloc(n, sizeof(bool));
	if (gs->stop_fd < 0 || !gs->svm || !gs->period_base || !gs->last_cpu ||
	    !gs->parked) {
		free_sched(gs);
		err_host("out of memory");
		return NULL;
	}
	group_plan_policy(plan, &gs->policy, gs->svm);
	rc = pthread_create(&gs->thread, NULL, sched_thread, gs);
	if (rc) {
		free_sched(gs);
		errno = rc;
		err_set_errno("cannot start the scheduler thread");
		return NULL;
	}
	return gs;
}

uint64_t sched_park_cpu_ns(struct sched_park *gs)
{
	struct timespec ts;
	clockid_t clock;

	if (pthread_getcpuclockid(gs->thread, &clock) ||
	    clock_gettime(clock, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

void sched_park_stop(struct sched_park *gs)
{
	uint64_t one = 1;
	unsigned int i;

	if (!gs)
		return;
	if (write(gs->stop_fd, &one, sizeof(one)) == sizeof(one))
		pthread_join(gs->thread, NULL);
	for (i = 0; i < gs->policy.nr_vms; i++)
		if (gs->parked[i])
			vm_set_parked(gs->vm[i], false);
	free_sched(gs);
}
