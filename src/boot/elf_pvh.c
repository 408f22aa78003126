// SPDX-License-Identifier: GPL-2.0-only
/*
 * elf_pvh.c - parse an untrusted ELF kernel image (see kvmux/elf_pvh.h).
 *
 * Every offset, size and count comes from the file, so each is checked
 * against the buffer length before it is used, with arithmetic that cannot
 * wrap.  Structures are memcpy'd out of the buffer because the file gives
 * no alignment guarantee.
 */
#include <elf.h>
#include <stdio.h>
#include <string.h>

#include "kvmux/boot_common.h"
#include "kvmux/elf_pvh.h"
#include "kvmux/error.h"

/* Fixed part of an ELF note: namesz, descsz, type. */
#define NOTE_HDR_SIZE 12

static int check_ident(const uint8_t *buf, size_t len)
{
	if (len < EI_NIDENT)
		return err_set(
			"the image is truncated: %zu bytes is shorter than an ELF header",
			len);
	if (memcmp(buf, ELFMAG, SELFMAG))
		return err_set("the image is not an ELF file");
	if (buf[EI_CLASS] != ELFCLASS64 && buf[EI_CLASS] != ELFCLASS32)
		return err_set(
			"ELF kernel has unknown class %u (neither 32- nor 64-bit)",
			buf[EI_CLASS]);
	if (buf[EI_DATA] != ELFDATA2LSB)
		return err_set(
			"ELF kernel is not little-endian; kvmux runs x86 guests");
	return 0;
}

/* Copy the class-specific header fields into ef; returns machine, type. */
static int read_ehdr(struct elf_file *ef, uint16_t *machine, uint16_t *type)
{
	Elf64_Ehdr e64;
	Elf32_Ehdr e32;

	if (ef->len < (ef->is64 ? sizeof(e64) : sizeof(e32)))
		return err_set(
			"the image is truncated: %zu bytes is shorter than an ELF header",
			ef->len);
	if (ef->is64) {
		memcpy(&e64, ef->buf, sizeof(e64));
		*machine = e64.e_machine;
		*type = e64.e_type;
		ef->entry = e64.e_entry;
		ef->phoff = e64.e_phoff;
		ef->phnum = e64.e_phnum;
		ef->phentsize = e64.e_phentsize;
		ef->shoff = e64.e_shoff;
		ef->shnum = e64.e_shnum;
		ef->shentsize = e64.e_shentsize;
	} else {
		memcpy(&e32, ef->buf, sizeof(e32));
		*machine = e32.e_machine;
		*type = e32.e_type;
		ef->entry = e32.e_entry;
		ef->phoff = e32.e_phoff;
		ef->phnum = e32.e_phnum;
		ef->phentsize = e32.e_phentsize;
		ef->shoff = e32.e_shoff;
		ef->shnum = e32.e_shnum;
		ef->shentsize = e32.e_shentsize;
	}
	return 0;
}

static int check_program_headers(const struct elf_file *ef)
{
	size_t min_size = ef->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);

	if (!ef->phnum)
		return err_set(
			"ELF kernel has no program headers, so nothing to load");
	if (ef->phentsize < min_size)
		return err_set(
			"ELF kernel's program headers are %u bytes each, smaller than the %zu the format needs",
			ef->phentsize, min_size);
	/* phnum and phentsize are 16-bit: their product cannot wrap. */
	if (!buf_has(ef->len, ef->phoff, (uint64_t)ef->phnum * ef->phentsize))
		return err_set(
			"the image is truncated: its program headers (%u at offset %#llx) run past the end of the %zu-byte file",
			ef->phnum, (unsigned long long)ef->phoff, ef->len);
	return 0;
}

int elf_open(struct elf_file *ef, const uint8_t *buf, size_t len)
{
	uint16_t machine = 0, type = 0, want;

	memset(ef, 0, sizeof(*ef));
	if (check_ident(buf, len))
		return -1;
	ef->buf = buf;
	ef->len = len;
	ef->is64 = buf[EI_CLASS] == ELFCLASS64;
	if (read_ehdr(ef, &machine, &type))
		return -1;
	want = ef->is64 ? EM_X86_64 : EM_386;
	if (machine != want)
		return err_set(
			"ELF kernel is for machine %u, not %s (%u); kvmux runs x86 guests",
			machine, ef->is64 ? "x86-64" : "i386", want);
	if (type != ET_EXEC)
		return err_set(
			"ELF kernel is not an executable (e_type %u); kvmux loads ET_EXEC kernels only",
			type);
	return check_program_headers(ef);
}

