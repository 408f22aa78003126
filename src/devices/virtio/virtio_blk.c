// SPDX-License-Identifier: GPL-2.0-only
/*
 * virtio_blk.c - virtio-blk (virtio 1.x section 5.2) over a raw image.
 *
 * Data never passes through a bounce buffer: the guest buffers of a chain
 * become an iovec for preadv/pwritev.  A write is acknowledged only after
 * pwritev returned all of it, and FLUSH only after fdatasync: what the
 * guest saw acknowledged after a flush survives kvmux being killed.
 *
 * The image's I/O runs without the transport lock (a slow disk must not
 * hold up the vCPUs), one bounded batch of requests per wake-up of the
 * I/O thread.  A failing image gives the guest an I/O error, and the host
 * one line the first time (the image's path and errno).
 */
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kvmux/config.h"
#include "kvmux/device.h"
#include "kvmux/error.h"
#include "kvmux/host_file.h"
#include "kvmux/iov.h"
#include "kvmux/virtio_blk.h"
#include "kvmux/virtio_mmio.h"

#define SECTOR_SIZE 512ULL
#define BLK_QUEUE_SIZE 256

#define BLK_F_SEG_MAX 2
#define BLK_F_RO 5
#define BLK_F_BLK_SIZE 6
#define BLK_F_FLUSH 9
#define BLK_F_DISCARD 13
#define BLK_F_WRITE_ZEROES 14

#define BLK_T_IN 0
#define BLK_T_OUT 1
#define BLK_T_FLUSH 4
#define BLK_T_GET_ID 8
#define BLK_T_DISCARD 11
#define BLK_T_WRITE_ZEROES 13

#define BLK_S_OK 0
#define BLK_S_IOERR 1
#define BLK_S_UNSUPP 2

#define BLK_MAX_SEGMENTS 32 /* discard / write-zeroes ranges per request */
#define BLK_BATCH 32 /* requests per wake-up of the I/O thread */

struct blk_config {
	uint64_t capacity;
	uint32_t size_max;
	uint32_t seg_max;
	uint8_t geometry[4];
	uint32_t blk_size;
	uint8_t topology[8];
	uint8_t writeback;
	uint8_t unused0;
	uint16_t num_queues;
	uint32_t max_discard_sectors;
	uint32_t max_discard_seg;
	uint32_t discard_sector_alignment;
	uint32_t max_write_zeroes_sectors;
	uint32_t max_write_zeroes_seg;
	uint8_t write_zeroes_may_unmap;
	uint8_t unused1[3];
} __attribute__((packed));

struct blk_req_header {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
} __attribute__((packed));

struct blk_segment {
	uint64_t sector;
	uint32_t num_sectors;
	uint32_t flags;
} __attribute__((packed));

struct virtio_blk {
	const char *path;
	int fd;
	bool readonly;
	char serial[VIRTIO_BLK_ID_BYTES];
	uint64_t sectors;
	struct blk_config config;
	struct virtio_device_ops ops;
	struct virtio_mmio *transport;
	struct virtq_chain chain; /* the request being served */
	struct iovec iov[VIRTQ_MAX_SIZE];
	bool error_reported; /* the first I/O error was said */
	struct device_env env; /* for notes */
};

/* The first failure of the image, once: the guest sees an I/O error. */
static uint8_t io_error(struct virtio_blk *blk, const char *what, int err)
{
	char msg[ERR_MSG_MAX];

	if (!blk->error_reported) {
		blk->error_reported = true;
		snprintf(msg, sizeof(msg),
			 "disk %s: %s failed: %s (the guest gets an I/O error; "
			 "later failures are not reported)",
			 blk->path, what, strerror(err));
		blk->env.note(blk->env.ctx, msg);
	}
	return BLK_S_IOERR;
}

/* Is [sector, sector + count) inside the disk?  Overflow-safe. */
static bool in_range(const struct virtio_blk *blk, uint64_t sector,
		     uint64_t count)
{
	return sector <= blk->sectors && count <= blk->sectors - sector;
}

/* The chain's buffers of one direction, skipping `skip` bytes, as iovecs
 * covering `len` bytes.  Returns the number of iovecs. */
