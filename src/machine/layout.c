// SPDX-License-Identifier: GPL-2.0-only
/*
 * layout.c - the guest-physical memory map (see kvmux/layout.h).
 *
 * Every description of guest memory that the guest sees is generated from
 * the table built here, so the e820 map, the PVH memory map and the KVM
 * memory slots cannot disagree.
 */
#include "kvmux/error.h"
#include "kvmux/layout.h"

#define PAGE_SIZE_4K 0x1000ULL

static void add_range(struct mem_layout *l, uint64_t addr, uint64_t end,
		      uint32_t type)
{
	struct mem_range *r = &l->range[l->nr_ranges++];

	r->addr = addr;
	r->size = end - addr;
	r->type = type;
}

static int check_ram_size(uint64_t ram_size)
{
	if (ram_size % PAGE_SIZE_4K)
		return err_set("memory size %#llx is not a multiple of 4 KiB",
			       (unsigned long long)ram_size);
	if (ram_size < LAYOUT_MIN_RAM)
		return err_set(
			"memory size %#llx is too small: kvmux needs at least %llu MiB",
			(unsigned long long)ram_size, LAYOUT_MIN_RAM >> 20);
	if (ram_size > LAYOUT_MAX_RAM)
		return err_set(
			"memory size %#llx is too large: kvmux allows at most %llu GiB",
			(unsigned long long)ram_size, LAYOUT_MAX_RAM >> 30);
	return 0;
}

int layout_build(struct mem_layout *l, uint64_t ram_size)
{
	uint64_t low_end;

	l->nr_ranges = 0;
	l->ram_size = 0;
	if (check_ram_size(ram_size))
		return -1;

	low_end = ram_size < MMIO_GAP_START ? ram_size : MMIO_GAP_START;
	add_range(l, 0, LAYOUT_EBDA_START, MEM_RAM);
	add_range(l, LAYOUT_EBDA_START, LAYOUT_LOW_RAM_END, MEM_RESERVED);
	/* 0xa0000-0xf0000 (VGA, option ROMs) is left out on purpose. */
	add_range(l, LAYOUT_BIOS_START, LAYOUT_HIGH_START, MEM_RESERVED);
	add_range(l, LAYOUT_HIGH_START, low_end, MEM_RAM);
	/* RAM that would overlap the MMIO gap is moved above 4 GiB. */
	if (ram_size > MMIO_GAP_START)
		add_range(l, MMIO_GAP_END,
			  MMIO_GAP_END + (ram_size - MMIO_GAP_START), MEM_RAM);
	l->ram_size = ram_size;
	return 0;
}

uint64_t layout_low_ram_end(const struct mem_layout *l)
{
	return l->ram_size < MMIO_GAP_START ? l->ram_size : MMIO_GAP_START;
}

/*
 * Slot 0 starts at 0 and also backs the legacy holes below 1 MiB: the
 * guest is told they are not RAM, but a single mapping is simpler and the
 * loaders write their boot structures there.
 */
unsigned int layout_ram_slots(const struct mem_layout *l,
			      struct ram_slot slot[2])
{
	if (!l->ram_size)
		return 0;
	slot[0].gpa = 0;
	slot[0].size = layout_low_ram_end(l);
	if (l->ram_size <= MMIO_GAP_START)
		return 1;
	slot[1].gpa = MMIO_GAP_END;
	slot[1].size = l->ram_size - MMIO_GAP_START;
	return 2;
}

bool layout_is_ram(const struct mem_layout *l, uint64_t addr, uint64_t size)
{
	unsigned int i;

	for (i = 0; i < l->nr_ranges; i++) {
		const struct mem_range *r = &l->range[i];

		if (r->type != MEM_RAM || addr < r->addr ||
		    addr - r->addr > r->size)
			continue;
		return size <= r->size - (addr - r->addr);
	}
	return false;
}
