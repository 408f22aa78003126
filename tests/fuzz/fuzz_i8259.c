// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_i8259.c - the split irqchip's two cascaded 8259As
 * (src/devices/i8259.c) as the guest, the devices and the boot vCPU
 * drive them: port accesses of any width at and around the PIC and ELCR
 * ports, ISA lines driven, and interrupt acknowledge cycles, attached
 * through its struct device_kind on the fake VM of
 * tests/unit/device_test_util.h, whose controller and ExtINT kicks are
 * recorded.
 *
 * Input: steps until the input ends: u8 opcode (enum op) and its
 * arguments.
 *
 * Properties, held against a model of two Intel 8259As (data sheet
 * 231468-003) wired as on a PC/AT, as kvmux/i8259.h documents them,
 * besides ASan and UBSan:
 * - every byte read is the model's: IRR or ISR as OCW3 chose, IMR, the
 *   poll word (which takes the request into service), the ELCR with its
 *   fixed bits; a wider access at 0x20 or 0xa0, or at the ELCR, is byte
 *   cycles port after port, as on the ISA bus; an access that is not
 *   wholly inside
 *   0x20-0x21, 0xa0-0xa1 or 0x4d0-0x4d1 is not the PIC's; after every
 *   step each chip's IRR, ISR and IMR and the ELCR read as the model
 *   says (unless a poll is pending: that read would be the poll);
 * - intr() is the model's master INT after every step, and inta(),
 *   whether INT is asserted or not (spurious), gives the model's vector
 *   and puts what the model puts in service;
 * - extint is called once in each step where INT rose, and in no other;
 * - set_line() of a GSI past 15 returns 0 and changes nothing; the
 *   device registers one controller, with intr and inta.
 *
 * smoke runs: 20000
 */
#include "device_test_util.h"
#include "fuzz.h"
#include "kvmux/i8259.h"
#include "kvmux/irq.h"

#define MAX_STEPS 4096
#define NR_PORTS 12

enum op {
	OP_WRITE,
	OP_READ,
	OP_LINE,
	OP_INTA, /* whatever INT says: spurious when it is low */
	OP_DELIVER, /* as the boot vCPU: only when INT is high */
	OP_INIT, /* a whole ICW1-ICW4 sequence */
	OP_OCW, /* a command word at port 0 of a chip */
	NR_OPS
};

/* --- the model ----------------------------------------------------------- */

/*
 * One 8259A as its data sheet describes it.  Its inputs feed IRR: a
 * level-sensitive input (ICW1 LTIM, or the ELCR bit) is IRR; an edge
 * input sets its IRR bit on a rise (the edge sense latch), which the
 * INTA that takes it clears.  The priority resolver walks the inputs
 * from the highest priority down and stops at the first that is in
 * service (fully nested) or requesting.
 */
struct m_chip {
	uint8_t in; /* the input levels */
	uint8_t irr, isr, imr, elcr, elcr_fixed; /* elcr_fixed: always 0 */
	uint8_t vbase; /* ICW2 T7-T3 */
	uint8_t bottom; /* the input of lowest priority */
	unsigned int next_icw; /* 0: operating; else the ICW expected */
	bool ic4, sngl, ltim, aeoi, sfnm, rotate_aeoi, smm, ris, poll;
};

struct model {
	struct m_chip c[2]; /* master, slave */
};

static bool m_level_sensitive(const struct m_chip *c, unsigned int ir)
{
	return c->ltim || (c->elcr >> ir & 1);
}

static void m_drive(struct m_chip *c, unsigned int ir, bool level)
{
	uint8_t bit = 1u << ir;
	bool was = c->in & bit;

	c->in = (c->in & ~bit) | (level ? bit : 0);
	if (m_level_sensitive(c, ir))
		c->irr = (c->irr & ~bit) | (level ? bit : 0);
	else if (level && !was)
		c->irr |= bit;
}

/* The IR whose request the chip passes on (INT, or the poll word); -1:
 * none. */
