// SPDX-License-Identifier: GPL-2.0-only
/*
 * pwrbtn.c - waits for the ACPI power button and then powers off, as an
 * ACPI OS does on a hardware-reduced machine: the Generic Event Device
 * (ACPI0013) from the DSDT gives the interrupt (its _CRS) and the event
 * register (its SystemIO OperationRegion); on each interrupt the kernel
 * reads the register as the _EVT method would, and when it shows the
 * power button (bit 0) writes \_S5 to the sleep control register.
 *
 * Prints "pwrbtn: waiting ..." once ready (a press before that is found
 * too: the event waits in the register); kvmux stops it with status 0
 * after its power button is pressed, or by --timeout before.  With
 * ignore=1 it says it got the press and goes on waiting, as an OS without
 * a power button driver would: only kvmux's grace ends it.  A periodic
 * local APIC timer (every ~50 ms) keeps the wait from missing an
 * interrupt that came between the check and the halt.
 */
#include "rt.h"
#include "acpi.h"
#include "irq.h"

#define VECTOR_GED 0x40
#define VECTOR_TIMER 0x41
#define TIMER_TICKS 50000000 /* ~50 ms at KVM's 1 GHz APIC timer */
#define EVT_POWER_BUTTON 0x01

static uint16_t event_port;
static uint8_t events;
static uint32_t interrupts;

static void ged_interrupt(uint8_t vector __attribute__((unused)))
{
	__atomic_or_fetch(&events, inb(event_port), __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&interrupts, 1, __ATOMIC_SEQ_CST);
}

static void timer_tick(uint8_t vector __attribute__((unused)))
{
}

static const char *find_ged(uintptr_t dsdt, unsigned int *gsi, bool *level,
			    bool *low)
{
	const uint8_t *irq = rt_aml_resource(dsdt, "ACPI0013", RT_RES_EXT_IRQ);

	if (!irq || irq[4] < 1)
		return "no Generic Event Device interrupt in the DSDT";
	if (!rt_aml_io_region(dsdt, "ACPI0013", &event_port))
		return "no event register (SystemIO region) for the GED";
	*gsi = irq[5] | irq[6] << 8 | irq[7] << 16 | (uint32_t)irq[8] << 24;
	*level = !(irq[3] & 0x02);
	*low = irq[3] & 0x04;
	return NULL;
}

int main(const struct boot_info *bi)
{
	uintptr_t rsdp = rt_acpi_find_rsdp(bi);
	const char *err = "no RSDP";
	unsigned int gsi;
	bool level, low;
	struct rt_acpi a;
	uint64_t ignore;
	uint8_t slp_typ;

	if (!rsdp || (err = rt_acpi_load(rsdp, &a, false)) ||
	    (err = find_ged(a.dsdt, &gsi, &level, &low)) ||
	    (err = rt_aml_s5(a.dsdt, &slp_typ) ? NULL : "no \\_S5")) {
		rt_printf("pwrbtn: FAIL %s\n", err);
		return 1;
	}
	rt_irq_init();
	rt_irq_set_handler(VECTOR_GED, ged_interrupt);
	rt_irq_set_handler(VECTOR_TIMER, timer_tick);
	if (!rt_ioapic_route(gsi, VECTOR_GED, rt_apic_id(), level, low)) {
		rt_printf("pwrbtn: FAIL gsi %u is not an I/O APIC pin\n", gsi);
		return 1;
	}
	rt_lapic_timer_periodic(VECTOR_TIMER, TIMER_TICKS);
	/* A press before the route existed sent its edge to a masked pin,
	 * but the event waits in the register: look once. */
	events = inb(event_port);
	rt_printf("pwrbtn: waiting for the power button (gsi %u %s, event "
		  "port 0x%x)\n",
		  gsi, level ? "level" : "edge", event_port);
	while (!(__atomic_load_n(&events, __ATOMIC_SEQ_CST) & EVT_POWER_BUTTON))
		rt_irq_wait();
	if (rt_cmdline_u64(bi->cmdline, "ignore", &ignore) && ignore) {
		rt_printf("pwrbtn: power button after %u interrupt(s); "
			  "ignoring it\n",
			  interrupts);
		for (;;)
			rt_irq_wait();
	}
	rt_lapic_timer_periodic(VECTOR_TIMER, 0);
	rt_printf("pwrbtn: power button after %u interrupt(s); powering off\n",
		  interrupts);
	rt_acpi_power_off(&a, slp_typ);
	rt_printf("pwrbtn: FAIL still running after the power-off\n");
	return 1;
}
