// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_virtq.c - split virtqueues against a fake guest: well-formed chains
 * (direct, indirect, across the wrap of the indices), the used ring,
 * notification suppression, copies into and out of chains; then each way a
 * driver can break the rules, and random rings, none of which may make the
 * device crash or hand out a buffer outside guest RAM.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kvmux/virtq.h"
#include "virtq_test_util.h"

#define D_NEXT VIRTQ_DESC_F_NEXT
#define D_WRITE VIRTQ_DESC_F_WRITE
#define D_INDIRECT VIRTQ_DESC_F_INDIRECT

static struct test_guest g;
static struct virtq vq;
static struct virtq_chain chain;

static int setup(void **state)
{
	tg_init(&g);
	memset(&chain, 0xa5, sizeof(chain)); /* stale data must not leak */
	return 0;
}

static int teardown(void **state)
{
	tg_free(&g);
	return 0;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

static uint8_t *host(uint64_t gpa)
{
	return tg_at(&g, gpa, 1);
}

/* The next pop must fail, and so must every later one. */
static void assert_pop_breaks(void)
{
	uint16_t last = vq.last_avail;

	assert_int_equal(virtq_pop(&vq, &chain), -1);
	assert_true(vq.broken);
	assert_true(vq.error[0] != '\0');
	assert_int_equal(vq.last_avail, last);
	assert_int_equal(virtq_pop(&vq, &chain), -1);
}

/* ---- virtq_init ---- */

static void init_ok(void **state)
{
	assert_int_equal(tg_queue(&g, &vq, 256, false, false), 0);
	assert_true(vq.ready);
	assert_false(vq.broken);
	assert_int_equal(vq.size, 256);
	assert_int_equal(virtq_pop(&vq, &chain), 0);
	/* Sizes 1 and VIRTQ_MAX_SIZE are fine too. */
	assert_int_equal(tg_queue(&g, &vq, 1, true, true), 0);
	assert_int_equal(tg_queue(&g, &vq, VIRTQ_MAX_SIZE, true, true), 0);
}

static void init_bad_size(void **state)
{
	static const uint16_t bad[] = { 0, 3, 6, 100, 1023, 2048, 65535 };
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(tg_queue(&g, &vq, bad[i], false, false), -1);
		assert_false(vq.ready);
		assert_non_null(strstr(vq.error, "queue size"));
		assert_int_equal(virtq_pop(&vq, &chain), 0);
	}
	/* Larger than what the transport offered. */
	assert_int_equal(virtq_init(&vq, &g.gm, 512, 256, TG_DESC_GPA,
				    TG_AVAIL_GPA, TG_USED_GPA, false, false),
			 -1);
	assert_false(vq.ready);
	/* The transport itself cannot offer more than VIRTQ_MAX_SIZE. */
	assert_int_equal(virtq_init(&vq, &g.gm, 4, VIRTQ_MAX_SIZE * 2,
				    TG_DESC_GPA, TG_AVAIL_GPA, TG_USED_GPA,
				    false, false),
			 -1);
	assert_false(vq.ready);
}

static int init_at(uint16_t size, uint64_t desc, uint64_t avail, uint64_t used)
{
	return virtq_init(&vq, &g.gm, size, VIRTQ_MAX_SIZE, desc, avail, used,
			  false, false);
}

static void init_misaligned(void **state)
{
	assert_int_equal(init_at(8, TG_DESC_GPA + 8, TG_AVAIL_GPA, TG_USED_GPA),
			 -1);
	assert_non_null(strstr(vq.error, "aligned"));
	assert_false(vq.ready);
	assert_int_equal(init_at(8, TG_DESC_GPA, TG_AVAIL_GPA + 1, TG_USED_GPA),
			 -1);
	assert_false(vq.ready);
	assert_int_equal(init_at(8, TG_DESC_GPA, TG_AVAIL_GPA, TG_USED_GPA + 2),
			 -1);
	assert_false(vq.ready);
	/* The minimum alignments are enough. */
	assert_int_equal(
		init_at(8, TG_DESC_GPA + 16, TG_AVAIL_GPA + 2, TG_USED_GPA + 4),
		0);
}

static void init_outside_ram(void **state)
{
	const uint64_t end = TG_LOW_SIZE + TG_NEXT_SIZE; /* hole after */
	const uint16_t n = 8;

	/* Entirely outside, in the hole below 4 GiB, and near 2^64. */
	assert_int_equal(init_at(n, 0x80000000, TG_AVAIL_GPA, TG_USED_GPA), -1);
	assert_non_null(strstr(vq.error, "not RAM"));
	assert_int_equal(init_at(n, TG_DESC_GPA, UINT64_MAX - 1, TG_USED_GPA),
			 -1);
	assert_int_equal(init_at(n, TG_DESC_GPA, TG_AVAIL_GPA, ~3ULL), -1);
	/* The descriptor table runs past the end of RAM. */
	assert_int_equal(
		init_at(n, end - 16 * n + 16, TG_AVAIL_GPA, TG_USED_GPA), -1);
	assert_int_equal(init_at(n, end - 16 * n, TG_AVAIL_GPA, TG_USED_GPA),
			 0);
	/* Across two regions, even though the addresses are contiguous. */
	assert_int_equal(
		init_at(n, TG_LOW_SIZE - 16, TG_AVAIL_GPA, TG_USED_GPA), -1);
	/* Only used_event (avail) or avail_event (used) is outside. */
	assert_int_equal(
		init_at(n, TG_DESC_GPA, end - (4 + 2 * n), TG_USED_GPA), -1);
	assert_int_equal(
		init_at(n, TG_DESC_GPA, end - (6 + 2 * n), TG_USED_GPA), 0);
	assert_int_equal(
		init_at(n, TG_DESC_GPA, TG_AVAIL_GPA, end - (4 + 8 * n)), -1);
	assert_false(vq.ready);
	assert_int_equal(
		init_at(n, TG_DESC_GPA, TG_AVAIL_GPA, end - (8 + 8 * n)), 0);
	/* In the high region. */
	assert_int_equal(init_at(n, TG_HIGH_GPA, TG_HIGH_GPA + 0x1000,
				 TG_HIGH_GPA + 0x2000),
			 0);
}

/*
 * Areas that share a byte are refused: the device would read its own
 * writes as the driver's (used->flags as avail->idx, with the device
 * area two bytes after the driver area: a device thread once spun on
 * that for ever).  Areas that only touch are fine.
 */