static int m_resolve(const struct m_chip *c, bool master)
{
	unsigned int rank, ir;
	bool requesting, in_service;

	for (rank = 0; rank < 8; rank++) {
		ir = (c->bottom + 1 + rank) % 8;
		requesting = (c->irr & ~c->imr) >> ir & 1;
		/* Special mask mode: a masked level in service does not
		 * hold lower ones back. */
		in_service =
			(c->isr >> ir & 1) && !(c->smm && (c->imr >> ir & 1));
		/* Special fully nested mode: the slave in service is not
		 * locked out of the master (a higher input of its own). */
		if (requesting &&
		    (!in_service || (master && c->sfnm && ir == 2)))
			return ir;
		if (in_service)
			return -1;
	}
	return -1;
}

/* The slave's INT is the master's IR2 wire. */
static void m_cascade(struct model *m)
{
	m_drive(&m->c[0], 2, m_resolve(&m->c[1], false) >= 0);
}

static bool m_int(const struct model *m)
{
	return m_resolve(&m->c[0], true) >= 0;
}

/* The chip takes ir into service (INTA or poll). */
static void m_take(struct m_chip *c, unsigned int ir)
{
	if (!m_level_sensitive(c, ir))
		c->irr &= ~(1u << ir); /* the edge sense latch is reset */
	if (!c->aeoi)
		c->isr |= 1u << ir;
	else if (c->rotate_aeoi)
		c->bottom = ir;
}

static uint8_t m_inta(struct model *m)
{
	struct m_chip *master = &m->c[0], *slave = &m->c[1];
	int ir = m_resolve(master, true), sir;
	uint8_t vector;

	if (ir < 0)
		return master->vbase | 7; /* spurious: nothing in service */
	if (ir == 2 && !master->sngl) {
		/* The slave puts its vector on the bus; if its request has
		 * gone, its IR7's. */
		sir = m_resolve(slave, false);
		if (sir >= 0)
			m_take(slave, sir);
		vector = slave->vbase | (sir >= 0 ? sir : 7);
		/* The slave's INT falls in the INTA cycle: if it asks again
		 * (auto-EOI, another request), IR2 sees a new edge. */
		m_drive(master, 2, false);
	} else {
		vector = master->vbase | ir;
	}
	m_take(master, ir);
	m_cascade(m);
	return vector;
}

static void m_set_line(struct model *m, unsigned int irq, bool level)
{
	if (irq >= 16)
		return;
	m_drive(&m->c[irq / 8], irq % 8, level);
	m_cascade(m);
}

static void m_icw1(struct m_chip *c, uint8_t v)
{
	c->ic4 = v & 0x01;
	c->sngl = v & 0x02;
	c->ltim = v & 0x08;
	/* The edge sense latches are reset: an edge input must go low and
	 * high again; a level one asks at once. */
	c->irr = c->ltim ? c->in : c->in & c->elcr;
	c->isr = 0;
	c->imr = 0;
	c->vbase = 0;
	c->bottom = 7;
	c->smm = c->ris = c->poll = false;
	c->aeoi = c->sfnm = c->rotate_aeoi = false;
	c->next_icw = 2;
}

/* The IR of highest priority in service; -1: none. */
static int m_top_in_service(const struct m_chip *c)
{
	unsigned int rank, ir;

	for (rank = 0; rank < 8; rank++) {
		ir = (c->bottom + 1 + rank) % 8;
		if (c->isr >> ir & 1)
			return ir;
	}
	return -1;
}

static void m_ocw2(struct m_chip *c, uint8_t v)
{
	bool r = v & 0x80, sl = v & 0x40, eoi = v & 0x20;
	unsigned int level = v & 7;
	int ir;

	if (!eoi) {
		if (sl && r)
			c->bottom = level; /* set priority */
		else if (!sl)
			c->rotate_aeoi = r; /* (clear) rotate in AEOI mode */
		return; /* R=0 SL=1: no operation */
	}
	ir = sl ? (int)level : m_top_in_service(c);
	if (ir < 0)
		return;
	c->isr &= ~(1u << ir);
	if (r)
		c->bottom = ir;
}

