/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio.h - a small virtio 1.x driver library over the MMIO transport
 * (version 2; virtio spec 4.2.2) with split virtqueues (2.7), plus a
 * virtio-blk helper layer (rt/virtio_blk.c).
 *
 * Devices are found in the VMM's device tree (compatible "virtio,mmio"),
 * or, without one, in "virtio_mmio.device=SIZE@ADDR:IRQ" command-line
 * entries.  Everything is single-threaded and polled: a request is one
 * chain of descriptors, one QueueNotify write (the only VM exit per
 * request), then a bounded spin on the used ring's index with PAUSE, which
 * costs no exits.  Interrupts are suppressed (VIRTQ_AVAIL_F_NO_INTERRUPT,
 * or a stale used_event with VIRTIO_F_EVENT_IDX).
 *
 * Every MMIO register access is a VM exit (tens of microseconds under PVM):
 * set-up code may use them freely, request paths touch only QueueNotify.
 */
#ifndef RT_VIRTIO_H
#define RT_VIRTIO_H

#include "rt.h"

/* MMIO register offsets (4.2.2) */
#define VIRTIO_MMIO_MAGIC 0x000
#define VIRTIO_MMIO_VERSION 0x004
#define VIRTIO_MMIO_DEVICE_ID 0x008
#define VIRTIO_MMIO_VENDOR_ID 0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES 0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES 0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL 0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX 0x034
#define VIRTIO_MMIO_QUEUE_NUM 0x038
#define VIRTIO_MMIO_QUEUE_READY 0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY 0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS 0x060
#define VIRTIO_MMIO_INTERRUPT_ACK 0x064
#define VIRTIO_MMIO_STATUS 0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW 0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH 0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW 0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH 0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW 0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH 0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION 0x0fc
#define VIRTIO_MMIO_CONFIG 0x100

#define VIRTIO_MMIO_MAGIC_VALUE 0x74726976 /* "virt" */

/* Device status bits (2.1) */
#define VIRTIO_STATUS_ACKNOWLEDGE 0x01
#define VIRTIO_STATUS_DRIVER 0x02
#define VIRTIO_STATUS_DRIVER_OK 0x04
#define VIRTIO_STATUS_FEATURES_OK 0x08
#define VIRTIO_STATUS_NEEDS_RESET 0x40
#define VIRTIO_STATUS_FAILED 0x80

/* Transport feature bits (6) */
#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32
#define VIRTIO_BIT(n) (1ull << (n))

/* Device IDs (5) */
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_CONSOLE 3

/* Split virtqueue layout (2.7) */
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY 1

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[]; /* size entries, then used_event (EVENT_IDX) */
};

struct virtq_used_elem {
	uint32_t id; /* head of the completed chain */
	uint32_t len; /* bytes the device wrote into it */
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[]; /* size entries, then avail_event */
};

#define VIRTQ_MAX_SIZE 256 /* the most descriptors we use per queue */
#define VIRTIO_MAX_QUEUES 2
#define VIRTIO_MAX_DEVS 16

struct virtio_dev;

struct virtq {
	struct virtio_dev *dev;
	unsigned int index;
	uint16_t size; /* 0: not set up */
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint16_t free_head; /* free descriptors, linked through next */
	uint16_t nr_free;
	uint16_t avail_idx; /* our copy of avail->idx */
	uint16_t last_used; /* used->idx we have consumed up to */
	uint16_t last_kick; /* avail_idx at the last notification decision */
	uint64_t notifies; /* QueueNotify writes */
	uint64_t notifies_skipped; /* suppressed by the device */
};

struct virtio_dev {
	uintptr_t base;
	uint64_t size;
	uint32_t irq; /* IOAPIC GSI */
	const char *found_by; /* "dtb" or "cmdline" */
	uint32_t version;
	uint32_t device_id;
	uint32_t vendor_id;
	uint64_t device_features; /* offered */
	uint64_t features; /* accepted */
	unsigned int nr_queues;
	struct virtq vq[VIRTIO_MAX_QUEUES];
};

/* One buffer of a chain; device_writes marks device->driver buffers. */
struct virtio_buf {
	void *addr;
	uint32_t len;
	bool device_writes;
};

/* Register access: each one is a VM exit. */
static inline uint32_t virtio_read32(const struct virtio_dev *d, unsigned off)
{
	return *(volatile uint32_t *)(d->base + off);
}

static inline void virtio_write32(const struct virtio_dev *d, unsigned off,
				  uint32_t val)
{
	*(volatile uint32_t *)(d->base + off) = val;
}

/*
 * Find virtio-mmio devices: the DTB first, else the command line.  Reads
 * each one's MagicValue, Version and DeviceID; devices with ID 0 (an empty
 * slot) or a bad magic are skipped.  Returns how many were stored.
 */
int virtio_discover(const struct boot_info *bi, struct virtio_dev *devs,
		    int max);

/*
 * The command line's virtio_mmio.device=<size>[KMG]@<base>:<irq> entries,
 * as Linux reads them: base, size, irq and found_by only, in their order,
 * nothing probed.  Returns how many were stored (at most max).
 */
int virtio_cmdline_parse(const char *cmdline, struct virtio_dev *devs, int max);

/* The n-th (from 0) device with this ID, or NULL. */
struct virtio_dev *virtio_find(struct virtio_dev *devs, int nr, uint32_t id,
			       int n);

