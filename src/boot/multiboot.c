// SPDX-License-Identifier: GPL-2.0-only
/*
 * multiboot.c - boot a Multiboot (version 1) kernel as QEMU's -kernel does
 * (kvmux/multiboot.h; the Multiboot Specification 0.6.96, section 3).
 *
 * The kernel goes where it asks: an ELF kernel's PT_LOAD segments at their
 * physical addresses, a flat image by its header's address fields (flag
 * 16, which wins over the ELF headers, as the spec and QEMU say), also
 * below 1 MiB.  Every other piece is placed where the kernel is not:
 *
 *   modules    page-aligned (always, as QEMU does, so the header's
 *              MB_PAGE_ALIGN is met whether asked or not), from the
 *              kernel's end or 1 MiB up: the initrd is module 0
 *   info block struct mb_info, boot loader name, memory map, module list
 *              (BOOT_INFO_ADDR if free)
 *   strings    the command line (BOOT_CMDLINE_ADDR if free), module strings
 *   GDT        the lowest free place in low RAM; page 0 is never used
 *
 * Header flags: MB_MEMORY_INFO is always met (mem_lower/upper and the
 * memory map from the layout table, as e820 and the PVH map); a video mode
 * request (MB_VIDEO_MODE) cannot be met, kvmux has no display: the kernel
 * starts in text mode without framebuffer information (info flags 11 and
 * 12 clear), as under QEMU.  Other required bits (3-15) are refused.
 *
 * Nothing is appended to the command line: a multiboot kernel finds virtio
 * devices through the device tree (a module "dtb", when there are any) or
 * ACPI.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvmux/boot_common.h"
#include "kvmux/elf_pvh.h"
#include "kvmux/error.h"
#include "kvmux/multiboot.h"

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static bool checksum_ok(const uint8_t *p)
{
	return (uint32_t)(rd32(p) + rd32(p + 4) + rd32(p + 8)) == 0;
}

/* The first good header in buf[start, end): 1 with *offset, else 0. */
static int search(const uint8_t *buf, size_t start, size_t end, size_t *offset)
{
	size_t off;

	for (off = start;
	     end >= MB_HEADER_BASE_SIZE && off <= end - MB_HEADER_BASE_SIZE;
	     off += MB_HEADER_ALIGN) {
		if (rd32(buf + off) == MB_HEADER_MAGIC &&
		    checksum_ok(buf + off)) {
			*offset = off;
			return 1;
		}
	}
	return 0;
}

int multiboot_find(const uint8_t *buf, size_t len, size_t *offset)
{
	if (!buf)
		return 0;
	return search(buf, 0, len < MB_SEARCH_BYTES ? len : MB_SEARCH_BYTES,
		      offset);
}

int multiboot_diagnose(const uint8_t *buf, size_t len)
{
	size_t end = len < MB_SEARCH_BYTES ? len : MB_SEARCH_BYTES;
	size_t off;

	if (!buf)
		return 0;
	for (off = 0;
	     end >= MB_HEADER_BASE_SIZE && off <= end - MB_HEADER_BASE_SIZE;
	     off += MB_HEADER_ALIGN) {
		if (rd32(buf + off) == MB_HEADER_MAGIC) {
			err_set("the multiboot header at offset %#zx has a bad checksum: magic + flags + checksum is %#x, not 0",
				off,
				(uint32_t)(rd32(buf + off) +
					   rd32(buf + off + 4) +
					   rd32(buf + off + 8)));
			return 1;
		}
	}
	end = len < MB_DIAGNOSE_BYTES ? len : MB_DIAGNOSE_BYTES;
	if (len > MB_SEARCH_BYTES - MB_HEADER_BASE_SIZE &&
	    search(buf, MB_SEARCH_BYTES - MB_HEADER_BASE_SIZE + MB_HEADER_ALIGN,
		   end, &off)) {
		err_set("the multiboot header at offset %#zx is not inside the first 8 KiB of the file, where loaders look for it",
			off);
		return 1;
	}
	return 0;
}

/* load_addr's byte in the file, from where the header says it is. */
static int locate_text(struct mb_image *img)
{
	const struct mb_header *h = &img->hdr;

	if (h->header_addr < h->load_addr)
		return err_set(
			"multiboot header_addr %#x is below its load_addr %#x",
			h->header_addr, h->load_addr);
	if (h->header_addr - h->load_addr > img->offset)
		return err_set(
			"multiboot load_addr %#x would start %#x bytes before the header, which is only %#zx bytes into the file",
			h->load_addr, h->header_addr - h->load_addr,
			img->offset);
	img->file_offset = img->offset - (h->header_addr - h->load_addr);
	return 0;
}

