// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_thread.c - thread_reserve_fds() (util/thread.c): the descriptor
 * table ("FDSize:" in /proc/self/status) holds at least what was asked,
 * raising a lower soft RLIMIT_NOFILE up to the hard one, and no
 * descriptor is left open.
 * Each test runs in a child process of its own: a table never shrinks,
 * so a test that grew this process's would hide the next one's work.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "kvmux/thread.h"

static unsigned int fd_table_size(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	unsigned int size = 0;
	char line[128];

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "FDSize: %u", &size) == 1)
			break;
	fclose(f);
	return size;
}

static unsigned int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* The soft limit the tests set (RLIMIT_NOFILE's usual soft limit; the
 * hard one is at least this on Linux hosts), and what they reserve: more
 * than any table a test process inherits (a fork's table fits the
 * parent's open descriptors, at least 64). */
#define SOFT_LIMIT 1000
#define ASKED 700

/* What reserve_in_child() sets first: nothing, both limits to
 * SOFT_LIMIT, or the soft one to 64 (below what the tests ask). */
enum { LIMIT_NONE, LIMIT_BOTH, LIMIT_LOW_SOFT };

/* In a child: set the limits as limit says, then reserve nr; the child's
 * status says what held (0: all of it; 77: the table was already as
 * large, or the hard limit too low: skip). */
static int reserve_in_child(unsigned int nr, int limit, unsigned int *table)
{
	int fds[2], status;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit lim;
		unsigned int before = open_fds(), size;

		getrlimit(RLIMIT_NOFILE, &lim);
		if (limit == LIMIT_BOTH)
			lim.rlim_cur = lim.rlim_max = SOFT_LIMIT;
		if (limit == LIMIT_LOW_SOFT)
			lim.rlim_cur = 64;
		if (lim.rlim_max < SOFT_LIMIT ||
		    (limit && setrlimit(RLIMIT_NOFILE, &lim) < 0))
			_exit(77);
		if (nr > 64 && fd_table_size() >= nr)
			_exit(77);
		if (thread_reserve_fds(nr) != 0)
			_exit(11);
		if (open_fds() != before)
			_exit(12); /* a descriptor left open */
		size = fd_table_size();
		if (write(fds[1], &size, sizeof(size)) != sizeof(size))
			_exit(13);
		_exit(0);
	}
	close(fds[1]);
	if (read(fds[0], table, sizeof(*table)) != sizeof(*table))
		*table = 0;
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
		skip();
	return WIFEXITED(status) ? WEXITSTATUS(status) : 99;
}

static void reserves_what_is_asked(void **state)
{
	unsigned int table = 0;

	(void)state;
	assert_int_equal(reserve_in_child(ASKED, LIMIT_BOTH, &table), 0);
	assert_true(table >= ASKED);
}

static void stops_at_the_hard_limit(void **state)
{
	unsigned int table = 0;

	(void)state;
	/* Far past the limits: not an error, the table reaches them. */
	assert_int_equal(reserve_in_child(1u << 30, LIMIT_BOTH, &table), 0);
	assert_true(table >= SOFT_LIMIT);
	assert_true(table < 4 * SOFT_LIMIT);
}

/* A soft limit below nr is raised toward the hard one. */
static void raises_the_soft_limit(void **state)
{
	unsigned int table = 0;

	(void)state;
	assert_int_equal(reserve_in_child(ASKED, LIMIT_LOW_SOFT, &table), 0);
	assert_true(table >= ASKED);
}

static void small_and_zero_do_nothing_wrong(void **state)
{
	unsigned int table = 0;

	(void)state;
	assert_int_equal(reserve_in_child(0, LIMIT_NONE, &table), 0);
	assert_true(table >= 3);
	assert_int_equal(reserve_in_child(1, LIMIT_NONE, &table), 0);
	assert_true(table >= 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reserves_what_is_asked),
		cmocka_unit_test(stops_at_the_hard_limit),
		cmocka_unit_test(raises_the_soft_limit),
		cmocka_unit_test(small_and_zero_do_nothing_wrong),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
