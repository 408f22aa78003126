// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_boot_read.c - the files the loaders read through a function
 * (kvmux/boot.h): boot_image_read() must read of a kernel image every
 * byte a loader parses, each byte once, and nothing else (not an ELF
 * kernel's debug sections, not its PT_LOAD segments, not what follows
 * the first 64 KiB of any other file); the loaders read a PT_LOAD
 * segment through boot_files.kernel_read straight into guest memory,
 * once; an initrd or module read so lands intact, and a failing read
 * fails the load with the reader's reason.
 *
 * The ELF image is larger than the 64 KiB read first, with its header
 * tables, segments and notes beyond it, and every byte of the file
 * nonzero: a byte left unread reads as zero, so a load from what
 * boot_image_read() gave that differs from a load of the whole file shows
 * a byte it should have read.
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
#include "kvmux/boot.h"
#include "kvmux/elf_pvh.h"
#include "kvmux/error.h"
#include "kvmux/multiboot.h"

#define RAM_SIZE (64ULL << 20)
#define FILE_LEN 0x100000 /* 1 MiB */
#define PREFIX 0x10000 /* what boot_image_read() reads of every image */
#define PHDR_OFF 0x20000
#define SHDR_OFF 0x30000
#define LOAD_OFF 0x40000
#define LOAD_FILESZ 0x3000
#define LOAD_MEMSZ 0x5000
#define LOAD_PADDR 0x1000000 /* 16 MiB */
#define PVH_NOTE_OFF 0x50000
#define LINUX_NOTE_OFF 0x60000 /* in a section only: the fallback */
#define DEBUG_OFF 0x70000
#define DEBUG_LEN 0x80000
#define ENTRY (LOAD_PADDR + 0x40)
#define NR_PHDRS 2
#define NR_SHDRS 4 /* null, .note.Linux, .debug, .shstrtab-less end */

/* A file in memory, and how often each of its bytes was read. */
struct file {
	uint8_t *buf;
	size_t len;
	uint8_t *reads;
	unsigned int calls;
	unsigned int fail_at; /* the call that fails (1-based); 0: none */
};

static int read_file(void *ctx, void *dst, uint64_t off, size_t len)
{
	struct file *f = ctx;
	size_t i;

	assert_true(off <= f->len && len <= f->len - off);
	if (++f->calls == f->fail_at)
		return err_set("test file: read %u fails", f->calls);
	memcpy(dst, f->buf + off, len);
	for (i = 0; i < len; i++)
		if (f->reads[off + i] < 255)
			f->reads[off + i]++;
	return 0;
}

static void file_init(struct file *f, size_t len)
{
	size_t i;

	memset(f, 0, sizeof(*f));
	f->len = len;
	f->buf = malloc(len);
	f->reads = calloc(1, len);
	assert_non_null(f->buf);
	assert_non_null(f->reads);
	for (i = 0; i < len; i++)
		f->buf[i] = (uint8_t)(i * 7 % 251 + 1); /* never 0 */
}

static void file_free(struct file *f)
{
	free(f->buf);
	free(f->reads);
}

static void put_note(uint8_t *p, const char *name, uint32_t type, uint32_t desc)
{
	uint32_t namesz = strlen(name) + 1, descsz = 4;

	memcpy(p, &namesz, 4);
	memcpy(p + 4, &descsz, 4);
	memcpy(p + 8, &type, 4);
	memset(p + 12, 0, 8);
	memcpy(p + 12, name, namesz);
	memcpy(p + 12 + ((namesz + 3) & ~3U), &desc, 4);
}

/* ELF64: a PT_LOAD and a PT_NOTE (PVH) past the first 64 KiB, and
 * section headers for a "Linux" note and a large debug section. */
