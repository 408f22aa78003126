/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * elf_test_util.h - build small ELF32/ELF64 kernels in memory for the
 * loader tests: any number of segments, a PT_NOTE with the notes given,
 * and room for a multiboot header in the first bytes of the file.
 *
 * File layout: ELF header, program headers, notes, then each segment's
 * file bytes at TEST_ELF_DATA_OFF + i * TEST_ELF_SEG_STRIDE, filled with a
 * pattern test_elf_byte(i, k) so a test can check what was copied where.
 */
#ifndef KVMUX_TESTS_ELF_TEST_UTIL_H
#define KVMUX_TESTS_ELF_TEST_UTIL_H

#include <elf.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define TEST_ELF_NOTES_OFF 0x200
#define TEST_ELF_NOTES_MAX 0x100
#define TEST_ELF_DATA_OFF 0x2000
#define TEST_ELF_SEG_STRIDE 0x1000 /* most file bytes a segment may have */
#define TEST_ELF_MAX_SEGS 6
#define TEST_ELF_SIZE \
	(TEST_ELF_DATA_OFF + TEST_ELF_MAX_SEGS * TEST_ELF_SEG_STRIDE)

struct test_seg {
	uint64_t paddr;
	uint64_t filesz; /* at most TEST_ELF_SEG_STRIDE */
	uint64_t memsz;
	uint64_t vaddr; /* 0: the same as paddr */
};

struct test_elf {
	uint8_t buf[TEST_ELF_SIZE] __attribute__((aligned(8)));
	size_t len;
	bool is64;
	unsigned int nr_segs;
	size_t notes_len;
};

static inline uint8_t test_elf_byte(unsigned int seg, uint64_t k)
{
	return (uint8_t)(k * 13 + seg * 29 + 1);
}

/* Append a note (name with its NUL, 4-byte aligned) to the PT_NOTE. */
static inline void test_elf_add_note(struct test_elf *t, const char *name,
				     uint32_t type, const void *desc,
				     uint32_t descsz)
{
	uint8_t *p = t->buf + TEST_ELF_NOTES_OFF + t->notes_len;
	uint32_t namesz = strlen(name) + 1;

	memcpy(p, &namesz, 4);
	memcpy(p + 4, &descsz, 4);
	memcpy(p + 8, &type, 4);
	memcpy(p + 12, name, namesz);
	memcpy(p + 12 + ((namesz + 3) & ~3U), desc, descsz);
	t->notes_len += 12 + ((namesz + 3) & ~3U) + ((descsz + 3) & ~3U);
}

static inline void test_elf_pvh_note(struct test_elf *t, uint32_t entry)
{
	test_elf_add_note(t, "Xen", 18, &entry, 4);
}

static inline void put_phdr(struct test_elf *t, unsigned int i, uint32_t type,
			    uint64_t off, const struct test_seg *s)
{
	Elf64_Phdr p = { .p_type = type,
			 .p_flags = PF_R | PF_W | PF_X,
			 .p_offset = off,
			 .p_vaddr = s->vaddr ? s->vaddr : s->paddr,
			 .p_paddr = s->paddr,
			 .p_filesz = s->filesz,
			 .p_memsz = s->memsz,
			 .p_align = type == PT_LOAD ? 0x1000 : 4 };
	Elf32_Phdr q;

	if (t->is64) {
		memcpy(t->buf + sizeof(Elf64_Ehdr) + i * sizeof(p), &p,
		       sizeof(p));
		return;
	}
	/* The same fields, 32 bits wide, p_flags after p_memsz. */
	q = (Elf32_Phdr){ p.p_type,   p.p_offset, p.p_vaddr, p.p_paddr,
			  p.p_filesz, p.p_memsz,  p.p_flags, p.p_align };
	memcpy(t->buf + sizeof(Elf32_Ehdr) + i * sizeof(q), &q, sizeof(q));
}

static inline void put_ehdr(struct test_elf *t, uint64_t entry,
			    unsigned int phnum)
{
	Elf64_Ehdr e64 = { .e_type = ET_EXEC,
			   .e_machine = EM_X86_64,
			   .e_version = EV_CURRENT,
			   .e_entry = entry,
			   .e_phoff = sizeof(Elf64_Ehdr),
			   .e_ehsize = sizeof(Elf64_Ehdr),
			   .e_phentsize = sizeof(Elf64_Phdr),
			   .e_phnum = phnum };
	Elf32_Ehdr e32 = { .e_type = ET_EXEC,
			   .e_machine = EM_386,
			   .e_version = EV_CURRENT,
			   .e_entry = (uint32_t)entry,
			   .e_phoff = sizeof(Elf32_Ehdr),
			   .e_ehsize = sizeof(Elf32_Ehdr),
			   .e_phentsize = sizeof(Elf32_Phdr),
			   .e_phnum = phnum };
	uint8_t *ident = t->is64 ? e64.e_ident : e32.e_ident;

	memcpy(ident, ELFMAG, SELFMAG);
	ident[EI_CLASS] = t->is64 ? ELFCLASS64 : ELFCLASS32;
	ident[EI_DATA] = ELFDATA2LSB;
	ident[EI_VERSION] = EV_CURRENT;
	if (t->is64)
		memcpy(t->buf, &e64, sizeof(e64));
	else
		memcpy(t->buf, &e32, sizeof(e32));
}

/*
 * Start an image: call test_elf_add_note() (optional), then
 * test_elf_finish() with the segments.
 */
static inline void test_elf_init(struct test_elf *t, bool is64)
{
	memset(t, 0, sizeof(*t));
	t->is64 = is64;
}

static inline void test_elf_finish(struct test_elf *t, uint64_t entry,
				   const struct test_seg *segs,
				   unsigned int nr_segs)
{
	struct test_seg note = { .filesz = t->notes_len,
				 .memsz = t->notes_len };
	unsigned int i;
	uint64_t k;

	t->nr_segs = nr_segs;
	for (i = 0; i < nr_segs; i++) {
		uint64_t off = TEST_ELF_DATA_OFF + i * TEST_ELF_SEG_STRIDE;

		put_phdr(t, i, PT_LOAD, off, &segs[i]);
		for (k = 0; k < segs[i].filesz && k < TEST_ELF_SEG_STRIDE; k++)
			t->buf[off + k] = test_elf_byte(i, k);
	}
	if (t->notes_len)
		put_phdr(t, nr_segs, PT_NOTE, TEST_ELF_NOTES_OFF, &note);
	put_ehdr(t, entry, nr_segs + (t->notes_len ? 1 : 0));
	t->len = TEST_ELF_SIZE;
}

#endif
