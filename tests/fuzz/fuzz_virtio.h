/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_virtio.h - what fuzz_virtio_blk.c and fuzz_virtio_console.c share:
 * a real device kind (kvmux/device.h) on the fake VM of
 * tests/unit/device_test_util.h, behind the real virtio-mmio transport
 * with its real I/O thread, driven by a hostile driver, and held against
 * a model of what the virtio 1.x spec and the device's header promise,
 * which runs on its own copy of guest RAM.
 *
 * Determinism without a hook in kvmux: a notification reaches the
 * device's I/O thread the way KVM delivers it (its ioeventfd, or a
 * QueueNotify write that reaches the transport), and the harness then
 * waits until that thread is idle again: back in epoll_wait (wrapped at
 * link time, -Wl,--wrap=epoll_wait) with none of its eventfds readable.
 * Only then does the driver touch guest memory or registers again, so an
 * input runs the same way every time and the model can follow it.
 *
 * The model: the transport's registers (4.2.2), each queue's ring state
 * (2.7: what the device has taken and returned, notification suppression
 * with and without EVENT_IDX), and per device its requests.  The device's
 * writes to guest RAM (data, status, used ring, used->flags, avail_event)
 * are made to the model's copy in the same order, so a device whose own
 * writes change the rings it walks is followed too.  After every step:
 * guest RAM equals the model's byte for byte; the status register equals
 * the model's (DEVICE_NEEDS_RESET exactly when the model named a
 * violation: a notification after one says which); InterruptStatus, the
 * interrupts sent through the irqfd and the I/O thread's wake-ups are as
 * the model counts them.  A notification the model sees keep the device
 * busy for more than FV_MAX_WAKEUPS wake-ups (a guest whose rings the
 * device's own writes refill, issue 8) must still let the device stop by
 * a deadline; the input ends there.
 *
 * Guest RAM: 64 KiB at 0, 4 KiB right after it (another region, so
 * nothing may straddle the two) and 4 KiB at 4 GiB.
 *
 * Input: the device's own header (see each target), then steps until the
 * input ends: u8 opcode (enum fv_op; the device's own steps are the
 * opcodes from FV_NR_OPS on, modulo their number), then its arguments
 * (see each fv_op_*).
 */
#ifndef KVMUX_TESTS_FUZZ_VIRTIO_H
#define KVMUX_TESTS_FUZZ_VIRTIO_H

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <time.h>

#include "fuzz.h"
#include "kvmux/thread.h"
#include "kvmux/virtio_mmio.h"
#include "virtio_test_util.h"

#define FV_NR_REGIONS 3
#define FV_MAX_WAKEUPS 64 /* of the I/O thread, per notification */
#define FV_SETTLE_NS (5 * 1000000000ULL) /* a bound, not an expectation */
#define FV_MAX_STEPS 4096 /* per input */

#define FV_S_ACK VIRTIO_CONFIG_S_ACKNOWLEDGE
#define FV_S_DRIVER VIRTIO_CONFIG_S_DRIVER
#define FV_S_DRIVER_OK VIRTIO_CONFIG_S_DRIVER_OK
#define FV_S_FEATURES_OK VIRTIO_CONFIG_S_FEATURES_OK
#define FV_S_NEEDS_RESET VIRTIO_CONFIG_S_NEEDS_RESET

/* Where the driver's standard layout puts queue q and its buffers. */
#define FV_RING_GPA(q) (0x1000ULL + 0x3000ULL * (q))
#define FV_DATA_GPA 0x8000ULL
#define FV_DATA_END 0x10000ULL

static const uint64_t fv_region_gpa[FV_NR_REGIONS] = { 0, 0x10000ULL,
						       0x100000000ULL };
static const uint64_t fv_region_size[FV_NR_REGIONS] = { 0x10000ULL, 0x1000ULL,
							0x1000ULL };
/* Where each region is in the model's copy of RAM. */
static const uint64_t fv_region_off[FV_NR_REGIONS] = { 0, 0x10000ULL,
						       0x11000ULL };
#define FV_RAM_BYTES 0x12000ULL

/* --- the I/O thread's idleness --------------------------------------- */

static pthread_mutex_t fv_io_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t fv_io_cond = PTHREAD_COND_INITIALIZER;
static unsigned int fv_io_waiting; /* device threads inside epoll_wait */
static uint64_t fv_io_wakeups; /* their returns with an event */

int __real_epoll_wait(int epfd, struct epoll_event *ev, int max, int timeout);
int __wrap_epoll_wait(int epfd, struct epoll_event *ev, int max, int timeout);

/* The device's I/O thread (thread_enter() names it); a test console's
 * event loop (tests/unit/loop_thread.h) waits in epoll_wait too. */
static inline bool fv_is_io_thread(void)
{
	char name[16] = "";

	prctl(PR_GET_NAME, name, 0, 0, 0);
	return !strcmp(name, "kvmux-io");
}

int __wrap_epoll_wait(int epfd, struct epoll_event *ev, int max, int timeout)
{
	int n;

	if (!fv_is_io_thread())
		return __real_epoll_wait(epfd, ev, max, timeout);
	pthread_mutex_lock(&fv_io_lock);
	fv_io_waiting++;
	pthread_cond_broadcast(&fv_io_cond);
	pthread_mutex_unlock(&fv_io_lock);
	n = __real_epoll_wait(epfd, ev, max, timeout);
	pthread_mutex_lock(&fv_io_lock);
	fv_io_waiting--;
	if (n > 0)
		fv_io_wakeups++;
	pthread_cond_broadcast(&fv_io_cond);
	pthread_mutex_unlock(&fv_io_lock);
	return n;
}

/* --- the model ---------------------------------------------------------- */

struct fv_buf {
	uint64_t gpa;
	uint32_t len;
	bool writable;
};

/* A chain as the model walked it. */
struct fv_chain {
	uint16_t head;
	unsigned int nr;
	struct fv_buf buf[VIRTQ_MAX_SIZE];
	uint64_t readable, writable;
};

/* One queue: the transport's registers, then what a device keeps of its
 * rings, then the driver's own next avail index. */
struct fv_queue {
	uint16_t num;
	uint64_t desc, driver, device;
	bool ready, broken, event_idx, indirect;
	uint16_t size, last_avail, used_idx, signalled_used;
	bool signalled_valid;
	uint16_t avail_idx;
};

struct fv_model {
	uint8_t mem[FV_RAM_BYTES];
	uint32_t status, device_sel, driver_sel, queue_sel;
	uint64_t driver_features;
	uint32_t int_status;
	uint64_t irqs; /* interrupts sent */
	struct fv_queue q[VIRTIO_MAX_QUEUES];
	char why[160]; /* the violation behind DEVICE_NEEDS_RESET */
};

struct fv;

/* What a target adds: its device, and the model of its requests. */
struct fv_device {
	const struct device_kind *kind;
	uint32_t device_id;
	unsigned int nr_queues;
	uint16_t queue_max;
	unsigned int nr_ops; /* its own steps */
	uint64_t (*features)(struct fv *v); /* device-specific ones */
	/* The config space: *len bytes (the rest reads as 0). */
	const uint8_t *(*config)(struct fv *v, size_t *len);
	/* The model of virtio_device_ops.queue_notify and .reset. */
	bool (*queue_notify)(struct fv *v, unsigned int q);
	void (*reset)(struct fv *v);
	void (*step)(struct fv *v, unsigned int op);
	void (*check)(struct fv *v); /* after every step */
	/* May the driver notify q now?  NULL: always.  (A console whose
	 * host side must never fill up says no to more than it can take.) */
	bool (*may_kick)(struct fv *v, unsigned int q);
};

struct fv {
	struct fuzz_in in;
	const struct fv_device *dev;
	void *state; /* the target's */
	struct test_guest g;
	struct test_vm vm;
	struct vt_dev d;
	void *instance;
	bool started, lost;
	uint64_t irqs; /* seen on the irqfd */
	unsigned int steps;
	uint64_t data_next; /* where the next buffer goes */
	struct fv_model m;
	struct fv_chain chain; /* the model's last pop */
};

/* The model's RAM, as gm_ptr() sees guest RAM. */
static inline uint8_t *fv_mptr(struct fv *v, uint64_t gpa, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < FV_NR_REGIONS; i++) {
		uint64_t start = fv_region_gpa[i], size = fv_region_size[i];

		if (gpa < start || gpa - start >= size)
			continue;
		if (len > size - (gpa - start))
			return NULL;
		return v->m.mem + fv_region_off[i] + (gpa - start);
	}
	return NULL;
}