static void m_write(struct model *m, unsigned int chip, unsigned int a0,
		    uint8_t v)
{
	struct m_chip *c = &m->c[chip];

	if (!a0) {
		if (v & 0x10)
			m_icw1(c, v);
		else if (v & 0x08) { /* OCW3 */
			if (v & 0x04)
				c->poll = true;
			if (v & 0x02)
				c->ris = v & 0x01;
			if (v & 0x40)
				c->smm = v & 0x20;
		} else {
			m_ocw2(c, v);
		}
	} else if (c->next_icw == 2) {
		c->vbase = v & 0xf8;
		c->next_icw = !c->sngl ? 3 : c->ic4 ? 4 : 0;
	} else if (c->next_icw == 3) {
		c->next_icw = c->ic4 ? 4 : 0;
	} else if (c->next_icw == 4) {
		c->aeoi = v & 0x02;
		c->sfnm = v & 0x10;
		c->next_icw = 0;
	} else {
		c->imr = v;
	}
	m_cascade(m);
}

static uint8_t m_read(struct model *m, unsigned int chip, unsigned int a0)
{
	struct m_chip *c = &m->c[chip];
	int ir;

	if (c->poll) {
		/* The read is the interrupt acknowledge: I (bit 7) and the
		 * level, or 0 with no request. */
		c->poll = false;
		ir = m_resolve(c, chip == 0);
		if (ir < 0)
			return 0;
		/* The slave's read is its acknowledge: its INT falls, as in
		 * an INTA cycle, and rises again if it still asks. */
		if (chip == 1 && !m->c[0].sngl)
			m_drive(&m->c[0], 2, false);
		m_take(c, ir);
		m_cascade(m);
		return 0x80 | ir;
	}
	if (a0)
		return c->imr;
	return c->ris ? c->isr : c->irr;
}

/* An input the ELCR makes level-sensitive asks at once if its line is
 * high (an edge one keeps what it latched). */
static void m_write_elcr(struct model *m, unsigned int chip, uint8_t v)
{
	struct m_chip *c = &m->c[chip];
	uint8_t to_level = v & ~c->elcr_fixed & ~c->elcr;

	c->elcr = v & ~c->elcr_fixed;
	c->irr |= c->in & to_level;
	m_cascade(m);
}

/* The port of address port: chip and A0, ELCR byte, or not the PIC's. */
enum m_port_kind { M_NONE, M_CHIP, M_ELCR };

static enum m_port_kind m_port(uint16_t port, unsigned int *chip,
			       unsigned int *off)
{
	if (port == 0x20 || port == 0x21 || port == 0xa0 || port == 0xa1) {
		*chip = port >= 0xa0;
		*off = port & 1;
		return M_CHIP;
	}
	if (port == 0x4d0 || port == 0x4d1) {
		*chip = port & 1;
		*off = 0;
		return M_ELCR;
	}
	return M_NONE;
}

/* --- the harness --------------------------------------------------------- */

struct fpic {
	struct fuzz_in in;
	struct test_vm vm; /* env.ctx points here */
	struct vm_config cfg;
	void *dev;
	struct irq_controller ic;
	unsigned int nr_controllers, extints;
	struct model m;
	bool m_int; /* the model's INT before the step */
	unsigned int rises, spurious, vectors;
};

static struct fpic *fpic_of(void *ctx)
{
	return (struct fpic *)((char *)ctx - offsetof(struct fpic, vm));
}

static void set_irq_controller(void *ctx, const struct irq_controller *ic)
{
	struct fpic *f = fpic_of(ctx);

	f->nr_controllers++;
	f->ic = *ic;
}

static void extint(void *ctx)
{
	fpic_of(ctx)->extints++;
}

static const uint16_t ports[NR_PORTS] = {
	0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1, /* the PIC's */
	0x1f, 0x22, 0x9f, 0xa2, 0x4cf, 0x4d2, /* next to them */
};
static const unsigned int widths[4] = { 1, 1, 2, 4 };

/* INT as the model has it; extint called exactly if it rose. */
static void check_int(struct fpic *f, const char *what)
{
	bool now = m_int(&f->m), got = f->ic.intr(f->ic.opaque);
	unsigned int want = !f->m_int && now;

	if (got != now)
		fuzz_fail("after %s: INT %d, the model says %d", what, got,
			  now);
	if (f->extints != want)
		fuzz_fail("after %s: %u ExtINT kicks, the model says %u (INT "
			  "%d -> %d)",
			  what, f->extints, want, f->m_int, now);
	f->rises += want;
	f->extints = 0;
	f->m_int = now;
}

