/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtq_test_util.h - a fake guest and a minimal virtio driver for tests
 * of the virtqueue code and of virtio devices.
 *
 * The guest has three RAM regions, each its own malloc'ed buffer so that
 * ASan notices any access past one of them:
 *   low    GPA 0,          1 MiB   rings, indirect tables, data
 *   next   GPA 1 MiB,     64 KiB   contiguous with low, but another region
 *   high   GPA 4 GiB,     64 KiB
 * The driver side writes rings byte by byte in little-endian, independent
 * of the layout code under test; only the ring indices a device on
 * another thread polls are accessed whole, with acquire/release order.
 */
#ifndef KVMUX_TESTS_VIRTQ_TEST_UTIL_H
#define KVMUX_TESTS_VIRTQ_TEST_UTIL_H

#include <endian.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kvmux/guest_mem.h"
#include "kvmux/virtq.h"

#define TG_LOW_SIZE 0x100000ULL
#define TG_NEXT_GPA TG_LOW_SIZE
#define TG_NEXT_SIZE 0x10000ULL
#define TG_HIGH_GPA 0x100000000ULL
#define TG_HIGH_SIZE 0x10000ULL

/* Where the test driver puts things in low RAM. */
#define TG_DESC_GPA 0x1000ULL /* up to 16 KiB: 1024 descriptors */
#define TG_AVAIL_GPA 0x6000ULL /* up to 6 + 2 * 1024 bytes */
#define TG_USED_GPA 0x7000ULL /* up to 6 + 8 * 1024 bytes */
#define TG_TABLE_GPA 0xa000ULL /* indirect tables */
#define TG_DATA_GPA 0x20000ULL /* buffers */

struct test_guest {
	struct guest_mem gm;
	/* driver state */
	uint16_t size;
	uint16_t avail_idx;
};

static inline void tg_init(struct test_guest *g)
{
	static const uint64_t gpa[3] = { 0, TG_NEXT_GPA, TG_HIGH_GPA };
	static const uint64_t size[3] = { TG_LOW_SIZE, TG_NEXT_SIZE,
					  TG_HIGH_SIZE };
	unsigned int i;

	memset(g, 0, sizeof(*g));
	for (i = 0; i < 3; i++) {
		g->gm.region[i].gpa = gpa[i];
		g->gm.region[i].size = size[i];
		g->gm.region[i].host = calloc(1, size[i]);
		if (!g->gm.region[i].host)
			abort();
	}
	g->gm.nr_regions = 3;
}

static inline void tg_free(struct test_guest *g)
{
	unsigned int i;

	for (i = 0; i < g->gm.nr_regions; i++)
		free(g->gm.region[i].host);
	g->gm.nr_regions = 0;
}

/* Host address of guest RAM; aborts the test on a bad address. */
static inline uint8_t *tg_at(struct test_guest *g, uint64_t gpa, uint64_t len)
{
	uint8_t *p = gm_ptr(&g->gm, gpa, len);

	if (!p)
		abort();
	return p;
}

/* Does [p, p + len) lie inside one region's host buffer? */
static inline bool tg_contains(const struct test_guest *g, const void *p,
			       uint64_t len)
{
	const uint8_t *b = p;
	unsigned int i;

	for (i = 0; i < g->gm.nr_regions; i++) {
		const struct gm_region *r = &g->gm.region[i];

		if (b >= r->host && b <= r->host + r->size &&
		    len <= (uint64_t)(r->host + r->size - b))
			return true;
	}
	return false;
}

static inline void tg_put16(struct test_guest *g, uint64_t gpa, uint16_t v)
{
	uint8_t *p = tg_at(g, gpa, 2);

	p[0] = v;
	p[1] = v >> 8;
}

static inline void tg_put32(struct test_guest *g, uint64_t gpa, uint32_t v)
{
	tg_put16(g, gpa, v);
	tg_put16(g, gpa + 2, v >> 16);
}

static inline void tg_put64(struct test_guest *g, uint64_t gpa, uint64_t v)
{
	tg_put32(g, gpa, v);
	tg_put32(g, gpa + 4, v >> 32);
}

static inline uint16_t tg_get16(struct test_guest *g, uint64_t gpa)
{
	const uint8_t *p = tg_at(g, gpa, 2);

	return p[0] | p[1] << 8;
}

static inline uint32_t tg_get32(struct test_guest *g, uint64_t gpa)
{
	return tg_get16(g, gpa) | (uint32_t)tg_get16(g, gpa + 2) << 16;
}

