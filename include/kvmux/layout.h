/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * layout.h - the guest-physical memory map: one table that every
 * description the guest sees (e820, PVH memory map, the device tree and
 * the MP table) is generated from, so they cannot disagree.
 *
 *   0x00000000  RAM (low memory; kvmux's boot structures live here)
 *   0x0009fc00  reserved: EBDA (kept free, as on a PC)
 *   0x000a0000  hole: legacy VGA / option ROMs (not described)
 *   0x000f0000  reserved: BIOS area (the MP table)
 *   0x00100000  RAM up to min(ram, MMIO_GAP_START)
 *   0xc0000000  MMIO gap: virtio-mmio devices, IOAPIC, LAPIC (not RAM)
 *   0x100000000 RAM above 4 GiB: whatever did not fit below the gap
 */
#ifndef KVMUX_LAYOUT_H
#define KVMUX_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Where the loaders put their boot structures unless the kernel occupies
 * the place (boot_alloc.h says where they go then).
 */
#define BOOT_GDT_ADDR 0x500ULL /* 0x08 code32, 0x10 code64, 0x18 data */
#define BOOT_INFO_ADDR 0x6000ULL /* PVH start info or multiboot info */
#define BOOT_PVH_INFO_ADDR BOOT_INFO_ADDR /* hvm_start_info, memmap, mods */
#define BOOT_ZERO_PAGE_ADDR 0x7000ULL /* Linux boot_params */
#define BOOT_PAGE_TABLE_ADDR 0x9000ULL /* PML4, PDPT, 4 PDs: up to 0xefff */
#define BOOT_CMDLINE_ADDR 0x20000ULL
#define BOOT_CMDLINE_MAX 0x10000ULL /* bytes, including the NUL */
/* The device tree (boot_attach_dtb()), with its setup_data header. */
#define BOOT_DTB_ADDR 0x30000ULL
#define BOOT_DTB_MAX 0x10000ULL /* bytes: up to 0x3ffff */
/* Placed structures start here: page 0 is left to the guest. */
#define BOOT_LOW_START 0x1000ULL

#define BOOT_SEL_CODE32 0x08
#define BOOT_SEL_CODE64 0x10
#define BOOT_SEL_DATA 0x18

#define LAYOUT_EBDA_START 0x9fc00ULL
#define LAYOUT_LOW_RAM_END 0xa0000ULL
#define LAYOUT_BIOS_START 0xf0000ULL
#define LAYOUT_HIGH_START 0x100000ULL /* 1 MiB */
#define MMIO_GAP_START 0xc0000000ULL /* 3 GiB */
#define MMIO_GAP_END 0x100000000ULL /* 4 GiB */
#define IOAPIC_ADDR 0xfec00000ULL
#define LAPIC_ADDR 0xfee00000ULL

/* Types as in the e820 map (and the PVH memory map, which uses them too). */
enum mem_type {
	MEM_RAM = 1,
	MEM_RESERVED = 2,
};

struct mem_range {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
};

#define LAYOUT_MAX_RANGES 8

struct mem_layout {
	struct mem_range range[LAYOUT_MAX_RANGES]; /* sorted by address */
	unsigned int nr_ranges;
	uint64_t ram_size; /* total bytes of RAM, as asked for */
};

/* Smallest and largest RAM sizes kvmux accepts. */
#define LAYOUT_MIN_RAM (2ULL << 20)
#define LAYOUT_MAX_RAM (1ULL << 40)

/*
 * Build the map for ram_size bytes of RAM (a multiple of 4 KiB between
 * LAYOUT_MIN_RAM and LAYOUT_MAX_RAM).  Returns 0, or -1 with err_set().
 */
int layout_build(struct mem_layout *l, uint64_t ram_size);

/* Where RAM is backed: the RAM ranges merged into at most two slots. */
struct ram_slot {
	uint64_t gpa;
	uint64_t size;
};
unsigned int layout_ram_slots(const struct mem_layout *l,
			      struct ram_slot slot[2]);

/* Highest address + 1 of RAM below the MMIO gap. */
uint64_t layout_low_ram_end(const struct mem_layout *l);

/*
 * True if [addr, addr + size) lies inside one RAM range of the map (never
 * in a reserved range or a hole); safe for any addr and size.
 */
bool layout_is_ram(const struct mem_layout *l, uint64_t addr, uint64_t size);

#endif
