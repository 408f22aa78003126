// SPDX-License-Identifier: GPL-2.0-only
/*
 * elf_load.c - copy an ELF kernel's PT_LOAD segments to their physical
 * addresses (PVH and multiboot ELF kernels; kvmux/boot_common.h).
 *
 * Only loadable segments count: a vmlinux with gigabytes of debug sections
 * loads as long as its PT_LOADs fit, and only their file bytes are read.
 * Segments below 1 MiB are fine (stock GNU ld puts the ELF headers in a
 * read-only PT_LOAD at 0xff000); two segments that overlap are not.
 */
#include <elf.h>
#include <stdio.h>

#include "kvmux/boot_common.h"
#include "kvmux/elf_pvh.h"
#include "kvmux/error.h"

static int check_segment(const struct elf_file *ef, unsigned int i,
			 const struct elf_segment *seg)
{
	if (seg->filesz > seg->memsz)
		return err_set(
			"ELF kernel is inconsistent: program header %u has file size %#llx larger than its memory size %#llx",
			i, (unsigned long long)seg->filesz,
			(unsigned long long)seg->memsz);
	if (!buf_has(ef->len, seg->offset, seg->filesz))
		return err_set(
			"the image is truncated: program header %u points past the end of the file",
			i);
	return 0;
}

static bool loadable(const struct elf_segment *seg)
{
	return seg->type == PT_LOAD && seg->memsz;
}

/* Check segment i and claim its range; track the kernel's end. */
static int claim_segment(const struct guest_mem *gm, struct boot_alloc *a,
			 const struct elf_file *ef, unsigned int i,
			 uint64_t *kernel_end)
{
	struct elf_segment seg;
	char what[BOOT_WHAT_MAX];

	elf_segment(ef, i, &seg);
	if (!loadable(&seg))
		return 0;
	snprintf(what, sizeof(what), "the kernel (program header %u)", i);
	if (boot_check_load_range(gm, a->layout, seg.paddr, seg.memsz, what) ||
	    boot_alloc_claim(a, seg.paddr, seg.memsz, what))
		return -1;
	/* Checked to lie below 3 GiB: the sum cannot wrap. */
	if (seg.paddr + seg.memsz > *kernel_end)
		*kernel_end = seg.paddr + seg.memsz;
	return 0;
}

/* The file bytes, then the .bss: fresh guest RAM is zero already. */
static int copy_segment(const struct guest_mem *gm, const struct boot_files *f,
			const struct elf_file *ef, unsigned int i)
{
	struct elf_segment seg;

	elf_segment(ef, i, &seg);
	if (!loadable(&seg))
		return 0;
	if (seg.filesz &&
	    boot_copy_kernel(gm, seg.paddr, f, seg.offset, seg.filesz))
		return -1;
	return gm_zero(gm, seg.paddr + seg.filesz, seg.memsz - seg.filesz);
}

#define RANGES_SHOWN 4

void boot_elf_loaded_ranges(const struct elf_file *ef, char *buf, size_t size)
{
	struct elf_segment seg;
	unsigned int i, shown = 0;
	size_t used = 0;

	buf[0] = '\0';
	for (i = 0; i < ef->phnum && used < size; i++) {
		elf_segment(ef, i, &seg);
		if (seg.type != PT_LOAD || !seg.filesz)
			continue;
		if (shown++ == RANGES_SHOWN) {
			snprintf(buf + used, size - used, ", ...");
			return;
		}
		used += snprintf(
			buf + used, size - used, "%s%#llx-%#llx",
			used ? ", " : "", (unsigned long long)seg.paddr,
			(unsigned long long)(seg.paddr + seg.filesz - 1));
	}
	if (!shown)
		snprintf(buf, size, "none: no segment has file bytes");
}

int boot_check_elf_entry(const struct elf_file *ef, uint64_t entry,
			 const char *what)
{
	struct elf_segment seg;
	char ranges[160];
	unsigned int i;

	for (i = 0; i < ef->phnum; i++) {
		elf_segment(ef, i, &seg);
		/* Loaded segments were checked: paddr + filesz cannot wrap. */
		if (seg.type == PT_LOAD && entry >= seg.paddr &&
		    entry - seg.paddr < seg.filesz)
			return 0;
	}
	boot_elf_loaded_ranges(ef, ranges, sizeof(ranges));
	return err_set("%s %#llx is outside the kernel's loaded code (%s)",
		       what, (unsigned long long)entry, ranges);
}

