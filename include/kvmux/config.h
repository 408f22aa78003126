/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * config.h - everything that describes one VM to run, whichever way it was
 * given (command line now; config files later).  Filled by cli/, consumed
 * by run.c; plain data with no file descriptors.
 */
#ifndef KVMUX_CONFIG_H
#define KVMUX_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#define CONFIG_DEFAULT_MEMORY (256ULL << 20)

struct vm_config {
	const char *name;
	const char *kernel;
	const char *initrd;  /* NULL: none */
	const char *cmdline; /* never NULL */
	uint64_t memory;     /* bytes */
	unsigned int cpus;
	uint64_t timeout_ms; /* 0: no timeout */
	const char *kvm_device; /* NULL: $KVMUX_KVM_DEVICE or /dev/kvm */
	bool stats;		/* print exit counters at the end */
};

void vm_config_init(struct vm_config *cfg);

enum cli_result {
	CLI_RUN,	 /* cfg is filled: go */
	CLI_DONE,	 /* --help or --version printed: exit 0 */
	CLI_USAGE_ERROR, /* err_msg() says what is wrong */
};

/* Parse the arguments of "kvmux run" (argv[0] is "run"). */
enum cli_result cli_parse_run(int argc, char **argv, struct vm_config *cfg);

/* The text of "kvmux --help" and "kvmux run --help". */
void cli_print_usage(void);

#endif