static inline uint16_t fv_mget16(struct fv *v, uint64_t gpa)
{
	const uint8_t *p = fv_mptr(v, gpa, 2);

	return p[0] | p[1] << 8;
}

static inline void fv_mput(struct fv *v, uint64_t gpa, const void *src,
			   size_t len)
{
	memcpy(fv_mptr(v, gpa, len), src, len);
}

static inline void fv_mput16(struct fv *v, uint64_t gpa, uint16_t x)
{
	uint8_t b[2] = { x, x >> 8 };

	fv_mput(v, gpa, b, 2);
}

static inline void fv_mput32(struct fv *v, uint64_t gpa, uint32_t x)
{
	uint8_t b[4] = { x, x >> 8, x >> 16, x >> 24 };

	fv_mput(v, gpa, b, 4);
}

/* The driver writes guest RAM (and the model's) byte by byte: it may
 * straddle regions, and what is not RAM is dropped. */
static inline void fv_put(struct fv *v, uint64_t gpa, const void *src,
			  size_t len)
{
	const uint8_t *b = src;
	size_t i;

	for (i = 0; i < len; i++) {
		uint8_t *real = gm_ptr(&v->g.gm, gpa + i, 1);

		if (real) {
			*real = b[i];
			*fv_mptr(v, gpa + i, 1) = b[i];
		}
	}
}

static inline void fv_put16(struct fv *v, uint64_t gpa, uint16_t x)
{
	uint8_t b[2] = { x, x >> 8 };

	fv_put(v, gpa, b, 2);
}

static inline void fv_zero(struct fv *v, uint64_t gpa, size_t len)
{
	static const uint8_t zeros[0x2000];

	while (len) {
		size_t n = len < sizeof(zeros) ? len : sizeof(zeros);

		fv_put(v, gpa, zeros, n);
		gpa += n;
		len -= n;
	}
}

/* --- the model of the transport --------------------------------------- */

static inline uint64_t fv_offered(struct fv *v)
{
	return v->dev->features(v) | 1ULL << VIRTIO_F_VERSION_1 |
	       1ULL << VIRTIO_F_EVENT_IDX | 1ULL << VIRTIO_F_INDIRECT_DESC;
}

static inline void fv_raise(struct fv *v, uint32_t why)
{
	v->m.int_status |= why;
	v->m.irqs++;
}

/* The device names a violation: DEVICE_NEEDS_RESET (2.1.2), and a
 * configuration change interrupt once the driver is running. */
static inline void fv_fail(struct fv *v, const char *why)
{
	if (v->m.status & FV_S_NEEDS_RESET)
		return;
	v->m.status |= FV_S_NEEDS_RESET;
	if (why != v->m.why)
		snprintf(v->m.why, sizeof(v->m.why), "%s", why);
	fuzz_note("model: needs reset: %s", why);
	if (v->m.status & FV_S_DRIVER_OK)
		fv_raise(v, VIRTIO_MMIO_INT_CONFIG);
}

/* A queue breaks: the transport says so when the device returns. */
static inline int fv_break(struct fv *v, struct fv_queue *q, const char *why)
{
	if (!q->broken)
		snprintf(v->m.why, sizeof(v->m.why), "%s", why);
	q->broken = true;
	return -1;
}

static inline void fv_queue_clear(struct fv_queue *q)
{
	uint16_t avail_idx = q->avail_idx;
	uint16_t num = q->num;
	uint64_t desc = q->desc, driver = q->driver, device = q->device;

	memset(q, 0, sizeof(*q));
	q->avail_idx = avail_idx;
	q->num = num;
	q->desc = desc;
	q->driver = driver;
	q->device = device;
}

static inline void fv_reset(struct fv *v)
{
	struct fv_model *m = &v->m;
	unsigned int i;

	v->dev->reset(v);
	for (i = 0; i < VIRTIO_MAX_QUEUES; i++) {
		fv_queue_clear(&m->q[i]);
		m->q[i].num = 0;
		m->q[i].desc = m->q[i].driver = m->q[i].device = 0;
	}
	m->status = m->device_sel = m->driver_sel = m->queue_sel = 0;
	m->driver_features = 0;
	m->int_status = 0;
}

/* The three areas of a queue (2.7): descriptor table, driver area and
 * device area, each with its event field. */
static inline void fv_areas(const struct fv_queue *q, uint64_t gpa[3],
			    uint64_t len[3])
{
	gpa[0] = q->desc;
	len[0] = 16ULL * q->num;
	gpa[1] = q->driver;
	len[1] = 6 + 2ULL * q->num;
	gpa[2] = q->device;
	len[2] = 6 + 8ULL * q->num;
}

