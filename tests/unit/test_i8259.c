// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_i8259.c - kvmux's two cascaded 8259As (devices/i8259.c) against
 * the Intel 8259A data sheet (231468-003) as kvmux/i8259.h documents it:
 * the ICW1-ICW4 sequence, masks, priorities and nesting, the cascade,
 * spurious interrupts, edge and level inputs (ELCR and LTIM), auto-EOI,
 * the OCW2 commands, OCW3's register reads, poll and special mask mode,
 * and the special fully nested mode.  The chip logic is driven directly;
 * the last tests drive the device through the port bus of a fake VM that
 * records the interrupt controller it registers and its ExtINT kicks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kvmux/i8259.h"
#include "kvmux/irq.h"
#include "device_test_util.h"

#define MASTER 0
#define SLAVE 1
#define CMD 0 /* A0 = 0: ICW1, OCW2, OCW3; IRR, ISR or poll */
#define DATA 1 /* A0 = 1: ICW2-ICW4, OCW1; IMR */

/* Words of the data sheet (231468-003, "Programming the 8259A"). */
#define ICW1_IC4 0x01
#define ICW1_SNGL 0x02
#define ICW1_LTIM 0x08
#define ICW1 0x10
#define ICW4_UPM 0x01 /* 8086 mode: what a PC programs */
#define ICW4_AEOI 0x02
#define ICW4_SFNM 0x10
#define OCW2_ROTATE_AEOI_CLEAR 0x00
#define OCW2_EOI 0x20
#define OCW2_NOP 0x40
#define OCW2_SPECIFIC_EOI 0x60
#define OCW2_ROTATE_AEOI_SET 0x80
#define OCW2_ROTATE_EOI 0xa0
#define OCW2_SET_PRIORITY 0xc0
#define OCW2_ROTATE_SPECIFIC_EOI 0xe0
#define OCW3 0x08
#define OCW3_READ_IRR (OCW3 | 0x02)
#define OCW3_READ_ISR (OCW3 | 0x03)
#define OCW3_POLL (OCW3 | 0x04)
#define OCW3_SET_SMM (OCW3 | 0x60)
#define OCW3_RESET_SMM (OCW3 | 0x40)
#define POLL_INT 0x80

#define MBASE 0x20 /* vector bases as in the tests: Linux's are 0x30 */
#define SBASE 0x28

/* ICW1-ICW4 as a PC's firmware and Linux program them: cascaded, the
 * slave on IR2 (ICW3 0x04 and 0x02), 8086 mode plus icw4_extra. */
static void init_chip(struct i8259 *pic, unsigned int chip, uint8_t icw1,
		      uint8_t base, uint8_t icw4)
{
	i8259_write(pic, chip, CMD, ICW1 | icw1);
	i8259_write(pic, chip, DATA, base);
	if (!(icw1 & ICW1_SNGL))
		i8259_write(pic, chip, DATA, chip == MASTER ? 0x04 : 0x02);
	if (icw1 & ICW1_IC4)
		i8259_write(pic, chip, DATA, icw4);
}

static void init_pc(struct i8259 *pic, uint8_t master_icw4, uint8_t slave_icw4)
{
	i8259_init(pic);
	init_chip(pic, MASTER, ICW1_IC4, MBASE, ICW4_UPM | master_icw4);
	init_chip(pic, SLAVE, ICW1_IC4, SBASE, ICW4_UPM | slave_icw4);
}

static void pulse(struct i8259 *pic, unsigned int irq)
{
	i8259_set_irq(pic, irq, true);
	i8259_set_irq(pic, irq, false);
}

static uint8_t reg(struct i8259 *pic, unsigned int chip, uint8_t ocw3)
{
	i8259_write(pic, chip, CMD, ocw3);
	return i8259_read(pic, chip, CMD);
}

static uint8_t irr(struct i8259 *pic, unsigned int chip)
{
	return reg(pic, chip, OCW3_READ_IRR);
}

static uint8_t isr(struct i8259 *pic, unsigned int chip)
{
	return reg(pic, chip, OCW3_READ_ISR);
}

/* INT is high, and the INTA cycle gives this vector. */
static void assert_inta(struct i8259 *pic, uint8_t vector)
{
	assert_true(i8259_intr(pic));
	assert_int_equal(i8259_inta(pic), vector);
}

static void eoi(struct i8259 *pic, unsigned int chip)
{
	i8259_write(pic, chip, CMD, OCW2_EOI);
}

static void icw_sequence_sets_vector_base(void **state)
{
	struct i8259 pic;

	(void)state;
	i8259_init(&pic);
	i8259_write(&pic, MASTER, DATA, 0x5a); /* OCW1 before any ICW1 */
	assert_int_equal(i8259_read(&pic, MASTER, DATA), 0x5a);
	/* ICW1 clears the mask; ICW2-ICW4 go to port 1 without touching
	 * it; T7-T3 give the base, A10-A8 are ignored in 8086 mode. */
	i8259_write(&pic, MASTER, CMD, ICW1 | ICW1_IC4);
	assert_int_equal(i8259_read(&pic, MASTER, DATA), 0);
	i8259_write(&pic, MASTER, DATA, 0x47);
	assert_int_equal(i8259_read(&pic, MASTER, DATA), 0);
	i8259_write(&pic, MASTER, DATA, 0x04);
	assert_int_equal(i8259_read(&pic, MASTER, DATA), 0);
	i8259_write(&pic, MASTER, DATA, ICW4_UPM);
	assert_int_equal(i8259_read(&pic, MASTER, DATA), 0);
	i8259_write(&pic, MASTER, DATA, 0x02); /* now OCW1 */
	assert_int_equal(i8259_read(&pic, MASTER, DATA), 0x02);
	assert_false(i8259_intr(&pic));
	i8259_set_irq(&pic, 0, true);
	assert_inta(&pic, 0x40);
	assert_int_equal(isr(&pic, MASTER), 0x01);

	/* The slave's base, from its own ICW2. */
	init_pc(&pic, 0, 0);
	i8259_set_irq(&pic, 15, true);
	assert_inta(&pic, SBASE + 7);
	i8259_set_irq(&pic, 3, true);
	assert_false(i8259_intr(&pic)); /* IR2 in service blocks IR3 */
}

