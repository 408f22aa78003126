// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_ioapic.c - the split irqchip's I/O APIC (src/devices/ioapic.c) as
 * the guest, the devices and KVM drive it: MMIO accesses of any width at
 * any offset of its window, input lines driven, EOIs of any vector, and
 * local APICs that take its messages or not, attached through its struct
 * device_kind on the fake VM of tests/unit/device_test_util.h, whose
 * MSIs and GSI routes are recorded.
 *
 * Input: u8 setup (the VM's CPUs: 1 + setup % 254; the chip's ID is their
 * number, in 4 bits), then steps until the input ends: u8 opcode (enum
 * op) and its arguments.
 *
 * Properties, held against a model of the 82093AA (datasheet 290566-001)
 * as kvmux/ioapic.h documents it, besides ASan and UBSan:
 * - every byte read is the model's: IOREGSEL (8 bits), IOWIN (the ID in
 *   bits 27:24, version 0x11 with 23 as the highest entry, arbitration =
 *   the ID, the 24 redirection entries with read-only delivery status
 *   (always 0) and remote IRR, 0 for registers that are not there), 0 at
 *   other offsets; a narrow access takes a register's low bytes, a wide
 *   one reads zeros above them; past the window is not the chip's; after
 *   every step each register reads as the model says;
 * - the MSIs sent, address and data in order, are the model's: entries
 *   masked at reset; an edge pin sends on a rising edge while unmasked;
 *   a level pin sends while asserted, unmasked and without remote IRR
 *   (when its line is driven, its entry changes, or at an EOI), and gets
 *   remote IRR only when a local APIC took the message; an EOI clears
 *   remote IRR on the pins of its vector, which send again if they may;
 *   an entry turned edge loses its remote IRR;
 * - each MSI goes out with a route of the same message installed, and
 *   after every step the last route table is one route per unmasked pin,
 *   the pin's GSI sending its entry's message;
 * - driving a line past pin 23 fails with one message and changes
 *   nothing; nothing is noted to the user (the VM's side never fails).
 *
 * smoke runs: 20000
 */
#include "device_test_util.h"
#include "fuzz.h"
#include "kvmux/ioapic.h"
#include "kvmux/irq.h"
#include "kvmux/layout.h"

#define MAX_STEPS 4096
#define MAX_MSIS 64 /* per step: an EOI sends at most one per pin */
#define WINDOW 0x100
#define PINS 24

/* The 82093AA as its datasheet has it (3.0-3.2). */
#define M_IOREGSEL 0x00
#define M_IOWIN 0x10
#define M_REG_ID 0x00
#define M_REG_VER 0x01
#define M_REG_ARB 0x02
#define M_REG_RTE 0x10 /* entry n: 0x10 + 2n (bits 31:0), 0x11 + 2n */
#define M_VERSION (0x11u | (PINS - 1) << 16)
#define M_DEST_LOGICAL (1u << 11)
#define M_DELIVERY_STATUS (1u << 12)
#define M_REMOTE_IRR (1u << 14)
#define M_LEVEL (1u << 15)
#define M_MASKED (1u << 16)

enum op {
	OP_WRITE,
	OP_READ,
	OP_REG_WRITE,
	OP_REG_READ,
	OP_LINE,
	OP_EOI,
	OP_TAKEN,
	NR_OPS
};

struct model {
	uint8_t regsel, id;
	uint64_t rte[PINS];
	uint32_t asserted;
	bool taken; /* what the local APICs answer an MSI */
	unsigned int nr_msis, total_msis;
	struct msi_msg msi[MAX_MSIS];
};

struct fio {
	struct fuzz_in in;
	struct test_vm vm; /* env.ctx points here */
	struct vm_config cfg;
	void *io;
	struct irq_controller ic;
	unsigned int nr_controllers;
	/* what the chip sent in this step, and the routes it left */
	unsigned int nr_msis;
	struct msi_msg msi[MAX_MSIS];
	unsigned int nr_routes;
	struct msi_route route[PINS];
	struct model m;
};

static struct fio *fio_of(void *ctx)
{
	return (struct fio *)((char *)ctx - offsetof(struct fio, vm));
}

/* --- the model ----------------------------------------------------------- */

/* An entry's message (Intel SDM vol. 3, 11.11): the destination byte and
 * mode in the address; vector, delivery mode (same bits) and, for level
 * entries, "level, asserted" in the data.  Polarity is not applied. */
static struct msi_msg m_msg(uint64_t rte)
{
	uint32_t lo = (uint32_t)rte, dest = (uint32_t)(rte >> 56);
	struct msi_msg msg;

	msg.addr = 0xfee00000u | dest << 12 | (lo & M_DEST_LOGICAL ? 4 : 0);
	msg.data =
		(lo & 0x7ff & ~M_DEST_LOGICAL) | (lo & M_LEVEL ? 0xc000u : 0);
	return msg;
}

static void m_send(struct model *m, unsigned int pin)
{
	if (m->nr_msis == MAX_MSIS)
		fuzz_fail("the model sent more than %d MSIs in a step",
			  MAX_MSIS);
	m->msi[m->nr_msis++] = m_msg(m->rte[pin]);
	m->total_msis++;
	if (m->taken && (m->rte[pin] & M_LEVEL))
		m->rte[pin] |= M_REMOTE_IRR;
}

/* A level pin sends while asserted, unmasked and not awaiting an EOI. */
static void m_level(struct model *m, unsigned int pin)
{
	uint64_t e = m->rte[pin];

	if ((e & M_LEVEL) && !(e & (M_MASKED | M_REMOTE_IRR)) &&
	    (m->asserted >> pin & 1))
		m_send(m, pin);
}

static int m_set_line(struct model *m, unsigned int gsi, bool level)
{
	bool rising;

	if (gsi >= PINS)
		return -1;
	rising = level && !(m->asserted >> gsi & 1);
	if (level)
		m->asserted |= 1u << gsi;
	else
		m->asserted &= ~(1u << gsi);
	if (m->rte[gsi] & M_LEVEL)
		m_level(m, gsi);
	else if (rising && !(m->rte[gsi] & M_MASKED))
		m_send(m, gsi);
	return 0;
}

static void m_eoi(struct model *m, uint8_t vector)
{
	unsigned int pin;

	for (pin = 0; pin < PINS; pin++) {
		if ((m->rte[pin] & 0xff) != vector ||
		    !(m->rte[pin] & M_REMOTE_IRR))
			continue;
		m->rte[pin] &= ~(uint64_t)M_REMOTE_IRR;
		m_level(m, pin);
	}
}

static uint32_t m_window_read(const struct model *m)
{
	unsigned int reg = m->regsel;

	if (reg == M_REG_ID || reg == M_REG_ARB)
		return (uint32_t)m->id << 24;
	if (reg == M_REG_VER)
		return M_VERSION;
	if (reg >= M_REG_RTE && reg < M_REG_RTE + 2 * PINS)
		return (uint32_t)(m->rte[(reg - M_REG_RTE) / 2] >>
				  (reg & 1 ? 32 : 0));
	return 0;
}

static void m_window_write(struct model *m, uint32_t v)
{
	unsigned int reg = m->regsel, pin = (reg - M_REG_RTE) / 2;
	const uint64_t ro = M_DELIVERY_STATUS | M_REMOTE_IRR;
	uint64_t old, e;

	if (reg == M_REG_ID)
		m->id = v >> 24 & 0xf;
	if (reg < M_REG_RTE || reg >= M_REG_RTE + 2 * PINS)
		return; /* version, arbitration: read-only; others absent */
	old = m->rte[pin];
	if (reg & 1)
		e = (old & 0xffffffffu) | (uint64_t)v << 32;
	else
		e = (old & ~(uint64_t)0xffffffffu) | v;
	e = (e & ~ro) | (old & ro);
	if (!(e & M_LEVEL))
		e &= ~(uint64_t)M_REMOTE_IRR; /* edge: no EOI awaited */
	m->rte[pin] = e;
	/* Any write of an entry may let its level pin send (an unmask,
	 * edge turned level, or the same entry again after a message no
	 * APIC took), as with KVM's IOAPIC. */
	m_level(m, pin);
}

/* --- the VM's side ------------------------------------------------------- */

static void set_irq_controller(void *ctx, const struct irq_controller *ic)
{
	struct fio *f = fio_of(ctx);

	f->nr_controllers++;
	f->ic = *ic;
}

static int msi(void *ctx, const struct msi_msg *msg)
{
	struct fio *f = fio_of(ctx);
	unsigned int i;

	if (f->nr_msis == MAX_MSIS)
		fuzz_fail("more than %d MSIs in one step", MAX_MSIS);
	f->msi[f->nr_msis++] = *msg;
	/* Routes first: the message of an entry KVM has not been told of
	 * would end in an EOI KVM does not report. */
	for (i = 0; i < f->nr_routes; i++)
		if (f->route[i].msg.addr == msg->addr &&
		    f->route[i].msg.data == msg->data)
			break;
	if (i == f->nr_routes)
		fuzz_fail("MSI %#llx/%#x sent with no route of it installed",
			  (unsigned long long)msg->addr, msg->data);
	return f->m.taken;
}

static int msi_routes(void *ctx, const struct msi_route *route, unsigned int nr)
{
	struct fio *f = fio_of(ctx);

	FUZZ_CHECK(nr <= PINS);
	memcpy(f->route, route, nr * sizeof(*route));
	f->nr_routes = nr;
	return 0;
}

/* --- checks -------------------------------------------------------------- */

static void check_msis(struct fio *f)
{
	unsigned int i;

	if (f->nr_msis != f->m.nr_msis)
		fuzz_fail("%u MSIs sent, the model says %u", f->nr_msis,
			  f->m.nr_msis);
	for (i = 0; i < f->nr_msis; i++)
		if (f->msi[i].addr != f->m.msi[i].addr ||
		    f->msi[i].data != f->m.msi[i].data)
			fuzz_fail("MSI %u: %#llx/%#x, the model says %#llx/%#x",
				  i, (unsigned long long)f->msi[i].addr,
				  f->msi[i].data,
				  (unsigned long long)f->m.msi[i].addr,
				  f->m.msi[i].data);
	f->nr_msis = f->m.nr_msis = 0;
}

/* A pin has a route while unmasked, or masked while it awaits its EOI
 * (KVM reports the EOI of a vector only if a level route has it). */
static void check_routes(const struct fio *f)
{
	unsigned int pin, i, unmasked = 0;
	struct msi_msg want;

	for (pin = 0; pin < PINS; pin++) {
		if ((f->m.rte[pin] & M_MASKED) &&
		    !(f->m.rte[pin] & M_REMOTE_IRR))
			continue;
		unmasked++;
		want = m_msg(f->m.rte[pin]);
		for (i = 0; i < f->nr_routes; i++)
			if (f->route[i].gsi == pin)
				break;
		if (i == f->nr_routes)
			fuzz_fail("pin %u is unmasked or awaits its EOI but "
				  "has no route",
				  pin);
		if (f->route[i].msg.addr != want.addr ||
		    f->route[i].msg.data != want.data)
			fuzz_fail("GSI %u routes to %#llx/%#x, the model says "
				  "%#llx/%#x",
				  pin, (unsigned long long)f->route[i].msg.addr,
				  f->route[i].msg.data,
				  (unsigned long long)want.addr, want.data);
	}
	/* Each unmasked pin found one of its GSI; no more, so no others
	 * and none twice. */
	if (f->nr_routes != unmasked)
		fuzz_fail("%u routes for %u unmasked pins", f->nr_routes,
			  unmasked);
}

/* One MMIO access of len bytes at off in the window, checked. */
static void mmio(struct fio *f, uint64_t off, unsigned int len, bool is_write,
		 uint64_t value)
{
	uint8_t b[8], want[8];
	uint64_t got, wanted;
	uint32_t v = 0;
	bool inside = off + len <= WINDOW, claimed;

	memcpy(b, &value, sizeof(b));
	if (is_write) {
		claimed = bus_access(&f->vm.mmio, IOAPIC_ADDR + off, true, b,
				     len);
		memcpy(&v, b, len < 4 ? len : 4);
		if (inside && off == M_IOREGSEL)
			f->m.regsel = v & 0xff;
		else if (inside && off == M_IOWIN)
			m_window_write(&f->m, v);
	} else {
		memset(want, 0xff, len);
		if (inside) {
			if (off == M_IOREGSEL)
				v = f->m.regsel;
			else if (off == M_IOWIN)
				v = m_window_read(&f->m);
			memset(want, 0, len);
			memcpy(want, &v, len < 4 ? len : 4);
		}
		memset(b, 0xee, sizeof(b));
		claimed = bus_access(&f->vm.mmio, IOAPIC_ADDR + off, false, b,
				     len);
		if (memcmp(b, want, len)) {
			got = wanted = 0;
			memcpy(&got, b, len);
			memcpy(&wanted, want, len);
			fuzz_fail("read%u +%#llx (IOREGSEL %#x): %#llx, the "
				  "model says %#llx",
				  len, (unsigned long long)off, f->m.regsel,
				  (unsigned long long)got,
				  (unsigned long long)wanted);
		}
	}
	FUZZ_CHECK(claimed == inside);
}

/* Every register as the model has it; IOREGSEL left as it was. */
static void check_registers(struct fio *f)
{
	uint8_t regsel = f->m.regsel;
	unsigned int reg;

	mmio(f, M_IOREGSEL, 4, false, 0);
	for (reg = 0; reg < M_REG_RTE + 2 * PINS + 1; reg++) {
		mmio(f, M_IOREGSEL, 4, true, reg);
		mmio(f, M_IOWIN, 4, false, 0);
	}
	mmio(f, M_IOREGSEL, 4, true, regsel);
}

static void check_step(struct fio *f)
{
	check_msis(f);
	check_routes(f);
	check_registers(f);
	FUZZ_CHECK(f->nr_msis == 0); /* reading sends nothing */
	FUZZ_CHECK(f->vm.notes == 0);
}

/* --- steps --------------------------------------------------------------- */

static const unsigned int widths[4] = { 1, 2, 4, 8 };

/* write: u8 offset, u8 width (1, 2, 4, 8), u64 value. */
static void op_write(struct fio *f)
{
	uint64_t off = fuzz_u8(&f->in);
	unsigned int len = widths[fuzz_u8(&f->in) & 3];

	mmio(f, off, len, true, fuzz_u64(&f->in));
}

/* read: u8 offset, u8 width. */
static void op_read(struct fio *f)
{
	uint64_t off = fuzz_u8(&f->in);

	mmio(f, off, widths[fuzz_u8(&f->in) & 3], false, 0);
}

/* A register as drivers reach it: u8 register, then for a write u32. */
static void op_reg(struct fio *f, bool is_write)
{
	mmio(f, M_IOREGSEL, 4, true, fuzz_u8(&f->in));
	mmio(f, M_IOWIN, 4, is_write, is_write ? fuzz_u32(&f->in) : 0);
}

/* line: u8 GSI (0-31), u8 level (bit 0). */
static void op_line(struct fio *f)
{
	unsigned int gsi = fuzz_u8(&f->in) & 31;
	bool level = fuzz_u8(&f->in) & 1;
	int want = m_set_line(&f->m, gsi, level), rc;

	err_set("%s", "");
	rc = f->ic.set_line(f->ic.opaque, gsi, level);
	if (rc != want)
		fuzz_fail("set_line(%u, %d) = %d, the model says %d", gsi,
			  level, rc, want);
	FUZZ_CHECK(rc == 0 || err_msg()[0]);
}

/* eoi: u8 vector. */
static void op_eoi(struct fio *f)
{
	uint8_t vector = fuzz_u8(&f->in);

	m_eoi(&f->m, vector);
	f->ic.eoi(f->ic.opaque, vector);
}

/* --- one input ----------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fio f;
	unsigned int steps = 0, pin;

	memset(&f, 0, sizeof(f));
	f.in = fuzz_in(data, size);
	test_vm_init(&f.vm, NULL, 1 + fuzz_u8(&f.in) % 254);
	f.vm.env.set_irq_controller = set_irq_controller;
	f.vm.env.msi = msi;
	f.vm.env.msi_routes = msi_routes;
	vm_config_init(&f.cfg);
	f.cfg.irqchip = IRQCHIP_SPLIT;
	FUZZ_CHECK(ioapic_kind.count(&f.cfg) == 1);
	f.io = test_attach(&f.vm, &ioapic_kind, &f.cfg, 0);
	FUZZ_CHECK(f.io && f.nr_controllers == 1);
	f.m.id = f.vm.platform.nr_cpus & 0xf;
	f.m.taken = true;
	for (pin = 0; pin < PINS; pin++)
		f.m.rte[pin] = M_MASKED;
	check_step(&f);
	while (f.in.left && steps++ < MAX_STEPS) {
		uint8_t op = fuzz_u8(&f.in) % NR_OPS;

		if (op == OP_WRITE)
			op_write(&f);
		else if (op == OP_READ)
			op_read(&f);
		else if (op == OP_REG_WRITE || op == OP_REG_READ)
			op_reg(&f, op == OP_REG_WRITE);
		else if (op == OP_LINE)
			op_line(&f);
		else if (op == OP_EOI)
			op_eoi(&f);
		else
			f.m.taken = !f.m.taken;
		check_step(&f);
	}
	FUZZ_CHECK(f.nr_controllers == 1);
	fuzz_note("%u steps, %u MSIs, %u routes at the end", steps,
		  f.m.total_msis, f.nr_routes);
	ioapic_kind.destroy(f.io);
	test_vm_free(&f.vm);
	return 0;
}
