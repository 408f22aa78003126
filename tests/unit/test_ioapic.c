// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_ioapic.c - the split irqchip's IOAPIC without KVM: its registers
 * through IOREGSEL/IOWIN as the guest reaches them, the GSI routes its
 * redirection entries become, and the MSIs its pins send (edge pins on a
 * rising edge, level pins until the EOI and again at it), with the VM's
 * side (MSIs, routes, notes) recorded by a fake env.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kvmux/ioapic.h"
#include "kvmux/irq.h"
#include "kvmux/layout.h"
#include "device_test_util.h"

/* The 82093AA's registers (datasheet 290566-001, 3.0-3.2). */
#define IOREGSEL 0x00
#define IOWIN 0x10
#define REG_ID 0x00
#define REG_VER 0x01
#define REG_ARB 0x02
#define REG_RTE_LO(pin) (0x10 + 2 * (pin))
#define REG_RTE_HI(pin) (0x11 + 2 * (pin))

/* Low half of a redirection entry; the destination is high bits 31:24. */
#define RTE_DELIVERY(mode) ((uint32_t)(mode) << 8)
#define RTE_LOGICAL (1u << 11)
#define RTE_DELIVERY_STATUS (1u << 12)
#define RTE_POLARITY_LOW (1u << 13)
#define RTE_REMOTE_IRR (1u << 14)
#define RTE_LEVEL (1u << 15)
#define RTE_MASKED (1u << 16)
#define RTE_DEST(id) ((uint32_t)(id) << 24)

#define NR_CPUS 3
#define MAX_MSIS 64

struct fixture {
	struct test_vm vm; /* env.ctx points here */
	struct vm_config cfg;
	void *io;
	/* what the IOAPIC gave and sent the VM */
	unsigned int nr_controllers;
	struct irq_controller ic;
	int msi_ret; /* what msi() answers: APICs that took it, or -1 */
	unsigned int nr_msis;
	struct msi_msg msi[MAX_MSIS];
	unsigned int route_calls, nr_routes;
	int routes_ret;
	struct msi_route route[IOAPIC_NR_PINS];
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

static int fx_msi(void *ctx, const struct msi_msg *msg)
{
	struct fixture *fx = fixture_of(ctx);

	if (fx->nr_msis < MAX_MSIS)
		fx->msi[fx->nr_msis] = *msg;
	fx->nr_msis++;
	if (fx->msi_ret < 0)
		return err_set("KVM_SIGNAL_MSI: test");
	return fx->msi_ret;
}

static int fx_msi_routes(void *ctx, const struct msi_route *route,
			 unsigned int nr)
{
	struct fixture *fx = fixture_of(ctx);

	fx->route_calls++;
	if (fx->routes_ret < 0)
		return err_set("KVM_SET_GSI_ROUTING: test");
	assert_true(nr <= IOAPIC_NR_PINS);
	memcpy(fx->route, route, nr * sizeof(*route));
	fx->nr_routes = nr;
	return 0;
}

static struct fixture *fx_new(unsigned int nr_cpus)
{
	static struct fixture fx;