static void icw_single_without_icw3_and_icw4(void **state)
{
	struct i8259 pic;

	(void)state;
	i8259_init(&pic);
	/* SNGL: no ICW3; IC4 = 0: no ICW4.  The write after ICW2 is OCW1. */
	i8259_write(&pic, MASTER, CMD, ICW1 | ICW1_SNGL);
	i8259_write(&pic, MASTER, DATA, 0x80);
	i8259_write(&pic, MASTER, DATA, 0xf0);
	assert_int_equal(i8259_read(&pic, MASTER, DATA), 0xf0);
	i8259_set_irq(&pic, 3, true);
	assert_inta(&pic, 0x83);
	/* IC4 = 0 clears ICW4's functions: no auto-EOI. */
	assert_int_equal(isr(&pic, MASTER), 0x08);
	i8259_write(&pic, MASTER, CMD, OCW2_SPECIFIC_EOI | 3);

	/* Single, but with ICW4: ICW2 then ICW4. */
	i8259_write(&pic, MASTER, CMD, ICW1 | ICW1_SNGL | ICW1_IC4);
	i8259_write(&pic, MASTER, DATA, 0x88);
	i8259_write(&pic, MASTER, DATA, ICW4_UPM | ICW4_AEOI);
	i8259_write(&pic, MASTER, DATA, 0x02);
	assert_int_equal(i8259_read(&pic, MASTER, DATA), 0x02);
	pulse(&pic, 0);
	assert_inta(&pic, 0x88);
	assert_int_equal(isr(&pic, MASTER), 0); /* auto-EOI */

	/* Cascaded without ICW4: ICW2, ICW3, then OCW1. */
	i8259_write(&pic, MASTER, CMD, ICW1);
	i8259_write(&pic, MASTER, DATA, 0x08);
	i8259_write(&pic, MASTER, DATA, 0x04);
	i8259_write(&pic, MASTER, DATA, 0x7f);
	assert_int_equal(i8259_read(&pic, MASTER, DATA), 0x7f);
}

static void imr_masks_requests(void **state)
{
	struct i8259 pic;

	(void)state;
	init_pc(&pic, 0, 0);
	i8259_write(&pic, MASTER, DATA, 0x08);
	pulse(&pic, 3);
	assert_false(i8259_intr(&pic));
	/* The request is kept in IRR while masked. */
	assert_int_equal(irr(&pic, MASTER), 0x08);
	i8259_write(&pic, MASTER, DATA, 0);
	assert_inta(&pic, MBASE + 3);
	assert_int_equal(irr(&pic, MASTER), 0);

	/* The slave's mask stops its requests before the master sees them;
	 * the master's IR2 mask stops all of the slave's. */
	eoi(&pic, MASTER);
	i8259_write(&pic, SLAVE, DATA, 0x10);
	pulse(&pic, 12);
	assert_false(i8259_intr(&pic));
	assert_int_equal(irr(&pic, MASTER), 0);
	i8259_write(&pic, MASTER, DATA, 0x04);
	i8259_write(&pic, SLAVE, DATA, 0);
	assert_false(i8259_intr(&pic));
	assert_int_equal(irr(&pic, MASTER), 0x04);
	i8259_write(&pic, MASTER, DATA, 0);
	assert_inta(&pic, SBASE + 4);
}

static void higher_irq_nests_lower_waits(void **state)
{
	struct i8259 pic;

	(void)state;
	init_pc(&pic, 0, 0);
	pulse(&pic, 4);
	assert_inta(&pic, MBASE + 4);
	assert_false(i8259_intr(&pic));
	pulse(&pic, 6); /* lower: waits */
	assert_false(i8259_intr(&pic));
	pulse(&pic, 4); /* the same level: waits too */
	assert_false(i8259_intr(&pic));
	pulse(&pic, 1); /* higher: interrupts IR4's handler */
	assert_inta(&pic, MBASE + 1);
	assert_int_equal(isr(&pic, MASTER), 0x12);
	assert_int_equal(irr(&pic, MASTER), 0x50);
	/* A non-specific EOI ends the highest level in service. */
	eoi(&pic, MASTER);
	assert_int_equal(isr(&pic, MASTER), 0x10);
	assert_false(i8259_intr(&pic));
	eoi(&pic, MASTER);
	assert_inta(&pic, MBASE + 4);
	eoi(&pic, MASTER);
	assert_inta(&pic, MBASE + 6);
	eoi(&pic, MASTER);
	assert_false(i8259_intr(&pic));
	/* Two at once: the lower number first (IR0 highest). */
	i8259_set_irq(&pic, 7, true);
	i8259_set_irq(&pic, 5, true);
	assert_inta(&pic, MBASE + 5);
	eoi(&pic, MASTER);
	assert_inta(&pic, MBASE + 7);
}

static void cascade_through_ir2(void **state)
{
	struct i8259 pic;

	(void)state;
	init_pc(&pic, 0, 0);
	pulse(&pic, 10);
	assert_int_equal(irr(&pic, SLAVE), 0x04);
	assert_int_equal(irr(&pic, MASTER), 0x04);
	assert_inta(&pic, SBASE + 2);
	assert_int_equal(isr(&pic, MASTER), 0x04);
	assert_int_equal(isr(&pic, SLAVE), 0x04);
	/* A higher slave input waits: fully nested, IR2 is in service. */
	pulse(&pic, 8);
	assert_false(i8259_intr(&pic));
	/* A master input above IR2 interrupts it; one below waits. */
	pulse(&pic, 5);
	assert_false(i8259_intr(&pic));
	pulse(&pic, 1);
	assert_inta(&pic, MBASE + 1);
	eoi(&pic, MASTER);
	/* The slave's EOI alone is not enough: the master's IR2 is still
	 * in service. */
	eoi(&pic, SLAVE);
	assert_int_equal(isr(&pic, SLAVE), 0);
	assert_int_equal(isr(&pic, MASTER), 0x04);
	assert_false(i8259_intr(&pic));
	eoi(&pic, MASTER);
	assert_inta(&pic, SBASE + 0);
	assert_int_equal(isr(&pic, MASTER), 0x04);
	assert_int_equal(isr(&pic, SLAVE), 0x01);
	eoi(&pic, SLAVE);
	eoi(&pic, MASTER);
	assert_inta(&pic, MBASE + 5);
	eoi(&pic, MASTER);
	assert_false(i8259_intr(&pic));
	assert_int_equal(isr(&pic, MASTER), 0);
	assert_int_equal(isr(&pic, SLAVE), 0);
}

