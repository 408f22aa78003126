// SPDX-License-Identifier: GPL-2.0-only
/*
 * quiet.c - halted with interrupts on and no timer armed: only the host
 * can wake it.  Masks both 8259s and LVT0, routes COM1's interrupt (IRQ 4)
 * through the I/O APIC, enables the UART's received-data interrupt (and
 * OUT2, which gates it),
 * prints "quiet: waiting for a byte" and halts with interrupts on.  The
 * first byte of input wakes it: it prints "quiet: woken, halting for
 * good" and halts with interrupts off, from the handler (so no wake-up
 * can fall between a handler and the next HLT).  kvmux's idle watch,
 * which sleeps while nothing inside KVM can wake such a guest, must be
 * woken by the interrupt kvmux raised: the run ends with 120.
 */
#include "irq.h"
#include "rt.h"
#include "x86.h"

#define VECTOR_COM1 RT_VECTOR_DEVICE_FIRST
#define COM1_GSI 4
#define PORT_COM1_IER (PORT_COM1 + 1)
#define IER_RX_DATA 0x01
#define PORT_COM1_MCR (PORT_COM1 + 4)
#define MCR_OUT2 0x08 /* gates the UART's interrupt line on a PC */
#define PIC1_DATA 0x21 /* 8259 interrupt mask registers */
#define PIC2_DATA 0xa1

static void on_com1(uint8_t vector)
{
	(void)vector;
	(void)inb(PORT_COM1); /* the byte */
	rt_printf("quiet: woken, halting for good\n");
	rt_halt();
}

int main(const struct boot_info *bi)
{
	(void)bi;
	outb(0xff, PIC1_DATA);
	outb(0xff, PIC2_DATA);
	rt_irq_init();
	rt_irq_set_handler(VECTOR_COM1, on_com1);
	if (!rt_ioapic_route(COM1_GSI, VECTOR_COM1, 0, false, false)) {
		rt_printf("quiet: no I/O APIC pin %u\n", COM1_GSI);
		return 1;
	}
	outb(inb(PORT_COM1_MCR) | MCR_OUT2, PORT_COM1_MCR);
	outb(IER_RX_DATA, PORT_COM1_IER);
	rt_printf("quiet: waiting for a byte\n");
	rt_idle();
}
