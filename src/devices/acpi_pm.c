// SPDX-License-Identifier: GPL-2.0-only
/*
 * acpi_pm.c - the sleep control, sleep status and reset registers of a
 * hardware-reduced ACPI machine (kvmux/acpi_pm.h).  They hold no state:
 * kvmux never wakes a guest, so a write either ends the run or is
 * ignored, and every read is 0.
 */
#include <stdlib.h>
#include <string.h>

#include "kvmux/acpi_hw.h"
#include "kvmux/acpi_pm.h"
#include "kvmux/bus.h"
#include "kvmux/config.h"
#include "kvmux/device.h"
#include "kvmux/error.h"

struct acpi_pm {
	struct device_env env; /* the stop */
};

enum acpi_pm_action acpi_pm_write_action(uint64_t reg, uint8_t value)
{
	unsigned int slp_typ;

	switch (reg) {
	case ACPI_PM_SLEEP_CONTROL_REG:
		slp_typ = (value & ACPI_SLP_TYP_MASK) >> ACPI_SLP_TYP_SHIFT;
		if ((value & ACPI_SLP_EN) && slp_typ == ACPI_SLP_TYP_S5)
			return ACPI_PM_POWER_OFF;
		return ACPI_PM_NONE;
	case ACPI_PM_RESET_REG:
		return value == ACPI_RESET_VALUE ? ACPI_PM_RESET : ACPI_PM_NONE;
	default:
		return ACPI_PM_NONE;
	}
}

static void pm_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	memset(data, 0, len);
}

static void pm_write(void *opaque, uint64_t off, const void *data,
		     unsigned int len)
{
	const struct acpi_pm *pm = opaque;
	const uint8_t *b = data;
	unsigned int i;

	for (i = 0; i < len; i++) {
		switch (acpi_pm_write_action(off + i, b[i])) {
		case ACPI_PM_POWER_OFF:
			pm->env.stop(pm->env.ctx, VM_STOP_POWER_OFF, 0,
				     "guest powered off (ACPI S5)");
			return;
		case ACPI_PM_RESET:
			pm->env.stop(pm->env.ctx, VM_STOP_RESET, 0,
				     "guest reset through the ACPI reset "
				     "register");
			return;
		case ACPI_PM_NONE:
			break;
		}
	}
}

static const struct bus_ops acpi_pm_ops = {
	.read = pm_read,
	.write = pm_write,
};

static unsigned int acpi_pm_count(const struct vm_config *cfg)
{
	return cfg->acpi;
}

static void *acpi_pm_open(const struct vm_config *cfg, unsigned int i)
{
	struct acpi_pm *pm = calloc(1, sizeof(*pm));

	if (!pm)
		err_host("out of memory");
	return pm;
}

static int acpi_pm_attach(void *dev, const struct device_env *env)
{
	struct acpi_pm *pm = dev;

	pm->env = *env;
	return bus_register(env->pio, ACPI_PM_BASE, ACPI_PM_LEN, &acpi_pm_ops,
			    pm, "acpi-pm");
}

const struct device_kind acpi_pm_kind = {
	.name = "acpi-pm",
	.count = acpi_pm_count,
	.open = acpi_pm_open,
	.attach = acpi_pm_attach,
	.destroy = free,
};
