/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio_test_util.h - a virtio-mmio driver for tests of virtio devices
 * without KVM: register accesses through the fake VM's MMIO bus
 * (device_test_util.h), rings in the fake guest's RAM (virtq_test_util.h),
 * notifications through the ioeventfd the device bound, as KVM would
 * signal it.
 *
 * Register offsets, status bits and feature bits come from the Linux UAPI
 * headers, so the device is checked against the spec's numbers rather
 * than against its own.  Queue q's rings lie at VT_RING_STRIDE * q above
 * the default rings of virtq_test_util.h, below TG_DATA_GPA.
 */
#ifndef KVMUX_TESTS_VIRTIO_TEST_UTIL_H
#define KVMUX_TESTS_VIRTIO_TEST_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "device_test_util.h"
#include "virtq_test_util.h"

#define VT_RING_STRIDE 0x10000ULL
#define VT_MAX_QUEUES 2 /* rings of more would reach TG_DATA_GPA */

/* One queue as the driver keeps it. */
struct vt_queue {
	unsigned int index;
	uint64_t desc, avail, used;
	uint16_t size, avail_idx;
};

/* The driver's side of one virtio-mmio device. */
struct vt_dev {
	struct test_vm *vm;
	struct test_guest *g;
	uint64_t base;
	int irqfd; /* the device raises its interrupt here */
	int notify_fd[VT_MAX_QUEUES]; /* its ioeventfds, by queue */
	struct vt_queue q[VT_MAX_QUEUES];
};

/* Device `nr` (in the order of attaching) of vm, over guest g. */
static inline void vt_init(struct vt_dev *d, struct test_vm *vm,
			   struct test_guest *g, unsigned int nr)
{
	unsigned int i;

	memset(d, 0, sizeof(*d));
	d->vm = vm;
	d->g = g;
	d->base = vm->platform.virtio[nr].base;
	d->irqfd = vm->irqfd[nr].fd;
	for (i = 0; i < VT_MAX_QUEUES; i++)
		d->notify_fd[i] = -1;
	for (i = 0; i < vm->nr_ioeventfds; i++)
		if (vm->ioeventfd[i].addr ==
			    d->base + VIRTIO_MMIO_QUEUE_NOTIFY &&
		    vm->ioeventfd[i].value < VT_MAX_QUEUES)
			d->notify_fd[vm->ioeventfd[i].value] =
				vm->ioeventfd[i].fd;
}

static inline uint32_t vt_read(struct vt_dev *d, uint64_t reg)
{
	uint32_t v = 0xdeadbeef;

	bus_access(&d->vm->mmio, d->base + reg, false, &v, 4);
	return v;
}

static inline void vt_write(struct vt_dev *d, uint64_t reg, uint32_t v)
{
	bus_access(&d->vm->mmio, d->base + reg, true, &v, 4);
}

static inline void vt_set_status(struct vt_dev *d, uint32_t bits)
{
	vt_write(d, VIRTIO_MMIO_STATUS, vt_read(d, VIRTIO_MMIO_STATUS) | bits);
}

/* Reset, then ACKNOWLEDGE, DRIVER, the features and FEATURES_OK (3.1.1);
 * returns the status the device shows then. */
