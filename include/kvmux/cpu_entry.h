/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cpu_entry.h - the state the boot vCPU starts in: what a boot protocol
 * (PVH, the Linux 64-bit boot protocol, multiboot) promises the kernel
 * and a loader describes, and what the vCPU code turns into registers.
 */
#ifndef KVMUX_CPU_ENTRY_H
#define KVMUX_CPU_ENTRY_H

#include <stdint.h>

enum boot_cpu_mode {
	BOOT_PROTECTED32, /* flat 32-bit, paging off (PVH, multiboot) */
	BOOT_LONG64, /* 64-bit, paging on with cr3 (Linux 64-bit boot) */
};

struct cpu_entry {
	enum boot_cpu_mode mode;
	uint64_t rip;
	uint64_t rax; /* multiboot: the boot loader magic */
	uint64_t rbx; /* PVH: GPA of hvm_start_info; multiboot: of the info */
	uint64_t rsi; /* 64-bit boot protocol: GPA of boot_params */
	uint64_t cr3; /* BOOT_LONG64 only */
	uint64_t gdt_base; /* a flat GDT with the BOOT_SEL_* selectors */
	uint16_t gdt_limit;
};

#endif
