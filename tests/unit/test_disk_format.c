// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_disk_format.c - the qemu-img command kvmux suggests for an image
 * it refuses: a path a shell would split or expand is quoted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "kvmux/disk_format.h"

static void expect_command(const char *path, const char *want)
{
	char buf[256];

	assert_string_equal(disk_format_convert_command(buf, sizeof(buf), path),
			    want);
}

static void plain_paths_stay_as_they_are(void **state)
{
	expect_command(
		"/tmp/a-b_c.d/x+y,z:1=2@h%3.qcow2",
		"qemu-img convert -O raw /tmp/a-b_c.d/x+y,z:1=2@h%3.qcow2 "
		"/tmp/a-b_c.d/x+y,z:1=2@h%3.qcow2.raw");
}

static void other_paths_are_quoted(void **state)
{
	expect_command("my disk,1.qcow2",
		       "qemu-img convert -O raw 'my disk,1.qcow2' "
		       "'my disk,1.qcow2.raw'");
	expect_command("it's $HOME/*.vmdk",
		       "qemu-img convert -O raw 'it'\\''s $HOME/*.vmdk' "
		       "'it'\\''s $HOME/*.vmdk.raw'");
	expect_command("~/a", "qemu-img convert -O raw '~/a' '~/a.raw'");
}

static void a_short_buffer_cuts_the_command(void **state)
{
	char buf[12];

	assert_string_equal(
		disk_format_convert_command(buf, sizeof(buf), "a b"),
		"qemu-img co");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_paths_stay_as_they_are),
		cmocka_unit_test(other_paths_are_quoted),
		cmocka_unit_test(a_short_buffer_cuts_the_command),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
