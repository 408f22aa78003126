/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtq.h - split virtqueues (virtio 1.x, section 2.7) as seen by a device.
 *
 * The guest owns the rings; everything read from them is untrusted.  The
 * walker checks each descriptor's address and length against guest RAM
 * (through guest_mem), bounds every chain by the queue size (so loops end),
 * and validates indirect tables, before a device sees a single buffer.
 * A queue that breaks the rules is marked broken: the transport then sets
 * DEVICE_NEEDS_RESET and the device stops serving it.
 *
 * One thread serves a queue at a time (the device's I/O thread); the
 * transport configures it while the device is stopped.
 */
#ifndef KVMUX_VIRTQ_H
#define KVMUX_VIRTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kvmux/guest_mem.h"

#define VIRTQ_MAX_SIZE 1024 /* largest queue size kvmux offers */

/* Feature bits the queue code implements. */
#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32

/* Ring flags (virtio 1.x, 2.7.5 - 2.7.8). */
#define VIRTQ_DESC_F_NEXT 1 /* the chain continues at `next` */
#define VIRTQ_DESC_F_WRITE 2 /* device-writable buffer */
#define VIRTQ_DESC_F_INDIRECT 4 /* the buffer is a descriptor table */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY 1

/* One guest buffer of a chain, already translated and bounds-checked. */
struct virtq_buf {
	uint8_t *host; /* host pointer to len bytes of guest RAM */
	uint32_t len;
	bool device_writable; /* VIRTQ_DESC_F_WRITE */
};

/* A descriptor chain popped from the available ring. */
struct virtq_chain {
	uint16_t head; /* descriptor index to return in the used ring */
	unsigned int nr_bufs;
	struct virtq_buf buf[VIRTQ_MAX_SIZE];
	uint64_t readable_len; /* sum of driver->device buffers */
	uint64_t writable_len; /* sum of device->driver buffers */
};

struct virtq {
	const struct guest_mem *mem;
	uint16_t size; /* number of descriptors, a power of 2 */
	uint64_t desc_gpa;
	uint64_t avail_gpa;
	uint64_t used_gpa;
	bool event_idx; /* VIRTIO_F_EVENT_IDX negotiated */
	bool indirect; /* VIRTIO_F_INDIRECT_DESC negotiated */

	bool ready; /* rings checked and usable */
	bool broken; /* the guest broke the rules; see virtq_error() */
	uint16_t last_avail; /* next available-ring slot to look at */
	uint16_t used_idx; /* our copy of used->idx */
	uint16_t
		signalled_used; /* used_idx at the last interrupt (EVENT_IDX) */
	bool signalled_valid;
	char error[128]; /* why it is broken, for the log */

	/* Host views of the three rings, checked by virtq_init(). */
	uint8_t *desc;
	uint8_t *avail;
	uint8_t *used;
};

/*
 * Make a queue usable after the driver wrote its addresses and size and
 * set QueueReady.  Checks that the size is a power of 2 no larger than
 * max_size, that the three areas (descriptor table, available and used
 * rings, each with its event field) lie in guest RAM with their required
 * alignment, and that no two of them share a byte.  Returns 0, or -1
 * (queue left not ready, error[] filled).
 */
int virtq_init(struct virtq *vq, const struct guest_mem *mem, uint16_t size,
	       uint16_t max_size, uint64_t desc_gpa, uint64_t avail_gpa,
	       uint64_t used_gpa, bool event_idx, bool indirect);

/*
 * Do two ready queues of one device share a byte of their areas?  Then
 * why (why_len bytes) says which areas.
 */
bool virtq_overlaps(const struct virtq *vq, const struct virtq *other,
		    char *why, size_t why_len);

/* Forget everything (device reset or QueueReady = 0). */
void virtq_reset(struct virtq *vq);

/*
 * Take the next available chain.  Returns 1 with *chain filled, 0 when the
 * ring is empty, -1 when the guest broke the rules (vq->broken is then set
 * and error[] says how: a descriptor outside RAM, a loop, a chain longer
 * than the queue, a bad indirect table, a readable buffer after a
 * writable one, an avail index that jumped by more than the queue size).
 */
int virtq_pop(struct virtq *vq, struct virtq_chain *chain);

/* Return a chain: head and the number of bytes the device wrote. */
void virtq_push(struct virtq *vq, uint16_t head, uint32_t written);

/*
 * After pushing one or more chains: does the driver want an interrupt?
 * Honours VIRTQ_AVAIL_F_NO_INTERRUPT, or used_event with EVENT_IDX.
 */
bool virtq_should_notify(struct virtq *vq);

/*
 * Before sleeping on an empty ring: ask the driver for notifications (clear
 * VIRTQ_USED_F_NO_NOTIFY, or publish avail_event with EVENT_IDX) and
 * return true if more chains arrived meanwhile (then pop again).
 */
bool virtq_enable_notify(struct virtq *vq);

/* Ask the driver not to notify while the device is busy polling. */
void virtq_disable_notify(struct virtq *vq);

/*
 * Copy between a chain's buffers and a flat buffer, skipping `offset`
 * bytes of the readable (or writable) part.  Return the bytes copied.
 */
uint64_t virtq_chain_read(const struct virtq_chain *chain, uint64_t offset,
			  void *dst, uint64_t len);
uint64_t virtq_chain_write(const struct virtq_chain *chain, uint64_t offset,
			   const void *src, uint64_t len);

#endif