static int chain_iov(struct virtio_blk *blk, bool writable, uint64_t skip,
		     uint64_t len)
{
	const struct virtq_chain *c = &blk->chain;
	unsigned int i;
	int n = 0;

	for (i = 0; i < c->nr_bufs && len; i++) {
		const struct virtq_buf *b = &c->buf[i];
		uint64_t take;

		if (b->device_writable != writable)
			continue;
		if (skip >= b->len) {
			skip -= b->len;
			continue;
		}
		take = b->len - skip < len ? b->len - skip : len;
		blk->iov[n++] = (struct iovec){ b->host + skip, take };
		len -= take;
		skip = 0;
	}
	return n;
}

/* preadv/pwritev until done: a short transfer is retried, not lost. */
static int transfer(struct virtio_blk *blk, int nr_iov, uint64_t offset,
		    bool write)
{
	struct iovec *iov = blk->iov;

	while (nr_iov > 0) {
		ssize_t n = write ? pwritev(blk->fd, iov, nr_iov, offset) :
				    preadv(blk->fd, iov, nr_iov, offset);

		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			errno = write ? ENOSPC : EIO; /* short file */
		if (n <= 0)
			return -1;
		offset += n;
		iov_advance(&iov, &nr_iov, n);
	}
	return 0;
}

static uint8_t do_rw(struct virtio_blk *blk, const struct blk_req_header *h,
		     bool write, uint32_t *written)
{
	const struct virtq_chain *c = &blk->chain;
	uint64_t len =
		write ? c->readable_len - sizeof(*h) : c->writable_len - 1;
	int nr_iov;

	if (len % SECTOR_SIZE || !in_range(blk, h->sector, len / SECTOR_SIZE))
		return BLK_S_IOERR;
	if (write && blk->readonly)
		return BLK_S_IOERR;
	/* OUT data is in the driver's (readable) buffers, after the header;
	 * IN data goes to the device-writable ones, before the status. */
	nr_iov = chain_iov(blk, !write, write ? sizeof(*h) : 0, len);
	if (transfer(blk, nr_iov, h->sector * SECTOR_SIZE, write) < 0)
		return io_error(blk, write ? "write" : "read", errno);
	if (!write)
		*written += len;
	return BLK_S_OK;
}

static uint8_t do_get_id(struct virtio_blk *blk, uint32_t *written)
{
	uint64_t room = blk->chain.writable_len - 1;
	uint64_t len = room < VIRTIO_BLK_ID_BYTES ? room : VIRTIO_BLK_ID_BYTES;

	*written += virtq_chain_write(&blk->chain, 0, blk->serial, len);
	return BLK_S_OK;
}

