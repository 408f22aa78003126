// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_cli.c - the "kvmux run" command line (src/cli/options.c and
 * request.c, getopt_long), with the config files it names and the
 * device and group options behind it.
 *
 * Input: the arguments, one per line; then, after a NUL byte each, up to
 * three config files, which the arguments name as @1, @2 and @3 (files
 * of fuzz_temp_file(), in /dev/shm).  Every other '/' in an argument becomes
 * '_', so no argument names a file outside the current directory (the
 * repository, when run by make): the fuzzer must not open /dev/zero or a
 * FIFO by chance.  --help and --version print to /dev/null.
 *
 * A request that runs must hold at least one VM with a kernel, every VM
 * within the documented limits and named differently from the others,
 * and group options within theirs; a refusal is one error line; nothing
 * leaks (run_request_free()).
 */
#include <fcntl.h>

#include "fuzz_config.h"
#include "kvmux/options.h"
#include "kvmux/request.h"

#define MAX_ARGS 64
#define NR_FILES 3

static struct fuzz_file files[NR_FILES];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int null = open("/dev/null", O_WRONLY);
	unsigned int i;

	for (i = 0; i < NR_FILES; i++)
		fuzz_file_open(&files[i]);
	if (null < 0 || dup2(null, STDOUT_FILENO) < 0)
		abort();
	close(null);
	return 0;
}

/* One argument of len bytes, a malloc'ed string. */
static char *argument(const uint8_t *text, size_t len)
{
	char *arg;
	size_t i;

	if (len == 2 && text[0] == '@' && text[1] >= '1' &&
	    text[1] < '1' + NR_FILES)
		return strdup(files[text[1] - '1'].path);
	arg = malloc(len + 1);
	if (!arg)
		abort();
	for (i = 0; i < len; i++)
		arg[i] = text[i] == '/' ? '_' : text[i];
	arg[len] = '\0';
	return arg;
}

/* Split the arguments at newlines; argv[0] is "run". */
static int split_args(const uint8_t *text, size_t len, char **argv)
{
	int argc = 1;
	const uint8_t *end = text + len, *nl;

	argv[0] = strdup("run");
	while (text < end && argc < MAX_ARGS) {
		nl = memchr(text, '\n', end - text);
		if (!nl)
			nl = end;
		argv[argc++] = argument(text, nl - text);
		text = nl + 1;
	}
	argv[argc] = NULL;
	return argc;
}

static void check_request(const struct run_request *req)
{
	const struct group_config *g = &req->group;
	unsigned int i, j;

	FUZZ_CHECK(req->nr_vms >= 1);
	for (i = 0; i < req->nr_vms; i++) {
		fuzz_check_vm(&req->vm[i]);
		for (j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(req->vm[i].name, req->vm[j].name));
	}
	FUZZ_CHECK(g->host_cpus <= GROUP_MAX_HOST_CPUS);
	FUZZ_CHECK(!g->host_memory || g->host_memory >= LAYOUT_MIN_RAM);
	FUZZ_CHECK(g->overcommit_milli >= 1 && g->overcommit_milli <= 64000);
	FUZZ_CHECK(g->period_ns >= 1000000 && g->period_ns <= 10000000000ULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *end = data + size, *part = data, *nul;
	char *argv[MAX_ARGS + 1];
	struct run_request req;
	unsigned int i;
	int argc;

	nul = memchr(part, '\0', size);
	argc = split_args(part, (nul ? nul : end) - part, argv);
	for (i = 0; i < NR_FILES; i++) {
		part = nul ? nul + 1 : end;
		nul = memchr(part, '\0', end - part);
		fuzz_file_fill(&files[i], part, (nul ? nul : end) - part);
	}
	err_set("%s", "");
	switch (cli_parse_run(argc, argv, &req)) {
	case CLI_RUN:
		check_request(&req);
		break;
	case CLI_USAGE_ERROR:
		fuzz_check_error();
		break;
	case CLI_DONE:
		break;
	}
	run_request_free(&req);
	for (i = 0; i < (unsigned int)argc; i++)
		free(argv[i]);
	return 0;
}