static void spurious_irq7_and_irq15(void **state)
{
	struct i8259 pic;

	(void)state;
	init_pc(&pic, 0, 0);
	/* An INTA with no request: IR7's vector, nothing in service. */
	assert_false(i8259_intr(&pic));
	assert_int_equal(i8259_inta(&pic), MBASE + 7);
	assert_int_equal(isr(&pic, MASTER), 0);
	/* A level input that drops before the INTA. */
	i8259_write_elcr(&pic, MASTER, 0x20);
	i8259_set_irq(&pic, 5, true);
	assert_true(i8259_intr(&pic));
	i8259_set_irq(&pic, 5, false);
	assert_false(i8259_intr(&pic));
	assert_int_equal(i8259_inta(&pic), MBASE + 7);
	assert_int_equal(isr(&pic, MASTER), 0);
	assert_int_equal(irr(&pic, MASTER), 0);

	/* The slave's request goes away after the master latched IR2's
	 * edge: the slave answers with its IR7 (IRQ 15), and puts nothing
	 * in service; the master has taken IR2 (what Linux's spurious
	 * IRQ 15 handling ends with an EOI to the master). */
	i8259_write_elcr(&pic, SLAVE, 0x04);
	i8259_set_irq(&pic, 10, true);
	i8259_set_irq(&pic, 10, false);
	assert_int_equal(irr(&pic, SLAVE), 0);
	assert_inta(&pic, SBASE + 7);
	assert_int_equal(isr(&pic, SLAVE), 0);
	assert_int_equal(isr(&pic, MASTER), 0x04);
	eoi(&pic, MASTER);
	assert_false(i8259_intr(&pic));
	/* A real IRQ 7 or 15 is put in service. */
	pulse(&pic, 7);
	assert_inta(&pic, MBASE + 7);
	assert_int_equal(isr(&pic, MASTER), 0x80);
	eoi(&pic, MASTER);
	pulse(&pic, 15);
	assert_inta(&pic, SBASE + 7);
	assert_int_equal(isr(&pic, SLAVE), 0x80);
}

static void elcr_fixed_bits_and_level_inputs(void **state)
{
	struct i8259 pic;

	(void)state;
	init_pc(&pic, 0, 0);
	assert_int_equal(i8259_read_elcr(&pic, MASTER), 0);
	assert_int_equal(i8259_read_elcr(&pic, SLAVE), 0);
	/* IRQs 0-2, 8 and 13 stay edge-triggered. */
	i8259_write_elcr(&pic, MASTER, 0xff);
	i8259_write_elcr(&pic, SLAVE, 0xff);
	assert_int_equal(i8259_read_elcr(&pic, MASTER), 0xf8);
	assert_int_equal(i8259_read_elcr(&pic, SLAVE), 0xde);
	i8259_write_elcr(&pic, MASTER, 0x20);
	i8259_write_elcr(&pic, SLAVE, 0);

	/* Edge IRQ 3: a rising edge is latched, even after the input
	 * falls; an input held high asks once. */
	i8259_set_irq(&pic, 3, true);
	assert_inta(&pic, MBASE + 3);
	eoi(&pic, MASTER);
	assert_false(i8259_intr(&pic));
	assert_int_equal(irr(&pic, MASTER), 0);
	i8259_set_irq(&pic, 3, false);
	pulse(&pic, 3);
	assert_inta(&pic, MBASE + 3);
	eoi(&pic, MASTER);

	/* Level IRQ 5: asks while high, again after the EOI, and not once
	 * it is low, even if it had been latched. */
	i8259_set_irq(&pic, 5, true);
	assert_inta(&pic, MBASE + 5);
	assert_int_equal(irr(&pic, MASTER), 0x20);
	assert_false(i8259_intr(&pic));
	eoi(&pic, MASTER);
	assert_inta(&pic, MBASE + 5);
	eoi(&pic, MASTER);
	i8259_set_irq(&pic, 5, false);
	assert_false(i8259_intr(&pic));
	assert_int_equal(irr(&pic, MASTER), 0);

	/* ICW1's LTIM makes every input of the chip level-sensitive, IRQ 0
	 * too, and leaves the ELCR as it was. */
	init_chip(&pic, MASTER, ICW1_IC4 | ICW1_LTIM, MBASE, ICW4_UPM);
	assert_int_equal(i8259_read_elcr(&pic, MASTER), 0x20);
	i8259_set_irq(&pic, 0, true);
	assert_inta(&pic, MBASE + 0);
	eoi(&pic, MASTER);
	assert_inta(&pic, MBASE + 0);
	eoi(&pic, MASTER);
	i8259_set_irq(&pic, 0, false);
	assert_false(i8259_intr(&pic));
	/* The slave is still edge: its IRQ 9 held high asks once. */
	i8259_set_irq(&pic, 9, true);
	assert_inta(&pic, SBASE + 1);
	eoi(&pic, SLAVE);
	eoi(&pic, MASTER);
	assert_false(i8259_intr(&pic));
}

/* An input made level-sensitive while its line is high asks at once:
 * the line rose before, and a device drives it only when it changes. */
static void elcr_write_looks_at_a_high_line(void **state)
{
	struct i8259 pic;

	(void)state;
	init_pc(&pic, 0, 0);
	i8259_set_irq(&pic, 5, true); /* edge: one request */
	assert_inta(&pic, MBASE + 5);
	eoi(&pic, MASTER);
	assert_false(i8259_intr(&pic));
	i8259_write_elcr(&pic, MASTER, 0x20);
	assert_int_equal(irr(&pic, MASTER), 0x20);
	assert_inta(&pic, MBASE + 5);
	eoi(&pic, MASTER);
	/* Back to edge: nothing new until the line rises again. */
	i8259_write_elcr(&pic, MASTER, 0);
	assert_inta(&pic, MBASE + 5); /* latched while level */
	eoi(&pic, MASTER);
	assert_false(i8259_intr(&pic));
	/* The same on the slave, through the cascade. */
	i8259_set_irq(&pic, 10, true);
	assert_inta(&pic, SBASE + 2);
	eoi(&pic, SLAVE);
	eoi(&pic, MASTER);
	assert_false(i8259_intr(&pic));
	i8259_write_elcr(&pic, SLAVE, 0x04);
	assert_true(i8259_intr(&pic));
	assert_inta(&pic, SBASE + 2);
}