/* One port access of len bytes at port, checked against the model. */
static void pio(struct fpic *f, uint16_t port, unsigned int len, bool is_write,
		uint32_t value)
{
	uint8_t b[4], want[4];
	unsigned int chip, off, i;
	enum m_port_kind kind = m_port(port, &chip, &off);
	bool inside = kind != M_NONE, claimed;
	uint32_t got = 0, wanted = 0;

	/* Wholly inside the chip's or the ELCR's two ports. */
	if (kind == M_CHIP && off + len > 2)
		inside = false;
	if (kind == M_ELCR && chip + len > 2)
		inside = false;
	memcpy(b, &value, sizeof(b));
	if (is_write) {
		claimed = bus_access(&f->vm.pio, port, true, b, len);
		for (i = 0; inside && kind == M_CHIP && i < len; i++)
			m_write(&f->m, chip, off + i, b[i]);
		for (i = 0; inside && kind == M_ELCR && i < len; i++)
			m_write_elcr(&f->m, chip + i, b[i]);
	} else {
		memset(want, 0xff, sizeof(want));
		for (i = 0; inside && kind == M_CHIP && i < len; i++)
			want[i] = m_read(&f->m, chip, off + i);
		for (i = 0; inside && kind == M_ELCR && i < len; i++)
			want[i] = f->m.c[chip + i].elcr;
		memset(b, 0xee, sizeof(b));
		claimed = bus_access(&f->vm.pio, port, false, b, len);
		if (memcmp(b, want, len)) {
			memcpy(&got, b, len);
			memcpy(&wanted, want, len);
			fuzz_fail("in%u %#x: %#x, the model says %#x", len,
				  port, got, wanted);
		}
	}
	if (claimed != inside)
		fuzz_fail("%s%u %#x %s", is_write ? "out" : "in", len, port,
			  claimed ? "claimed" : "not claimed");
	check_int(f, is_write ? "a port write" : "a port read");
}

static void out8(struct fpic *f, uint16_t port, uint8_t v)
{
	pio(f, port, 1, true, v);
}

static void in8(struct fpic *f, uint16_t port)
{
	pio(f, port, 1, false, 0);
}

/* Every register of both chips as the model has it, through the ports as
 * a guest reads them (OCW3 selects IRR, then ISR, then the register the
 * guest had chosen).  A chip with a poll pending is left alone: any read
 * would be the poll. */
static void check_registers(struct fpic *f)
{
	static const uint16_t base[2] = { 0x20, 0xa0 };
	unsigned int chip;
	bool ris;

	for (chip = 0; chip < 2; chip++) {
		if (f->m.c[chip].poll)
			continue;
		ris = f->m.c[chip].ris;
		out8(f, base[chip], 0x0a);
		in8(f, base[chip]);
		out8(f, base[chip], 0x0b);
		in8(f, base[chip]);
		out8(f, base[chip], 0x0a | ris);
		in8(f, base[chip] + 1);
	}
	pio(f, 0x4d0, 2, false, 0);
}

/* --- steps --------------------------------------------------------------- */

/* write: u8 port (index), u8 width, u32 value. */
static void op_write(struct fpic *f)
{
	uint16_t port = ports[fuzz_u8(&f->in) % NR_PORTS];
	unsigned int len = widths[fuzz_u8(&f->in) & 3];

	pio(f, port, len, true, fuzz_u32(&f->in));
}

/* read: u8 port (index), u8 width. */
static void op_read(struct fpic *f)
{
	uint16_t port = ports[fuzz_u8(&f->in) % NR_PORTS];

	pio(f, port, widths[fuzz_u8(&f->in) & 3], false, 0);
}

/* line: u8 GSI (0-31), u8 level (bit 0). */
static void op_line(struct fpic *f)
{
	unsigned int gsi = fuzz_u8(&f->in) & 31;
	bool level = fuzz_u8(&f->in) & 1;
	int rc;

	/* Past IRQ 15 a line is an IOAPIC pin only: no change, and no
	 * failure (the VM drives every line into each controller). */
	m_set_line(&f->m, gsi, level);
	rc = f->ic.set_line(f->ic.opaque, gsi, level);
	if (rc != 0)
		fuzz_fail("set_line(%u, %d) = %d", gsi, level, rc);
	check_int(f, "set_line");
}