static void build_elf(struct file *f)
{
	Elf64_Ehdr e = {
		.e_type = ET_EXEC,
		.e_machine = EM_X86_64,
		.e_version = EV_CURRENT,
		.e_entry = ENTRY,
		.e_phoff = PHDR_OFF,
		.e_shoff = SHDR_OFF,
		.e_ehsize = sizeof(Elf64_Ehdr),
		.e_phentsize = sizeof(Elf64_Phdr),
		.e_phnum = NR_PHDRS,
		.e_shentsize = sizeof(Elf64_Shdr),
		.e_shnum = NR_SHDRS,
	};
	Elf64_Phdr ph[NR_PHDRS] = {
		{ .p_type = PT_LOAD,
		  .p_offset = LOAD_OFF,
		  .p_vaddr = LOAD_PADDR,
		  .p_paddr = LOAD_PADDR,
		  .p_filesz = LOAD_FILESZ,
		  .p_memsz = LOAD_MEMSZ,
		  .p_align = 0x1000 },
		{ .p_type = PT_NOTE,
		  .p_offset = PVH_NOTE_OFF,
		  .p_filesz = 20,
		  .p_memsz = 20,
		  .p_align = 4 },
	};
	Elf64_Shdr sh[NR_SHDRS] = {
		{ .sh_type = SHT_NULL },
		{ .sh_type = SHT_NOTE,
		  .sh_offset = LINUX_NOTE_OFF,
		  .sh_size = 24,
		  .sh_addralign = 4 },
		{ .sh_type = SHT_PROGBITS,
		  .sh_offset = DEBUG_OFF,
		  .sh_size = DEBUG_LEN,
		  .sh_addralign = 1 },
		{ .sh_type = SHT_NOBITS, .sh_offset = FILE_LEN },
	};

	file_init(f, FILE_LEN);
	memcpy(e.e_ident, ELFMAG, SELFMAG);
	e.e_ident[EI_CLASS] = ELFCLASS64;
	e.e_ident[EI_DATA] = ELFDATA2LSB;
	e.e_ident[EI_VERSION] = EV_CURRENT;
	memcpy(f->buf, &e, sizeof(e));
	memcpy(f->buf + PHDR_OFF, ph, sizeof(ph));
	memcpy(f->buf + SHDR_OFF, sh, sizeof(sh));
	put_note(f->buf + PVH_NOTE_OFF, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, ENTRY);
	put_note(f->buf + LINUX_NOTE_OFF, "Linux", 6, 0);
}

/* A multiboot header at offset 0x1000, with flags. */
static void put_multiboot(struct file *f, uint32_t flags)
{
	uint32_t w[3] = { MB_HEADER_MAGIC, flags, -(MB_HEADER_MAGIC + flags) };

	memcpy(f->buf + 0x1000, w, sizeof(w));
}

/* What a load made of guest memory, the entry and the error. */
struct outcome {
	int rc;
	char msg[ERR_MSG_MAX];
	struct boot_entry entry;
	uint8_t *ram; /* the RAM below 3 GiB, copied */
	size_t ram_len;
};

/* Load kernel (len bytes in the file; with f, its PT_LOAD segments and
 * the like read from f). */
static void load(const uint8_t *kernel, size_t len, struct file *f,
		 const char *cmdline, struct outcome *out)
{
	struct fake_guest g;
	struct boot_files bf = {
		.kernel = kernel,
		.kernel_len = len,
		.kernel_read = f ? read_file : NULL,
		.kernel_ctx = f,
		.kernel_name = "k",
		.cmdline = cmdline,
	};

	assert_int_equal(fake_guest_init(&g, RAM_SIZE), 0);
	err_set("%s", "");
	out->rc = boot_load(&g.gm, &g.layout, &bf, &out->entry);
	snprintf(out->msg, sizeof(out->msg), "%s", err_msg());
	out->ram_len = g.gm.region[0].size;
	out->ram = malloc(out->ram_len);
	assert_non_null(out->ram);
	memcpy(out->ram, g.gm.region[0].host, out->ram_len);
	fake_guest_free(&g);
}

/* Loading what boot_image_read() gave does what loading the file does;
 * returns what that was. */
static int assert_same_load(struct file *f, const uint8_t *buf,
			    const char *cmdline)
{
	struct outcome whole, read;

	load(f->buf, f->len, NULL, cmdline, &whole);
	load(buf, f->len, f, cmdline, &read);
	assert_int_equal(read.rc, whole.rc);
	assert_string_equal(read.msg, whole.msg);
	assert_memory_equal(&read.entry.cpu, &whole.entry.cpu,
			    sizeof(whole.entry.cpu));
	assert_int_equal(read.ram_len, whole.ram_len);
	assert_memory_equal(read.ram, whole.ram, whole.ram_len);
	free(whole.ram);
	free(read.ram);
	return whole.rc;
}

/* What boot_image_read() gave: buf_len bytes of the file. */
static size_t buf_len;

/* Every byte of [off, off + len) was read into buf, once. */
static void assert_read(const struct file *f, const uint8_t *buf, size_t off,
			size_t len)
{
	size_t i;

	for (i = off; i < off + len; i++)
		if (i >= buf_len || f->reads[i] != 1 || buf[i] != f->buf[i])
			fail_msg("byte %#zx was not read once", i);
}

/* No byte of [off, off + len) was read, and buf has zeros there, or
 * ends before. */
static void assert_unread(const struct file *f, const uint8_t *buf, size_t off,
			  size_t len)
{
	size_t i;

	for (i = off; i < off + len; i++)
		if (f->reads[i] || (i < buf_len && buf[i]))
			fail_msg("byte %#zx was read", i);
}