static inline bool fv_overlap(uint64_t a, uint64_t alen, uint64_t b,
			      uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* Why the driver's queue setup is unusable, or NULL: 2.7's size and
 * alignment rules, RAM, and no byte shared between the areas. */
static inline const char *fv_queue_flaw(struct fv *v, const struct fv_queue *q)
{
	static const uint64_t align[3] = { 16, 2, 4 };
	uint64_t gpa[3], len[3];
	unsigned int i, j;

	if (!q->num || q->num & (q->num - 1) || q->num > v->dev->queue_max)
		return "queue size not a power of 2 up to the maximum";
	fv_areas(q, gpa, len);
	for (i = 0; i < 3; i++) {
		if (gpa[i] % align[i])
			return "a ring is misaligned";
		if (!fv_mptr(v, gpa[i], len[i]))
			return "a ring is not RAM";
	}
	for (i = 0; i < 3; i++)
		for (j = i + 1; j < 3; j++)
			if (fv_overlap(gpa[i], len[i], gpa[j], len[j]))
				return "two rings of a queue overlap";
	return NULL;
}

static inline bool fv_queues_overlap(const struct fv_queue *a,
				     const struct fv_queue *b)
{
	uint64_t ga[3], la[3], gb[3], lb[3];
	unsigned int i, j;

	fv_areas(a, ga, la);
	fv_areas(b, gb, lb);
	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++)
			if (fv_overlap(ga[i], la[i], gb[j], lb[j]))
				return true;
	return false;
}

static inline bool fv_has(struct fv *v, unsigned int bit)
{
	return v->m.driver_features >> bit & 1;
}

/* QueueReady = 1: the rings are checked once, here. */
static inline void fv_queue_ready(struct fv *v, struct fv_queue *q)
{
	const char *flaw = fv_queue_flaw(v, q);
	unsigned int i;

	fv_queue_clear(q);
	if (flaw) {
		fv_fail(v, flaw);
		return;
	}
	q->ready = true;
	q->size = q->num;
	q->event_idx = fv_has(v, VIRTIO_F_EVENT_IDX);
	q->indirect = fv_has(v, VIRTIO_F_INDIRECT_DESC);
	/* The device area is the device's: it asks for every notification. */
	fv_mput16(v, q->device, 0);
	if (q->event_idx)
		fv_mput16(v, q->device + 4 + 8ULL * q->size, 0);
	for (i = 0; i < v->dev->nr_queues; i++) {
		if (&v->m.q[i] != q && v->m.q[i].ready &&
		    fv_queues_overlap(q, &v->m.q[i])) {
			fv_fail(v, "two queues overlap");
			fv_queue_clear(q);
			return;
		}
	}
}

static inline struct fv_queue *fv_selected(struct fv *v)
{
	return v->m.queue_sel < v->dev->nr_queues ? &v->m.q[v->m.queue_sel] :
						    NULL;
}

static inline void fv_set_half(uint64_t *x, bool high, uint32_t half)
{
	if (high)
		*x = (*x & 0xffffffffULL) | (uint64_t)half << 32;
	else
		*x = (*x & ~0xffffffffULL) | half;
}

/* Queue registers change only while the queue is not ready (4.2.2). */
static inline void fv_write_queue_reg(struct fv *v, uint64_t reg, uint32_t x)
{
	struct fv_queue *q = fv_selected(v);

	if (!q)
		return;
	if (reg == VIRTIO_MMIO_QUEUE_READY) {
		if (!x)
			fv_queue_clear(q);
		else if (!q->ready)
			fv_queue_ready(v, q);
		return;
	}
	if (q->ready)
		return;
	if (reg == VIRTIO_MMIO_QUEUE_NUM)
		q->num = x > 0xffff ? 0 : x;
	else if (reg == VIRTIO_MMIO_QUEUE_DESC_LOW ||
		 reg == VIRTIO_MMIO_QUEUE_DESC_HIGH)
		fv_set_half(&q->desc, reg == VIRTIO_MMIO_QUEUE_DESC_HIGH, x);
	else if (reg == VIRTIO_MMIO_QUEUE_AVAIL_LOW ||
		 reg == VIRTIO_MMIO_QUEUE_AVAIL_HIGH)
		fv_set_half(&q->driver, reg == VIRTIO_MMIO_QUEUE_AVAIL_HIGH, x);
	else if (reg == VIRTIO_MMIO_QUEUE_USED_LOW ||
		 reg == VIRTIO_MMIO_QUEUE_USED_HIGH)
		fv_set_half(&q->device, reg == VIRTIO_MMIO_QUEUE_USED_HIGH, x);
}

/* 3.1.1 and 2.2.2: FEATURES_OK only for offered features with
 * VERSION_1; 0 resets; the driver cannot clear DEVICE_NEEDS_RESET. */
static inline void fv_write_status(struct fv *v, uint32_t x)
{
	uint32_t newly = x & ~v->m.status;
	uint64_t f = v->m.driver_features;

	if (!x) {
		fv_reset(v);
		return;
	}
	x |= v->m.status & FV_S_NEEDS_RESET;
	if ((newly & FV_S_FEATURES_OK) &&
	    ((f & ~fv_offered(v)) || !(f >> VIRTIO_F_VERSION_1 & 1)))
		x &= ~FV_S_FEATURES_OK;
	v->m.status = x & 0xff;
}

/* A 32-bit register write; returns the queue it notifies, or -1. */
static inline int fv_write_reg(struct fv *v, uint64_t reg, uint32_t x)
{
	struct fv_model *m = &v->m;

	switch (reg) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		m->device_sel = x;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (!(m->status & FV_S_FEATURES_OK) && m->driver_sel <= 1)
			fv_set_half(&m->driver_features, m->driver_sel, x);
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		m->driver_sel = x;
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		m->queue_sel = x;
		break;
	case VIRTIO_MMIO_STATUS:
		fv_write_status(v, x);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		m->int_status &= ~x;
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		return x < v->dev->nr_queues ? (int)x : -1;
	default:
		fv_write_queue_reg(v, reg, x);
	}
	return -1;
}

