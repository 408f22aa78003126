// SPDX-License-Identifier: GPL-2.0-only
/*
 * plan.c - "kvmux plan a.conf b.conf ...": load the config files, size the
 * group to the host (host/alloc.c) and print the plan, so the numbers a
 * multi-VM run would use can be checked before anything starts.
 *
 * The JSON is jansson's; names and paths go through json_text(), so a
 * byte that is not UTF-8 cannot make it invalid.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kvmux/error.h"
#include "kvmux/exit_status.h"
#include "kvmux/group_sched.h"
#include "kvmux/json_text.h"
#include "kvmux/options.h"
#include "kvmux/plan.h"
#include "kvmux/request.h"
#include "kvmux/settings.h"

/* Only the group's options are plan's: cli_collect() passes no other. */
static int no_vm_option(void *opaque, const struct setting *s, const char *arg)
{
	return err_set("--%s is not an option of kvmux plan", s->option);
}

static enum cli_result parse_args(int argc, char **argv,
				  struct group_config *group)
{
	enum cli_result r;

	r = cli_collect(argc, argv, true, group, no_vm_option, NULL);
	if (r == CLI_RUN && optind == argc) {
		err_set("no config files (usage: kvmux plan CONFIG...)");
		return CLI_USAGE_ERROR;
	}
	return r;
}

/*
 * Sizes for people: "4 GiB", "21.8 GiB", "512 MiB", "64 KiB", one
 * decimal when not whole (--json has the exact bytes).  Each is also a
 * valid --memory value once the blank goes ("4GiB").
 */
static const char *size_text(char *buf, size_t size, uint64_t bytes)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB" };
	unsigned int u = 0;
	uint64_t scale = 1024;

	while (u + 1 < sizeof(unit) / sizeof(unit[0]) &&
	       bytes >= scale * 1024) {
		scale *= 1024;
		u++;
	}
	if (bytes % scale)
		snprintf(buf, size, "%.1f %s", (double)bytes / scale, unit[u]);
	else
		snprintf(buf, size, "%llu %s",
			 (unsigned long long)(bytes / scale), unit[u]);
	return buf;
}

static const char *ms_text(char *buf, size_t size, uint64_t ns)
{
	if (ns % 1000000)
		snprintf(buf, size, "%.3f ms", ns / 1e6);
	else
		snprintf(buf, size, "%llu ms",
			 (unsigned long long)(ns / 1000000));
	return buf;
}

static void print_capacity(FILE *out, const struct group_plan *p)
{
	char mem[32], period[32], cpu_time[32];

	fprintf(out,
		"capacity: %u vCPU%s (%u host CPU%s x overcommit %u.%03u), "
		"%s memory; period %s, %s of CPU time per period%s\n"
		"scheduler: %s\n",
		p->cpu_capacity, p->cpu_capacity == 1 ? "" : "s", p->host_cpus,
		p->host_cpus == 1 ? "" : "s", p->overcommit_milli / 1000,
		p->overcommit_milli % 1000,
		size_text(mem, sizeof(mem), p->memory_capacity),
		ms_text(period, sizeof(period), p->period_ns),
		ms_text(cpu_time, sizeof(cpu_time), p->cpu_time_ns),
		p->sched != SCHED_MODE_OFF ? "" : " (scheduling off)",
		!group_sched_needed(p) ? "not needed (a CPU per vCPU, no cap)" :
		p->sched == SCHED_MODE_OFF ? "needed, but off" :
					     "needed");
	fprintf(out, "vCPUs: %s; memory: %s\n",
		p->cpus_scaled ? "scaled down" : "as asked",
		p->memory_scaled ? "scaled down" : "as asked");
}

static int name_width(const struct group_plan *p)
{
	size_t width = 4, i;

	for (i = 0; i < p->nr_vms; i++) {
		if (strlen(p->vm[i].name) > width)
			width = strlen(p->vm[i].name);
	}
	return width > 40 ? 40 : (int)width;
}

static void print_row(FILE *out, const struct vm_plan *v, int width)
{
	char asked[32], got[32], budget[32];

	fprintf(out, "%-3u %-*s %10u %6u %13s %8s %9u %7u %4s %6.1f%% %s\n",
		v->dispatch + 1, width, v->name, v->cpus_asked, v->cpus,
		size_text(asked, sizeof(asked), v->memory_asked),
		size_text(got, sizeof(got), v->memory), v->priority, v->weight,
		v->cap ? "on" : "off", v->share * 100,
		ms_text(budget, sizeof(budget), v->budget_ns));
}

