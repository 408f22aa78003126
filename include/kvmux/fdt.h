/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fdt.h - the flattened device tree (DTB) generated from the platform
 * list and the memory layout, for guests that read a device tree instead
 * of (or besides) the MP table: our test kernels, and Linux with
 * CONFIG_OF on x86.  boot_attach_dtb() (boot.h) hands it to the guest.
 */
#ifndef KVMUX_FDT_H
#define KVMUX_FDT_H

#include <stddef.h>
#include <stdint.h>

#include "kvmux/layout.h"
#include "kvmux/platform.h"

/* The phandle of the I/O APIC node, the interrupt parent of everything. */
#define FDT_IOAPIC_PHANDLE 1

/* Second cell of "interrupts" on the I/O APIC: the trigger type (0 edge
 * rising; 1 level low, 2 level high, 3 edge falling are unused). */
#define FDT_IRQ_EDGE_RISING 0

/* What only the loader knows: it goes into /chosen. */
struct fdt_info {
	const char *bootargs; /* the final command line; NULL: none */
	uint64_t initrd_gpa; /* 0: no initrd */
	uint64_t initrd_size;
};

/*
 * Build the DTB.  On success *dtb is a malloc'ed, packed blob of *len
 * bytes (the caller frees it).  Returns 0, or -1 with err_set().
 */
int fdt_build(const struct platform *p, const struct mem_layout *l,
	      const struct fdt_info *info, void **dtb, size_t *len);

#endif
