// SPDX-License-Identifier: GPL-2.0-only
/*
 * pit_irq.c - the 8254's channel 0 interrupts, through the I/O APIC: a
 * rate generator (mode 2) interrupts again and again, and a count in
 * mode 0 interrupts once.  Both PITs give it (kvmux's, --pit on, and
 * KVM's, --pit kvm) with both irqchips.
 *
 * The PICs are masked and ISA IRQ 0 is routed to I/O APIC pin 0 (GSI 0,
 * as the MADT and MP table say), edge-triggered.  Channel 0 first counts
 * PERIODIC_COUNT in mode 2 until PERIODIC_IRQS interrupts came, then
 * ONESHOT_COUNT once in mode 0; after its interrupt a local APIC timer
 * ticks QUIET_TICKS times (tens of PIT periods) to give a wrong extra
 * interrupt its chance.  The local APIC timer also ends waits that would
 * miss an interrupt on PVM.  Prints "pit_irq: N periodic, 1 one-shot" and
 * exits 0, or "pit_irq: FAIL ..." and exits 1; an interrupt that never
 * comes hangs it until --timeout.
 */
#include "irq.h"
#include "rt.h"
#include "x86.h"

#define VECTOR_PIT RT_VECTOR_DEVICE_FIRST
#define VECTOR_TIMER (RT_VECTOR_DEVICE_FIRST + 1)
#define TIMER_TICKS 10000000 /* ~10 ms at KVM's 1 GHz APIC timer */
#define PIT_GSI 0
#define PIT_CH0 0x40
#define PIT_MODE 0x43
#define PERIODIC_COUNT 2386 /* 2 ms at 1.193182 MHz */
#define PERIODIC_IRQS 20
#define ONESHOT_COUNT 1193 /* 1 ms */
#define QUIET_TICKS 4
#define PIC1_DATA 0x21
#define PIC2_DATA 0xa1

static uint32_t irqs, ticks;

static void on_pit(uint8_t vector)
{
	(void)vector;
	__atomic_add_fetch(&irqs, 1, __ATOMIC_SEQ_CST);
}

static void on_timer(uint8_t vector)
{
	(void)vector;
	__atomic_add_fetch(&ticks, 1, __ATOMIC_SEQ_CST);
}

/* Channel 0, LSB then MSB, binary, in mode mode. */
static void pit_start(unsigned int mode, uint16_t count)
{
	outb(0x30 | mode << 1, PIT_MODE);
	outb(count & 0xff, PIT_CH0);
	outb(count >> 8, PIT_CH0);
}

static void wait_irqs(uint32_t n)
{
	while (__atomic_load_n(&irqs, __ATOMIC_SEQ_CST) < n)
		rt_irq_wait();
}

int main(const struct boot_info *bi)
{
	uint32_t periodic, seen;

	(void)bi;
	outb(0xff, PIC1_DATA);
	outb(0xff, PIC2_DATA);
	rt_irq_init();
	rt_irq_set_handler(VECTOR_PIT, on_pit);
	rt_irq_set_handler(VECTOR_TIMER, on_timer);
	if (!rt_ioapic_route(PIT_GSI, VECTOR_PIT, rt_apic_id(), false, false)) {
		rt_printf("pit_irq: FAIL no I/O APIC pin %u\n", PIT_GSI);
		return 1;
	}
	rt_lapic_timer_periodic(VECTOR_TIMER, TIMER_TICKS);

	pit_start(2, PERIODIC_COUNT);
	wait_irqs(PERIODIC_IRQS);
	/* Mode 0 with no count yet: OUT0 low, channel 0 waits. */
	outb(0x30, PIT_MODE);
	periodic = __atomic_exchange_n(&irqs, 0, __ATOMIC_SEQ_CST);

	outb(ONESHOT_COUNT & 0xff, PIT_CH0);
	outb(ONESHOT_COUNT >> 8, PIT_CH0);
	wait_irqs(1);
	seen = __atomic_load_n(&ticks, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&ticks, __ATOMIC_SEQ_CST) < seen + QUIET_TICKS)
		rt_irq_wait();
	rt_lapic_timer_periodic(VECTOR_TIMER, 0);
	seen = __atomic_load_n(&irqs, __ATOMIC_SEQ_CST);
	/* A mode 2 edge just before the control word may arrive late. */
	if (seen > 2) {
		rt_printf("pit_irq: FAIL %u interrupts from one mode 0 "
			  "count\n",
			  seen);
		return 1;
	}
	rt_printf("pit_irq: %u periodic, 1 one-shot\n", periodic);
	return 0;
}
