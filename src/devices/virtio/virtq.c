// SPDX-License-Identifier: GPL-2.0-only
/*
 * virtq.c - the device side of split virtqueues (virtio 1.x, 2.7).
 *
 * The driver runs on another CPU and may rewrite its rings at any moment,
 * so every descriptor is copied out of guest memory once and only the
 * copy is checked and used.  Every guest address goes through gm_ptr();
 * every walk is bounded (by the queue size or the indirect table size),
 * so a hostile driver can make a queue broken but cannot make the device
 * crash, hang or touch memory outside guest RAM.
 *
 * Ring layout (all fields little-endian):
 *   descriptor table  16 * size bytes, 16-aligned:
 *                     le64 addr, le32 len, le16 flags, le16 next
 *   available ring    6 + 2 * size bytes, 2-aligned:
 *                     le16 flags, le16 idx, le16 ring[size], le16 used_event
 *   used ring         6 + 8 * size bytes, 4-aligned:
 *                     le16 flags, le16 idx, {le32 id, le32 len} ring[size],
 *                     le16 avail_event
 */
#include <endian.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kvmux/error.h"
#include "kvmux/virtq.h"

#define DESC_SIZE 16
#define RING_HDR 4 /* flags and idx in front of both rings */
#define USED_ELEM_SIZE 8

/* A descriptor after it was copied out of guest memory. */
struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

static uint64_t desc_bytes(uint16_t size)
{
	return (uint64_t)DESC_SIZE * size;
}

/* Both rings end with the event field of EVENT_IDX. */
static uint64_t avail_bytes(uint16_t size)
{
	return RING_HDR + 2ULL * size + 2;
}

static uint64_t used_bytes(uint16_t size)
{
	return RING_HDR + (uint64_t)USED_ELEM_SIZE * size + 2;
}

/*
 * Ring fields shared with the driver.  Each is accessed exactly once per
 * use through an atomic so that the compiler neither tears nor repeats
 * the access; the rings' alignment makes these accesses aligned.
 */
static uint16_t load16(const uint8_t *p, int order)
{
	return le16toh(__atomic_load_n((const uint16_t *)p, order));
}

static void store16(uint8_t *p, uint16_t v, int order)
{
	__atomic_store_n((uint16_t *)p, htole16(v), order);
}

static void store32(uint8_t *p, uint32_t v)
{
	__atomic_store_n((uint32_t *)p, htole32(v), __ATOMIC_RELAXED);
}

/* Indirect tables need not be aligned: copy bytes, then decode. */
static void read_desc(const uint8_t *p, struct desc *d)
{
	uint8_t raw[DESC_SIZE];
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;

	memcpy(raw, p, sizeof(raw));
	memcpy(&addr, raw, 8);
	memcpy(&len, raw + 8, 4);
	memcpy(&flags, raw + 12, 2);
	memcpy(&next, raw + 14, 2);
	d->addr = le64toh(addr);
	d->len = le32toh(len);
	d->flags = le16toh(flags);
	d->next = le16toh(next);
}

/* Record why, also in err_msg() for a caller that logs it. */
static void vset_error(struct virtq *vq, const char *fmt, va_list ap)
{
	vsnprintf(vq->error, sizeof(vq->error), fmt, ap);
	err_set("virtqueue: %s", vq->error);
}

