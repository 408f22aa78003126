/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lapic.h - the local APIC's xAPIC registers (MMIO at RT_LAPIC_ADDR,
 * mapped uncached by the runtime's page tables), for rt/smp.c and
 * rt/irq.c.  Under PVM every access traps and is emulated.
 */
#ifndef RT_LAPIC_H
#define RT_LAPIC_H

#include <stdint.h>

#include "smp.h"

#define LAPIC_ID 0x020
#define LAPIC_EOI 0x0b0
#define LAPIC_SVR 0x0f0
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT0 0x350
#define LAPIC_TIMER_INITIAL 0x380
#define LAPIC_TIMER_DIVIDE 0x3e0
#define SVR_ENABLE 0x100
#define LVT_MASKED 0x10000
#define LVT_TIMER_PERIODIC 0x20000
#define LVT_TIMER_TSC_DEADLINE 0x40000
#define MSR_TSC_DEADLINE 0x6e0 /* IA32_TSC_DEADLINE */
#define TIMER_DIVIDE_BY_1 0xb

static inline uint32_t lapic_read(unsigned int reg)
{
	return *(volatile uint32_t *)(uintptr_t)(RT_LAPIC_ADDR + reg);
}

static inline void lapic_write(unsigned int reg, uint32_t val)
{
	*(volatile uint32_t *)(uintptr_t)(RT_LAPIC_ADDR + reg) = val;
}

/* Software-enable the LAPIC; mask LVT0, which KVM leaves in ExtINT mode. */
static inline void lapic_enable(void)
{
	lapic_write(LAPIC_SVR, SVR_ENABLE | RT_VECTOR_SPURIOUS);
	lapic_write(LAPIC_LVT0, LVT_MASKED);
}

#endif