static inline uint32_t vt_negotiate(struct vt_dev *d, uint64_t features)
{
	vt_write(d, VIRTIO_MMIO_STATUS, 0);
	vt_set_status(d, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	vt_set_status(d, VIRTIO_CONFIG_S_DRIVER);
	vt_write(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vt_write(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	vt_write(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	vt_write(d, VIRTIO_MMIO_DRIVER_FEATURES, features >> 32);
	vt_set_status(d, VIRTIO_CONFIG_S_FEATURES_OK);
	return vt_read(d, VIRTIO_MMIO_STATUS);
}

static inline void vt_write64(struct vt_dev *d, uint64_t reg_low, uint64_t v)
{
	vt_write(d, reg_low, (uint32_t)v);
	vt_write(d, reg_low + 4, v >> 32);
}

/* Queue q with the given ring addresses: QueueSel, QueueNum, the three
 * areas, QueueReady (4.2.3.2).  Returns what QueueReady reads then. */
static inline uint32_t vt_queue_at(struct vt_dev *d, unsigned int q,
				   uint16_t size, uint64_t desc, uint64_t avail,
				   uint64_t used)
{
	vt_write(d, VIRTIO_MMIO_QUEUE_SEL, q);
	vt_write(d, VIRTIO_MMIO_QUEUE_NUM, size);
	vt_write64(d, VIRTIO_MMIO_QUEUE_DESC_LOW, desc);
	vt_write64(d, VIRTIO_MMIO_QUEUE_AVAIL_LOW, avail);
	vt_write64(d, VIRTIO_MMIO_QUEUE_USED_LOW, used);
	vt_write(d, VIRTIO_MMIO_QUEUE_READY, 1);
	return vt_read(d, VIRTIO_MMIO_QUEUE_READY);
}

/* Queue q (< VT_MAX_QUEUES) on fresh rings of its own; what QueueReady
 * reads then. */
static inline uint32_t vt_queue(struct vt_dev *d, unsigned int q, uint16_t size)
{
	struct vt_queue *vq = &d->q[q];
	uint64_t off = VT_RING_STRIDE * q;

	*vq = (struct vt_queue){ q,
				 TG_DESC_GPA + off,
				 TG_AVAIL_GPA + off,
				 TG_USED_GPA + off,
				 size,
				 0 };
	memset(tg_at(d->g, vq->desc, 0x9000), 0, 0x9000);
	return vt_queue_at(d, q, size, vq->desc, vq->avail, vq->used);
}

/* Descriptor i of queue q's table. */
static inline void vt_desc(struct vt_dev *d, unsigned int q, unsigned int i,
			   uint64_t addr, uint32_t len, uint16_t flags,
			   uint16_t next)
{
	tg_desc_at(d->g, d->q[q].desc, i, addr, len, flags, next);
}

/* Make the chain at head available; returns the used idx that says the
 * device has returned it (when chains come back in order). */
static inline uint16_t vt_avail(struct vt_dev *d, unsigned int q, uint16_t head)
{
	struct vt_queue *vq = &d->q[q];

	vq->avail_idx =
		tg_avail_at(d->g, vq->avail, vq->size, vq->avail_idx, head);
	return vq->avail_idx;
}

/* Notify queue q the way KVM would: signal the ioeventfd it bound. */
static inline bool vt_kick(struct vt_dev *d, unsigned int q)
{
	uint64_t one = 1;

	return d->notify_fd[q] >= 0 &&
	       write(d->notify_fd[q], &one, sizeof(one)) == sizeof(one);
}

static inline uint16_t vt_used_idx(struct vt_dev *d, unsigned int q)
{
	return tg_used_idx_at(d->g, d->q[q].used);
}

/* avail_event (VIRTIO_F_EVENT_IDX): where the device last asked to be
 * notified, published when it goes idle on queue q. */
static inline uint16_t vt_avail_event(struct vt_dev *d, unsigned int q)
{
	return tg_load16_acquire(d->g, d->q[q].used + 4 + 8 * d->q[q].size);
}

/* The used element that made used->idx reach idx. */
static inline void vt_used_elem(struct vt_dev *d, unsigned int q, uint16_t idx,
				uint32_t *id, uint32_t *len)
{
	struct vt_queue *vq = &d->q[q];

	tg_used_elem_at(d->g, vq->used, (uint16_t)(idx - 1) & (vq->size - 1),
			id, len);
}

struct vt_wait_used {
	struct vt_dev *d;
	unsigned int q;
	uint16_t idx;
};

static inline bool vt_used_reached(void *arg)
{
	struct vt_wait_used *w = arg;

	return vt_used_idx(w->d, w->q) == w->idx;
}

/* Wait (bounded) until the device's used->idx of queue q is idx. */
static inline bool vt_wait_used(struct vt_dev *d, unsigned int q, uint16_t idx)
{
	struct vt_wait_used w = { d, q, idx };

	return test_wait(vt_used_reached, &w);
}

struct vt_wait_reg {
	struct vt_dev *d;
	uint64_t reg;
	uint32_t bits;
};

static inline bool vt_reg_has(void *arg)
{
	struct vt_wait_reg *w = arg;

	return (vt_read(w->d, w->reg) & w->bits) == w->bits;
}

/* Wait (bounded) until register reg has all of bits set. */
static inline bool vt_wait_bits(struct vt_dev *d, uint64_t reg, uint32_t bits)
{
	struct vt_wait_reg w = { d, reg, bits };

	return test_wait(vt_reg_has, &w);
}

/* Interrupts raised through the irqfd since the last look (0: none). */
static inline uint64_t vt_irqs(struct vt_dev *d)
{
	uint64_t n;

	if (read(d->irqfd, &n, sizeof(n)) != sizeof(n))
		return 0; /* EAGAIN */
	return n;
}

static inline bool vt_irq_came(void *arg)
{
	return vt_irqs(arg) > 0;
}

/* Wait (bounded) for the device's next interrupt; InterruptStatus says
 * why by then (the device sets it before it signals). */
static inline bool vt_wait_irq(struct vt_dev *d)
{
	return test_wait(vt_irq_came, d);
}

#endif
