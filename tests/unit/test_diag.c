// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_diag.c - kvmux's messages start on a line of their own when the
 * console output on stderr's file ends inside a line (util/diag.c), and
 * the stream state they are based on (out_stream_taken()).  stderr is a
 * pipe here; diag writes to it directly (no diag_start()).
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kvmux/diag.h"
#include "kvmux/out_stream.h"

#define BIG (200 * 1024) /* more than a pipe and a stream's buffer hold */

struct pipes {
	int err[2]; /* stderr's */
	int con[2]; /* the console output's */
	int saved_stderr;
	struct out_stream *console;
};

static int setup(void **state)
{
	struct pipes *p = calloc(1, sizeof(*p));

	assert_non_null(p);
	assert_int_equal(pipe(p->err), 0);
	assert_int_equal(pipe(p->con), 0);
	p->saved_stderr = dup(STDERR_FILENO);
	assert_true(p->saved_stderr >= 0);
	assert_int_equal(dup2(p->err[1], STDERR_FILENO), STDERR_FILENO);
	p->console = out_stream_create(p->con[1], NULL, NULL);
	assert_non_null(p->console);
	*state = p;
	return 0;
}

static int teardown(void **state)
{
	struct pipes *p = *state;

	diag_follow_console(NULL);
	out_stream_close(p->console);
	dup2(p->saved_stderr, STDERR_FILENO);
	close(p->saved_stderr);
	close(p->err[0]);
	close(p->err[1]);
	close(p->con[0]);
	close(p->con[1]);
	free(p);
	return 0;
}

/* What diag wrote so far (the pipe holds it; nothing else writes). */
static void assert_said(struct pipes *p, const char *want)
{
	char got[256];
	size_t len = strlen(want);
	ssize_t n = read(p->err[0], got, len);

	assert_int_equal(n, (ssize_t)len);
	got[n] = '\0';
	assert_string_equal(got, want);
}

static void console(struct pipes *p, const char *bytes)
{
	size_t len = strlen(bytes);

	assert_int_equal(out_stream_write(p->console, bytes, len, true), len);
}

static void not_followed_no_break(void **state)
{
	struct pipes *p = *state;

	console(p, "abc");
	diag("one");
	assert_said(p, "kvmux: one\n");
}

static void open_line_broken_once(void **state)
{
	struct pipes *p = *state;

	diag_follow_console(p->console);
	diag("first");
	assert_said(p, "kvmux: first\n"); /* nothing taken yet */
	console(p, "abc");
	diag("one");
	diag("two");
	assert_said(p, "\nkvmux: one\nkvmux: two\n");
	console(p, "def\n");
	diag("three");
	assert_said(p, "kvmux: three\n");
	console(p, "x");
	diag("four");
	assert_said(p, "\nkvmux: four\n");
}

/* The state the console ended in counts after it is no longer followed
 * (its stream closed), once. */
static void kept_after_unfollow(void **state)
{
	struct pipes *p = *state;

	diag_follow_console(p->console);
	console(p, "partial");
	diag_follow_console(NULL);
	diag("five");
	diag("six");
	assert_said(p, "\nkvmux: five\nkvmux: six\n");
}

/* What a stream counts as taken is what it took: a partial take ends
 * where the take ended, not where the caller's bytes did. */
static void taken_is_what_was_taken(void **state)
{
	struct pipes *p = *state;
	char *big = malloc(BIG);
	size_t took;
	uint64_t before, after;
	bool open;

	assert_non_null(big);
	memset(big, 'a', BIG);
	big[BIG - 1] = '\n';
	before = out_stream_taken(p->console, &open);
	assert_false(open);
	/* All or nothing: a whole write that does not fit is not taken. */
	assert_int_equal(out_stream_write(p->console, big, BIG, true), 0);
	assert_int_equal(out_stream_taken(p->console, &open), before);
	took = out_stream_write(p->console, big, BIG, false);
	assert_true(took > 0 && took < BIG);
	after = out_stream_taken(p->console, &open);
	assert_int_equal(after - before, took);
	assert_true(open); /* big[took - 1] is 'a' */
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(not_followed_no_break, setup,
						teardown),
		cmocka_unit_test_setup_teardown(open_line_broken_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(kept_after_unfollow, setup,
						teardown),
		cmocka_unit_test_setup_teardown(taken_is_what_was_taken, setup,
						teardown),
	};

	/* A console stream left blocked on its full pipe sees the pipe's
	 * end at teardown: EPIPE, as kvmux (which ignores SIGPIPE) sees. */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
