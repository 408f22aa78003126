// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_pvh.c - the PVH ELF loader: a minimal ELF64 built in memory is
 * loaded into a fake guest and the start info, memory map, command line,
 * initrd and entry are checked; then the same image is broken in every
 * way an untrusted file can be, and each must fail with a clear message.
 */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "boot_test_util.h"
#include "elf_test_util.h"
#include "kvmux/boot.h"
#include "kvmux/boot_common.h"
#include "kvmux/elf_pvh.h"
#include "kvmux/error.h"
#include "kvmux/pvh.h"

#define RAM_SIZE (64ULL << 20)
#define KERNEL_PADDR 0x1000000ULL /* 16 MiB, where Linux links itself */
#define KERNEL_FILESZ 0x300
#define KERNEL_MEMSZ 0x2000
#define KERNEL_ENTRY 0x1000040U

/* File layout of the test image. */
#define PHDR_OFF sizeof(Elf64_Ehdr)
#define NOTE_OFF (PHDR_OFF + 2 * sizeof(Elf64_Phdr))
#define NOTE_SIZE 20 /* 12-byte header, "Xen\0", 4-byte entry */
#define DATA_OFF 0x100
#define IMAGE_LEN (DATA_OFF + KERNEL_FILESZ)

struct image {
	uint8_t buf[IMAGE_LEN] __attribute__((aligned(8)));
	size_t len;
};

static Elf64_Ehdr *ehdr(struct image *im)
{
	return (Elf64_Ehdr *)im->buf;
}

static Elf64_Phdr *phdr(struct image *im, unsigned int i)
{
	return (Elf64_Phdr *)(im->buf + PHDR_OFF) + i;
}

static uint32_t *note_word(struct image *im, unsigned int i)
{
	return (uint32_t *)(im->buf + NOTE_OFF) + i;
}

static void put_note(uint8_t *p, uint32_t namesz, uint32_t descsz,
		     uint32_t type, const char *name, const void *desc)
{
	memcpy(p, &namesz, 4);
	memcpy(p + 4, &descsz, 4);
	memcpy(p + 8, &type, 4);
	memcpy(p + 12, name, namesz);
	memcpy(p + 12 + ((namesz + 3) & ~3U), desc, descsz);
}

/* ELF64 x86-64 executable: phdr 0 = PT_LOAD, phdr 1 = PT_NOTE (PVH). */
static void build_elf(struct image *im)
{
	Elf64_Ehdr *e = ehdr(im);
	uint32_t entry = KERNEL_ENTRY;
	unsigned int i;

	memset(im, 0, sizeof(*im));
	im->len = IMAGE_LEN;
	memcpy(e->e_ident, ELFMAG, SELFMAG);
	e->e_ident[EI_CLASS] = ELFCLASS64;
	e->e_ident[EI_DATA] = ELFDATA2LSB;
	e->e_ident[EI_VERSION] = EV_CURRENT;
	e->e_type = ET_EXEC;
	e->e_machine = EM_X86_64;
	e->e_version = EV_CURRENT;
	e->e_entry = 0xffffffff81000000ULL; /* virtual: must be ignored */
	e->e_phoff = PHDR_OFF;
	e->e_ehsize = sizeof(Elf64_Ehdr);
	e->e_phentsize = sizeof(Elf64_Phdr);
	e->e_phnum = 2;

	*phdr(im, 0) = (Elf64_Phdr){ .p_type = PT_LOAD,
				     .p_offset = DATA_OFF,
				     .p_vaddr = 0xffffffff81000000ULL,
				     .p_paddr = KERNEL_PADDR,
				     .p_filesz = KERNEL_FILESZ,
				     .p_memsz = KERNEL_MEMSZ,
				     .p_align = 0x1000 };
	*phdr(im, 1) = (Elf64_Phdr){ .p_type = PT_NOTE,
				     .p_offset = NOTE_OFF,
				     .p_filesz = NOTE_SIZE,
				     .p_memsz = NOTE_SIZE,
				     .p_align = 4 };
	put_note(im->buf + NOTE_OFF, 4, 4, XEN_ELFNOTE_PHYS32_ENTRY, "Xen",
		 &entry);
	for (i = 0; i < KERNEL_FILESZ; i++)
		im->buf[DATA_OFF + i] = (uint8_t)(i * 7 + 1);
}

