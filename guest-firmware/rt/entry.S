/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * entry.S - how a test kernel is entered, up to the first line of C.
 *
 * Three entry points share one image loaded at 1 MiB:
 *   rt_pvh_start    (image + 0x000) 32-bit flat protected mode, paging off.
 *                   PVH (named by the ELF note): EBX = struct
 *                   hvm_start_info.  The Linux 32-bit boot protocol
 *                   (code32_start, reached from our own real-mode setup in
 *                   tools/setup16.S or from a 32-bit loader): ESI = struct
 *                   boot_params and EBX = 0, which PVH never passes.
 *   rt_linux64_start (image + 0x200) 64-bit long mode on the VMM's page
 *                   tables, RSI = struct boot_params (Linux 64-bit boot).
 * All switch to the page tables below, then run rt_start() in C.
 *
 * On a PVM host everything up to the vIF registration in rt_start() runs in
 * KVM's instruction emulator (~5 M instructions/s), so this code is kept
 * short and loop-free; the page tables are therefore built at assembly time
 * instead of by a loop, and .bss is cleared (where a loader may not have
 * done it) by rt_start() only once it runs natively.  Nothing here writes
 * below 1 MiB, where the VMM's boot structures live.
 */
#include "x86.h"

#define CR0_BOOT (CR0_PG | CR0_WP | CR0_NE | CR0_ET | CR0_MP | CR0_PE)
/*
 * U/S=1 at every level: PVM runs the guest kernel at hardware CPL3 and will
 * not run it natively on supervisor-only mappings.  On VMX/SVM hosts this is
 * harmless because we clear SMEP/SMAP.
 */
#define PT_TABLE (PTE_P | PTE_RW | PTE_US)
#define PT_LARGE (PTE_P | PTE_RW | PTE_US | PTE_PS)
#define PT_LARGE_MMIO (PT_LARGE | PTE_PCD | PTE_PWT)
#define MMIO_START 0xc0000000

	.section .head.text, "ax"
	.code32
	.globl rt_pvh_start
rt_pvh_start:
	cli
	cld
	/* EDI and ESI carry the protocol and its structure to rt_common64. */
	mov	$RT_BOOT_LINUX32, %edi	/* ESI is boot_params already */
	test	%ebx, %ebx
	jz	1f
	mov	$RT_BOOT_PVH, %edi
	mov	%ebx, %esi		/* hvm_start_info */
1:
	lgdt	rt_gdt_desc		/* 32-bit lgdt reads the low base half */
	mov	$rt_pml4, %eax
	mov	%eax, %cr3
	/* PAE paging without long mode is unsupported by PVM: go straight on */
	mov	$CR4_PAE, %eax
	mov	%eax, %cr4
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$EFER_LME, %eax
	wrmsr
	mov	$CR0_BOOT, %eax
	mov	%eax, %cr0
	ljmp	$SEL_CODE64, $rt_start64_from32

	/* The Linux 64-bit boot protocol enters at load address + 0x200. */
	.org	0x200
	.code64
	.globl rt_linux64_start
rt_linux64_start:
	cli
	cld
	lea	rt_stack_top(%rip), %rsp	/* the protocol gives us no stack */
	lgdt	rt_gdt_desc(%rip)
	lea	rt_pml4(%rip), %rax
	mov	%rax, %cr3
	/* Our pages are all "user": supervisor access must not fault on them. */
	mov	%cr4, %rax
	and	$~(CR4_SMEP | CR4_SMAP | CR4_PKE), %rax
	or	$CR4_PAE, %rax
	mov	%rax, %cr4
	pushq	$SEL_CODE64		/* reload CS from our own GDT */
	lea	1f(%rip), %rax
	push	%rax
	lretq
1:	mov	$RT_BOOT_LINUX64, %edi	/* RSI is boot_params already */
	jmp	rt_common64

	.text
rt_start64_from32:
	/* Upper register halves are undefined after leaving 32-bit mode. */
	mov	%esi, %esi
	mov	%edi, %edi
	jmp	rt_common64

