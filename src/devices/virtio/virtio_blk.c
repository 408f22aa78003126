// SPDX-License-Identifier: GPL-2.0-only
/*
 * virtio_blk.c - virtio-blk (virtio 1.x section 5.2) over a raw image.
 *
 * Data never passes through a bounce buffer: the guest buffers of a chain
 * become an iovec for preadv/pwritev.  A write is acknowledged only after
 * pwritev returned all of it, and FLUSH only after fdatasync: what the
 * guest saw acknowledged after a flush survives kvmux being killed.
 *
 * With snapshot=on the image is only read: writes go to a throwaway
 * store (kvmux/disk_overlay.h), and a read is served in runs of sectors,
 * each from the store or the image, into the same iovecs.  FLUSH then
 * has nothing to make durable (the store dies with the process) and is
 * acknowledged at once.
 *
 * The image's I/O runs without the transport lock (a slow disk must not
 * hold up the vCPUs), one bounded batch of requests per wake-up of the
 * I/O thread, and in system calls of at most BLK_IO_CHUNK bytes with a
 * look for a stop between two: a request is as large as the guest makes
 * it (the same buffer a thousand times, a write-zeroes of the whole disk
 * 32 times over), and must not hold up the end of the run.  A failing
 * image gives the guest an I/O error, and the host one line the first
 * time (the image's path and errno).
 */
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/fs.h>

#include "kvmux/config.h"
#include "kvmux/device.h"
#include "kvmux/disk_format.h"
#include "kvmux/disk_overlay.h"
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
#define BLK_IO_CHUNK (16ULL << 20) /* bytes per system call, at most */

/*
 * The image's I/O returns 0 when done, -1 when it failed (errno says
 * why), or IO_STOPPED when it left the request because the run is ending:
 * then nothing failed and the host is told nothing.  Not an errno value:
 * a host file system (FUSE, a network one) may return any errno, and
 * every real failure must get its line.
 */
#define IO_STOPPED 1

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
	bool snapshot; /* writes go to overlay; the image is read-only */
	struct disk_overlay overlay;
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

/* The first failure of the image (or of its snapshot store), once: the
 * guest sees an I/O error. */
static uint8_t io_error(struct virtio_blk *blk, const char *what, bool store,
			int err)
{
	char msg[ERR_MSG_MAX];

	if (!blk->error_reported) {
		blk->error_reported = true;
		snprintf(msg, sizeof(msg),
			 "disk %s: %s%s%s%s failed: %s (the guest gets an I/O "
			 "error; later failures are not reported)",
			 blk->path, store ? "snapshot store in " : "",
			 store ? blk->overlay.dir : "", store ? ": " : "", what,
			 strerror(err));
		blk->env.note(blk->env.ctx, msg);
	}
	return BLK_S_IOERR;
}

/* The status of a request whose host I/O came to rc (0, -1 or
 * IO_STOPPED): a request left for a stop gets IOERR, and no line. */
