// SPDX-License-Identifier: GPL-2.0-only
/*
 * request.c - config files and group options shared by "kvmux run" and
 * "kvmux plan" (kvmux/request.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvmux/config_file.h"
#include "kvmux/error.h"
#include "kvmux/layout.h"
#include "kvmux/parse.h"
#include "kvmux/request.h"

/* The defaults every VM starts from, before its file and options. */
void vm_config_init(struct vm_config *cfg)
{
	*cfg = (struct vm_config){
		.name = "vm",
		.cmdline = "",
		.memory = CONFIG_DEFAULT_MEMORY,
		.cpus = 1,
		.weight = 1,
		.debug_exit = DEBUG_EXIT_DEFAULT,
		.acpi = true,
	};
}

#define OVERCOMMIT_MAX_MILLI 64000 /* 64 vCPUs per host CPU */
#define PERIOD_MIN_MS 1
#define PERIOD_MAX_MS 10000

const char group_options_help[] =
	"      --host-cpus N     host CPUs the VMs share (default: the "
	"online CPUs)\n"
	"      --host-memory SIZE  memory the VMs share (default: "
	"MemAvailable less\n"
	"                        max(256M, 5% of MemTotal))\n"
	"      --overcommit F    vCPUs per host CPU, e.g. 1.5 (default 1)\n"
	"      --period T        scheduling period in seconds, e.g. 0.1 "
	"(default)\n"
	"      --sched auto|cgroup|park|off\n"
	"                        how CPU shares are enforced (default auto: "
	"cgroup\n"
	"                        where possible, else park; on = auto)\n";

void group_config_init(struct group_config *group)
{
	*group = (struct group_config){
		.overcommit_milli = 1000,
		.period_ns = GROUP_DEFAULT_PERIOD_NS,
		.sched = SCHED_MODE_AUTO,
	};
}

void run_request_free(struct run_request *req)
{
	unsigned int i;

	for (i = 0; i < req->nr_vms; i++)
		vm_config_free(&req->vm[i]);
	free(req->vm);
	req->vm = NULL;
	req->nr_vms = 0;
}

/*
 * A factor with up to three decimals, in thousandths.  A number of
 * seconds is read the same way, so parse_duration_ms() does it once the
 * unit letters are ruled out.
 */
static int parse_factor_milli(const char *arg, unsigned int *milli)
{
	uint64_t value;

	if (!*arg || arg[strspn(arg, "0123456789.")] ||
	    parse_duration_ms(arg, &value) < 0)
		return err_set("'%s' is not a number (examples: 1, 1.5, 4)",
			       arg);
	if (!value || value > OVERCOMMIT_MAX_MILLI)
		return err_set("%s is out of range (more than 0, at most %u)",
			       arg, OVERCOMMIT_MAX_MILLI / 1000);
	*milli = value;
	return 0;
}

static int parse_period(const char *arg, uint64_t *ns)
{
	uint64_t ms;

	if (parse_duration_ms(arg, &ms) < 0)
		return -1;
	if (ms < PERIOD_MIN_MS || ms > PERIOD_MAX_MS)
		return err_set("%s is out of range (0.001 to %u seconds; "
			       "100 ms is 0.1)",
			       arg, PERIOD_MAX_MS / 1000);
	*ns = ms * 1000000;
	return 0;
}

static int parse_host_memory(const char *arg, uint64_t *bytes)
{
	if (parse_size(arg, SIZE_MIB, bytes) < 0)
		return -1;
	if (*bytes < LAYOUT_MIN_RAM)
		return err_set("%s is too small (at least %llu MiB)", arg,
			       LAYOUT_MIN_RAM >> 20);
	return 0;
}

/* The names of --sched; "on" is accepted for auto, as before. */
static const struct {
	const char *name;
	enum sched_mode mode;
} sched_mode_names[] = {
	{ "off", SCHED_MODE_OFF },	 { "auto", SCHED_MODE_AUTO },
	{ "cgroup", SCHED_MODE_CGROUP }, { "park", SCHED_MODE_PARK },
	{ "on", SCHED_MODE_AUTO },
};

const char *sched_mode_name(enum sched_mode mode)
{
	size_t i;

	for (i = 0; i < sizeof(sched_mode_names) / sizeof(sched_mode_names[0]);
	     i++)
		if (sched_mode_names[i].mode == mode)
			return sched_mode_names[i].name;
	return "unknown";
}

static int parse_sched_mode(const char *arg, enum sched_mode *mode)
{
	size_t i;

	for (i = 0; i < sizeof(sched_mode_names) / sizeof(sched_mode_names[0]);
	     i++) {
		if (!strcmp(arg, sched_mode_names[i].name)) {
			*mode = sched_mode_names[i].mode;
			return 0;
		}
	}
	return err_set("'%s' is not auto, cgroup, park or off", arg);
}

static int apply_group_option(int opt, const char *arg,
			      struct group_config *group)
{
	uint64_t value;

	switch (opt) {
	case OPT_HOST_CPUS:
		if (parse_uint(arg, 1, GROUP_MAX_HOST_CPUS, &value) < 0)
			return -1;
		group->host_cpus = value;
		return 0;
	case OPT_HOST_MEMORY:
		return parse_host_memory(arg, &group->host_memory);
	case OPT_OVERCOMMIT:
		return parse_factor_milli(arg, &group->overcommit_milli);
	case OPT_PERIOD:
		return parse_period(arg, &group->period_ns);
	case OPT_SCHED:
		return parse_sched_mode(arg, &group->sched);
	}
	return 1;
}

int group_option(int opt, const char *arg, struct group_config *group)
{
	static const char *const names[] = {
		[OPT_HOST_CPUS - OPT_HOST_CPUS] = "--host-cpus",
		[OPT_HOST_MEMORY - OPT_HOST_CPUS] = "--host-memory",
		[OPT_OVERCOMMIT - OPT_HOST_CPUS] = "--overcommit",
		[OPT_PERIOD - OPT_HOST_CPUS] = "--period",
		[OPT_SCHED - OPT_HOST_CPUS] = "--sched",
	};
	char why[ERR_MSG_MAX];
	int rc = apply_group_option(opt, arg, group);

	if (rc < 0) {
		/* err_set() must not read the buffer it writes. */
		snprintf(why, sizeof(why), "%s", err_msg());
		return err_set("%s: %s", names[opt - OPT_HOST_CPUS], why);
	}
	return rc;
}

static int check_names(const struct run_request *req, char *const *paths)
{
	unsigned int i, j;

	for (i = 0; i < req->nr_vms; i++) {
		for (j = 0; j < i; j++) {
			if (!strcmp(req->vm[i].name, req->vm[j].name))
				return err_set("%s and %s both name a VM "
					       "'%s': set [vm] name in one",
					       paths[j], paths[i],
					       req->vm[i].name);
		}
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
		if (config_file_load(paths[i], &req->vm[i]) < 0)
			return -1;
	}
	return check_names(req, paths);
}
