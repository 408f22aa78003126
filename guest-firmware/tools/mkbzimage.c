// SPDX-License-Identifier: GPL-2.0-only
/*
 * mkbzimage.c - host tool: turn a test kernel's ELF into a Linux bzImage.
 *
 *   mkbzimage SETUP.bin KERNEL.elf OUT.bzImage
 *
 * SETUP.bin is the real-mode setup area (tools/setup16.S: a boot protocol
 * 2.15 header and a 16-bit entry), whole sectors.  The ELF's PT_LOAD
 * segments (which must start at 1 MiB, hdr.code32_start) are flattened into
 * the protected-mode kernel behind it.  This tool fills in the header
 * fields that depend on the two: setup_sects, syssize and init_size.  The
 * kernel is not compressed; the 64-bit entry is at load address + 0x200
 * (link.ld checks that), the 32-bit one at the load address.
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
#define MAX_SETUP_SECTS 64 /* the most a 2.15 loader need accept */

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

static uint32_t get32(const uint8_t *p, unsigned int off)
{
	uint32_t v;

	memcpy(&v, p + off, 4); /* x86 host: little endian already */
	return v;
}

static void put32(uint8_t *p, unsigned int off, uint32_t v)
{
	memcpy(p + off, &v, 4);
}

/* The setup area must be whole sectors holding our header, its blanks 0. */
static void check_setup(const char *path, const uint8_t *setup, size_t len)
{
	if (len % SECTOR || len < 2 * SECTOR || len > MAX_SETUP_SECTS * SECTOR)
		die("%s: not 2 to 64 whole sectors", path);
	if (get32(setup, HDR_HEADER) != HDR_MAGIC ||
	    setup[HDR_BOOT_FLAG] != (HDR_BOOT_FLAG_MAGIC & 0xff) ||
	    setup[HDR_BOOT_FLAG + 1] != HDR_BOOT_FLAG_MAGIC >> 8)
		die("%s: no boot protocol header", path);
	if (setup[HDR_SETUP_SECTS] || get32(setup, HDR_SYSSIZE) ||
	    get32(setup, HDR_INIT_SIZE))
		die("%s: header fields mkbzimage sets are not 0", path);
	if (get32(setup, HDR_CODE32_START) != LOAD_ADDR)
		die("%s: code32_start is not 1 MiB", path);
}

/* The kernel: PT_LOAD segments flattened from 1 MiB; init_size set. */
static uint8_t *flatten(const char *path, size_t *kernel_len,
			uint64_t *init_size)
{
	uint64_t lo = UINT64_MAX, file_end = 0, mem_end = 0;
	const Elf64_Phdr *ph;
	const Elf64_Ehdr *eh;
	uint8_t *elf, *kernel;
	size_t len, i;

	elf = read_file(path, &len);
	eh = (const Elf64_Ehdr *)elf;
	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_machine != EM_X86_64 ||
	    eh->e_phentsize != sizeof(*ph) ||
	    eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(*ph) > len)
		die("%s: not an x86-64 ELF64 executable", path);

	ph = (const Elf64_Phdr *)(elf + eh->e_phoff);
	for (i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD || !ph[i].p_memsz)
			continue;
		if (ph[i].p_offset + ph[i].p_filesz > len)
			die("%s: segment beyond end of file", path);
		if (ph[i].p_paddr < lo)
			lo = ph[i].p_paddr;
		if (ph[i].p_paddr + ph[i].p_filesz > file_end)
			file_end = ph[i].p_paddr + ph[i].p_filesz;
		if (ph[i].p_paddr + ph[i].p_memsz > mem_end)
			mem_end = ph[i].p_paddr + ph[i].p_memsz;
	}
	if (lo != LOAD_ADDR)
		die("%s: first PT_LOAD must be at physical 1 MiB", path);

	/* Padded to 16 bytes since syssize counts paragraphs. */
	*kernel_len = (file_end - lo + 15) & ~15ULL;
	kernel = calloc(1, *kernel_len);
	if (!kernel)
		die("%s", strerror(errno));
	for (i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_filesz)
			memcpy(kernel + (ph[i].p_paddr - lo),
			       elf + ph[i].p_offset, ph[i].p_filesz);
	/* Memory the kernel needs from its load address: image, .bss, stack. */
	*init_size = (mem_end - lo + 4095) & ~4095ULL;
	free(elf);
	return kernel;
}

int main(int argc, char **argv)
{
	size_t setup_len, kernel_len;
	uint8_t *setup, *kernel;
	uint64_t init_size;
	FILE *out;

	if (argc != 4) {
		fprintf(stderr, "usage: %s SETUP.bin KERNEL.elf OUT.bzImage\n",
			prog);
		return 2;
	}
	setup = read_file(argv[1], &setup_len);
	check_setup(argv[1], setup, setup_len);
	kernel = flatten(argv[2], &kernel_len, &init_size);
	if (init_size > UINT32_MAX)
		die("%s: too large for init_size", argv[2]);

	setup[HDR_SETUP_SECTS] = setup_len / SECTOR - 1;
	put32(setup, HDR_SYSSIZE, kernel_len / 16);
	put32(setup, HDR_INIT_SIZE, init_size);

	out = fopen(argv[3], "wb");
	if (!out || fwrite(setup, 1, setup_len, out) != setup_len ||
	    fwrite(kernel, 1, kernel_len, out) != kernel_len || fclose(out)) {
		remove(argv[3]);
		die("cannot write %s", argv[3]);
	}
	free(kernel);
	free(setup);
	return 0;
}
