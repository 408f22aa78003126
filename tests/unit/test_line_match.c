// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_line_match.c - --fail-on patterns (kvmux/line_match.h): which
 * patterns are taken, what the Linux set catches, and lines assembled
 * from pieces with a bounded buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kvmux/error.h"
#include "kvmux/line_match.h"

static struct line_match *make(const char *pattern)
{
	struct line_match *m = line_match_create(&pattern, 1);

	assert_non_null(m);
	return m;
}

static void patterns_are_checked(void **state)
{
	const char *bad = "a(b";

	assert_int_equal(line_match_check("Kernel panic"), 0);
	assert_int_equal(line_match_check("linux"), 0);
	assert_int_equal(line_match_check("^(a|b)+[0-9]{2}$"), 0);
	assert_int_equal(line_match_check(bad), -1);
	assert_non_null(strstr(err_msg(), "'a(b' is not a regular expression"));
	assert_int_equal(err_class(), ERR_INPUT);
	assert_int_equal(line_match_check(""), -1);
	assert_null(line_match_create(&bad, 1));
}

static void first_matching_pattern_is_named(void **state)
{
	static const char *const patterns[] = { "^ok$", "fail(ed)?", "err" };
	struct line_match *m = line_match_create(patterns, 3);

	assert_non_null(m);
	assert_string_equal(line_match_find(m, "ok", 2), "^ok$");
	assert_null(line_match_find(m, "ok then", 7));
	assert_string_equal(line_match_find(m, "test failed: err", 16),
			    "fail(ed)?");
	/* Only len bytes count, and a NUL does not end the line. */
	assert_null(line_match_find(m, "error", 2));
	assert_string_equal(line_match_find(m, "x\0y err", 7), "err");
	line_match_free(m);
}

/* Anchors hold for each pattern, and back references work. */
static void anchors_and_back_references(void **state)
{
	static const char *const anchored[] = { "^x", "y$" };
	static const char *const backref[] = { "^(ab)\\1$", "zz" };
	struct line_match *m = line_match_create(anchored, 2);

	assert_non_null(m);
	assert_string_equal(line_match_find(m, "xa", 2), "^x");
	assert_string_equal(line_match_find(m, "ay", 2), "y$");
	assert_null(line_match_find(m, "axa", 3));
	assert_null(line_match_find(m, "yx", 2));
	line_match_free(m);
	m = line_match_create(backref, 2);
	assert_non_null(m);
	assert_string_equal(line_match_find(m, "abab", 4), "^(ab)\\1$");
	assert_null(line_match_find(m, "abba", 4));
	assert_string_equal(line_match_find(m, "azz", 3), "zz");
	line_match_free(m);
}

/*
 * Patterns whose compilation grows without bound in glibc's regcomp()
 * (the fuzzer's "%+++...", nested counted repeats) are refused with a
 * line, and so is a pattern longer than LINE_MATCH_PATTERN_MAX.
 */
static void runaway_patterns_are_refused(void **state)
{
	char plus[200], *long_pattern = malloc(LINE_MATCH_PATTERN_MAX + 2);

	assert_non_null(long_pattern);
	memset(plus, '+', sizeof(plus));
	plus[0] = '%';
	plus[sizeof(plus) - 1] = '\0';
	assert_int_equal(line_match_check(plus), -1);
	assert_non_null(strstr(err_msg(), "quantifier"));
	assert_int_equal(line_match_check("((a{1000}){1000}){1000}"), -1);
	assert_non_null(strstr(err_msg(), "too large"));
	memset(long_pattern, 'a', LINE_MATCH_PATTERN_MAX + 1);
	long_pattern[LINE_MATCH_PATTERN_MAX + 1] = '\0';
	assert_int_equal(line_match_check(long_pattern), -1);
	assert_non_null(strstr(err_msg(), "longer than 1024"));
	long_pattern[LINE_MATCH_PATTERN_MAX] = '\0';
	assert_int_equal(line_match_check(long_pattern), 0);
	free(long_pattern);
}

/*
 * A pattern that backtracks exponentially on a line the guest chose
 * stops at the match limit and counts as no match; the next line is
 * matched as usual.
 */