static inline uint32_t fv_read_reg(struct fv *v, uint64_t reg)
{
	struct fv_model *m = &v->m;
	struct fv_queue *q = fv_selected(v);

	switch (reg) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return 0x74726976; /* "virt" */
	case VIRTIO_MMIO_VERSION:
		return 2;
	case VIRTIO_MMIO_DEVICE_ID:
		return v->dev->device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return 0x554d564b; /* kvmux's "KVMU" */
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return m->device_sel > 1 ?
			       0 :
			       fv_offered(v) >> (32 * m->device_sel);
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return q ? v->dev->queue_max : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return q ? q->ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return m->int_status;
	case VIRTIO_MMIO_STATUS:
		return m->status;
	default:
		return 0; /* write-only, reserved, CONFIG_GENERATION */
	}
}

/* What a read of len bytes at off in the window returns. */
static inline void fv_expect_read(struct fv *v, uint64_t off, unsigned int len,
				  uint8_t *out)
{
	uint32_t x;
	size_t size;
	const uint8_t *cfg = v->dev->config(v, &size);

	memset(out, 0, len);
	if (off + len > VIRTIO_MMIO_SIZE) {
		memset(out, 0xff, len); /* not the device's: the bus says so */
	} else if (off >= VIRTIO_MMIO_CONFIG) {
		off -= VIRTIO_MMIO_CONFIG;
		if (off <= size && len <= size - off)
			memcpy(out, cfg + off, len);
	} else if (len == 4 && off % 4 == 0) {
		x = fv_read_reg(v, off);
		memcpy(out, &x, 4);
	}
}

/* --- the model of the rings (2.7) --------------------------------------- */

struct fv_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

static inline void fv_read_desc(struct fv *v, uint64_t gpa, struct fv_desc *d)
{
	const uint8_t *p = fv_mptr(v, gpa, 16);

	memcpy(&d->addr, p, 8);
	memcpy(&d->len, p + 8, 4);
	memcpy(&d->flags, p + 12, 2);
	memcpy(&d->next, p + 14, 2);
	d->addr = le64toh(d->addr);
	d->len = le32toh(d->len);
	d->flags = le16toh(d->flags);
	d->next = le16toh(d->next);
}

/* One buffer of the chain: device-readable ones all come first
 * (2.7.4.2), and a buffer with bytes lies in RAM (one region). */
static inline int fv_add_buf(struct fv *v, struct fv_queue *q,
			     struct fv_chain *c, const struct fv_desc *d)
{
	bool writable = d->flags & VRING_DESC_F_WRITE;

	if (c->nr == VIRTQ_MAX_SIZE)
		return fv_break(v, q, "a chain of more than 1024 buffers");
	if (!writable && c->nr && c->buf[c->nr - 1].writable)
		return fv_break(v, q, "a readable buffer after a writable one");
	if (d->len && !fv_mptr(v, d->addr, d->len))
		return fv_break(v, q, "a buffer that is not RAM");
	c->buf[c->nr++] = (struct fv_buf){ d->addr, d->len, writable };
	if (writable)
		c->writable += d->len;
	else
		c->readable += d->len;
	return 0;
}

/* 2.7.5.3: a table of len / 16 descriptors, entered at 0, each visited
 * at most once, no table in a table, only when negotiated. */
static inline int fv_walk_table(struct fv *v, struct fv_queue *q,
				struct fv_chain *c, const struct fv_desc *t)
{
	unsigned int n = t->len / 16, i = 0, visited = 0;
	struct fv_desc d;

	if (!q->indirect)
		return fv_break(v, q, "an indirect table not negotiated");
	if (t->flags & VRING_DESC_F_NEXT)
		return fv_break(v, q, "an indirect descriptor with NEXT");
	if (!t->len || t->len % 16 || n > VIRTQ_MAX_SIZE)
		return fv_break(v, q, "an indirect table of a bad length");
	if (!fv_mptr(v, t->addr, t->len))
		return fv_break(v, q, "an indirect table that is not RAM");
	for (;;) {
		if (visited++ == n)
			return fv_break(v, q, "a loop in an indirect table");
		fv_read_desc(v, t->addr + 16ULL * i, &d);
		if (d.flags & VRING_DESC_F_INDIRECT)
			return fv_break(v, q, "an indirect table in a table");
		if (fv_add_buf(v, q, c, &d))
			return -1;
		if (!(d.flags & VRING_DESC_F_NEXT))
			return 0;
		if (d.next >= n)
			return fv_break(v, q, "next past the indirect table");
		i = d.next;
	}
}

/* The chain at head: at most size descriptors of the table, so a loop
 * is a violation; an indirect descriptor ends it. */
static inline int fv_walk(struct fv *v, struct fv_queue *q, struct fv_chain *c,
			  uint16_t head)
{
	unsigned int visited = 0;
	uint16_t i = head;
	struct fv_desc d;

	c->head = head;
	c->nr = 0;
	c->readable = c->writable = 0;
	for (;;) {
		if (visited++ == q->size)
			return fv_break(v, q, "a chain longer than the queue");
		fv_read_desc(v, q->desc + 16ULL * i, &d);
		if (d.flags & VRING_DESC_F_INDIRECT)
			return fv_walk_table(v, q, c, &d);
		if (fv_add_buf(v, q, c, &d))
			return -1;
		if (!(d.flags & VRING_DESC_F_NEXT))
			return 0;
		if (d.next >= q->size)
			return fv_break(v, q, "next past the queue");
		i = d.next;
	}
}

/* The next available chain: 1, 0 if none, -1 for a violation. */
static inline int fv_pop(struct fv *v, struct fv_queue *q, struct fv_chain *c)
{
	uint16_t idx, head;

	if (!q->ready)
		return 0;
	if (q->broken)
		return -1;
	idx = fv_mget16(v, q->driver + 2);
	if (idx == q->last_avail)
		return 0;
	if ((uint16_t)(idx - q->last_avail) > q->size)
		return fv_break(v, q, "avail idx more than a queue ahead");
	head = fv_mget16(v, q->driver + 4 + 2ULL * (q->last_avail % q->size));
	if (head >= q->size)
		return fv_break(v, q, "an avail ring head past the queue");
	if (fv_walk(v, q, c, head))
		return -1;
	q->last_avail++;
	return 1;
}

/* 2.7.8: the used element, then the index. */
static inline void fv_push(struct fv *v, struct fv_queue *q, uint16_t head,
			   uint32_t written)
{
	uint64_t elem;

	if (!q->ready)
		return;
	elem = q->device + 4 + 8ULL * (q->used_idx % q->size);
	fv_mput32(v, elem, head);
	fv_mput32(v, elem + 4, written);
	q->used_idx++;
	fv_mput16(v, q->device + 2, q->used_idx);
}

/* 2.7.10: without EVENT_IDX, used->flags says "do not notify" while
 * the device is busy; with it, avail_event says where to notify. */
