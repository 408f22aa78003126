// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_json_text.c - json_text() keeps valid UTF-8 and replaces every
 * byte of an invalid sequence with U+FFFD (RFC 3629's rules: no overlong
 * forms, no surrogates, nothing above U+10FFFF, no cut sequences).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kvmux/json_text.h"

#define FFFD "\xef\xbf\xbd"

static void expect(const char *in, const char *want)
{
	json_t *s = json_text(in);

	assert_non_null(s);
	assert_string_equal(json_string_value(s), want);
	json_decref(s);
}

static void valid_text_is_kept(void **state)
{
	expect("", "");
	expect("plain ascii", "plain ascii");
	expect("caf\xc3\xa9", "caf\xc3\xa9"); /* 2 bytes */
	expect("\xe2\x82\xac", "\xe2\x82\xac"); /* 3 bytes */
	expect("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"); /* 4 bytes */
	expect("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf"); /* U+10FFFF */
}

static void invalid_bytes_are_replaced(void **state)
{
	expect("caf\xe9", "caf" FFFD); /* Latin-1 */
	expect("\xc0\xaf", FFFD FFFD); /* overlong '/' */
	expect("\xe0\x80\xaf", FFFD FFFD FFFD); /* overlong, 3 bytes */
	expect("\xed\xa0\x80", FFFD FFFD FFFD); /* a surrogate */
	expect("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD); /* > U+10FFFF */
	expect("\xe2\x82", FFFD FFFD); /* cut short by the end */
	expect("\xe2\x82x", FFFD FFFD "x"); /* cut short by ASCII */
	expect("\x80 \xbf", FFFD " " FFFD); /* lone continuations */
	expect("\xff\xfe", FFFD FFFD);
}

static void null_is_json_null(void **state)
{
	json_t *v = json_text(NULL);

	assert_true(json_is_null(v));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_text_is_kept),
		cmocka_unit_test(invalid_bytes_are_replaced),
		cmocka_unit_test(null_is_json_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
