/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * boot_common.h - pieces the kernel loaders (PVH ELF, multiboot, bzImage)
 * share: the boot GDT, the command line, ELF segments, initrd placement
 * and the checks that turn "does not fit" into a message naming --memory.
 */
#ifndef KVMUX_BOOT_COMMON_H
#define KVMUX_BOOT_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kvmux/boot.h"

struct elf_file;

#define BOOT_PAGE_SIZE 0x1000ULL

/* Descriptors written at BOOT_GDT_ADDR, indexed by selector / 8. */
#define BOOT_GDT_ENTRIES 4
/*
 * Access bytes of those descriptors (present, DPL 0, accessed already set
 * so the CPU never writes the GDT): the vCPU code loads segment registers
 * with the same type so the hidden parts match what the GDT says.
 */
#define BOOT_GDT_ACCESS_CODE 0x9b /* type 0xb: code, execute/read */
#define BOOT_GDT_ACCESS_DATA 0x93 /* type 0x3: data, read/write */

/* True if [off, off + size) lies inside a buffer of len bytes. */
static inline bool buf_has(size_t len, uint64_t off, uint64_t size)
{
	return off <= len && size <= len - off;
}

/* "8M", "3G", "0x1234": a RAM size the way --memory would spell it. */
struct size_str {
	char s[32];
};
struct size_str boot_size_str(uint64_t bytes);

/*
 * The byte that makes data[0..len) sum to zero modulo 256: the checksum of
 * MP (spec 1.4, 4.1) and ACPI (spec 6.3, 5.2.6) tables.
 */
uint8_t boot_checksum(const void *data, size_t len);

/*
 * The flat GDT for both entry modes, at preferred (0: the first free place
 * entry->mem finds); sets entry->cpu.gdt_base/gdt_limit.
 */
int boot_write_gdt(const struct guest_mem *gm, struct boot_entry *entry,
		   uint64_t preferred);

/*
 * Check that [addr, addr + size) is guest memory a kernel may load into:
 * below the MMIO gap, backed, and where it lies at or above 1 MiB, inside
 * one RAM range.  Below 1 MiB anything backed is accepted: boot_alloc
 * keeps kvmux's structures out of the way.  what names the thing for the
 * message ("the kernel (program header 2)").
 */
int boot_check_load_range(const struct guest_mem *gm,
			  const struct mem_layout *l, uint64_t addr,
			  uint64_t size, const char *what);

/* The same, and at or above 1 MiB (a bzImage's protected-mode kernel). */
int boot_check_kernel_range(const struct guest_mem *gm,
			    const struct mem_layout *l, uint64_t addr,
			    uint64_t size, const char *what);

/*
 * Check ef's PT_LOAD segments as parts of the file (memory size at least
 * the file size, file bytes inside the file) and that there is one: the
 * image's own faults, told apart from those of placing it.  Returns 0, or
 * -1 with err_set().
 */
int boot_check_elf_segments(const struct elf_file *ef);

/*
 * Errors about the kernel image itself (what it is, its headers, its
 * segments, its entry point) start "kernel PATH: " when f->kernel_name is
 * set, so the user knows which file is bad; those about where things go
 * (the initrd, modules, the command line, --memory) do not.  Call it when
 * such a check fails: prefixes an ERR_INPUT message and returns -1.
 */
int boot_image_error(const struct boot_files *f);

/*
 * Check that what the loaders parse of ef beyond its header is at most
 * max bytes (guest RAM) each: the program header table, the PT_NOTE
 * segments, and (when the section header table is usable) that table and
 * the SHT_NOTE sections.  boot_image_read() reads none larger, so this
 * comes before anything reads them.  Returns 0, or -1 with err_set().
 */
int boot_check_elf_sizes(const struct elf_file *ef, uint64_t max);

/*
 * Check, claim in a and copy every PT_LOAD segment of ef (the image of f)
 * to its physical address; .bss is left to gm_zero().  Nothing is written
 * unless every segment fits.  *kernel_end is the end of the highest
 * segment.
 */
int boot_load_elf(const struct guest_mem *gm, struct boot_alloc *a,
		  const struct boot_files *f, const struct elf_file *ef,
		  uint64_t *kernel_end);

/*
 * Copy len bytes at byte offset off of the kernel image (inside
 * f->kernel_len) to guest memory at gpa: read there with f->kernel_read,
 * or from f->kernel.  Returns 0, or -1 with err_set().
 */
int boot_copy_kernel(const struct guest_mem *gm, uint64_t gpa,
		     const struct boot_files *f, uint64_t off, uint64_t len);

/*
 * The file bytes of ef's PT_LOAD segments at their physical addresses,
 * as "0x100000-0x1023ff, 0x200000-0x2000ff" (at most 4, then "..."),
 * for a message about an entry point outside them.
 */
void boot_elf_loaded_ranges(const struct elf_file *ef, char *buf, size_t size);

/*
 * Check that entry (a physical address) lies in the file bytes of a
 * PT_LOAD segment of ef: one outside (in .bss, outside RAM, at 0, in the
 * APIC page) would run what is not the kernel.  what names it ("the PVH
 * entry point").  Returns 0, or -1 with err_set() naming the entry and
 * the loaded ranges.
 */
int boot_check_elf_entry(const struct elf_file *ef, uint64_t entry,
			 const char *what);

/*
 * Copy the command line into guest memory (BOOT_CMDLINE_ADDR unless the
 * kernel is there) and set *addr.  max_len is the longest line (without
 * the NUL) the kernel accepts.
 */
int boot_write_cmdline(const struct guest_mem *gm, struct boot_alloc *a,
		       const char *cmdline, uint64_t max_len, uint64_t *addr);

/*
 * Copy m's m->len bytes to guest memory at gpa: from m->data, or read
 * straight there with m->read().  Returns 0, or -1 with err_set().
 */
int boot_copy_module(const struct guest_mem *gm, uint64_t gpa,
		     const struct boot_module *m);

/*
 * Copy the initrd to the highest page-aligned free address where it ends
 * at or below limit (exclusive) and below the MMIO gap, and starts at or
 * above kernel_end.  *addr is set to where it went; 0 if there is none.
 */
int boot_place_initrd(const struct guest_mem *gm, struct boot_alloc *a,
		      const struct boot_files *f, uint64_t kernel_end,
		      uint64_t limit, uint64_t *addr);

#endif
