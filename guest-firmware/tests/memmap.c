// SPDX-License-Identifier: GPL-2.0-only
/*
 * memmap.c - prints the memory map the boot protocol delivered (e820 or the
 * PVH memmap) and the RAM total, so tests can compare it with --memory.
 */
#include "rt.h"

int main(const struct boot_info *bi)
{
	uint64_t ram = 0;
	unsigned int i;

	for (i = 0; i < bi->nr_mem; i++) {
		rt_printf("memmap: 0x%016lx 0x%016lx %u\n", bi->mem[i].addr,
			  bi->mem[i].size, bi->mem[i].type);
		if (bi->mem[i].type == RT_MEM_RAM)
			ram += bi->mem[i].size;
	}
	rt_printf("memmap: ram=%lu entries=%u\n", ram, bi->nr_mem);
	return 0;
}
