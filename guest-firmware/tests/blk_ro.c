// SPDX-License-Identifier: GPL-2.0-only
/*
 * blk_ro.c - the first virtio-blk device must be read-only: it offers
 * VIRTIO_BLK_F_RO, a write sent anyway comes back IOERR and leaves the
 * data alone, and reads still work.
 */
#include "virtio.h"

static struct virtio_dev devs[VIRTIO_MAX_DEVS];
static struct vblk blk;
static uint8_t before[512] __attribute__((aligned(512)));
static uint8_t buf[512] __attribute__((aligned(512)));

static int fail(const char *what)
{
	rt_printf("blk_ro: FAIL %s\n", what);
	return 1;
}

int main(const struct boot_info *bi)
{
	struct virtio_dev *d;
	int nr, st;

	nr = virtio_discover(bi, devs, VIRTIO_MAX_DEVS);
	d = virtio_find(devs, nr, VIRTIO_ID_BLOCK, 0);
	if (!d)
		return fail("no virtio-blk device");
	if (vblk_init(&blk, d, 0))
		return fail("device init");
	rt_printf("blk_ro: ro=%d capacity=%lu\n", blk.ro, blk.capacity);
	if (!blk.ro)
		return fail("VIRTIO_BLK_F_RO not offered");
	if (!blk.capacity)
		return fail("empty disk");

	if (vblk_read(&blk, 0, before, 512) != VIRTIO_BLK_S_OK)
		return fail("read");
	rt_printf("blk_ro: read ok\n");

	/* The driver would normally refuse; the device must refuse too. */
	memset(buf, 0x5a, sizeof(buf));
	st = vblk_write(&blk, 0, buf, 512);
	if (st != VIRTIO_BLK_S_IOERR) {
		rt_printf("blk_ro: write: status %d, expected IOERR (1)\n", st);
		return fail("write");
	}
	rt_printf("blk_ro: write -> IOERR ok\n");
	if (blk.flush) {
		st = vblk_flush(&blk);
		rt_printf("blk_ro: flush -> status %d\n", st);
	}

	memset(buf, 0, sizeof(buf));
	if (vblk_read(&blk, 0, buf, 512) != VIRTIO_BLK_S_OK)
		return fail("read after write");
	if (memcmp(buf, before, 512))
		return fail("sector 0 changed");
	rt_printf("blk_ro: data unchanged\n");
	if (virtio_check_needs_reset(d))
		return fail("device needs reset");
	rt_printf("blk_ro: ok\n");
	return 0;
}
