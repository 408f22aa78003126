// SPDX-License-Identifier: GPL-2.0-only
/*
 * pvh.c - boot an ELF kernel through its PVH entry point: load the
 * PT_LOAD segments at their physical addresses, describe memory, the
 * command line and the initrd in a struct hvm_start_info, and enter in
 * flat 32-bit protected mode with %ebx pointing at it.
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

static int check_segment(const struct elf_file *ef, unsigned int i,
			 const struct elf_segment *seg)
{
	if (seg->filesz > seg->memsz)
		return err_set(
			"ELF kernel is inconsistent: program header %u has file size %#llx larger than its memory size %#llx",
			i, (unsigned long long)seg->filesz,
			(unsigned long long)seg->memsz);
	if (!buf_has(ef->len, seg->offset, seg->filesz))
		return err_set(
			"kernel image is truncated: program header %u points past the end of the file",
			i);
	return 0;
}

/* Copy one PT_LOAD segment and zero its tail (.bss); track its end. */
static int load_segment(const struct guest_mem *gm, const struct mem_layout *l,
			const struct elf_file *ef, unsigned int i,
			uint64_t *kernel_end)
{
	struct elf_segment seg;
	char what[48];
	uint8_t *dst;

	elf_segment(ef, i, &seg);
	if (seg.type != PT_LOAD || !seg.memsz)
		return 0;
	if (check_segment(ef, i, &seg))
		return -1;
	snprintf(what, sizeof(what), "the kernel (program header %u)", i);
	if (boot_check_kernel_range(gm, l, seg.paddr, seg.memsz, what))
		return -1;
	dst = gm_ptr(gm, seg.paddr, seg.memsz);
	memcpy(dst, ef->buf + seg.offset, seg.filesz);
	memset(dst + seg.filesz, 0, seg.memsz - seg.filesz);
	if (seg.paddr + seg.memsz > *kernel_end)
		*kernel_end = seg.paddr + seg.memsz;
	return 0;
}

static int load_segments(const struct guest_mem *gm, const struct mem_layout *l,
			 const struct elf_file *ef, uint64_t *kernel_end)
{
	unsigned int i;

	*kernel_end = 0;
	for (i = 0; i < ef->phnum; i++)
		if (load_segment(gm, l, ef, i, kernel_end))
			return -1;
	if (!*kernel_end)
		return err_set("ELF kernel has no loadable segment (PT_LOAD)");
	return 0;
}

static int write_memmap(const struct guest_mem *gm, const struct mem_layout *l)
{
	struct hvm_memmap_entry map[LAYOUT_MAX_RANGES];
	unsigned int i;

	memset(map, 0, sizeof(map));
	for (i = 0; i < l->nr_ranges; i++) {
		map[i].addr = l->range[i].addr;
		map[i].size = l->range[i].size;
		map[i].type = l->range[i].type;
	}
	return gm_write(gm, PVH_MEMMAP_ADDR, map,
			l->nr_ranges * sizeof(map[0]));
}

static int write_start_info(const struct guest_mem *gm,
			    const struct mem_layout *l, uint64_t initrd_addr,
			    uint64_t initrd_size)
{
	struct hvm_start_info si = {
		.magic = HVM_START_MAGIC,
		.version = HVM_START_VERSION,
		.cmdline_paddr = BOOT_CMDLINE_ADDR,
		.memmap_paddr = PVH_MEMMAP_ADDR,
		.memmap_entries = l->nr_ranges,
	};
	struct hvm_modlist_entry initrd = {
		.paddr = initrd_addr,
		.size = initrd_size,
	};

	if (initrd_addr) {
		si.nr_modules = 1;
		si.modlist_paddr = PVH_MODLIST_ADDR;
		if (gm_write(gm, PVH_MODLIST_ADDR, &initrd, sizeof(initrd)))
			return -1;
	}
	if (write_memmap(gm, l))
		return -1;
	return gm_write(gm, BOOT_PVH_INFO_ADDR, &si, sizeof(si));
}

int pvh_load(const struct guest_mem *gm, const struct mem_layout *l,
	     const struct boot_files *f, struct boot_entry *entry)
{
	struct elf_file ef;
	uint64_t kernel_end, initrd_addr;
	uint32_t pvh_entry;

	if (elf_open(&ef, f->kernel, f->kernel_len) ||
	    elf_pvh_entry(&ef, &pvh_entry) ||
	    boot_write_cmdline(gm, f->cmdline, BOOT_CMDLINE_MAX - 1) ||
	    load_segments(gm, l, &ef, &kernel_end))
		return -1;
	if (boot_place_initrd(gm, l, f, kernel_end, PVH_INITRD_LIMIT,
			      &initrd_addr) ||
	    write_start_info(gm, l, initrd_addr,
			     initrd_addr ? f->initrd_len : 0))
		return -1;

	memset(entry, 0, sizeof(*entry));
	if (boot_write_gdt(gm, entry))
		return -1;
	entry->mode = BOOT_PROTECTED32;
	entry->rip = pvh_entry;
	entry->rbx = BOOT_PVH_INFO_ADDR;
	entry->kind = IMAGE_ELF;
	entry->initrd_gpa = initrd_addr;
	entry->initrd_size = initrd_addr ? f->initrd_len : 0;
	return 0;
}

int pvh_set_rsdp(const struct guest_mem *gm, const struct boot_entry *entry,
		 uint64_t rsdp_gpa)
{
	return gm_write(
		gm, entry->rbx + offsetof(struct hvm_start_info, rsdp_paddr),
		&rsdp_gpa, sizeof(rsdp_gpa));
}