static inline void fv_disable_notify(struct fv *v, struct fv_queue *q)
{
	if (q->ready && !q->event_idx)
		fv_mput16(v, q->device, VRING_USED_F_NO_NOTIFY);
}

static inline bool fv_enable_notify(struct fv *v, struct fv_queue *q)
{
	if (!q->ready || q->broken)
		return false;
	if (q->event_idx)
		fv_mput16(v, q->device + 4 + 8ULL * q->size, q->last_avail);
	else
		fv_mput16(v, q->device, 0);
	return fv_mget16(v, q->driver + 2) != q->last_avail;
}

/* 2.7.7 and 2.7.10: does the driver want this used buffer notification?
 * With EVENT_IDX: when used_event lies in [the index at the last one,
 * the index now), and always the first time. */
static inline void fv_used(struct fv *v, struct fv_queue *q)
{
	uint16_t old = q->signalled_used, event;
	bool valid = q->signalled_valid, wants;

	if (!q->ready)
		return;
	if (!q->event_idx) {
		wants = !(fv_mget16(v, q->driver) & VRING_AVAIL_F_NO_INTERRUPT);
	} else {
		q->signalled_used = q->used_idx;
		q->signalled_valid = true;
		event = fv_mget16(v, q->driver + 4 + 2ULL * q->size);
		wants = !valid || (uint16_t)(q->used_idx - event - 1) <
					  (uint16_t)(q->used_idx - old);
	}
	if (wants)
		fv_raise(v, VIRTIO_MMIO_INT_VRING);
}

/* Copy between the model's RAM and a chain's readable (or writable)
 * part, from byte off of that part; returns the bytes copied. */
static inline uint64_t fv_chain_copy(struct fv *v, const struct fv_chain *c,
				     bool writable, uint64_t off, uint8_t *dst,
				     const uint8_t *src, uint64_t len)
{
	uint64_t done = 0, n;
	unsigned int i;

	for (i = 0; i < c->nr && done < len; i++) {
		const struct fv_buf *b = &c->buf[i];

		if (b->writable != writable)
			continue;
		if (off >= b->len) {
			off -= b->len;
			continue;
		}
		n = b->len - off < len - done ? b->len - off : len - done;
		if (writable)
			fv_mput(v, b->gpa + off, src + done, n);
		else
			memcpy(dst + done, fv_mptr(v, b->gpa + off, n), n);
		done += n;
		off = 0;
	}
	return done;
}

static inline uint64_t fv_chain_read(struct fv *v, const struct fv_chain *c,
				     uint64_t off, void *dst, uint64_t len)
{
	return fv_chain_copy(v, c, false, off, dst, NULL, len);
}

static inline uint64_t fv_chain_write(struct fv *v, const struct fv_chain *c,
				      uint64_t off, const void *src,
				      uint64_t len)
{
	return fv_chain_copy(v, c, true, off, NULL, src, len);
}

/* One wake-up of the I/O thread for queue q (the transport's service:
 * the device only once the driver is running and nothing is broken). */
static inline bool fv_serve(struct fv *v, unsigned int q)
{
	struct fv_queue *vq = &v->m.q[q];
	bool more = false;

	if ((v->m.status & FV_S_DRIVER_OK) &&
	    !(v->m.status & FV_S_NEEDS_RESET) && vq->ready && !vq->broken)
		more = v->dev->queue_notify(v, q);
	if (vq->broken)
		fv_fail(v, v->m.why);
	return more;
}

/* A notification of queue q: the wake-ups it takes, or -1 if the device
 * is still busy after FV_MAX_WAKEUPS of them. */
static inline int fv_model_kick(struct fv *v, unsigned int q)
{
	int n = 1;

	while (fv_serve(v, q))
		if (++n > FV_MAX_WAKEUPS)
			return -1;
	return n;
}

/* --- the real device ---------------------------------------------------- */

static inline int fv_readable(struct fv *v)
{
	struct pollfd p[VT_MAX_QUEUES];
	unsigned int i;

	for (i = 0; i < v->dev->nr_queues; i++)
		p[i] = (struct pollfd){ .fd = v->d.notify_fd[i],
					.events = POLLIN };
	return poll(p, v->dev->nr_queues, 0);
}

/* Waits are bounded on CLOCK_MONOTONIC: a step of the wall clock must
 * not end one early.  Once, before the first device thread exists. */
static inline void fv_cond_init(void)
{
	static bool done;
	pthread_condattr_t a;

	if (done)
		return;
	FUZZ_CHECK(pthread_condattr_init(&a) == 0 &&
		   pthread_condattr_setclock(&a, CLOCK_MONOTONIC) == 0 &&
		   pthread_cond_init(&fv_io_cond, &a) == 0);
	pthread_condattr_destroy(&a);
	done = true;
}

/* Under fv_io_lock: wait for a change, or 1 ms.  The predicate is looked
 * at again either way, so a wake-up missed costs a millisecond, not the
 * bound (one was, under load, with the I/O thread idle all along). */
static inline void fv_wait_a_little(uint64_t end_ns)
{
	struct timespec ts;
	uint64_t now = thread_now_ns(), until = now + 1000000;

	if (until > end_ns)
		until = end_ns;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (until - now) / 1000000000ULL;
	ts.tv_nsec += (until - now) % 1000000000ULL;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&fv_io_cond, &fv_io_lock, &ts);
}

/*
 * Wait until the I/O thread is back in epoll_wait with nothing to do:
 * inside the wrapper with no notify eventfd readable (under the lock, a
 * thread that left epoll_wait has not yet counted its wake-up nor drained
 * its eventfd, and a device that kicks itself does so before it waits
 * again).  Returns its wake-ups meanwhile, or -1 if it is still busy
 * after more than `most` of them.  Fails the input when the bound in
 * time passes.
 */
static inline int fv_settle(struct fv *v, uint64_t since, int most)
{
	uint64_t end = thread_now_ns() + FV_SETTLE_NS, seen;

	pthread_mutex_lock(&fv_io_lock);
	for (;;) {
		seen = fv_io_wakeups;
		if (most >= 0 && seen - since > (uint64_t)most)
			break;
		if (fv_io_waiting && !fv_readable(v)) {
			pthread_mutex_unlock(&fv_io_lock);
			return seen - since;
		}
		if (thread_now_ns() >= end)
			fuzz_fail("%s: the I/O thread did not go idle within "
				  "%llu s (%u in epoll_wait, %llu wake-ups "
				  "since, a notify fd readable: %d)",
				  v->dev->kind->name,
				  (unsigned long long)(FV_SETTLE_NS /
						       1000000000ULL),
				  fv_io_waiting,
				  (unsigned long long)(seen - since),
				  fv_readable(v));
		fv_wait_a_little(end);
	}
	pthread_mutex_unlock(&fv_io_lock);
	return -1;
}

