/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * trampoline.S - how an application processor gets from the SIPI to C.
 *
 * rt_trampoline..rt_trampoline_end is copied by rt/smp.c to
 * RT_TRAMPOLINE_ADDR (0x8000, SIPI vector 0x08), with the GDT pseudo-
 * descriptor patched in.  The AP starts there in real mode, CS = 0x0800,
 * and goes straight to long mode: CR4.PAE, CR3 = the BSP's page tables
 * (rt_pml4, every entry U/S=1), EFER.LME, then CR0.PG|PE together and a far
 * jump to a 64-bit code segment.  PVM supports neither 32-bit paging nor PAE
 * without long mode, so there is no 32-bit paged step.  All of this runs in
 * KVM's instruction emulator (~5 M instructions/s), hence no loops.
 *
 * rt_ap_start64 then finds its stack by its APIC ID (CPUID leaf 1, KVM's
 * value since we are still emulated) in rt_ap_stack_by_apic[], filled by
 * the BSP, and calls rt_ap_main().  Stacks are per APIC ID, so an AP
 * that checks in late can never share a stack with another.
 */
#include "smp.h"
#include "x86.h"

#define CR0_AP (CR0_PG | CR0_WP | CR0_NE | CR0_ET | CR0_MP | CR0_PE)

	/* Only ever executed from its copy below 1 MiB: data here. */
	.section .rodata, "a"
	.balign 16
	.globl rt_trampoline, rt_trampoline_end, rt_trampoline_gdt
	.code16
rt_trampoline:
	cli
	cld
	/* CS base is 0x8000, DS is whatever INIT left: address via CS. */
	lgdtl	%cs:(rt_trampoline_gdt - rt_trampoline)
	mov	$CR4_PAE, %eax
	mov	%eax, %cr4
	mov	$rt_pml4, %eax
	mov	%eax, %cr3
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$EFER_LME, %eax
	wrmsr
	mov	$CR0_AP, %eax
	mov	%eax, %cr0
	/* Long mode is active; CS is still the 16-bit one until this jump. */
	ljmpl	$SEL_CODE64, $rt_ap_start64

	.balign 8
rt_trampoline_gdt:			/* limit, 32-bit base: set by smp.c */
	.word	0
	.long	0
rt_trampoline_end:
	.code64

	.text
rt_ap_start64:
	mov	$SEL_DATA, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	%eax, %fs
	mov	%eax, %gs
	mov	$1, %eax
	cpuid
	shr	$24, %ebx
	mov	rt_ap_stack_by_apic(, %rbx, 8), %rsp
	test	%rsp, %rsp
	jz	1f			/* not an AP we started: stay parked */
	call	rt_ap_main		/* never returns */
1:	hlt
	jmp	1b

	/*
	 * Per-AP stacks and vIF pages (AP n uses slot n - 1).  In .stack, which
	 * is NOBITS and never cleared (link.ld puts it in .noinit), so that
	 * they cost every kernel nothing at start-up; each AP clears its own
	 * vIF page.
	 */
	.section .stack, "aw", @nobits
	.balign 4096
	.globl rt_ap_vif_pages, rt_ap_stacks
rt_ap_vif_pages:
	.space	(RT_MAX_CPUS - 1) * 4096
rt_ap_stacks:
	.space	(RT_MAX_CPUS - 1) * RT_AP_STACK_SIZE