static void set_error(struct virtq *vq, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_error(struct virtq *vq, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset_error(vq, fmt, ap);
	va_end(ap);
}

/* A fresh, never-ready queue: what a device reset leaves behind. */
void virtq_reset(struct virtq *vq)
{
	memset(vq, 0, sizeof(*vq));
}

static int check_size(struct virtq *vq, uint16_t size, uint16_t max_size)
{
	if (max_size == 0 || max_size > VIRTQ_MAX_SIZE) {
		set_error(vq, "maximum queue size %u not in 1..%u", max_size,
			  VIRTQ_MAX_SIZE);
		return -1;
	}
	if (size == 0 || (size & (size - 1)) || size > max_size) {
		set_error(vq, "queue size %u is not a power of 2 in 1..%u",
			  size, max_size);
		return -1;
	}
	return 0;
}

/* Host pointer to a whole ring, or NULL (error set). */
static uint8_t *map_ring(struct virtq *vq, const char *name, uint64_t gpa,
			 uint64_t len, uint64_t align)
{
	uint8_t *p;

	if (gpa & (align - 1)) {
		set_error(vq, "%s ring at %#llx is not %llu-byte aligned", name,
			  (unsigned long long)gpa, (unsigned long long)align);
		return NULL;
	}
	p = gm_ptr(vq->mem, gpa, len);
	if (!p)
		set_error(vq, "%s ring %#llx+%#llx is not RAM", name,
			  (unsigned long long)gpa, (unsigned long long)len);
	return p;
}

/* The three areas of a queue, as guest-physical ranges. */
struct area {
	const char *name;
	uint64_t gpa, len;
};

static void areas(const struct virtq *vq, struct area a[3])
{
	a[0] = (struct area){ "descriptor table", vq->desc_gpa,
			      desc_bytes(vq->size) };
	a[1] = (struct area){ "available ring", vq->avail_gpa,
			      avail_bytes(vq->size) };
	a[2] = (struct area){ "used ring", vq->used_gpa, used_bytes(vq->size) };
}

/* The areas lie in RAM (checked before), so the ends cannot wrap. */
static bool overlap(const struct area *x, const struct area *y)
{
	return x->gpa < y->gpa + y->len && y->gpa < x->gpa + x->len;
}

/*
 * The device writes the used ring; the driver writes the rest.  Areas
 * that share bytes make each side see the other's writes as its own
 * (used->flags read back as avail->idx, say), which a driver can use to
 * keep a device busy forever: refuse them (2.7 gives each its own area).
 */
static int check_disjoint(struct virtq *vq)
{
	struct area a[3];
	unsigned int i, j;

	areas(vq, a);
	for (i = 0; i < 3; i++)
		for (j = i + 1; j < 3; j++)
			if (overlap(&a[i], &a[j])) {
				set_error(
					vq,
					"the %s %#llx+%#llx overlaps the "
					"%s %#llx+%#llx",
					a[i].name, (unsigned long long)a[i].gpa,
					(unsigned long long)a[i].len, a[j].name,
					(unsigned long long)a[j].gpa,
					(unsigned long long)a[j].len);
				return -1;
			}
	return 0;
}

bool virtq_overlaps(const struct virtq *vq, const struct virtq *other,
		    char *why, size_t why_len)
{
	struct area a[3], b[3];
	unsigned int i, j;

	if (!vq->ready || !other->ready)
		return false;
	areas(vq, a);
	areas(other, b);
	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++)
			if (overlap(&a[i], &b[j])) {
				snprintf(why, why_len,
					 "its %s overlaps another queue's %s",
					 a[i].name, b[j].name);
				return true;
			}
	return false;
}

int virtq_init(struct virtq *vq, const struct guest_mem *mem, uint16_t size,
	       uint16_t max_size, uint64_t desc_gpa, uint64_t avail_gpa,
	       uint64_t used_gpa, bool event_idx, bool indirect)
{
	virtq_reset(vq);
	vq->mem = mem;
	vq->size = size;
	vq->desc_gpa = desc_gpa;
	vq->avail_gpa = avail_gpa;
	vq->used_gpa = used_gpa;
	vq->event_idx = event_idx;
	vq->indirect = indirect;
	if (check_size(vq, size, max_size))
		return -1;
	vq->desc = map_ring(vq, "descriptor", desc_gpa, desc_bytes(size), 16);
	if (!vq->desc)
		return -1;
	vq->avail = map_ring(vq, "available", avail_gpa, avail_bytes(size), 2);
	if (!vq->avail)
		return -1;
	vq->used = map_ring(vq, "used", used_gpa, used_bytes(size), 4);
	if (!vq->used || check_disjoint(vq))
		return -1;
	/* The device owns these: start out asking for every notification. */
	store16(vq->used, 0, __ATOMIC_RELAXED);
	if (event_idx)
		store16(vq->used + used_bytes(size) - 2, 0, __ATOMIC_RELAXED);
	vq->ready = true;
	return 0;
}

/* Mark the queue broken; -1 for tail calls. */
static int fail(struct virtq *vq, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct virtq *vq, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset_error(vq, fmt, ap);
	va_end(ap);
	vq->broken = true;
	return -1;
}

/*
 * Append one buffer to the chain.  A zero-length buffer is legal and its
 * address is never used, so it is not checked; it gets a non-NULL host
 * pointer so that a device's memcpy(.., 0) stays well-defined.
 */
static int add_buf(struct virtq *vq, struct virtq_chain *chain,
		   const struct desc *d)
{
	static uint8_t empty;
	bool writable = d->flags & VIRTQ_DESC_F_WRITE;
	struct virtq_buf *b;
	uint8_t *host = &empty;

	if (chain->nr_bufs == VIRTQ_MAX_SIZE)
		return fail(vq, "chain %u has more than %u buffers",
			    chain->head, VIRTQ_MAX_SIZE);
	/* Ordering is enforced, so the last buffer says if any was written. */
	if (!writable && chain->nr_bufs &&
	    chain->buf[chain->nr_bufs - 1].device_writable)
		return fail(vq, "chain %u: readable buffer after writable",
			    chain->head);
	if (d->len) {
		host = gm_ptr(vq->mem, d->addr, d->len);
		if (!host)
			return fail(vq, "chain %u: buffer %#llx+%#x is not RAM",
				    chain->head, (unsigned long long)d->addr,
				    d->len);
	}
	b = &chain->buf[chain->nr_bufs++];
	b->host = host;
	b->len = d->len;
	b->device_writable = writable;
	if (writable)
		chain->writable_len += d->len;
	else
		chain->readable_len += d->len;
	return 0;
}

/*
 * Walk an indirect table.  It holds len / 16 descriptors; the chain in it
 * starts at entry 0 and may visit each entry at most once in total, so a
 * loop ends after n steps.
 */
static int walk_indirect(struct virtq *vq, struct virtq_chain *chain,
			 const struct desc *ind)
{
	const uint8_t *table;
	unsigned int n, i = 0, steps = 0;
	struct desc d;

	if (!vq->indirect)
		return fail(vq, "chain %u: indirect table not negotiated",
			    chain->head);
	if (ind->flags & VIRTQ_DESC_F_NEXT)
		return fail(vq, "chain %u: indirect descriptor with NEXT",
			    chain->head);
	if (ind->len == 0 || ind->len % DESC_SIZE ||
	    ind->len / DESC_SIZE > VIRTQ_MAX_SIZE)
		return fail(vq, "chain %u: bad indirect table length %#x",
			    chain->head, ind->len);
	table = gm_ptr(vq->mem, ind->addr, ind->len);
	if (!table)
		return fail(vq, "chain %u: indirect table %#llx+%#x not RAM",
			    chain->head, (unsigned long long)ind->addr,
			    ind->len);
	n = ind->len / DESC_SIZE;
	for (;;) {
		if (++steps > n)
			return fail(vq, "chain %u: loop in indirect table",
				    chain->head);
		read_desc(table + (size_t)i * DESC_SIZE, &d);
		if (d.flags & VIRTQ_DESC_F_INDIRECT)
			return fail(vq, "chain %u: nested indirect table",
				    chain->head);
		if (add_buf(vq, chain, &d))
			return -1;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		if (d.next >= n)
			return fail(vq, "chain %u: indirect next %u >= %u",
				    chain->head, d.next, n);
		i = d.next;
	}
}

/*
 * Walk the chain starting at descriptor head (< size).  At most size
 * descriptors of the table may be visited, which ends any loop.  An
 * indirect descriptor has no NEXT, so it is the last one of the chain;
 * its own WRITE flag means nothing (2.7.5.3.2) and is ignored.
 */
static int walk_chain(struct virtq *vq, struct virtq_chain *chain,
		      uint16_t head)
{
	unsigned int steps = 0;
	uint16_t i = head;
	struct desc d;

	chain->head = head;
	chain->nr_bufs = 0;
	chain->readable_len = 0;
	chain->writable_len = 0;
	for (;;) {
		if (++steps > vq->size)
			return fail(vq, "chain %u is longer than the queue",
				    head);
		read_desc(vq->desc + (size_t)i * DESC_SIZE, &d);
		if (d.flags & VIRTQ_DESC_F_INDIRECT)
			return walk_indirect(vq, chain, &d);
		if (add_buf(vq, chain, &d))
			return -1;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		if (d.next >= vq->size)
			return fail(vq, "chain %u: next %u >= queue size %u",
				    head, d.next, vq->size);
		i = d.next;
	}
}

int virtq_pop(struct virtq *vq, struct virtq_chain *chain)
{
	uint16_t avail_idx, pending, head;
	uint8_t *slot;

	if (!vq->ready)
		return 0;
	if (vq->broken)
		return -1;
	/* Acquire: the ring entry and descriptors were written before idx. */
	avail_idx = load16(vq->avail + 2, __ATOMIC_ACQUIRE);
	pending = avail_idx - vq->last_avail;
	if (pending == 0)
		return 0;
	if (pending > vq->size)
		return fail(vq, "avail idx %u is %u ahead of %u (size %u)",
			    avail_idx, pending, vq->last_avail, vq->size);
	slot = vq->avail + RING_HDR + 2 * (vq->last_avail & (vq->size - 1));
	head = load16(slot, __ATOMIC_RELAXED);
	if (head >= vq->size)
		return fail(vq, "avail ring head %u >= queue size %u", head,
			    vq->size);
	if (walk_chain(vq, chain, head))
		return -1;
	vq->last_avail++;
	return 1;
}

void virtq_push(struct virtq *vq, uint16_t head, uint32_t written)
{
	uint8_t *elem;

	if (!vq->ready)
		return;
	elem = vq->used + RING_HDR +
	       USED_ELEM_SIZE * (vq->used_idx & (vq->size - 1));
	store32(elem, head);
	store32(elem + 4, written);
	/* Release: the driver must see the element before the new idx. */
	vq->used_idx++;
	store16(vq->used + 2, vq->used_idx, __ATOMIC_RELEASE);
}

/*
 * With EVENT_IDX the driver wants an interrupt when used->idx moves past
 * used_event, i.e. when used_event lies in [old, new).  The subtractions
 * are modulo 2^16, so this holds across the wrap of the indices.
 */
static bool need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

bool virtq_should_notify(struct virtq *vq)
{
	uint16_t old = vq->signalled_used, event;
	bool valid = vq->signalled_valid;

	if (!vq->ready)
		return false;
	/*
	 * Our used->idx store must be visible before we read the driver's
	 * suppression state, or we race with a driver going to sleep.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!vq->event_idx)
		return !(load16(vq->avail, __ATOMIC_RELAXED) &
			 VIRTQ_AVAIL_F_NO_INTERRUPT);
	vq->signalled_used = vq->used_idx;
	vq->signalled_valid = true;
	/* Nothing to compare with yet (first time, or after a reset). */
	if (!valid)
		return true;
	event = load16(vq->avail + avail_bytes(vq->size) - 2, __ATOMIC_RELAXED);
	return need_event(event, vq->used_idx, old);
}

static void set_used_flags(struct virtq *vq, uint16_t flags)
{
	store16(vq->used, flags, __ATOMIC_RELAXED);
}

bool virtq_enable_notify(struct virtq *vq)
{
	if (!vq->ready || vq->broken)
		return false;
	if (vq->event_idx)
		store16(vq->used + used_bytes(vq->size) - 2, vq->last_avail,
			__ATOMIC_RELAXED);
	else
		set_used_flags(vq, 0);
	/*
	 * The driver may have added a chain before it could see the store
	 * above, and then not notified: look again after a full barrier.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return load16(vq->avail + 2, __ATOMIC_RELAXED) != vq->last_avail;
}

/*
 * With EVENT_IDX used->flags must stay 0 (2.7.10); leaving avail_event
 * behind last_avail has the same effect, at most one more notification.
 */
void virtq_disable_notify(struct virtq *vq)
{
	if (vq->ready && !vq->event_idx)
		set_used_flags(vq, VIRTQ_USED_F_NO_NOTIFY);
}

/*
 * Copy between the part of a chain selected by `writable` and a flat
 * buffer: into dst when reading the readable part, from src when writing
 * the writable part.  Readable buffers all precede writable ones, so
 * selecting by flag is selecting the part.
 */
static uint64_t chain_copy(const struct virtq_chain *chain, bool writable,
			   uint64_t offset, uint8_t *dst, const uint8_t *src,
			   uint64_t len)
{
	uint64_t done = 0, n;
	unsigned int i;

	for (i = 0; i < chain->nr_bufs && done < len; i++) {
		const struct virtq_buf *b = &chain->buf[i];

		if (b->device_writable != writable)
			continue;
		if (offset >= b->len) {
			offset -= b->len;
			continue;
		}
		n = b->len - offset;
		if (n > len - done)
			n = len - done;
		if (writable)
			memcpy(b->host + offset, src + done, n);
		else
			memcpy(dst + done, b->host + offset, n);
		done += n;
		offset = 0;
	}
	return done;
}

uint64_t virtq_chain_read(const struct virtq_chain *chain, uint64_t offset,
			  void *dst, uint64_t len)
{
	return chain_copy(chain, false, offset, dst, NULL, len);
}

uint64_t virtq_chain_write(const struct virtq_chain *chain, uint64_t offset,
			   const void *src, uint64_t len)
{
	return chain_copy(chain, true, offset, NULL, src, len);
}
