/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * options.h - the command lines of "kvmux run" and "kvmux plan", read
 * from the table of settings (cli/options.c, kvmux/settings.h).
 */
#ifndef KVMUX_OPTIONS_H
#define KVMUX_OPTIONS_H

#include <stdbool.h>

#include "kvmux/config.h"

enum cli_result {
	CLI_RUN, /* the request is filled: go */
	CLI_DONE, /* --help or --version printed: exit 0 */
	/* err_msg() says what is wrong, err_status() gives the exit status:
	 * 126, or 125 when --help's or --version's text could not be
	 * written. */
	CLI_USAGE_ERROR,
};

/*
 * Parse the arguments of "kvmux run" (argv[0] is "run"): config files as
 * positional arguments, options on top of them.  On CLI_RUN, req holds at
 * least one VM; free it with run_request_free() in any case.
 */
enum cli_result cli_parse_run(int argc, char **argv, struct run_request *req);

struct setting;

/* What cli_collect() does with an option of a VM (not the group's). */
typedef int (*cli_vm_option_fn)(void *opaque, const struct setting *s,
				const char *arg);

/*
 * Read argv's options (argv[0] is "run" or "plan") from the settings
 * table: those of the group into group, the others through keep; --help
 * and --version print and give CLI_DONE.  Leaves optind at the first
 * argument that is not an option.
 */
enum cli_result cli_collect(int argc, char **argv, bool plan,
			    struct group_config *group, cli_vm_option_fn keep,
			    void *opaque);

/*
 * Print the text of "kvmux --help" and "kvmux run --help", of
 * "kvmux plan --help", of "kvmux --version", to stdout and flush it.
 * Returns 0, or -1 with err_host() (exit status 125) when it could not
 * all be written (a full disk, a closed pipe with SIGPIPE ignored).
 */
int cli_print_usage(void);
int plan_print_usage(void);
int cli_print_version(void);

/*
 * Flush stdout: 0 if everything printed to it reached it, else -1 with
 * err_host() "cannot write WHAT to standard output: REASON" (exit status
 * 125): text a script asked for must not end cut or empty with status 0.
 */
int cli_stdout_written(const char *what);

#endif
