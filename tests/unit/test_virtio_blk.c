// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_virtio_blk.c - virtio-blk (virtio 1.x, 5.2) over a temporary image,
 * without KVM: the device kind is opened and attached with the fake VM,
 * started, and driven as a guest would (negotiation, queue 0 in guest RAM,
 * request chains of header, data and status, notifications through its
 * ioeventfd), and what it did is checked in the image and in the guest's
 * buffers.  Waits for the used ring are bounded, never timed.
 *
 * With snapshot=on the same requests must leave the image as it was and
 * still read back what the guest wrote; images of other formats (crafted
 * headers of each) are refused when the disk is opened.
 *
 * Images are made in one temporary directory (tmp_test_util.h), removed
 * with what it holds when the tests end, failed ones included.
 *
 * The host's failures that a file system may give but a test's temporary
 * directory does not (any errno from pwritev, a fallocate it cannot do)
 * are made by this binary's pwritev64 and fallocate64, which the device
 * (built with 64-bit file offsets) calls instead of libc's.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <endian.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include <linux/virtio_blk.h>

#include "kvmux/virtio_blk.h"
#include "tmp_test_util.h"
#include "virtio_test_util.h"

#define SECTOR 512
#define SECTORS 16
#define SERIAL "kvmux-disk-7"
#define QSIZE 16
#define F_VERSION_1 (1ULL << VIRTIO_F_VERSION_1)
#define PATH_BYTES 80 /* an image's path in tmp_test_dir */

/*
 * Failures for the device's I/O thread: while pwritev_errno (or
 * fallocate_errno) is not 0, every pwritev64 (fallocate64) fails with it;
 * fallocate_calls counts the calls either way.  Set between requests,
 * while the I/O thread waits, and cleared by the teardown.
 */
static int pwritev_errno, fallocate_errno;
static unsigned int fallocate_calls;

ssize_t pwritev64(int fd, const struct iovec *iov, int count, off64_t offset)
{
	static ssize_t (*real)(int, const struct iovec *, int, off64_t);
	int err = __atomic_load_n(&pwritev_errno, __ATOMIC_SEQ_CST);

	if (err) {
		errno = err;
		return -1;
	}
	if (!real)
		real = dlsym(RTLD_NEXT, "pwritev64");
	return real(fd, iov, count, offset);
}

int fallocate64(int fd, int mode, off64_t offset, off64_t len)
{
	static int (*real)(int, int, off64_t, off64_t);
	int err = __atomic_load_n(&fallocate_errno, __ATOMIC_SEQ_CST);

	__atomic_add_fetch(&fallocate_calls, 1, __ATOMIC_SEQ_CST);
	if (err) {
		errno = err;
		return -1;
	}
	if (!real)
		real = dlsym(RTLD_NEXT, "fallocate64");
	return real(fd, mode, offset, len);
}

/* Where request `slot` keeps its parts in guest RAM. */
#define HDR_GPA(slot) (TG_DATA_GPA + 32 * (slot))
#define STATUS_GPA(slot) (TG_DATA_GPA + 0x200 + (slot))
#define DATA_GPA(slot) (TG_DATA_GPA + 0x1000 + 0x4000 * (slot))

struct fixture {
	struct test_guest g;
	struct test_vm vm;
	struct vm_config cfg;
	char path[PATH_BYTES];
	int fd; /* the test's own view of the image */
	void *blk;
	struct vt_dev d;
};

/* A request as the guest builds it; data is split in two descriptors
 * after `split` bytes if split is not 0. */
struct request {
	uint32_t type;
	uint64_t sector;
	uint32_t len;
	uint32_t split;
};

/* The image's byte at off before any test wrote: differs per sector. */
static uint8_t pattern(uint64_t off)
{
	return (off / SECTOR) * 17 + off * 3 + 1;
}

