/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio_mmio.h - the virtio 1.x MMIO transport (version 2, no legacy) and
 * what a device plugs into it.
 *
 * A device is a small ops table: its ID, features, config space, how many
 * queues, and what to do when a queue has buffers.  It knows nothing of
 * registers.  The transport owns the registers, feature negotiation, the
 * device status, queue setup, and one I/O thread per device on which every
 * queue_notify() runs.  Guest notifications reach that thread through an
 * ioeventfd (no exit to kvmux), and interrupts leave through an irqfd, so
 * a request never passes through a vCPU thread in userspace.
 */
#ifndef KVMUX_VIRTIO_MMIO_H
#define KVMUX_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kvmux/virtq.h"

struct device_env;
struct virtio_mmio;

#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_MAX_QUEUES 4

struct virtio_device_ops {
	const char *name; /* "virtio-blk", for messages */
	uint32_t device_id; /* VIRTIO_ID_* */
	uint64_t features; /* device-specific feature bits offered */
	unsigned int nr_queues;
	uint16_t queue_max; /* largest queue size offered */
	size_t config_size;
	/* Read config bytes [off, off + len); the transport checked bounds. */
	void (*config_read)(void *dev, uint64_t off, void *data,
			    unsigned int len);
	/*
	 * On the I/O thread, under the transport lock: queue q may have
	 * buffers to serve.  Serve a bounded batch, interrupt the guest once
	 * (virtio_mmio_used()), and return true if buffers are left: the
	 * thread then calls again after it has looked for a stop.
	 */
	bool (*queue_notify)(void *dev, unsigned int q);
	/* The driver reset the device: drop in-flight state.  Never runs
	 * concurrently with queue_notify(). */
	void (*reset)(void *dev);
};

/*
 * Create a device on the next virtio-mmio window of env's platform list,
 * on env's MMIO bus, with its notification eventfds (bound with
 * env->ioeventfd) and its irqfd (env->irqfd).  Returns NULL with
 * err_set().
 */
struct virtio_mmio *virtio_mmio_create(const struct device_env *env,
				       const struct virtio_device_ops *ops,
				       void *dev);
/* Start the I/O thread (once the VM is built). */
int virtio_mmio_start(struct virtio_mmio *t);
/*
 * Stop the I/O thread: it ends after the batch it is in.  Returns 0, or
 * -1 if it has not ended by deadline_ns (CLOCK_MONOTONIC; host I/O that
 * hangs, say): the transport must then not be destroyed.
 */
int virtio_mmio_stop(struct virtio_mmio *t, uint64_t deadline_ns);
/* Stop the I/O thread (if still running) and free everything. */
void virtio_mmio_destroy(struct virtio_mmio *t);

/* For the device, on its I/O thread. */
struct virtq *virtio_mmio_queue(struct virtio_mmio *t, unsigned int q);
bool virtio_mmio_has_feature(struct virtio_mmio *t, unsigned int bit);
/* After pushing used buffers: interrupt the guest if it wants one. */
void virtio_mmio_used(struct virtio_mmio *t, unsigned int q);
/* The guest broke the rules: set DEVICE_NEEDS_RESET, stop serving. */
void virtio_mmio_fail(struct virtio_mmio *t, const char *why);

/*
 * Host I/O is done without the transport lock, so that a slow disk never
 * holds up a vCPU's register access: leave the lock with io_begin(), and
 * take it back with io_end(token), which returns false if the device was
 * reset or its queues changed meanwhile (drop the request's result then:
 * the buffers are no longer the driver's to be returned).
 */
uint64_t virtio_mmio_io_begin(struct virtio_mmio *t);
bool virtio_mmio_io_end(struct virtio_mmio *t, uint64_t token);
/*
 * During that I/O: has the I/O thread been told to stop?  A request's
 * size is the guest's to choose (up to the whole disk, and more), so a
 * device looks between two system calls and leaves the request when it
 * has (the run is ending: its result does not matter).
 */
bool virtio_mmio_stopping(struct virtio_mmio *t);

/* From any host thread: have queue_notify(q) run soon on the I/O thread. */
void virtio_mmio_kick(struct virtio_mmio *t, unsigned int q);

#endif
