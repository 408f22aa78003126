// SPDX-License-Identifier: GPL-2.0-only
/*
 * initrd.c - checksums the initrd so tests can compare it with the file
 * given to kvmux, and checks that the VMM put it in RAM it told us about.
 */
#include "rt.h"

static bool in_ram(const struct boot_info *bi, uint64_t addr, uint64_t size)
{
	const struct rt_mem_entry *m;
	unsigned int i;

	for (i = 0; i < bi->nr_mem; i++) {
		m = &bi->mem[i];
		if (m->type == RT_MEM_RAM && addr >= m->addr &&
		    addr + size >= addr && addr + size <= m->addr + m->size)
			return true;
	}
	return false;
}

int main(const struct boot_info *bi)
{
	uint32_t crc;

	if (!bi->has_initrd) {
		rt_printf("initrd: none\n");
		return 1;
	}
	if (!in_ram(bi, bi->initrd_addr, bi->initrd_size)) {
		rt_printf("initrd: outside RAM\n");
		return 2;
	}
	crc = rt_crc32(0, (const void *)(uintptr_t)bi->initrd_addr,
		       bi->initrd_size);
	rt_printf("initrd: size=%lu crc32=%08x\n", bi->initrd_size, crc);
	return 0;
}