/* Read with boot_image_read(); the guest RAM is RAM_SIZE. */
static int image_read(struct file *f, uint8_t **buf)
{
	return boot_image_read(read_file, f, f->len, RAM_SIZE, buf, &buf_len);
}

static void test_elf_reads_what_loaders_read(void **state)
{
	struct file f;
	uint8_t *buf;
	/* Longer than a Linux kernel takes: refused only if the "Linux"
	 * note, in a section alone, was read. */
	static char cmdline[3000];

	(void)state;
	memset(cmdline, 'x', sizeof(cmdline) - 1);
	build_elf(&f);
	assert_int_equal(image_read(&f, &buf), 0);
	assert_non_null(buf);
	assert_read(&f, buf, 0, PREFIX);
	assert_read(&f, buf, PHDR_OFF, NR_PHDRS * sizeof(Elf64_Phdr));
	assert_read(&f, buf, SHDR_OFF, NR_SHDRS * sizeof(Elf64_Shdr));
	assert_read(&f, buf, PVH_NOTE_OFF, 20);
	assert_read(&f, buf, LINUX_NOTE_OFF, 24);
	assert_unread(&f, buf, DEBUG_OFF, DEBUG_LEN);
	assert_unread(&f, buf, LOAD_OFF, LOAD_FILESZ + 0x1000);
	/* Up to the furthest range read, the Linux note. */
	assert_int_equal(buf_len, LINUX_NOTE_OFF + 24);
	assert_int_equal(assert_same_load(&f, buf, "console=ttyS0"), 0);
	assert_int_equal(assert_same_load(&f, buf, cmdline), -1);
	boot_image_free(buf, buf_len);
	file_free(&f);
}

/* A multiboot ELF kernel without address fields loads by its program
 * headers; with them (flag 16), by the header's file offsets: only the
 * first 64 KiB is parsed, the image is read into guest memory. */
static void test_multiboot_elf(void **state)
{
	struct file f;
	uint8_t *buf;

	(void)state;
	build_elf(&f);
	put_multiboot(&f, MB_PAGE_ALIGN);
	assert_int_equal(image_read(&f, &buf), 0);
	assert_read(&f, buf, PHDR_OFF, NR_PHDRS * sizeof(Elf64_Phdr));
	assert_unread(&f, buf, LOAD_OFF, LOAD_FILESZ);
	assert_unread(&f, buf, DEBUG_OFF, DEBUG_LEN);
	assert_same_load(&f, buf, "");
	boot_image_free(buf, buf_len);
	memset(f.reads, 0, f.len);
	put_multiboot(&f, MB_AOUT_KLUDGE);
	assert_int_equal(image_read(&f, &buf), 0);
	assert_int_equal(buf_len, PREFIX);
	assert_read(&f, buf, 0, PREFIX);
	assert_unread(&f, buf, PREFIX, f.len - PREFIX);
	assert_same_load(&f, buf, "");
	boot_image_free(buf, buf_len);
	file_free(&f);
}

/* A bzImage, a flat image, anything else: the first 64 KiB, once. */
static void test_other_images_read_prefix(void **state)
{
	static const size_t lens[] = { 1, 300, PREFIX, PREFIX + 1, FILE_LEN };
	struct file f;
	uint8_t *buf;
	unsigned int i;
	size_t k, prefix;

	(void)state;
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		file_init(&f, lens[i]);
		prefix = f.len < PREFIX ? f.len : PREFIX;
		assert_int_equal(image_read(&f, &buf), 0);
		assert_int_equal(buf_len, prefix);
		for (k = 0; k < f.len; k++)
			assert_int_equal(f.reads[k], k < prefix);
		assert_memory_equal(buf, f.buf, prefix);
		boot_image_free(buf, buf_len);
		file_free(&f);
	}
}

/* Program headers that all cover the whole file: it is read once for
 * them, not once for each. */
static void test_overlapping_ranges_read_once(void **state)
{
	struct file f;
	Elf64_Phdr ph = { .p_type = PT_NOTE,
			  .p_offset = PREFIX,
			  .p_filesz = FILE_LEN - PREFIX };
	Elf64_Ehdr e;
	uint8_t *buf;
	unsigned int i, most = 0;
	size_t k;

	(void)state;
	build_elf(&f);
	memcpy(&e, f.buf, sizeof(e));
	e.e_phnum = 1000;
	e.e_shnum = 0;
	memcpy(f.buf, &e, sizeof(e));
	for (i = NR_PHDRS; i < e.e_phnum; i++)
		memcpy(f.buf + PHDR_OFF + i * sizeof(ph), &ph, sizeof(ph));
	assert_int_equal(image_read(&f, &buf), 0);
	for (k = 0; k < f.len; k++)
		if (f.reads[k] > most)
			most = f.reads[k];
	/* The first 64 KiB, the header table and the notes do not
	 * overlap once cut at the first 64 KiB. */
	assert_int_equal(most, 1);
	assert_same_load(&f, buf, "");
	boot_image_free(buf, buf_len);
	file_free(&f);
}

