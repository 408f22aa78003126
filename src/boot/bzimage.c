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
			"bzImage is truncated: its setup header promises %#llx bytes of kernel after %#llx bytes of setup, %#llx in all; the file has %#zx bytes",
			(unsigned long long)bz->hdr.syssize * 16,
			(unsigned long long)bz->pm_off,
			(unsigned long long)(bz->pm_off +
					     (uint64_t)bz->hdr.syssize * 16),
			len);
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

/*
 * The 64-bit entry is 0x200 bytes into the protected-mode code, which is
 * syssize paragraphs long: with fewer, what runs there is not the
 * kernel's (whatever else the file holds after it).
 */
static int check_entry(const struct bzimage *bz)
{
	uint64_t code = (uint64_t)bz->hdr.syssize * 16;

	if (code > BZ_ENTRY64_OFF)
		return 0;
	if (!code)
		return err_set(
			"bzImage's 64-bit entry %#llx (load address + 0x200) is past its protected-mode code: syssize 0 says it has none",
			(unsigned long long)(bz->load_addr + BZ_ENTRY64_OFF));
	return err_set(
		"bzImage's 64-bit entry %#llx (load address + 0x200) is past its protected-mode code %#llx-%#llx (syssize %u)",
		(unsigned long long)(bz->load_addr + BZ_ENTRY64_OFF),
		(unsigned long long)bz->load_addr,
		(unsigned long long)(bz->load_addr + code - 1),
		bz->hdr.syssize);
}

static int parse(struct bzimage *bz, const uint8_t *buf, size_t len)
{
	if (read_header(bz, buf, len) || check_protocol(bz) ||
	    locate_kernel(bz, len))
		return -1;
	return check_entry(bz);
}

