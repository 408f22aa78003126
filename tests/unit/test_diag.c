// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_diag.c - kvmux's messages start on a line of their own when the
 * console output on stderr's file ends inside a line (util/diag.c), and
 * the stream state they are based on (out_stream_taken()).  stderr is a
 * pipe here; diag writes to it directly (no diag_start()).
 */
#include <fcntl.h>
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
#define EXTRA 4 /* streams besides p->console: more than diag follows */

struct pipes {
	int err[2]; /* stderr's */
	int con[2]; /* the console output's */
	int saved_stderr;
	struct out_stream *console;
	int null_fd; /* the extra streams' */
	struct out_stream *extra[EXTRA]; /* NULL unless a test makes them */
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
	p->null_fd = open("/dev/null", O_WRONLY);
	assert_true(p->null_fd >= 0);
	*state = p;
	return 0;
}

static int teardown(void **state)
{
	struct pipes *p = *state;
	unsigned int i;

	for (i = 0; i < EXTRA && p->extra[i]; i++) {
		diag_unfollow_console(p->extra[i]);
		out_stream_close(p->extra[i]);
	}
	diag_unfollow_console(p->console);
	/* Its reader first: a write blocked on the full pipe ends (EPIPE),
	 * so no thread still writes when its descriptor is closed. */
	close(p->con[0]);
	out_stream_drain(p->console, out_stream_now_ns() + 5000000000ull, -1);
	out_stream_close(p->console);
	/* Uses up a left console's open line: the next test starts clean
	 * whatever this one did (the pipe and what it holds go now). */
	diag("teardown");
	dup2(p->saved_stderr, STDERR_FILENO);
	close(p->saved_stderr);
	close(p->err[0]);
	close(p->err[1]);
	close(p->con[1]);
	close(p->null_fd);
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

static void write_to(struct out_stream *s, const char *bytes)
{
	size_t len = strlen(bytes);

	assert_int_equal(out_stream_write(s, bytes, len, true), len);
}

static void not_followed_no_break(void **state)
{
	struct pipes *p = *state;

	write_to(p->console, "abc");
	diag("one");
	assert_said(p, "kvmux: one\n");
}

static void open_line_broken_once(void **state)
{
	struct pipes *p = *state;

	diag_follow_console(p->console);
	diag("first");
	assert_said(p, "kvmux: first\n"); /* nothing taken yet */
	write_to(p->console, "abc");
	diag("one");
	diag("two");
	assert_said(p, "\nkvmux: one\nkvmux: two\n");
	write_to(p->console, "def\n");
	diag("three");
	assert_said(p, "kvmux: three\n");
	write_to(p->console, "x");
	diag("four");
	assert_said(p, "\nkvmux: four\n");
}

/* A message is one printable line whatever its arguments hold (a name
 * with a newline, a guest's line with a terminal's escape). */
static void message_is_one_line(void **state)
{
	struct pipes *p = *state;

	diag("vm %s: %s", "a\nb", "\x1b]0;title\x07");
	assert_said(p, "kvmux: vm a?b: ?]0;title?\n");
}

/* The state the console ended in counts after it is no longer followed
 * (its stream closed), once. */
static void kept_after_unfollow(void **state)
{
	struct pipes *p = *state;

	diag_follow_console(p->console);
	write_to(p->console, "partial");
	diag_unfollow_console(p->console);
	diag("five");
	diag("six");
	assert_said(p, "\nkvmux: five\nkvmux: six\n");
}

static struct out_stream *make_extra(struct pipes *p, unsigned int i)
{
	p->extra[i] = out_stream_create(p->null_fd, NULL, NULL);
	assert_non_null(p->extra[i]);
	return p->extra[i];
}

/* Two outputs on stderr's file (stdout on a terminal and a console file
 * named /dev/stderr): either one's open line breaks, and one "\n" ends
 * both. */
static void two_followed(void **state)
{
	struct pipes *p = *state;
	struct out_stream *file = make_extra(p, 0);

	diag_follow_console(p->console);
	diag_follow_console(file);
	write_to(file, "abc");
	diag("one");
	diag("two");
	assert_said(p, "\nkvmux: one\nkvmux: two\n");
	write_to(p->console, "def");
	diag("three");
	assert_said(p, "\nkvmux: three\n");
	write_to(p->console, "g");
	write_to(file, "h");
	diag("four");
	diag("five");
	assert_said(p, "\nkvmux: four\nkvmux: five\n");
	/* The file is closed with its line open: that still counts, once. */
	write_to(file, "i");
	diag_unfollow_console(file);
	diag("six");
	diag("seven");
	assert_said(p, "\nkvmux: six\nkvmux: seven\n");
}

/* More outputs than diag follows: the first ones are still followed,
 * the others ignored (never a crash or a wrong break). */
static void more_than_followed(void **state)
{
	struct pipes *p = *state;
	unsigned int i;

	diag_follow_console(p->console);
	for (i = 0; i < EXTRA; i++)
		diag_follow_console(make_extra(p, i));
	write_to(p->extra[EXTRA - 1], "not followed");
	diag("one");
	assert_said(p, "kvmux: one\n");
	write_to(p->console, "abc");
	diag("two");
	assert_said(p, "\nkvmux: two\n");
	/* A slot left with nothing to break is taken again. */
	diag_unfollow_console(p->extra[0]);
	diag_follow_console(p->extra[EXTRA - 1]);
	write_to(p->extra[EXTRA - 1], "now followed");
	diag("three");
	assert_said(p, "\nkvmux: three\n");
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
		cmocka_unit_test_setup_teardown(message_is_one_line, setup,
						teardown),
		cmocka_unit_test_setup_teardown(two_followed, setup, teardown),
		cmocka_unit_test_setup_teardown(more_than_followed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(taken_is_what_was_taken, setup,
						teardown),
	};

	/* A console stream left blocked on its full pipe sees the pipe's
	 * end at teardown: EPIPE, as kvmux (which ignores SIGPIPE) sees. */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
