/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * boot.h - put a kernel image into guest memory and say how to enter it.
 *
 * Loaders only write guest memory through guest_mem and touch no file
 * descriptor: the caller reads the files into buffers first, so hostile
 * images can be fed to the parsers directly (tests/unit).  The result is a
 * struct boot_entry that the vCPU code turns into registers.
 */
#ifndef KVMUX_BOOT_H
#define KVMUX_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include "kvmux/guest_mem.h"
#include "kvmux/layout.h"

enum image_kind {
	IMAGE_UNKNOWN = 0,
	IMAGE_ELF, /* an ELF file (may lack the PVH note) */
	IMAGE_BZIMAGE, /* Linux bzImage: "HdrS" setup header */
};

/* Identify an image from its first bytes. */
enum image_kind image_detect(const uint8_t *buf, size_t len);
const char *image_kind_name(enum image_kind kind);

/* How the boot vCPU starts. */
enum boot_cpu_mode {
	BOOT_PROTECTED32, /* flat 32-bit, paging off (PVH) */
	BOOT_LONG64, /* 64-bit, paging on with cr3 (Linux 64-bit boot) */
};

struct boot_entry {
	enum boot_cpu_mode mode;
	uint64_t rip;
	uint64_t rbx; /* PVH: GPA of struct hvm_start_info */
	uint64_t rsi; /* 64-bit boot protocol: GPA of boot_params */
	uint64_t cr3; /* BOOT_LONG64 only */
	uint64_t gdt_base;
	uint16_t gdt_limit;
	/* What was loaded, for the descriptions written after the kernel. */
	enum image_kind kind; /* IMAGE_ELF: PVH; IMAGE_BZIMAGE: zero page */
	uint64_t initrd_gpa; /* 0: no initrd */
	uint64_t initrd_size;
};

struct boot_files {
	const uint8_t *kernel;
	size_t kernel_len;
	const uint8_t *initrd; /* NULL: none */
	size_t initrd_len;
	const char *cmdline; /* never NULL; may be "" */
};

/*
 * Load the kernel (format detected from its content), the initrd and the
 * command line into guest memory laid out as l, and describe the entry.
 * Returns 0, or -1 with err_set() saying what is wrong with the image or
 * why it does not fit.
 */
int boot_load(const struct guest_mem *gm, const struct mem_layout *l,
	      const struct boot_files *f, struct boot_entry *entry);

/*
 * Hand a flattened device tree to the kernel that boot_load() put in gm:
 * copy it to BOOT_DTB_ADDR and link it where the boot protocol of
 * entry->kind lets the guest find it.
 *
 *   bzImage  a struct setup_data of type SETUP_DTB at BOOT_DTB_ADDR, the
 *            DTB right after its header, prepended to the list at
 *            boot_params.hdr.setup_data;
 *   PVH      a module in hvm_start_info whose cmdline is "dtb" (stored at
 *            PVH_DTB_CMDLINE_ADDR), the DTB itself at BOOT_DTB_ADDR.
 *            Linux takes module 0 for the initrd (and ignores a zero-size
 *            one), so module 0 stays the initrd, or becomes an empty
 *            module when there is none, and the DTB follows it.
 *
 * Returns 0, or -1 with err_set() (e.g. a DTB larger than BOOT_DTB_MAX).
 */
int boot_attach_dtb(const struct guest_mem *gm, const struct boot_entry *entry,
		    const void *dtb, size_t len);

/*
 * Tell the kernel that boot_load() put in gm where the ACPI RSDP is, so it
 * need not scan for it: boot_params.acpi_rsdp_addr for a bzImage (boot
 * protocol 2.14 and later read it), hvm_start_info.rsdp_paddr for PVH.
 * Returns 0, or -1 with err_set().
 */
int boot_set_rsdp(const struct guest_mem *gm, const struct boot_entry *entry,
		  uint64_t rsdp_gpa);

#endif