int boot_check_elf_segments(const struct elf_file *ef)
{
	struct elf_segment seg;
	unsigned int i, nr = 0;

	for (i = 0; i < ef->phnum; i++) {
		elf_segment(ef, i, &seg);
		if (!loadable(&seg))
			continue;
		if (check_segment(ef, i, &seg))
			return -1;
		nr++;
	}
	if (!nr)
		return err_set("ELF kernel has no loadable segment (PT_LOAD)");
	return 0;
}

static int too_big(const char *what, unsigned int i, uint64_t size,
		   uint64_t max)
{
	return err_set(
		"ELF kernel's %s %u is %#llx bytes, more than the %s of guest RAM it could be loaded into",
		what, i, (unsigned long long)size, boot_size_str(max).s);
}

/* Notes' bytes in all past max: a kernel has a few KiB of them, and
 * every byte of a note is read into kvmux's memory before it is parsed. */
static int notes_too_big(uint64_t *total, uint64_t size, uint64_t max)
{
	*total = size > UINT64_MAX - *total ? UINT64_MAX : *total + size;
	if (*total <= max)
		return 0;
	return err_set(
		"ELF kernel's notes are more than the %s of guest RAM in all",
		boot_size_str(max).s);
}

static int table_too_big(const char *what, uint64_t bytes, uint64_t max)
{
	if (bytes <= max)
		return 0;
	return err_set(
		"ELF kernel's %s header table is %#llx bytes, more than the %s of guest RAM it could be loaded into",
		what, (unsigned long long)bytes, boot_size_str(max).s);
}

/* A note of size bytes at offset (what and i name it): one past the end
 * of the file is the note scan's to refuse ("truncated"). */
static int note_too_big(const struct elf_file *ef, const char *what,
			unsigned int i, uint64_t offset, uint64_t size,
			uint64_t max, uint64_t *notes)
{
	if (!buf_has(ef->len, offset, size))
		return 0;
	if (size > max)
		return too_big(what, i, size, max);
	return notes_too_big(notes, size, max);
}

int boot_check_elf_sizes(const struct elf_file *ef, uint64_t max)
{
	struct elf_segment seg;
	struct elf_section sec;
	uint64_t notes = 0;
	unsigned int i;

	if (table_too_big("program", (uint64_t)ef->phnum * ef->phentsize, max))
		return -1;
	for (i = 0; i < ef->phnum; i++) {
		elf_segment(ef, i, &seg);
		if (seg.type == PT_NOTE &&
		    note_too_big(ef, "note (program header)", i, seg.offset,
				 seg.filesz, max, &notes))
			return -1;
	}
	/* What runs past the end of the file is the note scan's to refuse
	 * ("truncated"), as is a section table it cannot use. */
	if (!ef->shoff || !ef->shnum || elf_check_section_headers(ef))
		return 0;
	if (table_too_big("section", (uint64_t)ef->shnum * ef->shentsize, max))
		return -1;
	for (i = 0; i < ef->shnum; i++) {
		elf_section(ef, i, &sec);
		if (sec.type == SHT_NOTE &&
		    note_too_big(ef, "note (section)", i, sec.offset, sec.size,
				 max, &notes))
			return -1;
	}
	return 0;
}

int boot_load_elf(const struct guest_mem *gm, struct boot_alloc *a,
		  const struct boot_files *f, const struct elf_file *ef,
		  uint64_t *kernel_end)
{
	unsigned int i;

	/* Checked by the caller already; again here, as copying relies on it. */
	if (boot_check_elf_segments(ef))
		return -1;
	*kernel_end = 0;
	for (i = 0; i < ef->phnum; i++)
		if (claim_segment(gm, a, ef, i, kernel_end))
			return -1;
	for (i = 0; i < ef->phnum; i++)
		if (copy_segment(gm, f, ef, i))
			return -1;
	return 0;
}
