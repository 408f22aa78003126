// SPDX-License-Identifier: GPL-2.0-only
/*
 * bzimage.c - boot a Linux bzImage through the 64-bit boot protocol.
 *
 * Only the protected-mode kernel is loaded; the real-mode setup code is
 * never run, so kvmux does the setup's job: it fills the zero page and
 * builds page tables, then enters at the 64-bit entry point in long mode.
 */
#include <asm/bootparam.h>
#include <stddef.h>
#include <string.h>

#include "kvmux/boot_common.h"
#include "kvmux/bzimage.h"
#include "kvmux/error.h"

#define HDRS_MAGIC 0x53726448 /* "HdrS" */

/* File offset just past a setup_header field. */
#define HDR_FIELD_END(field)                                          \
	(BZ_SETUP_HEADER_OFF + offsetof(struct setup_header, field) + \
	 sizeof(((struct setup_header *)0)->field))

struct bzimage {
	struct setup_header hdr; /* fields the file lacks are 0 */
	size_t hdr_len; /* bytes of hdr present in the file */
	uint64_t pm_off; /* protected-mode kernel in the file */
	uint64_t pm_size;
	uint64_t load_addr; /* where the protected-mode kernel is copied */
	uint64_t run_addr; /* where it decompresses itself and runs */
};

static int bz_truncated(size_t len, size_t hdr_end)
{
	return err_set(
		"bzImage is truncated in its setup header: the file has %#zx bytes, the header needs %#zx",
		len, hdr_end);
}

/* Copy the part of the setup header the file has; check the magic. */
static int read_header(struct bzimage *bz, const uint8_t *buf, size_t len)
{
	size_t hdr_end, max_end = BZ_SETUP_HEADER_OFF + sizeof(bz->hdr);

	if (len < HDR_FIELD_END(version))
		return bz_truncated(len, HDR_FIELD_END(version));
	hdr_end = BZ_JUMP_OFF + 2 + buf[BZ_JUMP_OFF + 1];
	if (hdr_end > len)
		return bz_truncated(len, hdr_end);
	bz->hdr_len =
		(hdr_end < max_end ? hdr_end : max_end) - BZ_SETUP_HEADER_OFF;
	memset(&bz->hdr, 0, sizeof(bz->hdr));
	memcpy(&bz->hdr, buf + BZ_SETUP_HEADER_OFF, bz->hdr_len);
	if (bz->hdr.header != HDRS_MAGIC || bz->hdr.boot_flag != 0xaa55)
		return err_set(
			"not a bzImage: the setup header magic (HdrS, 0xaa55) is missing");
	return 0;
}

static int check_protocol(const struct bzimage *bz)
{
	unsigned int v = bz->hdr.version;

	if (v < BZ_MIN_VERSION)
		return err_set(
			"bzImage boot protocol %u.%02u is too old: kvmux needs 2.12 or later for the 64-bit entry",
			v >> 8, v & 0xff);
	if (BZ_SETUP_HEADER_OFF + bz->hdr_len < HDR_FIELD_END(init_size))
		return err_set(
			"bzImage setup header is too short (%#zx bytes) for boot protocol %u.%02u",
			bz->hdr_len, v >> 8, v & 0xff);
	if (!(bz->hdr.xloadflags & XLF_KERNEL_64))
		return err_set(
			"bzImage has no 64-bit entry point (XLF_KERNEL_64 is clear); kvmux boots bzImages through the 64-bit boot protocol only");
	return 0;
}

/* Where the protected-mode kernel is in the file and where it goes. */
static int locate_kernel(struct bzimage *bz, size_t len)
{
	unsigned int sects = bz->hdr.setup_sects;

	if (!sects)
		sects = BZ_DEFAULT_SETUP_SECTS;
	bz->pm_off = (uint64_t)(sects + 1) * BZ_SECTOR_SIZE;
	if (bz->pm_off >= len)
		return err_set(
			"bzImage is truncated: setup_sects (%u) puts the kernel at %#llx, past the end of the %#zx-byte file",
			sects, (unsigned long long)bz->pm_off, len);
	bz->pm_size = len - bz->pm_off;
	/* syssize counts the protected-mode part in 16-byte units. */
	if (bz->pm_size < (uint64_t)bz->hdr.syssize * 16)
		return err_set(
			"bzImage is truncated: the header promises %#llx bytes of kernel, the file has %#llx",
			(unsigned long long)bz->hdr.syssize * 16,
			(unsigned long long)bz->pm_size);
	bz->load_addr = bz->hdr.relocatable_kernel ? bz->hdr.pref_address :
						     bz->hdr.code32_start;
	/*
	 * init_size bytes are needed from the runtime address, not from the
	 * load address: a kernel that cannot relocate decompresses itself to
	 * pref_address (its link address) wherever it was loaded.
	 */
	bz->run_addr = bz->hdr.relocatable_kernel ? bz->load_addr :
						    bz->hdr.pref_address;
	return 0;
}

static int parse(struct bzimage *bz, const uint8_t *buf, size_t len)
{
	if (read_header(bz, buf, len) || check_protocol(bz))
		return -1;
	return locate_kernel(bz, len);
}

