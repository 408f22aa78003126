// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioapic.c - the I/O APIC of a split irqchip (kvmux/ioapic.h).
 *
 * One lock for the whole chip: lines are driven from device threads,
 * registers and EOIs come from vCPU threads, and a redirection entry, its
 * GSI route and the messages sent from it must agree.  MSIs and route
 * changes go to KVM under the lock, so the guest never sees a message
 * from an entry it has already replaced.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "kvmux/bus.h"
#include "kvmux/config.h"
#include "kvmux/device.h"
#include "kvmux/error.h"
#include "kvmux/ioapic.h"
#include "kvmux/irq.h"
#include "kvmux/layout.h"
#include "kvmux/platform.h"

#define IOAPIC_WINDOW_LEN 0x100
#define IOREGSEL 0x00
#define IOWIN 0x10

/* Registers behind IOWIN. */
#define IOAPICID 0x00
#define IOAPICVER 0x01
#define IOAPICARB 0x02
#define IOREDTBL 0x10 /* entry n: low half 0x10 + 2n, high 0x11 + 2n */

#define IOAPIC_VERSION 0x11
#define ID_SHIFT 24
#define ID_MASK (0xfu << ID_SHIFT)

/* Redirection entry bits. */
#define RTE_VECTOR 0xffull
#define RTE_DELIVERY_SHIFT 8 /* 3 bits */
#define RTE_DEST_LOGICAL (1ull << 11)
#define RTE_DELIVERY_STATUS (1ull << 12) /* read-only */
#define RTE_POLARITY_LOW (1ull << 13)
#define RTE_REMOTE_IRR (1ull << 14) /* read-only */
#define RTE_LEVEL (1ull << 15)
#define RTE_MASKED (1ull << 16)
#define RTE_DEST_SHIFT 56
#define RTE_READ_ONLY (RTE_DELIVERY_STATUS | RTE_REMOTE_IRR)

struct ioapic {
	struct device_env env;
	pthread_mutex_t lock;
	uint32_t regsel;
	uint32_t id_reg;
	uint64_t rte[IOAPIC_NR_PINS];
	uint32_t asserted; /* bit n: line n is driven high */
	/* The GSI routes KVM has (from update_routes()). */
	struct msi_route route[IOAPIC_NR_PINS];
	unsigned int nr_routes;
	bool noted; /* a failure was told: the guest may repeat it */
};

/* The first failure only, with the VM's name: a guest that repeats what
 * failed must not fill kvmux's stderr. */
static void note_failure(struct ioapic *io)
{
	if (io->noted)
		return;
	io->noted = true;
	io->env.note(io->env.ctx, err_msg());
}

static struct msi_msg rte_msg(uint64_t rte)
{
	struct msi_msg msg;

	msg.addr = MSI_ADDR_BASE | (uint32_t)(rte >> RTE_DEST_SHIFT)
					   << MSI_ADDR_DEST_ID_SHIFT;
	if (rte & RTE_DEST_LOGICAL)
		msg.addr |= MSI_ADDR_DEST_LOGICAL;
	msg.data = (uint32_t)(rte & RTE_VECTOR) |
		   (uint32_t)((rte >> RTE_DELIVERY_SHIFT) & 7)
			   << MSI_DATA_DELIVERY_SHIFT;
	if (rte & RTE_LEVEL)
		msg.data |= MSI_DATA_TRIGGER_LEVEL | MSI_DATA_LEVEL_ASSERT;
	return msg;
}

/* Field by field: the structures have padding. */
static bool same_routes(const struct msi_route *a, const struct msi_route *b,
			unsigned int nr_a, unsigned int nr_b)
{
	unsigned int i;

	if (nr_a != nr_b)
		return false;
	for (i = 0; i < nr_a; i++)
		if (a[i].gsi != b[i].gsi || a[i].msg.addr != b[i].msg.addr ||
		    a[i].msg.data != b[i].msg.data)
			return false;
	return true;
}

/*
 * Every unmasked pin's message as its GSI's route, and a masked level
 * pin's while it awaits its EOI: KVM reports the EOI of a vector only if
 * a level route has it (a guest may mask a pin in its handler).  Other
 * masked pins have none, so an irqfd there raises nothing, as a masked
 * edge is lost.  KVM is told only of a change (each costs it an SRCU
 * grace period and a kick of every vCPU).
 */
