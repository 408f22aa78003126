// SPDX-License-Identifier: GPL-2.0-only
/*
 * pvh.c - boot an ELF kernel through its PVH entry point: load the
 * PT_LOAD segments at their physical addresses, describe memory, the
 * command line and the initrd in a struct hvm_start_info, and enter in
 * flat 32-bit protected mode with %ebx pointing at it.
 *
 * The kernel's segments are placed first, wherever they ask to be (also
 * below 1 MiB); the start info, command line and GDT go where they are
 * not (kvmux/boot_alloc.h).
 */
#include <elf.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "kvmux/boot_common.h"
#include "kvmux/elf_pvh.h"
#include "kvmux/error.h"
#include "kvmux/pvh.h"

/* PVH enters with paging off: the whole initrd must be below 4 GiB. */
#define PVH_INITRD_LIMIT MMIO_GAP_END

static int write_memmap(const struct guest_mem *gm, const struct mem_layout *l,
			uint64_t addr)
{
	struct hvm_memmap_entry map[LAYOUT_MAX_RANGES];
	unsigned int i;

	memset(map, 0, sizeof(map));
	for (i = 0; i < l->nr_ranges; i++) {
		map[i].addr = l->range[i].addr;
		map[i].size = l->range[i].size;
		map[i].type = l->range[i].type;
	}
	return gm_write(gm, addr, map, l->nr_ranges * sizeof(map[0]));
}

/* The start info block: hvm_start_info, memory map, module list. */
static int write_start_info(const struct guest_mem *gm,
			    struct boot_entry *entry, uint64_t cmdline_addr)
{
	const struct mem_layout *l = entry->mem.layout;
	uint64_t base;
	struct hvm_start_info si = {
		.magic = HVM_START_MAGIC,
		.version = HVM_START_VERSION,
		.cmdline_paddr = cmdline_addr,
		.memmap_entries = l->nr_ranges,
	};
	struct hvm_modlist_entry initrd = {
		.paddr = entry->initrd_gpa,
		.size = entry->initrd_size,
	};

	if (boot_alloc_struct(&entry->mem, BOOT_PVH_INFO_ADDR, PVH_INFO_SIZE, 8,
			      "the PVH start info", &base))
		return -1;
	si.memmap_paddr = base + PVH_MEMMAP_OFF;
	if (initrd.paddr) {
		si.nr_modules = 1;
		si.modlist_paddr = base + PVH_MODLIST_OFF;
		if (gm_write(gm, si.modlist_paddr, &initrd, sizeof(initrd)))
			return -1;
	}
	if (write_memmap(gm, l, si.memmap_paddr) ||
	    gm_write(gm, base, &si, sizeof(si)))
		return -1;
	entry->cpu.rbx = base;
	return 0;
}

/* The longest command line (without the NUL) the kernel keeps. */
static int cmdline_max(const struct elf_file *ef, uint64_t *max)
{
	int is_linux = elf_is_linux(ef);

	if (is_linux < 0)
		return -1;
	*max = is_linux ? PVH_LINUX_CMDLINE_MAX : BOOT_CMDLINE_MAX - 1;
	return 0;
}

int pvh_load(const struct guest_mem *gm, const struct mem_layout *l,
	     const struct boot_files *f, struct boot_entry *entry)
{
	uint64_t kernel_end, initrd_addr, cmdline_addr, max;
	struct elf_file ef;
	uint32_t pvh_entry;

	memset(entry, 0, sizeof(*entry));
	boot_alloc_init(&entry->mem, l);
	if (elf_open(&ef, f->kernel, f->kernel_len) ||
	    boot_check_elf_sizes(&ef, l->ram_size) ||
	    boot_check_elf_segments(&ef) || elf_pvh_entry(&ef, &pvh_entry) ||
	    cmdline_max(&ef, &max))
		return boot_image_error(f);
	if (boot_load_elf(gm, &entry->mem, f, &ef, &kernel_end))
		return -1;
	/* After placing: a segment outside RAM is said first, as before. */
	if (boot_check_elf_entry(&ef, pvh_entry, "the PVH entry point"))
		return boot_image_error(f);
	if (boot_write_cmdline(gm, &entry->mem, f->cmdline, max,
			       &cmdline_addr) ||
	    boot_place_initrd(gm, &entry->mem, f, kernel_end, PVH_INITRD_LIMIT,
			      &initrd_addr))
		return -1;
	entry->initrd_gpa = initrd_addr;
	entry->initrd_size = initrd_addr ? f->initrd.len : 0;
	if (write_start_info(gm, entry, cmdline_addr) ||
	    boot_write_gdt(gm, entry, BOOT_GDT_ADDR))
		return -1;
	entry->cpu.mode = BOOT_PROTECTED32;
	entry->cpu.rip = pvh_entry;
	entry->kind = IMAGE_ELF;
	return 0;
}

int pvh_set_rsdp(const struct guest_mem *gm, const struct boot_entry *entry,
		 uint64_t rsdp_gpa)
{
	return gm_write(gm,
			entry->cpu.rbx +
				offsetof(struct hvm_start_info, rsdp_paddr),
			&rsdp_gpa, sizeof(rsdp_gpa));
}
