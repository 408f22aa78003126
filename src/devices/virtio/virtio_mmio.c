// SPDX-License-Identifier: GPL-2.0-only
/*
 * virtio_mmio.c - the virtio-mmio transport, version 2 (virtio 1.x section 4.2.2).
 *
 * Registers are served on vCPU threads under the transport lock; queues are
 * served on the device's own I/O thread, which holds the same lock while a
 * device walks its rings, so a reset or a queue change never races a walk.
 * Host I/O is never done under the lock: a device leaves it for the I/O
 * (virtio_mmio_io_begin()) and learns on return whether the device was
 * reset meanwhile, so a slow disk never holds up a vCPU.
 * InterruptStatus and InterruptACK are lock-free: they are the only
 * registers a guest touches per request.
 *
 * The I/O thread serves one bounded batch per wake-up (the device says if
 * more is left, and the thread wakes itself again), so it always gets
 * back to its event loop, where it sees a stop.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "kvmux/bus.h"
#include "kvmux/device.h"
#include "kvmux/error.h"
#include "kvmux/event_loop.h"
#include "kvmux/platform.h"
#include "kvmux/thread.h"
#include "kvmux/virtio_mmio.h"

enum mmio_reg {
	REG_MAGIC = 0x000,
	REG_VERSION = 0x004,
	REG_DEVICE_ID = 0x008,
	REG_VENDOR_ID = 0x00c,
	REG_DEVICE_FEATURES = 0x010,
	REG_DEVICE_FEATURES_SEL = 0x014,
	REG_DRIVER_FEATURES = 0x020,
	REG_DRIVER_FEATURES_SEL = 0x024,
	REG_QUEUE_SEL = 0x030,
	REG_QUEUE_NUM_MAX = 0x034,
	REG_QUEUE_NUM = 0x038,
	REG_QUEUE_READY = 0x044,
	REG_QUEUE_NOTIFY = 0x050,
	REG_INTERRUPT_STATUS = 0x060,
	REG_INTERRUPT_ACK = 0x064,
	REG_STATUS = 0x070,
	REG_QUEUE_DESC_LOW = 0x080,
	REG_QUEUE_DESC_HIGH = 0x084,
	REG_QUEUE_DRIVER_LOW = 0x090,
	REG_QUEUE_DRIVER_HIGH = 0x094,
	REG_QUEUE_DEVICE_LOW = 0x0a0,
	REG_QUEUE_DEVICE_HIGH = 0x0a4,
	REG_CONFIG_GENERATION = 0x0fc,
	REG_CONFIG = 0x100,
};

#define MMIO_MAGIC 0x74726976 /* "virt" */
#define MMIO_VERSION 2
#define MMIO_VENDOR_ID 0x554d564b /* "KVMU" */

#define STATUS_FEATURES_OK 0x08
#define STATUS_DRIVER_OK 0x04
#define STATUS_NEEDS_RESET 0x40

#define INT_USED_BUFFER 0x1
#define INT_CONFIG_CHANGE 0x2

#define TRANSPORT_FEATURES                                             \
	((1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_F_EVENT_IDX) | \
	 (1ULL << VIRTIO_F_INDIRECT_DESC))

struct mmio_queue {
	uint16_t num;
	uint64_t desc, driver, device;
	struct virtq vq;
	int notify_fd; /* ioeventfd: the guest wrote QueueNotify */
};

struct virtio_mmio {
	struct device_env env; /* memory, irqfd, ioeventfd */
	const struct virtio_device_ops *ops;
	void *dev;
	uint64_t base;
	uint8_t irq;
	int irq_fd; /* irqfd */
	int stop_fd; /* wakes the I/O thread to leave */
	pthread_t thread;
	bool thread_started;
	bool stopping; /* atomic: the I/O thread must leave */
	pthread_mutex_t lock;
	uint64_t generation; /* changes at every reset and queue change */
	bool io_in_flight; /* the device does host I/O without the lock */
	bool reset_pending; /* reset asked for during that I/O */

	uint32_t status;
	uint32_t device_features_sel, driver_features_sel, queue_sel;
	uint64_t driver_features;
	uint32_t interrupt_status; /* atomic */
	bool failed_reported;
	struct mmio_queue queue[VIRTIO_MAX_QUEUES];
};