static void op_inta(struct fpic *f, bool only_if_int)
{
	uint8_t want, got;

	if (only_if_int && !f->ic.intr(f->ic.opaque))
		return;
	if (!m_int(&f->m))
		f->spurious++;
	want = m_inta(&f->m);
	got = f->ic.inta(f->ic.opaque);
	if (got != want)
		fuzz_fail("INTA: vector %#x, the model says %#x", got, want);
	f->vectors++;
	check_int(f, "INTA");
}

/* init: u8 chip (bit 0), u8 ICW1 (bit 4 forced), u8 ICW2, u8 ICW4: the
 * sequence ICW1 asks for, ICW3 as on a PC. */
static void op_init(struct fpic *f)
{
	unsigned int chip = fuzz_u8(&f->in) & 1;
	uint16_t port = chip ? 0xa0 : 0x20;
	uint8_t icw1 = fuzz_u8(&f->in) | 0x10, icw2 = fuzz_u8(&f->in);
	uint8_t icw4 = fuzz_u8(&f->in);

	out8(f, port, icw1);
	out8(f, port + 1, icw2);
	if (!(icw1 & 0x02))
		out8(f, port + 1, chip ? 0x02 : 0x04);
	if (icw1 & 0x01)
		out8(f, port + 1, icw4);
}

/* ocw: u8 chip (bit 0), u8 command: OCW2 (bits 4:3 = 00) or OCW3 (01). */
static void op_ocw(struct fpic *f)
{
	uint16_t port = fuzz_u8(&f->in) & 1 ? 0xa0 : 0x20;

	out8(f, port, fuzz_u8(&f->in) & ~0x10);
}

/* --- one input ----------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fpic f;
	unsigned int steps = 0, chip;

	memset(&f, 0, sizeof(f));
	f.in = fuzz_in(data, size);
	test_vm_init(&f.vm, NULL, 1);
	f.vm.env.set_irq_controller = set_irq_controller;
	f.vm.env.extint = extint;
	vm_config_init(&f.cfg);
	f.cfg.irqchip = IRQCHIP_SPLIT;
	FUZZ_CHECK(i8259_kind.count(&f.cfg) == 1);
	f.dev = test_attach(&f.vm, &i8259_kind, &f.cfg, 0);
	FUZZ_CHECK(f.dev && f.nr_controllers == 1);
	FUZZ_CHECK(f.ic.set_line && f.ic.intr && f.ic.inta);
	/* Power-on: uninitialised, every input masked (as a BIOS leaves
	 * them; ICW1 clears the mask) and edge; IRQs 0-2, 8 and 13 are
	 * edge for good. */
	for (chip = 0; chip < 2; chip++) {
		f.m.c[chip].bottom = 7;
		f.m.c[chip].imr = 0xff;
	}
	f.m.c[0].elcr_fixed = 0x07;
	f.m.c[1].elcr_fixed = 0x21;
	check_registers(&f);
	while (f.in.left && steps++ < MAX_STEPS) {
		uint8_t op = fuzz_u8(&f.in) % NR_OPS;

		if (op == OP_WRITE)
			op_write(&f);
		else if (op == OP_READ)
			op_read(&f);
		else if (op == OP_LINE)
			op_line(&f);
		else if (op == OP_INTA || op == OP_DELIVER)
			op_inta(&f, op == OP_DELIVER);
		else if (op == OP_INIT)
			op_init(&f);
		else
			op_ocw(&f);
		check_registers(&f);
	}
	FUZZ_CHECK(f.nr_controllers == 1);
	FUZZ_CHECK(f.vm.stops == 0 && f.vm.notes == 0 && f.vm.nr_levels == 0);
	fuzz_note("%u steps, %u INTAs (%u spurious), %u rises of INT", steps,
		  f.vectors, f.spurious, f.rises);
	i8259_kind.destroy(f.dev);
	test_vm_free(&f.vm);
	return 0;
}