/* Write descriptor i of the table at table_gpa. */
static inline void tg_desc_at(struct test_guest *g, uint64_t table_gpa,
			      unsigned int i, uint64_t addr, uint32_t len,
			      uint16_t flags, uint16_t next)
{
	uint64_t d = table_gpa + 16ULL * i;

	tg_put64(g, d, addr);
	tg_put32(g, d + 8, len);
	tg_put16(g, d + 12, flags);
	tg_put16(g, d + 14, next);
}

static inline void tg_desc(struct test_guest *g, unsigned int i, uint64_t addr,
			   uint32_t len, uint16_t flags, uint16_t next)
{
	tg_desc_at(g, TG_DESC_GPA, i, addr, len, flags, next);
}

/* Set up the driver side and the device's queue over the default rings. */
static inline int tg_queue(struct test_guest *g, struct virtq *vq,
			   uint16_t size, bool event_idx, bool indirect)
{
	g->size = size;
	g->avail_idx = 0;
	memset(tg_at(g, TG_DESC_GPA, 0x9000), 0, 0x9000);
	return virtq_init(vq, &g->gm, size, VIRTQ_MAX_SIZE, TG_DESC_GPA,
			  TG_AVAIL_GPA, TG_USED_GPA, event_idx, indirect);
}

/* Start both sides at index idx (to test the wrap of the indices). */
static inline void tg_set_idx(struct test_guest *g, struct virtq *vq,
			      uint16_t idx)
{
	g->avail_idx = idx;
	tg_put16(g, TG_AVAIL_GPA + 2, idx);
	tg_put16(g, TG_USED_GPA + 2, idx);
	vq->last_avail = idx;
	vq->used_idx = idx;
}

/*
 * Put head in slot idx of the available ring at avail_gpa (size entries)
 * and publish idx + 1, which it returns.  The index is stored last, with
 * release order, as a driver does for a device on another thread.
 */
static inline uint16_t tg_avail_at(struct test_guest *g, uint64_t avail_gpa,
				   uint16_t size, uint16_t idx, uint16_t head)
{
	tg_put16(g, avail_gpa + 4 + 2 * (idx & (size - 1)), head);
	idx++;
	__atomic_store_n((uint16_t *)tg_at(g, avail_gpa + 2, 2), htole16(idx),
			 __ATOMIC_RELEASE);
	return idx;
}

/* Make the chain starting at descriptor head available. */
static inline void tg_avail(struct test_guest *g, uint16_t head)
{
	g->avail_idx =
		tg_avail_at(g, TG_AVAIL_GPA, g->size, g->avail_idx, head);
}

static inline uint16_t tg_avail_flags(struct test_guest *g)
{
	return tg_get16(g, TG_AVAIL_GPA);
}

static inline void tg_set_avail_flags(struct test_guest *g, uint16_t flags)
{
	tg_put16(g, TG_AVAIL_GPA, flags);
}

static inline void tg_set_used_event(struct test_guest *g, uint16_t v)
{
	tg_put16(g, TG_AVAIL_GPA + 4 + 2 * g->size, v);
}

static inline uint16_t tg_used_flags(struct test_guest *g)
{
	return tg_get16(g, TG_USED_GPA);
}

/* A ring index the device writes on another thread, read with acquire
 * order: what the device wrote before it is then visible. */
static inline uint16_t tg_load16_acquire(struct test_guest *g, uint64_t gpa)
{
	return le16toh(__atomic_load_n((uint16_t *)tg_at(g, gpa, 2),
				       __ATOMIC_ACQUIRE));
}

/* used->idx of the used ring at used_gpa. */
static inline uint16_t tg_used_idx_at(struct test_guest *g, uint64_t used_gpa)
{
	return tg_load16_acquire(g, used_gpa + 2);
}

static inline uint16_t tg_used_idx(struct test_guest *g)
{
	return tg_used_idx_at(g, TG_USED_GPA);
}

static inline uint16_t tg_avail_event(struct test_guest *g)
{
	return tg_get16(g, TG_USED_GPA + 4 + 8 * g->size);
}

/* Used element at ring slot `slot` (already reduced modulo size) of the
 * used ring at used_gpa. */
static inline void tg_used_elem_at(struct test_guest *g, uint64_t used_gpa,
				   unsigned int slot, uint32_t *id,
				   uint32_t *len)
{
	*id = tg_get32(g, used_gpa + 4 + 8 * slot);
	*len = tg_get32(g, used_gpa + 8 + 8 * slot);
}

static inline void tg_used_elem(struct test_guest *g, unsigned int slot,
				uint32_t *id, uint32_t *len)
{
	tg_used_elem_at(g, TG_USED_GPA, slot, id, len);
}

#endif
