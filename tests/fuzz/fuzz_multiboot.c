// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_multiboot.c - the multiboot (version 1) loader (src/boot/
 * multiboot.c: multiboot_find, multiboot_parse, multiboot_load) through
 * boot_load(), and everything board.c writes after it (fuzz_boot.h).
 *
 * Input: the fuzz_boot.h header, then a kernel image with a multiboot
 * header: a flat image by its address fields (flag 16), or an ELF file.
 * Seeds (seeds.py): the guest firmware's flat multiboot kernel,
 * shortened, small ELF32 and ELF64 kernels, and flat images with their
 * address fields at the edges.  Images that are a bzImage or a PVH ELF
 * without a multiboot header are left to the other loader targets.
 *
 * Properties, besides fuzz_boot.h's: the header is the first one in the
 * first 8 KiB whose three words sum to 0 (spec 3.1.1); a flat image's
 * entry is entry_addr, its bytes from the file where header_addr says
 * load_addr's byte is, up to load_end_addr (or the end of the file), then
 * zeros up to bss_end_addr; an ELF kernel's entry is e_entry where a
 * segment holds it physically, else through a segment's virtual address;
 * the CPU starts in 32-bit protected mode with EAX = 0x2BADB002 and EBX
 * at the information structure (spec 3.2), whose flags, command line,
 * boot loader name, memory map (the layout's ranges), mem_lower/upper and
 * modules (the initrd, then the device tree "dtb") are what kvmux handed
 * over, before and after the device tree was attached.
 *
 * libFuzzer flags: -max_len=16384
 * smoke runs: 20000
 */
#include "fuzz_boot.h"

/* The header, found the way spec 3.1.1 says (not multiboot_find()). */
static size_t header_at(const uint8_t *k, size_t len, uint32_t w[8])
{
	size_t off, i;

	for (off = 0; off + 12 <= len && off + 12 <= MB_SEARCH_BYTES;
	     off += 4) {
		memset(w, 0, 8 * sizeof(w[0]));
		for (i = 0; i < 8 && off + 4 * i + 4 <= len; i++)
			memcpy(&w[i], k + off + 4 * i, 4);
		if (w[0] == MB_HEADER_MAGIC && w[0] + w[1] + w[2] == 0)
			return off;
	}
	FUZZ_CHECK(!"a loaded image without a multiboot header");
	return 0;
}

/* Flat image: where load_addr's byte is in the file, and the sizes. */
struct flat {
	uint32_t load, entry;
	uint64_t file_off, file_len, mem_len;
};

static bool flat_image(const uint8_t *k, size_t len, struct flat *fl)
{
	uint32_t w[8];
	size_t off = header_at(k, len, w);

	if (!(w[1] & MB_AOUT_KLUDGE))
		return false;
	/* header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr */
	FUZZ_CHECK(w[3] >= w[4] && w[3] - w[4] <= off);
	fl->load = w[4];
	fl->entry = w[7];
	fl->file_off = off - (w[3] - w[4]);
	fl->file_len = w[5] ? (uint64_t)w[5] - w[4] : len - fl->file_off;
	FUZZ_CHECK(fl->file_len && fl->file_off + fl->file_len <= len);
	fl->mem_len = w[6] ? (uint64_t)w[6] - w[4] : fl->file_len;
	FUZZ_CHECK(fl->mem_len >= fl->file_len);
	FUZZ_CHECK(fl->entry >= fl->load &&
		   fl->entry - fl->load < fl->file_len);
	return true;
}

/* Spec 3.2: paging is off, so the entry is physical; a higher-half
 * kernel's virtual e_entry is taken at its segment's physical copy. */
static uint64_t elf_entry(const struct elf_file *ef)
{
	uint64_t by_vaddr = 0;
	bool found = false;
	struct elf_segment s;
	unsigned int i;

	for (i = 0; i < ef->phnum; i++) {
		elf_segment(ef, i, &s);
		if (s.type != PT_LOAD)
			continue;
		if (ef->entry >= s.paddr && ef->entry - s.paddr < s.filesz)
			return ef->entry;
		if (!found && ef->entry >= s.vaddr &&
		    ef->entry - s.vaddr < s.filesz) {
			by_vaddr = s.paddr + (ef->entry - s.vaddr);
			found = true;
		}
	}
	FUZZ_CHECK(found);
	return by_vaddr;
}

static void expect(const uint8_t *k, size_t len, struct boot_expect *x)
{
	struct elf_file ef;
	struct flat fl;

	if (flat_image(k, len, &fl)) {
		x->rip = fl.entry;
		x->kernel_end = fl.load + fl.mem_len;
		return;
	}
	FUZZ_CHECK(elf_open(&ef, k, len) == 0);
	x->rip = elf_entry(&ef);
	x->kernel_end = elf_kernel_end(&ef);
}

static void check_kernel(struct fake_guest *g, const uint8_t *k, size_t len)
{
	struct flat fl;
	const uint8_t *mem;
	uint64_t i;

	if (!flat_image(k, len, &fl)) {
		check_elf_loaded(g, k, len);
		return;
	}
	mem = fake_guest_at(g, fl.load, fl.mem_len);
	FUZZ_CHECK(!memcmp(mem, k + fl.file_off, fl.file_len));
	for (i = fl.file_len; i < fl.mem_len; i++)
		FUZZ_CHECK(mem[i] == 0);
}

/* The memory map: the layout's ranges, in order (spec 3.3). */
static void check_mmap(struct boot_case *c, const struct mb_info *mi)
{
	const struct mem_layout *l = &c->g->layout;
	struct mb_mmap_entry e;
	unsigned int i;

	FUZZ_CHECK(mi->mmap_length == l->nr_ranges * sizeof(e));
	for (i = 0; i < l->nr_ranges; i++) {
		memcpy(&e,
		       fake_guest_at(c->g, mi->mmap_addr + i * sizeof(e),
				     sizeof(e)),
		       sizeof(e));
		FUZZ_CHECK(e.size == 20 && e.addr == l->range[i].addr &&
			   e.len == l->range[i].size &&
			   e.type == l->range[i].type);
		if (e.type == MEM_RAM && e.addr == 0)
			FUZZ_CHECK(mi->mem_lower == e.len >> 10);
		if (e.type == MEM_RAM && e.addr == LAYOUT_HIGH_START)
			FUZZ_CHECK(mi->mem_upper == e.len >> 10);
	}
}

static void check_info(struct boot_case *c)
{
	const uint32_t flags = MB_INFO_MEMORY | MB_INFO_CMDLINE | MB_INFO_MODS |
			       MB_INFO_MMAP | MB_INFO_LOADER_NAME;
	size_t cmd_len = strlen(c->cmdline) + 1;
	struct mb_info mi;

	FUZZ_CHECK(c->e.cpu.mode == BOOT_PROTECTED32 &&
		   c->e.cpu.rax == MB_BOOTLOADER_MAGIC);
	FUZZ_CHECK(c->e.cpu.rbx == placed(c, "the multiboot information"));
	memcpy(&mi, fake_guest_at(c->g, c->e.cpu.rbx, sizeof(mi)), sizeof(mi));
	FUZZ_CHECK(mi.flags == flags);
	FUZZ_CHECK(mi.cmdline == placed(c, "the kernel command line"));
	FUZZ_CHECK(!memcmp(fake_guest_at(c->g, mi.cmdline, cmd_len), c->cmdline,
			   cmd_len));
	FUZZ_CHECK(!memcmp(fake_guest_at(c->g, mi.boot_loader_name, 6), "kvmux",
			   6));
	check_mmap(c, &mi);
	/* Before the DTB: the initrd alone; after: fuzz_boot.h looks. */
	FUZZ_CHECK(mi.mods_count >= (c->e.initrd_size ? 1U : 0U));
}

static const struct boot_target multiboot = {
	.kind = IMAGE_MULTIBOOT,
	.expect = expect,
	.check_kernel = check_kernel,
	.check_info = check_info,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_boot(data, size, &multiboot);
}
