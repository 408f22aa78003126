// SPDX-License-Identifier: GPL-2.0-only
/*
 * virtio_blk.c - virtio-blk requests (virtio spec 5.2) on top of virtio.c:
 * one request queue, one request in flight, each request a chain of
 * header (device-readable), data segments, status byte (device-writable).
 */
#include "virtio.h"

#define VBLK_QUEUE_SIZE 128

/* Config space offsets (5.2.4) */
#define CFG_CAPACITY 0x00
#define CFG_SIZE_MAX 0x08
#define CFG_SEG_MAX 0x0c
#define CFG_BLK_SIZE 0x14

/* Built per request; one request at a time, so one static array. */
static struct virtio_buf chain[VBLK_QUEUE_SIZE];

static bool has(const struct vblk *b, unsigned int bit)
{
	return b->dev->features & VIRTIO_BIT(bit);
}

int vblk_init(struct vblk *b, struct virtio_dev *d, uint64_t extra_features)
{
	uint64_t wanted =
		VIRTIO_BIT(VIRTIO_BLK_F_SIZE_MAX) |
		VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) | VIRTIO_BIT(VIRTIO_BLK_F_RO) |
		VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) |
		VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) |
		VIRTIO_BIT(VIRTIO_BLK_F_DISCARD) |
		VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES) | extra_features;

	memset(b, 0, sizeof(*b));
	b->dev = d;
	if (d->device_id != VIRTIO_ID_BLOCK) {
		rt_printf("virtio-blk: 0x%lx is device %u\n",
			  (unsigned long)d->base, d->device_id);
		return -1;
	}
	if (virtio_init(d, wanted, 1, VBLK_QUEUE_SIZE))
		return -1;
	b->capacity = virtio_config64(d, CFG_CAPACITY);
	b->blk_size = has(b, VIRTIO_BLK_F_BLK_SIZE) ?
			      virtio_config32(d, CFG_BLK_SIZE) :
			      VIRTIO_BLK_SECTOR;
	if (has(b, VIRTIO_BLK_F_SIZE_MAX))
		b->size_max = virtio_config32(d, CFG_SIZE_MAX);
	if (has(b, VIRTIO_BLK_F_SEG_MAX))
		b->seg_max = virtio_config32(d, CFG_SEG_MAX);
	b->ro = has(b, VIRTIO_BLK_F_RO);
	b->flush = has(b, VIRTIO_BLK_F_FLUSH);
	b->discard = has(b, VIRTIO_BLK_F_DISCARD);
	b->write_zeroes = has(b, VIRTIO_BLK_F_WRITE_ZEROES);
	return 0;
}

int vblk_request(struct vblk *b, uint32_t type, uint64_t sector, void *buf,
		 size_t len)
{
	struct virtq *q = &b->dev->vq[0];
	bool in = type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID;
	unsigned int n = 0, max_segs = q->size - 2;
	uint8_t *p = buf;
	uint32_t seg, used_len;
	int head;

	if (b->seg_max && b->seg_max < max_segs)
		max_segs = b->seg_max;
	b->hdr = (struct virtio_blk_hdr){ .type = type, .sector = sector };
	b->status = 0xff; /* so a status the device never wrote shows */
	chain[n++] = (struct virtio_buf){ &b->hdr, sizeof(b->hdr), false };
	while (len) {
		seg = len > UINT32_MAX ? UINT32_MAX : len;
		if (b->size_max && seg > b->size_max)
			seg = b->size_max;
		if (n - 1 == max_segs) {
			rt_printf("virtio-blk: request needs more than %u "
				  "segments\n",
				  max_segs);
			return -1;
		}
		chain[n++] = (struct virtio_buf){ p, seg, in };
		p += seg;
		len -= seg;
	}
	chain[n++] = (struct virtio_buf){ &b->status, 1, true };

	head = virtq_submit(q, chain, n);
	if (head < 0) {
		rt_printf("virtio-blk: queue full\n");
		return -1;
	}
	/* One request in flight: the next completion is ours. */
	if (virtq_wait(q, &used_len, VIRTIO_TIMEOUT_CYCLES) != head)
		return -1;
	b->last_len = used_len;
	return b->status;
}

int vblk_read(struct vblk *b, uint64_t sector, void *buf, size_t len)
{
	return vblk_request(b, VIRTIO_BLK_T_IN, sector, buf, len);
}

int vblk_write(struct vblk *b, uint64_t sector, const void *buf, size_t len)
{
	return vblk_request(b, VIRTIO_BLK_T_OUT, sector, (void *)buf, len);
}

int vblk_flush(struct vblk *b)
{
	return vblk_request(b, VIRTIO_BLK_T_FLUSH, 0, NULL, 0);
}

int vblk_range(struct vblk *b, uint32_t type, uint64_t sector, uint32_t nr)
{
	b->dwz = (struct virtio_blk_discard_wz){
		.sector = sector,
		.num_sectors = nr,
	};
	return vblk_request(b, type, 0, &b->dwz, sizeof(b->dwz));
}

int vblk_get_id(struct vblk *b, char *id)
{
	int st;

	memset(id, 0, VIRTIO_BLK_ID_BYTES + 1);
	st = vblk_request(b, VIRTIO_BLK_T_GET_ID, 0, id, VIRTIO_BLK_ID_BYTES);
	id[VIRTIO_BLK_ID_BYTES] = '\0';
	return st;
}
