// SPDX-License-Identifier: GPL-2.0-only
/*
 * blk_storm.c - a hostile driver: virtio-blk requests of tens of GiB
 * each, which a guest can post with a few MiB of RAM, to show that they
 * do not hold up a stop (docs/exit-status.md, "How a run ends").
 *
 * Each request is IN, sector 0, through one indirect table (negotiated)
 * of 1024 descriptors: the header, 1022 device-writable buffers that are
 * all the same 32 MiB of this kernel's .bss, and the status byte: nearly
 * 32 GiB to read, which the disk (a sparse file) must hold.  All 256
 * entries of the queue post such a request, and the device serves up to
 * 32 of them per wake-up of its I/O thread: about a TiB of host I/O.
 *
 * Once the device is writing into the buffer (its first byte, 0xff
 * before, turns 0), the kernel prints "blk_storm: busy" and spins; the
 * host test then stops the run.  "blk_storm: FAIL <what>" (exit 1) if
 * the device cannot be set up or never starts.
 */
#include "virtio.h"
#include "x86.h"

#define QN 256 /* the device's largest queue */
#define TABLE 1024 /* descriptors of an indirect table, the most allowed */
#define BIG (32u << 20)
#define VIRTQ_DESC_F_INDIRECT 4 /* the buffer is a descriptor table */

static struct virtio_dev devs[VIRTIO_MAX_DEVS];
static struct virtq_desc desc[QN] __attribute__((aligned(4096)));
/* flags, idx, ring[QN], used_event */
static uint16_t avail[2 + QN + 1] __attribute__((aligned(4096)));
/* flags, idx, {id, len}[QN], avail_event: only the device writes it */
static uint8_t used[4 + 8 * QN + 2] __attribute__((aligned(4096)));
static struct virtq_desc table[TABLE] __attribute__((aligned(4096)));
static struct virtio_blk_hdr hdr = { .type = VIRTIO_BLK_T_IN };
static uint8_t status;
static uint8_t big[BIG] __attribute__((aligned(4096)));

static int fail(const char *what)
{
	rt_printf("blk_storm: FAIL %s\n", what);
	return 1;
}

static void write_addr(struct virtio_dev *d, unsigned int reg, void *p)
{
	uint64_t gpa = (uintptr_t)p;

	virtio_write32(d, reg, (uint32_t)gpa);
	virtio_write32(d, reg + 4, (uint32_t)(gpa >> 32));
}

/* VERSION_1 and INDIRECT_DESC, queue 0 of QN entries, DRIVER_OK. */
static int set_up(struct virtio_dev *d)
{
	uint32_t ok = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		      VIRTIO_STATUS_FEATURES_OK;

	virtio_reset(d);
	virtio_write32(d, VIRTIO_MMIO_STATUS,
		       VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	virtio_write32(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	virtio_write32(d, VIRTIO_MMIO_DRIVER_FEATURES,
		       (uint32_t)VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC));
	virtio_write32(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	virtio_write32(d, VIRTIO_MMIO_DRIVER_FEATURES, 1); /* VERSION_1 */
	virtio_write32(d, VIRTIO_MMIO_STATUS, ok);
	if (virtio_status(d) != ok)
		return fail("features");
	virtio_write32(d, VIRTIO_MMIO_QUEUE_SEL, 0);
	if (virtio_read32(d, VIRTIO_MMIO_QUEUE_NUM_MAX) < QN)
		return fail("queue size");
	virtio_write32(d, VIRTIO_MMIO_QUEUE_NUM, QN);
	write_addr(d, VIRTIO_MMIO_QUEUE_DESC_LOW, desc);
	write_addr(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, avail);
	write_addr(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, used);
	virtio_write32(d, VIRTIO_MMIO_QUEUE_READY, 1);
	virtio_write32(d, VIRTIO_MMIO_STATUS, ok | VIRTIO_STATUS_DRIVER_OK);
	if (virtio_status(d) != (ok | VIRTIO_STATUS_DRIVER_OK))
		return fail("queue");
	return 0;
}

int main(const struct boot_info *bi)
{
	struct virtio_dev *d;
	uint64_t start;
	unsigned int i;

	d = virtio_find(devs, virtio_discover(bi, devs, VIRTIO_MAX_DEVS),
			VIRTIO_ID_BLOCK, 0);
	if (!d)
		return fail("no virtio-blk device");
	if (set_up(d))
		return 1;
	table[0] = (struct virtq_desc){ (uintptr_t)&hdr, sizeof(hdr),
					VIRTQ_DESC_F_NEXT, 1 };
	for (i = 1; i < TABLE - 1; i++)
		table[i] = (struct virtq_desc){ (uintptr_t)big, BIG,
						VIRTQ_DESC_F_NEXT |
							VIRTQ_DESC_F_WRITE,
						i + 1 };
	table[TABLE - 1] = (struct virtq_desc){ (uintptr_t)&status, 1,
						VIRTQ_DESC_F_WRITE, 0 };
	for (i = 0; i < QN; i++) {
		desc[i] = (struct virtq_desc){ (uintptr_t)table, sizeof(table),
					       VIRTQ_DESC_F_INDIRECT, 0 };
		avail[2 + i] = i;
	}
	big[0] = 0xff;
	asm volatile("" ::: "memory");
	__atomic_store_n(&avail[1], QN, __ATOMIC_RELEASE);
	virtio_write32(d, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	start = rdtsc();
	while (__atomic_load_n(&big[0], __ATOMIC_ACQUIRE) == 0xff)
		if (rdtsc() - start > VIRTIO_TIMEOUT_CYCLES)
			return fail("the device never started");
	rt_printf("blk_storm: busy\n");
	for (;;)
		asm volatile("pause");
}
