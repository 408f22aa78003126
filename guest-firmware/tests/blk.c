// SPDX-License-Identifier: GPL-2.0-only
/*
 * blk.c - exercises the first virtio-blk device.
 *
 * The data pattern (so host tests can check the image file): 512-byte
 * sector s holds 64 little-endian u64 words, word j being
 *     (seed & 0xffff) << 48 | (s & 0xffffffffff) << 8 | j
 * with seed from "seed=N" (default 1).
 *
 * Modes ("mode=", default "test"):
 *   test         identify, write/flush/read back sectors spread over the
 *                disk, errors beyond capacity, unknown request type, GET_ID,
 *                WRITE_ZEROES and DISCARD if offered; "blk: ok" or
 *                "blk: FAIL <what>" (exit 1)
 *   write-flush  write the pattern to sectors 0..N-1 ("sectors=N", default
 *                128), FLUSH, print "blk: flushed", then spin forever
 *   read-bench   read the whole disk in "chunk=" byte requests (default
 *                65536, a multiple of 512, at most 1 MiB) and report TSC
 *                cycles, the TSC frequency and the rate
 *   count        exactly "n=" 4 KiB reads (default 1000), then
 *                "blk: count done n=<n>" (exits per request measurements)
 *   bad-desc     a request with a data buffer outside RAM must end in
 *                DEVICE_NEEDS_RESET; then reset, re-init, read sector 0
 * "event_idx=1" also accepts VIRTIO_F_EVENT_IDX.  "hold=1" (mode test):
 * after "blk: ok", print "blk: holding", wait for a byte on COM1, then
 * read sectors 0, capacity-1 and the 64 KiB region back once more and
 * print "blk: still mine" if they hold this guest's pattern (so a host
 * test can run other VMs on the same image meanwhile).
 */
#include "virtio.h"
#include "x86.h"

#define SECTOR VIRTIO_BLK_SECTOR
#define BIG_BYTES (1024 * 1024)
#define MULTI_SECTORS 128 /* the 64 KiB request */
#define MIN_SECTORS 1024
#define LSR_DR 0x01 /* a received byte is waiting */

static struct virtio_dev devs[VIRTIO_MAX_DEVS];
static struct vblk blk;
static uint8_t wbuf[BIG_BYTES] __attribute__((aligned(4096)));
static uint8_t rbuf[BIG_BYTES] __attribute__((aligned(4096)));
static uint64_t seed = 1;

static void fill_pattern(uint8_t *buf, uint64_t sector, uint64_t nr)
{
	uint64_t *w = (uint64_t *)buf, s, j;

	for (s = sector; s < sector + nr; s++)
		for (j = 0; j < SECTOR / 8; j++)
			*w++ = (seed & 0xffff) << 48 |
			       (s & 0xffffffffffull) << 8 | j;
}

static int fail(const char *what)
{
	rt_printf("blk: FAIL %s\n", what);
	return 1;
}

static const char *status_name(int st)
{
	switch (st) {
	case VIRTIO_BLK_S_OK:
		return "OK";
	case VIRTIO_BLK_S_IOERR:
		return "IOERR";
	case VIRTIO_BLK_S_UNSUPP:
		return "UNSUPP";
	case -1:
		return "no completion";
	}
	return "bad status";
}

/* A request whose status must be `want`; prints why not. */
static bool expect(const char *what, int st, int want)
{
	if (st == want)
		return true;
	rt_printf("blk: %s: status %d (%s), expected %s\n", what, st,
		  status_name(st), status_name(want));
	return false;
}

static int write_flush(uint64_t sectors)
{
	uint64_t s, n;

	if (sectors > blk.capacity)
		return fail("sectors= beyond capacity");
	for (s = 0; s < sectors; s += n) {
		n = sectors - s < MULTI_SECTORS ? sectors - s : MULTI_SECTORS;
		fill_pattern(wbuf, s, n);
		if (!expect("write", vblk_write(&blk, s, wbuf, n * SECTOR),
			    VIRTIO_BLK_S_OK))
			return fail("write");
	}
	if (!expect("flush", vblk_flush(&blk), VIRTIO_BLK_S_OK))
		return fail("flush");
	rt_printf("blk: flushed %lu sectors\n", sectors);
	rt_printf("blk: flushed\n");
	for (;;)
		asm volatile("pause");
}

static int read_bench(uint64_t chunk)
{
	uint64_t total = blk.capacity * SECTOR, off, n, t0, t1, hz, us;
	const char *how;

	if (!chunk || chunk % SECTOR || chunk > BIG_BYTES)
		return fail("chunk= must be a multiple of 512, at most 1 MiB");
	t0 = rdtsc();
	for (off = 0; off < total; off += n) {
		n = total - off < chunk ? total - off : chunk;
		if (!expect("read", vblk_read(&blk, off / SECTOR, rbuf, n),
			    VIRTIO_BLK_S_OK))
			return fail("read");
	}
	t1 = rdtsc();
	rt_printf("blk: read %lu bytes in %lu TSC cycles (chunk %lu, "
		  "notifies %lu)\n",
		  total, t1 - t0, chunk, blk.dev->vq[0].notifies);
	hz = rt_tsc_hz(&how);
	rt_printf("blk: tsc_hz=%lu (%s)\n", hz, how);
	if (hz >= 1000) {
		us = (t1 - t0) / (hz / 1000000 ?: 1);
		if (us)
			rt_printf("blk: %lu MB/s (%lu us)\n", total / us, us);
	}
	return 0;
}