static inline uint64_t fv_wakeups(void)
{
	uint64_t n;

	pthread_mutex_lock(&fv_io_lock);
	n = fv_io_wakeups;
	pthread_mutex_unlock(&fv_io_lock);
	return n;
}

/* The device stops by its deadline, whatever the guest made it do. */
static inline void fv_stop(struct fv *v)
{
	if (!v->started)
		return;
	v->started = false;
	FUZZ_CHECK(v->dev->kind->stop(v->instance,
				      thread_now_ns() +
					      THREAD_JOIN_TIMEOUT_NS) == 0);
}

/*
 * Something notified queue q (-1: nothing), which the model says takes
 * `want` wake-ups of the I/O thread (-1: more than FV_MAX_WAKEUPS): wait
 * for the device to have done as many.  A device the model sees keep
 * going is stopped; the model cannot follow it further.
 */
static inline void fv_settle_as(struct fv *v, int q, uint64_t since, int want)
{
	int got = fv_settle(v, since, FV_MAX_WAKEUPS);

	if (want < 0) {
		if (got >= 0)
			fuzz_fail("queue %d: the I/O thread went idle after %d "
				  "wake-ups, the model keeps it busy",
				  q, got);
		fuzz_note("the device keeps serving queue %d: stopped", q);
		fv_stop(v);
		v->lost = true;
		return;
	}
	if (got != want)
		fuzz_fail("queue %d: %d wake-ups of the I/O thread, the model "
			  "needs %d",
			  q, got, want);
}

/* The driver notified queue q (-1: nothing): the model serves it too. */
static inline void fv_run(struct fv *v, int q, uint64_t since)
{
	fv_settle_as(v, q, since, q >= 0 ? fv_model_kick(v, q) : 0);
}

/* --- checks after every step ------------------------------------------- */

static inline uint32_t fv_bus_read32(struct fv *v, uint64_t reg)
{
	uint32_t x = 0xdeadbeef;

	bus_access(&v->vm.mmio, v->d.base + reg, false, &x, 4);
	return x;
}

static inline void fv_check_ram(struct fv *v)
{
	unsigned int i;
	uint64_t j;

	for (i = 0; i < FV_NR_REGIONS; i++) {
		const uint8_t *real = v->g.gm.region[i].host;
		const uint8_t *model = v->m.mem + fv_region_off[i];

		if (!memcmp(real, model, fv_region_size[i]))
			continue;
		for (j = 0; real[j] == model[j]; j++)
			;
		fuzz_fail("guest RAM at %#llx is %#x, the model says %#x",
			  (unsigned long long)(fv_region_gpa[i] + j), real[j],
			  model[j]);
	}
}

static inline void fv_check(struct fv *v)
{
	uint32_t status = fv_bus_read32(v, VIRTIO_MMIO_STATUS);
	uint32_t isr = fv_bus_read32(v, VIRTIO_MMIO_INTERRUPT_STATUS);

	if (status != v->m.status)
		fuzz_fail("status %#x, the model says %#x (%s)", status,
			  v->m.status,
			  v->m.status & FV_S_NEEDS_RESET ? v->m.why :
							   v->vm.note);
	if (isr != v->m.int_status)
		fuzz_fail("InterruptStatus %#x, the model says %#x", isr,
			  v->m.int_status);
	v->irqs += vt_irqs(&v->d);
	if (v->irqs != v->m.irqs)
		fuzz_fail("%llu interrupts, the model says %llu",
			  (unsigned long long)v->irqs,
			  (unsigned long long)v->m.irqs);
	fv_check_ram(v);
	v->dev->check(v);
}

/* --- the driver's steps ------------------------------------------------- */

/* An MMIO access at off in the window (past it at times): the bus and
 * the transport against the model. */
static inline void fv_access(struct fv *v, uint64_t off, unsigned int len,
			     bool is_write, uint64_t x)
{
	uint8_t got[8], want[8];
	uint64_t since = fv_wakeups();
	int q = -1;

	if (!is_write) {
		fv_expect_read(v, off, len, want);
		memset(got, 0xee, sizeof(got));
		bus_access(&v->vm.mmio, v->d.base + off, false, got, len);
		if (memcmp(got, want, len))
			fuzz_fail("read of %u bytes at %#llx: %#llx, the model "
				  "says %#llx",
				  len, (unsigned long long)off,
				  (unsigned long long)*(uint64_t *)got,
				  (unsigned long long)*(uint64_t *)want);
		return;
	}
	if (off == VIRTIO_MMIO_QUEUE_NOTIFY && len == 4 &&
	    (uint32_t)x < v->dev->nr_queues && v->dev->may_kick &&
	    !v->dev->may_kick(v, x))
		return;
	if (off + len <= VIRTIO_MMIO_CONFIG && len == 4 && off % 4 == 0)
		q = fv_write_reg(v, off, x);
	bus_access(&v->vm.mmio, v->d.base + off, true, &x, len);
	fv_run(v, q, since);
}

static inline void fv_write32(struct fv *v, uint64_t reg, uint32_t x)
{
	fv_access(v, reg, 4, true, x);
}

static const unsigned int fv_widths[4] = { 1, 2, 4, 8 };

/* u16 offset (modulo 0x210: a little past the window), u8 width (1, 2,
 * 4, 8 by its low bits; bit 2: read), u64 value. */
static inline void fv_op_access(struct fv *v)
{
	uint64_t off = fuzz_u16(&v->in) % (VIRTIO_MMIO_SIZE + 0x10);
	uint8_t w = fuzz_u8(&v->in);

	fv_access(v, off, fv_widths[w & 3], !(w & 4), fuzz_u64(&v->in));
}

/* A register by its number (0x00-0xfc / 4): u8 register, u32 value. */
static inline void fv_op_reg(struct fv *v)
{
	uint64_t reg = (fuzz_u8(&v->in) % 64) * 4ULL;

	fv_write32(v, reg, fuzz_u32(&v->in));
}

/* Guest RAM: u8 where (bits 0-1: region; the rest with the u16 below:
 * the offset), u16 offset, u8 length, the bytes. */
static inline void fv_op_write(struct fv *v)
{
	uint8_t where = fuzz_u8(&v->in);
	unsigned int r = (where & 3) % FV_NR_REGIONS;
	uint64_t off = (fuzz_u16(&v->in) | (where >> 2) << 16) %
		       (fv_region_size[r] + 8);
	size_t len;
	const uint8_t *b = fuzz_bytes(&v->in, fuzz_u8(&v->in), &len);

	fv_put(v, fv_region_gpa[r] + off, b, len);
}