/* How much of the file is loaded: to load_end_addr or to the end. */
static int size_text(struct mb_image *img, size_t len)
{
	const struct mb_header *h = &img->hdr;
	uint64_t in_file = len - img->file_offset;

	if (!h->load_end_addr) {
		img->load_size = in_file;
	} else if (h->load_end_addr < h->load_addr) {
		return err_set(
			"multiboot load_end_addr %#x is below its load_addr %#x",
			h->load_end_addr, h->load_addr);
	} else {
		img->load_size = h->load_end_addr - h->load_addr;
		if (img->load_size > in_file)
			return err_set(
				"multiboot load_end_addr %#x is beyond the end of the file: %#llx bytes from load_addr (file offset %#llx) end at offset %#llx, the file has %#zx bytes",
				h->load_end_addr,
				(unsigned long long)img->load_size,
				(unsigned long long)img->file_offset,
				(unsigned long long)(img->file_offset +
						     img->load_size),
				len);
	}
	if (!img->load_size)
		return err_set("multiboot header leaves nothing to load");
	if (h->load_addr + img->load_size > 1ULL << 32)
		return err_set(
			"the multiboot image (%#llx bytes at %#x) runs past 4 GiB",
			(unsigned long long)img->load_size, h->load_addr);
	return 0;
}

static int size_bss_and_entry(struct mb_image *img)
{
	const struct mb_header *h = &img->hdr;
	uint64_t load_end = h->load_addr + img->load_size;

	img->mem_size = img->load_size;
	if (h->bss_end_addr) {
		if (h->bss_end_addr < load_end)
			return err_set(
				"multiboot bss_end_addr %#x is below the end of the loaded image (%#llx)",
				h->bss_end_addr, (unsigned long long)load_end);
		img->mem_size = h->bss_end_addr - h->load_addr;
	}
	if (h->entry_addr < h->load_addr || h->entry_addr >= load_end)
		return err_set(
			"multiboot entry_addr %#x is outside the loaded image %#x-%#llx",
			h->entry_addr, h->load_addr,
			(unsigned long long)(load_end - 1));
	return 0;
}

static int parse_addresses(const uint8_t *buf, size_t len, struct mb_image *img)
{
	const uint8_t *p = buf + img->offset;
	struct mb_header *h = &img->hdr;

	if (img->offset + MB_HEADER_ADDR_SIZE > MB_SEARCH_BYTES)
		return err_set(
			"the multiboot header at offset %#zx has its address fields past the first 8 KiB of the file",
			img->offset);
	if (img->offset + MB_HEADER_ADDR_SIZE > len)
		return err_set(
			"the image is truncated: the multiboot header at offset %#zx has no room for its address fields",
			img->offset);
	h->header_addr = rd32(p + 12);
	h->load_addr = rd32(p + 16);
	h->load_end_addr = rd32(p + 20);
	h->bss_end_addr = rd32(p + 24);
	h->entry_addr = rd32(p + 28);
	if (locate_text(img) || size_text(img, len))
		return -1;
	return size_bss_and_entry(img);
}

int multiboot_parse(const uint8_t *buf, size_t len, struct mb_image *img)
{
	uint32_t unknown;

	memset(img, 0, sizeof(*img));
	if (!multiboot_find(buf, len, &img->offset))
		return err_set(
			"no multiboot header in the first 8 KiB of the kernel image");
	img->hdr.magic = rd32(buf + img->offset);
	img->hdr.flags = rd32(buf + img->offset + 4);
	img->hdr.checksum = rd32(buf + img->offset + 8);
	unknown = img->hdr.flags & MB_REQUIRED_MASK & ~MB_KNOWN_REQUIRED;
	if (unknown)
		return err_set(
			"the multiboot header requires features kvmux does not know (flags %#x)",
			unknown);
	if (!(img->hdr.flags & MB_AOUT_KLUDGE))
		return 0;
	return parse_addresses(buf, len, img);
}

int multiboot_cmdline(const char *kernel_name, const char *cmdline, char **out)
{
	const size_t max = BOOT_CMDLINE_MAX - 1,
		     prefix = strlen(kernel_name) + 1;

	*out = NULL;
	/* Said here, where the user's part is known: --cmdline has less. */
	if (prefix + strlen(cmdline) > max)
		return err_set(
			"kernel command line is too long: %zu bytes, counting the kernel's path and a space (%zu bytes) that kvmux puts first, as QEMU does; a multiboot kernel accepts at most %zu, which leaves %zu for --cmdline",
			prefix + strlen(cmdline), prefix, max,
			prefix < max ? max - prefix : 0);
	if (asprintf(out, "%s %s", kernel_name, cmdline) < 0) {
		*out = NULL;
		return err_host("out of memory");
	}
	return 0;
}

/* --- loading ------------------------------------------------------------ */