struct fixture {
	struct fake_guest g;
	struct image im;
	struct boot_files f;
	struct boot_entry entry;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx || fake_guest_init(&fx->g, RAM_SIZE))
		return -1;
	build_elf(&fx->im);
	fx->f.kernel = fx->im.buf;
	fx->f.kernel_len = fx->im.len;
	fx->f.cmdline = "console=ttyS0 panic=-1";
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	fake_guest_free(&fx->g);
	free(fx);
	return 0;
}

static int load(struct fixture *fx)
{
	return boot_load(&fx->g.gm, &fx->g.layout, &fx->f, &fx->entry);
}

static void *at(struct fixture *fx, uint64_t gpa, uint64_t len)
{
	return fake_guest_at(&fx->g, gpa, len);
}

/* Loading must fail with a message containing want. */
static void expect_error(struct fixture *fx, const char *want)
{
	assert_int_equal(load(fx), -1);
	if (!strstr(err_msg(), want))
		fail_msg("error \"%s\" does not contain \"%s\"", err_msg(),
			 want);
}

/* --- good images ------------------------------------------------------ */

static void test_detect(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(image_detect(fx->im.buf, fx->im.len), IMAGE_ELF);
	assert_int_equal(image_detect(fx->im.buf, 3), IMAGE_UNKNOWN);
	assert_int_equal(image_detect(NULL, 0), IMAGE_UNKNOWN);
	assert_string_equal(image_kind_name(IMAGE_ELF), "ELF");
	assert_string_equal(image_kind_name(IMAGE_UNKNOWN), "unknown");
}

static void test_entry(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(load(fx), 0);
	assert_int_equal(fx->entry.cpu.mode, BOOT_PROTECTED32);
	assert_int_equal(fx->entry.cpu.rip, KERNEL_ENTRY);
	assert_int_equal(fx->entry.cpu.rbx, BOOT_PVH_INFO_ADDR);
	assert_int_equal(fx->entry.cpu.cr3, 0);
	assert_int_equal(fx->entry.cpu.gdt_base, BOOT_GDT_ADDR);
	assert_int_equal(fx->entry.cpu.gdt_limit, 4 * 8 - 1);
	assert_int_equal(fx->entry.kind, IMAGE_ELF);
	assert_int_equal(fx->entry.initrd_gpa, 0);
	assert_int_equal(fx->entry.initrd_size, 0);
}

static void test_segment_loaded(void **state)
{
	struct fixture *fx = *state;
	uint8_t *mem = at(fx, KERNEL_PADDR, KERNEL_MEMSZ);
	unsigned int i;

	/* Stale bytes where .bss goes must be cleared by the loader. */
	memset(mem, 0xcc, KERNEL_MEMSZ);
	assert_int_equal(load(fx), 0);
	assert_memory_equal(mem, fx->im.buf + DATA_OFF, KERNEL_FILESZ);
	for (i = KERNEL_FILESZ; i < KERNEL_MEMSZ; i++)
		assert_int_equal(mem[i], 0);
}

static void test_gdt(void **state)
{
	struct fixture *fx = *state;
	uint64_t gdt[4];

	assert_int_equal(load(fx), 0);
	memcpy(gdt, at(fx, BOOT_GDT_ADDR, sizeof(gdt)), sizeof(gdt));
	assert_int_equal(gdt[0], 0);
	assert_int_equal(gdt[BOOT_SEL_CODE32 / 8], 0x00cf9b000000ffffULL);
	assert_int_equal(gdt[BOOT_SEL_CODE64 / 8], 0x00af9b000000ffffULL);
	assert_int_equal(gdt[BOOT_SEL_DATA / 8], 0x00cf93000000ffffULL);
}

static void test_start_info(void **state)
{
	struct fixture *fx = *state;
	struct hvm_start_info si;
	struct hvm_memmap_entry map[LAYOUT_MAX_RANGES];
	unsigned int i;

	assert_int_equal(load(fx), 0);
	memcpy(&si, at(fx, BOOT_PVH_INFO_ADDR, sizeof(si)), sizeof(si));
	assert_int_equal(si.magic, 0x336ec578);
	assert_int_equal(si.version, 1);
	assert_int_equal(si.flags, 0);
	assert_int_equal(si.nr_modules, 0);
	assert_int_equal(si.rsdp_paddr, 0);
	assert_int_equal(si.reserved, 0);
	assert_int_equal(si.cmdline_paddr, BOOT_CMDLINE_ADDR);
	assert_string_equal(at(fx, si.cmdline_paddr, 1), fx->f.cmdline);
	assert_int_equal(si.memmap_entries, fx->g.layout.nr_ranges);
	memcpy(map, at(fx, si.memmap_paddr, si.memmap_entries * sizeof(map[0])),
	       si.memmap_entries * sizeof(map[0]));
	for (i = 0; i < si.memmap_entries; i++) {
		assert_int_equal(map[i].addr, fx->g.layout.range[i].addr);
		assert_int_equal(map[i].size, fx->g.layout.range[i].size);
		assert_int_equal(map[i].type, fx->g.layout.range[i].type);
		assert_int_equal(map[i].reserved, 0);
	}
	/* The boot structures must not overlap each other. */
	assert_true(si.memmap_paddr >= BOOT_PVH_INFO_ADDR + sizeof(si));
	assert_true(si.memmap_paddr + si.memmap_entries * sizeof(map[0]) <=
		    BOOT_ZERO_PAGE_ADDR);
}

