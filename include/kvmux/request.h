/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * request.h - what "kvmux run" and "kvmux plan" share: config files given
 * as arguments, and the options of the group of VMs they describe
 * (--host-cpus, --host-memory, --overcommit, --period, --sched).
 */
#ifndef KVMUX_REQUEST_H
#define KVMUX_REQUEST_H

#include <getopt.h>

#include "kvmux/config.h"

/* getopt_long() codes of the group options (clear of the per-VM ones). */
enum {
	OPT_HOST_CPUS = 0x200,
	OPT_HOST_MEMORY,
	OPT_OVERCOMMIT,
	OPT_PERIOD,
	OPT_SCHED,
};

/* Entries for a struct option table. */
/* clang-format off */
#define GROUP_LONG_OPTIONS                                             \
	{ "host-cpus", required_argument, NULL, OPT_HOST_CPUS },       \
	{ "host-memory", required_argument, NULL, OPT_HOST_MEMORY },   \
	{ "overcommit", required_argument, NULL, OPT_OVERCOMMIT },     \
	{ "period", required_argument, NULL, OPT_PERIOD },             \
	{ "sched", required_argument, NULL, OPT_SCHED }
/* clang-format on */

/* Most host CPUs --host-cpus takes. */
#define GROUP_MAX_HOST_CPUS 65536

/*
 * Apply group option opt (an OPT_* above) with its argument.  Returns 0,
 * 1 if opt is not a group option, or -1 with err_set().
 */
int group_option(int opt, const char *arg, struct group_config *group);

/* The group options' lines for --help texts. */
extern const char group_options_help[];

/*
 * Load the config files paths[0..nr) into req->vm (req->nr_vms = nr).
 * The VMs' names must differ.  Returns 0, or -1 with err_set(); in both
 * cases run_request_free() frees what was loaded.
 */
int run_request_load(struct run_request *req, char *const *paths,
		     unsigned int nr);

#endif
