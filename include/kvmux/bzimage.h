/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bzimage.h - the Linux x86 boot protocol, 64-bit entry: load a bzImage's
 * protected-mode kernel, fill the zero page (struct boot_params) and the
 * identity-mapping page tables the 64-bit entry point requires.
 */
#ifndef KVMUX_BZIMAGE_H
#define KVMUX_BZIMAGE_H

#include "kvmux/boot.h"

/* Offsets in the bzImage file (boot protocol). */
#define BZ_SETUP_HEADER_OFF 0x1f1
#define BZ_JUMP_OFF 0x200 /* 2-byte jump; its 2nd byte: header end - 0x202 */
#define BZ_SECTOR_SIZE 512
#define BZ_DEFAULT_SETUP_SECTS 4 /* what setup_sects == 0 means */

/* Oldest protocol with xloadflags and hence a declared 64-bit entry. */
#define BZ_MIN_VERSION 0x020c
/* The 64-bit entry point is this far into the protected-mode kernel. */
#define BZ_ENTRY64_OFF 0x200

#define BZ_LOADER_UNDEFINED 0xff /* type_of_loader: no assigned ID */

/* Page tables (at BOOT_PAGE_TABLE_ADDR) identity-map 4 GiB in 2 MiB pages. */
#define BOOT_PML4_ADDR BOOT_PAGE_TABLE_ADDR
#define BOOT_PDPT_ADDR (BOOT_PAGE_TABLE_ADDR + 0x1000)
#define BOOT_PD_ADDR (BOOT_PAGE_TABLE_ADDR + 0x2000) /* 4 pages */
#define BOOT_NR_PD 4

#define PTE_PRESENT (1ULL << 0)
#define PTE_WRITE (1ULL << 1)
#define PTE_USER (1ULL << 2)
#define PTE_LARGE (1ULL << 7) /* in a page directory entry: 2 MiB page */

/*
 * Load a bzImage: same contract as boot_load().  The entry is BOOT_LONG64
 * with rsi = the zero page and cr3 = the page tables (BOOT_ZERO_PAGE_ADDR
 * and BOOT_PAGE_TABLE_ADDR: a bzImage loads at or above 1 MiB).
 */
int bzimage_load(const struct guest_mem *gm, const struct mem_layout *l,
		 const struct boot_files *f, struct boot_entry *entry);

/* Set boot_params.acpi_rsdp_addr of a kernel bzimage_load() loaded. */
int bzimage_set_rsdp(const struct guest_mem *gm, const struct boot_entry *entry,
		     uint64_t rsdp_gpa);

#endif