void elf_segment(const struct elf_file *ef, unsigned int i,
		 struct elf_segment *seg)
{
	const uint8_t *p = ef->buf + ef->phoff + (uint64_t)i * ef->phentsize;
	Elf64_Phdr p64;
	Elf32_Phdr p32;

	if (ef->is64) {
		memcpy(&p64, p, sizeof(p64));
		seg->type = p64.p_type;
		seg->offset = p64.p_offset;
		seg->vaddr = p64.p_vaddr;
		seg->paddr = p64.p_paddr;
		seg->filesz = p64.p_filesz;
		seg->memsz = p64.p_memsz;
		seg->align = p64.p_align;
	} else {
		memcpy(&p32, p, sizeof(p32));
		seg->type = p32.p_type;
		seg->offset = p32.p_offset;
		seg->vaddr = p32.p_vaddr;
		seg->paddr = p32.p_paddr;
		seg->filesz = p32.p_filesz;
		seg->memsz = p32.p_memsz;
		seg->align = p32.p_align;
	}
}

static uint64_t align_up(uint64_t x, uint64_t align)
{
	return (x + align - 1) & ~(align - 1);
}

static uint32_t read_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t read_u64(const uint8_t *p)
{
	return read_u32(p) | (uint64_t)read_u32(p + 4) << 32;
}

static int read_pvh_desc(const uint8_t *desc, uint32_t descsz, uint32_t *entry)
{
	uint64_t value;

	if (descsz == 4) {
		*entry = read_u32(desc);
		return 0;
	}
	if (descsz != 8)
		return err_set(
			"PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY) has a %u-byte value; expected 4 or 8",
			descsz);
	value = read_u64(desc);
	if (value > UINT32_MAX)
		return err_set(
			"PVH entry note gives %#llx, which is not a 32-bit address",
			(unsigned long long)value);
	*entry = value;
	return 0;
}

/* One region of notes, already known to lie inside the file. */
struct note_area {
	uint64_t off;
	uint64_t size;
	uint64_t align; /* 4, or 8 for 8-byte aligned note segments */
	const char *where;
};

/* The note looked for, and where its descriptor was found. */
struct note_query {
	const char *name; /* owner, "Xen" */
	int64_t type; /* -1: any type */
	const uint8_t *desc;
	uint32_t descsz;
};

static bool note_matches(const struct note_query *q, const uint8_t *name,
			 uint32_t namesz, uint32_t type)
{
	return namesz == strlen(q->name) + 1 &&
	       !memcmp(name, q->name, namesz) &&
	       (q->type < 0 || q->type == type);
}

/* Returns 1 if found, 0 if not, -1 on a malformed note. */
static int scan_notes(const struct elf_file *ef, const struct note_area *a,
		      struct note_query *q)
{
	const uint8_t *base = ef->buf + a->off;
	uint64_t pos = 0;

	while (a->size - pos >= NOTE_HDR_SIZE) {
		const uint8_t *note = base + pos;
		uint32_t namesz = read_u32(note);
		uint32_t descsz = read_u32(note + 4);
		uint64_t rest = a->size - pos - NOTE_HDR_SIZE;
		uint64_t name_len = align_up(namesz, a->align);
		uint64_t desc_len = align_up(descsz, a->align);

		if (name_len > rest || descsz > rest - name_len)
			return err_set(
				"ELF note at file offset %#llx (%s) is malformed: its sizes run past the end of the notes",
				(unsigned long long)(a->off + pos), a->where);
		if (note_matches(q, note + NOTE_HDR_SIZE, namesz,
				 read_u32(note + 8))) {
			q->desc = note + NOTE_HDR_SIZE + name_len;
			q->descsz = descsz;
			return 1;
		}
		/* The last note may omit its padding. */
		if (desc_len > rest - name_len)
			desc_len = rest - name_len;
		pos += NOTE_HDR_SIZE + name_len + desc_len;
	}
	return 0;
}

