/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * multiboot.h - Multiboot version 1 (the Multiboot Specification 0.6.96),
 * loaded the way QEMU's -kernel loads it: the header a kernel carries
 * (spec 3.1), the information kvmux hands it (3.3), and the loader.
 *
 * Detection (image_detect()): a header is a 4-byte aligned magic
 * 0x1BADB002 in the first 8 KiB of the file, followed by flags and a
 * checksum that make the three words sum to 0.  A bzImage header wins over
 * it, and it wins over a PVH note, as in QEMU.
 *
 * Entry (spec 3.2): 32-bit flat protected mode, paging off, interrupts
 * off, EAX = MB_BOOTLOADER_MAGIC, EBX = the struct mb_info.
 */
#ifndef KVMUX_MULTIBOOT_H
#define KVMUX_MULTIBOOT_H

#include <stddef.h>
#include <stdint.h>

#include "kvmux/boot.h"

#define MB_HEADER_MAGIC 0x1BADB002U
#define MB_BOOTLOADER_MAGIC 0x2BADB002U
#define MB_SEARCH_BYTES 8192 /* the header lies inside these */
/* How far past 8 KiB multiboot_diagnose() looks for a misplaced header. */
#define MB_DIAGNOSE_BYTES 0x10000
#define MB_HEADER_ALIGN 4

/* Header flags (spec 3.1.2).  Bits 0-15 are requirements. */
#define MB_PAGE_ALIGN (1U << 0) /* modules on 4 KiB boundaries */
#define MB_MEMORY_INFO (1U << 1) /* mem_lower/upper (and the map) */
#define MB_VIDEO_MODE (1U << 2) /* a graphics mode: not offered */
#define MB_AOUT_KLUDGE (1U << 16) /* the address fields are valid */
#define MB_REQUIRED_MASK 0xffffU
#define MB_KNOWN_REQUIRED (MB_PAGE_ALIGN | MB_MEMORY_INFO | MB_VIDEO_MODE)

/* Header sizes: the three words, with the address fields. */
#define MB_HEADER_BASE_SIZE 12
#define MB_HEADER_ADDR_SIZE 32

struct mb_header {
	uint32_t magic;
	uint32_t flags;
	uint32_t checksum;
	/* MB_AOUT_KLUDGE only */
	uint32_t header_addr; /* where the magic is loaded */
	uint32_t load_addr; /* where the text starts */
	uint32_t load_end_addr; /* 0: to the end of the file */
	uint32_t bss_end_addr; /* 0: no .bss */
	uint32_t entry_addr;
};

/* Information flags (spec 3.3): which fields kvmux filled in. */
#define MB_INFO_MEMORY (1U << 0)
#define MB_INFO_CMDLINE (1U << 2)
#define MB_INFO_MODS (1U << 3)
#define MB_INFO_MMAP (1U << 6)
#define MB_INFO_LOADER_NAME (1U << 9)

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower; /* KiB from 0 */
	uint32_t mem_upper; /* KiB from 1 MiB, up to the first hole */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length; /* bytes */
	uint32_t mmap_addr;
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
	uint32_t vbe_control_info;
	uint32_t vbe_mode_info;
	uint16_t vbe_mode;
	uint16_t vbe_interface_seg;
	uint16_t vbe_interface_off;
	uint16_t vbe_interface_len;
	uint64_t framebuffer_addr;
	uint32_t framebuffer_pitch;
	uint32_t framebuffer_width;
	uint32_t framebuffer_height;
	uint8_t framebuffer_bpp;
	uint8_t framebuffer_type;
	uint8_t color_info[6];
} __attribute__((packed));

struct mb_module {
	uint32_t mod_start;
	uint32_t mod_end; /* exclusive */
	uint32_t string;
	uint32_t reserved;
};