static void test_rsdp(void **state)
{
	struct fixture *fx = *state;
	struct hvm_start_info si;

	assert_int_equal(load(fx), 0);
	assert_int_equal(boot_set_rsdp(&fx->g.gm, &fx->entry, 0xf2000), 0);
	memcpy(&si, at(fx, BOOT_PVH_INFO_ADDR, sizeof(si)), sizeof(si));
	assert_int_equal(si.rsdp_paddr, 0xf2000);
	assert_int_equal(si.magic, 0x336ec578);
}

static void test_initrd(void **state)
{
	struct fixture *fx = *state;
	static uint8_t initrd[10000];
	struct hvm_start_info si;
	struct hvm_modlist_entry mod;

	memset(initrd, 0x5a, sizeof(initrd));
	fx->f.initrd.data = initrd;
	fx->f.initrd.len = sizeof(initrd);
	assert_int_equal(load(fx), 0);
	memcpy(&si, at(fx, BOOT_PVH_INFO_ADDR, sizeof(si)), sizeof(si));
	assert_int_equal(si.nr_modules, 1);
	memcpy(&mod, at(fx, si.modlist_paddr, sizeof(mod)), sizeof(mod));
	assert_int_equal(mod.size, sizeof(initrd));
	assert_int_equal(mod.paddr % 4096, 0);
	assert_int_equal(mod.cmdline_paddr, 0);
	assert_int_equal(mod.reserved, 0);
	/* As high as possible: the last page of RAM holds its end. */
	assert_true(mod.paddr + mod.size <= RAM_SIZE);
	assert_true(mod.paddr + mod.size > RAM_SIZE - 4096);
	assert_true(mod.paddr >= KERNEL_PADDR + KERNEL_MEMSZ);
	assert_memory_equal(at(fx, mod.paddr, mod.size), initrd,
			    sizeof(initrd));
	assert_int_equal(fx->entry.initrd_gpa, mod.paddr);
	assert_int_equal(fx->entry.initrd_size, sizeof(initrd));
}

static void test_empty_cmdline(void **state)
{
	struct fixture *fx = *state;

	fx->f.cmdline = "";
	assert_int_equal(load(fx), 0);
	assert_string_equal(at(fx, BOOT_CMDLINE_ADDR, 1), "");
}

static void test_longest_cmdline(void **state)
{
	struct fixture *fx = *state;
	char *line = malloc(BOOT_CMDLINE_MAX);

	memset(line, 'a', BOOT_CMDLINE_MAX - 1);
	line[BOOT_CMDLINE_MAX - 1] = '\0';
	fx->f.cmdline = line;
	assert_int_equal(load(fx), 0);
	assert_int_equal(strlen(at(fx, BOOT_CMDLINE_ADDR, 1)),
			 BOOT_CMDLINE_MAX - 1);
	free(line);
}

/* Notes before the PVH note must be stepped over with their padding. */
static void test_note_after_other_note(void **state)
{
	struct fixture *fx = *state;
	uint8_t *notes = fx->im.buf + NOTE_OFF;
	uint32_t entry = KERNEL_ENTRY + 0x10;

	/* "GNU\0" + 5-byte desc padded to 8: 12 + 4 + 8 = 24 bytes. */
	put_note(notes, 4, 5, 3, "GNU", "abcde");
	put_note(notes + 24, 4, 4, XEN_ELFNOTE_PHYS32_ENTRY, "Xen", &entry);
	phdr(&fx->im, 1)->p_filesz = 24 + NOTE_SIZE;
	assert_true(NOTE_OFF + 24 + NOTE_SIZE <= DATA_OFF);
	assert_int_equal(load(fx), 0);
	assert_int_equal(fx->entry.cpu.rip, KERNEL_ENTRY + 0x10);
}

