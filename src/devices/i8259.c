// SPDX-License-Identifier: GPL-2.0-only
/*
 * i8259.c - the PC's two 8259A interrupt controllers (kvmux/i8259.h).
 *
 * The chip logic (i8259_*()) is plain state, driven by the unit tests
 * directly; the device around it takes a lock (vCPU threads reach the
 * ports, any thread drives a line, the boot vCPU acknowledges), plugs in
 * as one of the VM's interrupt controllers, and has the boot vCPU kicked
 * when the master's INT rises.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "kvmux/bus.h"
#include "kvmux/config.h"
#include "kvmux/device.h"
#include "kvmux/error.h"
#include "kvmux/i8259.h"
#include "kvmux/irq.h"

#define MASTER 0
#define SLAVE 1
#define SPURIOUS_IRQ 7

#define ICW1 0x10 /* a port-0 write with bit 4: ICW1 */
#define ICW1_IC4 0x01
#define ICW1_SNGL 0x02
#define ICW1_LTIM 0x08
#define ICW4_AEOI 0x02
#define ICW4_SFNM 0x10
#define OCW3 0x08 /* a port-0 write with bits 4:3 = 01: OCW3 */
#define OCW3_RIS 0x01
#define OCW3_RR 0x02
#define OCW3_P 0x04
#define OCW3_SMM 0x20
#define OCW3_ESMM 0x40
#define POLL_INT 0x80

/* OCW2 commands (bits 7:5). */
enum {
	OCW2_ROTATE_AEOI_CLEAR = 0,
	OCW2_EOI = 1,
	OCW2_NOP = 2,
	OCW2_SPECIFIC_EOI = 3,
	OCW2_ROTATE_AEOI_SET = 4,
	OCW2_ROTATE_EOI = 5,
	OCW2_SET_PRIORITY = 6,
	OCW2_ROTATE_SPECIFIC_EOI = 7,
};

/* The input of highest priority among the bits of mask; -1: none.
 * Priorities rotate: the input after `lowest` comes first. */
static int highest(const struct i8259_chip *c, uint8_t mask)
{
	unsigned int p, irq;

	for (p = 1; p <= 8; p++) {
		irq = (c->lowest + p) & 7;
		if (mask & 1u << irq)
			return irq;
	}
	return -1;
}

/* 0 for the highest priority, 7 for the lowest. */
static unsigned int priority(const struct i8259_chip *c, unsigned int irq)
{
	return (irq - c->lowest - 1) & 7;
}

/* The request this chip makes: an unmasked one of higher priority than
 * every input in service (that the special mask mode leaves counting);
 * -1: none.  In the special fully nested mode the master also takes the
 * slave's request while IR2 is in service (a higher input of the same
 * slave: the slave does its own nesting), but stays nested for its other
 * inputs: IR2 in service still holds IR3-IR7 back. */
static int request(const struct i8259_chip *c, bool master)
{
	int irq = highest(c, c->irr & ~c->imr);
	uint8_t in_service = c->isr;
	int cur;

	if (irq < 0)
		return -1;
	if (c->special_mask)
		in_service &= ~c->imr;
	cur = highest(c, in_service);
	if (master && c->fully_nested && cur == I8259_CASCADE_IRQ &&
	    irq == I8259_CASCADE_IRQ)
		return irq;
	if (cur >= 0 && priority(c, cur) <= priority(c, irq))
		return -1;
	return irq;
}

static bool level_sensitive(const struct i8259_chip *c, unsigned int irq)
{
	return c->level_mode || (c->elcr & 1u << irq);
}

static void chip_set_line(struct i8259_chip *c, unsigned int irq, bool level)
{
	uint8_t bit = 1u << irq;

	if (level_sensitive(c, irq)) {
		if (level)
			c->irr |= bit;
		else
			c->irr &= ~bit;
	} else if (level && !(c->lines & bit)) {
		c->irr |= bit; /* a rising edge; a falling one leaves IRR */
	}
	c->lines = level ? c->lines | bit : c->lines & ~bit;
}

/* The slave's INT is the master's IR2 (unless the master is single). */
static void cascade(struct i8259 *pic)
{
	chip_set_line(&pic->chip[MASTER], I8259_CASCADE_IRQ,
		      request(&pic->chip[SLAVE], false) >= 0);
}

static void chip_init(struct i8259_chip *c, uint8_t elcr_mask)
{
	memset(c, 0, sizeof(*c));
	c->lowest = 7;
	c->elcr_mask = elcr_mask;
}

