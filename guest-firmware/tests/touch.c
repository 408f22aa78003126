// SPDX-License-Identifier: GPL-2.0-only
/*
 * touch.c - writes one byte to every 4 KiB page of `mib=N` MiB of RAM
 * from 32 MiB up (default 128), so that the host commits them, then
 * prints "touch: N MiB" and exits 0.  For bench/: what a VMM's teardown
 * costs once the guest has used its memory, as a real kernel does.
 */
#include "rt.h"

#define TOUCH_BASE (32ull << 20)
#define PAGE 4096ull

int main(const struct boot_info *bi)
{
	uint64_t mib = 128, ram = 0, addr, end;
	unsigned int i;

	rt_cmdline_u64(bi->cmdline, "mib", &mib);
	for (i = 0; i < bi->nr_mem; i++)
		if (bi->mem[i].type == RT_MEM_RAM &&
		    bi->mem[i].addr + bi->mem[i].size > ram)
			ram = bi->mem[i].addr + bi->mem[i].size;
	end = TOUCH_BASE + (mib << 20);
	if (end > ram || end > (3ull << 30)) {
		rt_printf("touch: %lu MiB from 32 MiB do not fit in RAM\n",
			  (unsigned long)mib);
		return 1;
	}
	for (addr = TOUCH_BASE; addr < end; addr += PAGE)
		*(volatile uint8_t *)(uintptr_t)addr = 1;
	rt_printf("touch: %lu MiB\n", (unsigned long)mib);
	return 0;
}
