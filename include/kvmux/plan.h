/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * plan.h - "kvmux plan": how a group of VMs would share this host, printed
 * without starting anything (a table, or JSON with --json).
 */
#ifndef KVMUX_PLAN_H
#define KVMUX_PLAN_H

#include <stdio.h>

#include "kvmux/alloc.h"

/* Run "kvmux plan" (argv[0] is "plan"); returns the exit status. */
int plan_main(int argc, char **argv);

/* The plan as a table, and as JSON (RFC 8259; docs/config.md lists its
 * members); paths[i] is VM i's config file.  The JSON: 0, or -1 with
 * err_set() (out of memory, a write error). */
void plan_print_table(FILE *out, const struct group_plan *plan);
int plan_print_json(FILE *out, const struct group_plan *plan,
		    char *const *paths);

#endif
