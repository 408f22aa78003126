// SPDX-License-Identifier: GPL-2.0-only
/*
 * irq.c - device interrupts on the boot CPU (rt/irq.h).
 *
 * The I/O APIC is programmed through its index/data window (IOREGSEL at
 * +0x00, IOWIN at +0x10); redirection entry n is registers 0x10 + 2n (low
 * half: vector, mode, mask) and 0x11 + 2n (high half: destination).
 */
#include "rt.h"
#include "irq.h"
#include "lapic.h"

#define IOAPIC_REGSEL 0x00
#define IOAPIC_WIN 0x10
#define IOAPIC_VER 0x01
#define IOAPIC_REDIR 0x10
#define REDIR_ACTIVE_LOW (1u << 13)
#define REDIR_LEVEL (1u << 15)

static rt_irq_fn handlers[RT_VECTOR_DEVICE_LAST - RT_VECTOR_DEVICE_FIRST + 1];

static void ioapic_write(uint32_t reg, uint32_t val)
{
	volatile uint32_t *base =
		(volatile uint32_t *)(uintptr_t)RT_IOAPIC_ADDR;

	base[IOAPIC_REGSEL / 4] = reg;
	base[IOAPIC_WIN / 4] = val;
}

static uint32_t ioapic_read(uint32_t reg)
{
	volatile uint32_t *base =
		(volatile uint32_t *)(uintptr_t)RT_IOAPIC_ADDR;

	base[IOAPIC_REGSEL / 4] = reg;
	return base[IOAPIC_WIN / 4];
}

void rt_irq_init(void)
{
	lapic_enable();
}

void rt_irq_set_handler(uint8_t vector, rt_irq_fn fn)
{
	if (vector >= RT_VECTOR_DEVICE_FIRST && vector <= RT_VECTOR_DEVICE_LAST)
		handlers[vector - RT_VECTOR_DEVICE_FIRST] = fn;
}

bool rt_ioapic_route(unsigned int gsi, uint8_t vector, uint8_t apic_id,
		     bool level, bool active_low)
{
	unsigned int pins = ((ioapic_read(IOAPIC_VER) >> 16) & 0xff) + 1;
	uint32_t low = vector;

	if (gsi >= pins)
		return false;
	if (level)
		low |= REDIR_LEVEL;
	if (active_low)
		low |= REDIR_ACTIVE_LOW;
	ioapic_write(IOAPIC_REDIR + 2 * gsi + 1, (uint32_t)apic_id << 24);
	ioapic_write(IOAPIC_REDIR + 2 * gsi, low);
	return true;
}

void rt_lapic_timer_periodic(uint8_t vector, uint32_t count)
{
	if (!count) {
		lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
		lapic_write(LAPIC_TIMER_INITIAL, 0);
		return;
	}
	lapic_write(LAPIC_TIMER_DIVIDE, TIMER_DIVIDE_BY_1);
	lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_PERIODIC | vector);
	lapic_write(LAPIC_TIMER_INITIAL, count);
}

bool rt_irq_dispatch(uint64_t vector)
{
	rt_irq_fn fn;

	if (vector < RT_VECTOR_DEVICE_FIRST || vector > RT_VECTOR_DEVICE_LAST)
		return false;
	fn = handlers[vector - RT_VECTOR_DEVICE_FIRST];
	if (!fn)
		return false;
	fn(vector);
	/* PVM EOIs at delivery; elsewhere the LAPIC needs it. */
	if (!rt_pvm_native())
		lapic_write(LAPIC_EOI, 0);
	return true;
}
