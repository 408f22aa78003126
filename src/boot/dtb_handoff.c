// SPDX-License-Identifier: GPL-2.0-only
/*
 * dtb_handoff.c - boot_attach_dtb(): put the device tree where the boot
 * protocol of the loaded kernel lets the guest find it (see boot.h).
 *
 * Guest memory used (placed by entry->mem, BOOT_DTB_ADDR unless the
 * kernel is there):
 *   the DTB                bzImage: after a struct setup_data; PVH and
 *                          multiboot: the DTB itself
 *   "dtb"                  PVH and multiboot: the DTB module's string, in
 *                          the block the loader reserved for it
 *
 * All run after the loader, so they extend what it wrote (the zero page's
 * setup_data list, the module list) instead of replacing it.
 */
#include <asm/bootparam.h>
#include <libfdt.h>
#include <stddef.h>
#include <string.h>

#include "kvmux/boot.h"
#include "kvmux/error.h"
#include "kvmux/multiboot.h"
#include "kvmux/pvh.h"

static const char dtb_module_cmdline[] = "dtb";

/* The bytes /chosen/bootargs takes in dtb (its value, padded to 4), or 0. */
static size_t bootargs_size(const void *dtb, size_t len, size_t *line)
{
	int node, value = 0;

	if (fdt_check_full(dtb, len) ||
	    (node = fdt_path_offset(dtb, "/chosen")) < 0 ||
	    !fdt_getprop(dtb, node, "bootargs", &value) || value < 1)
		return 0;
	*line = value - 1; /* without the NUL */
	return ((size_t)value + 3) & ~(size_t)3; /* FDT_TAGSIZE units */
}

/*
 * header: bytes in front of the DTB in the BOOT_DTB_MAX window.  What
 * makes a tree too large is a long command line (it is /chosen/bootargs):
 * then the message is about the line, with the longest that fits.
 */
static int check_size(const void *dtb, size_t len, size_t header)
{
	const size_t room = BOOT_DTB_MAX - header;
	size_t line = 0, args = bootargs_size(dtb, len, &line), rest;

	if (len <= room)
		return 0;
	rest = len - args; /* the tree without the property's value */
	if (args && rest + 4 <= room) /* a line of L bytes takes L + 1,
					 padded to 4 */
		return err_set(
			"the kernel command line is too long for the device tree, which carries it as /chosen/bootargs: %zu bytes, at most %zu fit beside this VM's devices in the %zu bytes kvmux has for the tree",
			line, ((room - rest) & ~(size_t)3) - 1, room);
	return err_set(
		"the device tree is %zu bytes, more than the %zu bytes kvmux has room for at %#llx",
		len, room, (unsigned long long)BOOT_DTB_ADDR);
}

/* Room for the DTB (and the header in front of it) in guest memory. */
static int place(struct boot_entry *entry, const void *dtb, size_t len,
		 size_t header, uint64_t *addr)
{
	if (check_size(dtb, len, header))
		return -1;
	return boot_alloc_struct(&entry->mem, BOOT_DTB_ADDR, header + len, 8,
				 "the device tree", addr);
}

/* bzImage: a SETUP_DTB entry in front of the zero page's setup_data list. */
static int attach_setup_data(const struct guest_mem *gm,
			     struct boot_entry *entry, const void *dtb,
			     size_t len)
{
	const uint64_t head_gpa =
		entry->cpu.rsi + offsetof(struct boot_params, hdr.setup_data);
	struct setup_data sd = { .type = SETUP_DTB, .len = len };
	uint64_t head;

	if (gm_read(gm, &sd.next, head_gpa, sizeof(sd.next)) ||
	    place(entry, dtb, len, sizeof(sd), &head) ||
	    gm_write(gm, head, &sd, sizeof(sd)) ||
	    gm_write(gm, head + sizeof(sd), dtb, len))
		return -1;
	return gm_write(gm, head_gpa, &head, sizeof(head));
}

