/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bootparam.h - the few boot protocol facts the runtime reads: field offsets
 * of the Linux zero page (struct boot_params) and the bzImage setup header,
 * and the PVH start-of-day structures.
 *
 * Offsets rather than a mirrored struct, because the zero page is packed and
 * we only ever read a handful of fields.  This header is plain #defines and
 * fixed-width structs so tools/mkbzimage.c can include it too and check every
 * offset against the host's <asm/bootparam.h> at compile time, and
 * tools/setup16.S can lay its header out with it.
 */
#ifndef RT_BOOTPARAM_H
#define RT_BOOTPARAM_H

/* struct boot_params ("zero page") */
#define BP_ACPI_RSDP_ADDR 0x070 /* u64: the ACPI RSDP, 0 if not given */
#define BP_EXT_RAMDISK_IMAGE 0x0c0 /* u32: bits 63:32 of ramdisk_image */
#define BP_EXT_RAMDISK_SIZE 0x0c4 /* u32: bits 63:32 of ramdisk_size */
#define BP_EXT_CMD_LINE_PTR 0x0c8 /* u32: bits 63:32 of cmd_line_ptr */
#define BP_E820_ENTRIES 0x1e8 /* u8 */
#define BP_HDR 0x1f1 /* struct setup_header */
#define BP_E820_TABLE 0x2d0 /* packed { u64 addr; u64 size; u32 type; } */
#define BP_E820_ENTRY_SIZE 20
#define BP_E820_MAX 128

/* struct setup_header fields, as offsets into the zero page / bzImage file */
#define HDR_SETUP_SECTS 0x1f1 /* u8 */
#define HDR_SYSSIZE 0x1f4 /* u32, 16-byte units */
#define HDR_BOOT_FLAG 0x1fe /* u16, 0xaa55 */
#define HDR_JUMP 0x200 /* u16 */
#define HDR_HEADER 0x202 /* u32, "HdrS" */
#define HDR_VERSION 0x206 /* u16 */
#define HDR_KERNEL_VERSION 0x20e /* u16, string offset - 0x200 */
#define HDR_LOADFLAGS 0x211 /* u8 */
#define HDR_CODE32_START 0x214 /* u32 */
#define HDR_RAMDISK_IMAGE 0x218 /* u32 */
#define HDR_RAMDISK_SIZE 0x21c /* u32 */
#define HDR_CMD_LINE_PTR 0x228 /* u32 */
#define HDR_INITRD_ADDR_MAX 0x22c /* u32 */
#define HDR_KERNEL_ALIGNMENT 0x230 /* u32 */
#define HDR_RELOCATABLE 0x234 /* u8 */
#define HDR_XLOADFLAGS 0x236 /* u16 */
#define HDR_CMDLINE_SIZE 0x238 /* u32 */
#define HDR_PREF_ADDRESS 0x258 /* u64 */
#define HDR_INIT_SIZE 0x260 /* u32 */
#define HDR_END 0x26c /* first byte after the 2.15 header */

#define HDR_MAGIC 0x53726448 /* "HdrS" */
#define HDR_BOOT_FLAG_MAGIC 0xaa55
#define BZ_LOADED_HIGH 0x01
#define BZ_XLF_KERNEL_64 0x0001

/* PVH: struct hvm_start_info and what it points to (all little endian) */
#define HVM_START_MAGIC 0x336ec578

#ifndef __ASSEMBLER__
#include <stdint.h>

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr; /* version >= 1 */
	uint32_t memmap_entries; /* version >= 1 */
	uint32_t reserved;
};

struct hvm_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

#endif /* __ASSEMBLER__ */
#endif
