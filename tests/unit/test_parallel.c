// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_parallel.c - parallel_run() (util/parallel.c): every job runs
 * once, in threads other than the caller's, and a failure reads as if
 * the jobs had run in index order: the lowest failing index, its status,
 * its message and its class, in the caller's thread.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kvmux/error.h"
#include "kvmux/parallel.h"

#define MANY (PARALLEL_MAX_THREADS + 36) /* more than one window */

struct jobs {
	int runs[MANY];
	pthread_t thread[MANY];
	int fail_status[MANY]; /* 0: succeed */
};

static int job(void *opaque, unsigned int i)
{
	struct jobs *j = opaque;

	__atomic_add_fetch(&j->runs[i], 1, __ATOMIC_RELAXED);
	j->thread[i] = pthread_self();
	if (!j->fail_status[i])
		return 0;
	if (j->fail_status[i] == 125)
		err_host("job %u: the host", i);
	else
		err_set("job %u: the input", i);
	return j->fail_status[i];
}

static void every_job_once(void **state)
{
	static struct jobs j;
	unsigned int i;
	int rc = -1;

	assert_int_equal(parallel_run(MANY, job, &j, &rc), MANY);
	assert_int_equal(rc, 0);
	for (i = 0; i < MANY; i++) {
		assert_int_equal(j.runs[i], 1);
		assert_false(pthread_equal(j.thread[i], pthread_self()));
	}
}

static void one_job_runs_here(void **state)
{
	static struct jobs j;
	int rc = -1;

	assert_int_equal(parallel_run(1, job, &j, &rc), 1);
	assert_int_equal(rc, 0);
	assert_int_equal(j.runs[0], 1);
	assert_true(pthread_equal(j.thread[0], pthread_self()));
	assert_int_equal(parallel_run(0, job, &j, &rc), 0);
	assert_int_equal(rc, 0);
}

static void the_first_failure_in_order(void **state)
{
	static struct jobs j;
	unsigned int i;
	int rc = 0;

	j.fail_status[3] = 125; /* a host failure first in index order */
	j.fail_status[5] = 126;
	j.fail_status[MANY - 1] = 126;
	err_set("the caller's own");
	assert_int_equal(parallel_run(MANY, job, &j, &rc), 3);
	assert_int_equal(rc, 125);
	assert_string_equal(err_msg(), "job 3: the host");
	assert_int_equal(err_class(), ERR_HOST);
	for (i = 0; i < MANY; i++)
		assert_int_equal(j.runs[i],
				 1); /* the others ran all the same */
}

static void an_input_failure_keeps_its_class(void **state)
{
	static struct jobs j;
	int rc = 0;

	j.fail_status[6] = 126;
	j.fail_status[7] = 125;
	err_host("the caller's own");
	assert_int_equal(parallel_run(8, job, &j, &rc), 6);
	assert_int_equal(rc, 126);
	assert_string_equal(err_msg(), "job 6: the input");
	assert_int_equal(err_class(), ERR_INPUT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_job_once),
		cmocka_unit_test(one_job_runs_here),
		cmocka_unit_test(the_first_failure_in_order),
		cmocka_unit_test(an_input_failure_keeps_its_class),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