static void init_overlapping_areas(void **state)
{
	const uint16_t n = 8;
	const uint64_t a = TG_AVAIL_GPA + 2; /* legal: 2-aligned */

	assert_int_equal(init_at(n, TG_DESC_GPA, a, a + 2), -1);
	assert_non_null(strstr(vq.error, "overlaps"));
	assert_false(vq.ready);
	assert_int_equal(init_at(n, TG_DESC_GPA, TG_DESC_GPA + 64, TG_USED_GPA),
			 -1);
	assert_int_equal(init_at(n, TG_DESC_GPA, TG_AVAIL_GPA, TG_DESC_GPA + 4),
			 -1);
	assert_int_equal(init_at(n, TG_AVAIL_GPA, TG_AVAIL_GPA, TG_AVAIL_GPA),
			 -1);
	/* Touching, not sharing: desc | avail (6 + 2n) | used, 4-aligned. */
	assert_int_equal(init_at(n, a - 2 - 16 * n, a, a + 6 + 2 * n), 0);
	assert_int_equal(init_at(n, a - 2 - 16 * n, a, a + 6 + 2 * n - 4), -1);
}

static void queues_of_a_device_overlap(void **state)
{
	struct virtq other;
	char why[96];

	assert_int_equal(init_at(8, TG_DESC_GPA, TG_AVAIL_GPA, TG_USED_GPA), 0);
	assert_int_equal(virtq_init(&other, &g.gm, 8, VIRTQ_MAX_SIZE,
				    TG_DESC_GPA + 0x200, TG_USED_GPA + 0x100,
				    TG_AVAIL_GPA, false, false),
			 0);
	assert_true(virtq_overlaps(&other, &vq, why, sizeof(why)));
	assert_non_null(strstr(why, "used ring overlaps another queue's "
				    "available ring"));
	assert_int_equal(virtq_init(&other, &g.gm, 8, VIRTQ_MAX_SIZE,
				    TG_DESC_GPA + 0x200, TG_AVAIL_GPA + 0x100,
				    TG_USED_GPA + 0x100, false, false),
			 0);
	assert_false(virtq_overlaps(&other, &vq, why, sizeof(why)));
	/* A queue that is not ready overlaps nothing. */
	virtq_reset(&vq);
	assert_false(virtq_overlaps(&other, &vq, why, sizeof(why)));
}

/* ---- well-formed chains ---- */

static void pop_empty(void **state)
{
	assert_int_equal(tg_queue(&g, &vq, 16, false, false), 0);
	assert_int_equal(virtq_pop(&vq, &chain), 0);
	assert_int_equal(vq.last_avail, 0);
}

static void single_readable(void **state)
{
	assert_int_equal(tg_queue(&g, &vq, 16, false, false), 0);
	tg_desc(&g, 5, TG_DATA_GPA, 100, 0, 0);
	tg_avail(&g, 5);
	assert_int_equal(virtq_pop(&vq, &chain), 1);
	assert_int_equal(chain.head, 5);
	assert_int_equal(chain.nr_bufs, 1);
	assert_ptr_equal(chain.buf[0].host, host(TG_DATA_GPA));
	assert_int_equal(chain.buf[0].len, 100);
	assert_false(chain.buf[0].device_writable);
	assert_int_equal(chain.readable_len, 100);
	assert_int_equal(chain.writable_len, 0);
	assert_int_equal(vq.last_avail, 1);
	assert_int_equal(virtq_pop(&vq, &chain), 0);
}

/* Like virtio-blk: request header, data, status byte. */
static void blk_like_chain(void **state)
{
	assert_int_equal(tg_queue(&g, &vq, 8, false, false), 0);
	tg_desc(&g, 2, TG_DATA_GPA, 16, D_NEXT, 7);
	tg_desc(&g, 7, TG_HIGH_GPA + 0x200, 512, D_NEXT | D_WRITE, 0);
	tg_desc(&g, 0, TG_DATA_GPA + 0x100, 1, D_WRITE, 0);
	tg_avail(&g, 2);
	assert_int_equal(virtq_pop(&vq, &chain), 1);
	assert_int_equal(chain.head, 2);
	assert_int_equal(chain.nr_bufs, 3);
	assert_ptr_equal(chain.buf[0].host, host(TG_DATA_GPA));
	assert_false(chain.buf[0].device_writable);
	assert_ptr_equal(chain.buf[1].host, host(TG_HIGH_GPA + 0x200));
	assert_int_equal(chain.buf[1].len, 512);
	assert_true(chain.buf[1].device_writable);
	assert_ptr_equal(chain.buf[2].host, host(TG_DATA_GPA + 0x100));
	assert_int_equal(chain.buf[2].len, 1);
	assert_true(chain.buf[2].device_writable);
	assert_int_equal(chain.readable_len, 16);
	assert_int_equal(chain.writable_len, 513);
}

/* Buffers ending exactly at the end of a region are fine. */
static void buffers_at_region_ends(void **state)
{
	assert_int_equal(tg_queue(&g, &vq, 4, false, false), 0);
	tg_desc(&g, 0, TG_LOW_SIZE - 64, 64, D_NEXT, 1);
	tg_desc(&g, 1, TG_NEXT_GPA, TG_NEXT_SIZE, D_NEXT, 2);
	tg_desc(&g, 2, TG_HIGH_GPA + TG_HIGH_SIZE - 1, 1, D_WRITE, 0);
	tg_avail(&g, 0);
	assert_int_equal(virtq_pop(&vq, &chain), 1);
	assert_int_equal(chain.nr_bufs, 3);
	assert_int_equal(chain.readable_len, 64 + TG_NEXT_SIZE);
	assert_int_equal(chain.writable_len, 1);
}

static void longest_direct_chain(void **state)
{
	unsigned int i;

	assert_int_equal(tg_queue(&g, &vq, 64, false, false), 0);
	/* All 64 descriptors, visited in a scrambled order. */
	for (i = 0; i < 64; i++)
		tg_desc(&g, (i * 5) % 64, TG_DATA_GPA + i, 1,
			i < 63 ? D_NEXT : 0, ((i + 1) * 5) % 64);
	tg_avail(&g, 0);
	assert_int_equal(virtq_pop(&vq, &chain), 1);
	assert_int_equal(chain.nr_bufs, 64);
	for (i = 0; i < 64; i++)
		assert_ptr_equal(chain.buf[i].host, host(TG_DATA_GPA + i));
}

static void zero_length_buffer(void **state)
{
	uint8_t out[8];

	assert_int_equal(tg_queue(&g, &vq, 4, false, false), 0);
	/* A zero-length buffer's address is never used, so not checked. */
	tg_desc(&g, 0, TG_DATA_GPA, 4, D_NEXT, 1);
	tg_desc(&g, 1, 0xdead00000000ULL, 0, D_NEXT, 2);
	tg_desc(&g, 2, TG_DATA_GPA + 4, 4, D_NEXT | D_WRITE, 3);
	tg_desc(&g, 3, UINT64_MAX, 0, D_WRITE, 0);
	memcpy(host(TG_DATA_GPA), "abcdefgh", 8);
	tg_avail(&g, 0);
	assert_int_equal(virtq_pop(&vq, &chain), 1);
	assert_int_equal(chain.nr_bufs, 4);
	assert_int_equal(chain.buf[1].len, 0);
	assert_non_null(chain.buf[1].host);
	assert_false(chain.buf[1].device_writable);
	assert_true(chain.buf[3].device_writable);
	assert_int_equal(chain.readable_len, 4);
	assert_int_equal(chain.writable_len, 4);
	assert_int_equal(virtq_chain_read(&chain, 0, out, sizeof(out)), 4);
	assert_memory_equal(out, "abcd", 4);
}

