// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_virtio_blk.c - virtio-blk (src/devices/virtio/virtio_blk.c) behind
 * the virtio-mmio transport (virtio_mmio.c) and the ring walker (virtq.c),
 * on a 16 KiB image in a file of /dev/shm (fuzz_temp_file()): a read-write disk, a read-only one or a
 * snapshot=on one, chosen by the input.  The harness and the model are
 * fuzz_virtio.h's; this file adds the model of the requests (virtio 1.x,
 * 5.2.6) over the model's view of the disk.
 *
 * Input: u8 disk (bits 0-1: read-write, read-only, snapshot, read-only
 * and snapshot), then fuzz_virtio.h's steps, and one of its own:
 * a well-formed request (blk_op_request) the driver builds in the data
 * area, which the fuzzer then bends.
 *
 * Properties, besides fuzz_virtio.h's (guest RAM, status, interrupts and
 * wake-ups as the model says): every request is answered with the status
 * the model gives (0, 1 or 2) in the chain's last writable byte and a used
 * length no larger than the chain's writable bytes; an IN request reads
 * what the model's disk holds (the image, or the snapshot's own writes);
 * a read-only or snapshot disk's image never changes; a read-write disk's
 * image is the model's, and a sector no request wrote keeps its bytes;
 * DEVICE_NEEDS_RESET comes only with a violation the model names (a
 * request without a header or status byte, or the ring rules).
 *
 * Link flags: -Wl,--wrap=epoll_wait
 * libFuzzer flags: -max_len=8192
 * smoke runs: 2000
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/virtio_blk.h>

#include "fuzz_virtio.h"
#include "kvmux/config.h"
#include "kvmux/virtio_blk.h"

#define SECTOR 512
#define SECTORS 32
#define DISK_BYTES (SECTORS * SECTOR)
#define SERIAL "kvmux-fuzz-disk"
#define BLK_BATCH 32 /* requests virtio_blk.c serves per wake-up */
#define BLK_MAX_SEGMENTS 32 /* discard / write-zeroes ranges per request */
#define BLK_HEADER 16
#define BLK_SEGMENT 16

struct blk_model {
	int fd; /* the image, as the harness sees it */
	const char *path;
	bool readonly, snapshot;
	uint8_t orig[DISK_BYTES];
	uint8_t view[DISK_BYTES]; /* what the guest reads */
	uint8_t file[DISK_BYTES]; /* what the image holds */
	bool written[SECTORS]; /* a request wrote the image there */
	uint8_t config[sizeof(struct virtio_blk_config)];
	size_t config_len;
};

static struct blk_model blk;

static uint8_t pattern(uint64_t off)
{
	return (off / SECTOR) * 17 + off * 3 + 1;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned int i;

	/* The snapshot store: in memory, made and dropped for each input. */
	if (!access("/dev/shm", W_OK))
		setenv("TMPDIR", "/dev/shm", 1);
	blk.fd = fuzz_temp_file(".img", &blk.path);
	for (i = 0; i < DISK_BYTES; i++)
		blk.orig[i] = pattern(i);
	return 0;
}

static uint64_t blk_features(struct fv *v)
{
	uint64_t f = 1ULL << VIRTIO_BLK_F_SEG_MAX |
		     1ULL << VIRTIO_BLK_F_BLK_SIZE | 1ULL << VIRTIO_BLK_F_FLUSH;

	if (blk.readonly)
		return f | 1ULL << VIRTIO_BLK_F_RO;
	return f | 1ULL << VIRTIO_BLK_F_DISCARD |
	       1ULL << VIRTIO_BLK_F_WRITE_ZEROES;
}

/* What virtio_blk.h and 5.2.4 say the config space holds. */
static void blk_make_config(void)
{
	struct virtio_blk_config c = {
		.capacity = SECTORS,
		.seg_max = 254, /* a chain of the largest queue, minus two */
		.blk_size = SECTOR,
		.num_queues = 1,
		.max_discard_sectors = UINT32_MAX / SECTOR,
		.max_discard_seg = BLK_MAX_SEGMENTS,
		.discard_sector_alignment = 1,
		.max_write_zeroes_sectors = UINT32_MAX / SECTOR,
		.max_write_zeroes_seg = BLK_MAX_SEGMENTS,
	};

	memcpy(blk.config, &c, sizeof(c));
	blk.config_len = offsetof(struct virtio_blk_config, unused1) + 3;
}

