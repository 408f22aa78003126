/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * irq.h - device interrupts on the boot CPU (rt/irq.c): route an I/O
 * APIC pin to a vector, run a handler for it, wait for interrupts, and a
 * periodic local APIC timer as a safety net for waits.
 *
 * Handlers run on the interrupt stack frame with interrupts masked; the
 * runtime sends the EOI (except under PVM, which EOIs at delivery).
 */
#ifndef RT_IRQ_H
#define RT_IRQ_H

#include <stdbool.h>
#include <stdint.h>

#define RT_IOAPIC_ADDR 0xfec00000
/* Vectors for device interrupts: above the exceptions, below the IPIs. */
#define RT_VECTOR_DEVICE_FIRST 0x40
#define RT_VECTOR_DEVICE_LAST 0x4f

typedef void (*rt_irq_fn)(uint8_t vector);

/* Enable the BSP's local APIC (and mask its LVT0). */
void rt_irq_init(void);

/* Run fn for vector (RT_VECTOR_DEVICE_FIRST..LAST); fn NULL: none. */
void rt_irq_set_handler(uint8_t vector, rt_irq_fn fn);

/*
 * Deliver I/O APIC pin gsi as vector to the CPU with APIC ID apic_id:
 * fixed delivery, physical destination, edge or level, active high or
 * low.  false if gsi is beyond the I/O APIC's pins.
 */
bool rt_ioapic_route(unsigned int gsi, uint8_t vector, uint8_t apic_id,
		     bool level, bool active_low);

/*
 * The local APIC timer: vector every count ticks (KVM's timer counts at
 * 1 GHz with divide-by-1); count 0 stops it.
 */
void rt_lapic_timer_periodic(uint8_t vector, uint32_t count);

/*
 * Let interrupts in, halt until one came, mask them again.  A wait can
 * end early (any interrupt) or, on PVM, miss an interrupt that came just
 * before the halt: loop on a condition and keep a periodic timer.
 */
void rt_irq_wait(void);

/* For rt_exception(): run the handler of vector; false if it has none. */
bool rt_irq_dispatch(uint64_t vector);

#endif