static int update_routes(struct ioapic *io)
{
	struct msi_route route[IOAPIC_NR_PINS];
	unsigned int pin, nr = 0;

	for (pin = 0; pin < IOAPIC_NR_PINS; pin++)
		if (!(io->rte[pin] & RTE_MASKED) ||
		    (io->rte[pin] & RTE_REMOTE_IRR))
			route[nr++] = (struct msi_route){
				.gsi = pin, .msg = rte_msg(io->rte[pin])
			};
	if (same_routes(route, io->route, nr, io->nr_routes))
		return 0;
	if (io->env.msi_routes(io->env.ctx, route, nr) < 0)
		return -1;
	memcpy(io->route, route, nr * sizeof(route[0]));
	io->nr_routes = nr;
	return 0;
}

/* Send pin's message; a level one then awaits its EOI (if taken). */
static int send(struct ioapic *io, unsigned int pin)
{
	struct msi_msg msg = rte_msg(io->rte[pin]);
	int taken = io->env.msi(io->env.ctx, &msg);

	if (taken > 0 && (io->rte[pin] & RTE_LEVEL))
		io->rte[pin] |= RTE_REMOTE_IRR;
	return taken < 0 ? -1 : 0;
}

/* A level pin that may send now does. */
static int service_level(struct ioapic *io, unsigned int pin)
{
	uint64_t rte = io->rte[pin];

	if (!(rte & RTE_LEVEL) || (rte & (RTE_MASKED | RTE_REMOTE_IRR)) ||
	    !(io->asserted & (1u << pin)))
		return 0;
	return send(io, pin);
}

static int set_line(void *opaque, unsigned int gsi, bool level)
{
	struct ioapic *io = opaque;
	uint32_t bit;
	bool rising;
	int rc = 0;

	if (gsi >= IOAPIC_NR_PINS)
		return err_set("no IOAPIC pin %u (it has %d)", gsi,
			       IOAPIC_NR_PINS);
	bit = 1u << gsi; /* only now: a shift by 32 or more is undefined */
	pthread_mutex_lock(&io->lock);
	rising = level && !(io->asserted & bit);
	io->asserted = level ? io->asserted | bit : io->asserted & ~bit;
	if (io->rte[gsi] & RTE_LEVEL)
		rc = service_level(io, gsi);
	else if (rising && !(io->rte[gsi] & RTE_MASKED))
		rc = send(io, gsi);
	pthread_mutex_unlock(&io->lock);
	return rc;
}

static void eoi(void *opaque, uint8_t vector)
{
	struct ioapic *io = opaque;
	unsigned int pin;

	pthread_mutex_lock(&io->lock);
	for (pin = 0; pin < IOAPIC_NR_PINS; pin++) {
		if ((io->rte[pin] & RTE_VECTOR) != vector ||
		    !(io->rte[pin] & RTE_REMOTE_IRR))
			continue;
		io->rte[pin] &= ~RTE_REMOTE_IRR;
		if (service_level(io, pin) < 0)
			note_failure(io);
	}
	if (update_routes(io) < 0) /* a masked pin's route may go */
		note_failure(io);
	pthread_mutex_unlock(&io->lock);
}

/* The pin whose entry register reg is half of; false if none (the
 * guest's IOREGSEL may hold any byte). */
static bool rte_pin(uint32_t reg, unsigned int *pin)
{
	if (reg < IOREDTBL || (reg - IOREDTBL) / 2 >= IOAPIC_NR_PINS)
		return false;
	*pin = (reg - IOREDTBL) / 2;
	return true;
}

static uint32_t read_window(struct ioapic *io)
{
	uint32_t reg = io->regsel;
	unsigned int pin;

	switch (reg) {
	case IOAPICID:
	case IOAPICARB:
		return io->id_reg;
	case IOAPICVER:
		return IOAPIC_VERSION | (IOAPIC_NR_PINS - 1) << 16;
	}
	if (!rte_pin(reg, &pin))
		return 0;
	return (uint32_t)(io->rte[pin] >> (reg & 1 ? 32 : 0));
}