static void edge_input_must_rise_again_after_icw1(void **state)
{
	struct i8259 pic;

	(void)state;
	init_pc(&pic, 0, 0);
	i8259_write_elcr(&pic, MASTER, 0x20);
	i8259_set_irq(&pic, 3, true); /* edge, latched, held high */
	i8259_set_irq(&pic, 5, true); /* level, high */
	i8259_set_irq(&pic, 4, true);
	i8259_set_irq(&pic, 4, false); /* edge, latched, low again */
	assert_int_equal(irr(&pic, MASTER), 0x38);
	init_chip(&pic, MASTER, ICW1_IC4, MBASE, ICW4_UPM);
	/* The edge sense latches are cleared: only the level input asks. */
	assert_int_equal(irr(&pic, MASTER), 0x20);
	assert_inta(&pic, MBASE + 5);
	i8259_set_irq(&pic, 3, true); /* still high: no new edge */
	eoi(&pic, MASTER);
	i8259_set_irq(&pic, 5, false);
	assert_false(i8259_intr(&pic));
	i8259_set_irq(&pic, 3, false);
	i8259_set_irq(&pic, 3, true);
	assert_inta(&pic, MBASE + 3);
}

/* A guest that never touches the 8259s (it uses the I/O APIC, LVT0 left
 * in ExtINT mode as KVM resets it) gets nothing from them: its PIT or
 * UART would otherwise arrive on vector 0 + IRQ (power-on base 0), an
 * exception vector.  The data sheet leaves the IMR undefined until ICW1,
 * which clears it; a BIOS leaves every input masked. */
static void power_on_masks_every_input(void **state)
{
	struct i8259 pic;
	unsigned int irq;

	(void)state;
	i8259_init(&pic);
	for (irq = 0; irq < I8259_NR_IRQS; irq++) {
		i8259_set_irq(&pic, irq, true);
		i8259_set_irq(&pic, irq, false);
	}
	assert_false(i8259_intr(&pic));
	assert_int_equal(i8259_read(&pic, MASTER, DATA), 0xff);
	assert_int_equal(i8259_read(&pic, SLAVE, DATA), 0xff);
	/* ICW1 clears the mask: an initialised chip takes its inputs. */
	init_pc(&pic, ICW4_UPM, ICW4_UPM);
	pulse(&pic, 0);
	assert_inta(&pic, MBASE);
}

/* The poll command's answer is IR irq of chip, now in service. */
static void assert_poll(struct i8259 *pic, unsigned int chip, unsigned int irq)
{
	i8259_write(pic, chip, CMD, OCW3_POLL);
	assert_int_equal(i8259_read(pic, chip, CMD), POLL_INT | irq);
}

/* The slave's request irq, taken by an INTA cycle or by polls (the
 * master's, which gives IR2, then the slave's). */
static void take_from_slave(struct i8259 *pic, bool polled, unsigned int irq)
{
	if (!polled) {
		assert_inta(pic, SBASE + irq);
		return;
	}
	assert_poll(pic, MASTER, I8259_CASCADE_IRQ);
	assert_poll(pic, SLAVE, irq);
}

/* A slave in auto-EOI with two requests: its INT falls as it is
 * acknowledged (an INTA cycle, or the read of its poll) and rises again,
 * a new edge on the master's IR2 (which is edge-triggered), so the
 * second is delivered too. */
static void slave_auto_eoi_gives_both(bool polled)
{
	struct i8259 pic;

	init_pc(&pic, ICW4_UPM, ICW4_UPM | ICW4_AEOI);
	pulse(&pic, 9);
	pulse(&pic, 12);
	take_from_slave(&pic, polled, 1);
	eoi(&pic, MASTER);
	assert_true(i8259_intr(&pic));
	take_from_slave(&pic, polled, 4);
	eoi(&pic, MASTER);
	assert_false(i8259_intr(&pic));
}

static void slave_auto_eoi_delivers_both(void **state)
{
	(void)state;
	slave_auto_eoi_gives_both(false);
}

static void slave_auto_eoi_polled_twice(void **state)
{
	(void)state;
	slave_auto_eoi_gives_both(true);
}

static void auto_eoi_and_rotation(void **state)
{
	struct i8259 pic;

	(void)state;
	init_pc(&pic, ICW4_AEOI, 0);
	/* Nothing stays in service, so a lower input follows at once. */
	pulse(&pic, 1);
	pulse(&pic, 3);
	assert_inta(&pic, MBASE + 1);
	assert_int_equal(isr(&pic, MASTER), 0);
	assert_inta(&pic, MBASE + 3);
	assert_false(i8259_intr(&pic));

	/* Without rotation the priorities stay fixed. */
	pulse(&pic, 6);
	assert_inta(&pic, MBASE + 6);
	pulse(&pic, 4);
	pulse(&pic, 6);
	assert_inta(&pic, MBASE + 4);
	assert_inta(&pic, MBASE + 6);

	/* Rotate in AEOI: each acknowledged input becomes the lowest. */
	i8259_write(&pic, MASTER, CMD, OCW2_ROTATE_AEOI_SET);
	pulse(&pic, 4);
	assert_inta(&pic, MBASE + 4); /* now 5 6 7 0 1 2 3 4 */
	pulse(&pic, 4);
	pulse(&pic, 3);
	pulse(&pic, 7);
	assert_inta(&pic, MBASE + 7); /* now 0 1 2 3 4 5 6 7 */
	assert_inta(&pic, MBASE + 3); /* now 4 5 6 7 0 1 2 3 */
	assert_inta(&pic, MBASE + 4);
	/* Cleared: the order stays where the last rotation left it. */
	i8259_write(&pic, MASTER, CMD, OCW2_ROTATE_AEOI_CLEAR);
	pulse(&pic, 4);
	pulse(&pic, 5);
	pulse(&pic, 1);
	assert_inta(&pic, MBASE + 5); /* 5 6 7 0 1 2 3 4 */
	assert_inta(&pic, MBASE + 1);
	assert_inta(&pic, MBASE + 4);
	pulse(&pic, 5);
	pulse(&pic, 4);
	assert_inta(&pic, MBASE + 5);
	assert_inta(&pic, MBASE + 4);
	assert_int_equal(isr(&pic, MASTER), 0);
}

