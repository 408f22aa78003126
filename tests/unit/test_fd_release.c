// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_fd_release.c - descriptors handed to the release helper
 * (host/fd_release.c) are closed by it, whole batches at once, and
 * without a helper they are closed here.  A pipe's read end sees end of
 * file once every copy of its write end is closed: that is the proof.
 */
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "kvmux/fd_release.h"

#define NR_PIPES 100 /* more than one message's worth */
#define EOF_WAIT_MS 10000 /* a bound for a busy machine, not a timing */

/* The read end reaches end of file (every write end is closed). */
static void assert_eof(int rfd)
{
	struct pollfd p = { .fd = rfd, .events = POLLIN };
	char c;

	assert_int_equal(poll(&p, 1, EOF_WAIT_MS), 1);
	assert_int_equal(read(rfd, &c, 1), 0);
	close(rfd);
}

static void closed_by_the_helper(void **state)
{
	int rfd[NR_PIPES], wfd[NR_PIPES], p[2];
	unsigned int i;

	assert_int_equal(fd_release_start(), 0);
	for (i = 0; i < NR_PIPES; i++) {
		assert_int_equal(pipe(p), 0);
		rfd[i] = p[0];
		wfd[i] = p[1];
	}
	fd_release_close(wfd, NR_PIPES);
	for (i = 0; i < NR_PIPES; i++) {
		/* ours are gone at once: a second close fails */
		assert_int_equal(close(wfd[i]), -1);
		assert_eof(rfd[i]);
	}
	fd_release_stop();
}

static void closed_here_without_a_helper(void **state)
{
	int p[2];

	assert_int_equal(pipe(p), 0);
	fd_release_close(&p[1], 1); /* stopped above: none now */
	assert_eof(p[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(closed_by_the_helper),
		cmocka_unit_test(closed_here_without_a_helper),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
