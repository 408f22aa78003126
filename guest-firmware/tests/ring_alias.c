// SPDX-License-Identifier: GPL-2.0-only
/*
 * ring_alias.c - a hostile driver: virtqueue layouts whose areas share
 * bytes, on the virtio-console and (with a disk) the virtio-blk device.
 *
 * Case "alias" is the one that once kept a device thread spinning for
 * ever: the device area two bytes after the driver area, without
 * EVENT_IDX, so used->flags is avail->idx.  The others overlap the
 * descriptor table with a ring, put all three areas at one address, or
 * overlap two queues of one device.  For each, the driver sets the
 * queues up on zeroed memory, writes QueueNotify (and, on the blk
 * device, first posts a request as a driver would), and expects
 * DEVICE_NEEDS_RESET: "ring_alias: <device> <case>: refused" or
 * "... NOT refused" (exit 1 at the end).  Then it resets the device,
 * sets it up properly and uses it ("ring_alias: console works" through
 * the console, a sector read on blk), and exits 0.
 */
#include "virtio.h"

#define QN 8 /* queue size */
#define AREA 4096

struct layout {
	const char *name;
	/* offsets into the arena of desc, driver and device areas, per
	 * queue (queue 1 is only used by devices with two queues) */
	uint32_t desc[2], driver[2], device[2];
};

static const struct layout layouts[] = {
	{ "alias", { 0, 8192 }, { 4098, 12288 }, { 4100, 16384 } },
	{ "desc-over-avail", { 0, 8192 }, { 64, 12288 }, { 4096, 16384 } },
	{ "used-over-desc", { 0, 8192 }, { 4096, 12288 }, { 32, 16384 } },
	{ "one-address", { 0, 8192 }, { 0, 12288 }, { 0, 16384 } },
	{ "queues-overlap", { 0, 8192 }, { 4096, 4096 }, { 6144, 16384 } },
};

static uint8_t arena[5 * AREA] __attribute__((aligned(4096)));
static struct virtio_dev devs[VIRTIO_MAX_DEVS];
static bool failed;

static void write_addr(struct virtio_dev *d, unsigned int reg, uint32_t off)
{
	uint64_t gpa = (uintptr_t)arena + off;

	virtio_write32(d, reg, (uint32_t)gpa);
	virtio_write32(d, reg + 4, (uint32_t)(gpa >> 32));
}

static void set_queue(struct virtio_dev *d, unsigned int q,
		      const struct layout *l)
{
	virtio_write32(d, VIRTIO_MMIO_QUEUE_SEL, q);
	virtio_write32(d, VIRTIO_MMIO_QUEUE_NUM, QN);
	write_addr(d, VIRTIO_MMIO_QUEUE_DESC_LOW, l->desc[q]);
	write_addr(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, l->driver[q]);
	write_addr(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, l->device[q]);
	virtio_write32(d, VIRTIO_MMIO_QUEUE_READY, 1);
}

/* A blk request on queue 0 of this layout, as a driver would post it. */
static void post_request(const struct layout *l)
{
	struct virtq_desc *desc = (void *)(arena + l->desc[0]);
	struct virtq_avail *avail = (void *)(arena + l->driver[0]);
	static struct virtio_blk_hdr hdr;
	static uint8_t data[512], status;

	desc[0] = (struct virtq_desc){ (uintptr_t)&hdr, sizeof(hdr),
				       VIRTQ_DESC_F_NEXT, 1 };
	desc[1] = (struct virtq_desc){ (uintptr_t)data, sizeof(data),
				       VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE,
				       2 };
	desc[2] = (struct virtq_desc){ (uintptr_t)&status, 1,
				       VIRTQ_DESC_F_WRITE, 0 };
	avail->ring[0] = 0;
	asm volatile("" ::: "memory");
	avail->idx = 1;
}

static void try_layout(struct virtio_dev *d, const char *dev,
		       unsigned int nr_queues, const struct layout *l)
{
	unsigned int q;
	bool refused;

	memset(arena, 0, sizeof(arena));
	virtio_reset(d);
	virtio_write32(d, VIRTIO_MMIO_STATUS,
		       VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	virtio_write32(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	virtio_write32(d, VIRTIO_MMIO_DRIVER_FEATURES, 1); /* VERSION_1 */
	virtio_write32(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	virtio_write32(d, VIRTIO_MMIO_DRIVER_FEATURES, 0);
	virtio_write32(d, VIRTIO_MMIO_STATUS,
		       VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			       VIRTIO_STATUS_FEATURES_OK);
	if (nr_queues == 1 && !strcmp(l->name, "queues-overlap"))
		return; /* needs two queues */
	for (q = 0; q < nr_queues; q++)
		set_queue(d, q, l);
	virtio_write32(d, VIRTIO_MMIO_STATUS,
		       VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			       VIRTIO_STATUS_FEATURES_OK |
			       VIRTIO_STATUS_DRIVER_OK);
	if (nr_queues == 1)
		post_request(l);
	for (q = 0; q < nr_queues; q++)
		virtio_write32(d, VIRTIO_MMIO_QUEUE_NOTIFY, q);
	refused = virtio_status(d) & VIRTIO_STATUS_NEEDS_RESET;
	rt_printf("ring_alias: %s %s: %s\n", dev, l->name,
		  refused ? "refused" : "NOT refused");
	failed |= !refused;
}

static void try_all(struct virtio_dev *d, const char *dev,
		    unsigned int nr_queues)
{
	unsigned int i;

	for (i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
		try_layout(d, dev, nr_queues, &layouts[i]);
	virtio_reset(d);
}

int main(const struct boot_info *bi)
{
	static const char works[] = "ring_alias: console works\n";
	struct virtio_buf b = { (void *)works, sizeof(works) - 1, false };
	struct virtio_dev *con, *disk;
	static uint8_t sector[512];
	struct vblk blk;
	int nr = virtio_discover(bi, devs, VIRTIO_MAX_DEVS);

	con = virtio_find(devs, nr, VIRTIO_ID_CONSOLE, 0);
	disk = virtio_find(devs, nr, VIRTIO_ID_BLOCK, 0);
	if (!con)
		return 2;
	try_all(con, "console", 2);
	if (disk)
		try_all(disk, "blk", 1);
	if (virtio_init(con, 0, 2, QN) ||
	    virtq_submit(&con->vq[1], &b, 1) < 0 ||
	    virtq_wait(&con->vq[1], NULL, VIRTIO_TIMEOUT_CYCLES) < 0)
		return 3;
	if (disk && (vblk_init(&blk, disk, 0) ||
		     vblk_read(&blk, 0, sector, sizeof(sector)) !=
			     VIRTIO_BLK_S_OK))
		return 4;
	if (disk)
		rt_printf("ring_alias: blk works\n");
	return failed;
}
