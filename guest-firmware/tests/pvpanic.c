// SPDX-License-Identifier: GPL-2.0-only
/*
 * pvpanic.c - reports a panic through QEMU's pvpanic device, as Linux's
 * pvpanic driver does: the port from the DSDT's QEMU0001 device (or 0x505
 * without ACPI), a read for the supported events (must include
 * "panicked"), then "panicked" (bit 0): kvmux must stop the run with 123.
 * crash=1 first reports "crash loaded" (bit 1), after which the run must
 * go on.  Still running after "panicked" exits 1.
 */
#include "rt.h"
#include "acpi.h"

#define PVPANIC_DEFAULT_PORT 0x505
#define PVPANIC_PANICKED 0x01
#define PVPANIC_CRASH_LOADED 0x02

static uint16_t find_port(const struct boot_info *bi)
{
	uintptr_t rsdp = rt_acpi_find_rsdp(bi);
	const uint8_t *io;
	struct rt_acpi a;

	if (rsdp && !rt_acpi_load(rsdp, &a, false) &&
	    (io = rt_aml_resource(a.dsdt, "QEMU0001", RT_RES_IO))) {
		rt_printf("pvpanic: QEMU0001 in the DSDT\n");
		return io[2] | io[3] << 8;
	}
	rt_printf("pvpanic: no ACPI description, default port\n");
	return PVPANIC_DEFAULT_PORT;
}

int main(const struct boot_info *bi)
{
	uint16_t port = find_port(bi);
	uint8_t events = inb(port);
	uint64_t crash = 0;

	rt_printf("pvpanic: port 0x%x supports 0x%x\n", port, events);
	if (!(events & PVPANIC_PANICKED)) {
		rt_printf("pvpanic: FAIL no panicked event\n");
		return 1;
	}
	if (rt_cmdline_u64(bi->cmdline, "crash", &crash) && crash) {
		outb(PVPANIC_CRASH_LOADED, port);
		rt_printf("pvpanic: crash loaded reported, still running\n");
	}
	rt_printf("pvpanic: panicked\n");
	outb(PVPANIC_PANICKED, port);
	rt_printf("pvpanic: FAIL still running\n");
	return 1;
}
