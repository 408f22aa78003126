// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_disk_overlay.c - the snapshot store of --disk snapshot=on
 * (kvmux/disk_overlay.h): where it is made ($TMPDIR, never with a name
 * one can see), how large, and the map of stored sectors, across the
 * 64-sector words it is kept in.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "kvmux/disk_overlay.h"
#include "kvmux/error.h"

static char scratch[64];

static int make_scratch(void **state)
{
	snprintf(scratch, sizeof(scratch), "/tmp/kvmux-ov-XXXXXX");
	if (!mkdtemp(scratch))
		return -1;
	return setenv("TMPDIR", scratch, 1);
}

static int remove_scratch(void **state)
{
	unsetenv("TMPDIR");
	return rmdir(scratch);
}

/* Entries of dir other than . and .. */
static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static void store_is_unnamed_and_disk_sized(void **state)
{
	struct disk_overlay ov;
	struct stat st;

	assert_int_equal(disk_overlay_open(&ov, 1000, "d.img"), 0);
	assert_true(ov.fd >= 0);
	assert_int_equal(fstat(ov.fd, &st), 0);
	assert_int_equal(st.st_size, 1000 * 512);
	assert_int_equal(st.st_nlink, 0);
	assert_int_equal(entries(scratch), 0);
	assert_string_equal(ov.dir, scratch);
	disk_overlay_close(&ov);
	assert_int_equal(ov.fd, -1);
	disk_overlay_close(&ov); /* twice is harmless */
}

static void missing_tmpdir_is_an_error(void **state)
{
	struct disk_overlay ov;
	char gone[80];

	snprintf(gone, sizeof(gone), "%s/gone", scratch);
	setenv("TMPDIR", gone, 1);
	assert_int_equal(disk_overlay_open(&ov, 8, "d.img"), -1);
	assert_non_null(strstr(err_msg(), "d.img"));
	assert_non_null(strstr(err_msg(), gone));
	assert_int_equal(err_class(), ERR_HOST);
	disk_overlay_close(&ov);
	setenv("TMPDIR", scratch, 1);
}

/* The extent from s of at most n sectors: its length and kind. */
static uint64_t extent(const struct disk_overlay *ov, uint64_t s, uint64_t n,
		       bool want_stored)
{
	bool stored = !want_stored;
	uint64_t len = disk_overlay_extent(ov, s, n, &stored);

	assert_int_equal(stored, want_stored);
	return len;
}

static void nothing_stored_at_first(void **state)
{
	struct disk_overlay ov;

	assert_int_equal(disk_overlay_open(&ov, 300, "d.img"), 0);
	assert_int_equal(extent(&ov, 0, 300, false), 300);
	assert_int_equal(extent(&ov, 299, 1, false), 1);
	assert_int_equal(extent(&ov, 63, 130, false), 130);
	disk_overlay_close(&ov);
}

/* Marks that start and end inside words, span whole words, and touch
 * the last sector: every extent stops exactly at a change. */
static void extents_follow_marks(void **state)
{
	struct disk_overlay ov;

	assert_int_equal(disk_overlay_open(&ov, 300, "d.img"), 0);
	disk_overlay_mark(&ov, 5, 1);
	disk_overlay_mark(&ov, 60, 140); /* 60..199: words 0 to 3 */
	disk_overlay_mark(&ov, 299, 1);
	assert_int_equal(extent(&ov, 0, 300, false), 5);
	assert_int_equal(extent(&ov, 5, 295, true), 1);
	assert_int_equal(extent(&ov, 6, 294, false), 54);
	assert_int_equal(extent(&ov, 60, 240, true), 140);
	assert_int_equal(extent(&ov, 64, 236, true), 136);
	assert_int_equal(extent(&ov, 128, 10, true), 10); /* capped by n */
	assert_int_equal(extent(&ov, 200, 100, false), 99);
	assert_int_equal(extent(&ov, 299, 1, true), 1);
	/* Marking again changes nothing; marking the gap joins runs. */
	disk_overlay_mark(&ov, 60, 4);
	assert_int_equal(extent(&ov, 60, 240, true), 140);
	disk_overlay_mark(&ov, 6, 54);
	assert_int_equal(extent(&ov, 5, 295, true), 195);
	/* All of it, in one mark across whole words. */
	disk_overlay_mark(&ov, 0, 300);
	assert_int_equal(extent(&ov, 0, 300, true), 300);
	assert_int_equal(extent(&ov, 255, 45, true), 45);
	disk_overlay_close(&ov);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(store_is_unnamed_and_disk_sized),
		cmocka_unit_test(missing_tmpdir_is_an_error),
		cmocka_unit_test(nothing_stored_at_first),
		cmocka_unit_test(extents_follow_marks),
	};

	return cmocka_run_group_tests(tests, make_scratch, remove_scratch);
}
