// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_host_file.c - input files read with host_file_read()
 * (kvmux/host_file.h): the size is the one taken at open; a file that
 * shrinks afterwards is refused with one line naming it (ERR_INPUT), one
 * that grows is read to its old end, and a failing read is the host's
 * (ERR_HOST).  Files are made in one temporary directory
 * (tmp_test_util.h).
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kvmux/error.h"
#include "kvmux/host_file.h"
#include "tmp_test_util.h"

#define LEN 100000

static char path[128];
static uint8_t data[LEN], got[LEN];

static void make_file(size_t len)
{
	FILE *fp;
	size_t i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 31 + 3);
	snprintf(path, sizeof(path), "%s/initrd", tmp_test_dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static void test_read(void **state)
{
	struct host_file f;

	(void)state;
	make_file(LEN);
	assert_int_equal(host_file_open(path, "initrd", UINT64_MAX, &f), 0);
	assert_int_equal(f.len, LEN);
	assert_int_equal(host_file_read(&f, got, 0, LEN), 0);
	assert_memory_equal(got, data, LEN);
	assert_int_equal(host_file_read(&f, got, LEN - 10, 10), 0);
	assert_memory_equal(got, data + LEN - 10, 10);
	assert_int_equal(host_file_read(&f, got, LEN, 0), 0);
	/* Past the size it had: a caller's mistake, never a read. */
	assert_int_equal(host_file_read(&f, got, LEN - 10, 11), -1);
	assert_int_equal(err_class(), ERR_HOST);
	host_file_close(&f);
	assert_null(f.path);
	host_file_close(&f);
}

/* cp truncates, then writes: a reader in between finds the file ended. */
static void test_shrinks_while_read(void **state)
{
	struct host_file f;
	char want[256];

	(void)state;
	make_file(LEN);
	assert_int_equal(host_file_open(path, "initrd", UINT64_MAX, &f), 0);
	assert_int_equal(truncate(path, 4096), 0);
	assert_int_equal(host_file_read(&f, got, 0, 4096), 0);
	assert_int_equal(host_file_read(&f, got, 0, LEN), -1);
	assert_int_equal(err_class(), ERR_INPUT);
	snprintf(want, sizeof(want),
		 "initrd %s changed while being read: it ends at byte 4096, "
		 "before the %d bytes it had when opened",
		 path, LEN);
	assert_string_equal(err_msg(), want);
	/* Read from past its new end: nothing at all. */
	assert_int_equal(host_file_read(&f, got, 8192, 100), -1);
	assert_non_null(strstr(err_msg(), "ends at or before byte 8192,"));
	host_file_close(&f);
}

/* Bytes past the size taken at open are not the input's. */
static void test_grows_while_read(void **state)
{
	struct host_file f;
	int fd;

	(void)state;
	make_file(LEN / 2);
	assert_int_equal(host_file_open(path, "kernel", UINT64_MAX, &f), 0);
	fd = open(path, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data + LEN / 2, LEN / 2), LEN / 2);
	close(fd);
	assert_int_equal(f.len, LEN / 2);
	assert_int_equal(host_file_read(&f, got, 0, LEN / 2), 0);
	assert_memory_equal(got, data, LEN / 2);
	assert_int_equal(host_file_read(&f, got, 0, LEN), -1);
	host_file_close(&f);
}

/* A read(2) that fails (here EISDIR) is the host's failure, named. */
static void test_read_error(void **state)
{
	struct host_file f;
	int dir;

	(void)state;
	make_file(LEN);
	assert_int_equal(host_file_open(path, "module", UINT64_MAX, &f), 0);
	dir = open(tmp_test_dir, O_RDONLY | O_DIRECTORY);
	assert_true(dir >= 0);
	assert_int_equal(dup2(dir, f.fd), f.fd);
	close(dir);
	assert_int_equal(host_file_read(&f, got, 0, 10), -1);
	assert_int_equal(err_class(), ERR_HOST);
	assert_non_null(strstr(err_msg(), "cannot read module "));
	assert_non_null(strstr(err_msg(), "Is a directory"));
	host_file_close(&f);
}

static void test_refused(void **state)
{
	struct host_file f = { .path = "x" };

	(void)state;
	make_file(0);
	assert_int_equal(host_file_open(path, "initrd", UINT64_MAX, &f), -1);
	assert_non_null(strstr(err_msg(), "is empty"));
	assert_null(f.path);
	make_file(LEN);
	assert_int_equal(host_file_open(path, "initrd", LEN - 1, &f), -1);
	assert_non_null(strstr(err_msg(), "larger (100000 bytes)"));
	assert_int_equal(host_file_open(tmp_test_dir, "kernel", UINT64_MAX, &f),
			 -1);
	assert_non_null(strstr(err_msg(), "is a directory"));
	assert_null(f.path);
	/* All zero: nothing to close (not descriptor 0). */
	host_file_close(&f);
}

static int group_setup(void **state)
{
	(void)state;
	return tmp_test_dir_make("host-file");
}

static int group_teardown(void **state)
{
	(void)state;
	return tmp_test_dir_remove();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_shrinks_while_read),
		cmocka_unit_test(test_grows_while_read),
		cmocka_unit_test(test_read_error),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
