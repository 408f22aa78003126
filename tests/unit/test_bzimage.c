// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_bzimage.c - the bzImage loader: a minimal bzImage (setup header and
 * a small protected-mode kernel) built in memory is loaded into a fake
 * guest; the zero page, e820 map, page tables, initrd and entry are
 * checked, then broken headers must each fail with a clear message.
 */
#include <asm/bootparam.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "boot_test_util.h"
#include "kvmux/boot.h"
#include "kvmux/bzimage.h"
#include "kvmux/error.h"

#define RAM_SIZE (64ULL << 20)
#define SETUP_SECTS 4
#define PM_OFF ((SETUP_SECTS + 1) * 512)
#define PM_SIZE 0x1000
#define IMAGE_LEN (PM_OFF + PM_SIZE)
#define PREF_ADDR 0x1000000ULL
#define INIT_SIZE 0x400000U
#define HDR_END 0x26c /* end of the 2.15 setup header */

struct image {
	uint8_t buf[IMAGE_LEN];
	size_t len;
};

/* The setup header is packed: edit a copy and store it back. */
static struct setup_header get_hdr(const struct image *im)
{
	struct setup_header h;

	memcpy(&h, im->buf + BZ_SETUP_HEADER_OFF, sizeof(h));
	return h;
}

static void put_hdr(struct image *im, const struct setup_header *h)
{
	memcpy(im->buf + BZ_SETUP_HEADER_OFF, h, sizeof(*h));
}

static void build_bzimage(struct image *im)
{
	struct setup_header h;
	unsigned int i;

	memset(im, 0, sizeof(*im));
	im->len = IMAGE_LEN;
	memset(&h, 0, sizeof(h));
	h.setup_sects = SETUP_SECTS;
	h.boot_flag = 0xaa55;
	h.jump = 0xeb | (HDR_END - 0x202) << 8; /* short jmp over the header */
	h.header = 0x53726448;
	h.version = 0x020f;
	h.loadflags = LOADED_HIGH;
	h.code32_start = 0x100000;
	h.initrd_addr_max = 0x7fffffff;
	h.kernel_alignment = 0x200000;
	h.relocatable_kernel = 1;
	h.xloadflags = XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G;
	h.cmdline_size = 2047;
	h.pref_address = PREF_ADDR;
	h.init_size = INIT_SIZE;
	h.syssize = PM_SIZE / 16;
	put_hdr(im, &h);
	for (i = 0; i < PM_SIZE; i++)
		im->buf[PM_OFF + i] = (uint8_t)(i * 13 + 5);
}

struct fixture {
	struct fake_guest g;
	struct image im;
	struct setup_header h; /* tests edit this, then apply() */
	struct boot_files f;
	struct boot_entry entry;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx || fake_guest_init(&fx->g, RAM_SIZE))
		return -1;
	build_bzimage(&fx->im);
	fx->h = get_hdr(&fx->im);
	fx->f.kernel = fx->im.buf;
	fx->f.kernel_len = fx->im.len;
	fx->f.cmdline = "console=ttyS0 root=/dev/vda";
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
	put_hdr(&fx->im, &fx->h);
	return boot_load(&fx->g.gm, &fx->g.layout, &fx->f, &fx->entry);
}

static void *at(struct fixture *fx, uint64_t gpa, uint64_t len)
{
	return fake_guest_at(&fx->g, gpa, len);
}

static void expect_error(struct fixture *fx, const char *want)
{
	assert_int_equal(load(fx), -1);
	if (!strstr(err_msg(), want))
		fail_msg("error \"%s\" does not contain \"%s\"", err_msg(),
			 want);
}

static struct boot_params zero_page(struct fixture *fx)
{
	struct boot_params bp;

	memcpy(&bp, at(fx, BOOT_ZERO_PAGE_ADDR, sizeof(bp)), sizeof(bp));
	return bp;
}

/* --- good images ------------------------------------------------------ */

