// SPDX-License-Identifier: GPL-2.0-only
/*
 * pic.c - interrupts through the 8259s, as a guest without an I/O APIC
 * driver takes them: KVM's (--irqchip kernel) or kvmux's (--irqchip
 * split, where kvmux queues them as external interrupts).
 *
 * Initialises both 8259s (vectors 0x40 and 0x48, cascaded on IR2), puts
 * the local APIC's LVT0 in ExtINT mode and leaves the I/O APIC masked.
 * Then: the PIT's channel 0 (IRQ 0) in mode 2 until TIMER_IRQS came,
 * each handler reading the in-service register (it must hold IR0) and
 * ending with a non-specific EOI; no more once IRQ 0 is masked, over
 * QUIET_TICKS local APIC timer ticks; and the UART's transmitter-empty
 * interrupt on IRQ 4 arrives as vector 0x44.  The local APIC timer
 * (vector 0x46: IR6, which nothing raises) also ends waits that would
 * miss an interrupt on PVM.  Prints "pic: N timer interrupts, ISR 0x01,
 * none while masked, COM1 on vector 0x44" and exits 0, or "pic: FAIL
 * ..." and exits 1; an interrupt that never comes hangs it until
 * --timeout.
 */
#include "irq.h"
#include "lapic.h"
#include "rt.h"
#include "x86.h"

#define MASTER_BASE RT_VECTOR_DEVICE_FIRST /* 0x40: IRQ n at 0x40 + n */
#define SLAVE_BASE (RT_VECTOR_DEVICE_FIRST + 8)
#define VECTOR_IRQ0 MASTER_BASE
#define VECTOR_COM1 (MASTER_BASE + 4)
#define VECTOR_TIMER (MASTER_BASE + 6)
#define TIMER_TICKS 10000000 /* ~10 ms at KVM's 1 GHz APIC timer */
#define TIMER_IRQS 20
#define QUIET_TICKS 4
#define PIC1 0x20
#define PIC1_DATA 0x21
#define PIC2 0xa0
#define PIC2_DATA 0xa1
#define OCW2_EOI 0x20
#define OCW3_READ_IRR 0x0a
#define OCW3_READ_ISR 0x0b
#define PIT_CH0 0x40
#define PIT_MODE 0x43
#define PIT_COUNT 2386 /* 2 ms */
#define LVT_EXTINT 0x700
#define PORT_COM1_IER (PORT_COM1 + 1)
#define PORT_COM1_IIR (PORT_COM1 + 2)
#define PORT_COM1_MCR (PORT_COM1 + 4)
#define IER_THRI 0x02
#define MCR_OUT2 0x08

static uint32_t irq0s, com1s, ticks;
static uint8_t isr_seen = 0xff;

static void on_irq0(uint8_t vector)
{
	(void)vector;
	if (__atomic_add_fetch(&irq0s, 1, __ATOMIC_SEQ_CST) == 1) {
		outb(OCW3_READ_ISR, PIC1);
		isr_seen = inb(PIC1);
		outb(OCW3_READ_IRR, PIC1);
	}
	outb(OCW2_EOI, PIC1);
}

static void on_com1(uint8_t vector)
{
	(void)vector;
	(void)inb(PORT_COM1_IIR); /* reading THRI's IIR clears it */
	outb(0, PORT_COM1_IER);
	__atomic_add_fetch(&com1s, 1, __ATOMIC_SEQ_CST);
	outb(OCW2_EOI, PIC1);
}

static void on_timer(uint8_t vector)
{
	(void)vector;
	__atomic_add_fetch(&ticks, 1, __ATOMIC_SEQ_CST);
}

static void pic_init(void)
{
	outb(0x11, PIC1); /* ICW1: edge, cascade, ICW4 */
	outb(MASTER_BASE, PIC1_DATA);
	outb(1u << 2, PIC1_DATA); /* the slave on IR2 */
	outb(0x01, PIC1_DATA); /* ICW4: 8086 mode, normal EOI */
	outb(0x11, PIC2);
	outb(SLAVE_BASE, PIC2_DATA);
	outb(2, PIC2_DATA); /* its cascade identity */
	outb(0x01, PIC2_DATA);
	outb(0xfe, PIC1_DATA); /* IRQ 0 only */
	outb(0xff, PIC2_DATA);
}

static void wait_for(const uint32_t *counter, uint32_t n)
{
	while (__atomic_load_n(counter, __ATOMIC_SEQ_CST) < n)
		rt_irq_wait();
}

/* Wait n local APIC ticks; returns IRQ 0's count then. */
static uint32_t quiet(uint32_t n)
{
	wait_for(&ticks, __atomic_load_n(&ticks, __ATOMIC_SEQ_CST) + n);
	return __atomic_load_n(&irq0s, __ATOMIC_SEQ_CST);
}

int main(const struct boot_info *bi)
{
	uint32_t masked;

	(void)bi;
	pic_init();
	rt_irq_init();
	lapic_write(LAPIC_LVT0, LVT_EXTINT);
	rt_irq_set_handler(VECTOR_IRQ0, on_irq0);
	rt_irq_set_handler(VECTOR_COM1, on_com1);
	rt_irq_set_handler(VECTOR_TIMER, on_timer);
	rt_lapic_timer_periodic(VECTOR_TIMER, TIMER_TICKS);

	outb(0x34, PIT_MODE); /* channel 0, LSB then MSB, mode 2 */
	outb(PIT_COUNT & 0xff, PIT_CH0);
	outb(PIT_COUNT >> 8, PIT_CH0);
	wait_for(&irq0s, TIMER_IRQS);
	outb(0xff, PIC1_DATA);
	masked = quiet(1); /* one may have been on its way */
	if (quiet(QUIET_TICKS) != masked) {
		rt_printf("pic: FAIL IRQ 0 came while masked\n");
		return 1;
	}
	if (isr_seen != 0x01) {
		rt_printf("pic: FAIL ISR 0x%x in IRQ 0's handler\n", isr_seen);
		return 1;
	}

	outb(0xef, PIC1_DATA); /* IRQ 4 only */
	outb(inb(PORT_COM1_MCR) | MCR_OUT2, PORT_COM1_MCR);
	outb(IER_THRI, PORT_COM1_IER); /* the THR is empty: pending now */
	wait_for(&com1s, 1);
	rt_lapic_timer_periodic(VECTOR_TIMER, 0);
	rt_printf("pic: %u timer interrupts, ISR 0x%x, none while masked, "
		  "COM1 on vector 0x%x\n",
		  TIMER_IRQS, isr_seen, VECTOR_COM1);
	return 0;
}