static inline struct fv_queue *fv_queue_arg(struct fv *v)
{
	return &v->m.q[fuzz_u8(&v->in) % v->dev->nr_queues];
}

/* Where the driver believes its queue is: its registers, not the
 * device's checks (the driver may be wrong). */
static inline uint16_t fv_size(const struct fv_queue *q)
{
	return q->num ? q->num : 1;
}

static inline void fv_desc(struct fv *v, struct fv_queue *q, unsigned int i,
			   uint64_t addr, uint32_t len, uint16_t flags,
			   uint16_t next)
{
	uint8_t d[16];

	fuzz_vring_desc(d, addr, len, flags, next);
	fv_put(v, q->desc + 16ULL * (i % fv_size(q)), d, sizeof(d));
}

/* One descriptor: u8 queue, u16 index, u8 form (bit 0: u64 address,
 * else u16 from the data area; bit 1: u32 length, else u16), address,
 * length, u16 flags, u16 next. */
static inline void fv_op_desc(struct fv *v)
{
	struct fv_queue *q = fv_queue_arg(v);
	uint16_t i = fuzz_u16(&v->in);
	uint8_t form = fuzz_u8(&v->in);
	uint64_t addr =
		form & 1 ? fuzz_u64(&v->in) : FV_DATA_GPA + fuzz_u16(&v->in);
	uint32_t len = form & 2 ? fuzz_u32(&v->in) : fuzz_u16(&v->in);
	uint16_t flags = fuzz_u16(&v->in);

	fv_desc(v, q, i, addr, len, flags, fuzz_u16(&v->in));
}

/* Make the chain at head available (2.7.13). */
static inline void fv_avail(struct fv *v, struct fv_queue *q, uint16_t head)
{
	fv_put16(v, q->driver + 4 + 2ULL * (q->avail_idx % fv_size(q)), head);
	fv_put16(v, q->driver + 2, ++q->avail_idx);
}

/* Notify queue q the way KVM does: its ioeventfd. */
static inline void fv_notify(struct fv *v, unsigned int q)
{
	uint64_t since = fv_wakeups();

	if (v->dev->may_kick && !v->dev->may_kick(v, q))
		return;
	FUZZ_CHECK(vt_kick(&v->d, q));
	fv_run(v, q, since);
}

/* u8 queue, u16 head. */
static inline void fv_op_avail(struct fv *v)
{
	struct fv_queue *q = fv_queue_arg(v);

	fv_avail(v, q, fuzz_u16(&v->in));
}

/* u8 queue: its ioeventfd (a value past the queues: the register). */
static inline void fv_op_notify(struct fv *v)
{
	uint8_t q = fuzz_u8(&v->in);

	if (q < v->dev->nr_queues)
		fv_notify(v, q);
	else
		fv_write32(v, VIRTIO_MMIO_QUEUE_NOTIFY, q - v->dev->nr_queues);
}

/* A ring field of the driver: u8 queue, u8 field (avail flags, avail
 * idx, used_event), u16 value. */
static inline void fv_op_ring(struct fv *v)
{
	struct fv_queue *q = fv_queue_arg(v);
	uint8_t field = fuzz_u8(&v->in) % 3;
	uint16_t x = fuzz_u16(&v->in);

	if (field == 0)
		fv_put16(v, q->driver, x);
	else if (field == 1)
		fv_put16(v, q->driver + 2, q->avail_idx = x);
	else
		fv_put16(v, q->driver + 4 + 2ULL * fv_size(q), x);
}

/* Set up queue qi: u8 size (log2, modulo 11), u8 layout (0: the
 * standard place; 1: descriptors at 4 GiB; else three u64 addresses). */
static inline void fv_setup_queue(struct fv *v, unsigned int qi)
{
	struct fv_queue *q = &v->m.q[qi];
	uint16_t size = 1U << (fuzz_u8(&v->in) % 11);
	uint8_t layout = fuzz_u8(&v->in);
	uint64_t desc = FV_RING_GPA(qi), avail = desc + 0x1000,
		 used = desc + 0x1800;

	if (layout == 1) {
		desc = fv_region_gpa[2];
	} else if (layout > 1) {
		desc = fuzz_u64(&v->in);
		avail = fuzz_u64(&v->in);
		used = fuzz_u64(&v->in);
	}
	fv_zero(v, avail, 6 + 2 * size);
	fv_zero(v, used, 6 + 8 * size);
	q->avail_idx = 0;
	fv_write32(v, VIRTIO_MMIO_QUEUE_SEL, qi);
	fv_write32(v, VIRTIO_MMIO_QUEUE_NUM, size);
	fv_write32(v, VIRTIO_MMIO_QUEUE_DESC_LOW, desc);
	fv_write32(v, VIRTIO_MMIO_QUEUE_DESC_HIGH, desc >> 32);
	fv_write32(v, VIRTIO_MMIO_QUEUE_AVAIL_LOW, avail);
	fv_write32(v, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, avail >> 32);
	fv_write32(v, VIRTIO_MMIO_QUEUE_USED_LOW, used);
	fv_write32(v, VIRTIO_MMIO_QUEUE_USED_HIGH, used >> 32);
	fv_write32(v, VIRTIO_MMIO_QUEUE_READY, 1);
}

/* The driver's initialization (3.1.1): u8 features (bit 0 EVENT_IDX,
 * bit 1 INDIRECT_DESC, bit 2 all the device offers, bit 3 a raw u64
 * follows), then each queue's setup, then DRIVER_OK. */