static void indirect_table(void **state)
{
	assert_int_equal(tg_queue(&g, &vq, 4, false, true), 0);
	/* Chain order 0 -> 2 -> 1 inside the table. */
	tg_desc_at(&g, TG_TABLE_GPA, 0, TG_DATA_GPA, 16, D_NEXT, 2);
	tg_desc_at(&g, TG_TABLE_GPA, 2, TG_DATA_GPA + 0x1000, 4096,
		   D_NEXT | D_WRITE, 1);
	tg_desc_at(&g, TG_TABLE_GPA, 1, TG_HIGH_GPA, 1, D_WRITE, 0);
	/* The WRITE flag of the descriptor of the table means nothing. */
	tg_desc(&g, 3, TG_TABLE_GPA, 3 * 16, D_INDIRECT | D_WRITE, 0);
	tg_avail(&g, 3);
	assert_int_equal(virtq_pop(&vq, &chain), 1);
	assert_int_equal(chain.head, 3);
	assert_int_equal(chain.nr_bufs, 3);
	assert_ptr_equal(chain.buf[0].host, host(TG_DATA_GPA));
	assert_false(chain.buf[0].device_writable);
	assert_ptr_equal(chain.buf[1].host, host(TG_DATA_GPA + 0x1000));
	assert_true(chain.buf[1].device_writable);
	assert_ptr_equal(chain.buf[2].host, host(TG_HIGH_GPA));
	assert_int_equal(chain.readable_len, 16);
	assert_int_equal(chain.writable_len, 4097);
}

/* Indirect tables need no alignment and may follow direct buffers. */
static void indirect_after_direct(void **state)
{
	const uint64_t table = TG_TABLE_GPA + 3;

	assert_int_equal(tg_queue(&g, &vq, 4, false, true), 0);
	tg_desc(&g, 1, TG_DATA_GPA, 8, D_NEXT, 2);
	tg_desc(&g, 2, table, 32, D_INDIRECT, 0);
	tg_desc_at(&g, table, 0, TG_DATA_GPA + 8, 8, D_NEXT, 1);
	tg_desc_at(&g, table, 1, TG_DATA_GPA + 16, 8, D_WRITE, 0);
	tg_avail(&g, 1);
	assert_int_equal(virtq_pop(&vq, &chain), 1);
	assert_int_equal(chain.nr_bufs, 3);
	assert_int_equal(chain.readable_len, 16);
	assert_int_equal(chain.writable_len, 8);
}

static void indirect_largest(void **state)
{
	unsigned int i, n = VIRTQ_MAX_SIZE;

	assert_int_equal(tg_queue(&g, &vq, 2, false, true), 0);
	for (i = 0; i < n; i++)
		tg_desc_at(&g, TG_TABLE_GPA, i, TG_DATA_GPA + i, 1,
			   i + 1 < n ? D_NEXT : 0, i + 1);
	tg_desc(&g, 0, TG_TABLE_GPA, 16 * n, D_INDIRECT, 0);
	tg_avail(&g, 0);
	assert_int_equal(virtq_pop(&vq, &chain), 1);
	assert_int_equal(chain.nr_bufs, n);
	assert_int_equal(chain.readable_len, n);
}

/* Pop three chains, complete them out of order. */
static void several_chains_and_push(void **state)
{
	uint32_t id, len;
	unsigned int i;

	assert_int_equal(tg_queue(&g, &vq, 4, false, false), 0);
	for (i = 0; i < 3; i++) {
		tg_desc(&g, i, TG_DATA_GPA + 0x100 * i, 0x10 * (i + 1), D_WRITE,
			0);
		tg_avail(&g, i);
	}
	for (i = 0; i < 3; i++) {
		assert_int_equal(virtq_pop(&vq, &chain), 1);
		assert_int_equal(chain.head, i);
		assert_int_equal(chain.writable_len, 0x10 * (i + 1));
	}
	assert_int_equal(virtq_pop(&vq, &chain), 0);
	virtq_push(&vq, 1, 7);
	assert_int_equal(tg_used_idx(&g), 1);
	virtq_push(&vq, 2, 0);
	virtq_push(&vq, 0, 0x10);
	assert_int_equal(tg_used_idx(&g), 3);
	assert_int_equal(vq.used_idx, 3);
	tg_used_elem(&g, 0, &id, &len);
	assert_int_equal(id, 1);
	assert_int_equal(len, 7);
	tg_used_elem(&g, 1, &id, &len);
	assert_int_equal(id, 2);
	assert_int_equal(len, 0);
	tg_used_elem(&g, 2, &id, &len);
	assert_int_equal(id, 0);
	assert_int_equal(len, 0x10);
}

/* Indices start just below 2^16 and wrap through 0. */
static void wrapped_indices(void **state)
{
	uint32_t id, len;
	uint16_t start = 65533, idx;
	unsigned int i;

	assert_int_equal(tg_queue(&g, &vq, 4, false, false), 0);
	tg_set_idx(&g, &vq, start);
	for (i = 0; i < 4; i++)
		tg_desc(&g, i, TG_DATA_GPA + i, 1, D_WRITE, 0);
	for (i = 0; i < 10; i++) {
		idx = start + i;
		tg_avail(&g, (idx * 3) & 3);
		assert_int_equal(virtq_pop(&vq, &chain), 1);
		assert_int_equal(chain.head, (idx * 3) & 3);
		assert_int_equal(vq.last_avail, (uint16_t)(idx + 1));
		virtq_push(&vq, chain.head, i);
		assert_int_equal(tg_used_idx(&g), (uint16_t)(idx + 1));
		tg_used_elem(&g, idx & 3, &id, &len);
		assert_int_equal(id, chain.head);
		assert_int_equal(len, i);
	}
	assert_int_equal(virtq_pop(&vq, &chain), 0);
	/* A full ring across the wrap: exactly size chains pending. */
	for (i = 0; i < 4; i++)
		tg_avail(&g, i);
	for (i = 0; i < 4; i++)
		assert_int_equal(virtq_pop(&vq, &chain), 1);
	assert_int_equal(virtq_pop(&vq, &chain), 0);
}

static void reset_and_reinit(void **state)
{
	assert_int_equal(tg_queue(&g, &vq, 4, false, false), 0);
	tg_avail(&g, 9);
	assert_pop_breaks();
	virtq_reset(&vq);
	assert_false(vq.ready);
	assert_false(vq.broken);
	assert_int_equal(virtq_pop(&vq, &chain), 0);
	assert_false(virtq_should_notify(&vq));
	assert_int_equal(tg_queue(&g, &vq, 4, false, false), 0);
	tg_desc(&g, 0, TG_DATA_GPA, 1, 0, 0);
	tg_avail(&g, 0);
	assert_int_equal(virtq_pop(&vq, &chain), 1);
}

