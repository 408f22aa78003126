// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_cgroup_join.c - the cgroup mover (host/cgroup_join.c): threads
 * queue their moves and go on, the mover writes each thread's ID into
 * its VM's file, and a thread that ends first is never written.  Plain
 * files stand in for the cgroups' "tasks" files.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "kvmux/cgroup_join.h"
#include "kvmux/vm.h"

#define VMS 2

struct fixture {
	struct cgroup_cpu cg;
	int fd[VMS];
	struct vm vm[VMS];
	struct vm *vms[VMS];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	unsigned int i;

	for (i = 0; i < VMS; i++) {
		f->fd[i] = memfd_create("tasks", MFD_CLOEXEC);
		f->vms[i] = &f->vm[i];
	}
	f->cg.nr_vms = VMS;
	f->cg.tasks_fd = f->fd;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	unsigned int i;

	for (i = 0; i < VMS; i++)
		close(f->fd[i]);
	free(f);
	return 0;
}

/* What was written into VM i's file. */
static char *written(struct fixture *f, unsigned int i)
{
	static char buf[256];
	ssize_t n = pread(f->fd[i], buf, sizeof(buf) - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* VM i's file holds tid, and nothing else. */
static void assert_moved(struct fixture *f, unsigned int i, pid_t tid)
{
	char want[32];

	snprintf(want, sizeof(want), "%d", (int)tid);
	assert_string_equal(written(f, i), want);
}

struct poster {
	struct cgroup_join *cj;
	unsigned int vm_index;
	bool leave; /* end before the mover starts */
	pid_t tid;
};

static void *post_thread(void *arg)
{
	struct poster *p = arg;

	p->tid = gettid();
	cgroup_join_post(p->cj, p->vm_index);
	if (p->leave)
		cgroup_join_leave(p->cj);
	return NULL;
}

static void post_from_thread(struct poster *p)
{
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, post_thread, p), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
}

/* Posts before the mover starts wait for it; each ID goes to its VM's
 * file, and the mover ends once every thread is moved. */
static void test_moves_go_to_their_vms(void **state)
{
	struct fixture *f = *state;
	struct cgroup_join *cj = cgroup_join_create(&f->cg, 2, 0);
	struct poster a = { cj, 1, false, 0 }, b = { cj, 0, false, 0 };

	assert_non_null(cj);
	post_from_thread(&a);
	post_from_thread(&b);
	assert_string_equal(written(f, 0), "");
	assert_int_equal(cgroup_join_start(cj, f->vms), 0);
	cgroup_join_destroy(cj); /* joins the mover: every move is made */
	assert_moved(f, 0, b.tid);
	assert_moved(f, 1, a.tid);
}

/* A thread that ended before its move was made is never written: its
 * ID may belong to another task by then. */
static void test_a_thread_that_left_is_not_moved(void **state)
{
	struct fixture *f = *state;
	struct cgroup_join *cj = cgroup_join_create(&f->cg, 2, 0);
	struct poster gone = { cj, 0, true, 0 }, stays = { cj, 1, false, 0 };

	assert_non_null(cj);
	post_from_thread(&gone);
	post_from_thread(&stays);
	assert_int_equal(cgroup_join_start(cj, f->vms), 0);
	cgroup_join_destroy(cj);
	assert_string_equal(written(f, 0), "");
	assert_moved(f, 1, stays.tid);
}

/* Fewer posts than expected (a VM that never started): destroy still
 * stops the mover. */
static void test_destroy_stops_a_waiting_mover(void **state)
{
	struct fixture *f = *state;
	struct cgroup_join *cj = cgroup_join_create(&f->cg, 4, 0);
	struct poster p = { cj, 0, false, 0 };

	assert_non_null(cj);
	assert_int_equal(cgroup_join_start(cj, f->vms), 0);
	post_from_thread(&p);
	cgroup_join_destroy(cj);
	assert_true(strlen(written(f, 0)) > 0);
}

/* Within the delay nothing is moved: a thread that leaves in it never
 * is (a short run waits for no move); a stop ends the delay, and what is
 * still queued is moved then. */
static void test_moves_wait_for_the_delay(void **state)
{
	struct fixture *f = *state;
	struct cgroup_join *cj =
		cgroup_join_create(&f->cg, 2, 3600 * 1000000000ull);
	struct poster gone = { cj, 0, true, 0 }, stays = { cj, 1, false, 0 };

	assert_non_null(cj);
	assert_int_equal(cgroup_join_start(cj, f->vms), 0);
	post_from_thread(&gone);
	post_from_thread(&stays);
	assert_string_equal(written(f, 0), "");
	assert_string_equal(written(f, 1), "");
	cgroup_join_destroy(cj);
	assert_string_equal(written(f, 0), "");
	assert_moved(f, 1, stays.tid);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_moves_go_to_their_vms,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_a_thread_that_left_is_not_moved, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_destroy_stops_a_waiting_mover, setup, teardown),
		cmocka_unit_test_setup_teardown(test_moves_wait_for_the_delay,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
