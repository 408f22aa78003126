/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tmp_test_util.h - one temporary directory per test program, for the
 * files its tests make.  A failed assertion leaves its test at once, past
 * the test's own unlink(); the directory, removed with all it holds when
 * the group ends (cmocka runs the group teardown after failures too),
 * still takes everything away.  Only a crash leaves it behind.
 */
#ifndef KVMUX_TESTS_TMP_TEST_UTIL_H
#define KVMUX_TESTS_TMP_TEST_UTIL_H

#include <ftw.h> /* FTW_DEPTH, FTW_PHYS: _GNU_SOURCE (the Makefile's) */
#include <stdio.h>
#include <stdlib.h>

/* The directory: "$TMPDIR/kvmux-NAME-XXXXXX" once made; in /tmp when
 * TMPDIR is unset or too long for the tests' path buffers. */
static char tmp_test_dir[64];

/* Make it, as a cmocka group setup would (0, or -1). */
static inline int tmp_test_dir_make(const char *name)
{
	const char *tmp = getenv("TMPDIR");
	int n = -1;

	if (tmp && *tmp)
		n = snprintf(tmp_test_dir, sizeof(tmp_test_dir),
			     "%s/kvmux-%s-XXXXXX", tmp, name);
	if (n < 0 || (size_t)n >= sizeof(tmp_test_dir))
		snprintf(tmp_test_dir, sizeof(tmp_test_dir),
			 "/tmp/kvmux-%s-XXXXXX", name);
	return mkdtemp(tmp_test_dir) ? 0 : -1;
}

static inline int tmp_test_remove_one(const char *path, const struct stat *st,
				      int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

/* Remove it and everything in it, depth first, never following a
 * symbolic link out of it (0, or -1). */
static inline int tmp_test_dir_remove(void)
{
	return nftw(tmp_test_dir, tmp_test_remove_one, 16,
		    FTW_DEPTH | FTW_PHYS);
}

#endif
