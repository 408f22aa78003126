// SPDX-License-Identifier: GPL-2.0-only
/*
 * wake.c - idle, then halted for good: halts with interrupts on until its
 * local APIC timer fires once, 2 s on, then halts with interrupts off.
 * kvmux must not call the first halt a stop (an interrupt may end it) and
 * must see the second one, though its idle watch backs off meanwhile:
 * the run ends with 120 after "wake: woken".
 */
#include "irq.h"
#include "rt.h"

#define VECTOR_TIMER RT_VECTOR_DEVICE_FIRST
#define TIMER_TICKS 2000000000u /* 2 s at KVM's 1 GHz LAPIC timer */

static volatile bool woken;

static void on_timer(uint8_t vector)
{
	(void)vector;
	woken = true;
}

int main(const struct boot_info *bi)
{
	(void)bi;
	rt_irq_init();
	rt_irq_set_handler(VECTOR_TIMER, on_timer);
	rt_printf("wake: halting with interrupts on\n");
	rt_lapic_timer_periodic(VECTOR_TIMER, TIMER_TICKS);
	while (!woken)
		rt_irq_wait();
	rt_lapic_timer_periodic(VECTOR_TIMER, 0);
	rt_printf("wake: woken, halting for good\n");
	rt_halt();
}
