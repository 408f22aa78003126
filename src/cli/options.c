// SPDX-License-Identifier: GPL-2.0-only
/*
 * options.c - the command lines of "kvmux run" and "kvmux plan", read
 * with getopt_long() from the table of settings (kvmux/settings.h).
 *
 * Options that describe a VM are applied after its config file (the
 * command line overrides it), to every VM of the run; options of the
 * group apply once.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvmux/config.h"
#include "kvmux/error.h"
#include "kvmux/exit_status.h"
#include "kvmux/options.h"
#include "kvmux/request.h"
#include "kvmux/settings.h"

/* getopt_long() codes: the setting's index in the table, above chars. */
#define OPT_BASE 0x100
/* Each row's option and alias, --help, --version, the end. */
#define MAX_OPTIONS (2 * SETTINGS_MAX + 3)

/* The table as getopt_long() wants it, for run (plan = false) or plan. */
static void make_options(bool plan, struct option *longs, char *shorts)
{
	const struct setting *s;
	unsigned int n = 0;
	char *p = shorts;

	p += sprintf(p, ":hV");
	for (s = settings; s->key || s->option; s++) {
		bool flag = s->type == SETTING_FLAG;

		if (!s->option || (plan && !(s->flags & SETTING_PLAN)) ||
		    (!plan && (s->flags & SETTING_PLAN_ONLY)))
			continue;
		longs[n] =
			(struct option){ s->option,
					 flag ? no_argument : required_argument,
					 NULL, OPT_BASE + (s - settings) };
		if (s->alias) {
			longs[n + 1] = longs[n];
			longs[n + 1].name = s->alias;
			n++;
		}
		n++;
		if (s->short_option)
			p += sprintf(p, "%c%s", s->short_option,
				     flag ? "" : ":");
	}
	longs[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	longs[n++] = (struct option){ "version", no_argument, NULL, 'V' };
	longs[n] = (struct option){ NULL, 0, NULL, 0 };
}

int cli_stdout_written(const char *what)
{
	int err = fflush(stdout) ? errno : 0;

	if (!err && !ferror(stdout))
		return 0;
	clearerr(stdout);
	return err_host("cannot write %s to standard output: %s", what,
			err ? strerror(err) : "write error");
}

int cli_print_usage(void)
{
	printf("Usage: kvmux run --kernel IMAGE [options]\n"
	       "       kvmux run CONFIG... [options]\n"
	       "       kvmux plan CONFIG... [options]  (see kvmux plan "
	       "--help)\n"
	       "       kvmux --version | --help\n"
	       "\n"
	       "Boot IMAGE (a Linux bzImage, an ELF kernel with a PVH entry "
	       "note, or a\n"
	       "multiboot kernel) on /dev/kvm.\n"
	       "\n");
	settings_print_help(stdout, false);
	printf("  -h, --help            this text\n"
	       "  -V, --version         kvmux's version\n"
	       "\n"
	       "CONFIG is a VM's config file (docs/config.md); the options "
	       "above override it,\n"
	       "and with several files they apply to every VM (--name "
	       "excepted).\n"
	       "\n"
	       "The console is on stdin/stdout; the UART also prints when the "
	       "console is virtio.\n"
	       "On a terminal, Ctrl-A x stops the VM, Ctrl-A h lists the keys; "
	       "Ctrl-A Ctrl-A\n"
	       "sends Ctrl-A.  Ctrl-A x works whatever --console-output is.\n"
	       "\n"
	       "%s",
	       exit_status_help);
	return cli_stdout_written("the help");
}

int plan_print_usage(void)
{
	printf("Usage: kvmux plan CONFIG... [options]\n"
	       "\n"
	       "Show how the VMs of the config files would share this host: "
	       "vCPUs and memory\n"
	       "each would get, and its share of CPU time per scheduling "
	       "period, in dispatch\n"
	       "order.  Nothing is started.  See docs/config.md.\n"
	       "\n");
	settings_print_help(stdout, true);
	printf("  -h, --help            this text\n");
	return cli_stdout_written("the help");
}

int cli_print_version(void)
{
	printf("kvmux %s\n", KVMUX_VERSION);
	return cli_stdout_written("the version");
}

/* "--disk" or "-d": how the user spelled the option, for messages. */
static void option_name(const struct setting *s, char *buf, size_t size)
{
	snprintf(buf, size, "--%s", s->option);
}

/*
 * One element of a --disk/--module value: "key=value", or, first only, a
 * bare value for the section's first key (path).  A doubled comma stands
 * for a comma; elem has them undoubled already.  seen[] (by row in the
 * settings table) refuses a key given twice.
 */
static int apply_element(const struct setting *opt, char *elem, bool first,
			 bool *seen, struct setting_ctx *ctx)
{
	char *eq = strchr(elem, '=');
	const char *key = eq ? elem : "path", *value = eq ? eq + 1 : elem;
	const struct setting *s;

	if (!eq && !first) {
		s = setting_find(opt->key, elem);
		if (s && s->type == SETTING_BOOL)
			return err_set("'%s' needs a value: %s=on (--%s %s)",
				       elem, elem, opt->option, opt->value);
		return err_set("'%s' is not KEY=VALUE; only the first part "
			       "may be a bare file (--%s %s)",
			       elem, opt->option, opt->value);
	}
	if (eq)
		*eq = '\0';
	s = setting_find(opt->key, key);
	if (!s)
		return err_set("unknown key '%s' (--%s %s)", key, opt->option,
			       opt->value);
	if (seen[s - settings])
		return err_set("%s= given twice (--%s %s)", key, opt->option,
			       opt->value);
	seen[s - settings] = true;
	return setting_apply(s, value, ctx);
}

/* Does the element at p set a key that takes the rest of the value? */
static bool rest_key(const struct setting *opt, const char *p)
{
	const char *eq = strchr(p, '='), *comma = strchr(p, ',');
	const struct setting *s;
	char key[32];

	if (!eq || (comma && comma < eq) || (size_t)(eq - p) >= sizeof(key))
		return false;
	snprintf(key, sizeof(key), "%.*s", (int)(eq - p), p);
	s = setting_find(opt->key, key);
	return s && (s->flags & SETTING_REST);
}

/* The next element of spec (from *p), commas undoubled; NULL at end. */
static char *next_element(const char **p, char *buf, bool rest)
{
	size_t n = 0;

	if (!**p)
		return NULL;
	for (; **p; (*p)++) {
		if (**p == ',' && !rest) {
			if ((*p)[1] != ',')
				break;
			(*p)++; /* ",," is a comma */
		}
		buf[n++] = **p;
	}
	buf[n] = '\0';
	if (**p == ',')
		(*p)++;
	return buf;
}

/* --disk path=FILE,readonly=on / --module FILE,cmdline=...: an instance. */
static int apply_section_option(const struct setting *opt, const char *spec,
				struct vm_config *vm)
{
	struct setting_ctx ctx = { .vm = vm };
	const struct setting *missing;
	char *elem = malloc(strlen(spec) + 1);
	const char *p = spec;
	bool seen[SETTINGS_MAX] = { false };
	unsigned int n = 0;
	int rc = 0;

	ctx.target = setting_new_instance(opt->scope, vm);
	if (!elem || !ctx.target) {
		free(elem);
		return ctx.target ? err_host("out of memory") : -1;
	}
	while (!rc && next_element(&p, elem, rest_key(opt, p)))
		rc = apply_element(opt, elem, !n++, seen, &ctx);
	free(elem);
	if (rc < 0)
		return -1;
	missing = setting_missing(opt->scope, ctx.target);
	if (missing)
		return err_set("no %s= given (--%s %s)", missing->key,
			       opt->option, opt->value);
	return 0;
}

/* Apply one option to one VM. */
static int apply_vm_option(const struct setting *s, const char *arg,
			   struct vm_config *vm)
{
	struct setting_ctx ctx = { .vm = vm, .target = vm };
	char why[ERR_MSG_MAX], name[64];
	int rc;

	if (s->type == SETTING_SECTION)
		rc = apply_section_option(s, arg, vm);
	else
		rc = setting_apply(s, arg, &ctx);
	if (!rc)
		return 0;
	/* err_set() must not read the buffer it writes. */
	snprintf(why, sizeof(why), "%s", err_msg());
	option_name(s, name, sizeof(name));
	if (err_class() == ERR_HOST)
		return err_host("%s: %s", name, why);
	return err_set("%s: %s", name, why);
}

static int cli_apply_group_option(const struct setting *s, const char *arg,
				  struct group_config *group)
{
	struct setting_ctx ctx = { .group = group, .target = group };
	char why[ERR_MSG_MAX];

	if (setting_apply(s, arg, &ctx) == 0)
		return 0;
	snprintf(why, sizeof(why), "%s", err_msg());
	return err_set("--%s: %s", s->option, why);
}

/* A per-VM option, applied once the config files are loaded. */
struct vm_option {
	const struct setting *s;
	const char *arg;
};

/* "--stat" for --stats and --stats-json: the long options it starts. */
static void ambiguous_option(const char *arg, const struct option *longs,
			     bool plan)
{
	size_t len = strcspn(arg + 2, "="), n = 0, used = 0;
	char names[256] = "";
	const struct option *o;

	for (o = longs; o->name; o++) {
		if (strncmp(o->name, arg + 2, len))
			continue;
		/* snprintf() says what it would have written: keep in bounds. */
		if (used < sizeof(names))
			used += snprintf(names + used, sizeof(names) - used,
					 "%s--%s", n ? ", " : "", o->name);
		n++;
	}
	if (used >= sizeof(names)) /* cut: say so */
		memcpy(names + sizeof(names) - 4, "...", 4);
	if (n > 1)
		err_set("option '%.*s' is ambiguous: %s", (int)len + 2, arg,
			names);
	else
		err_set("unknown option '%s' (see kvmux %s --help)", arg,
			plan ? "plan" : "run");
}

/*
 * What getopt_long() refused ('?'), named as the user wrote it: glibc
 * leaves optopt 0 for a long option it does not know (or that several
 * start with), the option's code for one given a value it does not take,
 * and the character for a short one; only a long one moves optind.
 */
static void refused_option(char **argv, const struct option *longs, bool plan)
{
	if (optopt >= OPT_BASE)
		err_set("option '--%s' takes no value",
			settings[optopt - OPT_BASE].option);
	else if (optopt == 'h' || optopt == 'V')
		err_set("option '--%s' takes no value",
			optopt == 'h' ? "help" : "version");
	else if (optopt)
		err_set(isgraph(optopt) ? "unknown option '-%c' (see kvmux %s "
					  "--help)" :
					  "unknown option character %#x (see "
					  "kvmux %s --help)",
			optopt, plan ? "plan" : "run");
	else
		ambiguous_option(argv[optind - 1], longs, plan);
}

/* An option getopt_long() returned: help, version, an error, a setting. */
static enum cli_result one_option(int opt, char **argv,
				  const struct option *longs, bool plan,
				  const struct setting **s)
{
	*s = NULL;
	if (opt == 'h' || opt == 'V') {
		int rc = opt == 'V' ? cli_print_version() :
			 plan	    ? plan_print_usage() :
				      cli_print_usage();

		return rc < 0 ? CLI_USAGE_ERROR : CLI_DONE;
	}
	if (opt == '?') {
		refused_option(argv, longs, plan);
		return CLI_USAGE_ERROR;
	}
	if (opt == ':') {
		err_set("option '%s' needs a value", argv[optind - 1]);
		return CLI_USAGE_ERROR;
	}
	*s = opt >= OPT_BASE ? &settings[opt - OPT_BASE] :
			       setting_find_option(NULL, opt);
	return CLI_RUN;
}

enum cli_result cli_collect(int argc, char **argv, bool plan,
			    struct group_config *group, cli_vm_option_fn keep,
			    void *opaque)
{
	struct option longs[MAX_OPTIONS];
	char shorts[2 * MAX_OPTIONS];
	const struct setting *s;
	enum cli_result r;
	int opt;

	make_options(plan, longs, shorts);
	optind = 0; /* glibc: start afresh, also after an earlier parse */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		const char *arg = optarg;

		r = one_option(opt, argv, longs, plan, &s);
		if (r != CLI_RUN)
			return r;
		if (s->type == SETTING_FLAG)
			arg = "on"; /* --stats is stats = on */
		if (s->scope == SCOPE_GROUP) {
			if (cli_apply_group_option(s, arg, group) < 0)
				return CLI_USAGE_ERROR;
		} else if (keep(opaque, s, arg) < 0) {
			return CLI_USAGE_ERROR;
		}
	}
	return CLI_RUN;
}