static const uint8_t *blk_config(struct fv *v, size_t *len)
{
	*len = blk.config_len;
	return blk.config;
}

static bool in_range(uint64_t sector, uint64_t count)
{
	return sector <= SECTORS && count <= SECTORS - sector;
}

/* The guest wrote (or zeroed) these sectors: the snapshot keeps them. */
static void disk_write(uint64_t sector, const uint8_t *src, uint64_t len)
{
	uint64_t off = sector * SECTOR, i;

	memcpy(blk.view + off, src, len);
	if (blk.snapshot)
		return;
	memcpy(blk.file + off, src, len);
	for (i = 0; i < len / SECTOR; i++)
		blk.written[sector + i] = true;
}

static uint8_t blk_rw(struct fv *v, const struct fv_chain *c, uint64_t sector,
		      bool write, uint32_t *written)
{
	static uint8_t data[DISK_BYTES];
	uint64_t len = write ? c->readable - BLK_HEADER : c->writable - 1;

	if (len % SECTOR || !in_range(sector, len / SECTOR))
		return VIRTIO_BLK_S_IOERR;
	if (write && blk.readonly)
		return VIRTIO_BLK_S_IOERR;
	if (write) {
		fv_chain_read(v, c, BLK_HEADER, data, len);
		disk_write(sector, data, len);
	} else {
		fv_chain_write(v, c, 0, blk.view + sector * SECTOR, len);
		*written += len;
	}
	return VIRTIO_BLK_S_OK;
}

/* Discard and write-zeroes: each range in turn, up to a bad one; both
 * leave zeros (tmpfs punches holes; a snapshot's store too). */
static uint8_t blk_zero(struct fv *v, const struct fv_chain *c)
{
	static const uint8_t zeros[DISK_BYTES];
	uint64_t bytes = c->readable - BLK_HEADER, i, nr;
	struct virtio_blk_discard_write_zeroes seg;

	nr = bytes / BLK_SEGMENT;
	if (blk.readonly || bytes % BLK_SEGMENT || !nr || nr > BLK_MAX_SEGMENTS)
		return VIRTIO_BLK_S_IOERR;
	for (i = 0; i < nr; i++) {
		fv_chain_read(v, c, BLK_HEADER + i * BLK_SEGMENT, &seg,
			      sizeof(seg));
		if (!in_range(le64toh(seg.sector), le32toh(seg.num_sectors)))
			return VIRTIO_BLK_S_IOERR;
		disk_write(le64toh(seg.sector), zeros,
			   le32toh(seg.num_sectors) * SECTOR);
	}
	return VIRTIO_BLK_S_OK;
}

static uint8_t blk_get_id(struct fv *v, const struct fv_chain *c,
			  uint32_t *written)
{
	char id[VIRTIO_BLK_ID_BYTES] = SERIAL;
	uint64_t room = c->writable - 1;

	*written += fv_chain_write(v, c, 0, id,
				   room < sizeof(id) ? room : sizeof(id));
	return VIRTIO_BLK_S_OK;
}

