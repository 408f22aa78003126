// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_options.c - the "kvmux run" command line (cli_parse_run): findings
 * of the fuzz target tests/fuzz/fuzz_cli.c, each kept as a test.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <cmocka.h>

#include "kvmux/config.h"
#include "kvmux/error.h"

#define ARGC(argv) ((int)(sizeof(argv) / sizeof((argv)[0])) - 1)

/* cli_parse_run() with stdout on /dev/null: --help and --version print. */
static enum cli_result parse_quietly(int argc, char **argv,
				     struct run_request *req)
{
	int saved = dup(STDOUT_FILENO), null = open("/dev/null", O_WRONLY);
	enum cli_result result;

	assert_true(saved >= 0 && null >= 0);
	fflush(stdout);
	assert_int_equal(dup2(null, STDOUT_FILENO), STDOUT_FILENO);
	result = cli_parse_run(argc, argv, req);
	fflush(stdout);
	assert_int_equal(dup2(saved, STDOUT_FILENO), STDOUT_FILENO);
	close(saved);
	close(null);
	return result;
}

/*
 * A parse that stopped inside a cluster of short options (-hV: --help
 * ends it at 'h') must not leak into the next one, which used to see the
 * 'V' left over from the first argument vector.
 */
static void parses_twice(void **state)
{
	char *first[] = { "run", "-hV", NULL };
	char *second[] = { "run", "--kernel", "k", NULL };
	struct run_request req;

	assert_int_equal(parse_quietly(ARGC(first), first, &req), CLI_DONE);
	run_request_free(&req);
	assert_int_equal(cli_parse_run(ARGC(second), second, &req), CLI_RUN);
	assert_string_equal(req.vm[0].kernel, "k");
	run_request_free(&req);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_twice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
