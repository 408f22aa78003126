// SPDX-License-Identifier: GPL-2.0-only
/*
 * main.c - kvmux's entry: pick the subcommand and hand off.
 */
#include <stdio.h>
#include <string.h>

#include "kvmux/config.h"
#include "kvmux/error.h"
#include "kvmux/exit_status.h"
#include "kvmux/options.h"
#include "kvmux/plan.h"
#include "kvmux/privileges.h"
#include "kvmux/result.h"
#include "kvmux/run.h"
#include "kvmux/same_file.h"
#include "kvmux/seccomp.h"

static int usage_error(const char *msg)
{
	fprintf(stderr, "kvmux: %s\n", msg);
	return EXIT_BAD_USAGE;
}

/* --result was given before the mistake: it says so too, unless it is
 * another file of the run (the VMs read so far). */
static void result_usage_error(const struct run_request *req, int status)
{
	char error[ERR_MSG_MAX];
	struct run_result res = { .status = status, .error = error };

	if (!req->group.result)
		return;
	snprintf(error, sizeof(error), "%s", err_msg());
	if (same_file_check_run(req) < 0 ||
	    result_open(req->group.result) < 0 || result_write(&res, NULL) < 0)
		fprintf(stderr, "kvmux: %s\n", err_msg());
}

/* "kvmux --help", "kvmux --version": nothing may follow, and a text that
 * could not be written is the host's failure (125), not a success. */
static int print_info(int argc, char **argv, int (*print)(void))
{
	if (argc > 2) {
		err_set("%s takes no arguments (got '%s')", argv[1], argv[2]);
		return usage_error(err_msg());
	}
	if (print() < 0) {
		fprintf(stderr, "kvmux: %s\n", err_msg());
		return err_status();
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct run_request req;
	int status = 0;

	/* Before anything is opened: no file may become stdout (or stderr)
	 * because it was closed. */
	if (host_open_std_fds() < 0)
		return EXIT_HOST_FAILURE;
	host_close_inherited_fds();
	seccomp_use_prebuilt(&seccomp_prebuilt); /* build/gen/, by make */
	if (argc < 2)
		return usage_error("no command (try: kvmux run --kernel IMAGE, "
				   "or kvmux --help)");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help"))
		return print_info(argc, argv, cli_print_usage);
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V") ||
	    !strcmp(argv[1], "version"))
		return print_info(argc, argv, cli_print_version);
	if (!strcmp(argv[1], "plan"))
		return plan_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "run")) {
		err_set("unknown command '%s' (try: kvmux --help)", argv[1]);
		return usage_error(err_msg());
	}
	switch (cli_parse_run(argc - 1, argv + 1, &req)) {
	case CLI_DONE:
		status = 0;
		break;
	case CLI_USAGE_ERROR:
		fprintf(stderr, "kvmux: %s\n", err_msg());
		status = err_status(); /* 125: --help's text not written */
		result_usage_error(&req, status);
		break;
	case CLI_RUN:
		/* Once the options are read: their --help must not keep a
		 * stop signal waiting behind a stdout that does not drain. */
		if (run_block_stop_signals() < 0) {
			fprintf(stderr, "kvmux: %s\n", err_msg());
			status = EXIT_HOST_FAILURE;
			break;
		}
		status = run_request(&req);
		break;
	}
	run_request_free(&req);
	return status;
}
