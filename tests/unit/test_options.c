// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_options.c - the "kvmux run" command line (cli_parse_run): what
 * the fuzz target tests/fuzz/fuzz_cli.c found, each kept as a test.
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

/* The config file refuses an empty path or name; so does the command
 * line, where it used to run into "kernel  does not exist". */
static void empty_values_refused(void **state)
{
	char *empty_kernel[] = { "run", "--kernel=", NULL };
	char *empty_name[] = { "run", "-k", "k", "--name", "", NULL };
	char *empty_cmdline[] = { "run", "-k", "k", "--cmdline", "", NULL };
	struct run_request req;

	assert_int_equal(cli_parse_run(ARGC(empty_kernel), empty_kernel, &req),
			 CLI_USAGE_ERROR);
	assert_string_equal(err_msg(),
			    "option '--kernel' needs a value, not ''");
	run_request_free(&req);
	assert_int_equal(cli_parse_run(ARGC(empty_name), empty_name, &req),
			 CLI_USAGE_ERROR);
	assert_string_equal(err_msg(), "option '--name' needs a value, not ''");
	run_request_free(&req);
	/* An empty command line is a command line. */
	assert_int_equal(
		cli_parse_run(ARGC(empty_cmdline), empty_cmdline, &req),
		CLI_RUN);
	assert_string_equal(req.vm[0].cmdline, "");
	run_request_free(&req);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_twice),
		cmocka_unit_test(empty_values_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
