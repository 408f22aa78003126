// SPDX-License-Identifier: GPL-2.0-only
/*
 * options.c - "kvmux run" command-line options into a struct vm_config.
 *
 * Flag names follow what kvmtool and cloud-hypervisor users type:
 * --kernel, --initrd, --cmdline, --memory, --cpus.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "kvmux/config.h"
#include "kvmux/error.h"
#include "kvmux/exit_status.h"
#include "kvmux/layout.h"
#include "kvmux/parse.h"
#include "kvmux/platform.h"


enum {
	OPT_KVM_DEVICE = 0x100,
	OPT_STATS,
	OPT_NAME,
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
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

void vm_config_init(struct vm_config *cfg)
{
	*cfg = (struct vm_config){
		.name = "vm",
		.cmdline = "",
		.memory = CONFIG_DEFAULT_MEMORY,
		.cpus = 1,
		.weight = 1,
	};
}

void cli_print_usage(void)
{
	printf("Usage: kvmux run --kernel IMAGE [options]\n"
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
	       "      --name NAME       name used in messages (default vm)\n"
	       "      --kvm-device PATH KVM device (default $KVMUX_KVM_DEVICE "
	       "or /dev/kvm)\n"
	       "      --stats           print vCPU exit counts when the VM "
	       "stops\n"
	       "  -h, --help            this text\n"
	       "  -V, --version         kvmux's version\n"
	       "\n"
	       "The console is the guest's 16550 UART at 0x3f8 (ttyS0), on "
	       "stdin/stdout.\n"
	       "On a terminal, Ctrl-A x stops the VM; Ctrl-A Ctrl-A sends "
	       "Ctrl-A.\n"
	       "\n"
	       "%s",
	       exit_status_help);
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
	}
	return err_set("unknown option (see kvmux run --help)");
}

enum cli_result cli_parse_run(int argc, char **argv, struct vm_config *cfg)
{
	int opt;

	vm_config_init(cfg);
	optind = 1;
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
		if (parse_one(opt, optarg, cfg) < 0)
			return CLI_USAGE_ERROR;
	}
	if (optind < argc) {
		err_set("unexpected argument '%s' (see kvmux run --help)",
			argv[optind]);
		return CLI_USAGE_ERROR;
	}
	if (!cfg->kernel) {
		err_set("no kernel: use --kernel IMAGE");
		return CLI_USAGE_ERROR;
	}
	return CLI_RUN;
}