static int make_image(char *path, size_t path_size, uint64_t bytes)
{
	uint8_t buf[SECTOR];
	uint64_t off, i;
	int fd;

	snprintf(path, path_size, "%s/blk-XXXXXX", tmp_test_dir);
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	for (off = 0; off < bytes; off += sizeof(buf)) {
		size_t n =
			bytes - off < sizeof(buf) ? bytes - off : sizeof(buf);

		for (i = 0; i < n; i++)
			buf[i] = pattern(off + i);
		if (pwrite(fd, buf, n, off) != (ssize_t)n) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

static int open_disk_of(void **state, uint64_t sectors, bool readonly,
			bool snapshot)
{
	static struct fixture fx;
	const struct device_kind *kind = &virtio_blk_kind;

	memset(&fx, 0, sizeof(fx));
	fx.fd = make_image(fx.path, sizeof(fx.path), sectors * SECTOR);
	if (fx.fd < 0)
		return -1;
	tg_init(&fx.g);
	test_vm_init(&fx.vm, &fx.g.gm, 1);
	vm_config_init(&fx.cfg);
	fx.cfg.disk[0] = (struct disk_config){ .path = fx.path,
					       .serial = SERIAL,
					       .readonly = readonly,
					       .snapshot = snapshot };
	fx.cfg.nr_disks = 1;
	fx.blk = test_attach(&fx.vm, kind, &fx.cfg, 0);
	if (!fx.blk || kind->start(fx.blk) < 0)
		return -1;
	vt_init(&fx.d, &fx.vm, &fx.g, 0);
	if (vt_negotiate(&fx.d, F_VERSION_1) !=
		    (VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
		     VIRTIO_CONFIG_S_FEATURES_OK) ||
	    vt_queue(&fx.d, 0, QSIZE) != 1)
		return -1;
	vt_set_status(&fx.d, VIRTIO_CONFIG_S_DRIVER_OK);
	*state = &fx;
	return 0;
}

static int open_disk(void **state, bool readonly, bool snapshot)
{
	return open_disk_of(state, SECTORS, readonly, snapshot);
}

static int setup(void **state)
{
	return open_disk(state, false, false);
}

/* Room for requests larger than the device's system calls. */
#define LARGE_SECTORS (96 * 1024) /* 48 MiB */

static int setup_large(void **state)
{
	return open_disk_of(state, LARGE_SECTORS, false, false);
}

static int setup_readonly(void **state)
{
	return open_disk(state, true, false);
}

/* Snapshot stores go here, so a test can see that none has a name. */
static char scratch[PATH_BYTES];

static int setup_snapshot(void **state)
{
	snprintf(scratch, sizeof(scratch), "%s/tmp-XXXXXX", tmp_test_dir);
	if (!mkdtemp(scratch) || setenv("TMPDIR", scratch, 1) < 0)
		return -1;
	return open_disk(state, false, true);
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	int rc = virtio_blk_kind.stop(fx->blk,
				      thread_now_ns() + THREAD_JOIN_TIMEOUT_NS);

	__atomic_store_n(&pwritev_errno, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&fallocate_errno, 0, __ATOMIC_SEQ_CST);
	virtio_blk_kind.destroy(fx->blk);
	test_vm_free(&fx->vm);
	tg_free(&fx->g);
	close(fx->fd);
	unlink(fx->path);
	return rc;
}

static int teardown_snapshot(void **state)
{
	int rc = teardown(state);

	unsetenv("TMPDIR");
	return rc | rmdir(scratch); /* fails unless empty */
}

static bool device_writes_data(uint32_t type)
{
	return type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID;
}

/* Descriptors 3 * slot and on: header, data (one or two), status. */
static void post(struct fixture *fx, unsigned int slot, const struct request *r)
{
	uint16_t i = 3 * slot, head = i;
	uint16_t data_flags =
		VIRTQ_DESC_F_NEXT |
		(device_writes_data(r->type) ? VIRTQ_DESC_F_WRITE : 0);

	tg_put32(&fx->g, HDR_GPA(slot), r->type);
	tg_put32(&fx->g, HDR_GPA(slot) + 4, 0);
	tg_put64(&fx->g, HDR_GPA(slot) + 8, r->sector);
	*tg_at(&fx->g, STATUS_GPA(slot), 1) = 0xff;
	vt_desc(&fx->d, 0, i, HDR_GPA(slot), sizeof(struct virtio_blk_outhdr),
		VIRTQ_DESC_F_NEXT, i + 1);
	i++;
	if (r->split) {
		vt_desc(&fx->d, 0, i, DATA_GPA(slot), r->split, data_flags,
			i + 1);
		i++;
	}
	if (r->len) {
		vt_desc(&fx->d, 0, i, DATA_GPA(slot) + r->split,
			r->len - r->split, data_flags, i + 1);
		i++;
	}
	vt_desc(&fx->d, 0, i, STATUS_GPA(slot), 1, VIRTQ_DESC_F_WRITE, 0);
	vt_avail(&fx->d, 0, head);
}

/* Run one request; returns its status byte, *written what the device
 * said it wrote. */
static uint8_t run(struct fixture *fx, const struct request *r,
		   uint32_t *written)
{
	uint32_t id;
	uint16_t idx;

	post(fx, 0, r);
	idx = fx->d.q[0].avail_idx;
	assert_true(vt_kick(&fx->d, 0));
	assert_true(vt_wait_used(&fx->d, 0, idx));
	vt_used_elem(&fx->d, 0, idx, &id, written);
	assert_int_equal(id, 0);
	return *tg_at(&fx->g, STATUS_GPA(0), 1);
}

static uint8_t *data(struct fixture *fx, unsigned int slot, uint32_t len)
{
	return tg_at(&fx->g, DATA_GPA(slot), len);
}

/* The image's bytes [off, off + len) still hold the pattern. */
static void assert_untouched(struct fixture *fx, uint64_t off, uint32_t len)
{
	uint8_t buf[SECTORS * SECTOR];
	uint32_t i;

	assert_int_equal(pread(fx->fd, buf, len, off), len);
	for (i = 0; i < len; i++)
		assert_int_equal(buf[i], pattern(off + i));
}

static void assert_image(struct fixture *fx, uint64_t off, const void *want,
			 uint32_t len)
{
	uint8_t buf[SECTORS * SECTOR];

	assert_int_equal(pread(fx->fd, buf, len, off), len);
	assert_memory_equal(buf, want, len);
}

static void fill(uint8_t *p, uint32_t len, uint8_t seed)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		p[i] = seed + i * 5;
}

static uint32_t config32(struct fixture *fx, size_t off)
{
	return vt_read(&fx->d, VIRTIO_MMIO_CONFIG + off);
}

static void identity_features_config(void **state)
{
	struct fixture *fx = *state;
	uint32_t f;

	assert_int_equal(vt_read(&fx->d, VIRTIO_MMIO_DEVICE_ID),
			 VIRTIO_ID_BLOCK);
	vt_write(&fx->d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	f = vt_read(&fx->d, VIRTIO_MMIO_DEVICE_FEATURES);
	assert_true(f & 1u << VIRTIO_BLK_F_FLUSH);
	assert_true(f & 1u << VIRTIO_BLK_F_BLK_SIZE);
	assert_true(f & 1u << VIRTIO_BLK_F_SEG_MAX);
	assert_true(f & 1u << VIRTIO_BLK_F_DISCARD);
	assert_true(f & 1u << VIRTIO_BLK_F_WRITE_ZEROES);
	assert_false(f & 1u << VIRTIO_BLK_F_RO);
	assert_int_equal(
		config32(fx, offsetof(struct virtio_blk_config, capacity)),
		SECTORS);
	assert_int_equal(
		config32(fx, offsetof(struct virtio_blk_config, capacity) + 4),
		0);
	assert_int_equal(
		config32(fx, offsetof(struct virtio_blk_config, blk_size)),
		SECTOR);
	assert_int_equal(fx->vm.nr_ioeventfds, 1);
}

/* Write r->len bytes made from seed (into want); they must land. */
static void write_ok(struct fixture *fx, const struct request *r, uint8_t seed,
		     uint8_t *want)
{
	uint32_t written;

	fill(want, r->len, seed);
	memcpy(data(fx, 0, r->len), want, r->len);
	assert_int_equal(run(fx, r, &written), VIRTIO_BLK_S_OK);
	assert_int_equal(written, 1); /* the status byte */
	assert_image(fx, r->sector * SECTOR, want, r->len);
}

static void write_lands_at_its_offset(void **state)
{
	struct fixture *fx = *state;
	struct request r = { VIRTIO_BLK_T_OUT, 3, 2 * SECTOR, 0 };
	uint8_t want[2 * SECTOR];

	write_ok(fx, &r, 0x40, want);
	assert_untouched(fx, 0, 3 * SECTOR);
	assert_untouched(fx, 5 * SECTOR, (SECTORS - 5) * SECTOR);
}

static void read_returns_image_bytes(void **state)
{
	struct fixture *fx = *state;
	struct request r = { VIRTIO_BLK_T_IN, 5, 3 * SECTOR, 0 };
	uint8_t *buf = data(fx, 0, 3 * SECTOR);
	uint32_t written, i;

	memset(buf, 0xee, 3 * SECTOR);
	assert_int_equal(run(fx, &r, &written), VIRTIO_BLK_S_OK);
	assert_int_equal(written, 3 * SECTOR + 1);
	for (i = 0; i < 3 * SECTOR; i++)
		assert_int_equal(buf[i], pattern(5 * SECTOR + i));
}

/* Data in two buffers that do not split at a sector boundary. */
static void scattered_buffers(void **state)
{
	struct fixture *fx = *state;
	struct request w = { VIRTIO_BLK_T_OUT, 1, 2 * SECTOR, 700 };
	struct request r = { VIRTIO_BLK_T_IN, 1, 2 * SECTOR, 100 };
	uint8_t want[2 * SECTOR];
	uint32_t written;

	write_ok(fx, &w, 0x11, want);
	memset(data(fx, 0, sizeof(want)), 0, sizeof(want));
	assert_int_equal(run(fx, &r, &written), VIRTIO_BLK_S_OK);
	assert_int_equal(written, sizeof(want) + 1);
	assert_memory_equal(data(fx, 0, sizeof(want)), want, sizeof(want));
}

static void get_id_returns_serial(void **state)
{
	struct fixture *fx = *state;
	struct request r = { VIRTIO_BLK_T_GET_ID, 0, VIRTIO_BLK_ID_BYTES, 0 };
	char want[VIRTIO_BLK_ID_BYTES] = SERIAL; /* NUL-padded */
	uint32_t written;

	memset(data(fx, 0, VIRTIO_BLK_ID_BYTES), 0xee, VIRTIO_BLK_ID_BYTES);
	assert_int_equal(run(fx, &r, &written), VIRTIO_BLK_S_OK);
	assert_int_equal(written, VIRTIO_BLK_ID_BYTES + 1);
	assert_memory_equal(data(fx, 0, VIRTIO_BLK_ID_BYTES), want,
			    VIRTIO_BLK_ID_BYTES);
	/* A smaller buffer gets what fits. */
	r.len = 6;
	memset(data(fx, 0, VIRTIO_BLK_ID_BYTES), 0xee, VIRTIO_BLK_ID_BYTES);
	assert_int_equal(run(fx, &r, &written), VIRTIO_BLK_S_OK);
	assert_int_equal(written, 6 + 1);
	assert_memory_equal(data(fx, 0, 6), SERIAL, 6);
	assert_int_equal(data(fx, 0, 7)[6], 0xee);
}

static void out_of_range_is_ioerr(void **state)
{
	struct fixture *fx = *state;
	struct request past_end = { VIRTIO_BLK_T_IN, SECTORS, SECTOR, 0 };
	struct request across_end = { VIRTIO_BLK_T_IN, SECTORS - 1, 2 * SECTOR,
				      0 };
	struct request wraps = { VIRTIO_BLK_T_OUT, UINT64_MAX, SECTOR, 0 };
	struct request huge = { VIRTIO_BLK_T_OUT, UINT64_MAX / SECTOR + 1,
				SECTOR, 0 };
	struct request last = { VIRTIO_BLK_T_IN, SECTORS - 1, SECTOR, 0 };
	uint32_t written;

	assert_int_equal(run(fx, &past_end, &written), VIRTIO_BLK_S_IOERR);
	assert_int_equal(run(fx, &across_end, &written), VIRTIO_BLK_S_IOERR);
	assert_int_equal(run(fx, &wraps, &written), VIRTIO_BLK_S_IOERR);
	assert_int_equal(run(fx, &huge, &written), VIRTIO_BLK_S_IOERR);
	assert_untouched(fx, 0, SECTORS * SECTOR);
	assert_int_equal(run(fx, &last, &written), VIRTIO_BLK_S_OK);
	assert_int_equal(fx->vm.notes,
			 0); /* the guest's error, not the host's */
}

static void partial_sector_is_ioerr(void **state)
{
	struct fixture *fx = *state;
	struct request r = { VIRTIO_BLK_T_OUT, 0, 100, 0 };
	uint32_t written;

	assert_int_equal(run(fx, &r, &written), VIRTIO_BLK_S_IOERR);
	assert_untouched(fx, 0, SECTOR);
}

static void flush_is_ok(void **state)
{
	struct fixture *fx = *state;
	struct request r = { VIRTIO_BLK_T_FLUSH, 0, 0, 0 };
	uint32_t written;

	assert_int_equal(run(fx, &r, &written), VIRTIO_BLK_S_OK);
	assert_int_equal(written, 1);
}

static void unknown_type_is_unsupported(void **state)
{
	struct fixture *fx = *state;
	struct request r = { 99, 0, SECTOR, 0 };
	uint32_t written;

	assert_int_equal(run(fx, &r, &written), VIRTIO_BLK_S_UNSUPP);
	assert_untouched(fx, 0, SECTOR);
}

static void put_segment(struct fixture *fx, uint64_t sector, uint32_t count)
{
	tg_put64(&fx->g, DATA_GPA(0), sector);
	tg_put32(&fx->g, DATA_GPA(0) + 8, count);
	tg_put32(&fx->g, DATA_GPA(0) + 12, 0);
}

static void write_zeroes_and_discard(void **state)
{
	struct fixture *fx = *state;
	struct request r = { VIRTIO_BLK_T_WRITE_ZEROES, 0,
			     sizeof(struct virtio_blk_discard_write_zeroes),
			     0 };
	static const uint8_t zeros[3 * SECTOR];
	uint32_t written;

	put_segment(fx, 2, 3);
	assert_int_equal(run(fx, &r, &written), VIRTIO_BLK_S_OK);
	assert_image(fx, 2 * SECTOR, zeros, sizeof(zeros));
	assert_untouched(fx, 0, 2 * SECTOR);
	assert_untouched(fx, 5 * SECTOR, (SECTORS - 5) * SECTOR);
	put_segment(fx, SECTORS - 1, 2);
	assert_int_equal(run(fx, &r, &written), VIRTIO_BLK_S_IOERR);
	assert_untouched(fx, (SECTORS - 1) * SECTOR, SECTOR);
	r.type = VIRTIO_BLK_T_DISCARD;
	put_segment(fx, 8, 1);
	assert_int_equal(run(fx, &r, &written), VIRTIO_BLK_S_OK);
	assert_int_equal(written, 1);
}

/*
 * A write the host file system fails, whatever its errno (ECANCELED here,
 * as FUSE or a network file system may return), is an I/O error for the
 * guest and one line for the host: only a stop leaves a request unsaid.
 */
static void failing_write_is_reported(void **state)
{
	struct fixture *fx = *state;
	struct request w = { VIRTIO_BLK_T_OUT, 3, 2 * SECTOR, 0 };
	char want[64];
	uint32_t written;

	fill(data(fx, 0, w.len), w.len, 0x5a);
	__atomic_store_n(&pwritev_errno, ECANCELED, __ATOMIC_SEQ_CST);
	assert_int_equal(run(fx, &w, &written), VIRTIO_BLK_S_IOERR);
	assert_int_equal(fx->vm.notes, 1);
	snprintf(want, sizeof(want), "write failed: %s", strerror(ECANCELED));
	assert_non_null(strstr(fx->vm.note, fx->path));
	assert_non_null(strstr(fx->vm.note, want));
	assert_untouched(fx, 0, SECTORS * SECTOR);

	/* One line, the first time. */
	assert_int_equal(run(fx, &w, &written), VIRTIO_BLK_S_IOERR);
	assert_int_equal(fx->vm.notes, 1);
	__atomic_store_n(&pwritev_errno, 0, __ATOMIC_SEQ_CST);
	write_ok(fx, &w, 0x5a, (uint8_t[2 * SECTOR]){ 0 });
}

/* Several chains behind one notification, returned in order. */
static void batch_of_requests(void **state)
{
	struct fixture *fx = *state;
	const struct request r[3] = {
		{ VIRTIO_BLK_T_OUT, 6, SECTOR, 0 },
		{ VIRTIO_BLK_T_IN, 6, SECTOR, 0 },
		{ VIRTIO_BLK_T_GET_ID, 0, VIRTIO_BLK_ID_BYTES, 0 },
	};
	uint32_t id, len;
	unsigned int i;

	fill(data(fx, 0, SECTOR), SECTOR, 0x77);
	for (i = 0; i < 3; i++)
		post(fx, i, &r[i]);
	assert_true(vt_kick(&fx->d, 0));
	assert_true(vt_wait_used(&fx->d, 0, 3));
	for (i = 0; i < 3; i++) {
		vt_used_elem(&fx->d, 0, i + 1, &id, &len);
		assert_int_equal(id, 3 * i);
		assert_int_equal(*tg_at(&fx->g, STATUS_GPA(i), 1),
				 VIRTIO_BLK_S_OK);
	}
	/* The read saw the write before it. */
	assert_memory_equal(data(fx, 1, SECTOR), data(fx, 0, SECTOR), SECTOR);
}

static void chain_without_status_needs_reset(void **state)
{
	struct fixture *fx = *state;

	tg_put32(&fx->g, HDR_GPA(0), VIRTIO_BLK_T_FLUSH);
	vt_desc(&fx->d, 0, 0, HDR_GPA(0), sizeof(struct virtio_blk_outhdr), 0,
		0);
	vt_avail(&fx->d, 0, 0);
	assert_true(vt_kick(&fx->d, 0));
	assert_true(vt_wait_bits(&fx->d, VIRTIO_MMIO_STATUS,
				 VIRTIO_CONFIG_S_NEEDS_RESET));
	assert_true(vt_read(&fx->d, VIRTIO_MMIO_INTERRUPT_STATUS) &
		    VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(vt_used_idx(&fx->d, 0), 0);
	assert_non_null(strstr(fx->vm.note, "status byte"));
}

static void readonly_disk_refuses_writes(void **state)
{
	struct fixture *fx = *state;
	struct request w = { VIRTIO_BLK_T_OUT, 0, SECTOR, 0 };
	struct request z = { VIRTIO_BLK_T_WRITE_ZEROES, 0,
			     sizeof(struct virtio_blk_discard_write_zeroes),
			     0 };
	struct request r = { VIRTIO_BLK_T_IN, 0, SECTOR, 0 };
	uint32_t f, written;

	vt_write(&fx->d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	f = vt_read(&fx->d, VIRTIO_MMIO_DEVICE_FEATURES);
	assert_true(f & 1u << VIRTIO_BLK_F_RO);
	assert_false(f & 1u << VIRTIO_BLK_F_WRITE_ZEROES);
	assert_false(f & 1u << VIRTIO_BLK_F_DISCARD);
	fill(data(fx, 0, SECTOR), SECTOR, 0x99);
	assert_int_equal(run(fx, &w, &written), VIRTIO_BLK_S_IOERR);
	put_segment(fx, 0, 1);
	assert_int_equal(run(fx, &z, &written), VIRTIO_BLK_S_IOERR);
	assert_untouched(fx, 0, SECTORS * SECTOR);
	assert_int_equal(run(fx, &r, &written), VIRTIO_BLK_S_OK);
	assert_int_equal(data(fx, 0, 1)[0], pattern(0));
}

/*
 * A request of nearly 40 MiB, more than the device hands the kernel in
 * one system call (it looks for a stop between two): 1000 overlapping
 * buffers of odd lengths in 256 KiB of guest RAM, through an indirect
 * table, so the pieces end inside buffers.  Written, then read back into
 * the same buffers, every byte where it belongs.
 */
#define LARGE_BUFS 1000
#define LARGE_SRC (256 * 1024)

static uint64_t large_chain(struct fixture *fx, bool in, uint64_t off[],
			    uint32_t len[])
{
	uint16_t data_flags = VIRTQ_DESC_F_NEXT | (in ? VIRTQ_DESC_F_WRITE : 0);
	uint64_t total = 0;
	unsigned int k;

	tg_put32(&fx->g, HDR_GPA(0), in ? VIRTIO_BLK_T_IN : VIRTIO_BLK_T_OUT);
	tg_put32(&fx->g, HDR_GPA(0) + 4, 0);
	tg_put64(&fx->g, HDR_GPA(0) + 8, 0);
	tg_desc_at(&fx->g, TG_TABLE_GPA, 0, HDR_GPA(0),
		   sizeof(struct virtio_blk_outhdr), VIRTQ_DESC_F_NEXT, 1);
	for (k = 0; k < LARGE_BUFS; k++) {
		off[k] = (k * 4099ULL) % 65536;
		len[k] = 40000 + (k * 7919) % 3001;
		total += len[k];
	}
	len[LARGE_BUFS - 1] += (SECTOR - total % SECTOR) % SECTOR;
	total += (SECTOR - total % SECTOR) % SECTOR;
	for (k = 0; k < LARGE_BUFS; k++)
		tg_desc_at(&fx->g, TG_TABLE_GPA, k + 1, DATA_GPA(0) + off[k],
			   len[k], data_flags, k + 2);
	tg_desc_at(&fx->g, TG_TABLE_GPA, LARGE_BUFS + 1, STATUS_GPA(0), 1,
		   VIRTQ_DESC_F_WRITE, 0);
	vt_desc(&fx->d, 0, 0, TG_TABLE_GPA, (LARGE_BUFS + 2) * 16,
		VIRTQ_DESC_F_INDIRECT, 0);
	return total;
}

static void large_request_in_pieces(void **state)
{
	struct fixture *fx = *state;
	static uint64_t off[LARGE_BUFS];
	static uint32_t len[LARGE_BUFS];
	static uint8_t want[LARGE_SRC], got[LARGE_SRC], piece[64 * 1024];
	uint8_t *src = data(fx, 0, LARGE_SRC);
	uint64_t total, pos;
	uint32_t id, written;
	unsigned int k;

	assert_int_equal(
		vt_negotiate(&fx->d,
			     F_VERSION_1 | 1ULL << VIRTIO_RING_F_INDIRECT_DESC),
		VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
			VIRTIO_CONFIG_S_FEATURES_OK);
	assert_int_equal(vt_queue(&fx->d, 0, QSIZE), 1);
	vt_set_status(&fx->d, VIRTIO_CONFIG_S_DRIVER_OK);

	fill(src, LARGE_SRC, 0x31);
	memcpy(got, src, LARGE_SRC);
	total = large_chain(fx, false, off, len);
	assert_true(total > 2 * 16 * 1024 * 1024);
	assert_true(total < LARGE_SECTORS * SECTOR);
	vt_avail(&fx->d, 0, 0);
	assert_true(vt_kick(&fx->d, 0));
	assert_true(vt_wait_used(&fx->d, 0, 1));
	assert_int_equal(*tg_at(&fx->g, STATUS_GPA(0), 1), VIRTIO_BLK_S_OK);
	for (k = 0, pos = 0; k < LARGE_BUFS; pos += len[k++]) {
		assert_int_equal(pread(fx->fd, piece, len[k], pos), len[k]);
		assert_memory_equal(piece, got + off[k], len[k]);
	}
	assert_untouched(fx, total, SECTOR);

	/* Read back: each buffer in turn gets its part, later ones
	 * overwriting earlier ones where they overlap. */
	memset(src, 0xee, LARGE_SRC);
	memset(want, 0xee, LARGE_SRC);
	for (k = 0, pos = 0; k < LARGE_BUFS; pos += len[k++])
		assert_int_equal(pread(fx->fd, want + off[k], len[k], pos),
				 len[k]);
	large_chain(fx, true, off, len);
	vt_avail(&fx->d, 0, 0);
	assert_true(vt_kick(&fx->d, 0));
	assert_true(vt_wait_used(&fx->d, 0, 2));
	vt_used_elem(&fx->d, 0, 2, &id, &written);
	assert_int_equal(*tg_at(&fx->g, STATUS_GPA(0), 1), VIRTIO_BLK_S_OK);
	assert_int_equal(written, total + 1);
	assert_memory_equal(src, want, LARGE_SRC);
}

/*
 * Where the file system cannot fallocate (EOPNOTSUPP: no hole punching),
 * a request of three BLK_IO_CHUNK pieces and a second segment tries it
 * once: a discard then leaves the data, a write-zeroes writes zeros.
 */
static void put_two_segments(struct fixture *fx, uint32_t type)
{
	struct request r = { type, 0,
			     2 * sizeof(struct virtio_blk_discard_write_zeroes),
			     0 };
	uint32_t written;

	tg_put64(&fx->g, DATA_GPA(0), 0);
	tg_put32(&fx->g, DATA_GPA(0) + 8, LARGE_SECTORS);
	tg_put32(&fx->g, DATA_GPA(0) + 12, 0);
	tg_put64(&fx->g, DATA_GPA(0) + 16, 8);
	tg_put32(&fx->g, DATA_GPA(0) + 24, 8);
	tg_put32(&fx->g, DATA_GPA(0) + 28, 0);
	__atomic_store_n(&fallocate_calls, 0, __ATOMIC_SEQ_CST);
	assert_int_equal(run(fx, &r, &written), VIRTIO_BLK_S_OK);
	assert_int_equal(written, 1);
	assert_int_equal(__atomic_load_n(&fallocate_calls, __ATOMIC_SEQ_CST),
			 1);
}

static void fallocate_tried_once_per_request(void **state)
{
	struct fixture *fx = *state;
	static const uint8_t zeros[64 * 1024];
	static uint8_t buf[64 * 1024];
	uint64_t off;

	__atomic_store_n(&fallocate_errno, EOPNOTSUPP, __ATOMIC_SEQ_CST);
	put_two_segments(fx, VIRTIO_BLK_T_DISCARD);
	assert_untouched(fx, 0, SECTORS * SECTOR);
	assert_untouched(fx, (LARGE_SECTORS - SECTORS) * SECTOR,
			 SECTORS * SECTOR);

	put_two_segments(fx, VIRTIO_BLK_T_WRITE_ZEROES);
	for (off = 0; off < LARGE_SECTORS * SECTOR; off += sizeof(buf)) {
		assert_int_equal(pread(fx->fd, buf, sizeof(buf), off),
				 sizeof(buf));
		assert_memory_equal(buf, zeros, sizeof(buf));
	}
	assert_int_equal(fx->vm.notes, 0);
}

/* ---- snapshot=on ---- */

/* Guest buffers [0, len) of slot 0 hold what sectors [sector, ...) of the
 * image held before any test wrote, except where want says otherwise. */
static void assert_read(struct fixture *fx, uint64_t sector, uint32_t len,
			uint32_t split, const uint8_t *want)
{
	struct request r = { VIRTIO_BLK_T_IN, sector, len, split };
	uint8_t *buf = data(fx, 0, len);
	uint32_t written;

	memset(buf, 0xee, len);
	assert_int_equal(run(fx, &r, &written), VIRTIO_BLK_S_OK);
	assert_int_equal(written, len + 1);
	assert_memory_equal(buf, want, len);
}

/* The image's original bytes of sectors [sector, sector + n). */
static void original(uint8_t *p, uint64_t sector, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n * SECTOR; i++)
		p[i] = pattern(sector * SECTOR + i);
}

/* Write one request from want[]; the image must not change. */
static void snapshot_write(struct fixture *fx, uint64_t sector, uint32_t len,
			   uint32_t split, const uint8_t *want)
{
	struct request w = { VIRTIO_BLK_T_OUT, sector, len, split };
	uint32_t written;

	memcpy(data(fx, 0, len), want, len);
	assert_int_equal(run(fx, &w, &written), VIRTIO_BLK_S_OK);
	assert_int_equal(written, 1);
	assert_untouched(fx, 0, SECTORS * SECTOR);
}

/* Writes read back; the image keeps its bytes; the store has no name. */
static void snapshot_reads_back_its_writes(void **state)
{
	struct fixture *fx = *state;
	uint8_t want[SECTORS * SECTOR];
	DIR *d;
	struct dirent *e;

	fill(want, 2 * SECTOR, 0x40);
	snapshot_write(fx, 3, 2 * SECTOR, 0, want);
	assert_read(fx, 3, 2 * SECTOR, 0, want);
	original(want, 0, SECTORS);
	assert_read(fx, 5, (SECTORS - 5) * SECTOR, 0, want + 5 * SECTOR);
	assert_read(fx, 0, 3 * SECTOR, 0, want);
	d = opendir(scratch);
	assert_non_null(d);
	while ((e = readdir(d)))
		assert_true(e->d_name[0] == '.');
	closedir(d);
	assert_int_equal(fx->vm.notes, 0);
}

/* One read across written and unwritten sectors, in buffers that split
 * inside a sector, takes each sector from the right place; so does a
 * later write over part of a written run. */
static void snapshot_read_mixes_store_and_image(void **state)
{
	struct fixture *fx = *state;
	uint8_t want[8 * SECTOR], w[2 * SECTOR];

	original(want, 2, 8);
	fill(w, SECTOR, 0x11);
	snapshot_write(fx, 4, SECTOR, 0, w);
	memcpy(want + 2 * SECTOR, w, SECTOR);
	fill(w, 2 * SECTOR, 0x22);
	snapshot_write(fx, 6, 2 * SECTOR, 300, w);
	memcpy(want + 4 * SECTOR, w, 2 * SECTOR);
	assert_read(fx, 2, 8 * SECTOR, 700, want);
	fill(w, SECTOR, 0x33);
	snapshot_write(fx, 7, SECTOR, 0, w);
	memcpy(want + 5 * SECTOR, w, SECTOR);
	assert_read(fx, 2, 8 * SECTOR, 1, want);
	assert_read(fx, 7, SECTOR, 0, want + 5 * SECTOR);
}

/* Write-zeroes and discard read as zeros afterwards, over written and
 * unwritten sectors alike; the image keeps its bytes. */
static void snapshot_zeroes_and_discards(void **state)
{
	struct fixture *fx = *state;
	struct request z = { VIRTIO_BLK_T_WRITE_ZEROES, 0,
			     sizeof(struct virtio_blk_discard_write_zeroes),
			     0 };
	uint8_t want[6 * SECTOR], w[SECTOR];
	uint32_t written;

	fill(w, SECTOR, 0x55);
	snapshot_write(fx, 9, SECTOR, 0, w);
	original(want, 8, 6);
	put_segment(fx, 9, 2); /* one written sector, one not */
	assert_int_equal(run(fx, &z, &written), VIRTIO_BLK_S_OK);
	memset(want + SECTOR, 0, 2 * SECTOR);
	z.type = VIRTIO_BLK_T_DISCARD;
	put_segment(fx, 12, 1);
	assert_int_equal(run(fx, &z, &written), VIRTIO_BLK_S_OK);
	memset(want + 4 * SECTOR, 0, SECTOR);
	assert_read(fx, 8, 6 * SECTOR, 0, want);
	put_segment(fx, SECTORS - 1, 2);
	assert_int_equal(run(fx, &z, &written), VIRTIO_BLK_S_IOERR);
	assert_untouched(fx, 0, SECTORS * SECTOR);
	/* Written again after a discard: the new data. */
	snapshot_write(fx, 12, SECTOR, 0, w);
	assert_read(fx, 12, SECTOR, 0, w);
}

static void snapshot_flush_and_range_checks(void **state)
{
	struct fixture *fx = *state;
	struct request f = { VIRTIO_BLK_T_FLUSH, 0, 0, 0 };
	struct request past = { VIRTIO_BLK_T_OUT, SECTORS - 1, 2 * SECTOR, 0 };
	struct request wraps = { VIRTIO_BLK_T_IN, UINT64_MAX, SECTOR, 0 };
	struct request part = { VIRTIO_BLK_T_OUT, 0, 100, 0 };
	uint32_t written;

	assert_int_equal(run(fx, &f, &written), VIRTIO_BLK_S_OK);
	assert_int_equal(written, 1);
	assert_int_equal(run(fx, &past, &written), VIRTIO_BLK_S_IOERR);
	assert_int_equal(run(fx, &wraps, &written), VIRTIO_BLK_S_IOERR);
	assert_int_equal(run(fx, &part, &written), VIRTIO_BLK_S_IOERR);
	assert_untouched(fx, 0, SECTORS * SECTOR);
	assert_int_equal(fx->vm.notes, 0);
}

/* Opening fails on bad images, as the user's input, before any VM. */
static void *open_image(struct vm_config *cfg, const char *path, bool readonly)
{
	cfg->disk[cfg->nr_disks++] =
		(struct disk_config){ .path = path, .readonly = readonly };
	return virtio_blk_kind.open(cfg, cfg->nr_disks - 1);
}

static void bad_images_refused(void **state)
{
	struct vm_config cfg;
	char path[PATH_BYTES];
	int fd;

	vm_config_init(&cfg);
	fd = make_image(path, sizeof(path), 1000);
	assert_true(fd >= 0);
	assert_null(open_image(&cfg, path, false));
	assert_non_null(strstr(err_msg(), "whole number"));
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_null(open_image(&cfg, path, false));
	assert_non_null(strstr(err_msg(), "empty"));
	close(fd);
	unlink(path);
	assert_null(open_image(&cfg, path, true));
	assert_non_null(strstr(err_msg(), "does not exist"));
}

/* A path that is neither a file nor a block device is named for what it
 * is, whatever open(2) said (EISDIR for a directory opened to write,
 * ENXIO for a socket), read-write or not. */
static void not_a_file_refused(void **state)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char dir[PATH_BYTES], want[2 * PATH_BYTES];
	struct vm_config cfg;
	int sock, ro;

	snprintf(dir, sizeof(dir), "%s/dir", tmp_test_dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/sock", tmp_test_dir);
	sock = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(sock >= 0);
	assert_int_equal(bind(sock, (struct sockaddr *)&sun, sizeof(sun)), 0);
	for (ro = 0; ro < 2; ro++) {
		vm_config_init(&cfg);
		assert_null(open_image(&cfg, dir, ro));
		snprintf(want, sizeof(want),
			 "disk %s is a directory, not a file or a block device",
			 dir);
		assert_string_equal(err_msg(), want);
		assert_int_equal(err_class(), ERR_INPUT);
		assert_null(open_image(&cfg, sun.sun_path, ro));
		snprintf(want, sizeof(want),
			 "disk %s is a socket, not a file or a block device",
			 sun.sun_path);
		assert_string_equal(err_msg(), want);
		assert_int_equal(err_class(), ERR_INPUT);
	}
	close(sock);
}

/* A writable image is ours alone; read-only ones may be shared. */
static void images_are_locked(void **state)
{
	struct vm_config cfg, other;
	void *a, *b;
	char path[PATH_BYTES];
	int fd;

	vm_config_init(&cfg);
	vm_config_init(&other);
	fd = make_image(path, sizeof(path), SECTOR);
	assert_true(fd >= 0);
	a = open_image(&cfg, path, false);
	assert_non_null(a);
	/* Another process (another VM of the run is refused earlier). */
	assert_null(open_image(&other, path, true));
	assert_non_null(strstr(err_msg(), "in use by another process (it "
					  "holds a lock on it)"));
	/* Contention, not a mistake in the command: kvmux cannot start. */
	assert_int_equal(err_class(), ERR_HOST);
	virtio_blk_kind.destroy(a);
	cfg.nr_disks = 0;
	a = open_image(&cfg, path, true);
	b = open_image(&cfg, path, true);
	assert_non_null(a);
	assert_non_null(b);
	assert_null(open_image(&cfg, path, false));
	virtio_blk_kind.destroy(a);
	virtio_blk_kind.destroy(b);
	assert_int_equal(device_count(&virtio_blk_kind, &cfg), cfg.nr_disks);
	close(fd);
	unlink(path);
}

/* Disk 0 of a config of its own (the device keeps no pointer into it). */
static void *open_as(struct disk_config disk)
{
	struct vm_config cfg;

	vm_config_init(&cfg);
	cfg.disk[0] = disk;
	cfg.nr_disks = 1;
	return virtio_blk_kind.open(&cfg, 0);
}

/* Snapshots share the image with each other and with readers; a writer
 * has it alone. */
static void snapshots_share_the_image(void **state)
{
	struct disk_config snap = { .snapshot = true };
	struct disk_config writer = { 0 };
	struct disk_config reader = { .readonly = true };
	void *a, *b, *c;
	char path[PATH_BYTES];
	int fd;

	fd = make_image(path, sizeof(path), SECTORS * SECTOR);
	assert_true(fd >= 0);
	snap.path = writer.path = reader.path = path;
	a = open_as(snap);
	b = open_as(snap);
	c = open_as(reader);
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_null(open_as(writer));
	assert_non_null(strstr(err_msg(), "in use"));
	virtio_blk_kind.destroy(a);
	virtio_blk_kind.destroy(b);
	virtio_blk_kind.destroy(c);
	a = open_as(writer);
	assert_non_null(a);
	assert_null(open_as(snap));
	assert_non_null(strstr(err_msg(), "in use"));
	virtio_blk_kind.destroy(a);
	close(fd);
	unlink(path);
}

/* The same image twice in one VM is the user's slip, not a lock holder. */
static void image_given_twice(void **state)
{
	struct vm_config cfg;
	char path[PATH_BYTES], other_path[PATH_BYTES + 1];
	void *a;
	int fd;

	vm_config_init(&cfg);
	fd = make_image(path, sizeof(path), SECTOR);
	assert_true(fd >= 0);
	a = open_image(&cfg, path, false);
	assert_non_null(a);
	assert_null(open_image(&cfg, path, false));
	assert_string_equal(err_msg() + strlen(err_msg()) -
				    strlen(" is given twice"),
			    " is given twice");
	assert_int_equal(err_class(), ERR_INPUT);
	/* Another name of the same file. */
	snprintf(other_path, sizeof(other_path), "/%s", path);
	assert_null(open_image(&cfg, other_path, true));
	assert_non_null(strstr(err_msg(), "is given twice (it is also disk "));
	virtio_blk_kind.destroy(a);
	close(fd);
	unlink(path);
}

/* readonly=on wins over snapshot=on: no store is made (so a $TMPDIR that
 * does not exist does not matter); without it, it does. */
static void readonly_snapshot_needs_no_store(void **state)
{
	struct disk_config disk = { .readonly = true, .snapshot = true };
	char path[PATH_BYTES];
	void *d;
	int fd;

	fd = make_image(path, sizeof(path), SECTORS * SECTOR);
	assert_true(fd >= 0);
	disk.path = path;
	setenv("TMPDIR", "/nonexistent/kvmux", 1);
	d = open_as(disk);
	assert_non_null(d);
	virtio_blk_kind.destroy(d);
	disk.readonly = false;
	assert_null(open_as(disk));
	assert_non_null(strstr(err_msg(), "snapshot store"));
	assert_non_null(strstr(err_msg(), "/nonexistent/kvmux"));
	assert_int_equal(err_class(), ERR_HOST);
	unsetenv("TMPDIR");
	close(fd);
	unlink(path);
}

/* ---- images of other formats ---- */

#define FMT_BYTES (64 * SECTOR)

struct crafted {
	const char *format; /* NULL: raw, must open */
	uint64_t size; /* of the file */
	uint64_t off; /* where the bytes go; UINT64_MAX: a VHD footer */
	const char *bytes;
	size_t len;
	uint32_t vhd_version, vhd_type; /* for a VHD footer */
};

/* A VHD hard disk footer (big-endian fields). */
static void vhd_footer(uint8_t *f, uint32_t version, uint32_t type)
{
	version = htobe32(version);
	type = htobe32(type);
	memset(f, 0, SECTOR);
	memcpy(f, "conectix", 8);
	memcpy(f + 12, &version, 4);
	memcpy(f + 60, &type, 4);
}

static void craft(const struct crafted *c, char *path, size_t path_size)
{
	uint8_t footer[SECTOR];
	int fd;

	snprintf(path, path_size, "%s/fmt-XXXXXX", tmp_test_dir);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, c->size), 0);
	if (c->vhd_version) {
		vhd_footer(footer, c->vhd_version, c->vhd_type);
		assert_int_equal(pwrite(fd, footer, SECTOR, c->off), SECTOR);
	} else {
		assert_int_equal(pwrite(fd, c->bytes, c->len, c->off), c->len);
	}
	close(fd);
}

#define MAGIC(s) s, sizeof(s) - 1, 0, 0
#define VHD(version, type) NULL, 0, version, type

static const struct crafted crafted[] = {
	{ "qcow2", FMT_BYTES, 0, MAGIC("QFI\xfb\0\0\0\3") },
	{ "qcow2", 196616, 0, MAGIC("QFI\xfb\0\0\0\2") }, /* odd size */
	{ "qcow", FMT_BYTES, 0, MAGIC("QFI\xfb\0\0\0\1") },
	{ "QED", FMT_BYTES, 0, MAGIC("QED\0\0\0\1\0") },
	{ "VMDK", FMT_BYTES, 0, MAGIC("KDMV\1\0\0\0") },
	{ "VMDK", FMT_BYTES, 0, MAGIC("KDMV\3\0\0\0") },
	{ "VMDK", FMT_BYTES, 0, MAGIC("COWD\1\0\0\0") },
	{ "VMDK", 344, 0, MAGIC("# Disk DescriptorFile\nversion=1\n") },
	{ "VHDX", FMT_BYTES, 0, MAGIC("vhdxfile") },
	{ "VDI", FMT_BYTES, 0x40, MAGIC("\x7f\x10\xda\xbe") },
	{ "VHD", FMT_BYTES, FMT_BYTES - SECTOR, VHD(0x10000, 2) },
	{ "VHD", FMT_BYTES, 0, VHD(0x10000, 3) }, /* dynamic: a copy */
	{ "VHD", FMT_BYTES, 0, VHD(0x10000, 4) }, /* differencing */
	/* The same bytes elsewhere, or with fields no image has: raw. */
	{ NULL, FMT_BYTES, SECTOR, MAGIC("QFI\xfb\0\0\0\3") },
	{ NULL, FMT_BYTES, 1, MAGIC("vhdxfile") },
	{ NULL, FMT_BYTES, FMT_BYTES - 8, MAGIC("vhdxfile") },
	{ NULL, FMT_BYTES, 0, MAGIC("QFI\xfb\0\0\0\x09") },
	{ NULL, FMT_BYTES, 0, MAGIC("KDMV\0\0\0\0") },
	{ NULL, FMT_BYTES, 0, MAGIC(" # Disk DescriptorFile") },
	{ NULL, FMT_BYTES, 0x44, MAGIC("\x7f\x10\xda\xbe") },
	{ NULL, FMT_BYTES, FMT_BYTES - 2 * SECTOR, VHD(0x10000, 2) },
	{ NULL, FMT_BYTES, FMT_BYTES - SECTOR, VHD(0x20000, 2) },
	{ NULL, FMT_BYTES, FMT_BYTES - SECTOR, VHD(0x10000, 5) },
	{ NULL, FMT_BYTES, SECTOR, VHD(0x10000, 3) },
};

/* Each image format is refused when the disk is opened, in one line that
 * names it and the command that converts it; raw disks that merely hold
 * such bytes elsewhere open. */
static void other_formats_refused(void **state)
{
	char path[PATH_BYTES], want[256];
	unsigned int i;
	void *d;

	for (i = 0; i < sizeof(crafted) / sizeof(crafted[0]); i++) {
		const struct crafted *c = &crafted[i];

		craft(c, path, sizeof(path));
		d = open_as((struct disk_config){ .path = path });
		if (!c->format) {
			if (!d)
				print_error("case %u: %s\n", i, err_msg());
			assert_non_null(d);
			virtio_blk_kind.destroy(d);
			unlink(path);
			continue;
		}
		assert_null(d);
		snprintf(want, sizeof(want), "%s is a %s image", path,
			 c->format);
		assert_non_null(strstr(err_msg(), want));
		snprintf(want, sizeof(want),
			 "qemu-img convert -O raw %s %s.raw", path, path);
		assert_non_null(strstr(err_msg(), want));
		assert_null(strchr(err_msg(), '\n'));
		assert_int_equal(err_class(), ERR_INPUT);
		unlink(path);
	}
}

/* format=raw serves such an image's bytes as they are; snapshot=on
 * refuses it just the same. */
static void format_raw_skips_the_check(void **state)
{
	const struct crafted *c = &crafted[0];
	struct disk_config disk = { .format = DISK_FORMAT_RAW };
	char path[PATH_BYTES];
	void *d;

	craft(c, path, sizeof(path));
	disk.path = path;
	d = open_as(disk);
	assert_non_null(d);
	virtio_blk_kind.destroy(d);
	disk.format = DISK_FORMAT_AUTO;
	disk.snapshot = true;
	assert_null(open_as(disk));
	assert_non_null(strstr(err_msg(), "qcow2"));
	unlink(path);
}

static int make_tmp_dir(void **state)
{
	return tmp_test_dir_make("blk");
}

static int remove_tmp_dir(void **state)
{
	return tmp_test_dir_remove();
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define S(fn) \
	cmocka_unit_test_setup_teardown(fn, setup_snapshot, teardown_snapshot)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(identity_features_config),
		T(write_lands_at_its_offset),
		T(read_returns_image_bytes),
		T(scattered_buffers),
		T(get_id_returns_serial),
		T(out_of_range_is_ioerr),
		T(partial_sector_is_ioerr),
		T(flush_is_ok),
		T(unknown_type_is_unsupported),
		T(write_zeroes_and_discard),
		T(batch_of_requests),
		T(chain_without_status_needs_reset),
		cmocka_unit_test_setup_teardown(readonly_disk_refuses_writes,
						setup_readonly, teardown),
		cmocka_unit_test_setup_teardown(large_request_in_pieces,
						setup_large, teardown),
		T(failing_write_is_reported),
		cmocka_unit_test_setup_teardown(
			fallocate_tried_once_per_request, setup_large,
			teardown),
		S(identity_features_config), /* the same as without */
		S(snapshot_reads_back_its_writes),
		S(snapshot_read_mixes_store_and_image),
		S(snapshot_zeroes_and_discards),
		S(snapshot_flush_and_range_checks),
		cmocka_unit_test(bad_images_refused),
		cmocka_unit_test(not_a_file_refused),
		cmocka_unit_test(images_are_locked),
		cmocka_unit_test(snapshots_share_the_image),
		cmocka_unit_test(readonly_snapshot_needs_no_store),
		cmocka_unit_test(other_formats_refused),
		cmocka_unit_test(format_raw_skips_the_check),
		cmocka_unit_test(image_given_twice),
	};

	return cmocka_run_group_tests(tests, make_tmp_dir, remove_tmp_dir);
}
