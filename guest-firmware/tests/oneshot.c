// SPDX-License-Identifier: GPL-2.0-only
/*
 * oneshot.c - like wake.c, but the local APIC timer that ends the first
 * halt is armed once: mode=oneshot (LVT timer mode 0, initial count
 * ticks=N at 1 GHz, default 2e9) or mode=deadline (TSC-deadline mode,
 * IA32_TSC_DEADLINE = now + ticks TSC cycles).  Then it halts with
 * interrupts off: the run ends with 120.
 */
#include "irq.h"
#include "lapic.h"
#include "rt.h"
#include "x86.h"

#define VECTOR_TIMER RT_VECTOR_DEVICE_FIRST

static volatile bool woken;

static void on_timer(uint8_t vector)
{
	(void)vector;
	woken = true;
}

int main(const struct boot_info *bi)
{
	uint64_t ticks = 2000000000ull;
	char mode[16] = "oneshot";

	rt_cmdline_u64(bi->cmdline, "ticks", &ticks);
	rt_cmdline_str(bi->cmdline, "mode", mode, sizeof(mode));
	rt_irq_init();
	rt_irq_set_handler(VECTOR_TIMER, on_timer);
	rt_printf("oneshot: %s, halting with interrupts on\n", mode);
	lapic_write(LAPIC_TIMER_DIVIDE, TIMER_DIVIDE_BY_1);
	if (mode[0] == 'd') {
		lapic_write(LAPIC_LVT_TIMER,
			    LVT_TIMER_TSC_DEADLINE | VECTOR_TIMER);
		wrmsr(MSR_TSC_DEADLINE, rdtsc() + ticks);
	} else {
		lapic_write(LAPIC_LVT_TIMER, VECTOR_TIMER);
		lapic_write(LAPIC_TIMER_INITIAL, (uint32_t)ticks);
	}
	while (!woken)
		rt_irq_wait();
	rt_printf("oneshot: woken, halting for good\n");
	rt_halt();
}
