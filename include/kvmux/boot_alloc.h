/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * boot_alloc.h - who occupies which guest-physical bytes at boot.
 *
 * A loader first claims the ranges the kernel image demands (its PT_LOAD
 * segments, a multiboot image's load and bss range, a bzImage's load and
 * run ranges); a claim that overlaps an earlier one is the only collision
 * kvmux refuses, and the message names both ranges.  Then kvmux's own boot
 * structures (GDT, start info, memory map, module lists, command lines,
 * page tables, device tree, MP table, ACPI tables) are placed around them:
 *
 *   preferred  the fixed address of the memory-layout table in
 *              docs/architecture.md, when the kernel leaves it free
 *   low RAM    else the lowest free bytes in BOOT_LOW_START-0x9fbff
 *              (page 0 is never used: guests copy SMP start-up code there)
 *   high RAM   else the lowest free bytes from 1 MiB up to the MMIO gap
 *   BIOS area  0xf0000-0xfffff, for what guests find by scanning memory:
 *              the MP floating pointer (else the EBDA, 0x9fc00-0x9ffff) and
 *              ACPI's RSDP (which must be in 0xe0000-0xfffff)
 *
 * The initrd and multiboot modules are placed above the kernel.  Nothing
 * here writes guest memory: the caller writes to the address it is given.
 */
#ifndef KVMUX_BOOT_ALLOC_H
#define KVMUX_BOOT_ALLOC_H

#include <stdbool.h>
#include <stdint.h>

#include "kvmux/layout.h"

/* The kernel's segments (a hostile ELF may list thousands) and kvmux's. */
#define BOOT_ALLOC_MAX 96
#define BOOT_WHAT_MAX 48

struct boot_region {
	uint64_t addr;
	uint64_t size; /* > 0; addr + size <= BOOT_ALLOC_LIMIT */
	char what[BOOT_WHAT_MAX]; /* "the kernel (program header 2)" */
};

/* No claim or placement reaches beyond this (so sums cannot wrap). */
#define BOOT_ALLOC_LIMIT (1ULL << 48)

struct boot_alloc {
	/* NULL (an all-zero boot_alloc): only the windows below 1 MiB. */
	const struct mem_layout *layout;
	struct boot_region region[BOOT_ALLOC_MAX];
	unsigned int nr;
};

/*
 * Budget of the 64 KiB BIOS area: an MP table for PLATFORM_MAX_CPUS takes
 * about 5.3 KiB, and ACPI (RSDP plus XSDT, FADT, MADT, DSDT) 10.5 KiB
 * with as many vCPUs, 8 disks and virtio-console (kvmux -v, 2026-12-01),
 * so both fit beside a kernel page there (ld's ELF headers at 0xff000).
 * Bytes; a static assertion in mptable.c holds the sum to the area.
 */
#define BOOT_BIOS_ACPI_BUDGET 0x3000ULL

void boot_alloc_init(struct boot_alloc *a, const struct mem_layout *l);

/*
 * Record [addr, addr + size) as taken by what (the kernel's ranges, in the
 * loader, before anything is placed).  An empty range is ignored.  Returns
 * 0, or -1 with err_set() naming both ranges if it overlaps a range taken
 * before, or if the table is full.
 */
int boot_alloc_claim(struct boot_alloc *a, uint64_t addr, uint64_t size,
		     const char *what);

struct boot_request {
	const char *what; /* "the PVH start info", for messages */
	uint64_t size; /* bytes, > 0 */
	uint64_t align; /* a power of 2; 0 means 1 */
	uint64_t start, end; /* the window: [start, end) */
	bool top; /* the highest free address instead of the lowest */
};

/*
 * Place r inside its window where nothing was claimed or placed, and take
 * it.  Returns 0 with *addr set, or -1 with err_set() naming the window and
 * what occupies it.
 */
int boot_alloc_in(struct boot_alloc *a, const struct boot_request *r,
		  uint64_t *addr);

/*
 * A boot structure of kvmux's: at preferred (0: none) if free, else in low
 * RAM, else in RAM above 1 MiB below the MMIO gap (all below 4 GiB, so
 * 32-bit boot protocols can point at it).  Same returns as boot_alloc_in().
 */
int boot_alloc_struct(struct boot_alloc *a, uint64_t preferred, uint64_t size,
		      uint64_t align, const char *what, uint64_t *addr);

/*
 * In the reserved BIOS area 0xf0000-0xfffff, lowest free address first:
 * for tables a guest finds by scanning it (ACPI's RSDP, 16-byte aligned,
 * must be there).  Same returns as boot_alloc_in().
 */
int boot_alloc_bios(struct boot_alloc *a, uint64_t size, uint64_t align,
		    const char *what, uint64_t *addr);

/* The first region taken inside [start, end), or NULL: for messages. */
const struct boot_region *boot_alloc_blocker(const struct boot_alloc *a,
					     uint64_t start, uint64_t end);

#endif