static void test_detect(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(image_detect(fx->im.buf, fx->im.len), IMAGE_BZIMAGE);
	/* "HdrS" must be wholly inside the buffer. */
	assert_int_equal(image_detect(fx->im.buf, 0x205), IMAGE_UNKNOWN);
	assert_int_equal(image_detect(fx->im.buf, 0x206), IMAGE_BZIMAGE);
	fx->im.buf[0x1fe] = 0;
	assert_int_equal(image_detect(fx->im.buf, fx->im.len), IMAGE_UNKNOWN);
	assert_string_equal(image_kind_name(IMAGE_BZIMAGE), "bzImage");
}

static void test_entry(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(load(fx), 0);
	assert_int_equal(fx->entry.cpu.mode, BOOT_LONG64);
	assert_int_equal(fx->entry.cpu.rip, PREF_ADDR + 0x200);
	assert_int_equal(fx->entry.cpu.rsi, BOOT_ZERO_PAGE_ADDR);
	assert_int_equal(fx->entry.cpu.cr3, BOOT_PAGE_TABLE_ADDR);
	assert_int_equal(fx->entry.cpu.rbx, 0);
	assert_int_equal(fx->entry.cpu.gdt_base, BOOT_GDT_ADDR);
	assert_int_equal(fx->entry.cpu.gdt_limit, 4 * 8 - 1);
	assert_int_equal(fx->entry.kind, IMAGE_BZIMAGE);
	assert_int_equal(fx->entry.initrd_gpa, 0);
	assert_int_equal(fx->entry.initrd_size, 0);
}

static void test_kernel_loaded(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(load(fx), 0);
	assert_memory_equal(at(fx, PREF_ADDR, PM_SIZE), fx->im.buf + PM_OFF,
			    PM_SIZE);
}

static void test_not_relocatable(void **state)
{
	struct fixture *fx = *state;

	fx->h.relocatable_kernel = 0;
	assert_int_equal(load(fx), 0);
	assert_int_equal(fx->entry.cpu.rip, 0x100000 + 0x200);
	assert_memory_equal(at(fx, 0x100000, PM_SIZE), fx->im.buf + PM_OFF,
			    PM_SIZE);
}

static void test_setup_sects_zero_means_4(void **state)
{
	struct fixture *fx = *state;

	fx->h.setup_sects = 0;
	assert_int_equal(load(fx), 0);
	assert_memory_equal(at(fx, PREF_ADDR, PM_SIZE), fx->im.buf + PM_OFF,
			    PM_SIZE);
}

static void test_zero_page(void **state)
{
	struct fixture *fx = *state;
	struct boot_params bp;

	assert_int_equal(load(fx), 0);
	bp = zero_page(fx);
	assert_int_equal(bp.hdr.header, 0x53726448);
	assert_int_equal(bp.hdr.version, 0x020f);
	assert_int_equal(bp.hdr.init_size, INIT_SIZE);
	assert_int_equal(bp.hdr.type_of_loader, 0xff);
	assert_int_equal(bp.hdr.cmd_line_ptr, BOOT_CMDLINE_ADDR);
	assert_int_equal(bp.ext_cmd_line_ptr, 0);
	assert_string_equal(at(fx, BOOT_CMDLINE_ADDR, 1), fx->f.cmdline);
	assert_int_equal(bp.hdr.ramdisk_image, 0);
	assert_int_equal(bp.hdr.ramdisk_size, 0);
	/* Nothing outside the header is inherited from the file. */
	assert_int_equal(bp.screen_info.orig_video_isVGA, 0);
	assert_int_equal(bp.acpi_rsdp_addr, 0);
}

static void test_rsdp(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(load(fx), 0);
	assert_int_equal(boot_set_rsdp(&fx->g.gm, &fx->entry, 0xf2000), 0);
	assert_int_equal(zero_page(fx).acpi_rsdp_addr, 0xf2000);
	assert_int_equal(zero_page(fx).hdr.header, 0x53726448);
}

