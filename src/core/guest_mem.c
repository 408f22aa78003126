// SPDX-License-Identifier: GPL-2.0-only
/*
 * guest_mem.c - bounds-checked translation of guest-physical addresses.
 *
 * The check is written so that no addition can overflow: a guest may hand
 * us gpa = ~0 and len = ~0.
 */
#include <string.h>

#include "kvmux/error.h"
#include "kvmux/guest_mem.h"

void *gm_ptr(const struct guest_mem *gm, uint64_t gpa, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < gm->nr_regions; i++) {
		const struct gm_region *r = &gm->region[i];

		if (gpa < r->gpa || gpa - r->gpa >= r->size)
			continue;
		if (len > r->size - (gpa - r->gpa))
			return NULL;
		return r->host + (gpa - r->gpa);
	}
	return NULL;
}

void *gm_ram(const struct guest_mem *gm, uint64_t gpa, uint64_t len)
{
	void *p = gm_ptr(gm, gpa, len);

	if (!p)
		err_set("guest range %#llx+%#llx is not RAM",
			(unsigned long long)gpa, (unsigned long long)len);
	return p;
}

int gm_write(const struct guest_mem *gm, uint64_t gpa, const void *src,
	     uint64_t len)
{
	void *dst = gm_ram(gm, gpa, len);

	if (!dst)
		return -1;
	memcpy(dst, src, len);
	return 0;
}

int gm_read(const struct guest_mem *gm, void *dst, uint64_t gpa, uint64_t len)
{
	const void *src = gm_ram(gm, gpa, len);

	if (!src)
		return -1;
	memcpy(dst, src, len);
	return 0;
}

int gm_zero(const struct guest_mem *gm, uint64_t gpa, uint64_t len)
{
	void *dst = gm_ram(gm, gpa, len);

	if (!dst)
		return -1;
	if (!gm->fresh)
		memset(dst, 0, len);
	return 0;
}
