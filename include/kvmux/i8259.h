/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * i8259.h - the PC's two 8259A interrupt controllers, emulated by kvmux
 * with --irqchip split (devices/i8259.c); KVM has its own with --irqchip
 * kernel.
 *
 * Two Intel 8259As (datasheet 231468-003) wired as on a PC/AT: the
 * master at ports 0x20-0x21 takes ISA IRQs 0-7, the slave at 0xa0-0xa1
 * IRQs 8-15 and cascades into the master's IR2; the edge/level control
 * registers (ELCR, as on the PIIX) at 0x4d0-0x4d1 make single IRQs
 * level-sensitive (not IRQs 0-2, 8 and 13).  The master's INT goes to the
 * boot CPU's LINT0: kvmux acknowledges the interrupt (INTA) on the boot
 * vCPU's thread when KVM says it can take one, and queues the vector
 * with KVM_INTERRUPT (an ExtINT: the local APIC must have LVT0 in ExtINT
 * mode, KVM's reset state for the boot CPU, or be disabled).
 *
 * Modelled: the ICW1-ICW4 initialisation (vector base, single or
 * cascaded, level-triggered mode, auto-EOI, special fully nested mode),
 * OCW1 masks, OCW2 EOIs (non-specific, specific, with rotation; set
 * priority; rotate in auto-EOI), OCW3 (read IRR or ISR, poll, special
 * mask mode), spurious IRQ 7 and 15, edge and level inputs.  Not
 * modelled: the buffered mode and the 8080/8085 mode of ICW1/ICW4 (read
 * back as written, no effect), and delivery to other CPUs than the boot
 * one.
 */
#ifndef KVMUX_I8259_H
#define KVMUX_I8259_H

#include <stdbool.h>
#include <stdint.h>

#define I8259_MASTER_PORT 0x20
#define I8259_SLAVE_PORT 0xa0
#define I8259_ELCR_PORT 0x4d0 /* master's; the slave's at +1 */
#define I8259_NR_IRQS 16
#define I8259_CASCADE_IRQ 2 /* the master's input from the slave */

/* One 8259A: its registers and where it is in an ICW sequence. */
struct i8259_chip {
	uint8_t irr, isr, imr;
	uint8_t elcr, elcr_mask; /* level-sensitive inputs; which may be */
	uint8_t lines; /* the input lines' levels */
	uint8_t base; /* ICW2: the vector of IR0 */
	uint8_t lowest; /* the input of lowest priority (rotation) */
	uint8_t init_step; /* 0: initialised; 2-4: the ICW expected next */
	bool need_icw4, single, level_mode; /* ICW1: IC4, SNGL, LTIM */
	bool auto_eoi, rotate_on_aeoi, fully_nested; /* ICW4, OCW2 */
	bool special_mask; /* OCW3 SMM */
	bool read_isr; /* OCW3 RR/RIS: a read of port 0 gives ISR */
	bool poll; /* OCW3 P: the next read is a poll */
};

struct i8259 {
	struct i8259_chip chip[2]; /* master, slave */
};

/* Power-on state: uninitialised, every input masked (until ICW1 clears
 * the IMR) and edge-triggered. */
void i8259_init(struct i8259 *pic);

/* Drive ISA IRQ irq (0-15; others are ignored) to level. */
void i8259_set_irq(struct i8259 *pic, unsigned int irq, bool level);

/* Is the master's INT output asserted? */
bool i8259_intr(const struct i8259 *pic);

/* The interrupt acknowledge cycle: the vector of the interrupt of highest
 * priority, now in service (spurious: IRQ 7's or 15's vector, nothing in
 * service). */
uint8_t i8259_inta(struct i8259 *pic);

/* A guest's access to port off (0-1) of chip (0: master, 1: slave). */
uint8_t i8259_read(struct i8259 *pic, unsigned int chip, unsigned int off);
void i8259_write(struct i8259 *pic, unsigned int chip, unsigned int off,
		 uint8_t val);

/* The ELCR of chip (0: port 0x4d0, 1: 0x4d1). */
uint8_t i8259_read_elcr(const struct i8259 *pic, unsigned int chip);
void i8259_write_elcr(struct i8259 *pic, unsigned int chip, uint8_t val);

/* The device kind (kvmux/device.h): present with --irqchip split. */
extern const struct device_kind i8259_kind;

#endif