/* ---- notifications ---- */

static void notify_without_event_idx(void **state)
{
	assert_int_equal(tg_queue(&g, &vq, 4, false, false), 0);
	tg_desc(&g, 0, TG_DATA_GPA, 1, D_WRITE, 0);
	tg_avail(&g, 0);
	assert_int_equal(virtq_pop(&vq, &chain), 1);
	virtq_push(&vq, 0, 1);
	assert_true(virtq_should_notify(&vq));
	tg_set_avail_flags(&g, VIRTQ_AVAIL_F_NO_INTERRUPT);
	assert_false(virtq_should_notify(&vq));
	tg_set_avail_flags(&g, 0);
	assert_true(virtq_should_notify(&vq));
}

/* Interrupt for new_idx with old_idx signalled before, given used_event. */
static bool notify_case(uint16_t old_idx, uint16_t new_idx, uint16_t event)
{
	vq.signalled_used = old_idx;
	vq.signalled_valid = true;
	vq.used_idx = new_idx;
	tg_set_used_event(&g, event);
	return virtq_should_notify(&vq);
}

static void notify_with_event_idx(void **state)
{
	assert_int_equal(tg_queue(&g, &vq, 8, true, false), 0);
	/* First time: nothing to compare with, so notify. */
	tg_set_used_event(&g, 1000);
	assert_true(virtq_should_notify(&vq));
	assert_true(vq.signalled_valid);
	/* NO_INTERRUPT means nothing with EVENT_IDX. */
	tg_set_avail_flags(&g, VIRTQ_AVAIL_F_NO_INTERRUPT);
	assert_true(notify_case(10, 11, 10));
	tg_set_avail_flags(&g, 0);
	assert_false(notify_case(10, 11, 11));
	assert_false(notify_case(10, 11, 9)); /* already past earlier */
	assert_true(notify_case(10, 15, 12));
	assert_true(notify_case(10, 15, 14));
	assert_false(notify_case(10, 15, 15));
	assert_false(notify_case(10, 10, 10)); /* nothing new */
	assert_int_equal(vq.signalled_used, 10);
	/* Across the wrap: old 65534, new 2 (four pushes). */
	assert_true(notify_case(65534, 2, 65534));
	assert_true(notify_case(65534, 2, 65535));
	assert_true(notify_case(65534, 2, 0));
	assert_true(notify_case(65534, 2, 1));
	assert_false(notify_case(65534, 2, 2));
	assert_false(notify_case(65534, 2, 65533));
	assert_false(notify_case(65534, 2, 30000));
	assert_true(notify_case(65535, 0, 65535));
	assert_false(notify_case(65535, 0, 0));
}

/* should_notify remembers what it signalled. */
static void notify_event_idx_sequence(void **state)
{
	unsigned int i;

	assert_int_equal(tg_queue(&g, &vq, 8, true, false), 0);
	tg_set_idx(&g, &vq, 65534);
	for (i = 0; i < 8; i++)
		tg_desc(&g, i, TG_DATA_GPA, 1, D_WRITE, 0);
	tg_set_used_event(&g, 65534);
	tg_avail(&g, 0);
	assert_int_equal(virtq_pop(&vq, &chain), 1);
	virtq_push(&vq, 0, 1);
	assert_true(virtq_should_notify(&vq)); /* first */
	tg_avail(&g, 1);
	assert_int_equal(virtq_pop(&vq, &chain), 1);
	virtq_push(&vq, 1, 1);
	/* used_event 65534 was crossed by the first push only. */
	assert_false(virtq_should_notify(&vq));
	tg_set_used_event(&g, 0);
	tg_avail(&g, 2);
	assert_int_equal(virtq_pop(&vq, &chain), 1);
	virtq_push(&vq, 2, 1); /* used idx 0 -> 1 crosses used_event 0 */
	assert_true(virtq_should_notify(&vq));
	assert_int_equal(vq.signalled_used, 1);
}

static void enable_notify_without_event_idx(void **state)
{
	assert_int_equal(tg_queue(&g, &vq, 4, false, false), 0);
	assert_int_equal(tg_used_flags(&g), 0);
	virtq_disable_notify(&vq);
	assert_int_equal(tg_used_flags(&g), VIRTQ_USED_F_NO_NOTIFY);
	assert_false(virtq_enable_notify(&vq));
	assert_int_equal(tg_used_flags(&g), 0);
	/* A chain that came in while we were going to sleep. */
	virtq_disable_notify(&vq);
	tg_desc(&g, 0, TG_DATA_GPA, 1, 0, 0);
	tg_avail(&g, 0);
	assert_true(virtq_enable_notify(&vq));
	assert_int_equal(virtq_pop(&vq, &chain), 1);
	assert_false(virtq_enable_notify(&vq));
}

static void enable_notify_with_event_idx(void **state)
{
	assert_int_equal(tg_queue(&g, &vq, 4, true, false), 0);
	tg_set_idx(&g, &vq, 65535);
	virtq_disable_notify(&vq);
	assert_int_equal(tg_used_flags(&g), 0); /* must stay 0 */
	assert_false(virtq_enable_notify(&vq));
	assert_int_equal(tg_avail_event(&g), 65535);
	tg_desc(&g, 0, TG_DATA_GPA, 1, 0, 0);
	tg_avail(&g, 0);
	assert_true(virtq_enable_notify(&vq));
	assert_int_equal(virtq_pop(&vq, &chain), 1);
	assert_false(virtq_enable_notify(&vq));
	assert_int_equal(tg_avail_event(&g), 0);
}

/* ---- issue 8: service loops that the device's own writes keep going ---- */

/*
 * The loop of blk_queue_notify(), bounded: the turns it took, or 0 if it
 * had not ended after `bound` turns or chains.  Each chain's writable
 * part gets the header's sector + 1, like a disk whose every sector names
 * the next one.
 */
/*
 * One wake-up of a device's I/O thread, as virtio_blk.c serves it: at most
 * BATCH chains (BLK_BATCH), each request's header sector + 1 written back
 * as a disk's data; returns how many it served.
 */
#define BATCH 32
static unsigned int serve_batch_like_blk(void)
{
	unsigned int served;
	uint64_t sector = 0;

	virtq_disable_notify(&vq);
	for (served = 0; served < BATCH; served++) {
		if (virtq_pop(&vq, &chain) <= 0)
			break;
		virtq_chain_read(&chain, 8, &sector, sizeof(sector));
		sector++;
		virtq_chain_write(&chain, 0, &sector, sizeof(sector));
		virtq_push(&vq, chain.head, sizeof(sector));
	}
	if (served < BATCH)
		virtq_enable_notify(&vq);
	return served;
}

/*
 * Issue 8, found again by tests/fuzz (the inputs are in its corpus):
 * used->flags two bytes after the driver area is avail->idx; the layout
 * is refused.
 */
