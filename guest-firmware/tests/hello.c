// SPDX-License-Identifier: GPL-2.0-only
/*
 * hello.c - the smallest useful guest: proves the boot path, the serial
 * console and the debug-exit port, and says whether PVM native mode was
 * reached (kvmux's tests use that line to catch a slow, emulated guest).
 */
#include "rt.h"

int main(const struct boot_info *bi)
{
	(void)bi;
	rt_printf("Hello from the kvmux guest!\n");
	rt_printf("pvm: %s\n", rt_pvm_native() ? "native" : "absent");
	return 0;
}
