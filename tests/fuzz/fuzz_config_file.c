// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_config_file.c - the VM config file reader (src/cli/config_file.c)
 * with the size, integer, duration and bool parsers behind
 * its keys.
 *
 * Input: the file's bytes.  They are written to a file of
 * fuzz_temp_file() (in /dev/shm) and read through its path, as kvmux
 * reads a config file.  An accepted
 * file must give a vm_config within the documented limits; a refused one
 * one error line; either way nothing leaks (vm_config_free()).
 */
#include "fuzz_config.h"
#include "kvmux/config_file.h"

static struct fuzz_file file;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_file_open(&file);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vm_config cfg;

	fuzz_file_fill(&file, data, size);
	vm_config_init(&cfg);
	err_set("%s", "");
	if (config_file_load(file.path, &cfg) == 0)
		fuzz_check_vm(&cfg);
	else
		fuzz_check_error();
	vm_config_free(&cfg);
	return 0;
}
