/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * boot_test_util.h - a fake guest memory for the loader tests: the RAM
 * slots of a mem_layout backed by calloc'ed buffers instead of mmap and
 * KVM, so loaders can be run and their output inspected in-process.
 */
#ifndef KVMUX_TESTS_BOOT_TEST_UTIL_H
#define KVMUX_TESTS_BOOT_TEST_UTIL_H

#include <stdlib.h>
#include <string.h>

#include "kvmux/error.h"
#include "kvmux/guest_mem.h"
#include "kvmux/layout.h"

struct fake_guest {
	struct mem_layout layout;
	struct guest_mem gm;
};

/* 0 on success; the memory reads as zero like fresh anonymous mmap. */
static inline int fake_guest_init(struct fake_guest *g, uint64_t ram_size)
{
	struct ram_slot slot[2];
	unsigned int i, n;

	memset(g, 0, sizeof(*g));
	if (layout_build(&g->layout, ram_size))
		return -1;
	n = layout_ram_slots(&g->layout, slot);
	for (i = 0; i < n; i++) {
		g->gm.region[i].gpa = slot[i].gpa;
		g->gm.region[i].size = slot[i].size;
		g->gm.region[i].host = calloc(1, slot[i].size);
		if (!g->gm.region[i].host)
			return -1;
		g->gm.nr_regions++;
	}
	return 0;
}

static inline void fake_guest_free(struct fake_guest *g)
{
	unsigned int i;

	for (i = 0; i < g->gm.nr_regions; i++)
		free(g->gm.region[i].host);
	g->gm.nr_regions = 0;
}

/* Host pointer for guest address gpa; the test fails on a bad address. */
static inline void *fake_guest_at(struct fake_guest *g, uint64_t gpa,
				  uint64_t len)
{
	void *p = gm_ptr(&g->gm, gpa, len);

	if (!p)
		abort();
	return p;
}

/* The error just recorded must contain want (cmocka.h included first). */
#define assert_error_contains(want)                                      \
	do {                                                             \
		if (!strstr(err_msg(), (want)))                          \
			fail_msg("error \"%s\" does not contain \"%s\"", \
				 err_msg(), (want));                     \
	} while (0)

#endif
