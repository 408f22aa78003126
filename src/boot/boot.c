// SPDX-License-Identifier: GPL-2.0-only
/*
 * boot.c - boot_load(): pick the loader from what the kernel image is;
 * boot_set_rsdp(): the same choice for what was loaded.
 */
#include "kvmux/boot.h"
#include "kvmux/bzimage.h"
#include "kvmux/error.h"
#include "kvmux/pvh.h"

int boot_load(const struct guest_mem *gm, const struct mem_layout *l,
	      const struct boot_files *f, struct boot_entry *entry)
{
	if (!f->kernel || !f->kernel_len)
		return err_set("kernel image is empty");
	switch (image_detect(f->kernel, f->kernel_len)) {
	case IMAGE_ELF:
		return pvh_load(gm, l, f, entry);
	case IMAGE_BZIMAGE:
		return bzimage_load(gm, l, f, entry);
	case IMAGE_UNKNOWN:
		break;
	}
	return err_set(
		"not a kernel image kvmux knows (neither an ELF with a PVH note nor a bzImage)");
}

int boot_set_rsdp(const struct guest_mem *gm, const struct boot_entry *entry,
		  uint64_t rsdp_gpa)
{
	switch (entry->kind) {
	case IMAGE_ELF:
		return pvh_set_rsdp(gm, entry, rsdp_gpa);
	case IMAGE_BZIMAGE:
		return bzimage_set_rsdp(gm, entry, rsdp_gpa);
	case IMAGE_UNKNOWN:
		break;
	}
	return err_set("no kernel loaded to hand the ACPI RSDP to");
}
