// SPDX-License-Identifier: GPL-2.0-only
/*
 * multi_disk.c - two virtio-blk devices: read sector 0 of each and print
 * its first 16 bytes as text ("multi_disk: disk0 <text> disk1 <text>",
 * non-printable bytes as '.'); exits 0 if both exist and differ.
 */
#include "virtio.h"

#define SHOW 16

static struct virtio_dev devs[VIRTIO_MAX_DEVS];
static struct vblk blk[2];
static uint8_t sec[2][512] __attribute__((aligned(512)));

static int fail(const char *what)
{
	rt_printf("multi_disk: FAIL %s\n", what);
	return 1;
}

static void show(const uint8_t *p, char *out)
{
	unsigned int i;

	for (i = 0; i < SHOW; i++)
		out[i] = p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '.';
	out[SHOW] = '\0';
}

int main(const struct boot_info *bi)
{
	char text[2][SHOW + 1];
	struct virtio_dev *d;
	int nr, i;

	nr = virtio_discover(bi, devs, VIRTIO_MAX_DEVS);
	for (i = 0; i < 2; i++) {
		d = virtio_find(devs, nr, VIRTIO_ID_BLOCK, i);
		if (!d) {
			rt_printf("multi_disk: found %d virtio-blk devices\n",
				  i);
			return fail("need two disks");
		}
		if (vblk_init(&blk[i], d, 0))
			return fail("device init");
		if (vblk_read(&blk[i], 0, sec[i], 512) != VIRTIO_BLK_S_OK)
			return fail("read");
		show(sec[i], text[i]);
		rt_printf("multi_disk: disk%d at 0x%lx irq %u capacity=%lu\n",
			  i, (unsigned long)d->base, d->irq, blk[i].capacity);
	}
	rt_printf("multi_disk: disk0 %s disk1 %s\n", text[0], text[1]);
	if (!memcmp(sec[0], sec[1], SHOW))
		return fail("both disks read the same");
	rt_printf("multi_disk: ok\n");
	return 0;
}
