/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * setup16.S - the real-mode setup area of the runtime's bzImage: a boot
 * protocol 2.15 header and a 16-bit setup entry for loaders that start a
 * bzImage the classic way (kvmtool, a BIOS boot loader), in real mode at
 * setup + 0x200 with CS:IP = seg+0x20:0 (or seg:0x200) and DS = ES = SS =
 * seg, the segment the setup area was loaded at.  (kvmux and other 64-bit
 * loaders never run it: they enter rt_linux64_start directly.)
 *
 * It does the real-mode setup's job the shortest way: the memory map from
 * the BIOS (INT 15h, AX=E820h) into the zero page, then 32-bit flat
 * protected mode and a jump to hdr.code32_start with ESI = the zero page,
 * which is the Linux 32-bit boot protocol (rt_pvh_start tells it from PVH
 * by EBX = 0).  Under PVM all of it runs in KVM's instruction emulator, so
 * it has no loop but the one over the map's entries.
 *
 * The zero page is the loaded setup area itself, as a boot loader leaves
 * it: the loader filled in the header (command line, initrd, setup_data),
 * and every other field is 0 from this file.  So nothing but the header may
 * live in its first 4 KiB (the E820 table alone runs from 0x2d0 to 0xcd0):
 * the code starts at RT_SETUP_CODE, reached by a second jump.  It uses the
 * real-mode kernel area the protocol reserves, seg:0 to seg:0x8000, only:
 * this file, and its stack below seg:0x8000.
 *
 * tools/mkbzimage fills in setup_sects, syssize and init_size and checks
 * that code32_start is where the kernel ELF loads.  Linked at 0 (see the
 * Makefile), so every symbol is an offset from seg:0.
 */
#include "bootparam.h"
#include "x86.h"

#define LOAD_ADDR 0x100000 /* code32_start: rt_pvh_start (rt/link.ld) */
#define RT_SETUP_CODE 0x1000 /* after the zero page */
#define SETUP_STACK_TOP 0x8000
#define E820_SMAP 0x534d4150 /* "SMAP" */
#define BOOT_CS 0x10 /* the 32-bit protocol's __BOOT_CS and __BOOT_DS */
#define BOOT_DS 0x18

	.code16
	.text
	/* The boot sector: zero but for the header's first fields. */
	.org	HDR_SETUP_SECTS
	.byte	0			/* setup_sects: mkbzimage */
	.org	HDR_SYSSIZE
	.long	0			/* syssize: mkbzimage */
	.org	HDR_BOOT_FLAG
	.word	HDR_BOOT_FLAG_MAGIC
	.org	HDR_JUMP
	.byte	0xeb, HDR_END - (HDR_JUMP + 2)	/* jmp short to HDR_END */
	.org	HDR_HEADER
	.long	HDR_MAGIC
	.org	HDR_VERSION
	.word	0x020f
	.org	HDR_KERNEL_VERSION
	.word	kernel_version - 0x200
	.org	HDR_LOADFLAGS
	.byte	BZ_LOADED_HIGH
	.org	HDR_CODE32_START
	.long	LOAD_ADDR
	.org	HDR_INITRD_ADDR_MAX
	/* Our page tables map 0-4 GiB and RAM ends at 3 GiB below 4 GiB. */
	.long	0xbfffffff
	.org	HDR_KERNEL_ALIGNMENT
	.long	LOAD_ADDR
	.org	HDR_RELOCATABLE
	.byte	0
	.org	HDR_XLOADFLAGS
	.word	BZ_XLF_KERNEL_64	/* kvmux uses the 64-bit entry */
	.org	HDR_CMDLINE_SIZE
	/* The runtime reads the command line up to its NUL, whatever length. */
	.long	0xffff
	.org	HDR_PREF_ADDRESS
	.quad	LOAD_ADDR
	.org	HDR_INIT_SIZE
	.long	0			/* init_size: mkbzimage */

	.org	HDR_END
	jmp	setup_main		/* near: past the rest of the zero page */

	.org	RT_SETUP_CODE
setup_main:
	cli
	cld
	mov	%ds, %ax		/* the protocol's DS: the zero page */
	mov	%ax, %es		/* INT 15h E820 writes to ES:DI */
	mov	%ax, %ss
	mov	$SETUP_STACK_TOP, %sp

	/* The memory map, one INT 15h E820 call per entry. */
	xor	%ebx, %ebx		/* continuation: 0 = first entry */
	xor	%bp, %bp		/* entries stored */
	mov	$BP_E820_TABLE, %di
1:	mov	$0xe820, %eax
	mov	$E820_SMAP, %edx
	mov	$BP_E820_ENTRY_SIZE, %ecx
	int	$0x15
	jc	2f			/* no (more) map from this BIOS */
	cmp	$E820_SMAP, %eax
	jne	2f
	mov	8(%di), %eax		/* an empty entry (qboot ends with one) */
	or	12(%di), %eax		/* is overwritten by the next */
	jz	3f
	inc	%bp
	add	$BP_E820_ENTRY_SIZE, %di
3:	test	%ebx, %ebx		/* 0: that was the last entry */
	jz	2f
	cmp	$BP_E820_MAX, %bp
	jb	1b
2:	mov	%bp, %ax
	mov	%al, BP_E820_ENTRIES

	/* Linear addresses need DS's base: patch them in before the switch. */
	xor	%esi, %esi
	mov	%ds, %si
	shl	$4, %esi		/* the zero page, for the kernel */
	mov	%esi, %eax
	add	$gdt, %eax
	mov	%eax, gdt_desc + 2
	mov	%esi, %eax
	add	$protected32, %eax
	mov	%eax, protected32_ptr
	lgdtl	gdt_desc
	mov	%cr0, %eax
	or	$CR0_PE, %eax
	mov	%eax, %cr0
	ljmpl	*protected32_ptr	/* DS still has its real-mode base */

	.code32
protected32:
	mov	$BOOT_DS, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	%eax, %fs
	mov	%eax, %gs
	/* The 32-bit protocol: ESI = boot_params; EBX, EBP, EDI zero. */
	xor	%ebx, %ebx
	xor	%ebp, %ebp
	xor	%edi, %edi
	jmp	*HDR_CODE32_START(%esi)

	.balign	8
gdt:	/* The 32-bit boot protocol's selectors, flat 4 GiB. */
	.quad	0
	.quad	0
	.quad	0x00cf9b000000ffff	/* BOOT_CS: 32-bit code */
	.quad	0x00cf93000000ffff	/* BOOT_DS: data */
gdt_end:
gdt_desc:
	.word	gdt_end - gdt - 1
	.long	0			/* linear base: set above */
protected32_ptr:
	.long	0			/* linear address: set above */
	.word	BOOT_CS

kernel_version:
	.asciz	"kvmux guest-firmware"

	.balign	512, 0			/* whole sectors */
