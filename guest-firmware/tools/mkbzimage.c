// SPDX-License-Identifier: GPL-2.0-only
/*
 * mkbzimage.c - host tool: turn a test kernel's ELF into a Linux bzImage.
 *
 *   mkbzimage KERNEL.elf OUT.bzImage
 *
 * The ELF's PT_LOAD segments (which must start at 1 MiB) are flattened into
 * the protected-mode kernel; in front of it goes a one-sector setup area
 * holding a boot protocol 2.15 header whose sizes (setup_sects, syssize,
 * init_size) come from the ELF.  The real-mode setup code is a stub that
 * halts: kvmux (like any 64-bit boot loader) never runs it.  The kernel is
 * not compressed; the 64-bit entry is at load address + 0x200 (link.ld
 * checks that).
 */
#include <asm/bootparam.h>
#include <elf.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../rt/bootparam.h"

#define LOAD_ADDR 0x100000
#define SECTOR 512
#define STUB_OFF 0x280 /* real-mode stub, after the header */
#define VERSION_OFF 0x290 /* kernel_version string */

/* The guest reads the zero page by offset: check them against the host. */
#define CHECK(field, off) \
	_Static_assert(offsetof(struct boot_params, field) == (off), #field)
CHECK(acpi_rsdp_addr, BP_ACPI_RSDP_ADDR);
CHECK(ext_ramdisk_image, BP_EXT_RAMDISK_IMAGE);
CHECK(ext_ramdisk_size, BP_EXT_RAMDISK_SIZE);
CHECK(ext_cmd_line_ptr, BP_EXT_CMD_LINE_PTR);
CHECK(e820_entries, BP_E820_ENTRIES);
CHECK(hdr, BP_HDR);
CHECK(e820_table, BP_E820_TABLE);
CHECK(hdr.setup_sects, HDR_SETUP_SECTS);
CHECK(hdr.syssize, HDR_SYSSIZE);
CHECK(hdr.boot_flag, HDR_BOOT_FLAG);
CHECK(hdr.jump, HDR_JUMP);
CHECK(hdr.header, HDR_HEADER);
CHECK(hdr.version, HDR_VERSION);
CHECK(hdr.kernel_version, HDR_KERNEL_VERSION);
CHECK(hdr.loadflags, HDR_LOADFLAGS);
CHECK(hdr.code32_start, HDR_CODE32_START);
CHECK(hdr.ramdisk_image, HDR_RAMDISK_IMAGE);
CHECK(hdr.ramdisk_size, HDR_RAMDISK_SIZE);
CHECK(hdr.cmd_line_ptr, HDR_CMD_LINE_PTR);
CHECK(hdr.initrd_addr_max, HDR_INITRD_ADDR_MAX);
CHECK(hdr.kernel_alignment, HDR_KERNEL_ALIGNMENT);
CHECK(hdr.relocatable_kernel, HDR_RELOCATABLE);
CHECK(hdr.xloadflags, HDR_XLOADFLAGS);
CHECK(hdr.cmdline_size, HDR_CMDLINE_SIZE);
CHECK(hdr.pref_address, HDR_PREF_ADDRESS);
CHECK(hdr.init_size, HDR_INIT_SIZE);
_Static_assert(BP_HDR + sizeof(struct setup_header) == HDR_END, "hdr size");
_Static_assert(sizeof(struct boot_e820_entry) == BP_E820_ENTRY_SIZE, "e820");

static const char *prog = "mkbzimage";

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(1);
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET))
		die("cannot read %s", path);
	buf = malloc(n ? n : 1);
	if (!buf || fread(buf, 1, n, f) != (size_t)n)
		die("cannot read %s", path);
	fclose(f);
	*len = n;
	return buf;
}

static void put16(uint8_t *p, unsigned int off, uint16_t v)
{
	memcpy(p + off, &v, 2); /* x86 host: little endian already */
}

static void put32(uint8_t *p, unsigned int off, uint32_t v)
{
	memcpy(p + off, &v, 4);
}

static void put64(uint8_t *p, unsigned int off, uint64_t v)
{
	memcpy(p + off, &v, 8);
}

