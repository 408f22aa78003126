/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86.h - constants shared by entry.S and the C runtime, and thin inline
 * wrappers for the privileged instructions the runtime uses.
 *
 * Under PVM every one of these wrappers (except rdtsc) traps to the host and
 * is emulated, so callers keep them off hot paths.
 */
#ifndef RT_X86_H
#define RT_X86_H

/* Our GDT: the same selector numbers kvmux's boot GDT uses. */
#define SEL_CODE32 0x08
#define SEL_CODE64 0x10
#define SEL_DATA 0x18

#define CR0_PE (1 << 0)
#define CR0_MP (1 << 1)
#define CR0_ET (1 << 4)
#define CR0_NE (1 << 5)
#define CR0_WP (1 << 16)
#define CR0_PG 0x80000000
#define CR4_PAE (1 << 5)
#define CR4_SMEP (1 << 20)
#define CR4_SMAP (1 << 21)
#define CR4_PKE (1 << 22)
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)

/* PVM: vIF page registration and host signature. */
#define MSR_PVM_VIF 0x4b564d10
#define MSR_PVM_SIG 0x4b564d11
#define PVM_SIGNATURE 0x4d5650 /* "PVM" */

/* Page-table entry bits. */
#define PTE_P (1 << 0)
#define PTE_RW (1 << 1)
#define PTE_US (1 << 2)
#define PTE_PWT (1 << 3)
#define PTE_PCD (1 << 4)
#define PTE_PS (1 << 7)

/* Boot protocol that entered the kernel; passed from entry.S to rt_start. */
#define RT_BOOT_PVH 1
#define RT_BOOT_LINUX64 2
#define RT_BOOT_MULTIBOOT 3 /* entered at rt_mb_start (multiboot_entry.S) */
#define RT_BOOT_LINUX32 4 /* code32_start, e.g. after our real-mode setup */

/* Port I/O that kvmux gives a meaning to. */
#define PORT_COM1 0x3f8
#define PORT_COM1_IIR_FCR 0x3fa /* read: IIR; write: FCR */
#define PORT_COM1_LSR 0x3fd
#define FCR_FIFO_ENABLE 0x01
#define IIR_FIFOS_ON 0xc0 /* both bits: a 16550A with working FIFOs */
#define LSR_THRE 0x20 /* THR, or the transmit FIFO, is empty */
#define PORT_DEBUG_EXIT 0x501
#define PORT_I8042_CMD 0x64
#define I8042_CMD_RESET 0xfe

#ifndef __ASSEMBLER__
#include <stdint.h>

static inline void outb(uint8_t val, uint16_t port)
{
	asm volatile("outb %0, %1" : : "a"(val), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t val;

	asm volatile("inb %1, %0" : "=a"(val) : "Nd"(port));
	return val;
}

static inline void wrmsr(uint32_t msr, uint64_t val)
{
	asm volatile("wrmsr"
		     :
		     : "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32))
		     : "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t read_cr2(void)
{
	uint64_t val;

	asm volatile("mov %%cr2, %0" : "=r"(val));
	return val;
}

/* Operand of lidt/lgdt in 64-bit mode. */
struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static inline void lidt(const struct desc_ptr *dp)
{
	asm volatile("lidt %0" : : "m"(*dp) : "memory");
}

#endif /* __ASSEMBLER__ */
#endif
