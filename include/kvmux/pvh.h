/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvh.h - the PVH boot ABI: structures a PVH kernel finds through %ebx
 * (layout as in Xen's public start_info interface, version 1) and the
 * loader for ELF kernels with a PVH entry note.
 */
#ifndef KVMUX_PVH_H
#define KVMUX_PVH_H

#include <stdint.h>

#include "kvmux/boot.h"

#define HVM_START_MAGIC 0x336ec578
#define HVM_START_VERSION 1

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr; /* array of struct hvm_modlist_entry */
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr; /* 0: the guest looks for ACPI itself */
	uint64_t memmap_paddr; /* array of struct hvm_memmap_entry */
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

struct hvm_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type; /* e820 types: enum mem_type */
	uint32_t reserved;
};

_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info ABI");
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "modlist ABI");
_Static_assert(sizeof(struct hvm_memmap_entry) == 24, "memmap ABI");

/* Where the pieces go inside the page at BOOT_PVH_INFO_ADDR. */
#define PVH_MEMMAP_ADDR (BOOT_PVH_INFO_ADDR + 0x40)
#define PVH_MODLIST_ADDR (BOOT_PVH_INFO_ADDR + 0x200)
#define PVH_MAX_MODULES 4 /* initrd (or an empty module 0), the DTB */
/* The module command line "dtb" that marks the device tree module. */
#define PVH_DTB_CMDLINE_ADDR (BOOT_PVH_INFO_ADDR + 0x300)

_Static_assert(0x40 + LAYOUT_MAX_RANGES * sizeof(struct hvm_memmap_entry) <=
		       0x200,
	       "PVH memory map overlaps the module list");
_Static_assert(0x200 + PVH_MAX_MODULES * sizeof(struct hvm_modlist_entry) <=
		       0x300,
	       "PVH module list overlaps the DTB module's command line");

/*
 * Load an ELF kernel through its PVH entry note: same contract as
 * boot_load().  The entry is BOOT_PROTECTED32 with rbx = BOOT_PVH_INFO_ADDR.
 */
int pvh_load(const struct guest_mem *gm, const struct mem_layout *l,
	     const struct boot_files *f, struct boot_entry *entry);

/* Set hvm_start_info.rsdp_paddr of a kernel pvh_load() loaded. */
int pvh_set_rsdp(const struct guest_mem *gm, const struct boot_entry *entry,
		 uint64_t rsdp_gpa);

#endif