void i8259_init(struct i8259 *pic)
{
	/* IRQs 0-2 (timer, keyboard, cascade), 8 (RTC) and 13 (FPU) are
	 * edge-triggered on a PC: their ELCR bits are fixed at 0. */
	chip_init(&pic->chip[MASTER], 0xf8);
	chip_init(&pic->chip[SLAVE], 0xde);
	/* Every input masked, as a BIOS leaves them (the data sheet leaves
	 * the IMR undefined until ICW1 clears it): a guest that never
	 * initialises the 8259s, with LVT0 in ExtINT mode as KVM resets
	 * it, would otherwise take its PIT's or UART's interrupts on
	 * exception vectors (the power-on base is 0). */
	pic->chip[MASTER].imr = 0xff;
	pic->chip[SLAVE].imr = 0xff;
}

void i8259_set_irq(struct i8259 *pic, unsigned int irq, bool level)
{
	if (irq >= I8259_NR_IRQS)
		return;
	chip_set_line(&pic->chip[irq / 8], irq % 8, level);
	cascade(pic);
}

bool i8259_intr(const struct i8259 *pic)
{
	return request(&pic->chip[MASTER], true) >= 0;
}

/* The chip takes irq into service. */
static void acknowledge(struct i8259_chip *c, unsigned int irq)
{
	uint8_t bit = 1u << irq;

	if (!level_sensitive(c, irq))
		c->irr &= ~bit; /* a level input keeps asking while high */
	if (!c->auto_eoi)
		c->isr |= bit;
	else if (c->rotate_on_aeoi)
		c->lowest = irq;
}

uint8_t i8259_inta(struct i8259 *pic)
{
	struct i8259_chip *m = &pic->chip[MASTER], *s = &pic->chip[SLAVE];
	int irq = request(m, true), irq2;
	uint8_t vector;

	if (irq < 0)
		return m->base + SPURIOUS_IRQ; /* nothing goes in service */
	if (irq == I8259_CASCADE_IRQ && !m->single) {
		irq2 = request(s, false);
		if (irq2 >= 0)
			acknowledge(s, irq2);
		vector = s->base + (irq2 >= 0 ? irq2 : SPURIOUS_IRQ);
		/* The slave's INT drops in the cycle and rises again if it
		 * still asks (auto-EOI): a new edge on the master's IR2. */
		chip_set_line(m, I8259_CASCADE_IRQ, false);
	} else {
		vector = m->base + irq;
	}
	acknowledge(m, irq);
	cascade(pic);
	return vector;
}

static void icw1(struct i8259_chip *c, uint8_t val)
{
	uint8_t lines = c->lines, elcr = c->elcr, mask = c->elcr_mask;

	/* Everything but the inputs and the ELCR is reset; an edge input
	 * must rise again to ask. */
	chip_init(c, mask);
	c->lines = lines;
	c->elcr = elcr;
	c->need_icw4 = val & ICW1_IC4;
	c->single = val & ICW1_SNGL;
	c->level_mode = val & ICW1_LTIM;
	c->irr = c->lines & (c->level_mode ? 0xff : c->elcr);
	c->init_step = 2;
}

static void ocw2(struct i8259_chip *c, uint8_t val)
{
	unsigned int irq = val & 7;
	int top;

	switch (val >> 5) {
	case OCW2_ROTATE_AEOI_CLEAR:
	case OCW2_ROTATE_AEOI_SET:
		c->rotate_on_aeoi = val >> 5 == OCW2_ROTATE_AEOI_SET;
		break;
	case OCW2_EOI:
	case OCW2_ROTATE_EOI:
		top = highest(c, c->isr);
		if (top < 0)
			break;
		c->isr &= ~(1u << top);
		if (val >> 5 == OCW2_ROTATE_EOI)
			c->lowest = top;
		break;
	case OCW2_SPECIFIC_EOI:
	case OCW2_ROTATE_SPECIFIC_EOI:
		c->isr &= ~(1u << irq);
		if (val >> 5 == OCW2_ROTATE_SPECIFIC_EOI)
			c->lowest = irq;
		break;
	case OCW2_SET_PRIORITY:
		c->lowest = irq;
		break;
	default: /* OCW2_NOP */
		break;
	}
}

static void ocw3(struct i8259_chip *c, uint8_t val)
{
	if (val & OCW3_P)
		c->poll = true;
	if (val & OCW3_RR)
		c->read_isr = val & OCW3_RIS;
	if (val & OCW3_ESMM)
		c->special_mask = val & OCW3_SMM;
}