/* A flat image by the header's address fields. */
static int load_flat(const struct guest_mem *gm, struct boot_alloc *a,
		     const struct boot_files *f, const struct mb_image *img,
		     uint64_t *kernel_end)
{
	uint64_t addr = img->hdr.load_addr;

	if (boot_check_load_range(gm, a->layout, addr, img->mem_size,
				  "the kernel") ||
	    boot_alloc_claim(a, addr, img->mem_size, "the kernel") ||
	    boot_copy_kernel(gm, addr, f, img->file_offset, img->load_size) ||
	    gm_zero(gm, addr + img->load_size, img->mem_size - img->load_size))
		return -1;
	*kernel_end = addr + img->mem_size;
	return 0;
}

static bool inside(uint64_t x, uint64_t start, uint64_t size)
{
	return x >= start && x - start < size;
}

/*
 * Paging is off at entry, so e_entry must be a physical address; one that
 * is a virtual address of a segment (a higher-half kernel) is taken at
 * that segment's physical copy.
 */
static int elf_entry_paddr(const struct elf_file *ef, uint64_t *rip)
{
	struct elf_segment seg;
	unsigned int i, pass;
	char ranges[160];

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < ef->phnum; i++) {
			elf_segment(ef, i, &seg);
			if (seg.type != PT_LOAD)
				continue;
			if (!pass && inside(ef->entry, seg.paddr, seg.filesz)) {
				*rip = ef->entry;
				return 0;
			}
			if (pass && inside(ef->entry, seg.vaddr, seg.filesz)) {
				*rip = seg.paddr + (ef->entry - seg.vaddr);
				return 0;
			}
		}
	}
	boot_elf_loaded_ranges(ef, ranges, sizeof(ranges));
	return err_set(
		"the multiboot ELF kernel's entry point %#llx is outside its loaded segments (%s)",
		(unsigned long long)ef->entry, ranges);
}

static int open_elf(const struct boot_files *f, uint64_t ram_size,
		    struct elf_file *ef, uint64_t *rip)
{
	if (f->kernel_len < SELFMAG || memcmp(f->kernel, ELFMAG, SELFMAG))
		return err_set(
			"the multiboot kernel is not an ELF file and its header has no address fields (flag 16)");
	if (elf_open(ef, f->kernel, f->kernel_len) ||
	    boot_check_elf_sizes(ef, ram_size) || boot_check_elf_segments(ef))
		return -1;
	return elf_entry_paddr(ef, rip);
}

static int load_elf(const struct guest_mem *gm, struct boot_alloc *a,
		    const struct boot_files *f, uint64_t *kernel_end,
		    uint64_t *rip)
{
	struct elf_file ef;

	if (open_elf(f, a->layout->ram_size, &ef, rip))
		return boot_image_error(f);
	return boot_load_elf(gm, a, f, &ef, kernel_end);
}

static int write_string(const struct guest_mem *gm, struct boot_alloc *a,
			const char *s, const char *what, uint32_t *addr)
{
	uint64_t at;

	if (boot_alloc_struct(a, 0, strlen(s) + 1, 1, what, &at) ||
	    gm_write(gm, at, s, strlen(s) + 1))
		return -1;
	*addr = at;
	return 0;
}

/* What the modules are, in the order the kernel sees them. */
struct mb_modules {
	struct mb_module mod[MB_MAX_MODULES];
	unsigned int nr;
};

static int add_module(const struct guest_mem *gm, struct boot_alloc *a,
		      const struct boot_module *m, uint64_t start,
		      struct mb_modules *list)
{
	struct mb_module *out = &list->mod[list->nr];
	char what[BOOT_WHAT_MAX];
	struct boot_request r = {
		.what = what,
		.size = m->len,
		.align = BOOT_PAGE_SIZE,
		.start = start,
		.end = layout_low_ram_end(a->layout),
	};
	uint64_t at;

	snprintf(what, sizeof(what), "multiboot module %u", list->nr);
	if (boot_alloc_in(a, &r, &at) || boot_copy_module(gm, at, m))
		return -1;
	snprintf(what, sizeof(what), "the string of multiboot module %u",
		 list->nr);
	if (write_string(gm, a, m->string ? m->string : "", what, &out->string))
		return -1;
	out->mod_start = at;
	out->mod_end = at + m->len; /* below 3 GiB */
	list->nr++;
	return 0;
}

/* The initrd (module 0) and the modules, above the kernel and 1 MiB. */
static int load_modules(const struct guest_mem *gm, struct boot_alloc *a,
			const struct boot_files *f, uint64_t kernel_end,
			struct mb_modules *list)
{
	uint64_t start =
		kernel_end < LAYOUT_HIGH_START ? LAYOUT_HIGH_START : kernel_end;
	unsigned int i;