/* A line for the user about this device ("virtio-blk at 0xd0000200"). */
static void note(struct virtio_mmio *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(struct virtio_mmio *t, const char *fmt, ...)
{
	char msg[ERR_MSG_MAX];
	int n = snprintf(msg, sizeof(msg), "%s at %#llx: ", t->ops->name,
			 (unsigned long long)t->base);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	va_end(ap);
	t->env.note(t->env.ctx, msg);
}

static uint64_t offered_features(const struct virtio_mmio *t)
{
	return t->ops->features | TRANSPORT_FEATURES;
}

bool virtio_mmio_has_feature(struct virtio_mmio *t, unsigned int bit)
{
	return bit < 64 && (t->driver_features >> bit) & 1;
}

struct virtq *virtio_mmio_queue(struct virtio_mmio *t, unsigned int q)
{
	return q < t->ops->nr_queues ? &t->queue[q].vq : NULL;
}

static void raise_interrupt(struct virtio_mmio *t, uint32_t why)
{
	uint64_t one = 1;

	__atomic_or_fetch(&t->interrupt_status, why, __ATOMIC_SEQ_CST);
	if (write(t->irq_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		note(t, "irqfd write failed");
	if (t->env.irqfd_raised)
		t->env.irqfd_raised(t->env.ctx, t->irq);
}

void virtio_mmio_used(struct virtio_mmio *t, unsigned int q)
{
	if (virtq_should_notify(&t->queue[q].vq))
		raise_interrupt(t, INT_USED_BUFFER);
}

void virtio_mmio_fail(struct virtio_mmio *t, const char *why)
{
	if (t->status & STATUS_NEEDS_RESET)
		return;
	t->status |= STATUS_NEEDS_RESET;
	if (!t->failed_reported) {
		/* Once per device: a hostile guest must not flood the log. */
		note(t, "needs reset: %s", why);
		t->failed_reported = true;
	}
	if (t->status & STATUS_DRIVER_OK)
		raise_interrupt(t, INT_CONFIG_CHANGE);
}

void virtio_mmio_kick(struct virtio_mmio *t, unsigned int q)
{
	uint64_t one = 1;

	if (q < t->ops->nr_queues &&
	    write(t->queue[q].notify_fd, &one, sizeof(one)) < 0 &&
	    errno != EAGAIN)
		note(t, "eventfd write failed");
}

static void reset_device(struct virtio_mmio *t)
{
	unsigned int i;

	t->ops->reset(t->dev);
	for (i = 0; i < t->ops->nr_queues; i++) {
		struct mmio_queue *q = &t->queue[i];

		virtq_reset(&q->vq);
		q->num = 0;
		q->desc = q->driver = q->device = 0;
	}
	t->status = 0;
	t->device_features_sel = t->driver_features_sel = t->queue_sel = 0;
	t->driver_features = 0;
	t->generation++;
	__atomic_store_n(&t->interrupt_status, 0, __ATOMIC_SEQ_CST);
}

static bool features_acceptable(const struct virtio_mmio *t)
{
	return !(t->driver_features & ~offered_features(t)) &&
	       (t->driver_features & (1ULL << VIRTIO_F_VERSION_1));
}

static void write_status(struct virtio_mmio *t, uint32_t value)
{
	uint32_t newly = value & ~t->status;

	if (value == 0) {
		/* A reset is complete when the driver reads 0 back (4.1.4.3):
		 * with a request in flight, that is once it has ended. */
		if (t->io_in_flight)
			t->reset_pending = true;
		else
			reset_device(t);
		return;
	}
	if (t->reset_pending)
		return; /* the driver did not wait for the reset to end */
	/* NEEDS_RESET is the device's to set; the driver cannot clear it. */
	value |= t->status & STATUS_NEEDS_RESET;
	if ((newly & STATUS_FEATURES_OK) && !features_acceptable(t))
		value &= ~STATUS_FEATURES_OK;
	t->status = value & 0xff;
}

static struct mmio_queue *selected_queue(struct virtio_mmio *t)
{
	return t->queue_sel < t->ops->nr_queues ? &t->queue[t->queue_sel] :
						  NULL;
}

/* A ready queue's areas must not overlap another ready queue's. */
static bool overlaps_other_queue(struct virtio_mmio *t, struct mmio_queue *q)
{
	char why[96];
	unsigned int i;

	for (i = 0; i < t->ops->nr_queues; i++) {
		if (&t->queue[i] != q &&
		    virtq_overlaps(&q->vq, &t->queue[i].vq, why, sizeof(why))) {
			virtio_mmio_fail(t, why);
			virtq_reset(&q->vq);
			return true;
		}
	}
	return false;
}

static void set_queue_ready(struct virtio_mmio *t, struct mmio_queue *q,
			    uint32_t ready)
{
	t->generation++;
	if (!ready) {
		virtq_reset(&q->vq);
		return;
	}
	if (q->vq.ready)
		return;
	if (virtq_init(&q->vq, t->env.mem, q->num, t->ops->queue_max, q->desc,
		       q->driver, q->device,
		       virtio_mmio_has_feature(t, VIRTIO_F_EVENT_IDX),
		       virtio_mmio_has_feature(t, VIRTIO_F_INDIRECT_DESC)) < 0)
		virtio_mmio_fail(t, q->vq.error);
	else
		overlaps_other_queue(t, q);
}

static void set_half(uint64_t *value, bool high, uint32_t half)
{
	if (high)
		*value = (*value & 0xffffffffULL) | ((uint64_t)half << 32);
	else
		*value = (*value & ~0xffffffffULL) | half;
}

/* Queue registers may only change while the queue is not ready. */
static void write_queue_reg(struct virtio_mmio *t, uint64_t reg, uint32_t value)
{
	struct mmio_queue *q = selected_queue(t);

	if (!q)
		return;
	if (reg == REG_QUEUE_READY) {
		set_queue_ready(t, q, value);
		return;
	}
	if (q->vq.ready)
		return;
	switch (reg) {
	case REG_QUEUE_NUM:
		q->num = value > 0xffff ? 0 : value;
		break;
	case REG_QUEUE_DESC_LOW:
	case REG_QUEUE_DESC_HIGH:
		set_half(&q->desc, reg == REG_QUEUE_DESC_HIGH, value);
		break;
	case REG_QUEUE_DRIVER_LOW:
	case REG_QUEUE_DRIVER_HIGH:
		set_half(&q->driver, reg == REG_QUEUE_DRIVER_HIGH, value);
		break;
	case REG_QUEUE_DEVICE_LOW:
	case REG_QUEUE_DEVICE_HIGH:
		set_half(&q->device, reg == REG_QUEUE_DEVICE_HIGH, value);
		break;
	}
}

static void write_driver_features(struct virtio_mmio *t, uint32_t value)
{
	/* Features are fixed once FEATURES_OK is set. */
	if (t->status & STATUS_FEATURES_OK || t->driver_features_sel > 1)
		return;
	set_half(&t->driver_features, t->driver_features_sel == 1, value);
}

static void write_reg(struct virtio_mmio *t, uint64_t reg, uint32_t value)
{
	switch (reg) {
	case REG_DEVICE_FEATURES_SEL:
		t->device_features_sel = value;
		break;
	case REG_DRIVER_FEATURES:
		write_driver_features(t, value);
		break;
	case REG_DRIVER_FEATURES_SEL:
		t->driver_features_sel = value;
		break;
	case REG_QUEUE_SEL:
		t->queue_sel = value;
		break;
	case REG_STATUS:
		write_status(t, value);
		break;
	default:
		write_queue_reg(t, reg, value);
		break;
	}
}

static uint32_t read_queue_reg(struct virtio_mmio *t, uint64_t reg)
{
	struct mmio_queue *q = selected_queue(t);

	if (!q)
		return 0;
	if (reg == REG_QUEUE_NUM_MAX)
		return t->ops->queue_max;
	if (reg == REG_QUEUE_READY)
		return q->vq.ready;
	return 0; /* the address and size registers are write-only */
}

static uint32_t read_reg(struct virtio_mmio *t, uint64_t reg)
{
	uint64_t features = offered_features(t);

	switch (reg) {
	case REG_MAGIC:
		return MMIO_MAGIC;
	case REG_VERSION:
		return MMIO_VERSION;
	case REG_DEVICE_ID:
		return t->ops->device_id;
	case REG_VENDOR_ID:
		return MMIO_VENDOR_ID;
	case REG_DEVICE_FEATURES:
		if (t->device_features_sel > 1)
			return 0;
		return features >> (32 * t->device_features_sel);
	case REG_STATUS:
		return t->status;
	case REG_CONFIG_GENERATION:
		return 0; /* config space never changes */
	default:
		return read_queue_reg(t, reg);
	}
}

static void config_access(struct virtio_mmio *t, uint64_t off, void *data,
			  unsigned int len, bool is_write)
{
	if (off > t->ops->config_size || len > t->ops->config_size - off) {
		if (!is_write)
			memset(data, 0, len);
		return;
	}
	if (!is_write)
		t->ops->config_read(t->dev, off, data, len);
	/* No device here has writable config fields. */
}

static void mmio_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	struct virtio_mmio *t = opaque;
	uint32_t value;

	if (off >= REG_CONFIG) {
		config_access(t, off - REG_CONFIG, data, len, false);
		return;
	}
	if (len != 4 || off % 4) { /* registers are 32-bit, aligned */
		memset(data, 0, len);
		return;
	}
	if (off == REG_INTERRUPT_STATUS) {
		value = __atomic_load_n(&t->interrupt_status, __ATOMIC_SEQ_CST);
	} else {
		pthread_mutex_lock(&t->lock);
		value = read_reg(t, off);
		pthread_mutex_unlock(&t->lock);
	}
	memcpy(data, &value, 4);
}

static void mmio_write(void *opaque, uint64_t off, const void *data,
		       unsigned int len)
{
	struct virtio_mmio *t = opaque;
	uint32_t value;

	if (off >= REG_CONFIG) {
		config_access(t, off - REG_CONFIG, (void *)data, len, true);
		return;
	}
	if (len != 4 || off % 4)
		return;
	memcpy(&value, data, 4);
	if (off == REG_INTERRUPT_ACK) {
		__atomic_and_fetch(&t->interrupt_status, ~value,
				   __ATOMIC_SEQ_CST);
	} else if (off == REG_QUEUE_NOTIFY) {
		/* KVM's ioeventfd (4 bytes, matched on each queue's index)
		 * takes every notify of a queue the device has.  What
		 * arrives here is a 4-byte write of another value, which
		 * the kick ignores, or a notify where no ioeventfd is wired
		 * (the unit tests' fake VM).  Other widths were dropped
		 * above: virtio 1.x (4.2.2.2) has the driver access these
		 * registers 32 bits wide only. */
		virtio_mmio_kick(t, value);
	} else {
		pthread_mutex_lock(&t->lock);
		write_reg(t, off, value);
		pthread_mutex_unlock(&t->lock);
	}
}

static const struct bus_ops mmio_ops = {
	.read = mmio_read,
	.write = mmio_write,
};

static bool queue_serviceable(struct virtio_mmio *t, unsigned int q)
{
	const struct virtq *vq = &t->queue[q].vq;

	return (t->status & STATUS_DRIVER_OK) &&
	       !(t->status & STATUS_NEEDS_RESET) && vq->ready && !vq->broken;
}

static void serve_queue(struct virtio_mmio *t, unsigned int q)
{
	bool more = false;

	pthread_mutex_lock(&t->lock);
	if (queue_serviceable(t, q))
		more = t->ops->queue_notify(t->dev, q);
	if (t->queue[q].vq.broken)
		virtio_mmio_fail(t, t->queue[q].vq.error);
	pthread_mutex_unlock(&t->lock);
	if (more)
		virtio_mmio_kick(t,
				 q); /* the next batch, after a look around */
}

uint64_t virtio_mmio_io_begin(struct virtio_mmio *t)
{
	uint64_t token = t->generation;

	t->io_in_flight = true;
	pthread_mutex_unlock(&t->lock);
	return token;
}

bool virtio_mmio_io_end(struct virtio_mmio *t, uint64_t token)
{
	pthread_mutex_lock(&t->lock);
	t->io_in_flight = false;
	if (t->reset_pending) {
		t->reset_pending = false;
		reset_device(t);
	}
	return t->generation == token && !(t->status & STATUS_NEEDS_RESET);
}

bool virtio_mmio_stopping(struct virtio_mmio *t)
{
	return __atomic_load_n(&t->stopping, __ATOMIC_ACQUIRE);
}

static int add_to_epoll(int epfd, int fd, unsigned int tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = tag };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

static void *io_thread(void *arg)
{
	struct virtio_mmio *t = arg;
	int epfd = epoll_create1(EPOLL_CLOEXEC);
	unsigned int i;

	if (epfd < 0)
		return NULL;
	add_to_epoll(epfd, t->stop_fd, VIRTIO_MAX_QUEUES);
	for (i = 0; i < t->ops->nr_queues; i++)
		add_to_epoll(epfd, t->queue[i].notify_fd, i);
	thread_enter(THREAD_IO);
	for (;;) {
		struct epoll_event ev[VIRTIO_MAX_QUEUES + 1];
		int n = epoll_wait(epfd, ev, VIRTIO_MAX_QUEUES + 1, -1);

		for (i = 0; i < (unsigned int)(n > 0 ? n : 0); i++) {
			unsigned int q = ev[i].data.u32;

			if (q == VIRTIO_MAX_QUEUES ||
			    __atomic_load_n(&t->stopping, __ATOMIC_ACQUIRE))
				goto out;
			event_fd_drain(t->queue[q].notify_fd);
			serve_queue(t, q);
		}
	}
out:
	close(epfd);
	return NULL;
}

static int create_queues(struct virtio_mmio *t)
{
	unsigned int i;

	for (i = 0; i < t->ops->nr_queues; i++) {
		int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

		if (fd < 0)
			return err_set_errno("eventfd");
		t->queue[i].notify_fd = fd;
		if (t->env.ioeventfd(t->env.ctx, t->base + REG_QUEUE_NOTIFY, i,
				     fd) < 0)
			return -1;
	}
	return 0;
}

static int create_fds(struct virtio_mmio *t)
{
	t->irq_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	t->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (t->irq_fd < 0 || t->stop_fd < 0)
		return err_set_errno("eventfd");
	if (t->env.irqfd(t->env.ctx, t->irq, t->irq_fd) < 0)
		return -1;
	return create_queues(t);
}

struct virtio_mmio *virtio_mmio_create(const struct device_env *env,
				       const struct virtio_device_ops *ops,
				       void *dev)
{
	struct virtio_mmio *t = calloc(1, sizeof(*t));

	if (!t) {
		err_host("out of memory");
		return NULL;
	}
	*t = (struct virtio_mmio){
		.env = *env, .ops = ops, .dev = dev, .irq_fd = -1, .stop_fd = -1
	};
	for (unsigned int i = 0; i < VIRTIO_MAX_QUEUES; i++)
		t->queue[i].notify_fd = -1;
	pthread_mutex_init(&t->lock, NULL);
	if (ops->nr_queues > VIRTIO_MAX_QUEUES ||
	    ops->queue_max > VIRTQ_MAX_SIZE) {
		err_set("%s: too many or too large queues", ops->name);
		goto fail;
	}
	if (platform_add_virtio(env->platform, &t->base, &t->irq) < 0 ||
	    create_fds(t) < 0)
		goto fail;
	if (bus_register(env->mmio, t->base, VIRTIO_MMIO_SIZE, &mmio_ops, t,
			 ops->name) < 0)
		goto fail;
	return t;
fail:
	virtio_mmio_destroy(t);
	return NULL;
}

int virtio_mmio_start(struct virtio_mmio *t)
{
	int rc = pthread_create(&t->thread, NULL, io_thread, t);

	if (rc) {
		errno = rc;
		return err_set_errno("%s: cannot start its I/O thread",
				     t->ops->name);
	}
	t->thread_started = true;
	return 0;
}

static void request_stop(struct virtio_mmio *t)
{
	uint64_t one = 1;

	__atomic_store_n(&t->stopping, true, __ATOMIC_RELEASE);
	if (write(t->stop_fd, &one, sizeof(one)) < 0)
		abort(); /* cannot fail for an eventfd below max */
}

int virtio_mmio_stop(struct virtio_mmio *t, uint64_t deadline_ns)
{
	if (!t || !t->thread_started)
		return 0;
	request_stop(t);
	t->thread_started = false;
	if (thread_join_until(t->thread, deadline_ns) < 0)
		return err_set("%s: its I/O thread did not stop", t->ops->name);
	return 0;
}

void virtio_mmio_destroy(struct virtio_mmio *t)
{
	unsigned int i;

	if (!t)
		return;
	if (virtio_mmio_stop(t, thread_now_ns() + THREAD_JOIN_TIMEOUT_NS) < 0)
		return; /* its thread may still use it: left to exit() */
	for (i = 0; i < VIRTIO_MAX_QUEUES; i++)
		if (t->queue[i].notify_fd >= 0)
			close(t->queue[i].notify_fd);
	if (t->irq_fd >= 0)
		close(t->irq_fd);
	if (t->stop_fd >= 0)
		close(t->stop_fd);
	pthread_mutex_destroy(&t->lock);
	free(t);
}