static uint8_t blk_request(struct fv *v, const struct fv_chain *c,
			   uint32_t type, uint64_t sector, uint32_t *written)
{
	switch (type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		return blk_rw(v, c, sector, type == VIRTIO_BLK_T_OUT, written);
	case VIRTIO_BLK_T_FLUSH:
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_GET_ID:
		return blk_get_id(v, c, written);
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		return blk_zero(v, c);
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}

/* One request: header, data, and the status in the last writable byte
 * (5.2.6); a chain without room for both is a violation. */
static int blk_serve(struct fv *v, struct fv_queue *q, const struct fv_chain *c)
{
	struct virtio_blk_outhdr h;
	uint32_t written = 1;
	uint8_t status;

	if (c->readable < sizeof(h) || c->writable < 1) {
		fv_fail(v, "a request without a header or status byte");
		return -1;
	}
	fv_chain_read(v, c, 0, &h, sizeof(h));
	status =
		blk_request(v, c, le32toh(h.type), le64toh(h.sector), &written);
	FUZZ_CHECK(status <= VIRTIO_BLK_S_UNSUPP && written <= c->writable);
	fv_chain_write(v, c, c->writable - 1, &status, 1);
	fv_push(v, q, c->head, written);
	return 1;
}

/* One wake-up: a batch, one interrupt, notifications back on when the
 * ring is empty (asking for another wake-up when the batch was full). */
static bool blk_queue_notify(struct fv *v, unsigned int qi)
{
	struct fv_queue *q = &v->m.q[qi];
	unsigned int served;
	int rc = 0;

	fv_disable_notify(v, q);
	for (served = 0; served < BLK_BATCH; served++) {
		rc = fv_pop(v, q, &v->chain);
		if (rc > 0)
			rc = blk_serve(v, q, &v->chain);
		if (rc <= 0)
			break;
	}
	fv_used(v, q);
	if (rc < 0)
		return false;
	if (served == BLK_BATCH)
		return true;
	return fv_enable_notify(v, q);
}

static void blk_reset(struct fv *v)
{
}

/* The image: the model's, and for a read-only or snapshot disk, and in
 * sectors nothing wrote, the bytes it started with. */
static void blk_check(struct fv *v)
{
	static uint8_t now[DISK_BYTES];
	unsigned int s;

	FUZZ_CHECK(pread(blk.fd, now, DISK_BYTES, 0) == DISK_BYTES);
	if (!memcmp(now, blk.file, DISK_BYTES))
		return;
	if (blk.readonly || blk.snapshot)
		fuzz_fail("the %s disk's image changed",
			  blk.readonly ? "read-only" : "snapshot");
	for (s = 0; s < SECTORS; s++)
		if (!blk.written[s] &&
		    memcmp(now + s * SECTOR, blk.orig + s * SECTOR, SECTOR))
			fuzz_fail("sector %u changed, no request wrote it", s);
	fuzz_fail("the image differs from what the requests wrote");
}

/* --- the driver's requests ---------------------------------------------- */

/* What blk_op_request reads. */
struct request {
	uint32_t type;
	uint64_t sector;
	uint32_t len; /* data bytes */
	uint8_t shape;
	uint16_t head;
	uint8_t nr_segs;
	struct virtio_blk_discard_write_zeroes seg[3];
};

#define SHAPE_BUFS 3 /* bits 0-1: data in 1-4 buffers */
#define SHAPE_INDIRECT 0x04
#define SHAPE_NO_STATUS 0x08
#define SHAPE_HIGH 0x10 /* data at 4 GiB and right after low RAM */
#define SHAPE_NOTIFY 0x20
#define SHAPE_HEADER_WRITABLE 0x40

static const uint32_t types[7] = {
	VIRTIO_BLK_T_IN,
	VIRTIO_BLK_T_OUT,
	VIRTIO_BLK_T_FLUSH,
	VIRTIO_BLK_T_GET_ID,
	VIRTIO_BLK_T_DISCARD,
	VIRTIO_BLK_T_WRITE_ZEROES,
	VIRTIO_BLK_T_IN /* raw: replaced */,
};

static void read_request(struct fv *v, struct request *r)
{
	uint8_t t = fuzz_u8(&v->in) % 7;
	uint16_t len = fuzz_u16(&v->in);
	unsigned int i;

	r->type = t == 6 ? fuzz_u32(&v->in) : types[t];
	r->sector = fuzz_u16(&v->in);
	/* Whole sectors mostly, up to the disk and one more; else odd. */
	r->len = len & 0x8000 ? len & 0x3fff : (len % (SECTORS + 2)) * SECTOR;
	r->shape = fuzz_u8(&v->in);
	r->head = fuzz_u16(&v->in);
	r->nr_segs = 0;
	if (r->type != VIRTIO_BLK_T_DISCARD &&
	    r->type != VIRTIO_BLK_T_WRITE_ZEROES)
		return;
	r->nr_segs = 1 + fuzz_u8(&v->in) % 3;
	for (i = 0; i < r->nr_segs; i++)
		r->seg[i] = (struct virtio_blk_discard_write_zeroes){
			.sector = htole64(fuzz_u16(&v->in)),
			.num_sectors = htole32(fuzz_u16(&v->in)),
		};
	r->len = r->nr_segs * sizeof(r->seg[0]);
}

/* The data part: the ranges, or bytes the disk can tell apart. */
static const uint8_t *request_data(const struct request *r)
{
	static uint8_t b[0x4400];
	uint32_t i;

	if (r->nr_segs)
		return (const uint8_t *)r->seg;
	for (i = 0; i < r->len; i++)
		b[i] = i * 13 + r->head + r->sector;
	return b;
}

/*
 * A request as a driver builds it (5.2.6): header, data in 1-4 buffers
 * (device-writable for IN and GET_ID), a status byte; in the queue's
 * table from the head on, or in an indirect table.  Arguments: u8 type
 * (IN, OUT, FLUSH, GET_ID, DISCARD, WRITE_ZEROES, raw), u16 length (bit
 * 15 clear: that many sectors modulo 34; else the low 14 bits in bytes),
 * u32 type if raw, u16 sector, u8 shape (SHAPE_*), u16 head; for discard
 * and write-zeroes u8 ranges (1 + n % 3), each u16 sector, u16 count.
 */
static void blk_op_request(struct fv *v)
{
	struct fv_queue *q = &v->m.q[0];
	struct fv_layout o = { 0 };
	struct virtio_blk_outhdr h;
	struct request r;
	uint64_t hdr, table = 0;
	bool in;

	read_request(v, &r);
	in = r.type == VIRTIO_BLK_T_IN || r.type == VIRTIO_BLK_T_GET_ID;
	if (r.shape & SHAPE_INDIRECT)
		table = fv_alloc(v, 16 * 6);
	h = (struct virtio_blk_outhdr){ .type = htole32(r.type),
					.sector = htole64(r.sector) };
	hdr = fv_alloc(v, sizeof(h) + 1);
	fv_put(v, hdr, &h, sizeof(h));
	fv_lay(&o, hdr, sizeof(h),
	       r.shape & SHAPE_HEADER_WRITABLE ? VRING_DESC_F_WRITE : 0);
	fv_lay_bufs(v, &o, r.len, r.shape & SHAPE_BUFS, r.shape & SHAPE_HIGH,
		    in ? VRING_DESC_F_WRITE : 0, in ? NULL : request_data(&r));
	if (!(r.shape & SHAPE_NO_STATUS))
		fv_lay(&o, hdr + sizeof(h), 1, VRING_DESC_F_WRITE);
	fv_lay_out(v, q, &o, r.head, table);
	if (r.shape & SHAPE_NOTIFY)
		fv_notify(v, 0);
}

static void blk_step(struct fv *v, unsigned int op)
{
	blk_op_request(v);
}

static const struct fv_device blk_device = {
	.kind = &virtio_blk_kind,
	.device_id = VIRTIO_ID_BLOCK,
	.nr_queues = 1,
	.queue_max = 256,
	.nr_ops = 1,
	.features = blk_features,
	.config = blk_config,
	.queue_notify = blk_queue_notify,
	.reset = blk_reset,
	.step = blk_step,
	.check = blk_check,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fv v;
	struct vm_config cfg;
	uint8_t mode;

	memset(&v, 0, sizeof(v));
	v.in = fuzz_in(data, size);
	v.dev = &blk_device;
	mode = fuzz_u8(&v.in);
	blk.readonly = mode & 1;
	blk.snapshot = mode & 2 && !blk.readonly; /* read-only wins */
	FUZZ_CHECK(pwrite(blk.fd, blk.orig, DISK_BYTES, 0) == DISK_BYTES);
	memcpy(blk.view, blk.orig, DISK_BYTES);
	memcpy(blk.file, blk.orig, DISK_BYTES);
	memset(blk.written, 0, sizeof(blk.written));
	blk_make_config();
	vm_config_init(&cfg);
	cfg.disk[0] = (struct disk_config){ .path = blk.path,
					    .serial = SERIAL,
					    .readonly = mode & 1,
					    .snapshot = mode & 2 };
	cfg.nr_disks = 1;
	if (fv_begin(&v, &cfg, NULL) < 0)
		fuzz_fail("the disk did not open: %s", err_msg());
	fv_drive(&v);
	fv_end(&v);
	if (!v.lost || blk.readonly || blk.snapshot)
		blk_check(&v);
	return 0;
}