static inline void fv_op_setup(struct fv *v)
{
	uint8_t sel = fuzz_u8(&v->in);
	uint64_t f = 1ULL << VIRTIO_F_VERSION_1;
	unsigned int i;

	if (sel & 1)
		f |= 1ULL << VIRTIO_F_EVENT_IDX;
	if (sel & 2)
		f |= 1ULL << VIRTIO_F_INDIRECT_DESC;
	if (sel & 4)
		f |= v->dev->features(v);
	if (sel & 8)
		f = fuzz_u64(&v->in);
	fv_write32(v, VIRTIO_MMIO_STATUS, 0);
	fv_write32(v, VIRTIO_MMIO_STATUS, FV_S_ACK);
	fv_write32(v, VIRTIO_MMIO_STATUS, FV_S_ACK | FV_S_DRIVER);
	fv_write32(v, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	fv_write32(v, VIRTIO_MMIO_DRIVER_FEATURES, f);
	fv_write32(v, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	fv_write32(v, VIRTIO_MMIO_DRIVER_FEATURES, f >> 32);
	fv_write32(v, VIRTIO_MMIO_STATUS,
		   FV_S_ACK | FV_S_DRIVER | FV_S_FEATURES_OK);
	for (i = 0; i < v->dev->nr_queues; i++)
		fv_setup_queue(v, i);
	fv_write32(v, VIRTIO_MMIO_STATUS,
		   FV_S_ACK | FV_S_DRIVER | FV_S_FEATURES_OK | FV_S_DRIVER_OK);
}

/* Room for a buffer of len bytes in the data area, the next one after
 * the last, aligned to 16 (one larger than the area runs past RAM). */
static inline uint64_t fv_alloc(struct fv *v, uint64_t len)
{
	uint64_t at;

	if (v->data_next < FV_DATA_GPA || v->data_next + len > FV_DATA_END)
		v->data_next = FV_DATA_GPA;
	at = v->data_next;
	v->data_next = (at + len + 15) & ~15ULL;
	return at;
}

/* A chain as the driver lays it out, before it is written. */
struct fv_layout {
	unsigned int n;
	struct {
		uint64_t addr;
		uint32_t len;
		uint16_t flags;
	} d[8];
};

static inline void fv_lay(struct fv_layout *o, uint64_t addr, uint32_t len,
			  uint16_t flags)
{
	if (o->n == 8)
		return;
	o->d[o->n].addr = addr;
	o->d[o->n].len = len;
	o->d[o->n++].flags = flags;
}

/* Into queue q's table from head on, or into an indirect table at
 * table (not 0) that the head descriptor points to; NEXT on all but the
 * last.  Then the chain is made available. */
static inline void fv_lay_out(struct fv *v, struct fv_queue *q,
			      const struct fv_layout *o, uint16_t head,
			      uint64_t table)
{
	struct fv_queue t = { .desc = table, .num = o->n };
	unsigned int i;

	head %= fv_size(q);
	for (i = 0; i < o->n; i++) {
		bool last = i + 1 == o->n;
		uint16_t flags = o->d[i].flags | (last ? 0 : VRING_DESC_F_NEXT);

		if (table)
			fv_desc(v, &t, i, o->d[i].addr, o->d[i].len, flags,
				last ? 0 : i + 1);
		else
			fv_desc(v, q, head + i, o->d[i].addr, o->d[i].len,
				flags, (head + i + 1) % fv_size(q));
	}
	if (table)
		fv_desc(v, q, head, table, 16 * o->n, VRING_DESC_F_INDIRECT, 0);
	fv_avail(v, q, head);
}

/* Buffers of len bytes in all, in 1 + (split & 3) pieces, at 4 GiB and
 * right after low RAM when high is set and they fit, else in the data
 * area; their contents from fill (NULL: left as they are). */
static inline void fv_lay_bufs(struct fv *v, struct fv_layout *o, uint32_t len,
			       uint8_t split, bool high, uint16_t flags,
			       const uint8_t *fill)
{
	unsigned int i, nr = 1 + (split & 3);
	uint32_t off = 0, part;
	uint64_t gpa;

	for (i = 0; i < nr && off < len; i++, off += part) {
		part = i == nr - 1 ? len - off : len / nr;
		if (high && part <= 0x1000)
			gpa = fv_region_gpa[1 + i % 2];
		else
			gpa = fv_alloc(v, part);
		if (fill)
			fv_put(v, gpa, fill + off, part);
		fv_lay(o, gpa, part, flags);
	}
}

enum fv_op {
	FV_OP_ACCESS,
	FV_OP_REG,
	FV_OP_WRITE,
	FV_OP_DESC,
	FV_OP_AVAIL,
	FV_OP_NOTIFY,
	FV_OP_RING,
	FV_OP_SETUP,
	FV_NR_OPS
};

static inline void fv_step(struct fv *v)
{
	static void (*const op[FV_NR_OPS])(struct fv *) = {
		fv_op_access, fv_op_reg,    fv_op_write, fv_op_desc,
		fv_op_avail,  fv_op_notify, fv_op_ring,	 fv_op_setup,
	};
	unsigned int n = fuzz_u8(&v->in) % (FV_NR_OPS + v->dev->nr_ops);

	if (n < FV_NR_OPS)
		op[n](v);
	else
		v->dev->step(v, n - FV_NR_OPS);
	if (!v->lost)
		fv_check(v);
}

/* --- one input ---------------------------------------------------------- */

static inline void fv_guest_init(struct fv *v)
{
	static uint8_t *host[FV_NR_REGIONS];
	unsigned int i;

	for (i = 0; i < FV_NR_REGIONS; i++) {
		if (!host[i])
			host[i] = malloc(fv_region_size[i]);
		FUZZ_CHECK(host[i] != NULL);
		memset(host[i], 0, fv_region_size[i]);
		v->g.gm.region[i] =
			(struct gm_region){ fv_region_gpa[i], fv_region_size[i],
					    host[i] };
	}
	v->g.gm.nr_regions = FV_NR_REGIONS;
}

/*
 * The device is attached to a fresh fake VM over fresh RAM, started,
 * and then driven by the rest of the input; cfg says which instance.
 * Returns 0, or -1 if the device refused to open (then nothing ran).
 */
static inline int fv_begin(struct fv *v, const struct vm_config *cfg,
			   struct console_sink *sink)
{
	const struct device_kind *kind = v->dev->kind;

	fv_cond_init();
	fv_guest_init(v);
	memset(&v->m, 0, sizeof(v->m));
	test_vm_init(&v->vm, &v->g.gm, 1);
	v->vm.env.console = sink;
	v->instance = test_attach(&v->vm, kind, cfg, 0);
	if (!v->instance)
		return -1;
	vt_init(&v->d, &v->vm, &v->g, 0);
	FUZZ_CHECK(v->vm.nr_ioeventfds == v->dev->nr_queues);
	FUZZ_CHECK(kind->start(v->instance) == 0);
	v->started = true;
	fv_settle(v, fv_wakeups(), 0);
	return 0;
}

static inline void fv_drive(struct fv *v)
{
	while (v->in.left && !v->lost && v->steps++ < FV_MAX_STEPS)
		fv_step(v);
}

/* Stop the device (by its deadline) and free it. */
static inline void fv_end(struct fv *v)
{
	fv_stop(v);
	v->dev->kind->destroy(v->instance);
	test_vm_free(&v->vm);
}

#endif
