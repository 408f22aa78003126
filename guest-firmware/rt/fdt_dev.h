/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fdt_dev.h - the runtime's view of the flattened device tree the VMM hands
 * over.  rt/fdt.c is the only file that includes <libfdt.h> (and with it a
 * few host C library headers); everything else goes through this API.
 */
#ifndef RT_FDT_DEV_H
#define RT_FDT_DEV_H

#include "rt.h"

/* One device node: its first "reg" entry and first "interrupts" cell. */
struct rt_fdt_dev {
	uint64_t base;
	uint64_t size;
	uint32_t irq;
	bool has_irq;
	char name[32]; /* node name, e.g. "virtio_mmio@d0000000" */
};

/*
 * Fill out[] with up to max enabled nodes whose "compatible" list contains
 * compat, in device-tree order.  Returns how many there are (which may be
 * more than max), or -1 without a usable DTB.
 */
int rt_fdt_find_compatible(const struct boot_info *bi, const char *compat,
			   struct rt_fdt_dev *out, int max);

#endif