static void ocw2_eoi_commands(void **state)
{
	struct i8259 pic;

	(void)state;
	init_pc(&pic, 0, 0);
	/* Three levels in service: 5, then 3, then 1 nested. */
	pulse(&pic, 5);
	assert_inta(&pic, MBASE + 5);
	pulse(&pic, 3);
	assert_inta(&pic, MBASE + 3);
	pulse(&pic, 1);
	assert_inta(&pic, MBASE + 1);
	assert_int_equal(isr(&pic, MASTER), 0x2a);
	/* A specific EOI ends its level only, not the highest. */
	i8259_write(&pic, MASTER, CMD, OCW2_SPECIFIC_EOI | 3);
	assert_int_equal(isr(&pic, MASTER), 0x22);
	/* NOP changes nothing; a specific EOI of a level not in service
	 * neither. */
	i8259_write(&pic, MASTER, CMD, OCW2_NOP | 1);
	i8259_write(&pic, MASTER, CMD, OCW2_SPECIFIC_EOI | 6);
	assert_int_equal(isr(&pic, MASTER), 0x22);
	eoi(&pic, MASTER);
	assert_int_equal(isr(&pic, MASTER), 0x20);
	eoi(&pic, MASTER);
	assert_int_equal(isr(&pic, MASTER), 0);
	eoi(&pic, MASTER); /* with nothing in service: nothing */
	assert_int_equal(isr(&pic, MASTER), 0);

	/* Rotate on non-specific EOI: the level ended becomes the lowest. */
	pulse(&pic, 3);
	assert_inta(&pic, MBASE + 3);
	i8259_write(&pic, MASTER, CMD, OCW2_ROTATE_EOI);
	assert_int_equal(isr(&pic, MASTER), 0);
	pulse(&pic, 3);
	pulse(&pic, 4);
	pulse(&pic, 0);
	assert_inta(&pic, MBASE + 4); /* 4 5 6 7 0 1 2 3 */
	/* IR0 now waits behind IR4 in service: priority is rotated. */
	assert_false(i8259_intr(&pic));
	/* Rotate on specific EOI: ends IR4, which becomes the lowest. */
	i8259_write(&pic, MASTER, CMD, OCW2_ROTATE_SPECIFIC_EOI | 4);
	assert_int_equal(isr(&pic, MASTER), 0);
	pulse(&pic, 7);
	assert_inta(&pic, MBASE + 7); /* 5 6 7 0 1 2 3 4 */
	eoi(&pic, MASTER);
	assert_inta(&pic, MBASE + 0);
	eoi(&pic, MASTER);
	assert_inta(&pic, MBASE + 3);
	eoi(&pic, MASTER);
	/* Set priority: IR2 lowest, so IR3 highest. */
	i8259_write(&pic, MASTER, CMD, OCW2_SET_PRIORITY | 2);
	pulse(&pic, 1);
	pulse(&pic, 3);
	assert_inta(&pic, MBASE + 3);
	pulse(&pic, 7); /* below IR3 now */
	assert_false(i8259_intr(&pic));
	/* The non-specific EOI ends the highest in the rotated order. */
	pulse(&pic, 3);
	i8259_write(&pic, MASTER, CMD, OCW2_SET_PRIORITY | 7);
	assert_inta(&pic, MBASE + 1); /* 0 1 2 ... : IR1 above IR3 */
	assert_int_equal(isr(&pic, MASTER), 0x0a);
	/* 2 3 ... 0 1: IR3 is the highest in service now. */
	i8259_write(&pic, MASTER, CMD, OCW2_SET_PRIORITY | 1);
	eoi(&pic, MASTER);
	assert_int_equal(isr(&pic, MASTER), 0x02);
}

static void ocw3_reads_irr_isr_imr(void **state)
{
	struct i8259 pic;

	(void)state;
	init_pc(&pic, 0, 0);
	pulse(&pic, 6);
	pulse(&pic, 3);
	assert_inta(&pic, MBASE + 3);
	i8259_write(&pic, MASTER, DATA, 0x81);
	/* After ICW1 a read of port 0 gives IRR. */
	assert_int_equal(i8259_read(&pic, MASTER, CMD), 0x40);
	i8259_write(&pic, MASTER, CMD, OCW3_READ_ISR);
	assert_int_equal(i8259_read(&pic, MASTER, CMD), 0x08);
	assert_int_equal(i8259_read(&pic, MASTER, CMD), 0x08); /* kept */
	assert_int_equal(i8259_read(&pic, MASTER, DATA), 0x81);
	i8259_write(&pic, MASTER, CMD, OCW3_READ_IRR);
	assert_int_equal(i8259_read(&pic, MASTER, CMD), 0x40);
	/* RR = 0: no change of the register read, whatever RIS says. */
	i8259_write(&pic, MASTER, CMD, OCW3 | 0x01);
	assert_int_equal(i8259_read(&pic, MASTER, CMD), 0x40);
	/* Each chip has its own. */
	pulse(&pic, 9);
	i8259_write(&pic, MASTER, CMD, OCW3_READ_ISR);
	assert_int_equal(i8259_read(&pic, SLAVE, CMD), 0x02);
	assert_int_equal(i8259_read(&pic, SLAVE, DATA), 0);
	i8259_write(&pic, MASTER, CMD, OCW3_READ_ISR);
	/* ICW1 selects IRR again. */
	init_chip(&pic, MASTER, ICW1_IC4, MBASE, ICW4_UPM);
	pulse(&pic, 6);
	assert_int_equal(i8259_read(&pic, MASTER, CMD), 0x40);
}

