// SPDX-License-Identifier: GPL-2.0-only
/*
 * request.c - the config files of "kvmux run" and "kvmux plan": one VM
 * each (kvmux/request.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kvmux/config_file.h"
#include "kvmux/error.h"
#include "kvmux/layout.h"
#include "kvmux/parse.h"
#include "kvmux/request.h"

/* Do two paths name one file (symbolic links followed)? */
static bool one_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/*
 * One file under two paths (a symbolic link, "./a.conf") is one VM given
 * twice whatever names the files would give: two VMs writing one disk and
 * one console file are the user's slip, not two VMs.
 */
static int same_file(const char *a, const char *b)
{
	if (!strcmp(a, b))
		return err_set("%s is given twice: one config file is one VM",
			       a);
	if (one_file(a, b))
		return err_set("%s and %s are one config file, given twice: "
			       "one config file is one VM",
			       a, b);
	return 0;
}

static int check_names(const struct run_request *req, char *const *paths)
{
	unsigned int i, j;

	for (i = 0; i < req->nr_vms; i++) {
		for (j = 0; j < i; j++) {
			if (same_file(paths[j], paths[i]))
				return -1;
			if (!strcmp(req->vm[i].name, req->vm[j].name))
				return err_set("%s and %s both name a VM '%s': "
					       "set [vm] name in one",
					       paths[j], paths[i],
					       req->vm[i].name);
		}
	}
	return 0;
}

int run_request_check(const struct run_request *req)
{
	char why[ERR_MSG_MAX];
	const struct vm_config *vm;
	unsigned int i;

	for (i = 0; i < req->nr_vms; i++) {
		vm = &req->vm[i];
		if (!vm_config_check(vm))
			continue;
		if (!vm->config_file && req->nr_vms == 1)
			return -1;
		/* The file's settings or the options': name both. */
		snprintf(why, sizeof(why), "%s", err_msg());
		return vm->config_file ?
			       err_set("VM %s (%s and the options): %s",
				       vm->name, vm->config_file, why) :
			       err_set("VM %s: %s", vm->name, why);
	}
	return 0;
}

int run_request_load(struct run_request *req, char *const *paths,
		     unsigned int nr)
{
	unsigned int i;

	req->vm = calloc(nr, sizeof(*req->vm));
	if (!req->vm)
		return err_host("out of memory for %u VMs", nr);
	for (i = 0; i < nr; i++) {
		vm_config_init(&req->vm[i]);
		req->nr_vms = i + 1;
		req->vm[i].config_file = paths[i];
		if (config_file_load(paths[i], &req->vm[i]) < 0)
			return -1;
	}
	return check_names(req, paths);
}