struct vm_options {
	struct vm_option *opt;
	unsigned int nr;
};

static int keep_vm_option(void *opaque, const struct setting *s,
			  const char *arg)
{
	struct vm_options *o = opaque;

	o->opt[o->nr++] = (struct vm_option){ s, arg };
	return 0;
}

/*
 * An option of one VM given with several config files: a key of the
 * files is where each VM's value goes; an option without one (--dump-dtb)
 * needs a run of one VM.
 */
static int one_vm_only(const struct setting *s)
{
	if (s->section)
		return err_set("--%s names one VM: with several config files, "
			       "use [%s] %s",
			       s->option, s->section, s->key);
	return err_set("--%s works with one VM only: give one config file",
		       s->option);
}

/* The command line overrides the config files: applied after them. */
static int apply_options(const struct vm_options *o, struct run_request *req)
{
	struct vm_config *vm;
	unsigned int i;

	for (i = 0; i < o->nr; i++) {
		if ((o->opt[i].s->flags & SETTING_ONE_VM) && req->nr_vms > 1)
			return one_vm_only(o->opt[i].s);
		for (vm = &req->vm[0]; vm < &req->vm[req->nr_vms]; vm++)
			if (apply_vm_option(o->opt[i].s, o->opt[i].arg, vm) < 0)
				return -1;
	}
	return 0;
}