static int read_start_info(const struct guest_mem *gm, uint64_t base,
			   struct hvm_start_info *si)
{
	if (gm_read(gm, si, base, sizeof(*si)) || si->magic != HVM_START_MAGIC)
		return err_set(
			"no PVH start info at %#llx to attach the device tree to",
			(unsigned long long)base);
	if (si->nr_modules && si->modlist_paddr != base + PVH_MODLIST_OFF)
		return err_set(
			"the PVH module list is not where kvmux keeps it");
	if ((si->nr_modules ? si->nr_modules + 1 : 2) > PVH_MAX_MODULES)
		return err_set(
			"no room for the device tree in the PVH module list");
	return 0;
}

/*
 * PVH: the DTB as a module with cmdline "dtb", after module 0, which
 * Linux always takes for the initrd: an empty module 0 stands in for a
 * missing initrd (Linux ignores a zero-size one).
 */
static int attach_module(const struct guest_mem *gm, struct boot_entry *entry,
			 const void *dtb, size_t len)
{
	struct hvm_modlist_entry mod[PVH_MAX_MODULES];
	const uint64_t base = entry->cpu.rbx;
	const uint64_t list = base + PVH_MODLIST_OFF;
	struct hvm_start_info si;
	uint64_t addr;
	unsigned int n;

	if (check_size(dtb, len, 0) || read_start_info(gm, base, &si))
		return -1;
	memset(mod, 0, sizeof(mod));
	n = si.nr_modules;
	if (n && gm_read(gm, mod, list, n * sizeof(mod[0])))
		return -1;
	if (!n)
		n = 1; /* mod[0] stays all zero */
	if (place(entry, dtb, len, 0, &addr))
		return -1;
	mod[n++] = (struct hvm_modlist_entry){
		.paddr = addr,
		.size = len,
		.cmdline_paddr = base + PVH_DTB_CMDLINE_OFF,
	};
	si.nr_modules = n;
	si.modlist_paddr = list;
	if (gm_write(gm, addr, dtb, len) ||
	    gm_write(gm, base + PVH_DTB_CMDLINE_OFF, dtb_module_cmdline,
		     sizeof(dtb_module_cmdline)) ||
	    gm_write(gm, list, mod, n * sizeof(mod[0])))
		return -1;
	return gm_write(gm, base, &si, sizeof(si));
}

/* Multiboot: the last module, with the string "dtb". */
static int attach_mb_module(const struct guest_mem *gm,
			    struct boot_entry *entry, const void *dtb,
			    size_t len)
{
	const uint64_t base = entry->cpu.rbx;
	struct mb_module mod = { .string = base + MB_DTB_STRING_OFF };
	struct mb_info mi;
	uint64_t addr;

	if (gm_read(gm, &mi, base, sizeof(mi)) ||
	    mi.mods_addr != base + MB_MODS_OFF)
		return err_set(
			"no multiboot information at %#llx to attach the device tree to",
			(unsigned long long)base);
	if (mi.mods_count >= MB_MAX_MODULES)
		return err_set(
			"no room for the device tree in the multiboot module list");
	if (place(entry, dtb, len, 0, &addr) || gm_write(gm, addr, dtb, len) ||
	    gm_write(gm, mod.string, dtb_module_cmdline,
		     sizeof(dtb_module_cmdline)))
		return -1;
	mod.mod_start = addr;
	mod.mod_end = addr + len;
	if (gm_write(gm, mi.mods_addr + mi.mods_count * sizeof(mod), &mod,
		     sizeof(mod)))
		return -1;
	mi.mods_count++;
	mi.flags |= MB_INFO_MODS;
	return gm_write(gm, base, &mi, sizeof(mi));
}

int boot_attach_dtb(const struct guest_mem *gm, struct boot_entry *entry,
		    const void *dtb, size_t len)
{
	switch (entry->kind) {
	case IMAGE_BZIMAGE:
		return attach_setup_data(gm, entry, dtb, len);
	case IMAGE_ELF:
		return attach_module(gm, entry, dtb, len);
	case IMAGE_MULTIBOOT:
		return attach_mb_module(gm, entry, dtb, len);
	case IMAGE_UNKNOWN:
		break;
	}
	return err_set("no loaded kernel to hand the device tree to");
}
