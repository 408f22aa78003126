/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * multiboot_entry.S - the multiboot (version 1) entry of the runtime.
 *
 * A multiboot loader enters like a PVH one (32-bit flat protected mode,
 * paging off, EBX = the boot information) except that EAX holds its magic
 * 0x2BADB002.  So rt_mb_start keeps EAX and goes on through rt_pvh_start,
 * on to long mode; rt_start() tells the two apart by rt_mb_magic.
 *
 * Every kernel carries this entry; only images linked with mb/header.S
 * (build/<name>.mb.elf, build/<name>.mb.bin) have a multiboot header that
 * makes a loader use it.
 */
	.text
	.code32
	.globl rt_mb_start
rt_mb_start:
	mov	%eax, rt_mb_magic	/* .data: loaded, not cleared */
	jmp	rt_pvh_start

	.data
	.balign 4
	.globl rt_mb_magic
rt_mb_magic:
	.long	0