/* No config file: the command line alone describes the one VM. */
static int options_only(struct run_request *req)
{
	req->vm = calloc(1, sizeof(*req->vm));
	if (!req->vm)
		return err_host("out of memory");
	req->nr_vms = 1;
	vm_config_init(&req->vm[0]);
	return 0;
}

static int build_request(int argc, char **argv, const struct vm_options *o,
			 struct run_request *req)
{
	int rc;

	if (optind < argc)
		rc = run_request_load(req, argv + optind, argc - optind);
	else
		rc = options_only(req);
	if (rc < 0 || apply_options(o, req) < 0 ||
	    settings_check_run_wide(req->vm, req->nr_vms) < 0)
		return -1;
	if (!req->vm[0].kernel)
		return err_set("no kernel: use --kernel IMAGE or a config "
			       "file");
	if (run_request_check(req) < 0)
		return -1;
	if (req->group.quiet && req->group.verbose)
		return err_set("--quiet and --verbose: choose one");
	return 0;
}

enum cli_result cli_parse_run(int argc, char **argv, struct run_request *req)
{
	struct vm_options o = { calloc(argc, sizeof(*o.opt)), 0 };
	enum cli_result result;

	*req = (struct run_request){ 0 };
	group_config_init(&req->group);
	if (!o.opt) {
		err_host("out of memory");
		return CLI_USAGE_ERROR;
	}
	result =
		cli_collect(argc, argv, false, &req->group, keep_vm_option, &o);
	if (result == CLI_RUN && build_request(argc, argv, &o, req) < 0)
		result = CLI_USAGE_ERROR;
	free(o.opt);
	return result;
}