static uint8_t io_status(struct virtio_blk *blk, int rc, const char *what,
			 bool store)
{
	if (rc == 0)
		return BLK_S_OK;
	if (rc == IO_STOPPED)
		return BLK_S_IOERR;
	return io_error(blk, what, store, errno);
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

/* preadv/pwritev until done: a short transfer is retried, not lost.
 * Each call takes at most BLK_IO_CHUNK bytes (the last iovec it takes is
 * cut short for the call).  Returns 0, -1 or IO_STOPPED. */
static int transfer(struct virtio_blk *blk, int fd, int nr_iov, uint64_t offset,
		    bool write)
{
	struct iovec *iov = blk->iov;

	while (nr_iov > 0) {
		uint64_t bytes = 0, cut = 0;
		int nr = 0;
		ssize_t n;

		if (virtio_mmio_stopping(blk->transport))
			return IO_STOPPED;
		while (nr < nr_iov && bytes < BLK_IO_CHUNK)
			bytes += iov[nr++].iov_len;
		if (bytes > BLK_IO_CHUNK)
			cut = bytes - BLK_IO_CHUNK;
		iov[nr - 1].iov_len -= cut;
		n = write ? pwritev(fd, iov, nr, offset) :
			    preadv(fd, iov, nr, offset);
		iov[nr - 1].iov_len += cut;
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

/* A snapshot's write: into the store, then its sectors are the store's. */
static uint8_t overlay_write(struct virtio_blk *blk, uint64_t sector,
			     uint64_t len)
{
	int nr_iov = chain_iov(blk, false, sizeof(struct blk_req_header), len);
	int rc = transfer(blk, blk->overlay.fd, nr_iov, sector * SECTOR_SIZE,
			  true);

	if (rc)
		return io_status(blk, rc, "write", true);
	disk_overlay_mark(&blk->overlay, sector, len / SECTOR_SIZE);
	return BLK_S_OK;
}

/* A snapshot's read: each run of sectors from where it is. */
static uint8_t overlay_read(struct virtio_blk *blk, uint64_t sector,
			    uint64_t len)
{
	uint64_t done = 0;

	while (done < len) {
		uint64_t s = sector + done / SECTOR_SIZE, run;
		bool stored;
		int nr_iov, rc;

		run = disk_overlay_extent(&blk->overlay, s,
					  (len - done) / SECTOR_SIZE, &stored) *
		      SECTOR_SIZE;
		nr_iov = chain_iov(blk, true, done, run);
		rc = transfer(blk, stored ? blk->overlay.fd : blk->fd, nr_iov,
			      s * SECTOR_SIZE, false);
		if (rc)
			return io_status(blk, rc, "read", stored);
		done += run;
	}
	return BLK_S_OK;
}

/* The image itself: OUT data is in the driver's (readable) buffers, after
 * the header; IN data goes to the device-writable ones, before the
 * status. */
static uint8_t image_rw(struct virtio_blk *blk, uint64_t sector, uint64_t len,
			bool write)
{
	int nr_iov = chain_iov(blk, !write,
			       write ? sizeof(struct blk_req_header) : 0, len);
	int rc = transfer(blk, blk->fd, nr_iov, sector * SECTOR_SIZE, write);

	return io_status(blk, rc, write ? "write" : "read", false);
}

static uint8_t do_rw(struct virtio_blk *blk, const struct blk_req_header *h,
		     bool write, uint32_t *written)
{
	const struct virtq_chain *c = &blk->chain;
	uint64_t len =
		write ? c->readable_len - sizeof(*h) : c->writable_len - 1;
	uint8_t status;

	if (len % SECTOR_SIZE || !in_range(blk, h->sector, len / SECTOR_SIZE))
		return BLK_S_IOERR;
	if (write && blk->readonly)
		return BLK_S_IOERR;
	if (!blk->snapshot)
		status = image_rw(blk, h->sector, len, write);
	else if (write)
		status = overlay_write(blk, h->sector, len);
	else
		status = overlay_read(blk, h->sector, len);
	if (!write && status == BLK_S_OK)
		*written += len;
	return status;
}

static uint8_t do_get_id(struct virtio_blk *blk, uint32_t *written)
{
	uint64_t room = blk->chain.writable_len - 1;
	uint64_t len = room < VIRTIO_BLK_ID_BYTES ? room : VIRTIO_BLK_ID_BYTES;

	*written += virtq_chain_write(&blk->chain, 0, blk->serial, len);
	return BLK_S_OK;
}

/*
 * Make [off, off + len) of fd read as zeros with fallocate(mode); where
 * the file system cannot, write zeros if must, else leave it be.  A
 * BLK_IO_CHUNK at a time.  *use_fallocate is the request's: the first
 * failure of fallocate is taken as the file system's answer for the
 * rest of it, so a discard of 32 times the disk where holes cannot be
 * punched costs one failing call, not one per piece.  Returns 0, -1 or
 * IO_STOPPED.
 */
static int zero_range(struct virtio_blk *blk, int fd, uint64_t off,
		      uint64_t len, int mode, bool must, bool *use_fallocate)
{
	static const uint8_t zeros[64 * 1024];
	uint64_t end = off + len, piece;

	while (off < end) {
		piece = end - off < BLK_IO_CHUNK ? end : off + BLK_IO_CHUNK;
		if (virtio_mmio_stopping(blk->transport))
			return IO_STOPPED;
		if (*use_fallocate &&
		    fallocate(fd, mode, off, piece - off) == 0) {
			off = piece;
			continue;
		}
		*use_fallocate = false;
		if (!must)
			return 0;
		while (off < piece) {
			size_t chunk = piece - off < sizeof(zeros) ?
					       piece - off :
					       sizeof(zeros);
			ssize_t n = pwrite(fd, zeros, chunk, off);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return -1;
			off += n;
		}
	}
	return 0;
}

/*
 * One discard or write-zeroes segment.  A discard is a hint: on a file
 * system without holes the data stays.  In a snapshot both become zeros
 * in the store (its space freed where it can be), so a discarded range
 * reads as zeros, as on a raw image that punches holes, never as the
 * image's old bytes again.
 */
static int zero_segment(struct virtio_blk *blk, uint64_t sector, uint64_t count,
			bool discard, bool *use_fallocate)
{
	const int punch = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
	uint64_t off = sector * SECTOR_SIZE, len = count * SECTOR_SIZE;
	int rc;

	if (blk->snapshot) {
		rc = zero_range(blk, blk->overlay.fd, off, len, punch, true,
				use_fallocate);
		if (rc)
			return rc;
		disk_overlay_mark(&blk->overlay, sector, count);
		return 0;
	}
	if (discard)
		return zero_range(blk, blk->fd, off, len, punch, false,
				  use_fallocate);
	return zero_range(blk, blk->fd, off, len,
			  FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, true,
			  use_fallocate);
}

static uint8_t do_zero(struct virtio_blk *blk, bool discard)
{
	uint64_t bytes =
		blk->chain.readable_len - sizeof(struct blk_req_header);
	uint64_t i, nr = bytes / sizeof(struct blk_segment);
	bool use_fallocate = true; /* all segments: the same file, mode */
	int rc;

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
		rc = zero_segment(blk, seg.sector, seg.num_sectors, discard,
				  &use_fallocate);
		if (rc)
			return io_status(blk, rc,
					 discard ? "discard" : "write-zeroes",
					 blk->snapshot);
	}
	return BLK_S_OK;
}

/* A snapshot's store dies with the process: nothing to make durable. */
static uint8_t do_flush(struct virtio_blk *blk)
{
	if (!blk->snapshot && fdatasync(blk->fd) < 0)
		return io_error(blk, "flush (fdatasync)", false, errno);
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
		return do_flush(blk);
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
		    host_same_file(&other, &st))
			return cfg->disk[j].path;
	return NULL;
}

/*
 * Disk i could not lock its image: who holds the lock?  The same image
 * given twice to this VM is the user's slip (126); a lock another process
 * holds is contention that may pass (125).  (Another VM of the run is
 * refused at the start, host/same_file.c.)
 */
static int lock_error(struct virtio_blk *blk, const struct vm_config *cfg,
		      unsigned int i)
{
	const char *twin = earlier_disk(cfg, i, blk->fd);

	if (twin && !strcmp(twin, blk->path))
		return err_set("disk %s is given twice", blk->path);
	if (twin)
		return err_set("disk %s is given twice (it is also disk %s)",
			       blk->path, twin);
	return err_host("disk %s is in use by another process (it holds a "
			"lock on it)",
			blk->path);
}

/* Refuse an image in a format other than raw (kvmux/disk_format.h): its
 * guest would read the format's metadata as data. */
static int check_raw(struct virtio_blk *blk, uint64_t size)
{
	char convert[ERR_MSG_MAX];
	const char *format;

	if (disk_format_probe(blk->fd, size, &format) < 0)
		return err_input_errno("cannot read disk %s", blk->path);
	if (format)
		return err_set("disk %s is a %s image, not a raw one: convert "
			       "it with %s",
			       blk->path, format,
			       disk_format_convert_command(
				       convert, sizeof(convert), blk->path));
	return 0;
}

/* A disk the guest may write that the host will not let it write. */
static int readonly_error(const struct virtio_blk *blk, const char *why)
{
	return err_set("cannot open disk %s: %s (use readonly=on)", blk->path,
		       why);
}

/*
 * open(O_RDWR) of a read-only block device (a loop device set up with -r,
 * a write-protected card) succeeds, and only each write fails (EPERM):
 * ask the kernel, so that the guest is not offered a disk it cannot write.
 */
static int check_writable(const struct virtio_blk *blk)
{
	struct stat st;
	int ro = 0;

	if (fstat(blk->fd, &st) < 0)
		return err_set_errno("disk %s", blk->path);
	if (!S_ISBLK(st.st_mode))
		return 0;
	if (ioctl(blk->fd, BLKROGET, &ro) < 0)
		return err_set_errno("disk %s: cannot ask whether the block "
				     "device is read-only (BLKROGET)",
				     blk->path);
	return ro ? readonly_error(blk, "Read-only block device") : 0;
}

static int open_image(struct virtio_blk *blk, const struct vm_config *cfg,
		      unsigned int i)
{
	enum disk_format format = cfg->disk[i].format;
	/* A snapshot only reads the image: it shares it as readers do. */
	bool shared = blk->readonly || blk->snapshot;
	off_t size;

	blk->fd = host_open_input(blk->path, "disk", shared ? O_RDONLY : O_RDWR,
				  true);
	if (blk->fd < 0 && errno == EROFS)
		return readonly_error(blk, strerror(EROFS));
	if (blk->fd < 0)
		return -1;
	if (!shared && check_writable(blk) < 0)
		return -1;
	if (flock(blk->fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0)
		return lock_error(blk, cfg, i);
	size = lseek(blk->fd, 0, SEEK_END);
	/* Files of /proc and /sys are "regular" but cannot be sized. */
	if (size < 0 && errno == EINVAL)
		return err_set("disk %s has no size (a file of /proc or /sys "
			       "is not a disk image)",
			       blk->path);
	if (size < 0)
		return err_set_errno("disk %s", blk->path);
	if (format == DISK_FORMAT_AUTO && check_raw(blk, size) < 0)
		return -1;
	if (size % SECTOR_SIZE)
		return err_set("disk %s is %lld bytes, not a whole number of "
			       "512-byte sectors",
			       blk->path, (long long)size);
	blk->sectors = size / SECTOR_SIZE;
	if (blk->sectors == 0)
		return err_set("disk %s is empty", blk->path);
	if (blk->snapshot)
		return disk_overlay_open(&blk->overlay, blk->sectors,
					 blk->path);
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
	blk->overlay.fd = -1;
	blk->path = disk->path;
	blk->readonly = disk->readonly;
	/* Read-only wins: the guest cannot write, so no store is needed. */
	blk->snapshot = disk->snapshot && !disk->readonly;
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
	disk_overlay_close(&blk->overlay);
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
