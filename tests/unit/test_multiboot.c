// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_multiboot.c - the multiboot (version 1) header parser and loader.
 *
 * A flat image with the address fields and ELF kernels with a header are
 * built in memory, loaded into a fake guest, and the information structure
 * checked field by field; then the header is broken every way a hostile
 * file can break it (truncated, bad checksum, past 8 KiB, load_end_addr
 * beyond the file, bss_end_addr beyond RAM, entry outside the image ...)
 * and each must fail with one clear message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "boot_test_util.h"
#include "elf_test_util.h"
#include "kvmux/boot.h"
#include "kvmux/error.h"
#include "kvmux/multiboot.h"
#include "kvmux/pvh.h"

#define RAM_SIZE (64ULL << 20)
/* The flat image: header at HDR_OFF, text from the file's start. */
#define FLAT_LEN 0x3000
#define HDR_OFF 0x40
#define LOAD_ADDR 0x200000U
#define BSS_END (LOAD_ADDR + 0x10000U)
#define ENTRY (LOAD_ADDR + 0x100U)

struct fixture {
	struct fake_guest g;
	uint8_t flat[FLAT_LEN] __attribute__((aligned(8)));
	struct test_elf elf;
	uint8_t initrd[3000];
	uint8_t mod1[5000];
	struct boot_module mods[2];
	struct boot_files f;
	struct boot_entry entry;
};

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* A header at buf + off: the checksum makes the three words sum to 0. */
static void put_header(uint8_t *buf, size_t off, uint32_t flags)
{
	put32(buf + off, MB_HEADER_MAGIC);
	put32(buf + off + 4, flags);
	put32(buf + off + 8, -(MB_HEADER_MAGIC + flags));
}

static void put_addresses(uint8_t *buf, size_t off, uint32_t header_addr,
			  uint32_t load_addr, uint32_t load_end,
			  uint32_t bss_end, uint32_t entry)
{
	put32(buf + off + 12, header_addr);
	put32(buf + off + 16, load_addr);
	put32(buf + off + 20, load_end);
	put32(buf + off + 24, bss_end);
	put32(buf + off + 28, entry);
}

static void build_flat(struct fixture *fx)
{
	unsigned int i;

	for (i = 0; i < FLAT_LEN; i++)
		fx->flat[i] = (uint8_t)(i * 7 + 3);
	put_header(fx->flat, HDR_OFF,
		   MB_PAGE_ALIGN | MB_MEMORY_INFO | MB_AOUT_KLUDGE);
	put_addresses(fx->flat, HDR_OFF, LOAD_ADDR + HDR_OFF, LOAD_ADDR, 0,
		      BSS_END, ENTRY);
	fx->f.kernel = fx->flat;
	fx->f.kernel_len = FLAT_LEN;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx || fake_guest_init(&fx->g, RAM_SIZE))
		return -1;
	build_flat(fx);
	memset(fx->initrd, 0x11, sizeof(fx->initrd));
	memset(fx->mod1, 0x22, sizeof(fx->mod1));
	fx->mods[0] = (struct boot_module){ .data = fx->mod1,
					    .len = sizeof(fx->mod1),
					    .string = "mod1.bin arg=1" };
	fx->mods[1] = (struct boot_module){ .data = fx->initrd,
					    .len = 1,
					    .string = "tiny" };
	fx->f.cmdline = "kernel.bin console=ttyS0 x=1";
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

#define at(fx, gpa, len) fake_guest_at(&(fx)->g, (gpa), (len))

static void expect_error(struct fixture *fx, const char *want)
{
	assert_int_equal(load(fx), -1);
	assert_error_contains(want);
}

static struct mb_info info(struct fixture *fx)
{
	struct mb_info mi;