static int scan_note_region(const struct elf_file *ef, uint64_t off,
			    uint64_t size, uint64_t align, const char *where,
			    struct note_query *q)
{
	struct note_area a = {
		.off = off,
		.size = size,
		.align = align == 8 ? 8 : 4,
		.where = where,
	};

	if (!buf_has(ef->len, off, size))
		return err_set(
			"the image is truncated: %s points past the end of the file",
			where);
	return scan_notes(ef, &a, q);
}

static int scan_program_notes(const struct elf_file *ef, struct note_query *q)
{
	struct elf_segment seg;
	char where[48];
	unsigned int i;
	int ret;

	for (i = 0; i < ef->phnum; i++) {
		elf_segment(ef, i, &seg);
		if (seg.type != PT_NOTE)
			continue;
		snprintf(where, sizeof(where), "program header %u", i);
		ret = scan_note_region(ef, seg.offset, seg.filesz, seg.align,
				       where, q);
		if (ret)
			return ret;
	}
	return 0;
}

void elf_section(const struct elf_file *ef, unsigned int i,
		 struct elf_section *sec)
{
	const uint8_t *p = ef->buf + ef->shoff + (uint64_t)i * ef->shentsize;
	Elf64_Shdr s64;
	Elf32_Shdr s32;

	if (ef->is64) {
		memcpy(&s64, p, sizeof(s64));
		sec->type = s64.sh_type;
		sec->offset = s64.sh_offset;
		sec->size = s64.sh_size;
		sec->align = s64.sh_addralign;
	} else {
		memcpy(&s32, p, sizeof(s32));
		sec->type = s32.sh_type;
		sec->offset = s32.sh_offset;
		sec->size = s32.sh_size;
		sec->align = s32.sh_addralign;
	}
}

int elf_check_section_headers(const struct elf_file *ef)
{
	size_t min_size = ef->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);

	if (ef->shentsize < min_size)
		return err_set(
			"ELF kernel's section headers are %u bytes each, smaller than the %zu the format needs",
			ef->shentsize, min_size);
	if (!buf_has(ef->len, ef->shoff, (uint64_t)ef->shnum * ef->shentsize))
		return err_set(
			"the image is truncated: its section headers (%u at offset %#llx) run past the end of the %zu-byte file",
			ef->shnum, (unsigned long long)ef->shoff, ef->len);
	return 0;
}

/* Fallback for images whose notes are not covered by a PT_NOTE. */
static int scan_section_notes(const struct elf_file *ef, struct note_query *q)
{
	struct elf_section sec;
	char where[48];
	unsigned int i;
	int ret;

	if (!ef->shoff || !ef->shnum)
		return 0;
	if (elf_check_section_headers(ef))
		return -1;
	for (i = 0; i < ef->shnum; i++) {
		elf_section(ef, i, &sec);
		if (sec.type != SHT_NOTE)
			continue;
		snprintf(where, sizeof(where), "section %u", i);
		ret = scan_note_region(ef, sec.offset, sec.size, sec.align,
				       where, q);
		if (ret)
			return ret;
	}
	return 0;
}

/* 1 if found (q->desc set), 0 if not, -1 on a malformed file. */
static int find_note(const struct elf_file *ef, struct note_query *q)
{
	int ret = scan_program_notes(ef, q);

	if (!ret)
		ret = scan_section_notes(ef, q);
	return ret;
}

int elf_pvh_entry(const struct elf_file *ef, uint32_t *entry)
{
	struct note_query q = { .name = "Xen",
				.type = XEN_ELFNOTE_PHYS32_ENTRY };
	int ret = find_note(ef, &q);

	if (ret < 0)
		return -1;
	if (!ret)
		return err_set(
			"ELF kernel has no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY); kvmux boots ELF kernels through PVH only");
	return read_pvh_desc(q.desc, q.descsz, entry);
}

int elf_is_linux(const struct elf_file *ef)
{
	struct note_query q = { .name = "Linux", .type = -1 };

	return find_note(ef, &q);
}