static void used_flags_on_avail_idx_refused(void **state)
{
	assert_int_equal(virtq_init(&vq, &g.gm, 1, VIRTQ_MAX_SIZE, TG_DESC_GPA,
				    TG_AVAIL_GPA + 2, TG_AVAIL_GPA + 4, false,
				    false),
			 -1);
}

/*
 * A request's header at the driver area (avail->idx is the header's
 * sector) and its data buffer over both: each request the device serves
 * makes the next one available, for ever, as a busy guest could.  No
 * ring overlaps another, so the device serves it, but a batch at a time:
 * each wake-up of its thread ends, and a stop is seen between them.
 */
static void self_feeding_queue_served_in_batches(void **state)
{
	unsigned int i;

	assert_int_equal(virtq_init(&vq, &g.gm, 8, VIRTQ_MAX_SIZE, TG_DESC_GPA,
				    TG_AVAIL_GPA + 6, TG_USED_GPA, false,
				    false),
			 0);
	tg_desc(&g, 0, TG_AVAIL_GPA, 16, D_NEXT, 1);
	tg_desc(&g, 1, TG_AVAIL_GPA + 8, 8, D_WRITE, 0);
	tg_put16(&g, TG_AVAIL_GPA + 10, 0); /* ring[0]: head 0 */
	tg_put16(&g, TG_AVAIL_GPA + 8, 1); /* avail->idx */
	for (i = 0; i < 3; i++)
		assert_int_equal(serve_batch_like_blk(), BATCH);
}

/* ---- copies ---- */

/* Readable 5 + 7 + 3 bytes, then writable 4 + 0 + 6 bytes. */
static void make_copy_chain(void)
{
	assert_int_equal(tg_queue(&g, &vq, 8, false, false), 0);
	memcpy(host(TG_DATA_GPA), "01234", 5);
	memcpy(host(TG_DATA_GPA + 0x100), "56789ab", 7);
	memcpy(host(TG_DATA_GPA + 0x200), "cde", 3);
	tg_desc(&g, 0, TG_DATA_GPA, 5, D_NEXT, 1);
	tg_desc(&g, 1, TG_DATA_GPA + 0x100, 7, D_NEXT, 2);
	tg_desc(&g, 2, TG_DATA_GPA + 0x200, 3, D_NEXT, 3);
	tg_desc(&g, 3, TG_DATA_GPA + 0x300, 4, D_NEXT | D_WRITE, 4);
	tg_desc(&g, 4, 0, 0, D_NEXT | D_WRITE, 5);
	tg_desc(&g, 5, TG_HIGH_GPA + 0x400, 6, D_WRITE, 0);
	tg_avail(&g, 0);
	assert_int_equal(virtq_pop(&vq, &chain), 1);
}

static void chain_read_offsets(void **state)
{
	char out[32];

	make_copy_chain();
	memset(out, 0, sizeof(out));
	assert_int_equal(virtq_chain_read(&chain, 0, out, sizeof(out)), 15);
	assert_memory_equal(out, "0123456789abcde", 15);
	memset(out, 0, sizeof(out));
	assert_int_equal(virtq_chain_read(&chain, 4, out, 6), 6);
	assert_memory_equal(out, "456789", 6);
	memset(out, 0, sizeof(out));
	assert_int_equal(virtq_chain_read(&chain, 11, out, 3), 3);
	assert_memory_equal(out, "bcd", 3);
	assert_int_equal(virtq_chain_read(&chain, 12, out, 100), 3);
	assert_int_equal(virtq_chain_read(&chain, 15, out, 1), 0);
	assert_int_equal(virtq_chain_read(&chain, UINT64_MAX, out, 1), 0);
	assert_int_equal(virtq_chain_read(&chain, 3, out, 0), 0);
}

static void chain_write_offsets(void **state)
{
	make_copy_chain();
	assert_int_equal(virtq_chain_write(&chain, 2, "WXYZ", 4), 4);
	assert_memory_equal(host(TG_DATA_GPA + 0x302), "WX", 2);
	assert_memory_equal(host(TG_HIGH_GPA + 0x400), "YZ", 2);
	assert_int_equal(virtq_chain_write(&chain, 0, "abcdefghijklmn", 14),
			 10);
	assert_memory_equal(host(TG_DATA_GPA + 0x300), "abcd", 4);
	assert_memory_equal(host(TG_HIGH_GPA + 0x400), "efghij", 6);
	assert_int_equal(*host(TG_HIGH_GPA + 0x406), 0); /* not past it */
	assert_int_equal(virtq_chain_write(&chain, 10, "x", 1), 0);
	assert_int_equal(virtq_chain_write(&chain, ~0ULL, "x", 1), 0);
	/* The readable part is never written. */
	assert_memory_equal(host(TG_DATA_GPA), "01234", 5);
	assert_memory_equal(host(TG_DATA_GPA + 0x200), "cde", 3);
}

/* ---- a driver breaking the rules ---- */

static void bad_desc_outside_ram(void **state)
{
	assert_int_equal(tg_queue(&g, &vq, 4, false, false), 0);
	tg_desc(&g, 0, TG_DATA_GPA, 16, D_NEXT, 1);
	tg_desc(&g, 1, 0x80000000ULL, 16, 0, 0); /* the hole below 4 GiB */
	tg_avail(&g, 0);
	assert_pop_breaks();
	assert_non_null(strstr(vq.error, "not RAM"));
}

static void bad_desc_wraps_2_64(void **state)
{
	assert_int_equal(tg_queue(&g, &vq, 4, false, false), 0);
	tg_desc(&g, 0, UINT64_MAX - 8, 0x100, 0, 0);
	tg_avail(&g, 0);
	assert_pop_breaks();
	assert_int_equal(tg_queue(&g, &vq, 4, false, false), 0);
	tg_desc(&g, 0, TG_DATA_GPA, UINT32_MAX, D_WRITE, 0);
	tg_avail(&g, 0);
	assert_pop_breaks();
}

static void bad_desc_straddles_ram_end(void **state)
{
	assert_int_equal(tg_queue(&g, &vq, 4, false, false), 0);
	tg_desc(&g, 0, TG_HIGH_GPA + TG_HIGH_SIZE - 8, 9, 0, 0);
	tg_avail(&g, 0);
	assert_pop_breaks();
	/* Contiguous addresses, two regions: each buffer needs one. */
	assert_int_equal(tg_queue(&g, &vq, 4, false, false), 0);
	tg_desc(&g, 0, TG_LOW_SIZE - 8, 16, 0, 0);
	tg_avail(&g, 0);
	assert_pop_breaks();
}

static void bad_loop(void **state)
{
	assert_int_equal(tg_queue(&g, &vq, 8, false, false), 0);
	tg_desc(&g, 0, TG_DATA_GPA, 1, D_NEXT, 1);
	tg_desc(&g, 1, TG_DATA_GPA, 1, D_NEXT, 2);
	tg_desc(&g, 2, TG_DATA_GPA, 1, D_NEXT, 0);
	tg_avail(&g, 0);
	assert_pop_breaks();
	assert_non_null(strstr(vq.error, "longer than the queue"));
	/* A descriptor that is its own successor. */
	assert_int_equal(tg_queue(&g, &vq, 8, false, false), 0);
	tg_desc(&g, 3, TG_DATA_GPA, 1, D_NEXT | D_WRITE, 3);
	tg_avail(&g, 3);
	assert_pop_breaks();
}

