// SPDX-License-Identifier: GPL-2.0-only
/*
 * cgroup_join.c - a mover thread puts a group's vCPU threads into their
 * VMs' cgroups while they already run (kvmux/cgroup_join.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "kvmux/cgroup_join.h"
#include "kvmux/error.h"
#include "kvmux/thread.h"
#include "kvmux/vm.h"

enum move_state {
	MOVE_QUEUED,
	MOVE_UNDER_WAY, /* the mover writes the ID: its thread must wait */
	MOVE_DONE, /* moved, failed, or cancelled by its thread's end */
};

struct move {
	pid_t tid;
	unsigned int vm_index;
	enum move_state state;
};

struct cgroup_join {
	struct cgroup_cpu *cg;
	struct vm **vms;
	pthread_mutex_t lock;
	pthread_cond_t queued; /* a move was queued, or stop */
	pthread_cond_t done; /* a move under way is done */
	struct move *move; /* nr_threads of them */
	unsigned int nr_threads;
	unsigned int nr_queued; /* moves [0, nr_queued) posted */
	unsigned int next; /* the mover's next move */
	bool stop;
	uint64_t delay_ns; /* from the start to the first move */
	uint64_t start_ns;
	pthread_t thread;
	bool started;
};

struct cgroup_join *cgroup_join_create(struct cgroup_cpu *cg,
				       unsigned int nr_threads,
				       uint64_t delay_ns)
{
	struct cgroup_join *cj = calloc(1, sizeof(*cj));
	pthread_condattr_t attr;

	if (cj)
		cj->move =
			calloc(nr_threads ? nr_threads : 1, sizeof(*cj->move));
	if (!cj || !cj->move) {
		free(cj);
		err_host("out of memory");
		return NULL;
	}
	cj->cg = cg;
	cj->nr_threads = nr_threads;
	cj->delay_ns = delay_ns;
	pthread_mutex_init(&cj->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&cj->queued, &attr);
	pthread_condattr_destroy(&attr);
	pthread_cond_init(&cj->done, NULL);
	return cj;
}

void cgroup_join_post(struct cgroup_join *cj, unsigned int vm_index)
{
	pthread_mutex_lock(&cj->lock);
	if (cj->nr_queued < cj->nr_threads) {
		cj->move[cj->nr_queued++] =
			(struct move){ gettid(), vm_index, MOVE_QUEUED };
		pthread_cond_signal(&cj->queued);
	}
	pthread_mutex_unlock(&cj->lock);
}

void cgroup_join_leave(struct cgroup_join *cj)
{
	pid_t self = gettid();
	unsigned int i;

	pthread_mutex_lock(&cj->lock);
	for (i = 0; i < cj->nr_queued; i++) {
		if (cj->move[i].tid != self)
			continue;
		while (cj->move[i].state == MOVE_UNDER_WAY)
			pthread_cond_wait(&cj->done, &cj->lock);
		cj->move[i].state = MOVE_DONE;
	}
	pthread_mutex_unlock(&cj->lock);
}

/* Under the lock: the next queued move, marked under way; NULL at the
 * end (all moved, or stop). */
static struct move *next_move(struct cgroup_join *cj)
{
	for (;;) {
		while (cj->next < cj->nr_queued) {
			struct move *m = &cj->move[cj->next++];

			if (m->state == MOVE_QUEUED) {
				m->state = MOVE_UNDER_WAY;
				return m;
			}
		}
		if (cj->stop || cj->next == cj->nr_threads)
			return NULL;
		pthread_cond_wait(&cj->queued, &cj->lock);
	}
}

/* Under the lock: wait out the delay, or until stop. */
static void wait_delay(struct cgroup_join *cj)
{
	uint64_t end = cj->start_ns + cj->delay_ns;
	struct timespec ts = { .tv_sec = end / 1000000000ull,
			       .tv_nsec = end % 1000000000ull };

	while (!cj->stop && thread_now_ns() < end)
		pthread_cond_timedwait(&cj->queued, &cj->lock, &ts);
}

static void *mover_thread(void *arg)
{
	struct cgroup_join *cj = arg;
	struct move *m;

	thread_enter(THREAD_SCHED);
	pthread_mutex_lock(&cj->lock);
	wait_delay(cj);
	while ((m = next_move(cj))) {
		pthread_mutex_unlock(&cj->lock);
		if (cgroup_cpu_move(cj->cg, m->vm_index, m->tid) < 0)
			vm_request_stop(cj->vms[m->vm_index],
					VM_STOP_HOST_FAILURE, 0, "%s",
					err_msg());
		pthread_mutex_lock(&cj->lock);
		m->state = MOVE_DONE;
		pthread_cond_broadcast(&cj->done);
	}
	pthread_mutex_unlock(&cj->lock);
	return NULL;
}

int cgroup_join_start(struct cgroup_join *cj, struct vm **vms)
{
	int rc;

	cj->vms = vms;
	cj->start_ns = thread_now_ns();
	rc = pthread_create(&cj->thread, NULL, mover_thread, cj);

	if (rc) {
		errno = rc;
		return err_set_errno("cannot start the cgroup mover thread");
	}
	cj->started = true;
	return 0;
}

void cgroup_join_destroy(struct cgroup_join *cj)
{
	if (!cj)
		return;
	if (cj->started) {
		pthread_mutex_lock(&cj->lock);
		cj->stop = true;
		pthread_cond_signal(&cj->queued);
		pthread_mutex_unlock(&cj->lock);
		if (thread_join_until(cj->thread,
				      thread_now_ns() +
					      THREAD_JOIN_TIMEOUT_NS) < 0)
			return; /* stuck in the kernel's write: left to exit() */
	}
	pthread_cond_destroy(&cj->done);
	pthread_cond_destroy(&cj->queued);
	pthread_mutex_destroy(&cj->lock);
	free(cj->move);
	free(cj);
}
