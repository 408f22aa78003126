// SPDX-License-Identifier: GPL-2.0-only
/*
 * plan.c - "kvmux plan a.conf b.conf ...": load the config files, size the
 * group to the host (host/alloc.c) and print the plan, so the numbers a
 * multi-VM run would use can be checked before anything starts.
 *
 * The JSON is written by hand: a flat object of numbers and a few strings
 * needs no library, only careful escaping of the strings (json_string()).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kvmux/error.h"
#include "kvmux/exit_status.h"
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
		"capacity: %u vCPUs (%u host CPUs x overcommit %u.%03u), "
		"%s memory; period %s, %s of CPU time per period%s\n",
		p->cpu_capacity, p->host_cpus, p->overcommit_milli / 1000,
		p->overcommit_milli % 1000,
		size_text(mem, sizeof(mem), p->memory_capacity),
		ms_text(period, sizeof(period), p->period_ns),
		ms_text(cpu_time, sizeof(cpu_time), p->cpu_time_ns),
		p->sched != SCHED_MODE_OFF ? "" : " (scheduling off)");
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

/* A JSON string: quotes, backslashes and control bytes escaped. */
static void json_string(FILE *out, const char *text)
{
	const unsigned char *c;

	fputc('"', out);
	for (c = (const unsigned char *)text; *c; c++) {
		if (*c == '"' || *c == '\\')
			fprintf(out, "\\%c", *c);
		else if (*c < 0x20 || *c == 0x7f)
			fprintf(out, "\\u%04x", *c);
		else
			fputc(*c, out);
	}
	fputc('"', out);
}

static void json_capacity(FILE *out, const struct group_plan *p)
{
	fprintf(out,
		"  \"capacity\": {\n"
		"    \"host_cpus\": %u,\n"
		"    \"overcommit\": %u.%03u,\n"
		"    \"vcpus\": %u,\n"
		"    \"memory_bytes\": %llu,\n"
		"    \"period_ns\": %llu,\n"
		"    \"cpu_time_ns\": %llu,\n"
		"    \"sched\": %s,\n"
		"    \"sched_mode\": \"%s\",\n"
		"    \"vcpus_scaled\": %s,\n"
		"    \"memory_scaled\": %s\n"
		"  },\n",
		p->host_cpus, p->overcommit_milli / 1000,
		p->overcommit_milli % 1000, p->cpu_capacity,
		(unsigned long long)p->memory_capacity,
		(unsigned long long)p->period_ns,
		(unsigned long long)p->cpu_time_ns,
		p->sched != SCHED_MODE_OFF ? "true" : "false",
		sched_mode_name(p->sched), p->cpus_scaled ? "true" : "false",
		p->memory_scaled ? "true" : "false");
}

static void json_vm(FILE *out, const struct vm_plan *v, const char *path)
{
	fprintf(out, "    {\n      \"dispatch\": %u,\n      \"name\": ",
		v->dispatch + 1);
	json_string(out, v->name);
	fprintf(out, ",\n      \"config\": ");
	json_string(out, path);
	fprintf(out,
		",\n"
		"      \"vcpus_requested\": %u,\n"
		"      \"vcpus\": %u,\n"
		"      \"memory_requested_bytes\": %llu,\n"
		"      \"memory_bytes\": %llu,\n"
		"      \"priority\": %u,\n"
		"      \"weight\": %u,\n"
		"      \"cap\": %s,\n"
		"      \"share\": %.9f,\n"
		"      \"budget_ns\": %llu\n"
		"    }",
		v->cpus_asked, v->cpus, (unsigned long long)v->memory_asked,
		(unsigned long long)v->memory, v->priority, v->weight,
		v->cap ? "true" : "false", v->share,
		(unsigned long long)v->budget_ns);
}

void plan_print_json(FILE *out, const struct group_plan *plan,
		     char *const *paths)
{
	const struct vm_plan *v;
	unsigned int i;

	fprintf(out, "{\n");
	json_capacity(out, plan);
	fprintf(out, "  \"vms\": [\n");
	for (i = 0; i < plan->nr_vms; i++) {
		v = &plan->vm[plan->order[i]];
		json_vm(out, v, paths[v->index]);
		fprintf(out, "%s\n", i + 1 < plan->nr_vms ? "," : "");
	}
	fprintf(out, "  ]\n}\n");
}

static int fail(int status)
{
	fprintf(stderr, "kvmux: %s\n", err_msg());
	return status;
}

static int plan_group(struct run_request *req, char *const *paths, bool json)
{
	struct group_plan plan;

	if (group_config_resolve_host(&req->group) < 0)
		return fail(EXIT_HOST_FAILURE);
	if (group_plan_build(req->vm, req->nr_vms, &req->group, &plan) < 0)
		return fail(EXIT_BAD_USAGE);
	if (json)
		plan_print_json(stdout, &plan, paths);
	else
		plan_print_table(stdout, &plan);
	group_plan_free(&plan);
	return 0;
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
		return fail(EXIT_BAD_USAGE);
	case CLI_RUN:
		break;
	}
	if (run_request_load(&req, argv + optind, argc - optind) < 0)
		status = fail(EXIT_BAD_USAGE);
	else
		status = plan_group(&req, argv + optind, req.group.json);
	run_request_free(&req);
	return status;
}
