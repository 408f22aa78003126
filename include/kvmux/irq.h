/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * irq.h - what passes between the VM and an interrupt controller that
 * kvmux emulates itself (--irqchip split: core/vm.c, devices/ioapic.c
 * and devices/i8259.c).
 *
 * With a split irqchip KVM keeps the local APICs and kvmux the IOAPIC
 * and the 8259s: the IOAPIC turns its input lines into message-signalled
 * interrupts (Intel SDM vol. 3, "Message Signalled Interrupts": the
 * address selects the destination, the data the vector, delivery and
 * trigger modes), and KVM reports the end of a level-triggered one
 * (KVM_EXIT_IOAPIC_EOI); the master 8259's output reaches the boot CPU
 * as an external interrupt that kvmux queues (KVM_INTERRUPT).
 */
#ifndef KVMUX_IRQ_H
#define KVMUX_IRQ_H

#include <stdbool.h>
#include <stdint.h>

/* x86 MSI address and data fields (Intel SDM vol. 3, 11.11.1-2). */
#define MSI_ADDR_BASE 0xfee00000u
#define MSI_ADDR_DEST_ID_SHIFT 12 /* bits 19:12: the destination */
#define MSI_ADDR_DEST_LOGICAL (1u << 2)
#define MSI_DATA_DELIVERY_SHIFT 8 /* bits 10:8, as an IOAPIC entry's */
#define MSI_DATA_LEVEL_ASSERT (1u << 14)
#define MSI_DATA_TRIGGER_LEVEL (1u << 15)

/* An IOAPIC's pins: KVM's (IOAPIC_NUM_PINS) and kvmux's. */
#define IOAPIC_NR_PINS 24

struct msi_msg {
	uint64_t addr;
	uint32_t data;
};

/* GSI gsi sends msg (what an irqfd on gsi raises, and what KVM reads to
 * know which vectors' EOIs to report). */
struct msi_route {
	unsigned int gsi;
	struct msi_msg msg;
};

/*
 * An interrupt controller in kvmux; the VM calls it, never the reverse.
 * A VM has up to VM_MAX_IRQ_CONTROLLERS (the IOAPIC and the 8259s), and
 * a line goes to each.
 */
struct irq_controller {
	/* Drive input line gsi (level: asserted); any thread.  0 (also for
	 * a line it does not have, if it is not the only controller), or -1
	 * with err_set() (no such line). */
	int (*set_line)(void *opaque, unsigned int gsi, bool level);
	/* The guest ended a level-triggered interrupt of this vector
	 * (KVM_EXIT_IOAPIC_EOI); on the vCPU thread that did.  NULL: none. */
	void (*eoi)(void *opaque, uint8_t vector);
	/* An 8259's output to the boot CPU's LINT0 (ExtINT); NULL for
	 * others.  intr: is INT asserted (any thread); inta: the interrupt
	 * acknowledge, which returns the vector (the boot vCPU's thread,
	 * when KVM can take it). */
	bool (*intr)(void *opaque);
	uint8_t (*inta)(void *opaque);
	void *opaque;
};

#define VM_MAX_IRQ_CONTROLLERS 2

#endif
