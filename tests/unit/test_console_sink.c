// SPDX-License-Identifier: GPL-2.0-only
/* test_console_sink.c - console output as prefixed lines, and iov_advance */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kvmux/console_sink.h"
#include "kvmux/iov.h"

static size_t drain(int fd, char *buf, size_t size)
{
	ssize_t n = read(fd, buf, size - 1);

	buf[n > 0 ? n : 0] = '\0';
	return n > 0 ? n : 0;
}

static void prefixed_lines(void **state)
{
	int p[2];
	char out[256];
	struct console_sink *sink;

	assert_int_equal(pipe(p), 0);
	sink = console_sink_create(p[1], "vm1");
	assert_non_null(sink);
	/* Bytes arrive one at a time, as from a UART; \r is dropped. */
	console_sink_write(sink, "he", 2);
	console_sink_write(sink, "llo\r\nwor", 8);
	console_sink_write(sink, "ld", 2);
	console_sink_flush(sink); /* the VM stopped mid-line */
	drain(p[0], out, sizeof(out));
	assert_string_equal(out, "vm1| hello\nvm1| world\n");
	console_sink_destroy(sink);
	close(p[0]);
	close(p[1]);
}

static void raw_passes_through(void **state)
{
	int p[2];
	char out[64];
	struct console_sink *sink;

	assert_int_equal(pipe(p), 0);
	sink = console_sink_create(p[1], NULL);
	console_sink_write(sink, "a\r\nb", 4);
	assert_int_equal(drain(p[0], out, sizeof(out)), 4);
	assert_string_equal(out, "a\r\nb");
	console_sink_destroy(sink);
	close(p[0]);
	close(p[1]);
}

static void long_lines_are_split_not_lost(void **state)
{
	static char line[10000], out[20000];
	int p[2];
	struct console_sink *sink;
	size_t got = 0, n;

	memset(line, 'x', sizeof(line));
	assert_int_equal(pipe(p), 0);
	sink = console_sink_create(p[1], "v");
	console_sink_write(sink, line, sizeof(line));
	console_sink_destroy(sink);
	close(p[1]);
	while ((n = drain(p[0], out + got, sizeof(out) - got)) > 0)
		got += n;
	/* 10000 bytes in pieces of at most 4096, each with its "v| ". */
	assert_int_equal(got, sizeof(line) + 3 * 3 + 1);
	close(p[0]);
}

static void discard_without_fd(void **state)
{
	struct console_sink *sink = console_sink_create(-1, "quiet");

	console_sink_write(sink, "lost\n", 5);
	console_sink_destroy(sink);
}

static void advance_over_entries(void **state)
{
	char a[4], b[8], c[2];
	struct iovec vec[3] = { { a, 4 }, { b, 8 }, { c, 2 } };
	struct iovec *iov = vec;
	int n = 3;

	iov_advance(&iov, &n, 6);
	assert_int_equal(n, 2);
	assert_ptr_equal(iov->iov_base, b + 2);
	assert_int_equal(iov->iov_len, 6);
	iov_advance(&iov, &n, 8);
	assert_int_equal(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(prefixed_lines),
		cmocka_unit_test(raw_passes_through),
		cmocka_unit_test(long_lines_are_split_not_lost),
		cmocka_unit_test(discard_without_fd),
		cmocka_unit_test(advance_over_entries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