/* Port 1: ICW2-ICW4 while initialising, else OCW1 (the mask). */
static void write_data(struct i8259_chip *c, uint8_t val)
{
	switch (c->init_step) {
	case 2:
		c->base = val & 0xf8;
		c->init_step = !c->single ? 3 : c->need_icw4 ? 4 : 0;
		break;
	case 3: /* the cascade wiring: fixed on a PC */
		c->init_step = c->need_icw4 ? 4 : 0;
		break;
	case 4:
		c->auto_eoi = val & ICW4_AEOI;
		c->fully_nested = val & ICW4_SFNM;
		c->init_step = 0;
		break;
	default:
		c->imr = val;
		break;
	}
}

void i8259_write(struct i8259 *pic, unsigned int chip, unsigned int off,
		 uint8_t val)
{
	struct i8259_chip *c = &pic->chip[chip & 1];

	if (off & 1)
		write_data(c, val);
	else if (val & ICW1)
		icw1(c, val);
	else if (val & OCW3)
		ocw3(c, val);
	else
		ocw2(c, val);
	cascade(pic);
}

/* The poll command: this chip's request, taken into service, as
 * 0x80 | IR; 0 if none. */
static uint8_t poll(struct i8259 *pic, unsigned int chip)
{
	struct i8259_chip *c = &pic->chip[chip];
	int irq = request(c, chip == MASTER);

	c->poll = false;
	if (irq < 0)
		return 0;
	/* The read is the slave's acknowledge cycle: as in an INTA cycle
	 * its INT drops, and rises again if it still asks (auto-EOI), a new
	 * edge on the master's IR2. */
	if (chip == SLAVE && !pic->chip[MASTER].single)
		chip_set_line(&pic->chip[MASTER], I8259_CASCADE_IRQ, false);
	acknowledge(c, irq);
	cascade(pic);
	return POLL_INT | irq;
}

uint8_t i8259_read(struct i8259 *pic, unsigned int chip, unsigned int off)
{
	struct i8259_chip *c = &pic->chip[chip & 1];

	if (c->poll)
		return poll(pic, chip & 1);
	if (off & 1)
		return c->imr;
	return c->read_isr ? c->isr : c->irr;
}

uint8_t i8259_read_elcr(const struct i8259 *pic, unsigned int chip)
{
	return pic->chip[chip & 1].elcr;
}

void i8259_write_elcr(struct i8259 *pic, unsigned int chip, uint8_t val)
{
	struct i8259_chip *c = &pic->chip[chip & 1];
	uint8_t to_level = val & c->elcr_mask & ~c->elcr;

	c->elcr = val & c->elcr_mask;
	/* An input made level-sensitive asks while its line is high, though
	 * the line rose before (devices drive a line only when it
	 * changes); one made edge-triggered keeps what it latched. */
	c->irr |= c->lines & to_level;
	cascade(pic);
}

/* ---- The device ---- */

struct i8259_dev {
	struct device_env env;
	pthread_mutex_t lock;
	struct i8259 pic;
	/* INT's level, written under the lock after each change and read
	 * without it (atomic): the boot vCPU looks before every entry. */
	bool output;
};

/* With the lock held, after a change: publish INT's level; did it rise? */
static bool publish_output(struct i8259_dev *dev)
{
	bool level = i8259_intr(&dev->pic);
	bool was = __atomic_load_n(&dev->output, __ATOMIC_RELAXED);

	__atomic_store_n(&dev->output, level, __ATOMIC_RELEASE);
	return level && !was;
}

/* Outside the lock: the boot vCPU takes the new interrupt. */
static void tell_cpu(struct i8259_dev *dev, bool rose)
{
	if (rose)
		dev->env.extint(dev->env.ctx);
}

static int set_line(void *opaque, unsigned int gsi, bool level)
{
	struct i8259_dev *dev = opaque;
	bool rose;

	if (gsi >= I8259_NR_IRQS)
		return 0; /* an IOAPIC pin only */
	pthread_mutex_lock(&dev->lock);
	i8259_set_irq(&dev->pic, gsi, level);
	rose = publish_output(dev);
	pthread_mutex_unlock(&dev->lock);
	tell_cpu(dev, rose);
	return 0;
}

static bool intr(void *opaque)
{
	struct i8259_dev *dev = opaque;

	return __atomic_load_n(&dev->output, __ATOMIC_ACQUIRE);
}

/* On the boot vCPU's thread, which looks at INT again afterwards: no
 * kick for a rise. */
static uint8_t inta(void *opaque)
{
	struct i8259_dev *dev = opaque;
	uint8_t vector;

	pthread_mutex_lock(&dev->lock);
	vector = i8259_inta(&dev->pic);
	publish_output(dev);
	pthread_mutex_unlock(&dev->lock);
	return vector;
}

/* What a chip's port range gets: the device, and which chip. */
struct i8259_port {
	struct i8259_dev *dev;
	unsigned int chip;
};