static void test_note_8byte_desc(void **state)
{
	struct fixture *fx = *state;
	uint64_t entry = KERNEL_ENTRY;

	put_note(fx->im.buf + NOTE_OFF, 4, 8, XEN_ELFNOTE_PHYS32_ENTRY, "Xen",
		 &entry);
	phdr(&fx->im, 1)->p_filesz = NOTE_SIZE + 4;
	assert_int_equal(load(fx), 0);
	assert_int_equal(fx->entry.cpu.rip, KERNEL_ENTRY);
}

/* No PT_NOTE: the note is found through the section headers. */
static void test_note_in_section_only(void **state)
{
	struct fixture *fx = *state;
	static uint8_t big[IMAGE_LEN + 2 * sizeof(Elf64_Shdr)]
		__attribute__((aligned(8)));
	Elf64_Shdr *sh = (Elf64_Shdr *)(big + IMAGE_LEN);

	phdr(&fx->im, 1)->p_type = PT_NULL;
	ehdr(&fx->im)->e_shoff = IMAGE_LEN;
	ehdr(&fx->im)->e_shnum = 2;
	ehdr(&fx->im)->e_shentsize = sizeof(Elf64_Shdr);
	memcpy(big, fx->im.buf, IMAGE_LEN);
	memset(sh, 0, 2 * sizeof(*sh));
	sh[1].sh_type = SHT_NOTE;
	sh[1].sh_offset = NOTE_OFF;
	sh[1].sh_size = NOTE_SIZE;
	sh[1].sh_addralign = 4;
	fx->f.kernel = big;
	fx->f.kernel_len = sizeof(big);
	assert_int_equal(load(fx), 0);
	assert_int_equal(fx->entry.cpu.rip, KERNEL_ENTRY);

	sh[1].sh_offset = UINT64_MAX - 4;
	expect_error(fx, "section 1 points past the end");
	ehdr((struct image *)big)->e_shoff = UINT64_MAX - 8;
	expect_error(fx, "section headers");
}

/* An ELF32 i386 kernel (e.g. a small test guest) loads the same way. */
static void test_elf32(void **state)
{
	struct fixture *fx = *state;
	static uint8_t im[0x100 + 16] __attribute__((aligned(8)));
	Elf32_Ehdr *e = (Elf32_Ehdr *)im;
	Elf32_Phdr *ph = (Elf32_Phdr *)(im + sizeof(*e));
	uint32_t entry = 0x200000;
	const uint32_t note_off = sizeof(*e) + 2 * sizeof(*ph);

	memset(im, 0, sizeof(im));
	memcpy(e->e_ident, ELFMAG, SELFMAG);
	e->e_ident[EI_CLASS] = ELFCLASS32;
	e->e_ident[EI_DATA] = ELFDATA2LSB;
	e->e_type = ET_EXEC;
	e->e_machine = EM_386;
	e->e_phoff = sizeof(*e);
	e->e_phentsize = sizeof(*ph);
	e->e_phnum = 2;
	ph[0] = (Elf32_Phdr){ .p_type = PT_LOAD,
			      .p_offset = 0x100,
			      .p_paddr = 0x200000,
			      .p_filesz = 16,
			      .p_memsz = 64 };
	ph[1] = (Elf32_Phdr){ .p_type = PT_NOTE,
			      .p_offset = note_off,
			      .p_filesz = NOTE_SIZE };
	put_note(im + note_off, 4, 4, XEN_ELFNOTE_PHYS32_ENTRY, "Xen", &entry);
	memset(im + 0x100, 0x90, 16);
	fx->f.kernel = im;
	fx->f.kernel_len = sizeof(im);
	assert_int_equal(load(fx), 0);
	assert_int_equal(fx->entry.cpu.rip, 0x200000);
	assert_memory_equal(at(fx, 0x200000, 16), im + 0x100, 16);

	e->e_machine = EM_X86_64; /* ELF32 must be i386 */
	expect_error(fx, "not i386");
}

/* --- hostile images --------------------------------------------------- */

static void test_empty(void **state)
{
	struct fixture *fx = *state;

	fx->f.kernel_len = 0;
	expect_error(fx, "the image is empty");
	fx->f.kernel = NULL;
	expect_error(fx, "the image is empty");
}

