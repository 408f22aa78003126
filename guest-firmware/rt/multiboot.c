// SPDX-License-Identifier: GPL-2.0-only
/*
 * multiboot.c - turn the multiboot information into struct boot_info:
 * command line, memory map, modules (module 0 is the initrd, as with
 * QEMU's -initrd), lower/upper memory and the boot loader's name.
 *
 * Only fields whose flag is set are read.  The structures stay where the
 * loader put them (the runtime never writes below 1 MiB); strings are
 * referenced, not copied.
 */
#include "multiboot.h"
#include "rt.h"

static void parse_mmap(struct boot_info *bi, const struct mb_info *mi)
{
	uint64_t pos = 0;
	const struct mb_mmap_entry *e;

	while (pos + sizeof(*e) <= mi->mmap_length && bi->nr_mem < RT_MAX_MEM) {
		e = (const void *)(uintptr_t)(mi->mmap_addr + pos);
		bi->mem[bi->nr_mem++] = (struct rt_mem_entry){
			.addr = e->addr,
			.size = e->len,
			.type = e->type,
		};
		pos += (uint64_t)e->size + sizeof(e->size);
	}
}

static void parse_modules(struct boot_info *bi, const struct mb_info *mi)
{
	const struct mb_module *m = (const void *)(uintptr_t)mi->mods_addr;
	unsigned int i;

	for (i = 0; i < mi->mods_count && i < RT_MAX_MODULES; i++) {
		bi->module[i] = (struct rt_module){
			.addr = m[i].mod_start,
			.size = m[i].mod_end - m[i].mod_start,
			.string = m[i].string ?
					  (const char *)(uintptr_t)m[i].string :
					  "",
		};
	}
	bi->nr_modules = i;
	if (i) {
		bi->initrd_addr = bi->module[0].addr;
		bi->initrd_size = bi->module[0].size;
	}
}

void rt_parse_multiboot(struct boot_info *bi, unsigned long info)
{
	const struct mb_info *mi = (const void *)info;

	if (rt_mb_magic != MB_BOOTLOADER_MAGIC) {
		rt_printf("rt: bad multiboot magic 0x%x\n", rt_mb_magic);
		rt_exit(4);
	}
	bi->mb_flags = mi->flags;
	if (mi->flags & MB_INFO_MEMORY) {
		bi->mem_lower_kb = mi->mem_lower;
		bi->mem_upper_kb = mi->mem_upper;
	}
	if ((mi->flags & MB_INFO_CMDLINE) && mi->cmdline)
		bi->cmdline = (const char *)(uintptr_t)mi->cmdline;
	if (mi->flags & MB_INFO_MMAP)
		parse_mmap(bi, mi);
	if (mi->flags & MB_INFO_MODS)
		parse_modules(bi, mi);
	if ((mi->flags & MB_INFO_LOADER_NAME) && mi->boot_loader_name)
		bi->loader_name = (const char *)(uintptr_t)mi->boot_loader_name;
}
