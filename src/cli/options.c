// SPDX-License-Identifier: GPL-2.0-only
/*
 * options.c - "kvmux run" command-line options into a struct vm_config.
 *
 * Flag names follow what kvmtool and cloud-hypervisor users type:
 * --kernel, --initrd, --cmdline, --memory, --cpus.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvmux/config.h"
#include "kvmux/error.h"
#include "kvmux/exit_status.h"
#include "kvmux/layout.h"
#include "kvmux/parse.h"
#include "kvmux/platform.h"
#include "kvmux/request.h"

enum {
	OPT_KVM_DEVICE = 0x100,
	OPT_STATS,
	OPT_NAME,
	OPT_DUMP_DTB,
	OPT_DISK,
	OPT_CONSOLE,
	OPT_CONSOLE_OUTPUT,
};

static const struct option run_options[] = {
	{ "kernel", required_argument, NULL, 'k' },
	{ "initrd", required_argument, NULL, 'i' },
	{ "cmdline", required_argument, NULL, 'c' },
	{ "memory", required_argument, NULL, 'm' },
	{ "cpus", required_argument, NULL, 'p' },
	{ "timeout", required_argument, NULL, 't' },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "kvm-device", required_argument, NULL, OPT_KVM_DEVICE },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "dump-dtb", required_argument, NULL, OPT_DUMP_DTB },
	{ "disk", required_argument, NULL, OPT_DISK },
	{ "console", required_argument, NULL, OPT_CONSOLE },
	{ "console-output", required_argument, NULL, OPT_CONSOLE_OUTPUT },
	GROUP_LONG_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

void cli_print_usage(void)
{
	printf("Usage: kvmux run --kernel IMAGE [options]\n"
	       "       kvmux run CONFIG... [options]\n"
	       "       kvmux plan CONFIG... [options]  (see kvmux plan --help)\n"
	       "       kvmux --version | --help\n"
	       "\n"
	       "Boot IMAGE (a Linux bzImage, or an ELF kernel with a PVH "
	       "entry note) on /dev/kvm.\n"
	       "\n"
	       "Options for run:\n"
	       "  -k, --kernel IMAGE    kernel to boot (required)\n"
	       "  -i, --initrd FILE     initial ramdisk\n"
	       "  -c, --cmdline STR     kernel command line\n"
	       "  -m, --memory SIZE     guest RAM, e.g. 512M or 2G; a bare "
	       "number is MiB\n"
	       "                        (default 256M)\n"
	       "  -p, --cpus N          number of vCPUs (default 1)\n"
	       "  -t, --timeout T       stop the guest after T seconds "
	       "(1.5, 90s, 2m)\n"
	       "      --disk path=FILE[,readonly=on][,serial=ID]\n"
	       "                        a virtio-blk disk (raw image); "
	       "repeatable\n"
	       "      --console serial|virtio\n"
	       "                        the console device: the UART (ttyS0, "
	       "default) or\n"
	       "                        virtio-console (hvc0)\n"
	       "      --console-output stdio|none|FILE\n"
	       "                        where console output goes (default "
	       "stdio)\n"
	       "      --name NAME       name used in messages (default vm)\n"
	       "      --kvm-device PATH KVM device (default $KVMUX_KVM_DEVICE "
	       "or /dev/kvm)\n"
	       "      --stats           print vCPU exit counts when the VM "
	       "stops\n"
	       "      --dump-dtb FILE   write the device tree to FILE and exit "
	       "(status 0;\n"
	       "                        126 if FILE cannot be written)\n"
	       "  -h, --help            this text\n"
	       "  -V, --version         kvmux's version\n"
	       "\n"
	       "CONFIG is a VM's config file (docs/config.md); the options "
	       "above override it,\n"
	       "and with several files they apply to every VM (--name "
	       "excepted).  Several VMs\n"
	       "share the host as a group:\n"
	       "%s"
	       "\n"
	       "The console is on stdin/stdout; the UART also prints when the "
	       "console is virtio.\n"
	       "On a terminal, Ctrl-A x stops the VM; Ctrl-A Ctrl-A sends "
	       "Ctrl-A.\n"
	       "\n"
	       "%s",
	       group_options_help, exit_status_help);
}

static int parse_memory(const char *arg, struct vm_config *cfg)
{
	if (parse_size(arg, SIZE_MIB, &cfg->memory) < 0)
		return err_set("--memory: %s", err_msg());
	if (cfg->memory % (4 * SIZE_KIB))
		return err_set("--memory %s is not a multiple of 4 KiB", arg);
	if (cfg->memory < LAYOUT_MIN_RAM)
		return err_set("--memory %s is too small: kvmux needs at least "
			       "%llu MiB",
			       arg, LAYOUT_MIN_RAM >> 20);
	if (cfg->memory > LAYOUT_MAX_RAM)
		return err_set("--memory %s is more than kvmux supports (%llu "
			       "GiB)",
			       arg, LAYOUT_MAX_RAM >> 30);
	return 0;
}

static int parse_one(int opt, const char *arg, struct vm_config *cfg)
{
	uint64_t value;

	switch (opt) {
	case 'k':
		cfg->kernel = arg;
		return 0;
	case 'i':
		cfg->initrd = arg;
		return 0;
	case 'c':
		cfg->cmdline = arg;
		return 0;
	case 'm':
		return parse_memory(arg, cfg);
	case 'p':
		if (parse_uint(arg, 1, PLATFORM_MAX_CPUS, &value) < 0)
			return err_set("--cpus: %s", err_msg());
		cfg->cpus = value;
		return 0;
	case 't':
		if (parse_duration_ms(arg, &cfg->timeout_ms) < 0)
			return err_set("--timeout: %s", err_msg());
		return 0;
	case OPT_NAME:
		cfg->name = arg;
		return 0;
	case OPT_KVM_DEVICE:
		cfg->kvm_device = arg;
		return 0;
	case OPT_STATS:
		cfg->stats = true;
		return 0;
	case OPT_DUMP_DTB:
		cfg->dump_dtb = arg;
		return 0;
	case OPT_DISK:
		return disk_spec_parse(arg, cfg);
	case OPT_CONSOLE:
		if (console_device_parse(arg, cfg) < 0)
			return err_set("--console: %s", err_msg());
		return 0;
	case OPT_CONSOLE_OUTPUT:
		return console_output_parse(arg, cfg);
	}
	return err_set("unknown option (see kvmux run --help)");
}

/* "--kernel" for 'k': the long name of an option, for messages. */
static const char *option_name(int opt)
{
	const struct option *o;

	for (o = run_options; o->name; o++)
		if (o->val == opt)
			return o->name;
	return "?";
}

