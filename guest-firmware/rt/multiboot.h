/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * multiboot.h - the multiboot (version 1) boot information, as the
 * runtime reads it (the Multiboot Specification 0.6.96, section 3.3).
 */
#ifndef RT_MULTIBOOT_H
#define RT_MULTIBOOT_H

#include <stdint.h>

#define MB_BOOTLOADER_MAGIC 0x2BADB002U

#define MB_INFO_MEMORY (1U << 0)
#define MB_INFO_CMDLINE (1U << 2)
#define MB_INFO_MODS (1U << 3)
#define MB_INFO_MMAP (1U << 6)
#define MB_INFO_LOADER_NAME (1U << 9)

/* The fields up to boot_loader_name (the rest the runtime does not read). */
struct mb_info {
	uint32_t flags;
	uint32_t mem_lower;
	uint32_t mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length;
	uint32_t mmap_addr;
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
};

struct mb_module {
	uint32_t mod_start;
	uint32_t mod_end;
	uint32_t string;
	uint32_t reserved;
};

/* Entries are size + 4 bytes apart: size counts what follows it. */
struct mb_mmap_entry {
	uint32_t size;
	uint64_t addr;
	uint64_t len;
	uint32_t type;
} __attribute__((packed));

/* EAX at rt_mb_start (multiboot_entry.S); 0 on any other entry. */
extern uint32_t rt_mb_magic;

#endif
