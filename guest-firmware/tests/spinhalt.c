// SPDX-License-Identifier: GPL-2.0-only
/*
 * spinhalt.c - a CPU-bound loop of iters=N iterations, then a halt with
 * interrupts off (the stop kvmux's idle watch must see by itself).
 */
#include "rt.h"

int main(const struct boot_info *bi)
{
	uint64_t iters = 1000000000ull, i;

	rt_cmdline_u64(bi->cmdline, "iters", &iters);
	for (i = 0; i < iters; i++)
		asm volatile("" : "+r"(i));
	rt_printf("spinhalt: halting\n");
	rt_halt();
}
