// SPDX-License-Identifier: GPL-2.0-only
/*
 * plan.c - "kvmux plan a.conf b.conf ...": load the config files, size the
 * group to the host (host/alloc.c) and print the plan, so the numbers a
 * multi-VM run would use can be checked before anything starts.
 *
 * The JSON is written by hand: a flat object of numbers and a few strings
 * needs no library, only careful escaping of the strings (json_string()).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "kvmux/error.h"
#include "kvmux/exit_status.h"
#include "kvmux/plan.h"
#include "kvmux/request.h"

enum { OPT_JSON = 0x300 };

static const struct option plan_options[] = {
	GROUP_LONG_OPTIONS,
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

enum parse_result { PARSE_OK, PARSE_DONE, PARSE_ERROR };

static void print_usage(void)
{
	printf("Usage: kvmux plan CONFIG... [options]\n"
	       "\n"
	       "Show how the VMs of the config files would share this host: "
	       "vCPUs and memory\n"
	       "each would get, and its share of CPU time per scheduling "
	       "period, in dispatch\n"
	       "order.  Nothing is started.  See docs/config.md.\n"
	       "\n"
	       "Options:\n"
	       "%s"
	       "      --json            print the plan as a JSON object\n"
	       "  -h, --help            this text\n",
	       group_options_help);
}

static enum parse_result parse_args(int argc, char **argv,
				    struct group_config *group, bool *json)
{
	int opt, rc;

	optind = 0; /* a fresh scan, as in cli_parse_run() */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", plan_options, NULL)) !=
	       -1) {
		if (opt == 'h') {
			print_usage();
			return PARSE_DONE;
		}
		if (opt == OPT_JSON) {
			*json = true;
			continue;
		}
		if (opt == '?' || opt == ':') {
			err_set("%s '%s' (see kvmux plan --help)",
				opt == '?' ? "unknown option" :
					     "missing value for option",
				argv[optind - 1]);
			return PARSE_ERROR;
		}
		rc = group_option(opt, optarg, group);
		if (rc)
			return PARSE_ERROR;
	}
	if (optind == argc) {
		err_set("no config files (usage: kvmux plan CONFIG...)");
		return PARSE_ERROR;
	}
	return PARSE_OK;
}

/* Sizes as the config takes them: whole MiB, else KiB (4 KiB steps). */
static const char *size_text(char *buf, size_t size, uint64_t bytes)
{
	if (bytes % (1ULL << 20))
		snprintf(buf, size, "%lluK", (unsigned long long)(bytes >> 10));
	else
		snprintf(buf, size, "%lluM", (unsigned long long)(bytes >> 20));
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
		p->sched ? "" : " (scheduling off)");
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
		"    \"vcpus_scaled\": %s,\n"
		"    \"memory_scaled\": %s\n"
		"  },\n",
		p->host_cpus, p->overcommit_milli / 1000,
		p->overcommit_milli % 1000, p->cpu_capacity,
		(unsigned long long)p->memory_capacity,
		(unsigned long long)p->period_ns,
		(unsigned long long)p->cpu_time_ns, p->sched ? "true" : "false",
		p->cpus_scaled ? "true" : "false",
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
	bool json = false;
	int status;

	group_config_init(&req.group);
	switch (parse_args(argc, argv, &req.group, &json)) {
	case PARSE_DONE:
		return 0;
	case PARSE_ERROR:
		return fail(EXIT_BAD_USAGE);
	case PARSE_OK:
		break;
	}
	if (run_request_load(&req, argv + optind, argc - optind) < 0)
		status = fail(EXIT_BAD_USAGE);
	else
		status = plan_group(&req, argv + optind, json);
	run_request_free(&req);
	return status;
}