static void poll_command(void **state)
{
	struct i8259 pic;

	(void)state;
	init_pc(&pic, 0, 0);
	/* No request: the poll word has I = 0. */
	i8259_write(&pic, MASTER, CMD, OCW3_POLL);
	assert_int_equal(i8259_read(&pic, MASTER, CMD) & POLL_INT, 0);
	pulse(&pic, 6);
	pulse(&pic, 4);
	i8259_write(&pic, MASTER, CMD, OCW3_POLL);
	/* The read is the INTA: the highest level, now in service. */
	assert_int_equal(i8259_read(&pic, MASTER, CMD), POLL_INT | 4);
	assert_int_equal(isr(&pic, MASTER), 0x10);
	assert_int_equal(irr(&pic, MASTER), 0x40);
	/* Only the next read polls. */
	assert_int_equal(i8259_read(&pic, MASTER, CMD), 0x40);
	eoi(&pic, MASTER);
	/* Poll has precedence over a register read in the same OCW3; the
	 * read after it gives that register. */
	i8259_write(&pic, MASTER, CMD, OCW3_POLL | 0x03);
	assert_int_equal(i8259_read(&pic, MASTER, CMD), POLL_INT | 6);
	assert_int_equal(i8259_read(&pic, MASTER, CMD), 0x40);
	eoi(&pic, MASTER);
	/* The slave polled on its own: its IRQ 11 in service there, the
	 * master's IR2 untouched. */
	pulse(&pic, 11);
	i8259_write(&pic, SLAVE, CMD, OCW3_POLL);
	assert_int_equal(i8259_read(&pic, SLAVE, CMD), POLL_INT | 3);
	assert_int_equal(isr(&pic, SLAVE), 0x08);
	assert_int_equal(isr(&pic, MASTER), 0);
	eoi(&pic, SLAVE);
	/* A poll of the master that finds the slave's request gives IR2. */
	pulse(&pic, 9);
	i8259_write(&pic, MASTER, CMD, OCW3_POLL);
	assert_int_equal(i8259_read(&pic, MASTER, CMD), POLL_INT | 2);
	assert_int_equal(isr(&pic, MASTER), 0x04);
	i8259_write(&pic, SLAVE, CMD, OCW3_POLL);
	assert_int_equal(i8259_read(&pic, SLAVE, CMD), POLL_INT | 1);
	/* Polling with interrupts masked: a masked level is not polled. */
	eoi(&pic, SLAVE);
	eoi(&pic, MASTER);
	i8259_write(&pic, MASTER, DATA, 0xff);
	pulse(&pic, 5);
	i8259_write(&pic, MASTER, CMD, OCW3_POLL);
	assert_int_equal(i8259_read(&pic, MASTER, CMD) & POLL_INT, 0);
}

static void special_mask_mode(void **state)
{
	struct i8259 pic;

	(void)state;
	init_pc(&pic, 0, 0);
	pulse(&pic, 3);
	assert_inta(&pic, MBASE + 3);
	/* Without SMM, masking IR3 in service still blocks lower levels. */
	i8259_write(&pic, MASTER, DATA, 0x08);
	pulse(&pic, 5);
	assert_false(i8259_intr(&pic));
	/* With SMM, a masked level in service blocks nothing. */
	i8259_write(&pic, MASTER, CMD, OCW3_SET_SMM);
	assert_inta(&pic, MBASE + 5);
	assert_int_equal(isr(&pic, MASTER), 0x28);
	/* IR5 in service, not masked: blocks IR6 as usual. */
	pulse(&pic, 6);
	assert_false(i8259_intr(&pic));
	i8259_write(&pic, MASTER, CMD, OCW2_SPECIFIC_EOI | 5);
	assert_inta(&pic, MBASE + 6);
	i8259_write(&pic, MASTER, CMD, OCW2_SPECIFIC_EOI | 6);
	/* ESMM = 0: SMM stays as it is. */
	i8259_write(&pic, MASTER, CMD, OCW3);
	pulse(&pic, 7);
	assert_inta(&pic, MBASE + 7);
	i8259_write(&pic, MASTER, CMD, OCW2_SPECIFIC_EOI | 7);
	/* Reset SMM: IR3 in service blocks again. */
	i8259_write(&pic, MASTER, CMD, OCW3_RESET_SMM);
	pulse(&pic, 7);
	assert_false(i8259_intr(&pic));
	i8259_write(&pic, MASTER, CMD, OCW2_SPECIFIC_EOI | 3);
	assert_inta(&pic, MBASE + 7);
}

static void special_fully_nested_mode(void **state)
{
	struct i8259 pic;

	(void)state;
	init_pc(&pic, ICW4_SFNM, 0);
	pulse(&pic, 12);
	assert_inta(&pic, SBASE + 4);
	/* A higher input of the same slave gets through IR2 in service. */
	pulse(&pic, 9);
	assert_inta(&pic, SBASE + 1);
	assert_int_equal(isr(&pic, SLAVE), 0x12);
	assert_int_equal(isr(&pic, MASTER), 0x04);
	/* A lower one of the slave does not: the slave's own nesting. */
	pulse(&pic, 14);
	assert_false(i8259_intr(&pic));
	/* The master is otherwise fully nested: a master input below IR2
	 * still waits while IR2 is in service, one above does not. */
	pulse(&pic, 5);
	assert_false(i8259_intr(&pic));
	pulse(&pic, 0);
	assert_inta(&pic, MBASE + 0);
	eoi(&pic, MASTER);
	/* The handler checks the slave's ISR before the master's EOI. */
	eoi(&pic, SLAVE);
	assert_int_equal(isr(&pic, SLAVE), 0x10);
	eoi(&pic, SLAVE);
	assert_int_equal(isr(&pic, SLAVE), 0);
	/* The slave asks again (IRQ 14) while IR2 is still in service. */
	assert_inta(&pic, SBASE + 6);
	eoi(&pic, SLAVE);
	eoi(&pic, MASTER);
	assert_inta(&pic, MBASE + 5);
	eoi(&pic, MASTER);
	assert_false(i8259_intr(&pic));

	/* Without SFNM the same higher slave input waits. */
	init_pc(&pic, 0, 0);
	pulse(&pic, 12);
	assert_inta(&pic, SBASE + 4);
	pulse(&pic, 9);
	assert_false(i8259_intr(&pic));
}