/* size + 1 descriptors through a queue of size 1 (a self loop). */
static void bad_chain_longer_than_queue(void **state)
{
	assert_int_equal(tg_queue(&g, &vq, 1, false, false), 0);
	tg_desc(&g, 0, TG_DATA_GPA, 1, D_NEXT, 0);
	tg_avail(&g, 0);
	assert_pop_breaks();
}

static void bad_head(void **state)
{
	assert_int_equal(tg_queue(&g, &vq, 8, false, false), 0);
	tg_avail(&g, 8);
	assert_pop_breaks();
	assert_int_equal(tg_queue(&g, &vq, 8, false, false), 0);
	tg_avail(&g, 0xffff);
	assert_pop_breaks();
}

static void bad_next(void **state)
{
	assert_int_equal(tg_queue(&g, &vq, 8, false, false), 0);
	tg_desc(&g, 0, TG_DATA_GPA, 1, D_NEXT, 8);
	tg_avail(&g, 0);
	assert_pop_breaks();
}

static void bad_avail_idx_jump(void **state)
{
	assert_int_equal(tg_queue(&g, &vq, 8, false, false), 0);
	tg_desc(&g, 0, TG_DATA_GPA, 1, 0, 0);
	tg_put16(&g, TG_AVAIL_GPA + 2, 9);
	assert_pop_breaks();
	/* Backwards is a jump by almost 2^16. */
	assert_int_equal(tg_queue(&g, &vq, 8, false, false), 0);
	tg_set_idx(&g, &vq, 100);
	tg_put16(&g, TG_AVAIL_GPA + 2, 99);
	assert_pop_breaks();
}

static void bad_indirect_not_negotiated(void **state)
{
	assert_int_equal(tg_queue(&g, &vq, 4, false, false), 0);
	tg_desc_at(&g, TG_TABLE_GPA, 0, TG_DATA_GPA, 1, 0, 0);
	tg_desc(&g, 0, TG_TABLE_GPA, 16, D_INDIRECT, 0);
	tg_avail(&g, 0);
	assert_pop_breaks();
	assert_non_null(strstr(vq.error, "not negotiated"));
}

static void bad_indirect_with_next(void **state)
{
	assert_int_equal(tg_queue(&g, &vq, 4, false, true), 0);
	tg_desc_at(&g, TG_TABLE_GPA, 0, TG_DATA_GPA, 1, 0, 0);
	tg_desc(&g, 0, TG_TABLE_GPA, 16, D_INDIRECT | D_NEXT, 1);
	tg_desc(&g, 1, TG_DATA_GPA, 1, D_WRITE, 0);
	tg_avail(&g, 0);
	assert_pop_breaks();
}

static void bad_nested_indirect(void **state)
{
	assert_int_equal(tg_queue(&g, &vq, 4, false, true), 0);
	tg_desc_at(&g, TG_TABLE_GPA, 0, TG_DATA_GPA, 1, D_NEXT, 1);
	tg_desc_at(&g, TG_TABLE_GPA, 1, TG_TABLE_GPA, 32, D_INDIRECT, 0);
	tg_desc(&g, 0, TG_TABLE_GPA, 32, D_INDIRECT, 0);
	tg_avail(&g, 0);
	assert_pop_breaks();
	assert_non_null(strstr(vq.error, "nested"));
}

static void indirect_len_case(uint64_t addr, uint32_t len)
{
	assert_int_equal(tg_queue(&g, &vq, 4, false, true), 0);
	tg_desc(&g, 0, addr, len, D_INDIRECT, 0);
	tg_avail(&g, 0);
	assert_pop_breaks();
}

static void bad_indirect_table(void **state)
{
	tg_desc_at(&g, TG_TABLE_GPA, 0, TG_DATA_GPA, 1, 0, 0);
	tg_desc_at(&g, TG_TABLE_GPA, 1, TG_DATA_GPA, 1, 0, 0);
	indirect_len_case(TG_TABLE_GPA, 0);
	indirect_len_case(TG_TABLE_GPA, 24);
	indirect_len_case(TG_TABLE_GPA, 15);
	indirect_len_case(TG_TABLE_GPA, 16 * (VIRTQ_MAX_SIZE + 1));
	indirect_len_case(TG_TABLE_GPA, UINT32_MAX & ~15U);
	indirect_len_case(0x80000000ULL, 32);
	indirect_len_case(TG_HIGH_GPA + TG_HIGH_SIZE - 16, 32);
	indirect_len_case(UINT64_MAX - 15, 32);
}

static void bad_indirect_loop(void **state)
{
	assert_int_equal(tg_queue(&g, &vq, 4, false, true), 0);
	tg_desc_at(&g, TG_TABLE_GPA, 0, TG_DATA_GPA, 1, D_NEXT, 1);
	tg_desc_at(&g, TG_TABLE_GPA, 1, TG_DATA_GPA, 1, D_NEXT, 0);
	tg_desc(&g, 0, TG_TABLE_GPA, 32, D_INDIRECT, 0);
	tg_avail(&g, 0);
	assert_pop_breaks();
	assert_non_null(strstr(vq.error, "loop"));
}

static void bad_indirect_next(void **state)
{
	assert_int_equal(tg_queue(&g, &vq, 4, false, true), 0);
	tg_desc_at(&g, TG_TABLE_GPA, 0, TG_DATA_GPA, 1, D_NEXT, 2);
	tg_desc_at(&g, TG_TABLE_GPA, 2, TG_DATA_GPA, 1, 0, 0); /* past it */
	tg_desc(&g, 0, TG_TABLE_GPA, 32, D_INDIRECT, 0);
	tg_avail(&g, 0);
	assert_pop_breaks();
}

static void bad_indirect_buffer(void **state)
{
	assert_int_equal(tg_queue(&g, &vq, 4, false, true), 0);
	tg_desc_at(&g, TG_TABLE_GPA, 0, TG_DATA_GPA, 1, D_NEXT, 1);
	tg_desc_at(&g, TG_TABLE_GPA, 1, TG_HIGH_GPA + TG_HIGH_SIZE, 1, D_WRITE,
		   0);
	tg_desc(&g, 0, TG_TABLE_GPA, 32, D_INDIRECT, 0);
	tg_avail(&g, 0);
	assert_pop_breaks();
}