static void port_read(void *opaque, uint64_t off, void *buf, unsigned int len)
{
	const struct i8259_port *p = opaque;
	struct i8259_dev *dev = p->dev;
	uint8_t *b = buf;
	unsigned int i;
	bool rose;

	memset(buf, 0xff, len);
	pthread_mutex_lock(&dev->lock);
	/* A word at the command port: the ISA bus makes it two byte
	 * cycles, the command port's and then the data port's. */
	for (i = 0; i < len && off + i < 2; i++)
		b[i] = i8259_read(&dev->pic, p->chip, off + i);
	rose = publish_output(dev); /* a poll may unblock the slave */
	pthread_mutex_unlock(&dev->lock);
	tell_cpu(dev, rose);
}

static void port_write(void *opaque, uint64_t off, const void *buf,
		       unsigned int len)
{
	const struct i8259_port *p = opaque;
	struct i8259_dev *dev = p->dev;
	const uint8_t *b = buf;
	unsigned int i;
	bool rose;

	pthread_mutex_lock(&dev->lock);
	for (i = 0; i < len && off + i < 2; i++) /* as port_read() */
		i8259_write(&dev->pic, p->chip, off + i, b[i]);
	rose = publish_output(dev);
	pthread_mutex_unlock(&dev->lock);
	tell_cpu(dev, rose);
}

static void elcr_read(void *opaque, uint64_t off, void *buf, unsigned int len)
{
	struct i8259_dev *dev = opaque;
	uint8_t *b = buf;
	unsigned int i;

	memset(buf, 0xff, len);
	pthread_mutex_lock(&dev->lock);
	for (i = 0; i < len && off + i < 2; i++)
		b[i] = i8259_read_elcr(&dev->pic, off + i);
	pthread_mutex_unlock(&dev->lock);
}

static void elcr_write(void *opaque, uint64_t off, const void *buf,
		       unsigned int len)
{
	struct i8259_dev *dev = opaque;
	const uint8_t *b = buf;
	unsigned int i;
	bool rose;

	pthread_mutex_lock(&dev->lock);
	for (i = 0; i < len && off + i < 2; i++)
		i8259_write_elcr(&dev->pic, off + i, b[i]);
	rose = publish_output(dev); /* a high line now asks */
	pthread_mutex_unlock(&dev->lock);
	tell_cpu(dev, rose);
}

static const struct bus_ops chip_ops = { .read = port_read,
					 .write = port_write };
static const struct bus_ops elcr_ops = { .read = elcr_read,
					 .write = elcr_write };

struct i8259_instance {
	struct i8259_dev dev;
	struct i8259_port port[2];
};

static unsigned int i8259_count(const struct vm_config *cfg)
{
	return cfg->irqchip == IRQCHIP_SPLIT;
}

static void *i8259_open(const struct vm_config *cfg, unsigned int i)
{
	struct i8259_instance *in = calloc(1, sizeof(*in));

	(void)cfg;
	(void)i;
	if (!in) {
		err_host("out of memory");
		return NULL;
	}
	pthread_mutex_init(&in->dev.lock, NULL);
	i8259_init(&in->dev.pic);
	in->port[MASTER] = (struct i8259_port){ &in->dev, MASTER };
	in->port[SLAVE] = (struct i8259_port){ &in->dev, SLAVE };
	return in;
}

static int i8259_attach(void *opaque, const struct device_env *env)
{
	struct i8259_instance *in = opaque;
	struct irq_controller ic = {
		.set_line = set_line,
		.intr = intr,
		.inta = inta,
		.opaque = &in->dev,
	};

	if (!env->set_irq_controller || !env->extint)
		return err_set("i8259: the VM has no place for it");
	in->dev.env = *env;
	if (bus_register(env->pio, I8259_MASTER_PORT, 2, &chip_ops,
			 &in->port[MASTER], "i8259 master") < 0 ||
	    bus_register(env->pio, I8259_SLAVE_PORT, 2, &chip_ops,
			 &in->port[SLAVE], "i8259 slave") < 0 ||
	    bus_register(env->pio, I8259_ELCR_PORT, 2, &elcr_ops, &in->dev,
			 "i8259 ELCR") < 0)
		return -1;
	env->set_irq_controller(env->ctx, &ic);
	return 0;
}

static void i8259_destroy(void *opaque)
{
	struct i8259_instance *in = opaque;

	pthread_mutex_destroy(&in->dev.lock);
	free(in);
}

const struct device_kind i8259_kind = {
	.name = "i8259",
	.count = i8259_count,
	.open = i8259_open,
	.attach = i8259_attach,
	.destroy = i8259_destroy,
};
