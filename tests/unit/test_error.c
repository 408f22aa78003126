// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_error.c - a recorded message is one printable line of at most
 * ERR_MSG_MAX - 1 bytes that keeps its reason (util/error.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kvmux/error.h"

static void control_characters_become_question_marks(void **state)
{
	err_set("kernel %s does not exist", "a\nb\r\x1b[31mc\x7f");
	assert_string_equal(err_msg(), "kernel a?b??[31mc? does not exist");
	assert_int_equal(err_status(), 126);
}

static void short_message_is_whole(void **state)
{
	errno = ENOENT;
	err_input_errno("cannot open %s", "x.img");
	assert_string_equal(err_msg(), "cannot open x.img: "
				       "No such file or directory");
}

/* len bytes of c, a string (free() it). */
static char *repeated(char c, size_t len)
{
	char *text = malloc(len + 1);

	assert_non_null(text);
	memset(text, c, len);
	text[len] = '\0';
	return text;
}

/* Does the last message end with tail? */
static void assert_ends_with(const char *tail)
{
	const char *msg = err_msg();

	assert_true(strlen(msg) >= strlen(tail));
	assert_string_equal(msg + strlen(msg) - strlen(tail), tail);
}

/* A path longer than a message can hold: the start and the reason stay. */
static void long_message_keeps_start_and_end(void **state)
{
	char *path = repeated('a', 5000);

	errno = ENAMETOOLONG;
	err_input_errno("cannot open kernel %s", path);
	assert_int_equal(strlen(err_msg()), ERR_MSG_MAX - 1);
	assert_memory_equal(err_msg(), "cannot open kernel aaa", 22);
	assert_non_null(strstr(err_msg(), " [...] "));
	assert_ends_with(": File name too long");
	free(path);
}

/* Longer than the scratch buffer: the reason from errno still comes. */
static void longer_than_scratch_keeps_errno_reason(void **state)
{
	char *name = repeated('b', 20000);

	errno = EACCES;
	err_set_errno("%s", name);
	assert_ends_with(": Permission denied");
	assert_int_equal(err_status(), 125);
	free(name);
}

/* Longer than the scratch buffer, the reason in the format's end. */
static void longer_than_scratch_keeps_format_end(void **state)
{
	char *name = repeated('e', 20000);

	err_set("'%s' is not a size", name);
	assert_ends_with("' is not a size");
	free(name);
}

/* A message may wrap the last one (err_msg() as an argument). */
static void wrapping_the_last_message(void **state)
{
	err_set("bad value");
	err_set("--cpus: %s", err_msg());
	assert_string_equal(err_msg(), "--cpus: bad value");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(control_characters_become_question_marks),
		cmocka_unit_test(short_message_is_whole),
		cmocka_unit_test(long_message_keeps_start_and_end),
		cmocka_unit_test(longer_than_scratch_keeps_errno_reason),
		cmocka_unit_test(longer_than_scratch_keeps_format_end),
		cmocka_unit_test(wrapping_the_last_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