static void bad_readable_after_writable(void **state)
{
	assert_int_equal(tg_queue(&g, &vq, 4, false, true), 0);
	tg_desc(&g, 0, TG_DATA_GPA, 1, D_NEXT | D_WRITE, 1);
	tg_desc(&g, 1, TG_DATA_GPA, 1, 0, 0);
	tg_avail(&g, 0);
	assert_pop_breaks();
	assert_non_null(strstr(vq.error, "readable buffer after writable"));
	/* Inside an indirect table. */
	assert_int_equal(tg_queue(&g, &vq, 4, false, true), 0);
	tg_desc_at(&g, TG_TABLE_GPA, 0, TG_DATA_GPA, 1, D_NEXT | D_WRITE, 1);
	tg_desc_at(&g, TG_TABLE_GPA, 1, TG_DATA_GPA, 1, 0, 0);
	tg_desc(&g, 0, TG_TABLE_GPA, 32, D_INDIRECT, 0);
	tg_avail(&g, 0);
	assert_pop_breaks();
	/* From the direct part into the table. */
	assert_int_equal(tg_queue(&g, &vq, 4, false, true), 0);
	tg_desc_at(&g, TG_TABLE_GPA, 0, TG_DATA_GPA, 1, 0, 0);
	tg_desc(&g, 0, TG_DATA_GPA, 1, D_NEXT | D_WRITE, 1);
	tg_desc(&g, 1, TG_TABLE_GPA, 16, D_INDIRECT, 0);
	tg_avail(&g, 0);
	assert_pop_breaks();
	/* A zero-length readable buffer after a writable one counts too. */
	assert_int_equal(tg_queue(&g, &vq, 4, false, true), 0);
	tg_desc(&g, 0, TG_DATA_GPA, 1, D_NEXT | D_WRITE, 1);
	tg_desc(&g, 1, 0, 0, 0, 0);
	tg_avail(&g, 0);
	assert_pop_breaks();
}

/* 1023 direct buffers plus a table of 2: one more than a chain may hold. */
static void bad_too_many_buffers(void **state)
{
	unsigned int i, n = VIRTQ_MAX_SIZE - 1;

	assert_int_equal(tg_queue(&g, &vq, VIRTQ_MAX_SIZE, false, true), 0);
	for (i = 0; i < n; i++)
		tg_desc(&g, i, TG_DATA_GPA, 1, D_NEXT, i + 1);
	tg_desc(&g, n, TG_TABLE_GPA, 32, D_INDIRECT, 0);
	tg_desc_at(&g, TG_TABLE_GPA, 0, TG_DATA_GPA, 1, D_NEXT, 1);
	tg_desc_at(&g, TG_TABLE_GPA, 1, TG_DATA_GPA, 1, 0, 0);
	tg_avail(&g, 0);
	assert_pop_breaks();
	/* One buffer fewer fits exactly. */
	assert_int_equal(tg_queue(&g, &vq, VIRTQ_MAX_SIZE, false, true), 0);
	for (i = 0; i < n; i++)
		tg_desc(&g, i, TG_DATA_GPA, 1, D_NEXT, i + 1);
	tg_desc(&g, n, TG_TABLE_GPA, 16, D_INDIRECT, 0);
	tg_desc_at(&g, TG_TABLE_GPA, 0, TG_DATA_GPA, 1, 0, 0);
	tg_avail(&g, 0);
	assert_int_equal(virtq_pop(&vq, &chain), 1);
	assert_int_equal(chain.nr_bufs, VIRTQ_MAX_SIZE);
}

/* A good chain after a bad one: the queue stays broken. */
static void broken_stays_broken(void **state)
{
	assert_int_equal(tg_queue(&g, &vq, 4, false, false), 0);
	tg_desc(&g, 0, TG_DATA_GPA, 1, D_NEXT, 7);
	tg_avail(&g, 0);
	assert_pop_breaks();
	tg_desc(&g, 0, TG_DATA_GPA, 1, 0, 0);
	assert_int_equal(virtq_pop(&vq, &chain), -1);
	assert_false(virtq_enable_notify(&vq));
	assert_int_equal(vq.last_avail, 0);
}

/* ---- random rings ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint64_t rnd_addr(void)
{
	switch (rnd() % 8) {
	case 0:
		return rnd();
	case 1:
		return UINT64_MAX - rnd() % 0x10000;
	case 2:
		return TG_LOW_SIZE - rnd() % 0x100;
	case 3:
		return TG_HIGH_GPA + rnd() % (TG_HIGH_SIZE + 0x100);
	case 4:
		return TG_NEXT_GPA + TG_NEXT_SIZE - rnd() % 0x100;
	default:
		return rnd() % TG_LOW_SIZE;
	}
}

static uint32_t rnd_len(void)
{
	switch (rnd() % 6) {
	case 0:
		return 0;
	case 1:
		return rnd();
	case 2:
		return UINT32_MAX - rnd() % 0x100;
	default:
		return rnd() % 0x2000;
	}
}

/*
 * Random rounds build well-formed chains (direct or through an indirect
 * table) and then corrupt a share of the fields: `chaos` percent, from
 * none (every chain must pop) to all (noise).
 */
static unsigned int chaos;
static uint64_t next_table;

static bool wild(void)
{
	return rnd() % 100 < chaos;
}

static void put_desc(uint64_t table, unsigned int i, uint64_t addr,
		     uint32_t len, uint16_t flags, uint16_t next)
{
	if (wild())
		addr = rnd_addr();
	if (wild())
		len = rnd_len();
	if (wild())
		flags = rnd() % 2 ? rnd() : flags ^ 1U << rnd() % 3;
	if (wild())
		next = rnd() % 2 ? rnd() : next + rnd() % 3;
	tg_desc_at(&g, table, i, addr, len, flags, next);
}

/* Buffers live in the data area or the high region, clear of the rings. */
static void put_data_desc(uint64_t table, unsigned int i, bool writable,
			  bool more, uint16_t next)
{
	uint64_t addr = rnd() % 4 ? TG_DATA_GPA + rnd() % 0xd0000 :
				    TG_HIGH_GPA + rnd() % 0xf000;
	uint16_t flags = (writable ? D_WRITE : 0) | (more ? D_NEXT : 0);

	put_desc(table, i, addr, rnd() % 0x1000, flags, next);
}

/* A chain through the slots idx[0..cnt) of a table. */
static void put_chain(uint64_t table, const uint16_t *idx, unsigned int cnt)
{
	unsigned int i, nr_read = rnd() % (cnt + 1);

	for (i = 0; i < cnt; i++)
		put_data_desc(table, idx[i], i >= nr_read, i + 1 < cnt,
			      i + 1 < cnt ? idx[i + 1] : rnd());
}