/* RDI = RT_BOOT_*, RSI = physical address of the protocol's boot structure */
rt_common64:
	mov	$SEL_DATA, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	%eax, %fs
	mov	%eax, %gs
	lea	rt_stack_top(%rip), %rsp
	call	rt_start
2:	hlt
	jmp	2b

/*
 * u64 rt_pvm_probe(void): MSR 0x4b564d11, or 0 when reading it raised #GP
 * (any non-PVM host).  rt_exception() recognises the fault at
 * rt_pvm_probe_insn and resumes at rt_pvm_probe_done with EDX:EAX still 0.
 */
	.globl rt_pvm_probe, rt_pvm_probe_insn, rt_pvm_probe_done
rt_pvm_probe:
	mov	$MSR_PVM_SIG, %ecx
	xor	%eax, %eax
	xor	%edx, %edx
rt_pvm_probe_insn:
	rdmsr
rt_pvm_probe_done:
	shl	$32, %rdx
	or	%rdx, %rax
	ret

/*
 * One 16-byte stub per vector, so the IDT can be filled by arithmetic.  Each
 * pushes a dummy error code when the CPU does not push one, then the vector,
 * giving rt_exc_common a uniform frame.
 */
	.balign 16
	.globl rt_vectors
rt_vectors:
	.set	vec, 0
	.rept	256
	.balign 16
	.if !(vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || \
	      vec == 21 || vec == 29 || vec == 30)
	pushq	$0
	.endif
	pushq	$vec
	jmp	rt_exc_common
	.set	vec, vec + 1
	.endr

/* Build a struct rt_frame on the stack and hand it to rt_exception(). */
rt_exc_common:
	push	%rax
	push	%rbx
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%rbp
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rsp, %rdi
	cld
	call	rt_exception
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rbp
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rbx
	pop	%rax
	add	$16, %rsp		/* vector and error code */
	iretq

	.section .note.Xen, "a"
	.balign 4
	/* XEN_ELFNOTE_PHYS32_ENTRY: where a PVH loader starts us. */
	.long	4			/* name size, "Xen\0" */
	.long	4			/* descriptor size */
	.long	18			/* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz	"Xen"
	.balign 4
	.long	rt_pvh_start
	.balign 4

	.data
	/*
	 * Accessed bits preset, so loading a selector never has to write the
	 * GDT.  Same selectors as kvmux's boot GDT.
	 */
	.balign 16
rt_gdt:
	.quad	0
	.quad	0x00cf9b000000ffff	/* SEL_CODE32: base 0, 4 GiB, D=1 */
	.quad	0x00af9b000000ffff	/* SEL_CODE64: L=1 */
	.quad	0x00cf93000000ffff	/* SEL_DATA: base 0, 4 GiB, writable */
rt_gdt_end:
	.balign 8
	.globl rt_gdt_desc
rt_gdt_desc:
	.word	rt_gdt_end - rt_gdt - 1
	.quad	rt_gdt

	/* Identity map of 0-4 GiB with 2 MiB pages; 3-4 GiB is MMIO: uncached. */
	.balign 4096
	.globl rt_pml4
rt_pml4:
	.quad	rt_pdpt + PT_TABLE
	.fill	511, 8, 0
rt_pdpt:
	.quad	rt_pd + PT_TABLE
	.quad	rt_pd + 0x1000 + PT_TABLE
	.quad	rt_pd + 0x2000 + PT_TABLE
	.quad	rt_pd + 0x3000 + PT_TABLE
	.fill	508, 8, 0
rt_pd:
	.set	addr, 0
	.rept	2048
	.if addr < MMIO_START
	.quad	addr + PT_LARGE
	.else
	.quad	addr + PT_LARGE_MMIO
	.endif
	.set	addr, addr + 0x200000
	.endr

	/* Not in .bss: rt_start() may clear .bss while already on this stack. */
	.section .stack, "aw", @nobits
	.balign 16
	.space	16384
	.globl rt_stack_top
rt_stack_top:
