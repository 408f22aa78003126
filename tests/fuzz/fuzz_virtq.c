// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_virtq.c - the split-virtqueue walker (src/devices/virtio/queue.c)
 * against a hostile driver.
 *
 * Guest RAM is two heap buffers, so ASan sees any access outside them:
 * 64 KiB at GPA 0 and 4 KiB right after it (contiguous in GPA, but a
 * different region: nothing may straddle the two).
 *
 * Input: a queue setup, then a script of driver and device steps until
 * the input ends.
 *   setup   u8 mode (bit 0 EVENT_IDX, bit 1 INDIRECT_DESC, bit 2 raw size,
 *           bits 3-4 max size: 1024, 256, 128, raw), u16 size (raw, or
 *           1 << (size % 11)), u16 max size (if raw), u32 descriptor
 *           table, u32 driver area, u32 device area
 *   steps   u8 opcode (enum op), then its arguments (see each op_*)
 * The device steps are what virtio-blk and virtio-console do: the service
 * loop (disable notifications, pop every chain, serve it, push it, ask
 * should_notify, enable notifications; again while enable says more
 * came), or one pop.  A served chain is read and written through
 * virtq_chain_read/write; in "blk" mode the bytes written depend on the
 * sector number in the request header, as a disk's would.
 *
 * Properties checked besides ASan/UBSan: every buffer of a popped chain is
 * inside one RAM region, the lengths add up, readable buffers come first,
 * copies move exactly the bytes the chain has, an empty pop leaves
 * avail->idx == last_avail, a broken queue stays broken, and the service
 * service of one wake-up ends after at most SERVICE_BATCH chains, as the
 * devices' does (BLK_BATCH): a guest whose rings the device's own writes
 * keep filling (issue 8: used->flags over avail->idx, a data buffer over
 * it) gets batch after batch, each bounded, with the I/O thread free to
 * see a stop between them.
 */
#include <endian.h>
#include <stdbool.h>

#include "fuzz.h"
#include "kvmux/guest_mem.h"
#include "kvmux/virtq.h"

#define LOW_SIZE 0x10000ULL
#define NEXT_GPA LOW_SIZE
#define NEXT_SIZE 0x1000ULL
#define RAM_END (NEXT_GPA + NEXT_SIZE)

/* Chains a device serves per wake-up (virtio_blk.c's BLK_BATCH). */
#define SERVICE_BATCH 32
/* Work per input, so a long script of service steps is not a timeout. */
#define INPUT_POPS 16384
#define BLK_HEADER 16 /* virtio-blk: le32 type, le32 reserved, le64 sector */

enum op {
	OP_WRITE, /* driver: bytes anywhere in RAM */
	OP_DESC, /* driver: one descriptor */
	OP_AVAIL, /* driver: make a chain available */
	OP_RING, /* driver: a ring field, raw */
	OP_SERVICE, /* device: the service loop */
	OP_POP, /* device: pop and serve one chain */
	OP_NOTIFY, /* device: virtq_should_notify() */
	OP_ENABLE, /* device: virtq_enable_notify() */
	OP_DISABLE, /* device: virtq_disable_notify() */
	OP_DEVICE, /* what the device reads and writes */
	OP_INIT, /* driver: a new setup and QueueReady */
	NR_OPS
};

struct setup {
	uint16_t size, max_size;
	uint64_t desc, avail, used;
	bool event_idx, indirect;
};

struct device {
	bool blk; /* first 8 bytes written: sector + 1 */
	uint16_t read_off, write_off;
	uint8_t data[256];
	size_t len;
};

struct harness {
	struct fuzz_in in;
	struct setup s;
	struct virtq vq;
	uint16_t avail_idx; /* the driver's */
	struct device dev;
	unsigned int pops; /* in this input */
};

static struct guest_mem gm;
static struct virtq_chain chain;
static uint8_t scratch[0x10000];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static uint8_t *low, *next;

	low = malloc(LOW_SIZE);
	next = malloc(NEXT_SIZE);
	if (!low || !next)
		abort();
	gm.region[0] = (struct gm_region){ 0, LOW_SIZE, low };
	gm.region[1] = (struct gm_region){ NEXT_GPA, NEXT_SIZE, next };
	gm.nr_regions = 2;
	return 0;
}

/* The driver writes guest memory byte by byte: it may straddle regions. */
static void put(uint64_t gpa, const void *src, size_t len)
{
	const uint8_t *b = src;
	size_t i;

	for (i = 0; i < len; i++) {
		uint8_t *p = gm_ptr(&gm, gpa + i, 1);

		if (p)
			*p = b[i];
	}
}

static void put16(uint64_t gpa, uint16_t v)
{
	uint8_t b[2] = { v, v >> 8 };

	put(gpa, b, 2);
}

static uint16_t get16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static void read_setup(struct fuzz_in *in, struct setup *s)
{
	static const uint16_t max_sizes[3] = { VIRTQ_MAX_SIZE, 256, 128 };
	uint8_t mode = fuzz_u8(in);
	uint16_t size = fuzz_u16(in);
	unsigned int max_sel = (mode >> 3) & 3;

	s->event_idx = mode & 1;
	s->indirect = mode & 2;
	s->size = mode & 4 ? size : 1U << (size % 11);
	s->max_size = max_sel < 3 ? max_sizes[max_sel] : fuzz_u16(in);
	s->desc = fuzz_u32(in);
	s->avail = fuzz_u32(in);
	s->used = fuzz_u32(in);
}

static void init_queue(struct harness *h)
{
	const struct setup *s = &h->s;
	int rc = virtq_init(&h->vq, &gm, s->size, s->max_size, s->desc,
			    s->avail, s->used, s->event_idx, s->indirect);

	FUZZ_CHECK(rc == 0 ? h->vq.ready : !h->vq.ready && h->vq.error[0]);
	h->avail_idx = 0;
}

/* Does [p, p + len) lie inside one region's buffer? */
static bool in_one_region(const uint8_t *p, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < gm.nr_regions; i++) {
		const struct gm_region *r = &gm.region[i];

		if (p >= r->host && p <= r->host + r->size &&
		    len <= (uint64_t)(r->host + r->size - p))
			return true;
	}
	return false;
}

static void check_chain(const struct virtq *vq)
{
	uint64_t rd = 0, wr = 0;
	bool writable = false;
	unsigned int i;

	FUZZ_CHECK(chain.head < vq->size);
	FUZZ_CHECK(chain.nr_bufs >= 1 && chain.nr_bufs <= VIRTQ_MAX_SIZE);
	for (i = 0; i < chain.nr_bufs; i++) {
		const struct virtq_buf *b = &chain.buf[i];

		FUZZ_CHECK(b->host != NULL);
		FUZZ_CHECK(b->len == 0 || in_one_region(b->host, b->len));
		FUZZ_CHECK(!writable || b->device_writable);
		writable = b->device_writable;
		if (writable)
			wr += b->len;
		else
			rd += b->len;
	}
	FUZZ_CHECK(rd == chain.readable_len && wr == chain.writable_len);
}

/* What a copy of len bytes from offset off of a part of total must move. */
static uint64_t expect_copy(uint64_t total, uint64_t off, uint64_t len)
{
	uint64_t have = total > off ? total - off : 0;

	return have < len ? have : len;
}

static uint32_t serve(struct harness *h)
{
	const struct device *d = &h->dev;
	uint8_t out[sizeof(d->data)];
	uint64_t n, sector;

	check_chain(&h->vq);
	n = virtq_chain_read(&chain, d->read_off, scratch, sizeof(scratch));
	FUZZ_CHECK(n == expect_copy(chain.readable_len, d->read_off,
				    sizeof(scratch)));
	memcpy(out, d->data, d->len);
	if (d->blk && d->read_off == 0 && n >= BLK_HEADER) {
		memcpy(&sector, scratch + 8, 8);
		sector++;
		memcpy(out, &sector, d->len < 8 ? d->len : 8);
	}
	n = virtq_chain_write(&chain, d->write_off, out, d->len);
	FUZZ_CHECK(n == expect_copy(chain.writable_len, d->write_off, d->len));
	return n;
}

/* One pop as the devices do it; returns virtq_pop()'s result. */
static int pop_and_serve(struct harness *h)
{
	struct virtq *vq = &h->vq;
	bool was_broken = vq->broken;
	int rc = virtq_pop(vq, &chain);

	if (rc > 0) {
		h->pops++;
		virtq_push(vq, chain.head, serve(h));
	} else if (rc < 0) {
		FUZZ_CHECK(vq->broken && vq->error[0]);
	} else {
		FUZZ_CHECK(!was_broken);
		/* Nothing was written since pop read the index. */
		FUZZ_CHECK(!vq->ready ||
			   get16(vq->avail + 2) == vq->last_avail);
	}
	return rc;
}

/* One wake-up of a device's I/O thread (blk_queue_notify(), the
 * console's transmit queue): a bounded batch, then notifications back on
 * unless the batch was full (the thread then comes back for more). */
static void op_service(struct harness *h)
{
	struct virtq *vq = &h->vq;
	unsigned int served;
	int rc = 0;

	virtq_disable_notify(vq);
	for (served = 0; served < SERVICE_BATCH; served++) {
		rc = pop_and_serve(h);
		if (rc <= 0)
			break;
	}
	virtq_should_notify(vq); /* virtio_mmio_used() */
	if (rc >= 0 && served < SERVICE_BATCH)
		virtq_enable_notify(vq);
}

/* u32 address, u8 length, the bytes. */
static void op_write(struct harness *h)
{
	uint64_t gpa = fuzz_u32(&h->in) % RAM_END;
	size_t len;
	const uint8_t *b = fuzz_bytes(&h->in, fuzz_u8(&h->in), &len);

	put(gpa, b, len);
}

/*
 * u16 index (modulo the size), u8 form (bit 0: u64 address, else u16;
 * bit 1: u32 length, else u16), address, length, u16 flags, u16 next.
 */
static void op_desc(struct harness *h)
{
	struct fuzz_in *in = &h->in;
	uint8_t d[16];
	unsigned int i = fuzz_u16(in) % (h->s.size ? h->s.size : 1);
	uint8_t form = fuzz_u8(in);
	uint64_t addr = form & 1 ? fuzz_u64(in) : fuzz_u16(in);
	uint32_t len = form & 2 ? fuzz_u32(in) : fuzz_u16(in);
	uint16_t flags = fuzz_u16(in), next = fuzz_u16(in);

	fuzz_vring_desc(d, addr, len, flags, next);
	put(h->s.desc + 16ULL * i, d, sizeof(d));
}

/* u16 head: into the next ring slot, then avail->idx moves on. */
static void op_avail(struct harness *h)
{
	uint16_t head = fuzz_u16(&h->in);
	uint16_t size = h->s.size ? h->s.size : 1;

	put16(h->s.avail + 4 + 2ULL * (h->avail_idx % size), head);
	put16(h->s.avail + 2, ++h->avail_idx);
}

/* u8 field, u16 value: avail flags, avail idx, used_event, used flags. */
static void op_ring(struct harness *h)
{
	uint8_t field = fuzz_u8(&h->in) % 4;
	uint16_t v = fuzz_u16(&h->in);

	switch (field) {
	case 0:
		put16(h->s.avail, v);
		break;
	case 1:
		put16(h->s.avail + 2, v);
		h->avail_idx = v;
		break;
	case 2:
		put16(h->s.avail + 4 + 2ULL * h->s.size, v);
		break;
	default:
		put16(h->s.used, v);
	}
}

/* u8 mode (bit 0: blk), u16 read offset, u16 write offset, u8 length,
 * the bytes written into each chain. */
static void op_device(struct harness *h)
{
	struct device *d = &h->dev;
	const uint8_t *b;

	d->blk = fuzz_u8(&h->in) & 1;
	d->read_off = fuzz_u16(&h->in);
	d->write_off = fuzz_u16(&h->in);
	b = fuzz_bytes(&h->in, fuzz_u8(&h->in), &d->len);
	memcpy(d->data, b, d->len);
}

/* The driver's steps: they only write guest memory. */
static void driver_step(struct harness *h, enum op op)
{
	switch (op) {
	case OP_WRITE:
		op_write(h);
		break;
	case OP_DESC:
		op_desc(h);
		break;
	case OP_AVAIL:
		op_avail(h);
		break;
	case OP_RING:
		op_ring(h);
		break;
	default:
		read_setup(&h->in, &h->s);
		init_queue(h);
	}
}

static void step(struct harness *h, enum op op)
{
	struct virtq *vq = &h->vq;
	bool broken = vq->broken;

	switch (op) {
	case OP_SERVICE:
		op_service(h);
		break;
	case OP_POP:
		pop_and_serve(h);
		virtq_should_notify(vq);
		break;
	case OP_NOTIFY:
		virtq_should_notify(vq);
		break;
	case OP_ENABLE:
		FUZZ_CHECK(!virtq_enable_notify(vq) || (vq->ready && !broken));
		break;
	case OP_DISABLE:
		virtq_disable_notify(vq);
		break;
	case OP_DEVICE:
		op_device(h);
		break;
	default:
		driver_step(h, op);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct harness h;
	unsigned int i;

	for (i = 0; i < gm.nr_regions; i++)
		memset(gm.region[i].host, 0, gm.region[i].size);
	memset(&h, 0, sizeof(h));
	h.in = fuzz_in(data, size);
	h.dev.len = 1; /* a status byte, as virtio-blk writes */
	read_setup(&h.in, &h.s);
	init_queue(&h);
	while (h.in.left && h.pops < INPUT_POPS)
		step(&h, fuzz_u8(&h.in) % NR_OPS);
	return 0;
}
