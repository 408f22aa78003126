// SPDX-License-Identifier: GPL-2.0-only
/*
 * fdt.c - find the VMM's device tree blob and read it with libfdt.
 *
 * The DTB arrives one of two ways:
 *   PVH      a module in hvm_start_info's module list whose command line
 *            (cmdline_paddr) is exactly "dtb"; module 0 stays the initrd
 *            (a zero-size entry when there is none);
 *   bzImage  a setup_data entry of type SETUP_DTB in the list that starts
 *            at boot_params.hdr.setup_data ({u64 next; u32 type; u32 len;
 *            u8 data[len]});
 *   multiboot  a module whose string is exactly "dtb" (the last one; kvmux
 *            adds it only when there are virtio devices).
 *
 * Parsing uses the host's libfdt.a (Debian libfdt-dev, read-only API).  It
 * was compiled for user space, which matters in three ways:
 *   - it calls a few C library string functions: rt/fdt_libc.c has them;
 *   - it is built with the stack protector, which reads the canary at
 *     %fs:0x28.  Our FS base is 0 (flat data selector), so the canary is
 *     the quadword at physical 0x28, inside the real-mode IVT area the VMM
 *     leaves alone and the runtime never writes: it stays constant, and a
 *     mismatch can only mean a real overflow (__stack_chk_fail reports it);
 *   - it uses the red zone below RSP, so it must only run with interrupts
 *     masked.  The runtime calls it before any kernel enables them.
 * Only this file includes <libfdt.h>: its libfdt_env.h pulls in the host's
 * <stdlib.h>/<string.h> (declarations only, nothing is linked from libc).
 */
#include <libfdt.h>

#include "bootparam.h"
#include "fdt_dev.h"

/* boot_params.hdr.setup_data and the type of a DTB entry (asm/bootparam.h) */
#define HDR_SETUP_DATA 0x250 /* u64 */
#define SETUP_DTB 2
#define SETUP_DATA_MAX 64 /* a loop bound against a corrupt list */

struct setup_data_hdr {
	uint64_t next;
	uint32_t type;
	uint32_t len;
};

__attribute__((noreturn)) void __stack_chk_fail(void);

void __stack_chk_fail(void)
{
	rt_printf("rt: stack protector tripped in libfdt\n");
	rt_exit(5);
}

/* Accept a blob only if libfdt likes its header and it fits the given size. */
static bool dtb_ok(struct boot_info *bi, uint64_t addr, uint64_t size)
{
	const void *fdt = (const void *)(uintptr_t)addr;

	if (!addr || size < sizeof(struct fdt_header) ||
	    fdt_check_header(fdt) != 0 || fdt_totalsize(fdt) > size)
		return false;
	bi->has_dtb = true;
	bi->dtb_addr = addr;
	bi->dtb_size = fdt_totalsize(fdt);
	return true;
}

static void find_pvh(struct boot_info *bi, uintptr_t info)
{
	const struct hvm_start_info *si = (const void *)info;
	const struct hvm_modlist_entry *mod;
	unsigned int i;

	if (!si->nr_modules || !si->modlist_paddr)
		return;
	mod = (const void *)(uintptr_t)si->modlist_paddr;
	for (i = 0; i < si->nr_modules; i++) {
		if (!mod[i].cmdline_paddr ||
		    strcmp((const char *)(uintptr_t)mod[i].cmdline_paddr,
			   "dtb"))
			continue;
		if (!dtb_ok(bi, mod[i].paddr, mod[i].size))
			continue;
		/* Module 0 should be the initrd; if it is the DTB, it is not. */
		if (i == 0) {
			bi->has_initrd = false;
			bi->initrd_addr = bi->initrd_size = 0;
		}
		return;
	}
}

static void find_linux64(struct boot_info *bi, uintptr_t zp)
{
	const struct setup_data_hdr *sd;
	uint64_t next;
	unsigned int n;

	memcpy(&next, (const void *)(zp + HDR_SETUP_DATA), sizeof(next));
	for (n = 0; next && n < SETUP_DATA_MAX; n++) {
		sd = (const void *)(uintptr_t)next;
		if (sd->type == SETUP_DTB &&
		    dtb_ok(bi, next + sizeof(*sd), sd->len))
			return;
		next = sd->next;
	}
}

/* Multiboot: the modules are in bi already; module 0 is the initrd. */
static void find_module(struct boot_info *bi)
{
	unsigned int i;

	for (i = 0; i < bi->nr_modules; i++) {
		if (strcmp(bi->module[i].string, "dtb") ||
		    !dtb_ok(bi, bi->module[i].addr, bi->module[i].size))
			continue;
		if (i == 0) {
			bi->has_initrd = false;
			bi->initrd_addr = bi->initrd_size = 0;
		}
		return;
	}
}

void rt_fdt_find(struct boot_info *bi, unsigned long info)
{
	bi->has_dtb = false;
	if (bi->proto == RT_BOOT_PVH)
		find_pvh(bi, info);
	else if (bi->proto == RT_BOOT_MULTIBOOT)
		find_module(bi);
	else
		find_linux64(bi, info);
}

static uint64_t read_cells(const fdt32_t *p, int n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 32 | fdt32_to_cpu(*p++);
	return v;
}

static bool node_enabled(const void *fdt, int node)
{
	const char *status = fdt_getprop(fdt, node, "status", NULL);

	return !status || !strcmp(status, "okay") || !strcmp(status, "ok");
}

static void fill_dev(const void *fdt, int node, struct rt_fdt_dev *d)
{
	const fdt32_t *reg, *irq;
	const char *name;
	int len, parent, ac, sc;

	memset(d, 0, sizeof(*d));
	name = fdt_get_name(fdt, node, NULL);
	if (name)
		rt_snprintf(d->name, sizeof(d->name), "%s", name);
	parent = fdt_parent_offset(fdt, node);
	ac = parent >= 0 ? fdt_address_cells(fdt, parent) : 2;
	sc = parent >= 0 ? fdt_size_cells(fdt, parent) : 1;
	if (ac < 1 || ac > 2)
		ac = 2;
	if (sc < 0 || sc > 2)
		sc = 1;
	reg = fdt_getprop(fdt, node, "reg", &len);
	if (reg && len >= (int)((ac + sc) * sizeof(*reg))) {
		d->base = read_cells(reg, ac);
		d->size = read_cells(reg + ac, sc);
	}
	irq = fdt_getprop(fdt, node, "interrupts", &len);
	if (irq && len >= (int)sizeof(*irq)) {
		d->irq = fdt32_to_cpu(irq[0]);
		d->has_irq = true;
	}
}

int rt_fdt_find_compatible(const struct boot_info *bi, const char *compat,
			   struct rt_fdt_dev *out, int max)
{
	const void *fdt = (const void *)(uintptr_t)bi->dtb_addr;
	int node, n = 0;

	if (!bi->has_dtb)
		return -1;
	for (node = fdt_node_offset_by_compatible(fdt, -1, compat); node >= 0;
	     node = fdt_node_offset_by_compatible(fdt, node, compat)) {
		if (!node_enabled(fdt, node))
			continue;
		if (n < max)
			fill_dev(fdt, node, &out[n]);
		n++;
	}
	return n;
}