	memset(&fx, 0, sizeof(fx));
	test_vm_init(&fx.vm, NULL, nr_cpus);
	fx.vm.env.set_irq_controller = fx_set_irq_controller;
	fx.vm.env.msi = fx_msi;
	fx.vm.env.msi_routes = fx_msi_routes;
	fx.msi_ret = 1;
	vm_config_init(&fx.cfg);
	fx.cfg.irqchip = IRQCHIP_SPLIT;
	return &fx;
}

static int setup(void **state)
{
	struct fixture *fx = fx_new(NR_CPUS);

	fx->io = test_attach(&fx->vm, &ioapic_kind, &fx->cfg, 0);
	if (!fx->io || fx->nr_controllers != 1)
		return -1;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	ioapic_kind.destroy(fx->io);
	test_vm_free(&fx->vm);
	return 0;
}

/* Registers as the guest reaches them: 4-byte MMIO accesses. */
static void mmio_write(struct fixture *fx, uint64_t off, uint32_t v)
{
	assert_true(bus_access(&fx->vm.mmio, IOAPIC_ADDR + off, true, &v, 4));
}

static uint32_t mmio_read(struct fixture *fx, uint64_t off)
{
	uint32_t v = 0xeeeeeeee;

	assert_true(bus_access(&fx->vm.mmio, IOAPIC_ADDR + off, false, &v, 4));
	return v;
}

static void reg_write(struct fixture *fx, uint32_t reg, uint32_t v)
{
	mmio_write(fx, IOREGSEL, reg);
	mmio_write(fx, IOWIN, v);
}

static uint32_t reg_read(struct fixture *fx, uint32_t reg)
{
	mmio_write(fx, IOREGSEL, reg);
	return mmio_read(fx, IOWIN);
}

/* The destination first, as Linux does, so the low half's unmask sends
 * to where it should. */
static void rte_write(struct fixture *fx, unsigned int pin, uint32_t lo,
		      uint8_t dest)
{
	reg_write(fx, REG_RTE_HI(pin), RTE_DEST(dest));
	reg_write(fx, REG_RTE_LO(pin), lo);
}

static uint32_t rte_low(struct fixture *fx, unsigned int pin)
{
	return reg_read(fx, REG_RTE_LO(pin));
}

static int set_line(struct fixture *fx, unsigned int gsi, bool level)
{
	return fx->ic.set_line(fx->ic.opaque, gsi, level);
}

static void eoi(struct fixture *fx, uint8_t vector)
{
	fx->ic.eoi(fx->ic.opaque, vector);
}

/* The route installed for gsi, or NULL. */
static const struct msi_route *route_of(struct fixture *fx, unsigned int gsi)
{
	unsigned int i;

	for (i = 0; i < fx->nr_routes; i++)
		if (fx->route[i].gsi == gsi)
			return &fx->route[i];
	return NULL;
}

static void assert_msg(const struct msi_msg *msg, uint64_t addr, uint32_t data)
{
	assert_int_equal(msg->addr, addr);
	assert_int_equal(msg->data, data);
}

/* Level pins' messages say "level, asserted" (MSI data bits 15, 14). */
#define LEVEL_DATA 0xc000u

static void reset_masks_every_entry(void **state)
{
	struct fixture *fx = *state;
	unsigned int pin;

	for (pin = 0; pin < IOAPIC_NR_PINS; pin++) {
		assert_true(rte_low(fx, pin) & RTE_MASKED);
		assert_int_equal(reg_read(fx, REG_RTE_HI(pin)), 0);
	}
	assert_int_equal(fx->nr_routes, 0);
	assert_int_equal(fx->nr_msis, 0);
	/* A masked pin sends nothing, whatever its line does. */
	for (pin = 0; pin < IOAPIC_NR_PINS; pin++) {
		assert_int_equal(set_line(fx, pin, true), 0);
		assert_int_equal(set_line(fx, pin, false), 0);
	}
	assert_int_equal(fx->nr_msis, 0);
}

static void version_id_and_arbitration(void **state)
{
	struct fixture *fx = *state;

	/* Version 0x11, 24 entries (the highest is 23). */
	assert_int_equal(reg_read(fx, REG_VER), 0x11 | 23 << 16);
	/* The ID the MP table and the MADT give it: the one after the
	 * CPUs' APIC IDs. */
	assert_int_equal(reg_read(fx, REG_ID), NR_CPUS << 24);
	assert_int_equal(reg_read(fx, REG_ARB), NR_CPUS << 24);
	assert_int_equal(mmio_read(fx, IOREGSEL), REG_ARB);
}

static void id_is_set_on_attach(void **state)
{
	struct fixture *fx = fx_new(1);

	*state = fx; /* for teardown */
	fx->io = test_attach(&fx->vm, &ioapic_kind, &fx->cfg, 0);
	assert_non_null(fx->io);
	assert_int_equal(reg_read(fx, REG_ID), 1 << 24);
}

static void id_write_keeps_bits_24_to_27(void **state)
{
	struct fixture *fx = *state;

	reg_write(fx, REG_ID, 0xffffffff);
	assert_int_equal(reg_read(fx, REG_ID), 0x0f000000);
	assert_int_equal(reg_read(fx, REG_ARB), 0x0f000000);
	reg_write(fx, REG_ID, 0x05ffffff);
	assert_int_equal(reg_read(fx, REG_ID), 0x05000000);
	reg_write(fx, REG_ID, 0xf0000000);
	assert_int_equal(reg_read(fx, REG_ID), 0);
}

static void version_and_arbitration_are_read_only(void **state)
{
	struct fixture *fx = *state;

	reg_write(fx, REG_VER, 0);
	assert_int_equal(reg_read(fx, REG_VER), 0x11 | 23 << 16);
	reg_write(fx, REG_VER, 0xffffffff);
	assert_int_equal(reg_read(fx, REG_VER), 0x11 | 23 << 16);
	reg_write(fx, REG_ARB, 0x0a000000);
	assert_int_equal(reg_read(fx, REG_ARB), NR_CPUS << 24);
	assert_int_equal(reg_read(fx, REG_ID), NR_CPUS << 24);
}

/* 0x03-0x0f and everything past entry 23 (0x3e/0x3f) are not there. */
static void absent_registers_read_zero_and_ignore_writes(void **state)
{
	struct fixture *fx = *state;
	uint32_t reg;

	/* The last entry is there: the bound is not off by one. */
	reg_write(fx, REG_RTE_HI(23), RTE_DEST(0x12));
	assert_int_equal(reg_read(fx, REG_RTE_HI(23)), RTE_DEST(0x12));
	/* Lines high, so that a read past the table does not find zeros
	 * by luck. */
	for (reg = 0; reg < IOAPIC_NR_PINS; reg++)
		assert_int_equal(set_line(fx, reg, true), 0);
	for (reg = 0x03; reg <= 0xff; reg++) {
		if (reg >= REG_RTE_LO(0) && reg <= REG_RTE_HI(23))
			continue;
		reg_write(fx, reg, 0xffffffff);
		assert_int_equal(reg_read(fx, reg), 0);
	}
	for (reg = 0; reg < IOAPIC_NR_PINS; reg++)
		assert_int_equal(rte_low(fx, reg), RTE_MASKED);
	assert_int_equal(reg_read(fx, REG_RTE_HI(23)), RTE_DEST(0x12));
	assert_int_equal(reg_read(fx, REG_ID), NR_CPUS << 24);
	assert_int_equal(fx->nr_routes, 0);
	assert_int_equal(fx->nr_msis, 0);
}

/* IOREGSEL is 8 bits: a selector above 0xff cannot reach past them. */
static void ioregsel_keeps_eight_bits(void **state)
{
	struct fixture *fx = *state;

	mmio_write(fx, IOREGSEL, 0x101);
	assert_int_equal(mmio_read(fx, IOREGSEL), 0x01);
	assert_int_equal(mmio_read(fx, IOWIN), 0x11 | 23 << 16);
}

static void programmed_entries_become_routes(void **state)
{
	struct fixture *fx = *state;
	const struct msi_route *r;
	unsigned int calls;

	/* Pin 5: edge, lowest priority (1), logical, to 0x0f. */
	rte_write(fx, 5, 0x31 | RTE_DELIVERY(1) | RTE_LOGICAL, 0x0f);
	assert_int_equal(rte_low(fx, 5), 0x31 | RTE_DELIVERY(1) | RTE_LOGICAL);
	assert_int_equal(reg_read(fx, REG_RTE_HI(5)), RTE_DEST(0x0f));
	assert_int_equal(fx->nr_routes, 1);
	r = route_of(fx, 5);
	assert_non_null(r);
	assert_msg(&r->msg, 0xfee00000 | 0x0f << 12 | 4, 0x31 | 1 << 8);

	/* Pin 9: level, fixed, physical, to APIC 2. */
	rte_write(fx, 9, 0x40 | RTE_LEVEL, 2);
	assert_int_equal(fx->nr_routes, 2);
	r = route_of(fx, 9);
	assert_non_null(r);
	assert_msg(&r->msg, 0xfee00000 | 2 << 12, 0x40 | LEVEL_DATA);
	r = route_of(fx, 5);
	assert_non_null(r);
	assert_msg(&r->msg, 0xfee00000 | 0x0f << 12 | 4, 0x31 | 1 << 8);

	/* Pin 23, NMI (4), destination 0xff: every field at its widest. */
	rte_write(fx, 23, 0xfe | RTE_DELIVERY(4) | RTE_LOGICAL, 0xff);
	r = route_of(fx, 23);
	assert_non_null(r);
	assert_msg(&r->msg, 0xfee00000 | 0xff << 12 | 4, 0xfe | 4 << 8);

	/* Writing an entry unchanged (Linux does) leaves the routes be:
	 * each change is a KVM_SET_GSI_ROUTING. */
	calls = fx->route_calls;
	reg_write(fx, REG_RTE_LO(9), 0x40 | RTE_LEVEL);
	reg_write(fx, REG_RTE_HI(9), RTE_DEST(2));
	assert_int_equal(fx->route_calls, calls);

	/* A new destination moves the route. */
	reg_write(fx, REG_RTE_HI(9), RTE_DEST(1));
	r = route_of(fx, 9);
	assert_non_null(r);
	assert_msg(&r->msg, 0xfee00000 | 1 << 12, 0x40 | LEVEL_DATA);

	/* Masked: no route (an irqfd there raises nothing). */
	reg_write(fx, REG_RTE_LO(5), 0x31 | RTE_MASKED);
	assert_null(route_of(fx, 5));
	assert_non_null(route_of(fx, 9));
	assert_int_equal(fx->nr_routes, 2);
	/* Programming sends nothing by itself. */
	assert_int_equal(fx->nr_msis, 0);
}

/* A masked entry's vector and destination are kept, but it has no route. */
static void masked_entry_has_no_route(void **state)
{
	struct fixture *fx = *state;

	rte_write(fx, 3, 0x33 | RTE_MASKED, 1);
	assert_int_equal(rte_low(fx, 3), 0x33 | RTE_MASKED);
	assert_int_equal(reg_read(fx, REG_RTE_HI(3)), RTE_DEST(1));
	assert_null(route_of(fx, 3));
	assert_int_equal(fx->nr_routes, 0);
}

static void read_only_bits_cannot_be_written(void **state)
{
	struct fixture *fx = *state;

	/* Setting them does not. */
	reg_write(fx, REG_RTE_LO(2),
		  0x22 | RTE_DELIVERY_STATUS | RTE_REMOTE_IRR | RTE_MASKED);
	assert_int_equal(rte_low(fx, 2), 0x22 | RTE_MASKED);
	reg_write(fx, REG_RTE_LO(2),
		  0x22 | RTE_LEVEL | RTE_DELIVERY_STATUS | RTE_REMOTE_IRR |
			  RTE_MASKED);
	assert_int_equal(rte_low(fx, 2), 0x22 | RTE_LEVEL | RTE_MASKED);
	/* Nor does clearing remote IRR while it is set: only the EOI. */
	reg_write(fx, REG_RTE_LO(2), 0x22 | RTE_LEVEL);
	assert_int_equal(set_line(fx, 2, true), 0);
	assert_int_equal(fx->nr_msis, 1);
	assert_true(rte_low(fx, 2) & RTE_REMOTE_IRR);
	reg_write(fx, REG_RTE_LO(2), 0x22 | RTE_LEVEL);
	assert_int_equal(rte_low(fx, 2), 0x22 | RTE_LEVEL | RTE_REMOTE_IRR);
	assert_int_equal(fx->nr_msis, 1);
	/* The route's message never carries them either. */
	assert_msg(&route_of(fx, 2)->msg, 0xfee00000, 0x22 | LEVEL_DATA);
}

/* The polarity bit is kept for the guest, not applied to the line. */
static void polarity_reads_back(void **state)
{
	struct fixture *fx = *state;

	rte_write(fx, 4, 0x44 | RTE_POLARITY_LOW, 0);
	assert_int_equal(rte_low(fx, 4), 0x44 | RTE_POLARITY_LOW);
	assert_int_equal(set_line(fx, 4, true), 0);
	assert_int_equal(fx->nr_msis, 1);
}

static void edge_sends_once_per_rising_edge(void **state)
{
	struct fixture *fx = *state;

	rte_write(fx, 1, 0x51 | RTE_DELIVERY(1) | RTE_LOGICAL, 0x03);
	assert_int_equal(set_line(fx, 1, true), 0);
	assert_int_equal(fx->nr_msis, 1);
	assert_msg(&fx->msi[0], 0xfee00000 | 0x03 << 12 | 4, 0x51 | 1 << 8);
	/* Held or raised again while high: no edge. */
	assert_int_equal(set_line(fx, 1, true), 0);
	assert_int_equal(set_line(fx, 1, true), 0);
	assert_int_equal(fx->nr_msis, 1);
	/* Falling: nothing. */
	assert_int_equal(set_line(fx, 1, false), 0);
	assert_int_equal(set_line(fx, 1, false), 0);
	assert_int_equal(fx->nr_msis, 1);
	/* Rising again: one more. */
	assert_int_equal(set_line(fx, 1, true), 0);
	assert_int_equal(fx->nr_msis, 2);
	assert_msg(&fx->msi[1], 0xfee00000 | 0x03 << 12 | 4, 0x51 | 1 << 8);
	/* An edge pin awaits no EOI: remote IRR stays clear, an EOI sends
	 * nothing. */
	assert_false(rte_low(fx, 1) & RTE_REMOTE_IRR);
	eoi(fx, 0x51);
	assert_int_equal(fx->nr_msis, 2);
	/* Other pins' lines are not this one's. */
	assert_int_equal(set_line(fx, 0, true), 0);
	assert_int_equal(set_line(fx, 2, true), 0);
	assert_int_equal(fx->nr_msis, 2);
}

static void masked_edge_is_lost(void **state)
{
	struct fixture *fx = *state;

	rte_write(fx, 7, 0x57 | RTE_MASKED, 0);
	assert_int_equal(set_line(fx, 7, true), 0);
	assert_int_equal(fx->nr_msis, 0);
	/* Unmasked with the line still high: the edge is gone. */
	reg_write(fx, REG_RTE_LO(7), 0x57);
	assert_int_equal(fx->nr_msis, 0);
	assert_int_equal(set_line(fx, 7, true), 0);
	assert_int_equal(fx->nr_msis, 0);
	/* The next edge goes. */
	assert_int_equal(set_line(fx, 7, false), 0);
	assert_int_equal(set_line(fx, 7, true), 0);
	assert_int_equal(fx->nr_msis, 1);
	assert_msg(&fx->msi[0], 0xfee00000, 0x57);
	/* An edge while masked, and the line low again by the unmask. */
	reg_write(fx, REG_RTE_LO(7), 0x57 | RTE_MASKED);
	assert_int_equal(set_line(fx, 7, false), 0);
	assert_int_equal(set_line(fx, 7, true), 0);
	assert_int_equal(set_line(fx, 7, false), 0);
	reg_write(fx, REG_RTE_LO(7), 0x57);
	assert_int_equal(fx->nr_msis, 1);
}

static void level_sends_until_eoi(void **state)
{
	struct fixture *fx = *state;

	rte_write(fx, 10, 0x60 | RTE_LEVEL, 1);
	assert_false(rte_low(fx, 10) & RTE_REMOTE_IRR);
	assert_int_equal(set_line(fx, 10, true), 0);
	assert_int_equal(fx->nr_msis, 1);
	assert_msg(&fx->msi[0], 0xfee00000 | 1 << 12, 0x60 | LEVEL_DATA);
	assert_true(rte_low(fx, 10) & RTE_REMOTE_IRR);
	/* Awaiting the EOI: asserting again sends nothing. */
	assert_int_equal(set_line(fx, 10, true), 0);
	assert_int_equal(set_line(fx, 10, false), 0);
	assert_int_equal(set_line(fx, 10, true), 0);
	assert_int_equal(fx->nr_msis, 1);
	/* EOI with the line still high: sent again, awaiting again. */
	eoi(fx, 0x60);
	assert_int_equal(fx->nr_msis, 2);
	assert_msg(&fx->msi[1], 0xfee00000 | 1 << 12, 0x60 | LEVEL_DATA);
	assert_true(rte_low(fx, 10) & RTE_REMOTE_IRR);
	/* EOI after the line dropped: nothing sent, remote IRR clear. */
	assert_int_equal(set_line(fx, 10, false), 0);
	assert_int_equal(fx->nr_msis, 2);
	eoi(fx, 0x60);
	assert_int_equal(fx->nr_msis, 2);
	assert_false(rte_low(fx, 10) & RTE_REMOTE_IRR);
	/* A second EOI of it: nothing. */
	eoi(fx, 0x60);
	assert_int_equal(fx->nr_msis, 2);
	/* Asserted again: sent. */
	assert_int_equal(set_line(fx, 10, true), 0);
	assert_int_equal(fx->nr_msis, 3);
	assert_true(rte_low(fx, 10) & RTE_REMOTE_IRR);
	assert_int_equal(fx->vm.notes, 0);
}

static void level_eoi_of_another_vector_changes_nothing(void **state)
{
	struct fixture *fx = *state;

	rte_write(fx, 11, 0x61 | RTE_LEVEL, 0);
	assert_int_equal(set_line(fx, 11, true), 0);
	assert_int_equal(fx->nr_msis, 1);
	eoi(fx, 0x62);
	eoi(fx, 0x60);
	eoi(fx, 0x00);
	eoi(fx, 0xe1); /* the vector's low bits are not enough */
	assert_int_equal(fx->nr_msis, 1);
	assert_true(rte_low(fx, 11) & RTE_REMOTE_IRR);
	eoi(fx, 0x61);
	assert_int_equal(fx->nr_msis, 2);
}

static void level_asserted_while_masked_sends_at_unmask(void **state)
{
	struct fixture *fx = *state;

	rte_write(fx, 12, 0x62 | RTE_LEVEL | RTE_MASKED, 2);
	assert_int_equal(set_line(fx, 12, true), 0);
	assert_int_equal(fx->nr_msis, 0);
	assert_false(rte_low(fx, 12) & RTE_REMOTE_IRR);
	reg_write(fx, REG_RTE_LO(12), 0x62 | RTE_LEVEL);
	assert_int_equal(fx->nr_msis, 1);
	assert_msg(&fx->msi[0], 0xfee00000 | 2 << 12, 0x62 | LEVEL_DATA);
	assert_true(rte_low(fx, 12) & RTE_REMOTE_IRR);
	/* The route was in place before the message went. */
	assert_non_null(route_of(fx, 12));
	/* Rewriting the entry while it awaits its EOI sends nothing. */
	reg_write(fx, REG_RTE_HI(12), RTE_DEST(1));
	reg_write(fx, REG_RTE_LO(12), 0x62 | RTE_LEVEL);
	assert_int_equal(fx->nr_msis, 1);
	/* Masked and unmasked with the line dropped meanwhile: nothing. */
	eoi(fx, 0x62);
	assert_int_equal(fx->nr_msis, 2);
	reg_write(fx, REG_RTE_LO(12), 0x62 | RTE_LEVEL | RTE_MASKED);
	eoi(fx, 0x62);
	assert_int_equal(set_line(fx, 12, false), 0);
	reg_write(fx, REG_RTE_LO(12), 0x62 | RTE_LEVEL);
	assert_int_equal(fx->nr_msis, 2);
}

/* An edge entry turned level with its line high sends, as a level pin
 * that is asserted and unmasked does. */
static void edge_turned_level_while_high_sends(void **state)
{
	struct fixture *fx = *state;

	rte_write(fx, 13, 0x63, 0);
	assert_int_equal(set_line(fx, 13, true), 0);
	assert_int_equal(fx->nr_msis, 1);
	reg_write(fx, REG_RTE_LO(13), 0x63 | RTE_LEVEL);
	assert_int_equal(fx->nr_msis, 2);
	assert_msg(&fx->msi[1], 0xfee00000, 0x63 | LEVEL_DATA);
	assert_true(rte_low(fx, 13) & RTE_REMOTE_IRR);
}

/* No local APIC took it: nothing awaits an EOI, so the EOI sends none. */
static void level_not_taken_leaves_remote_irr_clear(void **state)
{
	struct fixture *fx = *state;

	fx->msi_ret = 0;
	rte_write(fx, 14, 0x64 | RTE_LEVEL, 7);
	assert_int_equal(set_line(fx, 14, true), 0);
	assert_int_equal(fx->nr_msis, 1);
	assert_false(rte_low(fx, 14) & RTE_REMOTE_IRR);
	eoi(fx, 0x64);
	assert_int_equal(fx->nr_msis, 1);
	assert_int_equal(fx->vm.notes, 0);
	/* Taken again: awaits its EOI. */
	fx->msi_ret = 1;
	assert_int_equal(set_line(fx, 14, true), 0);
	assert_int_equal(fx->nr_msis, 2);
	assert_true(rte_low(fx, 14) & RTE_REMOTE_IRR);
}

/* A message no APIC took is sent again when the guest writes its entry
 * again, unchanged (its APIC enabled meanwhile), as with KVM's IOAPIC;
 * the routes are not rewritten for it. */
static void level_not_taken_resent_at_a_rewrite(void **state)
{
	struct fixture *fx = *state;
	unsigned int routes;

	fx->msi_ret = 0;
	rte_write(fx, 13, 0x63 | RTE_LEVEL, 2);
	assert_int_equal(set_line(fx, 13, true), 0);
	assert_int_equal(fx->nr_msis, 1);
	routes = fx->route_calls;
	fx->msi_ret = 1;
	rte_write(fx, 13, 0x63 | RTE_LEVEL, 2);
	assert_int_equal(fx->nr_msis, 2);
	assert_true(rte_low(fx, 13) & RTE_REMOTE_IRR);
	assert_int_equal(fx->route_calls, routes);
	/* Awaiting its EOI now: another rewrite sends nothing. */
	rte_write(fx, 13, 0x63 | RTE_LEVEL, 2);
	assert_int_equal(fx->nr_msis, 2);
}

/* KVM failed the MSI: the line's driver hears it; nothing awaits an EOI. */
static void msi_failure_is_returned(void **state)
{
	struct fixture *fx = *state;

	fx->msi_ret = -1;
	rte_write(fx, 15, 0x65 | RTE_LEVEL, 0);
	rte_write(fx, 16, 0x66, 0);
	err_set("%s", "none");
	assert_int_equal(set_line(fx, 15, true), -1);
	assert_non_null(strstr(err_msg(), "KVM_SIGNAL_MSI"));
	assert_false(rte_low(fx, 15) & RTE_REMOTE_IRR);
	err_set("%s", "none");
	assert_int_equal(set_line(fx, 16, true), -1);
	assert_non_null(strstr(err_msg(), "KVM_SIGNAL_MSI"));
	assert_int_equal(fx->nr_msis, 2);
	assert_int_equal(fx->vm.notes, 0);
}

/* On a vCPU thread or in a register write nobody is there to return an
 * error to: a failed MSI or route change is one note, the first only (a
 * guest may repeat what failed as often as it likes). */
static void failures_without_a_caller_are_noted(void **state)
{
	struct fixture *fx = *state;

	rte_write(fx, 17, 0x67 | RTE_LEVEL, 0);
	assert_int_equal(set_line(fx, 17, true), 0);
	fx->msi_ret = -1;
	eoi(fx, 0x67);
	assert_int_equal(fx->nr_msis, 2);
	assert_int_equal(fx->vm.notes, 1);
	assert_non_null(strstr(fx->vm.note, "KVM_SIGNAL_MSI"));
	assert_false(rte_low(fx, 17) & RTE_REMOTE_IRR);

	fx->routes_ret = -1;
	reg_write(fx, REG_RTE_LO(18), 0x68);
	assert_int_equal(fx->vm.notes, 1);
	/* The entry is the guest's still. */
	assert_int_equal(rte_low(fx, 18), 0x68);
}

static void route_failure_is_noted_once(void **state)
{
	struct fixture *fx = *state;
	unsigned int i;

	fx->routes_ret = -1;
	for (i = 0; i < 100; i++)
		reg_write(fx, REG_RTE_LO(18), 0x68 + (i & 1));
	assert_int_equal(fx->vm.notes, 1);
	assert_non_null(strstr(fx->vm.note, "KVM_SET_GSI_ROUTING"));
	/* Not installed, so tried again at the next write: KVM gets them
	 * once it takes them. */
	fx->routes_ret = 0;
	reg_write(fx, REG_RTE_LO(18), 0x70);
	assert_int_equal(fx->nr_routes, 1);
	assert_int_equal(fx->route[0].gsi, 18);
}

/* Masked in its handler, a level pin's EOI still comes (its route stays
 * while it awaits it), and it sends again at the unmask if still
 * asserted; its route goes at the EOI. */
static void level_masked_before_eoi(void **state)
{
	struct fixture *fx = *state;

	rte_write(fx, 19, 0x69 | RTE_LEVEL, 0);
	assert_int_equal(set_line(fx, 19, true), 0);
	assert_int_equal(fx->nr_msis, 1);
	rte_write(fx, 19, 0x69 | RTE_LEVEL | RTE_MASKED, 0);
	assert_true(rte_low(fx, 19) & RTE_REMOTE_IRR);
	assert_int_equal(fx->nr_routes, 1);
	assert_int_equal(fx->route[0].gsi, 19);
	assert_true(fx->route[0].msg.data & (1u << 15)); /* level */
	eoi(fx, 0x69);
	assert_false(rte_low(fx, 19) & RTE_REMOTE_IRR);
	assert_int_equal(fx->nr_msis, 1); /* masked: not yet */
	assert_int_equal(fx->nr_routes, 0);
	rte_write(fx, 19, 0x69 | RTE_LEVEL, 0);
	assert_int_equal(fx->nr_msis, 2);
	assert_true(rte_low(fx, 19) & RTE_REMOTE_IRR);
}

/* A write that leaves every route as it was is not passed to KVM. */
static void masked_to_masked_writes_no_routes(void **state)
{
	struct fixture *fx = *state;
	unsigned int calls = fx->route_calls;

	reg_write(fx, REG_RTE_HI(20), 5u << 24);
	reg_write(fx, REG_RTE_LO(20), 0x6a | RTE_MASKED);
	assert_int_equal(fx->route_calls, calls);
	reg_write(fx, REG_RTE_LO(20), 0x6a);
	assert_int_equal(fx->route_calls, calls + 1);
}

/* Two level pins on one vector: one EOI ends both. */
static void eoi_ends_every_pin_of_its_vector(void **state)
{
	struct fixture *fx = *state;

	rte_write(fx, 19, 0x70 | RTE_LEVEL, 0);
	rte_write(fx, 20, 0x70 | RTE_LEVEL, 1);
	assert_int_equal(set_line(fx, 19, true), 0);
	assert_int_equal(set_line(fx, 20, true), 0);
	assert_int_equal(fx->nr_msis, 2);
	assert_int_equal(set_line(fx, 19, false), 0);
	eoi(fx, 0x70);
	assert_false(rte_low(fx, 19) & RTE_REMOTE_IRR);
	assert_true(rte_low(fx, 20) & RTE_REMOTE_IRR);
	assert_int_equal(fx->nr_msis, 3);
	assert_msg(&fx->msi[2], 0xfee00000 | 1 << 12, 0x70 | LEVEL_DATA);
}

static void level_turned_edge_clears_remote_irr(void **state)
{
	struct fixture *fx = *state;

	rte_write(fx, 21, 0x71 | RTE_LEVEL, 0);
	assert_int_equal(set_line(fx, 21, true), 0);
	assert_true(rte_low(fx, 21) & RTE_REMOTE_IRR);
	reg_write(fx, REG_RTE_LO(21), 0x71);
	assert_int_equal(rte_low(fx, 21), 0x71);
	assert_int_equal(fx->nr_msis, 1);
	/* Level again with the line still high: it may send at once. */
	reg_write(fx, REG_RTE_LO(21), 0x71 | RTE_LEVEL);
	assert_int_equal(fx->nr_msis, 2);
	assert_true(rte_low(fx, 21) & RTE_REMOTE_IRR);
}

static void set_line_on_a_missing_pin_fails(void **state)
{
	struct fixture *fx = *state;
	const unsigned int gsi[] = { 24, 31, 32, 33, 64, 1000, UINT_MAX };
	unsigned int i;
	char pin[32];

	for (i = 0; i < sizeof(gsi) / sizeof(gsi[0]); i++) {
		err_set("%s", "none");
		assert_int_equal(set_line(fx, gsi[i], true), -1);
		snprintf(pin, sizeof(pin), "IOAPIC pin %u", gsi[i]);
		assert_non_null(strstr(err_msg(), pin));
		err_set("%s", "none");
		assert_int_equal(set_line(fx, gsi[i], false), -1);
		assert_non_null(strstr(err_msg(), pin));
	}
	/* No pin's line moved (pin 0's bit is where a shift by 32 lands on
	 * x86): a level entry there sends nothing. */
	rte_write(fx, 0, 0x40 | RTE_LEVEL, 0);
	rte_write(fx, 8, 0x48 | RTE_LEVEL, 0);
	assert_int_equal(fx->nr_msis, 0);
	assert_int_equal(fx->vm.notes, 0);
}

/* Only 4-byte accesses are the guest's business, but any other size is
 * served: the register's low bytes, zeros above them. */
static void narrow_and_wide_accesses(void **state)
{
	struct fixture *fx = *state;
	uint8_t b = 0xee;
	uint16_t w = 0xeeee;
	uint64_t q = 0xeeeeeeeeeeeeeeeeull;

	b = REG_VER;
	assert_true(
		bus_access(&fx->vm.mmio, IOAPIC_ADDR + IOREGSEL, true, &b, 1));
	b = 0xee;
	assert_true(
		bus_access(&fx->vm.mmio, IOAPIC_ADDR + IOWIN, false, &b, 1));
	assert_int_equal(b, 0x11);
	assert_true(
		bus_access(&fx->vm.mmio, IOAPIC_ADDR + IOWIN, false, &w, 2));
	assert_int_equal(w, 0x0011);
	assert_true(
		bus_access(&fx->vm.mmio, IOAPIC_ADDR + IOWIN, false, &q, 8));
	assert_int_equal(q, 0x11 | 23 << 16);
	q = 0xeeeeeeeeeeeeeeeeull;
	assert_true(
		bus_access(&fx->vm.mmio, IOAPIC_ADDR + IOREGSEL, false, &q, 8));
	assert_int_equal(q, REG_VER);

	/* An 8-byte write to IOWIN writes its low 4 bytes. */
	mmio_write(fx, IOREGSEL, REG_ID);
	q = 0xffffffff0a000000ull;
	assert_true(bus_access(&fx->vm.mmio, IOAPIC_ADDR + IOWIN, true, &q, 8));
	assert_int_equal(reg_read(fx, REG_ID), 0x0a000000);
	/* A 2-byte write to IOREGSEL selects. */
	w = REG_RTE_HI(6);
	assert_true(
		bus_access(&fx->vm.mmio, IOAPIC_ADDR + IOREGSEL, true, &w, 2));
	assert_int_equal(mmio_read(fx, IOREGSEL), REG_RTE_HI(6));
	assert_int_equal(fx->nr_msis, 0);
}

/* Only IOREGSEL and IOWIN are there; the rest of the window reads 0. */
static void other_offsets_read_zero_and_ignore_writes(void **state)
{
	struct fixture *fx = *state;
	uint64_t off, q;
	uint8_t b;

	mmio_write(fx, IOREGSEL, REG_ID);
	for (off = 0; off < 0x100; off += 4) {
		if (off == IOREGSEL || off == IOWIN)
			continue;
		mmio_write(fx, off, 0xffffffff);
		assert_int_equal(mmio_read(fx, off), 0);
	}
	/* Unaligned ones inside IOREGSEL and IOWIN are other offsets too
	 * (the version register's low byte is not 0). */
	mmio_write(fx, IOREGSEL, REG_VER);
	for (off = 1; off < 4; off++) {
		b = 0xff;
		assert_true(bus_access(&fx->vm.mmio, IOAPIC_ADDR + off, true,
				       &b, 1));
		assert_true(bus_access(&fx->vm.mmio, IOAPIC_ADDR + IOWIN + off,
				       true, &b, 1));
		assert_true(bus_access(&fx->vm.mmio, IOAPIC_ADDR + IOWIN + off,
				       false, &b, 1));
		assert_int_equal(b, 0);
	}
	assert_int_equal(mmio_read(fx, IOREGSEL), REG_VER);
	assert_int_equal(mmio_read(fx, IOWIN), 0x11 | 23 << 16);
	assert_int_equal(reg_read(fx, REG_ID), NR_CPUS << 24);
	for (off = 0; off < IOAPIC_NR_PINS; off++)
		assert_int_equal(rte_low(fx, off), RTE_MASKED);
	assert_int_equal(fx->route_calls, 0);
	/* The window is 256 bytes; past it is not the IOAPIC's. */
	assert_false(
		bus_access(&fx->vm.mmio, IOAPIC_ADDR + 0x100, false, &q, 1));
	assert_false(
		bus_access(&fx->vm.mmio, IOAPIC_ADDR + 0xfc, false, &q, 8));
}

/* Present with --irqchip split only; and it needs the VM's side of one. */
static void present_only_with_a_split_irqchip(void **state)
{
	struct fixture *fx = fx_new(1);

	(void)state;
	assert_int_equal(ioapic_kind.count(&fx->cfg), 1);
	fx->cfg.irqchip = IRQCHIP_KERNEL;
	assert_int_equal(ioapic_kind.count(&fx->cfg), 0);
	fx->vm.env.msi = NULL;
	err_set("%s", "none");
	assert_null(test_attach(&fx->vm, &ioapic_kind, &fx->cfg, 0));
	assert_non_null(strstr(err_msg(), "split"));
	assert_int_equal(fx->nr_controllers, 0);
	test_vm_free(&fx->vm);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(reset_masks_every_entry),
		T(version_id_and_arbitration),
		cmocka_unit_test_teardown(id_is_set_on_attach, teardown),
		T(id_write_keeps_bits_24_to_27),
		T(version_and_arbitration_are_read_only),
		T(absent_registers_read_zero_and_ignore_writes),
		T(ioregsel_keeps_eight_bits),
		T(programmed_entries_become_routes),
		T(masked_entry_has_no_route),
		T(read_only_bits_cannot_be_written),
		T(polarity_reads_back),
		T(edge_sends_once_per_rising_edge),
		T(masked_edge_is_lost),
		T(level_sends_until_eoi),
		T(level_eoi_of_another_vector_changes_nothing),
		T(level_asserted_while_masked_sends_at_unmask),
		T(edge_turned_level_while_high_sends),
		T(level_not_taken_leaves_remote_irr_clear),
		T(level_not_taken_resent_at_a_rewrite),
		T(route_failure_is_noted_once),
		T(level_masked_before_eoi),
		T(masked_to_masked_writes_no_routes),
		T(msi_failure_is_returned),
		T(failures_without_a_caller_are_noted),
		T(eoi_ends_every_pin_of_its_vector),
		T(level_turned_edge_clears_remote_irr),
		T(set_line_on_a_missing_pin_fails),
		T(narrow_and_wide_accesses),
		T(other_offsets_read_zero_and_ignore_writes),
		cmocka_unit_test(present_only_with_a_split_irqchip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
