/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * elf_pvh.h - read an untrusted ELF kernel image from a buffer: its
 * header, program headers, section headers, the PVH entry note and the
 * notes that say the kernel is Linux.
 *
 * ELF32 and ELF64 are read into the same class-neutral structures so the
 * loader has one code path.  Nothing here writes guest memory.
 */
#ifndef KVMUX_ELF_PVH_H
#define KVMUX_ELF_PVH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The Xen ELF note that gives the 32-bit PVH entry point. */
#define XEN_ELFNOTE_PHYS32_ENTRY 18

struct elf_file {
	const uint8_t *buf;
	size_t len;
	bool is64;
	uint64_t entry; /* e_entry: a multiboot ELF kernel starts there */
	uint64_t phoff;
	unsigned int phnum;
	unsigned int phentsize;
	uint64_t shoff;
	unsigned int shnum;
	unsigned int shentsize;
};

struct elf_segment {
	uint32_t type;
	uint64_t offset;
	uint64_t vaddr;
	uint64_t paddr;
	uint64_t filesz;
	uint64_t memsz;
	uint64_t align;
};

struct elf_section {
	uint32_t type;
	uint64_t offset;
	uint64_t size;
	uint64_t align;
};

/*
 * Check the ELF header (little-endian x86 executable) and that the program
 * header table lies inside the buffer.  Returns 0 or -1 with err_set().
 */
int elf_open(struct elf_file *ef, const uint8_t *buf, size_t len);

/* Program header i (< ef->phnum); the table was bounds-checked. */
void elf_segment(const struct elf_file *ef, unsigned int i,
		 struct elf_segment *seg);

/*
 * Check that the section header table has entries of a usable size and
 * lies inside the buffer.  Returns 0 or -1 with err_set().
 */
int elf_check_section_headers(const struct elf_file *ef);

/* Section header i (< ef->shnum), once the table was checked. */
void elf_section(const struct elf_file *ef, unsigned int i,
		 struct elf_section *sec);

/*
 * Find XEN_ELFNOTE_PHYS32_ENTRY in the PT_NOTE segments, else in the
 * SHT_NOTE sections.  Returns 0 or -1 with err_set().
 */
int elf_pvh_entry(const struct elf_file *ef, uint32_t *entry);

/*
 * 1 if the image carries a note owned by "Linux" (every vmlinux does:
 * include/linux/elfnote.h), 0 if not, -1 with err_set() on malformed notes.
 */
int elf_is_linux(const struct elf_file *ef);

#endif
