/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * guest_mem.h - guest-physical addresses to host pointers, bounds-checked.
 *
 * Guest RAM is a few mmap'ed regions, each registered with KVM as a memory
 * slot.  Everything that touches guest memory (loaders, devices, virtqueues)
 * goes through gm_ptr(), which returns NULL unless the whole range
 * [gpa, gpa + len) lies inside one region.  A guest-controlled address is
 * therefore checked exactly once, here.
 */
#ifndef KVMUX_GUEST_MEM_H
#define KVMUX_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GM_MAX_REGIONS 4

struct gm_region {
	uint64_t gpa;
	uint64_t size;
	uint8_t *host;
};

struct guest_mem {
	struct gm_region region[GM_MAX_REGIONS];
	unsigned int nr_regions;
	/*
	 * The regions are fresh anonymous memory (vm.c): every byte reads as
	 * zero until written, and a page costs host memory only once touched.
	 */
	bool fresh;
};

/* Host pointer for [gpa, gpa + len), or NULL if any byte is not RAM. */
void *gm_ptr(const struct guest_mem *gm, uint64_t gpa, uint64_t len);

/* The same, or NULL with err_set() saying the range is not RAM: for a
 * caller that fills the range itself (a file read straight into it). */
void *gm_ram(const struct guest_mem *gm, uint64_t gpa, uint64_t len);

/* Copy into / out of guest memory; -1 (and err_set) if out of range. */
int gm_write(const struct guest_mem *gm, uint64_t gpa, const void *src,
	     uint64_t len);
int gm_read(const struct guest_mem *gm, void *dst, uint64_t gpa, uint64_t len);

/*
 * Make [gpa, gpa + len) read as zero, e.g. a kernel's .bss.  On fresh
 * memory this writes nothing, so a 3 GiB .bss commits no host memory: the
 * caller must know that nothing was written to the range before.
 * Returns 0, or -1 (and err_set) if the range is not RAM.
 */
int gm_zero(const struct guest_mem *gm, uint64_t gpa, uint64_t len);

#endif