/* A per-VM option, applied once the config files are loaded. */
struct vm_option {
	int opt;
	const char *arg;
};

static enum cli_result collect_options(int argc, char **argv,
				       struct run_request *req,
				       struct vm_option *opts,
				       unsigned int *nr_opts)
{
	int opt, rc;

	/* 0, not 1: glibc then forgets a previous scan (a cluster such as
	 * -hV left half read), so the parse can run more than once. */
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":k:i:c:m:p:t:hV", run_options,
				  NULL)) != -1) {
		if (opt == 'h') {
			cli_print_usage();
			return CLI_DONE;
		}
		if (opt == 'V') {
			printf("kvmux %s\n", KVMUX_VERSION);
			return CLI_DONE;
		}
		if (opt == '?') {
			err_set("unknown option '%s' (see kvmux run --help)",
				argv[optind - 1]);
			return CLI_USAGE_ERROR;
		}
		if (opt == ':') {
			err_set("option '%s' needs a value", argv[optind - 1]);
			return CLI_USAGE_ERROR;
		}
		/* An empty file, name or number is a slip (as in a config
		 * file); only an empty command line means something. */
		if (optarg && !*optarg && opt != 'c') {
			err_set("option '--%s' needs a value, not ''",
				option_name(opt));
			return CLI_USAGE_ERROR;
		}
		rc = group_option(opt, optarg, &req->group);
		if (rc < 0)
			return CLI_USAGE_ERROR;
		if (rc > 0)
			opts[(*nr_opts)++] = (struct vm_option){ opt, optarg };
	}
	return CLI_RUN;
}

/* The command line overrides the config files: applied after them. */
static int apply_options(const struct vm_option *opts, unsigned int nr_opts,
			 struct run_request *req)
{
	struct vm_config *vm;
	unsigned int i;

	for (i = 0; i < nr_opts; i++) {
		if (opts[i].opt == OPT_NAME && req->nr_vms > 1)
			return err_set("--name names one VM: with several "
				       "config files, use [vm] name");
		for (vm = &req->vm[0]; vm < &req->vm[req->nr_vms]; vm++) {
			if (parse_one(opts[i].opt, opts[i].arg, vm) < 0)
				return -1;
		}
	}
	return 0;
}

/* No config file: the command line alone describes the one VM. */
static int options_only(struct run_request *req)
{
	req->vm = calloc(1, sizeof(*req->vm));
	if (!req->vm)
		return err_set("out of memory");
	req->nr_vms = 1;
	vm_config_init(&req->vm[0]);
	return 0;
}

static int build_request(int argc, char **argv, const struct vm_option *opts,
			 unsigned int nr_opts, struct run_request *req)
{
	int rc;

	if (optind < argc)
		rc = run_request_load(req, argv + optind, argc - optind);
	else
		rc = options_only(req);
	if (rc < 0 || apply_options(opts, nr_opts, req) < 0)
		return -1;
	if (!req->vm[0].kernel)
		return err_set("no kernel: use --kernel IMAGE or a config "
			       "file");
	return 0;
}

enum cli_result cli_parse_run(int argc, char **argv, struct run_request *req)
{
	struct vm_option *opts = calloc(argc, sizeof(*opts));
	unsigned int nr_opts = 0;
	enum cli_result result;

	*req = (struct run_request){ 0 };
	group_config_init(&req->group);
	if (!opts) {
		err_set("out of memory");
		return CLI_USAGE_ERROR;
	}
	result = collect_options(argc, argv, req, opts, &nr_opts);
	if (result == CLI_RUN &&
	    build_request(argc, argv, opts, nr_opts, req) < 0)
		result = CLI_USAGE_ERROR;
	free(opts);
	return result;
}