/* PML4 -> one PDPT -> four PDs of 2 MiB pages: the first 4 GiB, 1:1. */
static int write_page_tables(const struct guest_mem *gm, uint64_t pml4)
{
	/* U/S set everywhere: some hosts (PVM) run the guest at CPL 3. */
	const uint64_t flags = PTE_PRESENT | PTE_WRITE | PTE_USER;
	const uint64_t pdpt = pml4 + BOOT_PDPT_ADDR - BOOT_PML4_ADDR;
	const uint64_t pd0 = pml4 + BOOT_PD_ADDR - BOOT_PML4_ADDR;
	uint64_t table[512];
	unsigned int i, pd;

	memset(table, 0, sizeof(table));
	table[0] = pdpt | flags;
	if (gm_write(gm, pml4, table, sizeof(table)))
		return -1;
	for (pd = 0; pd < BOOT_NR_PD; pd++)
		table[pd] = (pd0 + pd * 0x1000ULL) | flags;
	if (gm_write(gm, pdpt, table, sizeof(table)))
		return -1;
	for (pd = 0; pd < BOOT_NR_PD; pd++) {
		for (i = 0; i < 512; i++)
			table[i] = ((uint64_t)(pd * 512 + i) << 21) | flags |
				   PTE_LARGE;
		if (gm_write(gm, pd0 + pd * 0x1000ULL, table, sizeof(table)))
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

/* Where the boot protocol's pieces went. */
struct bz_placement {
	uint64_t cmdline;
	uint64_t initrd;
};

static int write_zero_page(const struct guest_mem *gm, struct boot_entry *entry,
			   const struct bzimage *bz,
			   const struct bz_placement *at, uint64_t initrd_size)
{
	const struct mem_layout *l = entry->mem.layout;
	struct boot_params bp;
	uint64_t addr;

	memset(&bp, 0, sizeof(bp));
	memcpy(&bp.hdr, &bz->hdr, bz->hdr_len);
	bp.hdr.type_of_loader = BZ_LOADER_UNDEFINED;
	bp.hdr.cmd_line_ptr = (uint32_t)at->cmdline;
	bp.ext_cmd_line_ptr = (uint32_t)(at->cmdline >> 32);
	bp.hdr.ramdisk_image = (uint32_t)at->initrd;
	bp.ext_ramdisk_image = (uint32_t)(at->initrd >> 32);
	bp.hdr.ramdisk_size = (uint32_t)initrd_size;
	bp.ext_ramdisk_size = (uint32_t)(initrd_size >> 32);
	fill_e820(&bp, l);
	if (boot_alloc_struct(&entry->mem, BOOT_ZERO_PAGE_ADDR, sizeof(bp),
			      BOOT_PAGE_SIZE, "the zero page", &addr) ||
	    gm_write(gm, addr, &bp, sizeof(bp)))
		return -1;
	entry->cpu.rsi = addr;
	return 0;
}

/* Everything from the load address to the end of the decompressed kernel. */
static int claim_kernel(struct boot_alloc *a, const struct bzimage *bz)
{
	uint64_t load_end = bz->load_addr + bz->pm_size;
	uint64_t run_end = bz->run_addr + bz->hdr.init_size;
	uint64_t start =
		bz->load_addr < bz->run_addr ? bz->load_addr : bz->run_addr;

	return boot_alloc_claim(
		a, start, (load_end > run_end ? load_end : run_end) - start,
		"the kernel");
}

/* The protected-mode kernel into RAM, the initrd above it. */
static int load_kernel_and_initrd(const struct guest_mem *gm,
				  struct boot_alloc *a,
				  const struct boot_files *f,
				  const struct bzimage *bz,
				  uint64_t *initrd_addr)
{
	const struct mem_layout *l = a->layout;
	/* initrd_addr_max is the last byte the initrd may occupy. */
	uint64_t initrd_limit = (uint64_t)bz->hdr.initrd_addr_max + 1;
	uint64_t load_end = bz->load_addr + bz->pm_size;
	uint64_t run_end = bz->run_addr + bz->hdr.init_size;

	if (boot_check_kernel_range(gm, l, bz->load_addr, bz->pm_size,
				    "the kernel") ||
	    boot_check_kernel_range(gm, l, bz->run_addr, bz->hdr.init_size,
				    "the kernel") ||
	    claim_kernel(a, bz) ||
	    boot_copy_kernel(gm, bz->load_addr, f, bz->pm_off, bz->pm_size))
		return -1;
	/* Both ranges were checked to lie below 3 GiB: no overflow. */
	return boot_place_initrd(gm, a, f,
				 load_end > run_end ? load_end : run_end,
				 initrd_limit, initrd_addr);
}

static int write_page_tables_at(const struct guest_mem *gm,
				struct boot_entry *entry)
{
	uint64_t pml4;

	if (boot_alloc_struct(&entry->mem, BOOT_PAGE_TABLE_ADDR,
			      (2 + BOOT_NR_PD) * BOOT_PAGE_SIZE, BOOT_PAGE_SIZE,
			      "the boot page tables", &pml4) ||
	    write_page_tables(gm, pml4))
		return -1;
	entry->cpu.cr3 = pml4;
	return 0;
}

int bzimage_load(const struct guest_mem *gm, const struct mem_layout *l,
		 const struct boot_files *f, struct boot_entry *entry)
{
	struct bz_placement at;
	struct bzimage bz;

	memset(entry, 0, sizeof(*entry));
	boot_alloc_init(&entry->mem, l);
	if (parse(&bz, f->kernel, f->kernel_len))
		return boot_image_error(f);
	if (load_kernel_and_initrd(gm, &entry->mem, f, &bz, &at.initrd) ||
	    boot_write_cmdline(gm, &entry->mem, f->cmdline, bz.hdr.cmdline_size,
			       &at.cmdline) ||
	    write_zero_page(gm, entry, &bz, &at,
			    at.initrd ? f->initrd.len : 0) ||
	    write_page_tables_at(gm, entry) ||
	    boot_write_gdt(gm, entry, BOOT_GDT_ADDR))
		return -1;
	entry->cpu.mode = BOOT_LONG64;
	entry->cpu.rip = bz.load_addr + BZ_ENTRY64_OFF;
	entry->kind = IMAGE_BZIMAGE;
	entry->initrd_gpa = at.initrd;
	entry->initrd_size = at.initrd ? f->initrd.len : 0;
	return 0;
}

int bzimage_set_rsdp(const struct guest_mem *gm, const struct boot_entry *entry,
		     uint64_t rsdp_gpa)
{
	return gm_write(gm,
			entry->cpu.rsi +
				offsetof(struct boot_params, acpi_rsdp_addr),
			&rsdp_gpa, sizeof(rsdp_gpa));
}