void plan_print_table(FILE *out, const struct group_plan *plan)
{
	int width = name_width(plan);
	unsigned int i;

	print_capacity(out, plan);
	fprintf(out, "%-3s %-*s %10s %6s %13s %8s %9s %7s %4s %7s %s\n", "#",
		width, "NAME", "ASKED-CPUS", "VCPUS", "ASKED-MEMORY", "MEMORY",
		"PRIORITY", "WEIGHT", "CAP", "SHARE", "BUDGET/PERIOD");
	for (i = 0; i < plan->nr_vms; i++)
		print_row(out, &plan->vm[plan->order[i]], width);
}

static json_t *capacity_json(const struct group_plan *p)
{
	return json_pack("{s:i, s:f, s:i, s:I, s:I, s:I, s:b, s:b, s:s, s:b, "
			 "s:b}",
			 "host_cpus", p->host_cpus, "overcommit",
			 p->overcommit_milli / 1000.0, "vcpus", p->cpu_capacity,
			 "memory_bytes", (json_int_t)p->memory_capacity,
			 "period_ns", (json_int_t)p->period_ns, "cpu_time_ns",
			 (json_int_t)p->cpu_time_ns, "sched",
			 p->sched != SCHED_MODE_OFF, "sched_needed",
			 group_sched_needed(p), "sched_mode",
			 sched_mode_name(p->sched), "vcpus_scaled",
			 p->cpus_scaled, "memory_scaled", p->memory_scaled);
}

static json_t *vm_json(const struct vm_plan *v, const char *path)
{
	return json_pack("{s:i, s:o, s:o, s:i, s:i, s:I, s:I, s:i, s:i, s:b, "
			 "s:f, s:I}",
			 "dispatch", v->dispatch + 1, "name",
			 json_text(v->name), "config", json_text(path),
			 "vcpus_requested", v->cpus_asked, "vcpus", v->cpus,
			 "memory_requested_bytes", (json_int_t)v->memory_asked,
			 "memory_bytes", (json_int_t)v->memory, "priority",
			 v->priority, "weight", v->weight, "cap", v->cap,
			 "share", v->share, "budget_ns",
			 (json_int_t)v->budget_ns);
}

int plan_print_json(FILE *out, const struct group_plan *plan,
		    char *const *paths)
{
	json_t *vms = json_array(), *root;
	unsigned int i;
	int rc;

	for (i = 0; vms && i < plan->nr_vms; i++) {
		const struct vm_plan *v = &plan->vm[plan->order[i]];

		if (json_array_append_new(vms, vm_json(v, paths[v->index])))
			break;
	}
	root = json_pack("{s:o, s:o}", "capacity", capacity_json(plan), "vms",
			 vms);
	if (!root || i < plan->nr_vms)
		rc = err_host("out of memory for the JSON plan");
	else
		rc = json_dumpf(root, out,
				JSON_INDENT(2) | JSON_REAL_PRECISION(9)) < 0 ||
				     fputc('\n', out) == EOF ?
			     err_host("cannot write the plan") :
			     0;
	json_decref(root);
	return rc;
}

static int fail(int status)
{
	fprintf(stderr, "kvmux: %s\n", err_msg());
	return status;
}

static int plan_group(struct run_request *req, char *const *paths, bool json)
{
	struct group_plan plan;
	int rc = 0;

	if (group_config_resolve_host(&req->group) < 0)
		return fail(EXIT_HOST_FAILURE);
	if (group_plan_build(req->vm, req->nr_vms, &req->group, &plan) < 0)
		return fail(EXIT_BAD_USAGE);
	if (json)
		rc = plan_print_json(stdout, &plan, paths);
	else
		plan_print_table(stdout, &plan);
	if (!rc)
		rc = cli_stdout_written("the plan");
	group_plan_free(&plan);
	return rc < 0 ? fail(err_status()) : 0;
}

int plan_main(int argc, char **argv)
{
	struct run_request req = { 0 };
	int status;

	group_config_init(&req.group);
	switch (parse_args(argc, argv, &req.group)) {
	case CLI_DONE:
		return 0;
	case CLI_USAGE_ERROR:
		return fail(err_status()); /* 125: --help not written */
	case CLI_RUN:
		break;
	}
	if (run_request_load(&req, argv + optind, argc - optind) < 0 ||
	    run_request_check(&req) < 0)
		status = fail(EXIT_BAD_USAGE);
	else
		status = plan_group(&req, argv + optind, req.group.json);
	run_request_free(&req);
	return status;
}
