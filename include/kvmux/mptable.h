/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mptable.h - the Intel MultiProcessor Specification 1.4 table of the
 * platform list (kvmux/platform.h): processors, the ISA bus, the IOAPIC
 * and the ISA interrupt routing, as Linux's CONFIG_X86_MPPARSE reads it.
 */
#ifndef KVMUX_MPTABLE_H
#define KVMUX_MPTABLE_H

#include "kvmux/layout.h"

struct boot_alloc;
struct guest_mem;
struct platform;

/*
 * Where kvmux puts the MP table (the BIOS area the layout reserves),
 * unless the kernel occupies it (boot_alloc.h).
 */
#define MPTABLE_ADDR LAYOUT_BIOS_START

/*
 * Write the MP floating pointer and table, at MPTABLE_ADDR or wherever a
 * finds room where guests look for it (the BIOS area, else the EBDA).
 * Returns 0, or -1 with err_set().
 */
int mptable_write(const struct guest_mem *gm, const struct platform *p,
		  struct boot_alloc *a);

#endif
