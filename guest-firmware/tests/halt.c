// SPDX-License-Identifier: GPL-2.0-only
/*
 * halt.c - stops the vCPU with interrupts disabled and never exits through
 * the debug port: the "clean stop" kvmux must detect on its own.
 */
#include "rt.h"

int main(const struct boot_info *bi)
{
	(void)bi;
	rt_printf("halt: stopping\n");
	rt_halt();
}