static int count(uint64_t n)
{
	uint64_t i, span = blk.capacity >= 16 ? blk.capacity - 8 : 0;

	if (!span)
		return fail("disk too small");
	for (i = 0; i < n; i++)
		if (vblk_read(&blk, (i * 8) % span, rbuf, 4096) !=
		    VIRTIO_BLK_S_OK)
			return fail("read");
	rt_printf("blk: count done n=%lu\n", n);
	return 0;
}

/*
 * A chain whose data buffer lies far outside guest RAM: the device must
 * stop the queue and set DEVICE_NEEDS_RESET; then reset, re-initialise
 * and read again to show the device recovers.
 */
static int bad_desc(uint64_t extra)
{
	struct virtq *q = &blk.dev->vq[0];
	struct virtio_blk_hdr hdr = { .type = VIRTIO_BLK_T_IN };
	uint8_t status = 0xff;
	struct virtio_buf chain[3] = {
		{ &hdr, sizeof(hdr), false },
		{ (void *)(uintptr_t)0x10000000000ull, SECTOR, true },
		{ &status, 1, true },
	};
	int head;

	head = virtq_submit(q, chain, 3);
	if (head < 0)
		return fail("submit");
	if (virtq_wait(q, NULL, VIRTIO_TIMEOUT_CYCLES) >= 0) {
		rt_printf("blk: bad descriptor completed, status %u\n", status);
		return fail("bad descriptor accepted");
	}
	if (!(virtio_status(blk.dev) & VIRTIO_STATUS_NEEDS_RESET))
		return fail("no DEVICE_NEEDS_RESET");
	rt_printf("blk: bad descriptor -> NEEDS_RESET ok\n");
	if (vblk_init(&blk, blk.dev, extra))
		return fail("re-init");
	if (!expect("read", vblk_read(&blk, 0, rbuf, SECTOR), VIRTIO_BLK_S_OK))
		return fail("read after reset");
	rt_printf("blk: reset and re-init ok\n");
	return 0;
}

struct region {
	uint64_t sector;
	uint64_t nr;
};

/* The regions the test writes: sector 0, the middle one, the last one
 * and a 64 KiB request. */
static void test_regions(uint64_t cap, struct region r[4])
{
	r[0] = (struct region){ 0, 1 };
	r[1] = (struct region){ cap / 2, 1 };
	r[2] = (struct region){ cap - 1, 1 };
	r[3] = (struct region){ cap / 4 & ~(uint64_t)7, MULTI_SECTORS };
}

/* Region r reads back as this guest's pattern. */
static bool read_back(const struct region *r)
{
	memset(rbuf, 0xa5, r->nr * SECTOR);
	if (!expect("read", vblk_read(&blk, r->sector, rbuf, r->nr * SECTOR),
		    VIRTIO_BLK_S_OK))
		return false;
	if (blk.last_len != r->nr * SECTOR + 1)
		rt_printf("blk: note: read of %lu bytes: used.len %u\n",
			  r->nr * SECTOR, blk.last_len);
	fill_pattern(wbuf, r->sector, r->nr);
	if (memcmp(rbuf, wbuf, r->nr * SECTOR)) {
		rt_printf("blk: sector %lu (+%lu): data differs\n", r->sector,
			  r->nr);
		return false;
	}
	return true;
}