static void test_e820(void **state)
{
	struct fixture *fx = *state;
	const struct mem_layout *l = &fx->g.layout;
	struct boot_params bp;
	unsigned int i;

	assert_int_equal(load(fx), 0);
	bp = zero_page(fx);
	assert_int_equal(bp.e820_entries, l->nr_ranges);
	for (i = 0; i < l->nr_ranges; i++) {
		assert_int_equal(bp.e820_table[i].addr, l->range[i].addr);
		assert_int_equal(bp.e820_table[i].size, l->range[i].size);
		assert_int_equal(bp.e820_table[i].type, l->range[i].type);
	}
	assert_int_equal(bp.e820_table[3].type, 1); /* E820 RAM */
	assert_int_equal(bp.e820_table[1].type, 2); /* reserved */
}

/* With more than 3 GiB the e820 map includes RAM above 4 GiB. */
static void test_e820_high_ram(void **state)
{
	struct fixture *fx = *state;
	struct mem_layout big;
	struct boot_params bp;

	/* Only the map matters: the kernel fits the small fixture memory. */
	assert_int_equal(layout_build(&big, 6ULL << 30), 0);
	assert_int_equal(boot_load(&fx->g.gm, &big, &fx->f, &fx->entry), 0);
	bp = zero_page(fx);
	assert_int_equal(bp.e820_entries, 5);
	assert_int_equal(bp.e820_table[4].addr, 4ULL << 30);
	assert_int_equal(bp.e820_table[4].size, 3ULL << 30);
}

