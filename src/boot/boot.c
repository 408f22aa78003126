// SPDX-License-Identifier: GPL-2.0-only
/*
 * boot.c - boot_load(): pick the loader from what the kernel image is;
 * boot_set_rsdp(): the same choice for what was loaded.
 */
#include "kvmux/boot.h"
#include "kvmux/boot_common.h"
#include "kvmux/bzimage.h"
#include "kvmux/error.h"
#include "kvmux/multiboot.h"
#include "kvmux/pvh.h"

/*
 * Modules are a multiboot thing: other kernels would silently lose them.
 * (An image of no known kind is refused for that, later.)
 */
static int check_modules(const struct boot_files *f, enum image_kind kind)
{
	if (!f->nr_modules || kind == IMAGE_MULTIBOOT || kind == IMAGE_UNKNOWN)
		return 0;
	return err_set(
		"--module is for multiboot kernels; this kernel is %s (use --initrd)",
		kind == IMAGE_ELF ? "an ELF" : "a bzImage");
}

int boot_load(const struct guest_mem *gm, const struct mem_layout *l,
	      const struct boot_files *f, struct boot_entry *entry)
{
	enum image_kind kind;
	int rc;

	if (!f->kernel || !f->kernel_len) {
		err_set("the image is empty");
		return boot_image_error(f);
	}
	kind = image_detect(f->kernel, f->kernel_len);
	if (check_modules(f, kind))
		return boot_image_error(f);
	switch (kind) {
	case IMAGE_ELF:
		rc = pvh_load(gm, l, f, entry);
		/* A broken multiboot header explains a missing PVH note. */
		if (rc && multiboot_diagnose(f->kernel, f->kernel_len))
			return boot_image_error(f);
		return rc;
	case IMAGE_BZIMAGE:
		return bzimage_load(gm, l, f, entry);
	case IMAGE_MULTIBOOT:
		return multiboot_load(gm, l, f, entry);
	case IMAGE_UNKNOWN:
		break;
	}
	if (!multiboot_diagnose(f->kernel, f->kernel_len))
		err_set("not a kernel image kvmux knows (neither a bzImage, a multiboot kernel nor an ELF with a PVH note)");
	return boot_image_error(f);
}

int boot_set_rsdp(const struct guest_mem *gm, const struct boot_entry *entry,
		  uint64_t rsdp_gpa)
{
	switch (entry->kind) {
	case IMAGE_ELF:
		return pvh_set_rsdp(gm, entry, rsdp_gpa);
	case IMAGE_BZIMAGE:
		return bzimage_set_rsdp(gm, entry, rsdp_gpa);
	case IMAGE_MULTIBOOT:
		return 0; /* multiboot has no field for it: the guest scans */
	case IMAGE_UNKNOWN:
		break;
	}
	return err_set("no kernel loaded to hand the ACPI RSDP to");
}