/* PML4 -> one PDPT -> four PDs of 2 MiB pages: the first 4 GiB, 1:1. */
static int write_page_tables(const struct guest_mem *gm)
{
	/* U/S set everywhere: some hosts (PVM) run the guest at CPL 3. */
	const uint64_t flags = PTE_PRESENT | PTE_WRITE | PTE_USER;
	uint64_t table[512];
	unsigned int i, pd;

	memset(table, 0, sizeof(table));
	table[0] = BOOT_PDPT_ADDR | flags;
	if (gm_write(gm, BOOT_PML4_ADDR, table, sizeof(table)))
		return -1;
	for (pd = 0; pd < BOOT_NR_PD; pd++)
		table[pd] = (BOOT_PD_ADDR + pd * 0x1000ULL) | flags;
	if (gm_write(gm, BOOT_PDPT_ADDR, table, sizeof(table)))
		return -1;
	for (pd = 0; pd < BOOT_NR_PD; pd++) {
		for (i = 0; i < 512; i++)
			table[i] = ((uint64_t)(pd * 512 + i) << 21) | flags |
				   PTE_LARGE;
		if (gm_write(gm, BOOT_PD_ADDR + pd * 0x1000ULL, table,
			     sizeof(table)))
			return -1;
	}
	return 0;
}

static void fill_e820(struct boot_params *bp, const struct mem_layout *l)
{
	unsigned int i;

	for (i = 0; i < l->nr_ranges && i < E820_MAX_ENTRIES_ZEROPAGE; i++) {
		bp->e820_table[i].addr = l->range[i].addr;
		bp->e820_table[i].size = l->range[i].size;
		bp->e820_table[i].type = l->range[i].type;
	}
	bp->e820_entries = i;
}

static int write_zero_page(const struct guest_mem *gm,
			   const struct mem_layout *l, const struct bzimage *bz,
			   uint64_t initrd_addr, uint64_t initrd_size)
{
	struct boot_params bp;

	memset(&bp, 0, sizeof(bp));
	memcpy(&bp.hdr, &bz->hdr, bz->hdr_len);
	bp.hdr.type_of_loader = BZ_LOADER_UNDEFINED;
	bp.hdr.cmd_line_ptr = (uint32_t)BOOT_CMDLINE_ADDR;
	bp.ext_cmd_line_ptr = (uint32_t)(BOOT_CMDLINE_ADDR >> 32);
	bp.hdr.ramdisk_image = (uint32_t)initrd_addr;
	bp.ext_ramdisk_image = (uint32_t)(initrd_addr >> 32);
	bp.hdr.ramdisk_size = (uint32_t)initrd_size;
	bp.ext_ramdisk_size = (uint32_t)(initrd_size >> 32);
	fill_e820(&bp, l);
	return gm_write(gm, BOOT_ZERO_PAGE_ADDR, &bp, sizeof(bp));
}

/* The protected-mode kernel into RAM, the initrd above it. */
static int load_kernel_and_initrd(const struct guest_mem *gm,
				  const struct mem_layout *l,
				  const struct boot_files *f,
				  const struct bzimage *bz,
				  uint64_t *initrd_addr)
{
	/* initrd_addr_max is the last byte the initrd may occupy. */
	uint64_t initrd_limit = (uint64_t)bz->hdr.initrd_addr_max + 1;
	uint64_t load_end = bz->load_addr + bz->pm_size;
	uint64_t run_end = bz->run_addr + bz->hdr.init_size;

	if (boot_check_kernel_range(gm, l, bz->load_addr, bz->pm_size,
				    "the kernel") ||
	    boot_check_kernel_range(gm, l, bz->run_addr, bz->hdr.init_size,
				    "the kernel") ||
	    gm_write(gm, bz->load_addr, f->kernel + bz->pm_off, bz->pm_size))
		return -1;
	/* Both ranges were checked to lie below 3 GiB: no overflow. */
	return boot_place_initrd(gm, l, f,
				 load_end > run_end ? load_end : run_end,
				 initrd_limit, initrd_addr);
}

int bzimage_load(const struct guest_mem *gm, const struct mem_layout *l,
		 const struct boot_files *f, struct boot_entry *entry)
{
	struct bzimage bz;
	uint64_t initrd_addr;

	if (parse(&bz, f->kernel, f->kernel_len) ||
	    boot_write_cmdline(gm, f->cmdline, bz.hdr.cmdline_size) ||
	    load_kernel_and_initrd(gm, l, f, &bz, &initrd_addr) ||
	    write_zero_page(gm, l, &bz, initrd_addr,
			    initrd_addr ? f->initrd_len : 0) ||
	    write_page_tables(gm))
		return -1;

	memset(entry, 0, sizeof(*entry));
	if (boot_write_gdt(gm, entry))
		return -1;
	entry->mode = BOOT_LONG64;
	entry->rip = bz.load_addr + BZ_ENTRY64_OFF;
	entry->rsi = BOOT_ZERO_PAGE_ADDR;
	entry->cr3 = BOOT_PAGE_TABLE_ADDR;
	entry->kind = IMAGE_BZIMAGE;
	entry->initrd_gpa = initrd_addr;
	entry->initrd_size = initrd_addr ? f->initrd_len : 0;
	return 0;
}

int bzimage_set_rsdp(const struct guest_mem *gm, const struct boot_entry *entry,
		     uint64_t rsdp_gpa)
{
	return gm_write(
		gm, entry->rsi + offsetof(struct boot_params, acpi_rsdp_addr),
		&rsdp_gpa, sizeof(rsdp_gpa));
}