	list->nr = 0;
	if (f->nr_modules > BOOT_MAX_MODULES)
		return err_set(
			"at most %d multiboot modules besides the initrd",
			BOOT_MAX_MODULES);
	if (f->initrd.len && add_module(gm, a, &f->initrd, start, list))
		return -1;
	for (i = 0; i < f->nr_modules; i++)
		if (add_module(gm, a, &f->modules[i], start, list))
			return -1;
	return 0;
}

/* mem_lower and mem_upper: the RAM ranges at 0 and at 1 MiB, in KiB. */
static void fill_memory(struct mb_info *mi, const struct mem_layout *l)
{
	unsigned int i;

	for (i = 0; i < l->nr_ranges; i++) {
		const struct mem_range *r = &l->range[i];

		if (r->type != MEM_RAM)
			continue;
		if (r->addr == 0)
			mi->mem_lower = r->size >> 10;
		if (r->addr == LAYOUT_HIGH_START)
			mi->mem_upper = r->size >> 10;
	}
}

static int write_mmap(const struct guest_mem *gm, const struct mem_layout *l,
		      uint64_t addr)
{
	struct mb_mmap_entry map[LAYOUT_MAX_RANGES];
	unsigned int i;

	for (i = 0; i < l->nr_ranges; i++)
		map[i] = (struct mb_mmap_entry){
			.size = sizeof(map[i]) - sizeof(map[i].size),
			.addr = l->range[i].addr,
			.len = l->range[i].size,
			.type = l->range[i].type,
		};
	return gm_write(gm, addr, map, l->nr_ranges * sizeof(map[0]));
}

static int write_info(const struct guest_mem *gm, struct boot_entry *entry,
		      uint32_t cmdline, const struct mb_modules *list)
{
	const struct mem_layout *l = entry->mem.layout;
	struct mb_info mi = {
		.flags = MB_INFO_MEMORY | MB_INFO_CMDLINE | MB_INFO_MODS |
			 MB_INFO_MMAP | MB_INFO_LOADER_NAME,
		.cmdline = cmdline,
		.mods_count = list->nr,
		.mmap_length = l->nr_ranges * sizeof(struct mb_mmap_entry),
	};
	uint64_t base;

	if (boot_alloc_struct(&entry->mem, BOOT_INFO_ADDR, MB_INFO_SIZE, 8,
			      "the multiboot information", &base))
		return -1;
	fill_memory(&mi, l);
	mi.mods_addr = base + MB_MODS_OFF;
	mi.mmap_addr = base + MB_MMAP_OFF;
	mi.boot_loader_name = base + MB_LOADER_NAME_OFF;
	if (write_mmap(gm, l, mi.mmap_addr) ||
	    gm_write(gm, mi.mods_addr, list->mod,
		     list->nr * sizeof(list->mod[0])) ||
	    gm_write(gm, mi.boot_loader_name, MB_LOADER_NAME,
		     sizeof(MB_LOADER_NAME)) ||
	    gm_write(gm, base, &mi, sizeof(mi)))
		return -1;
	entry->cpu.rbx = base;
	return 0;
}

static int load_kernel(const struct guest_mem *gm, struct boot_entry *entry,
		       const struct boot_files *f, uint64_t *kernel_end)
{
	struct mb_image img;

	if (multiboot_parse(f->kernel, f->kernel_len, &img))
		return boot_image_error(f);
	if (!(img.hdr.flags & MB_AOUT_KLUDGE))
		return load_elf(gm, &entry->mem, f, kernel_end,
				&entry->cpu.rip);
	entry->cpu.rip = img.hdr.entry_addr;
	return load_flat(gm, &entry->mem, f, &img, kernel_end);
}

int multiboot_load(const struct guest_mem *gm, const struct mem_layout *l,
		   const struct boot_files *f, struct boot_entry *entry)
{
	struct mb_modules list;
	uint64_t kernel_end, cmdline;

	memset(entry, 0, sizeof(*entry));
	boot_alloc_init(&entry->mem, l);
	if (load_kernel(gm, entry, f, &kernel_end) ||
	    load_modules(gm, &entry->mem, f, kernel_end, &list) ||
	    boot_write_cmdline(gm, &entry->mem, f->cmdline,
			       BOOT_CMDLINE_MAX - 1, &cmdline) ||
	    write_info(gm, entry, cmdline, &list) ||
	    boot_write_gdt(gm, entry, 0))
		return -1;
	entry->cpu.mode = BOOT_PROTECTED32;
	entry->cpu.rax = MB_BOOTLOADER_MAGIC;
	entry->kind = IMAGE_MULTIBOOT;
	if (f->initrd.len) {
		entry->initrd_gpa = list.mod[0].mod_start;
		entry->initrd_size = f->initrd.len;
	}
	return 0;
}