static void backtracking_is_bounded(void **state)
{
	static const char *const patterns[] = { "^(a|aa)+$", "ok" };
	struct line_match *m = line_match_create(patterns, 2);
	char line[LINE_MATCH_MAX];

	assert_non_null(m);
	memset(line, 'a', sizeof(line));
	line[sizeof(line) - 1] = 'b';
	assert_null(line_match_find(m, line, sizeof(line)));
	line[sizeof(line) - 2] = 'o';
	line[sizeof(line) - 1] = 'k';
	assert_string_equal(line_match_find(m, line, sizeof(line)), "ok");
	line[sizeof(line) - 2] = 'a';
	line[sizeof(line) - 1] = 'a';
	assert_string_equal(line_match_find(m, line, 40), "^(a|aa)+$");
	line_match_free(m);
}

/* What Linux prints when it breaks, and ordinary lines that must pass. */
static void linux_set(void **state)
{
	static const char *const broken[] = {
		"[    2.345678] Kernel panic - not syncing: VFS: Unable to "
		"mount root fs on unknown-block(0,0)",
		/* glued to the line before it, no newline between */
		"[    0.123456] x86/mm: Checked W+X mappings: passed, no W+X "
		"pages found.memory mapKernel panic - not syncing: Attempted "
		"to kill init!",
		"[    1.000000] Oops: general protection fault, probably for "
		"non-canonical address 0xdead: 0000 [#1] PREEMPT SMP KASAN",
		"Oops: 0002 [#1] SMP",
		"BUG: kernel NULL pointer dereference, address: 0000000000000000",
		"BUG: KASAN: slab-out-of-bounds in foo+0x12/0x40",
		"BUG: KFENCE: use-after-free read in bar+0x1/0x2",
		"watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [sh:1]",
		"kernel BUG at mm/slub.c:123!",
		"invalid opcode: 0000 [#1] SMP NOPTI",
		"general protection fault: 0000 [#1] SMP",
		"Unable to handle kernel paging request at virtual address 0",
		"UBSAN: array-index-out-of-bounds in drivers/x.c:10:5",
		"INFO: task kworker/0:1:12 blocked for more than 120 seconds.",
		"rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:",
		"rcu: INFO: rcu_sched self-detected stall on CPU",
		"[    1.234000] BUG: kernel NULL pointer dereference, address: 0",
		"[   1.234] BUG: unable to handle page fault for address: 8",
		"general protection fault, probably for non-canonical address "
		"0xdffffc0000000001: 0000 [#1] SMP",
		"general protection fault: 0000 [#1] PREEMPT SMP",
		"Kernel BUG at ffffffffa039857b [verbose debug info unavailable]",
		"Internal error: Oops - BUG: 96000004 [#1] PREEMPT SMP",
		"rcu: INFO: rcu_sched detected expedited stalls on CPUs/tasks: {",
		"INFO: rcu_tasks detected stalls on tasks:",
	};
	static const char *const fine[] = {
		"[    0.000000] Linux version 6.1.0 (gcc 12)",
		"[    0.512000] Run /init as init process",
		"Kernel command line: console=ttyS0 panic=-1",
		"[    3.000000] reboot: Power down",
		"WARNING: CPU: 0 PID: 1 at kernel/x.c:1 f+0x1/0x2",
		"audit: type=2000 audit(0.1:1): state=initialized",
		/* A test's words, not the kernel's. */
		"DEBUG: hello",
		"ok 1 - test general protection fault handling",
		"XBUG: 3 open",
		"ok 2 - Kernel panic - not syncing is printed",
		"kernel BUG atlas",
		"INFO: task list blocked for more than 3 seconds",
		/* A #GP in a user process: the kernel is fine. */
		"traps: a.out[88] general protection fault ip:401000 sp:0 "
		"error:0 in a.out[401000+1000]",
	};
	const char *linux_word = "linux";
	struct line_match *m = line_match_create(&linux_word, 1);
	size_t i;

	assert_non_null(m);
	for (i = 0; i < sizeof(broken) / sizeof(broken[0]); i++)
		if (!line_match_find(m, broken[i], strlen(broken[i])))
			fail_msg("not caught: %s", broken[i]);
	for (i = 0; i < sizeof(fine) / sizeof(fine[0]); i++)
		if (line_match_find(m, fine[i], strlen(fine[i])))
			fail_msg("caught: %s", fine[i]);
	line_match_free(m);
}

