// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitcode.c - exits with the status given as exit=N on the command line,
 * so tests can check that the command line arrives intact and that the
 * guest's exit status becomes kvmux's.
 */
#include "rt.h"

int main(const struct boot_info *bi)
{
	uint64_t status;

	rt_printf("cmdline: %s\n", bi->cmdline);
	/* The debug-exit port carries one byte: larger values are invalid. */
	if (!rt_cmdline_u64(bi->cmdline, "exit", &status) || status > 255) {
		rt_printf("exitcode: no exit= on the command line\n");
		return 1;
	}
	rt_printf("exitcode: %lu\n", status);
	return status;
}