static void test_random_bytes(void **state)
{
	struct fixture *fx = *state;
	unsigned int i;

	srand(1);
	for (i = 0; i < IMAGE_LEN; i++)
		fx->im.buf[i] = (uint8_t)rand();
	fx->im.buf[0] = 0; /* not "\x7fELF" by chance */
	expect_error(fx, "not a kernel image kvmux knows");
}

static void test_truncated_ehdr(void **state)
{
	struct fixture *fx = *state;

	fx->f.kernel_len = 4;
	expect_error(fx, "truncated");
	fx->f.kernel_len = EI_NIDENT;
	expect_error(fx, "shorter than an ELF header");
	fx->f.kernel_len = sizeof(Elf64_Ehdr) - 1;
	expect_error(fx, "shorter than an ELF header");
}

static void test_truncated_phdrs(void **state)
{
	struct fixture *fx = *state;

	fx->f.kernel_len = PHDR_OFF + sizeof(Elf64_Phdr) + 10;
	expect_error(fx, "program headers (2 at offset 0x40) run past the end");
}

static void test_phoff_past_end(void **state)
{
	struct fixture *fx = *state;

	ehdr(&fx->im)->e_phoff = IMAGE_LEN;
	expect_error(fx, "run past the end");
	ehdr(&fx->im)->e_phoff = UINT64_MAX;
	expect_error(fx, "run past the end");
	ehdr(&fx->im)->e_phoff = UINT64_MAX - 55;
	expect_error(fx, "run past the end");
}

static void test_phnum_past_end(void **state)
{
	struct fixture *fx = *state;

	ehdr(&fx->im)->e_phnum = 0xffff;
	expect_error(fx, "run past the end");
	ehdr(&fx->im)->e_phnum = 0;
	expect_error(fx, "no program headers");
	ehdr(&fx->im)->e_phnum = 2;
	ehdr(&fx->im)->e_phentsize = 8;
	expect_error(fx, "smaller than");
}

static void test_segment_beyond_file(void **state)
{
	struct fixture *fx = *state;

	phdr(&fx->im, 0)->p_offset = DATA_OFF + 1;
	expect_error(fx, "program header 0 points past the end of the file");
	phdr(&fx->im, 0)->p_offset = UINT64_MAX;
	expect_error(fx, "program header 0 points past the end of the file");
	phdr(&fx->im, 0)->p_offset = DATA_OFF;
	phdr(&fx->im, 0)->p_filesz = UINT64_MAX;
	phdr(&fx->im, 0)->p_memsz = UINT64_MAX;
	expect_error(fx, "program header 0 points past the end of the file");
}

static void test_filesz_over_memsz(void **state)
{
	struct fixture *fx = *state;

	phdr(&fx->im, 0)->p_memsz = KERNEL_FILESZ - 1;
	expect_error(
		fx,
		"program header 0 has file size 0x300 larger than its memory size 0x2ff");
}

static void test_segment_outside_ram(void **state)
{
	struct fixture *fx = *state;

	phdr(&fx->im, 0)->p_paddr = RAM_SIZE - 0x1000;
	expect_error(
		fx,
		"--memory 64M is too small: the kernel (program header 0) needs 0x2000 bytes from 0x3fff000");
	phdr(&fx->im, 0)->p_paddr = 0xd0000000; /* in the MMIO gap */
	expect_error(fx, "not in guest RAM below 3 GiB");
	phdr(&fx->im, 0)->p_paddr = UINT64_MAX - 0xfff; /* would wrap */
	expect_error(fx, "not in guest RAM below 3 GiB");
	phdr(&fx->im, 0)->p_paddr = KERNEL_PADDR;
	phdr(&fx->im, 0)->p_memsz = UINT64_MAX;
	expect_error(fx, "not in guest RAM below 3 GiB");
}

/* A segment below 1 MiB loads; kvmux's structures move out of its way. */
static void test_segment_below_1m(void **state)
{
	struct fixture *fx = *state;

	phdr(&fx->im, 0)->p_paddr = 0x8000; /* where the zero page would be */
	*note_word(&fx->im, 4) = 0x8040; /* the entry moves with it */
	assert_int_equal(load(fx), 0);
	assert_memory_equal(at(fx, 0x8000, KERNEL_FILESZ),
			    fx->im.buf + DATA_OFF, KERNEL_FILESZ);
	assert_int_equal(fx->entry.cpu.rbx,
			 BOOT_PVH_INFO_ADDR); /* still free */
	phdr(&fx->im, 0)->p_paddr = 0; /* over the GDT's usual place */
	*note_word(&fx->im, 4) = 0x40;
	assert_int_equal(load(fx), 0);
	assert_true(fx->entry.cpu.gdt_base >= KERNEL_MEMSZ);
	assert_memory_equal(at(fx, 0, KERNEL_FILESZ), fx->im.buf + DATA_OFF,
			    KERNEL_FILESZ);
}

