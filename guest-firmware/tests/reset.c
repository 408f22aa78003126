// SPDX-License-Identifier: GPL-2.0-only
/*
 * reset.c - asks for a machine reset, for kvmux's reset handling tests:
 *   how=triple  triple fault: ud2 with an empty IDT
 *   how=i8042   the keyboard controller's reset command (0xfe to port 0x64)
 *   how=acpi    the FADT's RESET_VALUE to its reset register
 * Either way the VM must stop here; surviving it is a failure.
 */
#include "rt.h"
#include "acpi.h"

static void triple_fault(void)
{
	static const struct desc_ptr empty = { .limit = 0, .base = 0 };

	/*
	 * The #UD cannot be delivered (#GP), nor the #GP (#DF), nor the #DF:
	 * shutdown.  ud2 first: KVM's emulator (PVM without native mode)
	 * fails on int3 here instead of faulting.
	 */
	lidt(&empty);
	asm volatile("ud2\n\tint3" : : : "memory");
}

static void acpi_reset(const struct boot_info *bi)
{
	uintptr_t rsdp = rt_acpi_find_rsdp(bi);
	const char *err = "no RSDP";
	struct rt_acpi a;

	if (!rsdp || (err = rt_acpi_load(rsdp, &a, false))) {
		rt_printf("reset: no ACPI: %s\n", err);
		return;
	}
	if (!(a.fadt_flags & RT_FADT_RESET_REG_SUP)) {
		rt_printf("reset: the FADT has no reset register\n");
		return;
	}
	rt_printf("reset: acpi reset register 0x%lx, value 0x%x\n",
		  (unsigned long)a.reset_reg.address, a.reset_value);
	rt_acpi_gas_write(&a.reset_reg, a.reset_value);
}

int main(const struct boot_info *bi)
{
	char how[16];

	if (!rt_cmdline_str(bi->cmdline, "how", how, sizeof(how))) {
		rt_printf(
			"reset: no how=triple|i8042|acpi on the command line\n");
		return 1;
	}
	rt_printf("reset: %s\n", how);
	if (!strcmp(how, "triple")) {
		triple_fault();
	} else if (!strcmp(how, "i8042")) {
		outb(I8042_CMD_RESET, PORT_I8042_CMD);
	} else if (!strcmp(how, "acpi")) {
		acpi_reset(bi);
	} else {
		rt_printf("reset: unknown how=%s\n", how);
		return 1;
	}
	rt_printf("reset: still alive\n");
	return 1;
}