/*
 * A new entry for pin: routes first (if they change), then what it lets
 * send.  Any write may: an unmask, edge turned level, or the same entry
 * again after a message no local APIC took (as KVM's IOAPIC).
 */
static void write_rte(struct ioapic *io, unsigned int pin, uint64_t rte)
{
	uint64_t old = io->rte[pin];

	rte = (rte & ~RTE_READ_ONLY) | (old & RTE_READ_ONLY);
	if (!(rte & RTE_LEVEL))
		rte &= ~RTE_REMOTE_IRR; /* an edge pin awaits no EOI */
	io->rte[pin] = rte;
	if (update_routes(io) < 0 || service_level(io, pin) < 0)
		note_failure(io);
}

static void write_window(struct ioapic *io, uint32_t value)
{
	uint32_t reg = io->regsel;
	unsigned int pin;
	uint64_t rte;

	if (reg == IOAPICID) {
		io->id_reg = value & ID_MASK;
		return;
	}
	if (!rte_pin(reg, &pin))
		return; /* read-only or absent */
	rte = io->rte[pin];
	if (reg & 1)
		rte = (rte & 0xffffffffull) | (uint64_t)value << 32;
	else
		rte = (rte & ~0xffffffffull) | value;
	write_rte(io, pin, rte);
}

/* 32-bit registers; a narrower access takes their low bytes, a wider
 * one reads zeros above them. */
static void ioapic_read(void *opaque, uint64_t off, void *data,
			unsigned int len)
{
	struct ioapic *io = opaque;
	uint32_t value = 0;

	pthread_mutex_lock(&io->lock);
	if (off == IOREGSEL)
		value = io->regsel;
	else if (off == IOWIN)
		value = read_window(io);
	pthread_mutex_unlock(&io->lock);
	memset(data, 0, len);
	memcpy(data, &value, len < sizeof(value) ? len : sizeof(value));
}

static void ioapic_write(void *opaque, uint64_t off, const void *data,
			 unsigned int len)
{
	struct ioapic *io = opaque;
	uint32_t value = 0;

	memcpy(&value, data, len < sizeof(value) ? len : sizeof(value));
	pthread_mutex_lock(&io->lock);
	if (off == IOREGSEL)
		io->regsel = value & 0xff;
	else if (off == IOWIN)
		write_window(io, value);
	pthread_mutex_unlock(&io->lock);
}

static const struct bus_ops ioapic_ops = {
	.read = ioapic_read,
	.write = ioapic_write,
};

static unsigned int ioapic_count(const struct vm_config *cfg)
{
	return cfg->irqchip == IRQCHIP_SPLIT;
}

static void *ioapic_open(const struct vm_config *cfg, unsigned int i)
{
	struct ioapic *io = calloc(1, sizeof(*io));
	unsigned int pin;

	if (!io) {
		err_host("out of memory");
		return NULL;
	}
	pthread_mutex_init(&io->lock, NULL);
	for (pin = 0; pin < IOAPIC_NR_PINS; pin++)
		io->rte[pin] = RTE_MASKED;
	return io;
}

static int ioapic_attach(void *dev, const struct device_env *env)
{
	struct ioapic *io = dev;
	struct irq_controller ic = { .set_line = set_line,
				     .eoi = eoi,
				     .opaque = io };

	io->env = *env;
	/* The ID the MP table and the MADT give it (boot/mptable.c). */
	io->id_reg = (uint32_t)(env->platform->nr_cpus & 0xf) << ID_SHIFT;
	if (!env->set_irq_controller || !env->msi || !env->msi_routes)
		return err_set("the IOAPIC needs a split irqchip");
	if (bus_register(env->mmio, IOAPIC_ADDR, IOAPIC_WINDOW_LEN, &ioapic_ops,
			 io, "ioapic") < 0)
		return -1;
	env->set_irq_controller(env->ctx, &ic);
	return 0;
}

static void ioapic_destroy(void *dev)
{
	struct ioapic *io = dev;

	if (!io)
		return;
	pthread_mutex_destroy(&io->lock);
	free(io);
}

const struct device_kind ioapic_kind = {
	.name = "ioapic",
	.count = ioapic_count,
	.open = ioapic_open,
	.attach = ioapic_attach,
	.destroy = ioapic_destroy,
};