/* True if [a, a + alen) and [b, b + blen) share a byte. */
static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/*
 * Stock GNU ld layout: ELF headers in a read-only PT_LOAD at 0xff000, and
 * here also a .bss over every usual place of kvmux's structures.
 */
static void test_structures_avoid_kernel(void **state)
{
	struct fixture *fx = *state;
	static struct test_elf t;
	const struct test_seg segs[] = {
		{ .paddr = 0xff000, .filesz = 0xd4, .memsz = 0xd4 },
		{ .paddr = 0x100000, .filesz = 0x800, .memsz = 0x800 },
		{ .paddr = 0x400, .filesz = 0, .memsz = 0x9f000 - 0x400 },
	};
	static uint8_t initrd[5000];
	struct hvm_start_info si;
	unsigned int i;

	test_elf_init(&t, false);
	test_elf_pvh_note(&t, 0x100000);
	test_elf_finish(&t, 0x100000, segs, 3);
	fx->f.kernel = t.buf;
	fx->f.kernel_len = t.len;
	fx->f.initrd.data = initrd;
	fx->f.initrd.len = sizeof(initrd);
	assert_int_equal(load(fx), 0);
	assert_int_equal(fx->entry.cpu.rip, 0x100000);
	assert_int_equal(*(uint8_t *)at(fx, 0xff0d3, 1),
			 test_elf_byte(0, 0xd3));
	memcpy(&si, at(fx, fx->entry.cpu.rbx, sizeof(si)), sizeof(si));
	assert_int_equal(si.magic, HVM_START_MAGIC);
	assert_string_equal(at(fx, si.cmdline_paddr, 1), fx->f.cmdline);
	/* Nothing of kvmux's inside the kernel's ranges. */
	for (i = 0; i < 3; i++) {
		assert_false(overlaps(fx->entry.cpu.rbx, PVH_INFO_SIZE,
				      segs[i].paddr, segs[i].memsz));
		assert_false(overlaps(si.cmdline_paddr,
				      strlen(fx->f.cmdline) + 1, segs[i].paddr,
				      segs[i].memsz));
		assert_false(overlaps(fx->entry.cpu.gdt_base, 32, segs[i].paddr,
				      segs[i].memsz));
		assert_false(overlaps(fx->entry.initrd_gpa, sizeof(initrd),
				      segs[i].paddr, segs[i].memsz));
	}
	assert_true(fx->entry.cpu.rbx < 4ULL << 30);
}

static void test_segments_overlap(void **state)
{
	struct fixture *fx = *state;
	static struct test_elf t;
	const struct test_seg segs[] = {
		{ .paddr = 0x100000, .filesz = 0x100, .memsz = 0x3000 },
		{ .paddr = 0x102000, .filesz = 0x100, .memsz = 0x100 },
	};

	test_elf_init(&t, true);
	test_elf_pvh_note(&t, 0x100000);
	test_elf_finish(&t, 0x100000, segs, 2);
	fx->f.kernel = t.buf;
	fx->f.kernel_len = t.len;
	expect_error(
		fx,
		"the kernel (program header 1) at 0x102000-0x1020ff overlaps the kernel (program header 0) at 0x100000-0x102fff");
}

/* Fresh guest RAM is zero: the loader must not touch a kernel's .bss. */
static void test_bss_left_alone(void **state)
{
	struct fixture *fx = *state;
	uint8_t *mem = at(fx, KERNEL_PADDR, KERNEL_MEMSZ);

	memset(mem, 0xcc, KERNEL_MEMSZ);
	fx->g.gm.fresh = true;
	assert_int_equal(load(fx), 0);
	assert_memory_equal(mem, fx->im.buf + DATA_OFF, KERNEL_FILESZ);
	assert_int_equal(mem[KERNEL_FILESZ], 0xcc);
	assert_int_equal(mem[KERNEL_MEMSZ - 1], 0xcc);
}

