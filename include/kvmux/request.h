/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * request.h - the config files "kvmux run" and "kvmux plan" are given as
 * arguments, one VM each (cli/request.c).
 */
#ifndef KVMUX_REQUEST_H
#define KVMUX_REQUEST_H

#include "kvmux/config.h"

/*
 * Load the config files paths[0..nr) into req->vm (req->nr_vms = nr).
 * The VMs' names must differ.  Returns 0, or -1 with err_set(); in both
 * cases run_request_free() frees what was loaded.
 */
int run_request_load(struct run_request *req, char *const *paths,
		     unsigned int nr);

/*
 * Every VM's settings agree with each other (vm_config_check()), once
 * the files and the options are applied.  Returns 0, or -1 with err_set()
 * naming the VM and its config file, if any (not for a lone VM of
 * options only).
 */
int run_request_check(const struct run_request *req);

#endif