static int full_test(void)
{
	uint64_t cap = blk.capacity;
	struct region r[4];
	char id[VIRTIO_BLK_ID_BYTES + 1];
	unsigned int i;
	int st;

	if (blk.ro)
		return fail("disk is read-only");
	if (cap < MIN_SECTORS)
		return fail("disk smaller than 512 KiB");
	test_regions(cap, r);
	for (i = 0; i < 4; i++) {
		fill_pattern(wbuf, r[i].sector, r[i].nr);
		if (!expect("write",
			    vblk_write(&blk, r[i].sector, wbuf,
				       r[i].nr * SECTOR),
			    VIRTIO_BLK_S_OK))
			return fail("write");
	}
	if (blk.flush) {
		if (!expect("flush", vblk_flush(&blk), VIRTIO_BLK_S_OK))
			return fail("flush");
		rt_printf("blk: flush ok\n");
	} else {
		rt_printf("blk: flush not offered\n");
	}
	for (i = 0; i < 4; i++)
		if (!read_back(&r[i]))
			return fail("read back");
	rt_printf("blk: write/read back ok (sectors 0, %lu, %lu, %lu+%u)\n",
		  cap / 2, cap - 1, cap / 4 & ~(uint64_t)7, MULTI_SECTORS);

	if (!expect("read at capacity", vblk_read(&blk, cap, rbuf, SECTOR),
		    VIRTIO_BLK_S_IOERR) ||
	    !expect("read across capacity",
		    vblk_read(&blk, cap - 1, rbuf, 2 * SECTOR),
		    VIRTIO_BLK_S_IOERR) ||
	    !expect("write at capacity", vblk_write(&blk, cap, wbuf, SECTOR),
		    VIRTIO_BLK_S_IOERR))
		return fail("beyond capacity");
	rt_printf("blk: beyond capacity -> IOERR ok\n");

	if (!expect("request type 0x7f",
		    vblk_request(&blk, 0x7f, 0, rbuf, SECTOR),
		    VIRTIO_BLK_S_UNSUPP))
		return fail("unknown request type");
	rt_printf("blk: unknown request -> UNSUPP ok\n");

	st = vblk_get_id(&blk, id);
	if (!expect("GET_ID", st, VIRTIO_BLK_S_OK))
		return fail("GET_ID");
	rt_printf("blk: get-id ok (%s)\n", id);

	if (blk.write_zeroes) {
		if (!expect("write-zeroes",
			    vblk_range(&blk, VIRTIO_BLK_T_WRITE_ZEROES, cap / 2,
				       1),
			    VIRTIO_BLK_S_OK))
			return fail("write-zeroes");
		memset(rbuf, 0xa5, SECTOR);
		memset(wbuf, 0, SECTOR);
		if (!expect("read", vblk_read(&blk, cap / 2, rbuf, SECTOR),
			    VIRTIO_BLK_S_OK) ||
		    memcmp(rbuf, wbuf, SECTOR))
			return fail("write-zeroes read back");
		rt_printf("blk: write-zeroes ok\n");
	} else {
		rt_printf("blk: write-zeroes not offered\n");
	}
	if (blk.discard) {
		if (!expect("discard",
			    vblk_range(&blk, VIRTIO_BLK_T_DISCARD,
				       (cap / 4 & ~(uint64_t)7) +
					       2 * MULTI_SECTORS,
				       8),
			    VIRTIO_BLK_S_OK))
			return fail("discard");
		rt_printf("blk: discard ok\n");
	} else {
		rt_printf("blk: discard not offered\n");
	}
	rt_printf("blk: notifies=%lu skipped=%lu\n", blk.dev->vq[0].notifies,
		  blk.dev->vq[0].notifies_skipped);
	if (virtio_check_needs_reset(blk.dev))
		return fail("device needs reset");
	rt_printf("blk: ok\n");
	return 0;
}

/* hold=1: wait for the host's byte, then check the regions the test left
 * alone since (the middle sector got zeros) still hold the pattern. */
static int hold(void)
{
	struct region r[4];

	rt_printf("blk: holding\n");
	while (!(inb(PORT_COM1_LSR) & LSR_DR))
		asm volatile("pause");
	test_regions(blk.capacity, r);
	if (!read_back(&r[0]) || !read_back(&r[2]) || !read_back(&r[3]))
		return fail("read back after holding");
	rt_printf("blk: still mine\n");
	return 0;
}

int main(const struct boot_info *bi)
{
	struct virtio_dev *d;
	uint64_t extra = 0, v;
	char mode[16] = "test", id[VIRTIO_BLK_ID_BYTES + 1];
	int nr, st;

	rt_cmdline_u64(bi->cmdline, "seed", &seed);
	rt_cmdline_str(bi->cmdline, "mode", mode, sizeof(mode));
	if (rt_cmdline_u64(bi->cmdline, "event_idx", &v) && v)
		extra |= VIRTIO_BIT(VIRTIO_F_EVENT_IDX);

	nr = virtio_discover(bi, devs, VIRTIO_MAX_DEVS);
	d = virtio_find(devs, nr, VIRTIO_ID_BLOCK, 0);
	if (!d)
		return fail("no virtio-blk device");
	if (vblk_init(&blk, d, extra))
		return fail("device init");
	if (!strcmp(mode, "count")) {
		if (!rt_cmdline_u64(bi->cmdline, "n", &v))
			v = 1000;
		return count(v);
	}

	st = vblk_get_id(&blk, id);
	if (st != VIRTIO_BLK_S_OK)
		rt_snprintf(id, sizeof(id), "?");
	rt_printf("blk: device at 0x%lx irq %u (%s), features 0x%lx\n",
		  (unsigned long)d->base, d->irq, d->found_by, d->features);
	rt_printf("blk: serial=%s capacity=%lu ro=%d\n", id, blk.capacity,
		  blk.ro);

	if (!strcmp(mode, "test")) {
		st = full_test();
		if (!st && rt_cmdline_u64(bi->cmdline, "hold", &v) && v)
			st = hold();
		return st;
	}
	if (!strcmp(mode, "write-flush")) {
		if (!rt_cmdline_u64(bi->cmdline, "sectors", &v))
			v = 128;
		return write_flush(v);
	}
	if (!strcmp(mode, "bad-desc"))
		return bad_desc(extra);
	if (!strcmp(mode, "read-bench")) {
		if (!rt_cmdline_u64(bi->cmdline, "chunk", &v))
			v = 65536;
		return read_bench(v);
	}
	return fail("unknown mode=");
}