/* An entry outside the loaded bytes would run what is not the kernel. */
static void test_entry_outside_code(void **state)
{
	struct fixture *fx = *state;
	static const uint32_t bad[] = { KERNEL_PADDR + KERNEL_FILESZ, /* .bss */
					0, KERNEL_PADDR - 1, 0xfee00000,
					0x8000000 /* past RAM */ };
	char want[128];
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		*note_word(&fx->im, 4) = bad[i];
		snprintf(want, sizeof(want),
			 "the PVH entry point %#x is outside the kernel's "
			 "loaded code (0x1000000-0x10002ff)",
			 bad[i]);
		expect_error(fx, want);
	}
	*note_word(&fx->im, 4) = KERNEL_PADDR + KERNEL_FILESZ - 1;
	assert_int_equal(load(fx), 0);
}

/* The message lists every loaded range. */
static void test_entry_outside_segments(void **state)
{
	struct fixture *fx = *state;
	static struct test_elf t;
	const struct test_seg segs[] = {
		{ .paddr = 0x100000, .filesz = 0x100, .memsz = 0x1000 },
		{ .paddr = 0x200000, .filesz = 0x80, .memsz = 0x80 },
		{ .paddr = 0x300000, .filesz = 0, .memsz = 0x1000 },
	};

	test_elf_init(&t, true);
	test_elf_pvh_note(&t, 0x300000);
	test_elf_finish(&t, 0x300000, segs, 3);
	fx->f.kernel = t.buf;
	fx->f.kernel_len = t.len;
	expect_error(
		fx,
		"the PVH entry point 0x300000 is outside the kernel's loaded code (0x100000-0x1000ff, 0x200000-0x20007f)");
}

static void test_no_load_segment(void **state)
{
	struct fixture *fx = *state;

	phdr(&fx->im, 0)->p_type = PT_NULL;
	expect_error(fx, "no loadable segment");
}

static void test_note_sizes_past_end(void **state)
{
	struct fixture *fx = *state;

	*note_word(&fx->im, 0) = 0xffffffff; /* namesz */
	expect_error(fx, "is malformed");
	*note_word(&fx->im, 0) = 0xfffffffd; /* rounds up to 2^32 */
	expect_error(fx, "is malformed");
	*note_word(&fx->im, 0) = 4;
	*note_word(&fx->im, 1) = 5; /* descsz one past the segment */
	expect_error(fx, "is malformed");
	*note_word(&fx->im, 1) = 0xffffffff;
	expect_error(fx, "is malformed");
}

static void test_note_segment_past_end(void **state)
{
	struct fixture *fx = *state;

	phdr(&fx->im, 1)->p_offset = IMAGE_LEN - 4;
	expect_error(fx, "program header 1 points past the end of the file");
	phdr(&fx->im, 1)->p_offset = UINT64_MAX - 3;
	expect_error(fx, "program header 1 points past the end of the file");
	phdr(&fx->im, 1)->p_offset = NOTE_OFF;
	phdr(&fx->im, 1)->p_filesz = UINT64_MAX;
	expect_error(fx, "program header 1 points past the end of the file");
}

static void test_no_pvh_note(void **state)
{
	struct fixture *fx = *state;

	*note_word(&fx->im, 2) = 17; /* another Xen note type */
	expect_error(
		fx,
		"ELF kernel has no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY); kvmux boots ELF kernels through PVH only");
	*note_word(&fx->im, 2) = XEN_ELFNOTE_PHYS32_ENTRY;
	memcpy(fx->im.buf + NOTE_OFF + 12, "Xe", 3); /* name "Xe" */
	expect_error(fx, "no PVH entry note");
	phdr(&fx->im, 1)->p_type = PT_NULL;
	expect_error(fx, "no PVH entry note");
}

static void test_bad_pvh_desc(void **state)
{
	struct fixture *fx = *state;
	uint64_t high = 0x100000000ULL;

	*note_word(&fx->im, 1) = 2;
	expect_error(fx, "2-byte value; expected 4 or 8");
	put_note(fx->im.buf + NOTE_OFF, 4, 8, XEN_ELFNOTE_PHYS32_ENTRY, "Xen",
		 &high);
	phdr(&fx->im, 1)->p_filesz = NOTE_SIZE + 4;
	expect_error(fx, "not a 32-bit address");
}

static void test_wrong_machine(void **state)
{
	struct fixture *fx = *state;

	ehdr(&fx->im)->e_machine = EM_AARCH64;
	expect_error(fx, "ELF kernel is for machine 183, not x86-64");
}

