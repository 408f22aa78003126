// SPDX-License-Identifier: GPL-2.0-only
/*
 * lean.c - the least a test kernel does: one short line and the exit.  For
 * bench/: its boot-to-exit time is the start-up and teardown of the VMM
 * and the runtime, with as few exits as a useful guest can have.
 */
#include "rt.h"

int main(const struct boot_info *bi)
{
	(void)bi;
	rt_puts("lean\n");
	return 0;
}
