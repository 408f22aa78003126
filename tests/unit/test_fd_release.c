// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_fd_release.c - descriptors handed to the release helper
 * (host/fd_release.c) are closed by it, whole batches at once, each once
 * the next batch or the helper's end comes, and without a helper they
 * are closed here.  A pipe's read end sees end of
 * file once every copy of its write end is closed: that is the proof.
 * It also renames --result's file when asked, and removes it if not.
 * Each test waits for its helper to end (the only child).
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "kvmux/fd_release.h"

#define NR_PIPES 100 /* more than one message's worth */
#define EOF_WAIT_MS 10000 /* a bound for a busy machine, not a timing */
#define QUIET_MS 200 /* how long a descriptor that must stay open is watched */

/* The read end reaches end of file (every write end is closed). */
static void assert_eof(int rfd)
{
	struct pollfd p = { .fd = rfd, .events = POLLIN };
	char c;

	assert_int_equal(poll(&p, 1, EOF_WAIT_MS), 1);
	assert_int_equal(read(rfd, &c, 1), 0);
	close(rfd);
}

/* Stop the helper and wait for it to end (the only child). */
static void stop_helper(void)
{
	fd_release_stop();
	assert_true(waitpid(-1, NULL, 0) > 0);
}

/* No end of file on rfd within QUIET_MS: its write end is still open.
 * (It can only pass wrongly, never fail wrongly, on a slow machine.) */
static void assert_open(int rfd)
{
	struct pollfd p = { .fd = rfd, .events = POLLIN };

	assert_int_equal(poll(&p, 1, QUIET_MS), 0);
}

static void closed_by_the_helper(void **state)
{
	int rfd[NR_PIPES], wfd[NR_PIPES], p[2];
	unsigned int i;

	assert_int_equal(fd_release_start(NULL, NULL), 0);
	for (i = 0; i < NR_PIPES; i++) {
		assert_int_equal(pipe(p), 0);
		rfd[i] = p[0];
		wfd[i] = p[1];
	}
	fd_release_close(wfd, NR_PIPES);
	for (i = 0; i < NR_PIPES; i++) /* ours are gone at once */
		assert_int_equal(close(wfd[i]), -1);
	/* Two messages: the first is closed when the second comes, the
	 * second (the last) only at the helper's end. */
	for (i = 0; i < NR_PIPES / 2; i++)
		assert_eof(rfd[i]);
	assert_open(rfd[NR_PIPES - 1]);
	stop_helper();
	for (; i < NR_PIPES; i++)
		assert_eof(rfd[i]);
}

/* One call per VM: a VM's copies are closed once the next VM's come
 * (kvmux has closed its own by then), the last VM's at the helper's
 * end, after kvmux's, so that kvmux never makes the last close. */
static void each_closed_after_the_next(void **state)
{
	int a[2], b[2];

	assert_int_equal(fd_release_start(NULL, NULL), 0);
	assert_int_equal(pipe(a), 0);
	assert_int_equal(pipe(b), 0);
	fd_release_close(&a[1], 1);
	assert_open(a[0]);
	fd_release_close(&b[1], 1);
	assert_eof(a[0]);
	assert_open(b[0]);
	stop_helper();
	assert_eof(b[0]);
}

static void closed_here_without_a_helper(void **state)
{
	int p[2];

	assert_int_equal(pipe(p), 0);
	fd_release_close(&p[1], 1); /* stopped above: none now */
	assert_eof(p[0]);
}

/* A directory with a file "temp" in it, as result_open() makes, and the
 * name "final" beside it. */
struct names {
	char dir[32], from[64], to[64];
};

static void make_names(struct names *n)
{
	FILE *f;

	snprintf(n->dir, sizeof(n->dir), "/tmp/kvmux-release-XXXXXX");
	assert_non_null(mkdtemp(n->dir));
	snprintf(n->from, sizeof(n->from), "%s/temp", n->dir);
	snprintf(n->to, sizeof(n->to), "%s/final", n->dir);
	f = fopen(n->from, "w");
	assert_non_null(f);
	assert_int_equal(fclose(f), 0);
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* The helper renames the names it was given when asked. */
static void renames_when_asked(void **state)
{
	struct names n;

	make_names(&n);
	assert_int_equal(fd_release_start(n.from, n.to), 0);
	assert_int_equal(fd_release_publish(), 0);
	stop_helper();
	assert_false(exists(n.from));
	assert_true(exists(n.to));
	unlink(n.to);
	rmdir(n.dir);
}

/* A rename that fails removes the file and says why. */
static void failed_rename_removes(void **state)
{
	struct names n;

	make_names(&n);
	snprintf(n.to, sizeof(n.to), "%s/missing/final", n.dir);
	assert_int_equal(fd_release_start(n.from, n.to), 0);
	assert_int_equal(fd_release_publish(), ENOENT);
	stop_helper();
	assert_false(exists(n.from));
	rmdir(n.dir);
}

/* kvmux ended without asking: the helper removes the file. */
static void removes_unless_asked(void **state)
{
	struct names n;

	make_names(&n);
	assert_int_equal(fd_release_start(n.from, n.to), 0);
	stop_helper();
	assert_false(exists(n.from));
	assert_false(exists(n.to));
	assert_int_equal(fd_release_publish(), ENOTCONN);
	rmdir(n.dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(closed_by_the_helper),
		cmocka_unit_test(each_closed_after_the_next),
		cmocka_unit_test(closed_here_without_a_helper),
		cmocka_unit_test(renames_when_asked),
		cmocka_unit_test(failed_rename_removes),
		cmocka_unit_test(removes_unless_asked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