/*
 * Initialise per spec 3.1.1: reset, ACKNOWLEDGE, DRIVER, accept
 * offered & (wanted | VERSION_1) (failing without VERSION_1), FEATURES_OK
 * (checked), set up nr_queues queues of at most qsize entries, DRIVER_OK.
 * Returns 0, or -1 after printing "virtio: <why>".
 */
int virtio_init(struct virtio_dev *d, uint64_t wanted, unsigned int nr_queues,
		unsigned int qsize);

/* Reset the device (Status = 0) and forget its queues' memory. */
void virtio_reset(struct virtio_dev *d);

/* Status register; true (and a message) if DEVICE_NEEDS_RESET is set. */
uint32_t virtio_status(const struct virtio_dev *d);
bool virtio_check_needs_reset(const struct virtio_dev *d);

/* Device config space (0x100 +), read under ConfigGeneration. */
uint32_t virtio_config32(const struct virtio_dev *d, unsigned int off);
uint64_t virtio_config64(const struct virtio_dev *d, unsigned int off);

/*
 * Put a chain of n buffers on the available ring and notify the device
 * (unless it asked not to be).  Returns the chain's head (its id in the
 * used ring), or -1 when there are not enough free descriptors.
 */
int virtq_submit(struct virtq *q, const struct virtio_buf *bufs,
		 unsigned int n);

/* Same without the notification; virtq_kick() sends it. */
int virtq_add(struct virtq *q, const struct virtio_buf *bufs, unsigned int n);
void virtq_kick(struct virtq *q);

/* Harvest one completed chain: its head (and *len), or -1 if none is. */
int virtq_get(struct virtq *q, uint32_t *len);

/*
 * Spin (PAUSE, no exits) until a chain completes or timeout_cycles TSC
 * cycles pass (0: forever); after VIRTIO_STATUS_CHECK_CYCLES also stop
 * when Status shows DEVICE_NEEDS_RESET.  Returns its head, or -1 after
 * reporting the device status (and DEVICE_NEEDS_RESET if set).
 */
int virtq_wait(struct virtq *q, uint32_t *len, uint64_t timeout_cycles);

/* The default bound for virtq_wait(): several seconds on any machine. */
#define VIRTIO_TIMEOUT_CYCLES 20000000000ull
/* After this long (~50 ms), virtq_wait() also polls Status (an exit). */
#define VIRTIO_STATUS_CHECK_CYCLES 100000000ull

/* ---- virtio-blk (rt/virtio_blk.c) ---- */

#define VIRTIO_BLK_F_SIZE_MAX 1
#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9
#define VIRTIO_BLK_F_DISCARD 13
#define VIRTIO_BLK_F_WRITE_ZEROES 14

#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_T_DISCARD 11
#define VIRTIO_BLK_T_WRITE_ZEROES 13

#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2

#define VIRTIO_BLK_ID_BYTES 20
#define VIRTIO_BLK_SECTOR 512

struct virtio_blk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

/* Payload of DISCARD and WRITE_ZEROES (one segment). */
struct virtio_blk_discard_wz {
	uint64_t sector;
	uint32_t num_sectors;
	uint32_t flags; /* bit 0: unmap (WRITE_ZEROES) */
};

struct vblk {
	struct virtio_dev *dev;
	uint64_t capacity; /* 512-byte sectors */
	uint32_t blk_size;
	uint32_t size_max; /* per data segment; 0: no limit */
	uint32_t seg_max; /* data segments per request; 0: no limit */
	bool ro, flush, discard, write_zeroes;
	uint32_t last_len; /* used.len of the last request */
	/* One request in flight: its header, payload and status live here. */
	struct virtio_blk_hdr hdr;
	struct virtio_blk_discard_wz dwz;
	uint8_t status;
};

/*
 * Initialise a virtio-blk device: accepts RO, BLK_SIZE, FLUSH, DISCARD,
 * WRITE_ZEROES, SIZE_MAX, SEG_MAX when offered, plus extra_features (e.g.
 * VIRTIO_BIT(VIRTIO_F_EVENT_IDX)).  Returns 0 or -1.
 */
int vblk_init(struct vblk *b, struct virtio_dev *d, uint64_t extra_features);

/*
 * One request with a data buffer of len bytes (device-writable for IN and
 * GET_ID, device-readable otherwise; none if len is 0).  Returns the status
 * byte (VIRTIO_BLK_S_*), or -1 if the request could not be queued or did
 * not complete in time.  The request is sent even where F_RO or a missing
 * feature says it will fail: the tests check the device's answer.
 */
int vblk_request(struct vblk *b, uint32_t type, uint64_t sector, void *buf,
		 size_t len);
int vblk_read(struct vblk *b, uint64_t sector, void *buf, size_t len);
int vblk_write(struct vblk *b, uint64_t sector, const void *buf, size_t len);
int vblk_flush(struct vblk *b);
/* DISCARD or WRITE_ZEROES of nr sectors at sector. */
int vblk_range(struct vblk *b, uint32_t type, uint64_t sector, uint32_t nr);
/* GET_ID into id[VIRTIO_BLK_ID_BYTES + 1], NUL-terminated. */
int vblk_get_id(struct vblk *b, char *id);

#endif