static void shuffle(uint16_t *v, unsigned int n)
{
	unsigned int i, j;
	uint16_t t;

	for (i = 0; i < n; i++)
		v[i] = i;
	for (i = n; i > 1; i--) {
		j = rnd() % i;
		t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
}

/* One chain, its head at desc[slot[0]]; returns descriptors used. */
static unsigned int put_random_chain(const uint16_t *slot, unsigned int left)
{
	uint16_t ind[16];
	unsigned int cnt = 1 + rnd() % (left < 8 ? left : 8);

	if (!vq.indirect || rnd() % 3 || next_table + 256 > TG_DATA_GPA) {
		put_chain(TG_DESC_GPA, slot, cnt);
		return cnt;
	}
	cnt = 1 + rnd() % 16;
	shuffle(ind, cnt);
	put_chain(next_table, ind, cnt);
	put_desc(TG_DESC_GPA, slot[0], next_table, 16 * cnt, D_INDIRECT, rnd());
	next_table += 16 * cnt + rnd() % 4;
	return 1;
}

/* Fill the rings; returns the number of chains made available. */
static uint16_t random_rings_fill(uint16_t start)
{
	static uint16_t slot[VIRTQ_MAX_SIZE];
	unsigned int used = 0, nr = 0;
	uint16_t head, size = vq.size;

	next_table = TG_TABLE_GPA;
	shuffle(slot, size);
	while (used < size && rnd() % 32) {
		head = slot[used];
		used += put_random_chain(slot + used, size - used);
		if (wild())
			head = rnd() % 2 ? rnd() : rnd() % size;
		tg_put16(&g, TG_AVAIL_GPA + 4 + 2 * ((start + nr) & (size - 1)),
			 head);
		nr++;
	}
	if (wild())
		nr = rnd() % 2 ? rnd() : nr + rnd() % 3;
	tg_put16(&g, TG_AVAIL_GPA + 2, start + nr);
	return nr;
}

static void check_chain(void)
{
	static uint8_t scratch[1 << 16];
	uint64_t rd = 0, wr = 0;
	bool seen_writable = false;
	unsigned int i;

	assert_true(chain.head < vq.size);
	assert_true(chain.nr_bufs <= VIRTQ_MAX_SIZE);
	for (i = 0; i < chain.nr_bufs; i++) {
		const struct virtq_buf *b = &chain.buf[i];

		assert_non_null(b->host);
		if (b->len)
			assert_true(tg_contains(&g, b->host, b->len));
		if (b->device_writable)
			wr += b->len;
		else
			rd += b->len;
		assert_false(seen_writable && !b->device_writable);
		seen_writable |= b->device_writable;
	}
	assert_int_equal(rd, chain.readable_len);
	assert_int_equal(wr, chain.writable_len);
	/* Touch every byte so ASan checks them. */
	virtq_chain_read(&chain, rnd() % 64, scratch, sizeof(scratch));
	virtq_chain_write(&chain, rnd() % 64, scratch, sizeof(scratch));
}

static unsigned long random_popped, random_broken;

/*
 * Corrupted buffers may overlap the rings, so writing to a chain may
 * change the avail index: bound the pops rather than predict them.
 */
static void random_round(void)
{
	static const unsigned int levels[] = { 0, 1, 5, 20, 100 };
	uint16_t size = 1 << (rnd() % 9), start = rnd(), nr;
	unsigned int popped = 0;
	int r = 0;

	chaos = levels[rnd() % 5];
	assert_int_equal(tg_queue(&g, &vq, size, rnd() & 1, rnd() % 4 != 0), 0);
	tg_set_idx(&g, &vq, start);
	nr = random_rings_fill(start);
	while (popped < 4 * size && (r = virtq_pop(&vq, &chain)) == 1) {
		check_chain();
		virtq_push(&vq, chain.head, chain.writable_len);
		virtq_should_notify(&vq);
		popped++;
	}
	random_popped += popped;
	random_broken += r == -1;
	if (chaos == 0)
		assert_int_equal(popped, nr);
	if (r == 0)
		assert_int_equal(vq.last_avail, tg_get16(&g, TG_AVAIL_GPA + 2));
	else if (r == -1)
		assert_true(vq.broken);
	virtq_enable_notify(&vq);
	virtq_disable_notify(&vq);
}

static void random_rings(void **state)
{
	unsigned int i;

	for (i = 0; i < 5000; i++)
		random_round();
	/* The rounds must have reached both outcomes, many times. */
	assert_true(random_popped > 10000);
	assert_true(random_broken > 1000);
}

/* A driver rewriting its rings while the device walks them. */
struct scribbler {
	bool stop; /* atomic */
	uint64_t seed;
};

static void *scribble(void *arg)
{
	struct scribbler *s = arg;
	uint8_t *desc = host(TG_DESC_GPA), *avail = host(TG_AVAIL_GPA);
	uint64_t x = s->seed;

	while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED)) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		__atomic_store_n(&desc[x % (16 * 64)], (uint8_t)(x >> 32),
				 __ATOMIC_RELAXED);
		__atomic_store_n(&avail[x % (6 + 2 * 64)], (uint8_t)(x >> 40),
				 __ATOMIC_RELAXED);
	}
	return NULL;
}

static void concurrent_scribbling(void **state)
{
	struct scribbler s = { .stop = false, .seed = 42 };
	pthread_t t;
	unsigned int i;

	assert_int_equal(tg_queue(&g, &vq, 64, true, true), 0);
	assert_int_equal(pthread_create(&t, NULL, scribble, &s), 0);
	for (i = 0; i < 20000; i++) {
		if (virtq_pop(&vq, &chain) == 1) {
			check_chain();
			virtq_push(&vq, chain.head, 0);
		}
		if (vq.broken) {
			virtq_reset(&vq);
			assert_int_equal(virtq_init(&vq, &g.gm, 64, 64,
						    TG_DESC_GPA, TG_AVAIL_GPA,
						    TG_USED_GPA, true, true),
					 0);
		}
	}
	__atomic_store_n(&s.stop, true, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(init_ok),
		T(init_bad_size),
		T(init_misaligned),
		T(init_outside_ram),
		T(init_overlapping_areas),
		T(queues_of_a_device_overlap),
		T(pop_empty),
		T(single_readable),
		T(blk_like_chain),
		T(buffers_at_region_ends),
		T(longest_direct_chain),
		T(zero_length_buffer),
		T(indirect_table),
		T(indirect_after_direct),
		T(indirect_largest),
		T(several_chains_and_push),
		T(wrapped_indices),
		T(reset_and_reinit),
		T(notify_without_event_idx),
		T(notify_with_event_idx),
		T(notify_event_idx_sequence),
		T(enable_notify_without_event_idx),
		T(enable_notify_with_event_idx),
		T(used_flags_on_avail_idx_refused),
		T(self_feeding_queue_served_in_batches),
		T(chain_read_offsets),
		T(chain_write_offsets),
		T(bad_desc_outside_ram),
		T(bad_desc_wraps_2_64),
		T(bad_desc_straddles_ram_end),
		T(bad_loop),
		T(bad_chain_longer_than_queue),
		T(bad_head),
		T(bad_next),
		T(bad_avail_idx_jump),
		T(bad_indirect_not_negotiated),
		T(bad_indirect_with_next),
		T(bad_nested_indirect),
		T(bad_indirect_table),
		T(bad_indirect_loop),
		T(bad_indirect_next),
		T(bad_indirect_buffer),
		T(bad_readable_after_writable),
		T(bad_too_many_buffers),
		T(broken_stays_broken),
		T(random_rings),
		T(concurrent_scribbling),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