/* Headers that point past the end: nothing there is read, and the
 * loaders refuse the image as they refuse the whole file. */
static void test_tables_past_the_end(void **state)
{
	struct file f;
	Elf64_Ehdr e;
	Elf64_Phdr ph;
	uint8_t *buf;

	(void)state;
	build_elf(&f);
	memcpy(&e, f.buf, sizeof(e));
	e.e_shoff = FILE_LEN - 16;
	memcpy(f.buf, &e, sizeof(e));
	memcpy(&ph, f.buf + PHDR_OFF + sizeof(ph), sizeof(ph));
	ph.p_offset = FILE_LEN - 4; /* the PT_NOTE */
	memcpy(f.buf + PHDR_OFF + sizeof(ph), &ph, sizeof(ph));
	assert_int_equal(image_read(&f, &buf), 0);
	assert_unread(&f, buf, FILE_LEN - 16, 16);
	assert_same_load(&f, buf, "");
	boot_image_free(buf, buf_len);

	memset(f.reads, 0, f.len);
	e.e_phoff = FILE_LEN - 8;
	memcpy(f.buf, &e, sizeof(e));
	assert_int_equal(image_read(&f, &buf), 0);
	assert_read(&f, buf, 0, PREFIX);
	assert_unread(&f, buf, PREFIX, FILE_LEN - PREFIX);
	assert_same_load(&f, buf, "");
	boot_image_free(buf, buf_len);
	file_free(&f);
}

/* A read that fails (the file changed): that reason, and no buffer. */
static void test_read_fails(void **state)
{
	unsigned int at;
	struct file f;
	uint8_t *buf;
	char want[64];

	(void)state;
	build_elf(&f);
	for (at = 1; at <= 3; at++) {
		f.calls = 0;
		f.fail_at = at;
		buf = (uint8_t *)&f;
		assert_int_equal(image_read(&f, &buf), -1);
		assert_null(buf);
		snprintf(want, sizeof(want), "test file: read %u fails", at);
		assert_string_equal(err_msg(), want);
	}
	boot_image_free(NULL, 0);
	file_free(&f);
}

/* The initrd and a module read straight into guest memory: intact, and
 * a failing read fails the load with its reason. */
static void test_initrd_read_into_guest(void **state)
{
	struct file kernel, initrd;
	struct fake_guest g;
	struct boot_entry entry;
	uint8_t *buf;
	struct boot_files bf = { .cmdline = "" };

	(void)state;
	build_elf(&kernel);
	file_init(&initrd, 70000);
	assert_int_equal(image_read(&kernel, &buf), 0);
	bf.kernel = buf;
	bf.kernel_len = kernel.len;
	bf.kernel_read = read_file;
	bf.kernel_ctx = &kernel;
	bf.initrd = (struct boot_module){ .len = initrd.len,
					  .read = read_file,
					  .ctx = &initrd };
	assert_int_equal(fake_guest_init(&g, RAM_SIZE), 0);
	if (boot_load(&g.gm, &g.layout, &bf, &entry))
		fail_msg("%s", err_msg());
	assert_int_equal(entry.initrd_size, initrd.len);
	assert_memory_equal(fake_guest_at(&g, entry.initrd_gpa, initrd.len),
			    initrd.buf, initrd.len);
	initrd.calls = 0;
	initrd.fail_at = 1;
	assert_int_equal(boot_load(&g.gm, &g.layout, &bf, &entry), -1);
	assert_string_equal(err_msg(), "test file: read 1 fails");
	fake_guest_free(&g);
	boot_image_free(buf, buf_len);
	file_free(&kernel);
	file_free(&initrd);
}

/* A PT_LOAD segment goes from the file to guest memory through
 * kernel_read, in one read of its bytes, and never into the buffer. */
