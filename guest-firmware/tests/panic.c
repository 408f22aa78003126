// SPDX-License-Identifier: GPL-2.0-only
/*
 * panic.c - raises an exception to exercise the runtime's exception report:
 * it must print "exception <vector> at 0x<rip>" and exit with status 3.
 *   how=ud2 (default)  invalid opcode, vector 6
 *   how=pf             write beyond the 4 GiB identity map, vector 14
 *   how=de             divide by zero, vector 0
 */
#include "rt.h"

int main(const struct boot_info *bi)
{
	char how[8] = "ud2";
	volatile uint64_t *unmapped = (uint64_t *)0x500000000;
	unsigned int quot;

	rt_cmdline_str(bi->cmdline, "how", how, sizeof(how));
	rt_printf("panic: executing %s\n", how);
	if (!strcmp(how, "pf"))
		*unmapped = 1;
	else if (!strcmp(how, "de"))
		/* In asm: C division by zero is undefined, gcc may drop it. */
		asm volatile("div %2" : "=a"(quot) : "a"(1), "r"(0), "d"(0));
	else
		asm volatile("ud2");
	rt_printf("panic: survived %s\n", how);
	return 1;
}