/* size counts the bytes after itself: 20. */
struct mb_mmap_entry {
	uint32_t size;
	uint64_t addr;
	uint64_t len;
	uint32_t type; /* the e820 types of enum mem_type */
} __attribute__((packed));

_Static_assert(sizeof(struct mb_info) == 116, "multiboot_info ABI");
_Static_assert(sizeof(struct mb_module) == 16, "multiboot module ABI");
_Static_assert(sizeof(struct mb_mmap_entry) == 24, "multiboot mmap ABI");

/* Modules: the initrd, BOOT_MAX_MODULES more, the device tree. */
#define MB_MAX_MODULES (BOOT_MAX_MODULES + 2)

/*
 * One block holds the information structure and what it points to, at
 * BOOT_INFO_ADDR unless the kernel is there (entry->rbx says where); the
 * command line and module strings are placed apart.
 */
#define MB_LOADER_NAME_OFF 0x80
#define MB_MMAP_OFF 0x90
#define MB_MODS_OFF 0x180
#define MB_DTB_STRING_OFF 0x2c0
#define MB_INFO_SIZE 0x300
#define MB_LOADER_NAME "kvmux"

_Static_assert(sizeof(struct mb_info) <= MB_LOADER_NAME_OFF, "mb info");
_Static_assert(MB_MMAP_OFF + LAYOUT_MAX_RANGES * sizeof(struct mb_mmap_entry) <=
		       MB_MODS_OFF,
	       "multiboot memory map overlaps the module list");
_Static_assert(MB_MODS_OFF + MB_MAX_MODULES * sizeof(struct mb_module) <=
		       MB_DTB_STRING_OFF,
	       "multiboot module list overlaps the DTB module's string");

/* A header found and checked, and where the image goes. */
struct mb_image {
	struct mb_header hdr;
	size_t offset; /* of the header in the file */
	/* With MB_AOUT_KLUDGE: */
	uint64_t file_offset; /* of load_addr's byte */
	uint64_t load_size; /* bytes copied from the file */
	uint64_t mem_size; /* load_size plus the .bss */
};

/*
 * Find the header: 1 with *offset set, 0 if there is none (image_detect()
 * and boot_load() decide from that).
 */
int multiboot_find(const uint8_t *buf, size_t len, size_t *offset);

/*
 * Find and check the header of an untrusted image: the checksum, the
 * required flags kvmux offers, and with MB_AOUT_KLUDGE the address fields
 * against the file (header_addr, load_end_addr and bss_end_addr in order,
 * the entry inside the loaded bytes).  Guest memory is not looked at.
 * Returns 0, or -1 with err_set().
 */
int multiboot_parse(const uint8_t *buf, size_t len, struct mb_image *img);

/*
 * Why a file that is no kernel kvmux knows might have been meant as a
 * multiboot kernel: a magic with a bad checksum in the first 8 KiB, or a
 * good header past them (within 64 KiB).  Returns 1 with err_set() saying
 * so, 0 if there is nothing to say.
 */
int multiboot_diagnose(const uint8_t *buf, size_t len);

/*
 * Load a multiboot kernel: same contract as boot_load().  f->cmdline is
 * handed over as is (see multiboot_cmdline()); f->initrd is module 0,
 * f->modules follow.  The entry is BOOT_PROTECTED32 with rax =
 * MB_BOOTLOADER_MAGIC and rbx = the information structure.
 */
int multiboot_load(const struct guest_mem *gm, const struct mem_layout *l,
		   const struct boot_files *f, struct boot_entry *entry);

/*
 * The command line as QEMU hands it to a multiboot kernel: the kernel's
 * file name, a space, then cmdline (suites parse their arguments from the
 * second word on).  *out is malloc'ed.  Returns 0, or -1 with err_set()
 * when the whole line is longer than BOOT_CMDLINE_MAX - 1 bytes (the
 * message says how many of them are left for cmdline), or err_host().
 */
int multiboot_cmdline(const char *kernel_name, const char *cmdline, char **out);

#endif