static void test_segment_read_into_guest_once(void **state)
{
	struct file f;
	struct fake_guest g;
	struct boot_entry entry;
	uint8_t *buf;
	struct boot_files bf = { .cmdline = "", .kernel_read = read_file };
	size_t k;

	(void)state;
	build_elf(&f);
	assert_int_equal(image_read(&f, &buf), 0);
	assert_unread(&f, buf, LOAD_OFF, LOAD_FILESZ);
	memset(f.reads, 0, f.len);
	f.calls = 0;
	bf.kernel = buf;
	bf.kernel_len = f.len;
	bf.kernel_ctx = &f;
	assert_int_equal(fake_guest_init(&g, RAM_SIZE), 0);
	if (boot_load(&g.gm, &g.layout, &bf, &entry))
		fail_msg("%s", err_msg());
	assert_int_equal(f.calls, 1);
	for (k = 0; k < f.len; k++)
		assert_int_equal(f.reads[k],
				 k >= LOAD_OFF && k < LOAD_OFF + LOAD_FILESZ);
	assert_memory_equal(fake_guest_at(&g, LOAD_PADDR, LOAD_FILESZ),
			    f.buf + LOAD_OFF, LOAD_FILESZ);
	fake_guest_free(&g);
	boot_image_free(buf, buf_len);
	file_free(&f);
}

/* build_elf()'s file at the start of one of 2 MiB more than the guest
 * RAM.  Sparse (calloc): only what is written or read costs memory. */
static void build_large_elf(struct file *f)
{
	struct file small;

	build_elf(&small);
	memset(f, 0, sizeof(*f));
	f->len = RAM_SIZE + (2 << 20);
	f->buf = calloc(1, f->len);
	f->reads = calloc(1, f->len);
	assert_non_null(f->buf);
	assert_non_null(f->reads);
	memcpy(f->buf, small.buf, small.len);
	file_free(&small);
}

/* build_elf()'s PT_NOTE (program header 1) at offset, size bytes. */
static void move_note(struct file *f, uint64_t offset, uint64_t size)
{
	Elf64_Phdr ph;

	memcpy(&ph, f->buf + PHDR_OFF + sizeof(ph), sizeof(ph));
	ph.p_offset = offset;
	ph.p_filesz = size;
	memcpy(f->buf + PHDR_OFF + sizeof(ph), &ph, sizeof(ph));
}

/* A note larger than guest RAM is not read, and refused as when the
 * whole file is loaded.  The file is sparse (calloc): only what is
 * written or read costs memory. */
static void test_note_larger_than_ram(void **state)
{
	struct file f;
	uint8_t *buf;

	(void)state;
	build_large_elf(&f);
	move_note(&f, PREFIX, RAM_SIZE + 1);
	assert_int_equal(image_read(&f, &buf), 0);
	assert_true(buf_len < (1 << 20));
	assert_unread(&f, buf, DEBUG_OFF, 0x1000);
	assert_int_equal(assert_same_load(&f, buf, ""), -1);
	assert_string_equal(
		err_msg(),
		"kernel k: ELF kernel's note (program header) 1 is 0x4000001 bytes, more than the 64M of guest RAM it could be loaded into");
	boot_image_free(buf, buf_len);
	file_free(&f);
}

/* Two notes of just over half the guest RAM each: each fits, both do
 * not; only the first is read, and the loader refuses the image. */
static void test_notes_larger_than_ram_in_all(void **state)
{
	const uint64_t half = RAM_SIZE / 2 + 1;
	struct file f;
	Elf64_Shdr sh;
	uint8_t *buf;

	(void)state;
	build_large_elf(&f);
	move_note(&f, PREFIX, half);
	memcpy(&sh, f.buf + SHDR_OFF + sizeof(sh), sizeof(sh));
	sh.sh_offset = PREFIX + half + 0x1000;
	sh.sh_size = half;
	memcpy(f.buf + SHDR_OFF + sizeof(sh), &sh, sizeof(sh));
	assert_int_equal(image_read(&f, &buf), 0);
	assert_true(buf_len <= PREFIX + half);
	assert_unread(&f, buf, sh.sh_offset, 0x1000);
	assert_int_equal(assert_same_load(&f, buf, ""), -1);
	assert_string_equal(
		err_msg(),
		"kernel k: ELF kernel's notes are more than the 64M of guest RAM in all");
	boot_image_free(buf, buf_len);
	file_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elf_reads_what_loaders_read),
		cmocka_unit_test(test_multiboot_elf),
		cmocka_unit_test(test_other_images_read_prefix),
		cmocka_unit_test(test_segment_read_into_guest_once),
		cmocka_unit_test(test_note_larger_than_ram),
		cmocka_unit_test(test_notes_larger_than_ram_in_all),
		cmocka_unit_test(test_overlapping_ranges_read_once),
		cmocka_unit_test(test_tables_past_the_end),
		cmocka_unit_test(test_read_fails),
		cmocka_unit_test(test_initrd_read_into_guest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