	memcpy(&mi, at(fx, fx->entry.cpu.rbx, sizeof(mi)), sizeof(mi));
	return mi;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* --- detection ---------------------------------------------------------- */

static void test_find(void **state)
{
	struct fixture *fx = *state;
	static uint8_t buf[MB_SEARCH_BYTES + 64];
	size_t off;

	assert_int_equal(multiboot_find(fx->flat, FLAT_LEN, &off), 1);
	assert_int_equal(off, HDR_OFF);
	memset(buf, 0, sizeof(buf));
	put_header(buf, MB_SEARCH_BYTES - 12, 0); /* the last place */
	assert_int_equal(multiboot_find(buf, sizeof(buf), &off), 1);
	assert_int_equal(off, MB_SEARCH_BYTES - 12);
	/* Truncated: the checksum would be past the end of the file. */
	assert_int_equal(multiboot_find(buf, MB_SEARCH_BYTES - 1, &off), 0);
	memset(buf, 0, sizeof(buf));
	put_header(buf, MB_SEARCH_BYTES - 8, 0); /* reaches past 8 KiB */
	assert_int_equal(multiboot_find(buf, sizeof(buf), &off), 0);
	put_header(buf, MB_SEARCH_BYTES, 0);
	assert_int_equal(multiboot_find(buf, sizeof(buf), &off), 0);
	memset(buf, 0, sizeof(buf));
	put_header(buf, 6, 0); /* not 4-byte aligned */
	assert_int_equal(multiboot_find(buf, sizeof(buf), &off), 0);
	assert_int_equal(multiboot_find(NULL, 0, &off), 0);
	assert_int_equal(multiboot_find(buf, 3, &off), 0);
}

static void test_bad_checksum(void **state)
{
	struct fixture *fx = *state;

	put32(fx->flat + HDR_OFF + 8, 0x12345678);
	assert_int_equal(image_detect(fx->flat, FLAT_LEN), IMAGE_UNKNOWN);
	expect_error(fx, "the multiboot header at offset 0x40 has a bad "
			 "checksum");
}

static void test_header_past_8k(void **state)
{
	struct fixture *fx = *state;
	static uint8_t buf[0x4000];

	memset(buf, 0, sizeof(buf));
	put_header(buf, 0x2000, MB_AOUT_KLUDGE);
	fx->f.kernel = buf;
	fx->f.kernel_len = sizeof(buf);
	assert_int_equal(image_detect(buf, sizeof(buf)), IMAGE_UNKNOWN);
	expect_error(fx, "the multiboot header at offset 0x2000 is not inside "
			 "the first 8 KiB");
}

/* bzImage before multiboot before ELF/PVH, as in QEMU. */
static void test_detection_order(void **state)
{
	struct fixture *fx = *state;
	static uint8_t bz[0x400];
	static struct test_elf t;
	const struct test_seg seg = { .paddr = 0x100000,
				      .filesz = 0x100,
				      .memsz = 0x100 };

	assert_int_equal(image_detect(fx->flat, FLAT_LEN), IMAGE_MULTIBOOT);
	assert_string_equal(image_kind_name(IMAGE_MULTIBOOT), "multiboot");
	test_elf_init(&t, true);
	test_elf_pvh_note(&t, 0x100000);
	test_elf_finish(&t, 0x100000, &seg, 1);
	assert_int_equal(image_detect(t.buf, t.len), IMAGE_ELF);
	put_header(t.buf, 0x1000, 0);
	assert_int_equal(image_detect(t.buf, t.len), IMAGE_MULTIBOOT);
	memset(bz, 0, sizeof(bz));
	put_header(bz, 0x300, 0);
	bz[0x1fe] = 0x55;
	bz[0x1ff] = 0xaa;
	memcpy(bz + 0x202, "HdrS", 4);
	assert_int_equal(image_detect(bz, sizeof(bz)), IMAGE_BZIMAGE);
}

/* --- a flat image ------------------------------------------------------- */

static void test_flat_entry(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(load(fx), 0);
	assert_int_equal(fx->entry.kind, IMAGE_MULTIBOOT);
	assert_int_equal(fx->entry.cpu.mode, BOOT_PROTECTED32);
	assert_int_equal(fx->entry.cpu.rip, ENTRY);
	assert_int_equal(fx->entry.cpu.rax, MB_BOOTLOADER_MAGIC);
	assert_int_equal(fx->entry.cpu.rbx, BOOT_INFO_ADDR);
	assert_true(fx->entry.cpu.gdt_base >= BOOT_LOW_START); /* page 0 free */
	assert_int_equal(fx->entry.cpu.cr3, 0);
}

static void test_flat_loaded(void **state)
{
	struct fixture *fx = *state;
	uint8_t *mem = at(fx, LOAD_ADDR, BSS_END - LOAD_ADDR);
	unsigned int i;

	memset(mem, 0xcc, BSS_END - LOAD_ADDR); /* not fresh: must clear */
	assert_int_equal(load(fx), 0);
	assert_memory_equal(mem, fx->flat, FLAT_LEN);
	for (i = FLAT_LEN; i < BSS_END - LOAD_ADDR; i++)
		assert_int_equal(mem[i], 0);
}

/* load_end_addr short of the file: only that much is copied. */
static void test_flat_load_end(void **state)
{
	struct fixture *fx = *state;
	uint8_t *mem = at(fx, LOAD_ADDR, 0x1000);

	put_addresses(fx->flat, HDR_OFF, LOAD_ADDR + HDR_OFF, LOAD_ADDR,
		      LOAD_ADDR + 0x800, 0, ENTRY);
	memset(mem, 0xcc, 0x1000);
	fx->g.gm.fresh = true;
	assert_int_equal(load(fx), 0);
	assert_memory_equal(mem, fx->flat, 0x800);
	assert_int_equal(mem[0x800], 0xcc);
}

/* The text starts before the header: header_addr - load_addr into it. */
static void test_flat_text_before_header(void **state)
{
	struct fixture *fx = *state;

	put_header(fx->flat, 0x1000, MB_AOUT_KLUDGE);
	put32(fx->flat + HDR_OFF, 0); /* only the second header */
	put_addresses(fx->flat, 0x1000, LOAD_ADDR + 0x800, LOAD_ADDR, 0, 0,
		      LOAD_ADDR);
	assert_int_equal(load(fx), 0);
	assert_memory_equal(at(fx, LOAD_ADDR, 0x100), fx->flat + 0x800, 0x100);
}

static void test_info(void **state)
{
	struct fixture *fx = *state;
	struct mb_info mi;
	const struct mb_mmap_entry *map;
	unsigned int i;

	assert_int_equal(load(fx), 0);
	mi = info(fx);
	assert_int_equal(mi.flags, MB_INFO_MEMORY | MB_INFO_CMDLINE |
					   MB_INFO_MODS | MB_INFO_MMAP |
					   MB_INFO_LOADER_NAME);
	assert_int_equal(mi.mem_lower, 639);
	assert_int_equal(mi.mem_upper, (RAM_SIZE >> 10) - 1024);
	assert_string_equal(at(fx, mi.cmdline, 1), fx->f.cmdline);
	assert_string_equal(at(fx, mi.boot_loader_name, 1), "kvmux");
	assert_int_equal(mi.mods_count, 0);
	assert_int_equal(mi.mmap_length, fx->g.layout.nr_ranges * sizeof(*map));
	map = at(fx, mi.mmap_addr, mi.mmap_length);
	for (i = 0; i < fx->g.layout.nr_ranges; i++) {
		assert_int_equal(map[i].size, 20);
		assert_int_equal(map[i].addr, fx->g.layout.range[i].addr);
		assert_int_equal(map[i].len, fx->g.layout.range[i].size);
		assert_int_equal(map[i].type, fx->g.layout.range[i].type);
	}
	assert_int_equal(mi.framebuffer_addr, 0);
}

static void check_module(struct fixture *fx, const struct mb_module *m,
			 const void *data, size_t len, const char *string)
{
	assert_int_equal(m->mod_start % 4096, 0);
	assert_int_equal(m->mod_end - m->mod_start, len);
	assert_true(m->mod_start >= BSS_END); /* above the kernel */
	assert_memory_equal(at(fx, m->mod_start, len), data, len);
	assert_string_equal(at(fx, m->string, 1), string);
}

static void test_modules(void **state)
{
	struct fixture *fx = *state;
	const struct mb_module *m;
	struct mb_info mi;
	unsigned int i, j;

	fx->f.initrd.data = fx->initrd;
	fx->f.initrd.len = sizeof(fx->initrd);
	fx->f.initrd.string = "initrd.img";
	fx->f.modules = fx->mods;
	fx->f.nr_modules = 2;
	assert_int_equal(load(fx), 0);
	mi = info(fx);
	assert_int_equal(mi.mods_count, 3);
	m = at(fx, mi.mods_addr, 3 * sizeof(*m));
	check_module(fx, &m[0], fx->initrd, sizeof(fx->initrd), "initrd.img");
	check_module(fx, &m[1], fx->mod1, sizeof(fx->mod1), "mod1.bin arg=1");
	check_module(fx, &m[2], fx->initrd, 1, "tiny");
	for (i = 0; i < 3; i++)
		for (j = 0; j < i; j++)
			assert_false(overlaps(
				m[i].mod_start, m[i].mod_end - m[i].mod_start,
				m[j].mod_start, m[j].mod_end - m[j].mod_start));
	assert_int_equal(fx->entry.initrd_gpa, m[0].mod_start);
	assert_int_equal(fx->entry.initrd_size, sizeof(fx->initrd));
}

/* A kernel at 0x8000: page 0 stays free, everything else moves away. */
static void test_kernel_below_1m(void **state)
{
	struct fixture *fx = *state;
	const uint64_t base = 0x8000, end = 0x90000;
	struct mb_info mi;
	const struct mb_module *m;

	put_addresses(fx->flat, HDR_OFF, base + HDR_OFF, base, 0, end,
		      base + 0x10);
	fx->f.initrd.data = fx->initrd;
	fx->f.initrd.len = sizeof(fx->initrd);
	assert_int_equal(load(fx), 0);
	assert_memory_equal(at(fx, base, FLAT_LEN), fx->flat, FLAT_LEN);
	mi = info(fx);
	m = at(fx, mi.mods_addr, sizeof(*m));
	assert_true(m->mod_start >= LAYOUT_HIGH_START);
	assert_false(
		overlaps(fx->entry.cpu.rbx, MB_INFO_SIZE, base, end - base));
	assert_false(overlaps(mi.cmdline, strlen(fx->f.cmdline) + 1, base,
			      end - base));
	assert_false(overlaps(fx->entry.cpu.gdt_base, 32, base, end - base));
	assert_true(fx->entry.cpu.rbx >= BOOT_LOW_START);
	assert_true(mi.cmdline >= BOOT_LOW_START);
	assert_true(fx->entry.cpu.gdt_base >= BOOT_LOW_START);
}

static void test_video_mode_ignored(void **state)
{
	struct fixture *fx = *state;

	put_header(fx->flat, HDR_OFF, MB_VIDEO_MODE | MB_AOUT_KLUDGE);
	assert_int_equal(load(fx), 0);
	assert_int_equal(info(fx).flags & (3U << 11), 0);
}

static void test_unknown_required_flag(void **state)
{
	struct fixture *fx = *state;

	put_header(fx->flat, HDR_OFF, MB_AOUT_KLUDGE | (1U << 3) | (1U << 20));
	expect_error(fx, "requires features kvmux does not know (flags 0x8)");
	put_header(fx->flat, HDR_OFF, MB_AOUT_KLUDGE | (1U << 20));
	assert_int_equal(load(fx), 0); /* optional bits are optional */
}

/* --- hostile address fields --------------------------------------------- */

static void test_truncated(void **state)
{
	struct fixture *fx = *state;

	fx->f.kernel_len = HDR_OFF + 20; /* the address fields cut off */
	expect_error(fx, "the image is truncated: the multiboot header at "
			 "offset 0x40 has no room for its address fields");
	fx->f.kernel_len = HDR_OFF + 8; /* even the checksum */
	expect_error(fx, "not a kernel image kvmux knows");
}

static void test_address_fields_past_8k(void **state)
{
	struct fixture *fx = *state;
	static uint8_t buf[0x3000];
	const size_t off = MB_SEARCH_BYTES - 16;

	memset(buf, 0, sizeof(buf));
	put_header(buf, off, MB_AOUT_KLUDGE);
	put_addresses(buf, off, LOAD_ADDR + off, LOAD_ADDR, 0, 0, LOAD_ADDR);
	fx->f.kernel = buf;
	fx->f.kernel_len = sizeof(buf);
	expect_error(fx, "has its address fields past the first 8 KiB");
}

static void test_header_addr(void **state)
{
	struct fixture *fx = *state;

	put_addresses(fx->flat, HDR_OFF, LOAD_ADDR - 1, LOAD_ADDR, 0, 0, ENTRY);
	expect_error(fx, "header_addr 0x1fffff is below its load_addr");
	put_addresses(fx->flat, HDR_OFF, LOAD_ADDR + HDR_OFF + 4, LOAD_ADDR, 0,
		      0, ENTRY);
	expect_error(fx, "would start 0x44 bytes before the header, which is "
			 "only 0x40 bytes into the file");
}

static void test_load_end_beyond_file(void **state)
{
	struct fixture *fx = *state;

	put_addresses(fx->flat, HDR_OFF, LOAD_ADDR + HDR_OFF, LOAD_ADDR,
		      LOAD_ADDR + FLAT_LEN + 1, 0, ENTRY);
	expect_error(fx, "load_end_addr 0x203001 is beyond the end of the "
			 "file: 0x3001 bytes from load_addr (file offset 0) "
			 "end at offset 0x3001, the file has 0x3000 bytes");
	put_addresses(fx->flat, HDR_OFF, LOAD_ADDR + HDR_OFF, LOAD_ADDR,
		      LOAD_ADDR - 1, 0, ENTRY);
	expect_error(fx, "load_end_addr 0x1fffff is below its load_addr");
	put_addresses(fx->flat, HDR_OFF, 0xffffff00 + HDR_OFF, 0xffffff00, 0, 0,
		      0xffffff10);
	expect_error(fx, "runs past 4 GiB");
}

static void test_bss_end(void **state)
{
	struct fixture *fx = *state;

	put_addresses(fx->flat, HDR_OFF, LOAD_ADDR + HDR_OFF, LOAD_ADDR, 0,
		      LOAD_ADDR + FLAT_LEN - 1, ENTRY);
	expect_error(fx, "bss_end_addr 0x202fff is below the end of the "
			 "loaded image (0x203000)");
	put_addresses(fx->flat, HDR_OFF, LOAD_ADDR + HDR_OFF, LOAD_ADDR, 0,
		      RAM_SIZE + 0x1000, ENTRY);
	expect_error(fx, "--memory 64M is too small: the kernel needs "
			 "0x3e01000 bytes from 0x200000");
	put_addresses(fx->flat, HDR_OFF, LOAD_ADDR + HDR_OFF, LOAD_ADDR, 0,
		      0xfffff000, ENTRY);
	expect_error(fx, "not in guest RAM below 3 GiB");
}

static void test_entry_outside(void **state)
{
	struct fixture *fx = *state;

	put_addresses(fx->flat, HDR_OFF, LOAD_ADDR + HDR_OFF, LOAD_ADDR, 0,
		      BSS_END, LOAD_ADDR - 1);
	expect_error(fx, "entry_addr 0x1fffff is outside the loaded image "
			 "0x200000-0x202fff");
	put_addresses(fx->flat, HDR_OFF, LOAD_ADDR + HDR_OFF, LOAD_ADDR, 0,
		      BSS_END, LOAD_ADDR + FLAT_LEN); /* in .bss */
	expect_error(fx, "entry_addr 0x203000 is outside");
}

static void test_not_elf_without_addresses(void **state)
{
	struct fixture *fx = *state;

	put_header(fx->flat, HDR_OFF, MB_PAGE_ALIGN);
	expect_error(fx, "not an ELF file and its header has no address "
			 "fields (flag 16)");
}

/* --- ELF kernels -------------------------------------------------------- */

static void build_elf(struct fixture *fx, bool is64, uint64_t entry,
		      uint64_t vaddr)
{
	const struct test_seg segs[] = {
		{ .paddr = 0x100000,
		  .filesz = 0x800,
		  .memsz = 0x4000,
		  .vaddr = vaddr },
		{ .paddr = 0x105000, .filesz = 0x100, .memsz = 0x100 },
	};

	test_elf_init(&fx->elf, is64);
	test_elf_finish(&fx->elf, entry, segs, 2);
	put_header(fx->elf.buf, 0x1000, MB_PAGE_ALIGN | MB_MEMORY_INFO);
	fx->f.kernel = fx->elf.buf;
	fx->f.kernel_len = fx->elf.len;
}

static void test_elf32(void **state)
{
	struct fixture *fx = *state;

	build_elf(fx, false, 0x100010, 0);
	fx->f.initrd.data = fx->initrd;
	fx->f.initrd.len = sizeof(fx->initrd);
	assert_int_equal(load(fx), 0);
	assert_int_equal(fx->entry.cpu.rip, 0x100010);
	assert_int_equal(*(uint8_t *)at(fx, 0x100001, 1), test_elf_byte(0, 1));
	assert_int_equal(*(uint8_t *)at(fx, 0x105000, 1), test_elf_byte(1, 0));
	/* Module 0 above the highest segment. */
	assert_true(fx->entry.initrd_gpa >= 0x105100);
}

static void test_elf64_higher_half(void **state)
{
	struct fixture *fx = *state;

	build_elf(fx, true, 0xffffffff80000020ULL, 0xffffffff80000000ULL);
	assert_int_equal(load(fx), 0);
	assert_int_equal(fx->entry.cpu.rip, 0x100020);
}

static void test_elf_entry_outside(void **state)
{
	struct fixture *fx = *state;

	build_elf(fx, false, 0x100900, 0); /* in .bss, not in the file */
	expect_error(fx, "entry point 0x100900 is outside its loaded segments "
			 "(0x100000-0x1007ff, 0x105000-0x1050ff)");
}

/* --- the device tree and the command line ------------------------------- */

static void test_dtb_module(void **state)
{
	struct fixture *fx = *state;
	static const uint8_t dtb[100] = { 0xd0, 0x0d, 0xfe, 0xed };
	const struct mb_module *m;
	struct mb_info mi;

	fx->f.initrd.data = fx->initrd;
	fx->f.initrd.len = sizeof(fx->initrd);
	assert_int_equal(load(fx), 0);
	assert_int_equal(
		boot_attach_dtb(&fx->g.gm, &fx->entry, dtb, sizeof(dtb)), 0);
	mi = info(fx);
	assert_int_equal(mi.mods_count, 2);
	m = at(fx, mi.mods_addr, 2 * sizeof(*m));
	assert_int_equal(m[0].mod_start, fx->entry.initrd_gpa);
	assert_string_equal(at(fx, m[1].string, 1), "dtb");
	assert_int_equal(m[1].mod_end - m[1].mod_start, sizeof(dtb));
	assert_memory_equal(at(fx, m[1].mod_start, sizeof(dtb)), dtb,
			    sizeof(dtb));
}

static void test_cmdline(void **state)
{
	char *line;

	assert_int_equal(multiboot_cmdline("k.elf", "a b", &line), 0);
	assert_string_equal(line, "k.elf a b");
	free(line);
	assert_int_equal(multiboot_cmdline("dir/k", "", &line), 0);
	assert_string_equal(line, "dir/k ");
	free(line);
}

/* The line's limit counts the kernel's path kvmux puts first, and the
 * message says so and what is left for --cmdline. */
static void test_cmdline_limit(void **state)
{
	size_t left = BOOT_CMDLINE_MAX - 1 - strlen("dir/k ");
	char *user = malloc(left + 2), *line;

	assert_non_null(user);
	memset(user, 'a', left + 1);
	user[left] = '\0';
	assert_int_equal(multiboot_cmdline("dir/k", user, &line), 0);
	assert_int_equal(strlen(line), BOOT_CMDLINE_MAX - 1);
	free(line);
	user[left] = 'a';
	user[left + 1] = '\0';
	assert_int_equal(multiboot_cmdline("dir/k", user, &line), -1);
	assert_null(line);
	assert_string_equal(err_msg(),
			    "kernel command line is too long: 65536 bytes, "
			    "counting the kernel's path and a space (6 bytes) "
			    "that kvmux puts first, as QEMU does; a multiboot "
			    "kernel accepts at most 65535, which leaves 65529 "
			    "for --cmdline");
	free(user);
}

static void test_modules_need_multiboot(void **state)
{
	struct fixture *fx = *state;
	static struct test_elf t;
	static const uint8_t junk[64];
	const struct test_seg seg = { .paddr = 0x100000,
				      .filesz = 0x100,
				      .memsz = 0x100 };

	test_elf_init(&t, true);
	test_elf_pvh_note(&t, 0x100000);
	test_elf_finish(&t, 0x100000, &seg, 1);
	fx->f.kernel = t.buf;
	fx->f.kernel_len = t.len;
	fx->f.modules = fx->mods;
	fx->f.nr_modules = 1;
	expect_error(fx, "--module is for multiboot kernels; this kernel is "
			 "an ELF (use --initrd)");
	/* No kernel at all: that is what is wrong, not its modules. */
	fx->f.kernel = junk;
	fx->f.kernel_len = sizeof(junk);
	expect_error(fx, "not a kernel image kvmux knows");
}

/* Random bytes in the header and address fields: always a clean return. */
static void test_mutations(void **state)
{
	struct fixture *fx = *state;
	uint8_t good[HDR_OFF + 32];
	unsigned int round, k;

	memcpy(good, fx->flat, sizeof(good));
	srand(7);
	for (round = 0; round < 20000; round++) {
		memcpy(fx->flat, good, sizeof(good));
		for (k = 0; k < 1 + round % 3; k++)
			fx->flat[HDR_OFF + 12 + rand() % 20] = (uint8_t)rand();
		if (round % 5 == 0) /* keep the checksum right sometimes not */
			fx->flat[HDR_OFF + rand() % 12] = (uint8_t)rand();
		fx->f.kernel_len = round % 7 ? FLAT_LEN : rand() % FLAT_LEN;
		if (load(fx))
			assert_true(err_msg()[0] != '\0');
	}
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_find),
		T(test_bad_checksum),
		T(test_header_past_8k),
		T(test_detection_order),
		T(test_flat_entry),
		T(test_flat_loaded),
		T(test_flat_load_end),
		T(test_flat_text_before_header),
		T(test_info),
		T(test_modules),
		T(test_kernel_below_1m),
		T(test_video_mode_ignored),
		T(test_unknown_required_flag),
		T(test_truncated),
		T(test_address_fields_past_8k),
		T(test_header_addr),
		T(test_load_end_beyond_file),
		T(test_bss_end),
		T(test_entry_outside),
		T(test_not_elf_without_addresses),
		T(test_elf32),
		T(test_elf64_higher_half),
		T(test_elf_entry_outside),
		T(test_dtb_module),
		T(test_cmdline),
		T(test_cmdline_limit),
		T(test_modules_need_multiboot),
		T(test_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
