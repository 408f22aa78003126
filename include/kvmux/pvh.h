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

/*
 * Linux on x86 keeps COMMAND_LINE_SIZE (2048) bytes of its command line,
 * the NUL included, and silently cuts the rest, where kvmux's
 * virtio_mmio.device= entries are.  Other PVH kernels get BOOT_CMDLINE_MAX.
 */
#define PVH_LINUX_CMDLINE_MAX 2047

/*
 * One block holds the start info and what it points to, at
 * BOOT_PVH_INFO_ADDR unless the kernel is there (entry->rbx says where).
 */
#define PVH_MEMMAP_OFF 0x40
#define PVH_MODLIST_OFF 0x200
#define PVH_MAX_MODULES 4 /* initrd (or an empty module 0), the DTB */
/* The module command line "dtb" that marks the device tree module. */
#define PVH_DTB_CMDLINE_OFF 0x300
#define PVH_INFO_SIZE 0x400
/* Where they are in the usual place. */
#define PVH_MEMMAP_ADDR (BOOT_PVH_INFO_ADDR + PVH_MEMMAP_OFF)
#define PVH_MODLIST_ADDR (BOOT_PVH_INFO_ADDR + PVH_MODLIST_OFF)
#define PVH_DTB_CMDLINE_ADDR (BOOT_PVH_INFO_ADDR + PVH_DTB_CMDLINE_OFF)

_Static_assert(PVH_MEMMAP_OFF + LAYOUT_MAX_RANGES *
					sizeof(struct hvm_memmap_entry) <=
		       PVH_MODLIST_OFF,
	       "PVH memory map overlaps the module list");
_Static_assert(PVH_MODLIST_OFF + PVH_MAX_MODULES *
					 sizeof(struct hvm_modlist_entry) <=
		       PVH_DTB_CMDLINE_OFF,
	       "PVH module list overlaps the DTB module's command line");

/*
 * Load an ELF kernel through its PVH entry note: same contract as
 * boot_load().  A Linux vmlinux (elf_is_linux()) takes a command line of
 * at most PVH_LINUX_CMDLINE_MAX bytes, others BOOT_CMDLINE_MAX - 1.  The entry is BOOT_PROTECTED32 with rbx = the start info
 * (BOOT_PVH_INFO_ADDR unless the kernel occupies it).
 */
int pvh_load(const struct guest_mem *gm, const struct mem_layout *l,
	     const struct boot_files *f, struct boot_entry *entry);

/* Set hvm_start_info.rsdp_paddr of a kernel pvh_load() loaded. */
int pvh_set_rsdp(const struct guest_mem *gm, const struct boot_entry *entry,
		 uint64_t rsdp_gpa);

#endif