static void other_irqs_and_chips_are_ignored(void **state)
{
	struct i8259 pic, before;

	(void)state;
	init_pc(&pic, 0, 0);
	before = pic;
	i8259_set_irq(&pic, 16, true);
	i8259_set_irq(&pic, 255, true);
	i8259_set_irq(&pic, ~0u, true);
	assert_memory_equal(&pic, &before, sizeof(pic));
	assert_false(i8259_intr(&pic));
}

/* ---- The device, through the fake VM ---- */

struct fixture {
	struct test_vm vm; /* env.ctx points here */
	struct vm_config cfg;
	void *pic;
	unsigned int nr_controllers, extints;
	struct irq_controller ic;
};

static struct fixture *fixture_of(void *ctx)
{
	return (struct fixture *)((char *)ctx - offsetof(struct fixture, vm));
}

static void fx_set_irq_controller(void *ctx, const struct irq_controller *ic)
{
	struct fixture *fx = fixture_of(ctx);

	fx->nr_controllers++;
	fx->ic = *ic;
}

static void fx_extint(void *ctx)
{
	fixture_of(ctx)->extints++;
}

static struct fixture *fx_new(void)
{
	static struct fixture fx;

	memset(&fx, 0, sizeof(fx));
	test_vm_init(&fx.vm, NULL, 1);
	fx.vm.env.set_irq_controller = fx_set_irq_controller;
	fx.vm.env.extint = fx_extint;
	vm_config_init(&fx.cfg);
	fx.cfg.irqchip = IRQCHIP_SPLIT;
	return &fx;
}

static int setup(void **state)
{
	struct fixture *fx = fx_new();

	fx->pic = test_attach(&fx->vm, &i8259_kind, &fx->cfg, 0);
	if (!fx->pic || fx->nr_controllers != 1)
		return -1;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	i8259_kind.destroy(fx->pic);
	test_vm_free(&fx->vm);
	return 0;
}

static void out8(struct fixture *fx, uint16_t port, uint8_t v)
{
	assert_true(tv_out8(&fx->vm, port, v));
}

static uint8_t in8(struct fixture *fx, uint16_t port)
{
	return tv_in8(&fx->vm, port);
}

static int line(struct fixture *fx, unsigned int gsi, bool level)
{
	return fx->ic.set_line(fx->ic.opaque, gsi, level);
}

static bool intr(struct fixture *fx)
{
	return fx->ic.intr(fx->ic.opaque);
}

static uint8_t inta(struct fixture *fx)
{
	return fx->ic.inta(fx->ic.opaque);
}

/* As Linux's init_8259A() programs them, through the ports. */
static void guest_init(struct fixture *fx)
{
	out8(fx, 0x20, ICW1 | ICW1_IC4);
	out8(fx, 0x21, 0x30);
	out8(fx, 0x21, 0x04);
	out8(fx, 0x21, ICW4_UPM);
	out8(fx, 0xa0, ICW1 | ICW1_IC4);
	out8(fx, 0xa1, 0x38);
	out8(fx, 0xa1, 0x02);
	out8(fx, 0xa1, ICW4_UPM);
}

static void device_registers_a_controller_with_inta(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(fx->nr_controllers, 1);
	assert_non_null(fx->ic.set_line);
	assert_non_null(fx->ic.intr);
	assert_non_null(fx->ic.inta);
	assert_null(fx->ic.eoi); /* the 8259's EOIs come by its ports */
	assert_int_equal(fx->extints, 0);
	assert_false(intr(fx));
}

static void device_ports(void **state)
{
	struct fixture *fx = *state;
	uint8_t b[4];

	guest_init(fx);
	out8(fx, 0x21, 0x02);
	out8(fx, 0xa1, 0x40);
	assert_int_equal(in8(fx, 0x21), 0x02);
	assert_int_equal(in8(fx, 0xa1), 0x40);
	assert_int_equal(line(fx, 1, true), 0);
	assert_int_equal(in8(fx, 0x20), 0x02); /* IRR, masked or not */
	assert_false(intr(fx));
	out8(fx, 0x21, 0);
	assert_true(intr(fx));
	assert_int_equal(inta(fx), 0x31);
	out8(fx, 0x20, OCW3_READ_ISR);
	assert_int_equal(in8(fx, 0x20), 0x02);
	out8(fx, 0x20, OCW2_EOI);
	assert_int_equal(in8(fx, 0x20), 0);

	/* The ELCR: one byte at each port, or both in one access. */
	out8(fx, 0x4d0, 0xff);
	out8(fx, 0x4d1, 0xff);
	assert_int_equal(in8(fx, 0x4d0), 0xf8);
	assert_int_equal(in8(fx, 0x4d1), 0xde);
	b[0] = 0x28;
	b[1] = 0x04;
	assert_true(bus_access(&fx->vm.pio, 0x4d0, true, b, 2));
	memset(b, 0xee, sizeof(b));
	assert_true(bus_access(&fx->vm.pio, 0x4d0, false, b, 2));
	assert_int_equal(b[0], 0x28);
	assert_int_equal(b[1], 0x04);
	assert_int_equal(in8(fx, 0x4d0), 0x28);
	assert_int_equal(in8(fx, 0x4d1), 0x04);
	/* The level IRQ 10 set by it asks while high. */
	assert_int_equal(line(fx, 10, true), 0);
	assert_int_equal(inta(fx), 0x3a);
	out8(fx, 0xa0, OCW2_EOI);
	out8(fx, 0x20, OCW2_EOI);
	assert_int_equal(inta(fx), 0x3a);
	assert_int_equal(line(fx, 10, false), 0);
	out8(fx, 0xa0, OCW2_EOI);
	out8(fx, 0x20, OCW2_EOI);
	assert_false(intr(fx));
	/* A word at a chip's command port is two byte cycles: the data
	 * port (the IMR) gets the second byte, and is read second. */
	b[0] = OCW3_READ_ISR;
	b[1] = 0x55;
	assert_true(bus_access(&fx->vm.pio, 0xa0, true, b, 2));
	assert_int_equal(in8(fx, 0xa1), 0x55);
	memset(b, 0xee, sizeof(b));
	assert_true(bus_access(&fx->vm.pio, 0xa0, false, b, 2));
	assert_int_equal(b[0], 0); /* the ISR */
	assert_int_equal(b[1], 0x55);
	out8(fx, 0xa1, 0);
	/* Past the ranges nothing is the PIC's; a word at 0x4d1 runs past
	 * the ELCR's two bytes. */
	assert_false(bus_access(&fx->vm.pio, 0x4d1, false, b, 2));
	assert_false(bus_access(&fx->vm.pio, 0x21, false, b, 2));
	assert_false(tv_out8(&fx->vm, 0x22, 0));
	assert_false(tv_out8(&fx->vm, 0xa2, 0));
	assert_false(tv_out8(&fx->vm, 0x4d2, 0));
}