/* A line reaches the scanner a byte or a few at a time, with "\r\n". */
static void lines_from_pieces(void **state)
{
	struct line_match *m = make("^panic: [0-9]+$");
	struct line_scan s;
	const char *text = "boot\r\npanic: 42\r\nmore\n";
	size_t i;

	line_scan_init(&s, m);
	for (i = 0; text[i]; i++) {
		bool hit = line_scan_feed(&s, text + i, 1);

		/* The line ends at its "\n", not before. */
		assert_int_equal(hit, text[i] == '\n' && i == 16);
	}
	assert_string_equal(s.matched, "^panic: [0-9]+$");
	assert_string_equal(s.line, "panic: 42");
	/* After the first match, nothing more. */
	assert_false(line_scan_feed(&s, "panic: 7\n", 9));
	assert_string_equal(s.line, "panic: 42");
	line_match_free(m);
}

/* A guest that never ends its line: matched once on its first
 * LINE_MATCH_MAX bytes, the rest skipped up to the next "\n". */
static void endless_line_is_bounded(void **state)
{
	static char chunk[1000];
	struct line_match *m = make("MARK");
	struct line_scan s;
	int i;

	memset(chunk, 'x', sizeof(chunk));
	line_scan_init(&s, m);
	for (i = 0; i < 10000; i++)
		assert_false(line_scan_feed(&s, chunk, sizeof(chunk)));
	assert_int_equal(s.len, LINE_MATCH_MAX);
	assert_false(line_scan_feed(&s, "MARK, too late\n", 15));
	assert_true(line_scan_feed(&s, "MARK\n", 5));
	assert_string_equal(s.line, "MARK");
	line_match_free(m);
}

/* Within the first LINE_MATCH_MAX bytes a long line is matched as soon
 * as they are in, without waiting for its "\n". */
static void long_line_matched_on_its_head(void **state)
{
	static char line[LINE_MATCH_MAX + 10];
	struct line_match *m = make("^xMARKx+$");
	struct line_scan s;

	memset(line, 'x', sizeof(line));
	memcpy(line + 1, "MARK", 4);
	line_scan_init(&s, m);
	assert_false(line_scan_feed(&s, line, LINE_MATCH_MAX - 1));
	assert_true(line_scan_feed(&s, line + LINE_MATCH_MAX - 1, 1));
	assert_int_equal(strlen(s.line), LINE_MATCH_MAX);
	line_match_free(m);
}

/* Lines that end exactly at the bound do not spill into the next. */
static void line_at_the_bound(void **state)
{
	static char line[LINE_MATCH_MAX + 1];
	struct line_match *m = make("^next$");
	struct line_scan s;

	memset(line, 'y', LINE_MATCH_MAX);
	line[LINE_MATCH_MAX] = '\n';
	line_scan_init(&s, m);
	assert_false(line_scan_feed(&s, line, sizeof(line)));
	assert_int_equal(s.len, 0);
	assert_true(line_scan_feed(&s, "next\n", 5));
	line_match_free(m);
}

/* The console's end ends its last line: matched without its "\n". */
static void last_line_is_matched_at_the_end(void **state)
{
	struct line_match *m = make("^FAIL: [a-z]+$");
	struct line_scan s;

	line_scan_init(&s, m);
	assert_false(line_scan_end(&s)); /* nothing pending */
	assert_false(line_scan_feed(&s, "ok\nFAIL: disk", 13));
	assert_true(line_scan_end(&s));
	assert_string_equal(s.line, "FAIL: disk");
	line_scan_init(&s, m);
	assert_true(line_scan_feed(&s, "FAIL: disk\nok", 13));
	assert_false(line_scan_end(&s)); /* after a match: nothing more */
	line_scan_init(&s, m);
	assert_false(line_scan_feed(&s, "FAIL: 42", 8));
	assert_false(line_scan_end(&s)); /* no match: nothing */
	assert_false(line_scan_end(&s));
	line_match_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(patterns_are_checked),
		cmocka_unit_test(first_matching_pattern_is_named),
		cmocka_unit_test(anchors_and_back_references),
		cmocka_unit_test(runaway_patterns_are_refused),
		cmocka_unit_test(backtracking_is_bounded),
		cmocka_unit_test(linux_set),
		cmocka_unit_test(lines_from_pieces),
		cmocka_unit_test(endless_line_is_bounded),
		cmocka_unit_test(long_line_matched_on_its_head),
		cmocka_unit_test(line_at_the_bound),
		cmocka_unit_test(last_line_is_matched_at_the_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
