// SPDX-License-Identifier: GPL-2.0-only
/*
 * mbinfo.c - prints what a multiboot loader handed over, so tests can
 * compare it with what kvmux was given, and checks that nothing kvmux
 * placed overlaps this kernel's image (_image_start.._end).
 *
 *   mbinfo: proto=<pvh|linux64|multiboot> flags=0x<info flags>
 *   mbinfo: cmdline=<the whole line>
 *   mbinfo: loader=<name> mem_lower=<KiB> mem_upper=<KiB>
 *   mbinfo: mmap entries=<n> ram=<bytes>
 *   mbinfo: module <i> size=<n> crc32=<x> page_aligned=<0|1> string=<s>
 *   mbinfo: ok            (exit 0), or mbinfo: FAIL <what> (exit 1)
 *
 * With exit=N on the command line (from the second word on, as a suite
 * written for QEMU reads it), the kernel exits with N instead of 0.
 */
#include "rt.h"

extern const char _image_start[], _end[];

static bool in_image(uint64_t addr, uint64_t size)
{
	uint64_t start = (uintptr_t)_image_start, end = (uintptr_t)_end;

	return addr < end && start < addr + size;
}

static int check_modules(const struct boot_info *bi)
{
	const struct rt_module *m;
	uint32_t crc;
	unsigned int i;

	for (i = 0; i < bi->nr_modules; i++) {
		m = &bi->module[i];
		crc = rt_crc32(0, (const void *)(uintptr_t)m->addr, m->size);
		rt_printf("mbinfo: module %u size=%lu crc32=%08x "
			  "page_aligned=%d string=%s\n",
			  i, m->size, crc, !(m->addr & 0xfff), m->string);
		if (in_image(m->addr, m->size)) {
			rt_printf("mbinfo: FAIL module %u inside the kernel\n",
				  i);
			return 1;
		}
	}
	return 0;
}

static uint64_t ram_bytes(const struct boot_info *bi)
{
	uint64_t ram = 0;
	unsigned int i;

	for (i = 0; i < bi->nr_mem; i++)
		if (bi->mem[i].type == RT_MEM_RAM)
			ram += bi->mem[i].size;
	return ram;
}

int main(const struct boot_info *bi)
{
	uint64_t status = 0;

	rt_printf("mbinfo: proto=%s flags=0x%x\n",
		  rt_boot_proto_name(bi->proto), bi->mb_flags);
	rt_printf("mbinfo: cmdline=%s\n", bi->cmdline);
	rt_printf("mbinfo: loader=%s mem_lower=%u mem_upper=%u\n",
		  bi->loader_name ? bi->loader_name : "(none)",
		  bi->mem_lower_kb, bi->mem_upper_kb);
	rt_printf("mbinfo: mmap entries=%u ram=%lu\n", bi->nr_mem,
		  ram_bytes(bi));
	if (in_image((uintptr_t)bi->cmdline, strlen(bi->cmdline) + 1)) {
		rt_printf("mbinfo: FAIL command line inside the kernel\n");
		return 1;
	}
	if (check_modules(bi))
		return 1;
	rt_cmdline_u64(bi->cmdline, "exit", &status);
	rt_printf("mbinfo: ok\n");
	return status;
}