static int zero_range(struct virtio_blk *blk, uint64_t off, uint64_t len,
		      bool discard)
{
	static const uint8_t zeros[64 * 1024];
	int mode = discard ? FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE :
			     FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE;

	if (fallocate(blk->fd, mode, off, len) == 0)
		return 0;
	if (discard)
		return 0; /* discard is a hint: a file system without holes */
	while (len) {
		size_t chunk = len < sizeof(zeros) ? len : sizeof(zeros);
		ssize_t n = pwrite(blk->fd, zeros, chunk, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		off += n;
		len -= n;
	}
	return 0;
}

static uint8_t do_zero(struct virtio_blk *blk, bool discard)
{
	uint64_t bytes =
		blk->chain.readable_len - sizeof(struct blk_req_header);
	uint64_t i, nr = bytes / sizeof(struct blk_segment);

	if (blk->readonly || bytes % sizeof(struct blk_segment) || nr == 0 ||
	    nr > BLK_MAX_SEGMENTS)
		return BLK_S_IOERR;
	for (i = 0; i < nr; i++) {
		struct blk_segment seg;

		virtq_chain_read(&blk->chain,
				 sizeof(struct blk_req_header) +
					 i * sizeof(seg),
				 &seg, sizeof(seg));
		if (!in_range(blk, seg.sector, seg.num_sectors))
			return BLK_S_IOERR;
		if (zero_range(blk, seg.sector * SECTOR_SIZE,
			       seg.num_sectors * SECTOR_SIZE, discard) < 0)
			return io_error(blk, "write-zeroes", errno);
	}
	return BLK_S_OK;
}

static uint8_t do_request(struct virtio_blk *blk,
			  const struct blk_req_header *h, uint32_t *written)
{
	switch (h->type) {
	case BLK_T_IN:
		return do_rw(blk, h, false, written);
	case BLK_T_OUT:
		return do_rw(blk, h, true, written);
	case BLK_T_FLUSH:
		if (fdatasync(blk->fd) < 0)
			return io_error(blk, "flush (fdatasync)", errno);
		return BLK_S_OK;
	case BLK_T_GET_ID:
		return do_get_id(blk, written);
	case BLK_T_DISCARD:
		return do_zero(blk, true);
	case BLK_T_WRITE_ZEROES:
		return do_zero(blk, false);
	default:
		return BLK_S_UNSUPP;
	}
}

/*
 * Serve one chain: header, data, then the status byte at the very end.
 * Returns 1 when served, 0 if the device was reset during the I/O (the
 * result is dropped), -1 for a request the driver got wrong.
 */
static int serve_chain(struct virtio_blk *blk, struct virtq *vq)
{
	struct virtq_chain *c = &blk->chain;
	struct blk_req_header h;
	uint32_t written = 1; /* the status byte */
	uint64_t token;
	uint8_t status;

	if (c->readable_len < sizeof(h) || c->writable_len < 1) {
		virtio_mmio_fail(blk->transport,
				 "request without a header or status byte");
		return -1;
	}
	virtq_chain_read(c, 0, &h, sizeof(h));
	token = virtio_mmio_io_begin(blk->transport);
	status = do_request(blk, &h, &written);
	if (!virtio_mmio_io_end(blk->transport, token))
		return 0;
	virtq_chain_write(c, c->writable_len - 1, &status, 1);
	virtq_push(vq, c->head, written);
	return 1;
}

static bool blk_queue_notify(void *dev, unsigned int q)
{
	struct virtio_blk *blk = dev;
	struct virtq *vq = virtio_mmio_queue(blk->transport, q);
	unsigned int served;
	int rc = 0;

	virtq_disable_notify(vq);
	for (served = 0; served < BLK_BATCH; served++) {
		rc = virtq_pop(vq, &blk->chain);
		if (rc > 0)
			rc = serve_chain(blk, vq);
		if (rc <= 0)
			break;
	}
	virtio_mmio_used(blk->transport, q);
	if (rc < 0)
		return false; /* the transport reports the broken queue */
	if (served == BLK_BATCH)
		return true;
	return virtq_enable_notify(vq);
}

static void blk_config_read(void *dev, uint64_t off, void *data,
			    unsigned int len)
{
	struct virtio_blk *blk = dev;

	memcpy(data, (const uint8_t *)&blk->config + off, len);
}

static void blk_reset(void *dev)
{
	(void)dev; /* requests complete synchronously: nothing in flight */
}

static void blk_destroy(void *dev);

/* The earlier disk of this VM whose image is fd's file, or NULL. */
static const char *earlier_disk(const struct vm_config *cfg, unsigned int i,
				int fd)
{
	struct stat st, other;
	unsigned int j;

	if (fstat(fd, &st) < 0)
		return NULL;
	for (j = 0; j < i; j++)
		if (!stat(cfg->disk[j].path, &other) &&
		    other.st_dev == st.st_dev && other.st_ino == st.st_ino)
			return cfg->disk[j].path;
	return NULL;
}

/* Disk i could not lock its image: who holds the lock? */
static int lock_error(struct virtio_blk *blk, const struct vm_config *cfg,
		      unsigned int i)
{
	const char *twin = earlier_disk(cfg, i, blk->fd);

	if (twin && !strcmp(twin, blk->path))
		return err_set("disk %s is given twice", blk->path);
	if (twin)
		return err_set("disk %s is given twice (it is also disk %s)",
			       blk->path, twin);
	return err_set("disk %s is in use by another process or another VM "
		       "of this run (it holds a lock on it)",
		       blk->path);
}

static int open_image(struct virtio_blk *blk, const struct vm_config *cfg,
		      unsigned int i)
{
	struct stat st;

	blk->fd = host_open_input(blk->path, "disk",
				  blk->readonly ? O_RDONLY : O_RDWR, true);
	if (blk->fd < 0)
		return -1;
	/* Two read-only disks of one image share its lock: that is fine. */
	if (flock(blk->fd, (blk->readonly ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0)
		return lock_error(blk, cfg, i);
	if (fstat(blk->fd, &st) < 0)
		return err_set_errno("disk %s", blk->path);
	if (S_ISREG(st.st_mode) && st.st_size % SECTOR_SIZE)
		return err_set("disk %s is %lld bytes, not a whole number of "
			       "512-byte sectors",
			       blk->path, (long long)st.st_size);
	blk->sectors = lseek(blk->fd, 0, SEEK_END) / SECTOR_SIZE;
	if (blk->sectors == 0)
		return err_set("disk %s is empty", blk->path);
	return 0;
}

static void fill_config(struct virtio_blk *blk)
{
	blk->config = (struct blk_config){
		.capacity = blk->sectors,
		.seg_max = BLK_QUEUE_SIZE - 2,
		.blk_size = SECTOR_SIZE,
		.num_queues = 1,
		.max_discard_sectors = UINT32_MAX / SECTOR_SIZE,
		.max_discard_seg = BLK_MAX_SEGMENTS,
		.discard_sector_alignment = 1,
		.max_write_zeroes_sectors = UINT32_MAX / SECTOR_SIZE,
		.max_write_zeroes_seg = BLK_MAX_SEGMENTS,
	};
	blk->ops = (struct virtio_device_ops){
		.name = "virtio-blk",
		.device_id = VIRTIO_ID_BLOCK,
		.features =
			(1ULL << BLK_F_SEG_MAX) | (1ULL << BLK_F_BLK_SIZE) |
			(1ULL << BLK_F_FLUSH) |
			(blk->readonly ? 1ULL << BLK_F_RO :
					 (1ULL << BLK_F_DISCARD) |
						 (1ULL << BLK_F_WRITE_ZEROES)),
		.nr_queues = 1,
		.queue_max = BLK_QUEUE_SIZE,
		.config_size = sizeof(blk->config),
		.config_read = blk_config_read,
		.queue_notify = blk_queue_notify,
		.reset = blk_reset,
	};
}

static unsigned int blk_count(const struct vm_config *cfg)
{
	return cfg->nr_disks;
}

/* Disk i: the image is opened and locked before any VM exists, so a bad
 * one is the user's input (126), not a host failure. */
static void *blk_open(const struct vm_config *cfg, unsigned int i)
{
	const struct disk_config *disk = &cfg->disk[i];
	struct virtio_blk *blk = calloc(1, sizeof(*blk));

	if (!blk) {
		err_host("out of memory");
		return NULL;
	}
	blk->fd = -1;
	blk->path = disk->path;
	blk->readonly = disk->readonly;
	if (disk->serial)
		memcpy(blk->serial, disk->serial,
		       strnlen(disk->serial, sizeof(blk->serial)));
	if (open_image(blk, cfg, i) < 0) {
		blk_destroy(blk);
		return NULL;
	}
	fill_config(blk);
	return blk;
}

static int blk_attach(void *dev, const struct device_env *env)
{
	struct virtio_blk *blk = dev;

	blk->env = *env;
	blk->transport = virtio_mmio_create(env, &blk->ops, blk);
	return blk->transport ? 0 : -1;
}

static int blk_start(void *dev)
{
	return virtio_mmio_start(((struct virtio_blk *)dev)->transport);
}

static int blk_stop(void *dev, uint64_t deadline_ns)
{
	return virtio_mmio_stop(((struct virtio_blk *)dev)->transport,
				deadline_ns);
}

static void blk_destroy(void *dev)
{
	struct virtio_blk *blk = dev;

	virtio_mmio_destroy(blk->transport);
	if (blk->fd >= 0)
		close(blk->fd);
	free(blk);
}

const struct device_kind virtio_blk_kind = {
	.name = "virtio-blk",
	.count = blk_count,
	.open = blk_open,
	.attach = blk_attach,
	.start = blk_start,
	.stop = blk_stop,
	.destroy = blk_destroy,
};
