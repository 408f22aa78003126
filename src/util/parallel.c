// SPDX-License-Identifier: GPL-2.0-only
/* parallel.c - n jobs at once, one thread each (kvmux/parallel.h). */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "kvmux/error.h"
#include "kvmux/parallel.h"

struct job {
	parallel_fn *fn;
	void *opaque;
	unsigned int i;
	int rc;
	struct err_state err; /* the job's reason, from its own thread */
	pthread_t thread;
	bool threaded;
};

static void run_job(struct job *j)
{
	j->rc = j->fn(j->opaque, j->i);
	if (j->rc)
		err_save(&j->err);
}

static void *job_thread(void *arg)
{
	run_job(arg);
	return NULL;
}

static void start_job(struct job *j)
{
	j->threaded = !pthread_create(&j->thread, NULL, job_thread, j);
	if (!j->threaded)
		run_job(j); /* no thread: slower, not wrong */
}

static void finish_job(struct job *j)
{
	if (j->threaded)
		pthread_join(j->thread, NULL);
	j->threaded = false;
}

/* Jobs [0, n), a window of PARALLEL_MAX_THREADS at a time. */
static void run_all(struct job *job, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (i >= PARALLEL_MAX_THREADS)
			finish_job(&job[i - PARALLEL_MAX_THREADS]);
		start_job(&job[i]);
	}
	for (i = n > PARALLEL_MAX_THREADS ? n - PARALLEL_MAX_THREADS : 0; i < n;
	     i++)
		finish_job(&job[i]);
}

/* Without memory for the bookkeeping: one job after another, here. */
static unsigned int run_here(unsigned int n, parallel_fn *fn, void *opaque,
			     int *rc)
{
	unsigned int i, first = n;
	struct err_state err;

	*rc = 0;
	for (i = 0; i < n; i++) {
		int r = fn(opaque, i);

		if (r && first == n) {
			first = i;
			*rc = r;
			err_save(&err);
		}
	}
	if (first < n)
		err_restore(&err);
	return first;
}

unsigned int parallel_run(unsigned int n, parallel_fn *fn, void *opaque,
			  int *rc)
{
	struct job *job;
	unsigned int i;

	if (n <= 1)
		return run_here(n, fn, opaque, rc);
	job = calloc(n, sizeof(*job));
	if (!job)
		return run_here(n, fn, opaque, rc);
	for (i = 0; i < n; i++)
		job[i] = (struct job){ .fn = fn, .opaque = opaque, .i = i };
	run_all(job, n);
	*rc = 0;
	for (i = 0; i < n && !job[i].rc; i++)
		;
	if (i < n) {
		*rc = job[i].rc;
		err_restore(&job[i].err);
	}
	free(job);
	return i;
}
