// SPDX-License-Identifier: GPL-2.0-only
/*
 * spin.c - a CPU-bound loop of iters=N iterations, timed with the TSC.  It
 * shows whether the guest runs natively (1e9 iterations in about a second)
 * or in an emulator (minutes).  Without iters= it spins forever, for
 * kvmux's --timeout tests.
 */
#include "rt.h"

int main(const struct boot_info *bi)
{
	uint64_t iters, i, t0, t1;

	if (!rt_cmdline_u64(bi->cmdline, "iters", &iters)) {
		rt_printf("spin: forever\n");
		for (;;)
			asm volatile("" : : : "memory");
	}
	t0 = rdtsc();
	/* The empty asm owns i, so the compiler cannot drop or fold the loop. */
	for (i = 0; i < iters; i++)
		asm volatile("" : "+r"(i));
	t1 = rdtsc();
	rt_printf("spin: done %lu in %luM TSC cycles\n", iters,
		  (t1 - t0) / 1000000);
	return 0;
}