static void device_set_line_past_irq15_changes_nothing(void **state)
{
	struct fixture *fx = *state;
	unsigned int gsi;

	guest_init(fx);
	out8(fx, 0x4d1, 0xde);
	for (gsi = I8259_NR_IRQS; gsi < 64; gsi++) {
		assert_int_equal(line(fx, gsi, true), 0);
		assert_int_equal(line(fx, gsi, false), 0);
		assert_int_equal(line(fx, gsi, true), 0);
	}
	assert_int_equal(line(fx, ~0u, true), 0);
	assert_false(intr(fx));
	assert_int_equal(fx->extints, 0);
	assert_int_equal(in8(fx, 0x20), 0);
	assert_int_equal(in8(fx, 0xa0), 0);
	/* The spurious vector: nothing in service anywhere. */
	assert_int_equal(inta(fx), 0x37);
	out8(fx, 0x20, OCW3_READ_ISR);
	out8(fx, 0xa0, OCW3_READ_ISR);
	assert_int_equal(in8(fx, 0x20), 0);
	assert_int_equal(in8(fx, 0xa0), 0);
}

static void device_extint_on_rising_int_only(void **state)
{
	struct fixture *fx = *state;

	guest_init(fx);
	assert_int_equal(line(fx, 4, true), 0);
	assert_int_equal(fx->extints, 1);
	/* INT stays high: no more kicks for more requests. */
	assert_int_equal(line(fx, 4, false), 0);
	assert_int_equal(line(fx, 1, true), 0);
	assert_int_equal(line(fx, 12, true), 0);
	assert_int_equal(fx->extints, 1);
	assert_int_equal(inta(fx), 0x31);
	assert_int_equal(fx->extints, 1);
	/* INT falls (IR1 in service blocks the rest): no kick. */
	assert_false(intr(fx));
	/* The EOI lets IR2 (the slave's IRQ 12) through: INT rises in a
	 * port write. */
	out8(fx, 0x20, OCW2_EOI);
	assert_true(intr(fx));
	assert_int_equal(fx->extints, 2);
	/* Masked and unmasked: falls, then rises again. */
	out8(fx, 0x21, 0xff);
	assert_false(intr(fx));
	assert_int_equal(fx->extints, 2);
	out8(fx, 0x21, 0x00);
	assert_true(intr(fx));
	assert_int_equal(fx->extints, 3);
	assert_int_equal(inta(fx), 0x3c);
	assert_int_equal(inta(fx), 0x37); /* spurious: INT is low */
	assert_int_equal(fx->extints, 3);
	out8(fx, 0xa0, OCW2_EOI);
	out8(fx, 0x20, OCW2_EOI);
	assert_true(intr(fx)); /* IRQ 4 still latched */
	assert_int_equal(fx->extints, 4);
	assert_int_equal(inta(fx), 0x34);
	out8(fx, 0x20, OCW2_EOI);
	assert_false(intr(fx));
	/* A rise through the slave, by a line. */
	assert_int_equal(line(fx, 12, false), 0);
	assert_int_equal(line(fx, 12, true), 0);
	assert_int_equal(fx->extints, 5);
	/* A poll read that takes IR2 lowers INT: no kick. */
	out8(fx, 0x20, OCW3_POLL);
	assert_int_equal(in8(fx, 0x20), POLL_INT | 2);
	assert_false(intr(fx));
	assert_int_equal(fx->extints, 5);
	/* An ELCR write changes no request, so no INT either. */
	out8(fx, 0x4d0, 0xf8);
	assert_int_equal(fx->extints, 5);
}

static void present_only_with_a_split_irqchip(void **state)
{
	struct vm_config cfg;
	struct test_vm vm;

	(void)state;
	vm_config_init(&cfg);
	cfg.irqchip = IRQCHIP_SPLIT;
	assert_int_equal(i8259_kind.count(&cfg), 1);
	cfg.irqchip = IRQCHIP_KERNEL;
	assert_int_equal(i8259_kind.count(&cfg), 0);
	/* A VM with no place for it: attach fails with a message. */
	test_vm_init(&vm, NULL, 1);
	cfg.irqchip = IRQCHIP_SPLIT;
	err_set("%s", "");
	assert_null(test_attach(&vm, &i8259_kind, &cfg, 0));
	assert_non_null(strstr(err_msg(), "i8259"));
	test_vm_free(&vm);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(icw_sequence_sets_vector_base),
		cmocka_unit_test(icw_single_without_icw3_and_icw4),
		cmocka_unit_test(imr_masks_requests),
		cmocka_unit_test(higher_irq_nests_lower_waits),
		cmocka_unit_test(cascade_through_ir2),
		cmocka_unit_test(spurious_irq7_and_irq15),
		cmocka_unit_test(elcr_fixed_bits_and_level_inputs),
		cmocka_unit_test(elcr_write_looks_at_a_high_line),
		cmocka_unit_test(slave_auto_eoi_polled_twice),
		cmocka_unit_test(edge_input_must_rise_again_after_icw1),
		cmocka_unit_test(auto_eoi_and_rotation),
		cmocka_unit_test(slave_auto_eoi_delivers_both),
		cmocka_unit_test(power_on_masks_every_input),
		cmocka_unit_test(ocw2_eoi_commands),
		cmocka_unit_test(ocw3_reads_irr_isr_imr),
		cmocka_unit_test(poll_command),
		cmocka_unit_test(special_mask_mode),
		cmocka_unit_test(special_fully_nested_mode),
		cmocka_unit_test(other_irqs_and_chips_are_ignored),
		T(device_registers_a_controller_with_inta),
		T(device_ports),
		T(device_set_line_past_irq15_changes_nothing),
		T(device_extint_on_rising_int_only),
		cmocka_unit_test(present_only_with_a_split_irqchip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