static void test_wrong_header_fields(void **state)
{
	struct fixture *fx = *state;

	ehdr(&fx->im)->e_type = ET_DYN;
	expect_error(fx, "not an executable");
	ehdr(&fx->im)->e_type = ET_EXEC;
	fx->im.buf[EI_DATA] = ELFDATA2MSB;
	expect_error(fx, "not little-endian");
	fx->im.buf[EI_DATA] = ELFDATA2LSB;
	fx->im.buf[EI_CLASS] = 7;
	expect_error(fx, "unknown class 7");
}

static void test_initrd_too_large(void **state)
{
	struct fixture *fx = *state;
	const size_t len = RAM_SIZE - KERNEL_PADDR; /* overlaps the kernel */
	uint8_t *initrd = calloc(1, len);

	fx->f.initrd.data = initrd;
	fx->f.initrd.len = len;
	expect_error(fx,
		     "initrd of 50331648 bytes does not fit in --memory 64M");
	free(initrd);
}

static void test_cmdline_too_long(void **state)
{
	struct fixture *fx = *state;
	char *line = malloc(BOOT_CMDLINE_MAX + 1);

	memset(line, 'a', BOOT_CMDLINE_MAX);
	line[BOOT_CMDLINE_MAX] = '\0';
	fx->f.cmdline = line;
	expect_error(fx, "kernel command line is too long: 65536 bytes");
	free(line);
}

/* A vmlinux (a "Linux" note) keeps 2047 bytes, as the bzImage path says. */
static void test_linux_cmdline_limit(void **state)
{
	struct fixture *fx = *state;
	static struct test_elf t;
	const struct test_seg seg = { .paddr = 0x1000000,
				      .filesz = 0x100,
				      .memsz = 0x1000 };
	static char line[2049];

	test_elf_init(&t, true);
	test_elf_add_note(&t, "GNU", 3, "0123456789abcdef0123", 20);
	test_elf_add_note(&t, "Linux", 0x100, "\0\0\0\0", 4);
	test_elf_pvh_note(&t, 0x1000000);
	test_elf_finish(&t, 0x1000000, &seg, 1);
	fx->f.kernel = t.buf;
	fx->f.kernel_len = t.len;
	memset(line, 'x', 2048);
	fx->f.cmdline = line;
	expect_error(
		fx,
		"kernel command line is too long: 2048 bytes, this kernel accepts at most 2047");
	line[2047] = '\0';
	assert_int_equal(load(fx), 0);
	/* Without the note: any line up to 64 KiB. */
	fx->f.kernel = fx->im.buf;
	fx->f.kernel_len = fx->im.len;
	line[2047] = 'x';
	assert_int_equal(load(fx), 0);
}

/*
 * Flip random bytes of the headers and notes: whatever the result, the
 * loader must return cleanly (the sanitizer build checks every access).
 */
static void test_mutations(void **state)
{
	struct fixture *fx = *state;
	struct image good = fx->im;
	unsigned int round, k;

	srand(42);
	for (round = 0; round < 20000; round++) {
		fx->im = good;
		for (k = 0; k < 1 + round % 4; k++)
			fx->im.buf[rand() % DATA_OFF] = (uint8_t)rand();
		fx->f.kernel_len = round % 7 ? IMAGE_LEN : rand() % IMAGE_LEN;
		if (load(fx))
			assert_true(err_msg()[0] != '\0');
	}
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_detect),
		T(test_entry),
		T(test_segment_loaded),
		T(test_gdt),
		T(test_start_info),
		T(test_rsdp),
		T(test_initrd),
		T(test_empty_cmdline),
		T(test_longest_cmdline),
		T(test_note_after_other_note),
		T(test_note_8byte_desc),
		T(test_note_in_section_only),
		T(test_elf32),
		T(test_empty),
		T(test_random_bytes),
		T(test_truncated_ehdr),
		T(test_truncated_phdrs),
		T(test_phoff_past_end),
		T(test_phnum_past_end),
		T(test_segment_beyond_file),
		T(test_filesz_over_memsz),
		T(test_segment_outside_ram),
		T(test_segment_below_1m),
		T(test_structures_avoid_kernel),
		T(test_segments_overlap),
		T(test_bss_left_alone),
		T(test_entry_outside_code),
		T(test_entry_outside_segments),
		T(test_no_load_segment),
		T(test_note_sizes_past_end),
		T(test_note_segment_past_end),
		T(test_no_pvh_note),
		T(test_bad_pvh_desc),
		T(test_wrong_machine),
		T(test_wrong_header_fields),
		T(test_initrd_too_large),
		T(test_cmdline_too_long),
		T(test_linux_cmdline_limit),
		T(test_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
