// SPDX-License-Identifier: GPL-2.0-only
/*
 * level.c - a level-triggered interrupt that stays asserted is delivered
 * again after each EOI, and not after its source is cleared: what an
 * I/O APIC's remote IRR and EOI do, KVM's (--irqchip kernel) or kvmux's
 * (--irqchip split, where KVM reports the EOI to kvmux).
 *
 * Routes COM1 (IRQ 4) through the I/O APIC as level-triggered and enables
 * the UART's transmitter-empty interrupt, which stays pending until IIR
 * is read.  The handler leaves it pending the first LEVEL_REPEATS - 1
 * times (so only an EOI with the line still high brings it back), then
 * reads IIR and disables it.  A local APIC timer then ticks a few times
 * to give a wrong extra delivery its chance.  One delivery more than
 * LEVEL_REPEATS is right under PVM, whose local APIC ends an interrupt
 * as it delivers it: the last EOI comes before the handler cleared the
 * line, which is then still high.  Prints "level: N deliveries while
 * asserted, none after" and exits 0, or "level: FAIL ..." and exits 1;
 * a lost re-delivery hangs it until --timeout.
 */
#include "irq.h"
#include "rt.h"
#include "x86.h"

#define VECTOR_COM1 RT_VECTOR_DEVICE_FIRST
#define VECTOR_TIMER (RT_VECTOR_DEVICE_FIRST + 1)
#define TIMER_TICKS 10000000 /* ~10 ms at KVM's 1 GHz APIC timer */
#define COM1_GSI 4
#define LEVEL_REPEATS 4
#define QUIET_TICKS 3
#define PORT_COM1_IER (PORT_COM1 + 1)
#define PORT_COM1_IIR (PORT_COM1 + 2)
#define IER_THRI 0x02
#define PORT_COM1_MCR (PORT_COM1 + 4)
#define MCR_OUT2 0x08 /* gates the UART's interrupt line on a PC */
#define PIC1_DATA 0x21 /* 8259 interrupt mask registers */
#define PIC2_DATA 0xa1

static uint32_t deliveries, ticks;

static void on_com1(uint8_t vector)
{
	(void)vector;
	if (__atomic_add_fetch(&deliveries, 1, __ATOMIC_SEQ_CST) <
	    LEVEL_REPEATS)
		return; /* still pending: the line stays high */
	(void)inb(PORT_COM1_IIR); /* reading THRI's IIR clears it */
	outb(0, PORT_COM1_IER);
}

static void on_timer(uint8_t vector)
{
	(void)vector;
	__atomic_add_fetch(&ticks, 1, __ATOMIC_SEQ_CST);
}

int main(const struct boot_info *bi)
{
	uint32_t seen;

	(void)bi;
	outb(0xff, PIC1_DATA);
	outb(0xff, PIC2_DATA);
	rt_irq_init();
	rt_irq_set_handler(VECTOR_COM1, on_com1);
	rt_irq_set_handler(VECTOR_TIMER, on_timer);
	if (!rt_ioapic_route(COM1_GSI, VECTOR_COM1, rt_apic_id(), true,
			     false)) {
		rt_printf("level: FAIL no I/O APIC pin %u\n", COM1_GSI);
		return 1;
	}
	/* The timer only ends waits that would miss an interrupt on PVM. */
	rt_lapic_timer_periodic(VECTOR_TIMER, TIMER_TICKS);
	outb(inb(PORT_COM1_MCR) | MCR_OUT2, PORT_COM1_MCR);
	outb(IER_THRI, PORT_COM1_IER); /* the THR is empty: pending now */
	while (__atomic_load_n(&deliveries, __ATOMIC_SEQ_CST) < LEVEL_REPEATS)
		rt_irq_wait();
	seen = __atomic_load_n(&ticks, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&ticks, __ATOMIC_SEQ_CST) < seen + QUIET_TICKS)
		rt_irq_wait();
	rt_lapic_timer_periodic(VECTOR_TIMER, 0);
	seen = __atomic_load_n(&deliveries, __ATOMIC_SEQ_CST);
	if (seen > LEVEL_REPEATS + (rt_pvm_native() ? 1u : 0u)) {
		rt_printf("level: FAIL %u deliveries, %u expected\n", seen,
			  LEVEL_REPEATS);
		return 1;
	}
	rt_printf("level: %u deliveries while asserted, none after (%u in "
		  "all)\n",
		  LEVEL_REPEATS, seen);
	return 0;
}
