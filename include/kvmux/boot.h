/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * boot.h - put a kernel image into guest memory and say how to enter it.
 *
 * Loaders only write guest memory through guest_mem and touch no file
 * descriptor: they parse the kernel image from a buffer that holds what
 * they parse (boot_image_read() fills it), so hostile images can be fed
 * to the parsers directly (tests/unit), and read the bytes they copy as
 * they are (ELF segments, a bzImage's kernel, the initrd, modules) by a
 * function straight to their place in guest memory, after checking that
 * place.  The result is a struct boot_entry that the vCPU code turns into
 * registers.
 */
#ifndef KVMUX_BOOT_H
#define KVMUX_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include "kvmux/boot_alloc.h"
#include "kvmux/cpu_entry.h"
#include "kvmux/guest_mem.h"
#include "kvmux/layout.h"

enum image_kind {
	IMAGE_UNKNOWN = 0,
	IMAGE_ELF, /* an ELF file (may lack the PVH note) */
	IMAGE_BZIMAGE, /* Linux bzImage: "HdrS" setup header */
	IMAGE_MULTIBOOT, /* a multiboot (version 1) header: ELF or flat */
};

/*
 * Identify an image from its first bytes: a bzImage header first, then a
 * multiboot header in the first 8 KiB, then an ELF file (booted through
 * its PVH note), as QEMU's -kernel does.
 */
enum image_kind image_detect(const uint8_t *buf, size_t len);
const char *image_kind_name(enum image_kind kind);

struct boot_entry {
	struct cpu_entry cpu; /* how the boot vCPU starts */
	/* What was loaded, for the descriptions written after the kernel. */
	enum image_kind kind; /* IMAGE_ELF: PVH; IMAGE_BZIMAGE: zero page */
	uint64_t initrd_gpa; /* 0: no initrd */
	uint64_t initrd_size;
	/*
	 * Guest memory the kernel and the boot structures occupy: what is
	 * written after the kernel (device tree, MP table, ACPI tables) is
	 * placed with it too.
	 */
	struct boot_alloc mem;
};

/* Most --module files (multiboot kernels take them after the initrd). */
#define BOOT_MAX_MODULES 16

/*
 * Read len bytes at byte offset off of a file into dst: all of them, or
 * -1 with err_set() saying why not (the file changed, a read error).
 */
typedef int boot_read_fn(void *ctx, void *dst, uint64_t off, size_t len);

/*
 * A file the loaders copy into guest memory as it is: the initrd, a
 * multiboot module.  Its bytes are in memory (data), or, with data NULL,
 * read(ctx, ...) reads them straight to their place in guest memory, so
 * that an initrd of hundreds of MiB is never held twice.
 */
struct boot_module {
	const uint8_t *data;
	size_t len; /* bytes; 0: none (the initrd only) */
	boot_read_fn *read; /* when data is NULL */
	void *ctx;
	const char *string; /* multiboot: its command line; NULL: "" */
};

struct boot_files {
	/*
	 * The kernel image, kernel_len bytes in the file.  With kernel_read
	 * NULL, kernel holds all of them.  Otherwise it holds (at the same
	 * offsets) only what the loaders parse, as boot_image_read() reads
	 * it, and kernel_read(kernel_ctx, ...) reads the bytes they copy to
	 * guest memory as they are: an ELF kernel's PT_LOAD segments, a
	 * bzImage's protected-mode kernel, a flat multiboot image.
	 */
	const uint8_t *kernel;
	size_t kernel_len;
	boot_read_fn *kernel_read;
	void *kernel_ctx;
	/* For messages about the image itself ("kernel PATH: "); NULL: none. */
	const char *kernel_name;
	struct boot_module initrd; /* len 0: none; multiboot's module 0 */
	const char *cmdline; /* never NULL; may be "" */
	/* Multiboot only: the modules after the initrd. */
	const struct boot_module *modules;
	unsigned int nr_modules; /* at most BOOT_MAX_MODULES */
};

/*
 * Read of a kernel image of len bytes (> 0), with read_fn(ctx, ...), what
 * the loaders parse, into a buffer at *buf of *buf_len bytes (the end of
 * the furthest range read; free it with boot_image_free()), at their
 * offsets in the file: the first 64 KiB; of an ELF kernel loaded by its
 * program headers (PVH, or multiboot without flag 16) also the program
 * and section header tables, the PT_NOTE segments and the SHT_NOTE
 * sections, each only if it is at most max bytes (guest RAM: the loaders
 * refuse a larger one, boot_check_elf_sizes()).  Nothing else is read:
 * not the debug information of a vmlinux, not a file that is no kernel,
 * not the bytes the loaders copy to guest memory (boot_files.kernel_read
 * reads them).  Bytes between the ranges read as zeros and cost no
 * memory, but the mapping is writable and so, under
 * vm.overcommit_memory=2, charged in full: up to *buf_len, which is
 * 64 KiB unless the headers or notes lie further into the file.  Returns
 * 0, or -1 with err_set() (read_fn()'s error, or no memory; *buf is then
 * NULL).
 */
int boot_image_read(boot_read_fn *read_fn, void *ctx, uint64_t len,
		    uint64_t max, uint8_t **buf, size_t *buf_len);
/* Free what boot_image_read() gave; buf may be NULL. */
void boot_image_free(uint8_t *buf, size_t buf_len);

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
 * copy it to BOOT_DTB_ADDR (or wherever entry->mem finds room) and link it
 * where the boot protocol of entry->kind lets the guest find it.
 *
 *   bzImage  a struct setup_data of type SETUP_DTB, the DTB right after
 *            its header, prepended to the list at
 *            boot_params.hdr.setup_data (boot_params at entry->rsi);
 *   PVH      a module in hvm_start_info (at entry->rbx) whose cmdline is
 *            "dtb" (stored at PVH_DTB_CMDLINE_OFF in the start info
 *            block).  Linux takes module 0 for the initrd (and ignores a
 *            zero-size one), so module 0 stays the initrd, or becomes an
 *            empty module when there is none, and the DTB follows it.
 *   multiboot  the last module, with the string "dtb" (at
 *            MB_DTB_STRING_OFF in the information block).
 *
 * Returns 0, or -1 with err_set() (e.g. a DTB larger than BOOT_DTB_MAX).
 */
int boot_attach_dtb(const struct guest_mem *gm, struct boot_entry *entry,
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