int main(int argc, char **argv)
{
	static const char version[] = "kvmux guest-firmware";
	uint64_t lo = UINT64_MAX, file_end = 0, mem_end = 0, init_size;
	uint8_t setup[2 * SECTOR] = { 0 };
	const Elf64_Phdr *ph;
	const Elf64_Ehdr *eh;
	size_t len, kernel_len, i;
	uint8_t *elf, *kernel;
	FILE *out;

	if (argc != 3) {
		fprintf(stderr, "usage: %s KERNEL.elf OUT.bzImage\n", prog);
		return 2;
	}
	elf = read_file(argv[1], &len);
	eh = (const Elf64_Ehdr *)elf;
	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_machine != EM_X86_64 ||
	    eh->e_phentsize != sizeof(*ph) ||
	    eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(*ph) > len)
		die("%s: not an x86-64 ELF64 executable", argv[1]);

	ph = (const Elf64_Phdr *)(elf + eh->e_phoff);
	for (i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD || !ph[i].p_memsz)
			continue;
		if (ph[i].p_offset + ph[i].p_filesz > len)
			die("%s: segment beyond end of file", argv[1]);
		if (ph[i].p_paddr < lo)
			lo = ph[i].p_paddr;
		if (ph[i].p_paddr + ph[i].p_filesz > file_end)
			file_end = ph[i].p_paddr + ph[i].p_filesz;
		if (ph[i].p_paddr + ph[i].p_memsz > mem_end)
			mem_end = ph[i].p_paddr + ph[i].p_memsz;
	}
	if (lo != LOAD_ADDR)
		die("%s: first PT_LOAD must be at physical 1 MiB", argv[1]);

	/* Flatten; padded to 16 bytes since syssize counts paragraphs. */
	kernel_len = (file_end - lo + 15) & ~15ULL;
	kernel = calloc(1, kernel_len);
	if (!kernel)
		die("%s", strerror(errno));
	for (i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_filesz)
			memcpy(kernel + (ph[i].p_paddr - lo),
			       elf + ph[i].p_offset, ph[i].p_filesz);
	/* Memory the kernel needs from its load address: image, .bss, stack. */
	init_size = (mem_end - lo + 4095) & ~4095ULL;

	/* Boot sector and setup stub: cli; hlt; jmp back to the hlt. */
	memcpy(setup, "\xfa\xf4\xeb\xfd", 4);
	memcpy(setup + STUB_OFF, "\xfa\xf4\xeb\xfd", 4);
	memcpy(setup + VERSION_OFF, version, sizeof(version));

	setup[HDR_SETUP_SECTS] = sizeof(setup) / SECTOR - 1;
	put32(setup, HDR_SYSSIZE, kernel_len / 16);
	put16(setup, HDR_BOOT_FLAG, HDR_BOOT_FLAG_MAGIC);
	/* jmp short from 0x202 (the end of the jump) to the stub */
	setup[HDR_JUMP] = 0xeb;
	setup[HDR_JUMP + 1] = STUB_OFF - (HDR_JUMP + 2);
	put32(setup, HDR_HEADER, HDR_MAGIC);
	put16(setup, HDR_VERSION, 0x020f);
	put16(setup, HDR_KERNEL_VERSION, VERSION_OFF - 0x200);
	setup[HDR_LOADFLAGS] = BZ_LOADED_HIGH;
	put32(setup, HDR_CODE32_START, LOAD_ADDR);
	/* Our page tables map 0-4 GiB and RAM ends at 3 GiB below 4 GiB. */
	put32(setup, HDR_INITRD_ADDR_MAX, 0xbfffffff);
	put32(setup, HDR_KERNEL_ALIGNMENT, LOAD_ADDR);
	setup[HDR_RELOCATABLE] = 0;
	put16(setup, HDR_XLOADFLAGS, BZ_XLF_KERNEL_64);
	/* The runtime reads the command line up to its NUL, whatever length. */
	put32(setup, HDR_CMDLINE_SIZE, 0xffff);
	put64(setup, HDR_PREF_ADDRESS, LOAD_ADDR);
	put32(setup, HDR_INIT_SIZE, init_size);

	out = fopen(argv[2], "wb");
	if (!out || fwrite(setup, 1, sizeof(setup), out) != sizeof(setup) ||
	    fwrite(kernel, 1, kernel_len, out) != kernel_len || fclose(out)) {
		remove(argv[2]);
		die("cannot write %s", argv[2]);
	}
	free(kernel);
	free(elf);
	return 0;
}