static void test_page_tables(void **state)
{
	struct fixture *fx = *state;
	const uint64_t *pml4, *pdpt, *pd;
	unsigned int i;

	assert_int_equal(load(fx), 0);
	pml4 = at(fx, BOOT_PAGE_TABLE_ADDR, 4096);
	pdpt = at(fx, BOOT_PAGE_TABLE_ADDR + 0x1000, 4096);
	pd = at(fx, BOOT_PAGE_TABLE_ADDR + 0x2000, 4 * 4096);
	assert_int_equal(pml4[0], (BOOT_PAGE_TABLE_ADDR + 0x1000) | 7);
	for (i = 1; i < 512; i++)
		assert_int_equal(pml4[i], 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(pdpt[i],
				 (BOOT_PAGE_TABLE_ADDR + 0x2000 + i * 0x1000) |
					 7);
	for (i = 4; i < 512; i++)
		assert_int_equal(pdpt[i], 0);
	/* 2048 2 MiB pages, present, writable, user (U/S), identity. */
	for (i = 0; i < 2048; i++)
		assert_int_equal(pd[i], ((uint64_t)i << 21) | 0x87);
	/* The tables must stay clear of the zero page and the cmdline. */
	assert_true(BOOT_PAGE_TABLE_ADDR >= BOOT_ZERO_PAGE_ADDR + 4096);
	assert_true(BOOT_PAGE_TABLE_ADDR + 6 * 4096 <= BOOT_CMDLINE_ADDR);
}

static void test_initrd(void **state)
{
	struct fixture *fx = *state;
	static uint8_t initrd[123457];
	struct boot_params bp;
	uint64_t addr;

	memset(initrd, 0xa5, sizeof(initrd));
	fx->f.initrd.data = initrd;
	fx->f.initrd.len = sizeof(initrd);
	assert_int_equal(load(fx), 0);
	bp = zero_page(fx);
	addr = bp.hdr.ramdisk_image | (uint64_t)bp.ext_ramdisk_image << 32;
	assert_int_equal(bp.hdr.ramdisk_size, sizeof(initrd));
	assert_int_equal(bp.ext_ramdisk_size, 0);
	assert_int_equal(addr % 4096, 0);
	assert_true(addr >= PREF_ADDR + INIT_SIZE);
	assert_true(addr + sizeof(initrd) <= RAM_SIZE);
	assert_true(addr + sizeof(initrd) > RAM_SIZE - 4096);
	assert_memory_equal(at(fx, addr, sizeof(initrd)), initrd,
			    sizeof(initrd));
	assert_int_equal(fx->entry.initrd_gpa, addr);
	assert_int_equal(fx->entry.initrd_size, sizeof(initrd));
}

static void test_initrd_below_addr_max(void **state)
{
	struct fixture *fx = *state;
	static uint8_t initrd[8192];
	struct boot_params bp;

	fx->h.initrd_addr_max = 0x2ffffff; /* last byte below 48 MiB */
	fx->f.initrd.data = initrd;
	fx->f.initrd.len = sizeof(initrd);
	assert_int_equal(load(fx), 0);
	bp = zero_page(fx);
	assert_int_equal(bp.hdr.ramdisk_image, 0x3000000 - sizeof(initrd));
}

/*
 * A kernel that cannot relocate is loaded at code32_start but decompresses
 * itself to pref_address: init_size must fit there, and the initrd above.
 */
static void test_not_relocatable_runs_at_pref_address(void **state)
{
	struct fixture *fx = *state;
	static uint8_t initrd[4096];
	struct boot_params bp;

	fx->h.relocatable_kernel = 0;
	fx->h.init_size = 0x2f00000; /* 0x1000000 + 47 MiB: 1 MiB left */
	fx->f.initrd.data = initrd;
	fx->f.initrd.len = sizeof(initrd);
	assert_int_equal(load(fx), 0);
	bp = zero_page(fx);
	assert_true(bp.hdr.ramdisk_image >= PREF_ADDR + 0x2f00000);

	fx->h.init_size = 0x3000001; /* one byte too many for 64 MiB */
	expect_error(
		fx,
		"--memory 64M is too small: the kernel needs 0x3000001 bytes from 0x1000000");
}

/* --- hostile images --------------------------------------------------- */

static void test_truncated_header(void **state)
{
	struct fixture *fx = *state;

	fx->f.kernel_len = 0x220; /* the jump says the header ends at 0x26c */
	expect_error(fx, "bzImage is truncated in its setup header");
	fx->f.kernel_len = 0x206;
	expect_error(fx, "bzImage is truncated in its setup header");
}

static void test_header_too_short(void **state)
{
	struct fixture *fx = *state;

	fx->h.jump = 0xeb | (0x230 - 0x202) << 8;
	expect_error(fx, "setup header is too short");
}

static void test_old_protocol(void **state)
{
	struct fixture *fx = *state;

	fx->h.version = 0x0206;
	expect_error(
		fx,
		"bzImage boot protocol 2.06 is too old: kvmux needs 2.12 or later for the 64-bit entry");
	fx->h.version = 0x020b;
	expect_error(fx, "2.11 is too old");
}

static void test_no_kernel64(void **state)
{
	struct fixture *fx = *state;

	fx->h.xloadflags = XLF_CAN_BE_LOADED_ABOVE_4G;
	expect_error(fx, "XLF_KERNEL_64");
}

static void test_setup_sects_past_end(void **state)
{
	struct fixture *fx = *state;

	fx->h.setup_sects = 200;
	expect_error(
		fx,
		"setup_sects (200) puts the kernel at 0x19200, past the end");
	fx->h.setup_sects = SETUP_SECTS;
	fx->f.kernel_len = PM_OFF; /* no protected-mode kernel at all */
	expect_error(fx, "past the end");
}

/* Fewer bytes after the setup than syssize says: the message gives the
 * kernel's, the setup's, their sum and the file's size, each as named. */
static void test_syssize_past_end(void **state)
{
	struct fixture *fx = *state;

	fx->f.kernel_len = IMAGE_LEN - 1;
	expect_error(
		fx,
		"bzImage is truncated: its setup header promises 0x1000 bytes of kernel after 0xa00 bytes of setup, 0x1a00 in all; the file has 0x19ff bytes");
}

/* The 64-bit entry is 0x200 into the code syssize says there is. */
static void test_entry_past_code(void **state)
{
	struct fixture *fx = *state;

	fx->h.syssize = 1;
	expect_error(
		fx,
		"bzImage's 64-bit entry 0x1000200 (load address + 0x200) is past its protected-mode code 0x1000000-0x100000f (syssize 1)");
	fx->h.syssize = BZ_ENTRY64_OFF / 16; /* ends just before the entry */
	expect_error(fx, "past its protected-mode code 0x1000000-0x10001ff");
	fx->h.syssize = 0;
	expect_error(fx, "syssize 0 says it has none");
	fx->h.syssize = BZ_ENTRY64_OFF / 16 + 1;
	assert_int_equal(load(fx), 0);
	assert_int_equal(fx->entry.cpu.rip, PREF_ADDR + BZ_ENTRY64_OFF);
}

static void test_kernel_too_large(void **state)
{
	struct fixture *fx = *state;

	fx->h.init_size = 0x10000000;
	expect_error(
		fx,
		"--memory 64M is too small: the kernel needs 0x10000000 bytes from 0x1000000");
}

static void test_bad_load_address(void **state)
{
	struct fixture *fx = *state;

	fx->h.pref_address = 0x8000;
	expect_error(fx, "below 1 MiB");
	fx->h.pref_address = 0xffffffffffff0000ULL;
	expect_error(fx, "not in guest RAM below 3 GiB");
	fx->h.pref_address = 0xfee00000; /* the LAPIC */
	expect_error(fx, "not in guest RAM below 3 GiB");
	fx->h.relocatable_kernel = 0;
	fx->h.code32_start = 0;
	expect_error(fx, "below 1 MiB");
}

static void test_initrd_too_large(void **state)
{
	struct fixture *fx = *state;
	const size_t len = 60 << 20;
	uint8_t *initrd = calloc(1, len);

	fx->f.initrd.data = initrd;
	fx->f.initrd.len = len;
	expect_error(fx,
		     "initrd of 62914560 bytes does not fit in --memory 64M");
	free(initrd);
}

static void test_initrd_addr_max_too_low(void **state)
{
	struct fixture *fx = *state;
	static uint8_t initrd[4096];

	fx->h.initrd_addr_max = 0xfffff; /* below the kernel */
	fx->f.initrd.data = initrd;
	fx->f.initrd.len = sizeof(initrd);
	expect_error(fx, "initrd of 4096 bytes does not fit");
}

static void test_cmdline_too_long(void **state)
{
	struct fixture *fx = *state;
	char line[2049];

	memset(line, 'x', 2048);
	line[2048] = '\0';
	fx->f.cmdline = line;
	expect_error(
		fx,
		"kernel command line is too long: 2048 bytes, this kernel accepts at most 2047");
	line[2047] = '\0';
	assert_int_equal(load(fx), 0);
}

/* Random header bytes: every outcome must be a clean return. */
static void test_mutations(void **state)
{
	struct fixture *fx = *state;
	struct image good = fx->im;
	unsigned int round, k;

	srand(7);
	for (round = 0; round < 20000; round++) {
		fx->im = good;
		for (k = 0; k < 1 + round % 4; k++)
			fx->im.buf[0x1f1 + rand() % (HDR_END - 0x1f1)] =
				(uint8_t)rand();
		fx->f.kernel_len = round % 5 ? IMAGE_LEN : rand() % IMAGE_LEN;
		if (boot_load(&fx->g.gm, &fx->g.layout, &fx->f, &fx->entry))
			assert_true(err_msg()[0] != '\0');
	}
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_detect),
		T(test_entry),
		T(test_kernel_loaded),
		T(test_not_relocatable),
		T(test_setup_sects_zero_means_4),
		T(test_zero_page),
		T(test_rsdp),
		T(test_e820),
		T(test_e820_high_ram),
		T(test_page_tables),
		T(test_initrd),
		T(test_initrd_below_addr_max),
		T(test_not_relocatable_runs_at_pref_address),
		T(test_truncated_header),
		T(test_header_too_short),
		T(test_old_protocol),
		T(test_no_kernel64),
		T(test_setup_sects_past_end),
		T(test_syssize_past_end),
		T(test_entry_past_code),
		T(test_kernel_too_large),
		T(test_bad_load_address),
		T(test_initrd_too_large),
		T(test_initrd_addr_max_too_low),
		T(test_cmdline_too_long),
		T(test_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
