/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * header.S - the multiboot (version 1) header of build/<name>.mb.elf and
 * build/<name>.mb.bin (the Multiboot Specification 0.6.96, section 3.1).
 *
 * Linked after rt/entry.S, so it lands in .head.text right after the two
 * entry points (0x100240), well inside the first 8 KiB of either file.
 * Flags: modules page-aligned (bit 0) and memory information (bit 1); the
 * flat image (MB_FLAT) also has the address fields (bit 16), since a raw
 * binary has no ELF headers to load it by:
 *   header_addr    this header
 *   load_addr      the image's start, 1 MiB (the binary's first byte)
 *   load_end_addr  0: the whole file
 *   bss_end_addr   _end: .bss and the stacks
 *   entry_addr     rt_mb_start (rt/multiboot_entry.S)
 * The ELF kernel is entered at its e_entry, which the Makefile sets to
 * rt_mb_start.
 */
#define MB_MAGIC 0x1BADB002
#ifdef MB_FLAT
#define MB_FLAGS 0x00010003
#else
#define MB_FLAGS 0x00000003
#endif

	.section .head.text, "ax"
	.balign 4
mb_header:
	.long	MB_MAGIC
	.long	MB_FLAGS
	.long	-(MB_MAGIC + MB_FLAGS)
#ifdef MB_FLAT
	.long	mb_header
	.long	_image_start
	.long	0
	.long	_end
	.long	rt_mb_start
#endif
