/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_config.h - for the targets that read configs (fuzz_config_file,
 * fuzz_cli): config files the fuzzer writes, and what every vm_config
 * that was accepted must satisfy (the limits docs/config.md gives).
 */
#ifndef KVMUX_TESTS_FUZZ_CONFIG_H
#define KVMUX_TESTS_FUZZ_CONFIG_H

#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "kvmux/config.h"
#include "kvmux/error.h"
#include "kvmux/layout.h"
#include "kvmux/platform.h"

/* A config file of the fuzzer's (fuzz_temp_file()). */
struct fuzz_file {
	int fd;
	const char *path;
};

static inline void fuzz_file_open(struct fuzz_file *f)
{
	f->fd = fuzz_temp_file(".conf", &f->path);
}

static inline void fuzz_file_fill(struct fuzz_file *f, const void *data,
				  size_t len)
{
	if (ftruncate(f->fd, 0) < 0 ||
	    (len && pwrite(f->fd, data, len, 0) != (ssize_t)len))
		abort();
}

static inline void fuzz_check_vm(const struct vm_config *vm)
{
	unsigned int i;

	FUZZ_CHECK(vm->kernel && vm->kernel[0]);
	FUZZ_CHECK(vm->name && vm->name[0] && vm->cmdline);
	FUZZ_CHECK(vm->memory >= LAYOUT_MIN_RAM &&
		   vm->memory <= LAYOUT_MAX_RAM);
	FUZZ_CHECK(vm->memory % 4096 == 0);
	FUZZ_CHECK(vm->cpus >= 1 && vm->cpus <= PLATFORM_MAX_CPUS);
	FUZZ_CHECK(vm->weight >= 1 && vm->weight <= 10000);
	FUZZ_CHECK(vm->nr_disks <= CONFIG_MAX_DISKS);
	for (i = 0; i < vm->nr_disks; i++) {
		FUZZ_CHECK(vm->disk[i].path && vm->disk[i].path[0]);
		FUZZ_CHECK(!vm->disk[i].serial ||
			   strlen(vm->disk[i].serial) <= 20);
	}
	FUZZ_CHECK(vm->console_target != CONSOLE_TO_FILE ||
		   (vm->console_file && vm->console_file[0]));
}

/* A refusal is one line that says something. */
static inline void fuzz_check_error(void)
{
	FUZZ_CHECK(err_msg()[0] != '\0' && !strchr(err_msg(), '\n'));
	fuzz_note("refused: %s", err_msg());
}

#endif
