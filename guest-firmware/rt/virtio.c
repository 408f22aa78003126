// SPDX-License-Identifier: GPL-2.0-only
/*
 * virtio.c - virtio-mmio discovery, device initialisation and split
 * virtqueues, polled.  See virtio.h for the model.
 *
 * Queue memory comes from a page-aligned arena: descriptor table, available
 * ring and used ring each start on a page of their own, which more than
 * satisfies the 16/2/4-byte alignments of 2.7.  The arena is RT_NOINIT and
 * arena_alloc() zeroes what it hands out, so start-up never clears it.  Guest-physical
 * == virtual (the runtime's identity map), so buffer pointers go into
 * descriptors as they are.
 */
#include "fdt_dev.h"
#include "virtio.h"

#define PAGE_SIZE 4096
#define ARENA_PAGES (VIRTIO_MAX_DEVS * VIRTIO_MAX_QUEUES * 3)
#define RESET_POLL_LIMIT 1000

static uint8_t arena[ARENA_PAGES][PAGE_SIZE] RT_NOINIT
	__attribute__((aligned(PAGE_SIZE)));
static unsigned int arena_used;

static void *arena_alloc(size_t bytes)
{
	unsigned int pages = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
	void *p;

	if (arena_used + pages > ARENA_PAGES)
		return NULL;
	p = arena[arena_used];
	arena_used += pages;
	memset(p, 0, (size_t)pages * PAGE_SIZE);
	return p;
}

/* x86 is TSO: only a store followed by a load needs a fence. */
static inline void barrier(void)
{
	asm volatile("" : : : "memory");
}

static inline void full_barrier(void)
{
	asm volatile("mfence" : : : "memory");
}

static inline void cpu_relax(void)
{
	asm volatile("pause" : : : "memory");
}

/* ---- discovery ---- */

static bool probe(struct virtio_dev *d)
{
	uint32_t magic = virtio_read32(d, VIRTIO_MMIO_MAGIC);

	if (magic != VIRTIO_MMIO_MAGIC_VALUE) {
		rt_printf("virtio: 0x%lx: bad magic 0x%x\n",
			  (unsigned long)d->base, magic);
		return false;
	}
	d->version = virtio_read32(d, VIRTIO_MMIO_VERSION);
	d->device_id = virtio_read32(d, VIRTIO_MMIO_DEVICE_ID);
	d->vendor_id = virtio_read32(d, VIRTIO_MMIO_VENDOR_ID);
	return d->device_id != 0; /* 0: a placeholder slot */
}

static const char *parse_num(const char *p, const char *end, uint64_t *val)
{
	unsigned int base = 10, digit;
	const char *start;
	uint64_t n = 0;

	if (end - p > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	for (start = p; p < end; p++) {
		if (*p >= '0' && *p <= '9')
			digit = *p - '0';
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			digit = *p - 'a' + 10;
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			digit = *p - 'A' + 10;
		else
			break;
		n = n * base + digit;
	}
	*val = n;
	return p == start ? NULL : p;
}

/* "virtio_mmio.device=<size>[KMG]@<base>:<irq>", as Linux parses it. */
static bool parse_cmdline_dev(const char *p, const char *end,
			      struct virtio_dev *d)
{
	uint64_t size, base, irq;

	p = parse_num(p, end, &size);
	if (!p)
		return false;
	if (p < end && (*p == 'K' || *p == 'k'))
		size <<= 10, p++;
	else if (p < end && (*p == 'M' || *p == 'm'))
		size <<= 20, p++;
	else if (p < end && (*p == 'G' || *p == 'g'))
		size <<= 30, p++;
	if (p >= end || *p++ != '@')
		return false;
	p = parse_num(p, end, &base);
	if (!p || p >= end || *p++ != ':')
		return false;
	p = parse_num(p, end, &irq);
	if (!p)
		return false;
	d->base = base;
	d->size = size;
	d->irq = irq;
	return true;
}

int virtio_cmdline_parse(const char *cmdline, struct virtio_dev *devs, int max)
{
	static const char key[] = "virtio_mmio.device=";
	const char *p = cmdline, *tok;
	int n = 0;

	while (*p && n < max) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		tok = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n')
			p++;
		if ((size_t)(p - tok) <= sizeof(key) - 1 ||
		    strncmp(tok, key, sizeof(key) - 1))
			continue;
		memset(&devs[n], 0, sizeof(devs[n]));
		if (parse_cmdline_dev(tok + sizeof(key) - 1, p, &devs[n])) {
			devs[n].found_by = "cmdline";
			n++;
		}
	}
	return n;
}

static int discover_cmdline(const char *cmdline, struct virtio_dev *devs,
			    int max)
{
	int i, nr = virtio_cmdline_parse(cmdline, devs, max), n = 0;

	for (i = 0; i < nr; i++)
		if (probe(&devs[i]))
			devs[n++] = devs[i];
	return n;
}

int virtio_discover(const struct boot_info *bi, struct virtio_dev *devs,
		    int max)
{
	struct rt_fdt_dev fd[VIRTIO_MAX_DEVS];
	int i, nr, n = 0;

	nr = rt_fdt_find_compatible(bi, "virtio,mmio", fd, VIRTIO_MAX_DEVS);
	if (nr < 0)
		return discover_cmdline(bi->cmdline, devs, max);
	if (nr > VIRTIO_MAX_DEVS)
		nr = VIRTIO_MAX_DEVS;
	for (i = 0; i < nr && n < max; i++) {
		if (!fd[i].base || fd[i].size < VIRTIO_MMIO_CONFIG) {
			rt_printf("virtio: %s: bad reg\n", fd[i].name);
			continue;
		}
		memset(&devs[n], 0, sizeof(devs[n]));
		devs[n].base = fd[i].base;
		devs[n].size = fd[i].size;
		devs[n].irq = fd[i].has_irq ? fd[i].irq : 0;
		devs[n].found_by = "dtb";
		if (probe(&devs[n]))
			n++;
	}
	return n;
}

struct virtio_dev *virtio_find(struct virtio_dev *devs, int nr, uint32_t id,
			       int n)
{
	int i;

	for (i = 0; i < nr; i++)
		if (devs[i].device_id == id && n-- == 0)
			return &devs[i];
	return NULL;
}

/* ---- status, config ---- */

uint32_t virtio_status(const struct virtio_dev *d)
{
	return virtio_read32(d, VIRTIO_MMIO_STATUS);
}

bool virtio_check_needs_reset(const struct virtio_dev *d)
{
	uint32_t st = virtio_status(d);

	if (!(st & VIRTIO_STATUS_NEEDS_RESET))
		return false;
	rt_printf("virtio: 0x%lx: DEVICE_NEEDS_RESET (status 0x%x)\n",
		  (unsigned long)d->base, st);
	return true;
}

uint32_t virtio_config32(const struct virtio_dev *d, unsigned int off)
{
	return virtio_read32(d, VIRTIO_MMIO_CONFIG + off);
}

uint64_t virtio_config64(const struct virtio_dev *d, unsigned int off)
{
	uint32_t gen, lo, hi;

	do {
		gen = virtio_read32(d, VIRTIO_MMIO_CONFIG_GENERATION);
		lo = virtio_config32(d, off);
		hi = virtio_config32(d, off + 4);
	} while (gen != virtio_read32(d, VIRTIO_MMIO_CONFIG_GENERATION));
	return (uint64_t)hi << 32 | lo;
}

/* ---- initialisation (3.1.1) ---- */

void virtio_reset(struct virtio_dev *d)
{
	unsigned int i;

	virtio_write32(d, VIRTIO_MMIO_STATUS, 0);
	/* 4.2.3.1: wait until the reset has taken effect. */
	for (i = 0; i < RESET_POLL_LIMIT; i++)
		if (virtio_status(d) == 0)
			break;
	for (i = 0; i < VIRTIO_MAX_QUEUES; i++)
		d->vq[i].size = 0;
	d->nr_queues = 0;
}

static void set_status(struct virtio_dev *d, uint32_t bits)
{
	virtio_write32(d, VIRTIO_MMIO_STATUS, virtio_status(d) | bits);
}

static int fail(struct virtio_dev *d, const char *why)
{
	rt_printf("virtio: 0x%lx: %s\n", (unsigned long)d->base, why);
	set_status(d, VIRTIO_STATUS_FAILED);
	return -1;
}

static void write_addr(struct virtio_dev *d, unsigned int lo_reg, void *p)
{
	uint64_t a = (uintptr_t)p;

	virtio_write32(d, lo_reg, (uint32_t)a);
	virtio_write32(d, lo_reg + 4, a >> 32);
}

static int setup_queue(struct virtio_dev *d, unsigned int index,
		       unsigned int want)
{
	struct virtq *q = &d->vq[index];
	unsigned int max, size, i;

	virtio_write32(d, VIRTIO_MMIO_QUEUE_SEL, index);
	if (virtio_read32(d, VIRTIO_MMIO_QUEUE_READY))
		return fail(d, "queue already ready after reset");
	max = virtio_read32(d, VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (!max)
		return fail(d, "queue not available (QueueNumMax 0)");
	size = want < max ? want : max;
	if (size > VIRTQ_MAX_SIZE)
		size = VIRTQ_MAX_SIZE;
	/* A power of 2 keeps ring index arithmetic a mask (and suits 1.0). */
	while (size & (size - 1))
		size &= size - 1;

	memset(q, 0, sizeof(*q));
	q->dev = d;
	q->index = index;
	/* +1 entry: used_event / avail_event behind the rings. */
	q->desc = arena_alloc(sizeof(struct virtq_desc) * size);
	q->avail = arena_alloc(sizeof(struct virtq_avail) +
			       sizeof(uint16_t) * (size + 1));
	q->used = arena_alloc(sizeof(struct virtq_used) +
			      sizeof(struct virtq_used_elem) * size +
			      sizeof(uint16_t));
	if (!q->desc || !q->avail || !q->used)
		return fail(d, "out of queue memory");
	for (i = 0; i < size; i++)
		q->desc[i].next = i + 1;
	q->free_head = 0;
	q->nr_free = size;
	/* We poll: ask for no interrupts (EVENT_IDX: see virtq_add()). */
	q->avail->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;

	virtio_write32(d, VIRTIO_MMIO_QUEUE_NUM, size);
	write_addr(d, VIRTIO_MMIO_QUEUE_DESC_LOW, q->desc);
	write_addr(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, q->avail);
	write_addr(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, q->used);
	virtio_write32(d, VIRTIO_MMIO_QUEUE_READY, 1);
	q->size = size; /* last: marks the queue usable */
	return 0;
}

int virtio_init(struct virtio_dev *d, uint64_t wanted, unsigned int nr_queues,
		unsigned int qsize)
{
	uint64_t offered;
	unsigned int i;

	if (d->version != 2) {
		rt_printf("virtio: 0x%lx: MMIO version %u, need 2\n",
			  (unsigned long)d->base, d->version);
		return -1;
	}
	if (nr_queues > VIRTIO_MAX_QUEUES)
		return fail(d, "too many queues requested");
	virtio_reset(d);
	set_status(d, VIRTIO_STATUS_ACKNOWLEDGE);
	set_status(d, VIRTIO_STATUS_DRIVER);

	virtio_write32(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	offered = virtio_read32(d, VIRTIO_MMIO_DEVICE_FEATURES);
	virtio_write32(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	offered |= (uint64_t)virtio_read32(d, VIRTIO_MMIO_DEVICE_FEATURES)
		   << 32;
	d->device_features = offered;
	if (!(offered & VIRTIO_BIT(VIRTIO_F_VERSION_1)))
		return fail(d, "device does not offer VERSION_1");
	d->features = offered & (wanted | VIRTIO_BIT(VIRTIO_F_VERSION_1));
	virtio_write32(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	virtio_write32(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)d->features);
	virtio_write32(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	virtio_write32(d, VIRTIO_MMIO_DRIVER_FEATURES, d->features >> 32);
	set_status(d, VIRTIO_STATUS_FEATURES_OK);
	if (!(virtio_status(d) & VIRTIO_STATUS_FEATURES_OK))
		return fail(d, "FEATURES_OK did not stick");

	for (i = 0; i < nr_queues; i++)
		if (setup_queue(d, i, qsize))
			return -1;
	d->nr_queues = nr_queues;
	set_status(d, VIRTIO_STATUS_DRIVER_OK);
	if (virtio_check_needs_reset(d))
		return -1;
	return 0;
}

/* ---- split virtqueues ---- */

static bool event_idx(const struct virtq *q)
{
	return q->dev->features & VIRTIO_BIT(VIRTIO_F_EVENT_IDX);
}

static volatile uint16_t *used_event(struct virtq *q)
{
	return &q->avail->ring[q->size];
}

static volatile uint16_t *avail_event(struct virtq *q)
{
	return (volatile uint16_t *)&q->used->ring[q->size];
}

int virtq_add(struct virtq *q, const struct virtio_buf *bufs, unsigned int n)
{
	uint16_t head, i, prev = 0;
	unsigned int k;

	if (!q->size || !n || n > q->nr_free)
		return -1;
	head = i = q->free_head;
	for (k = 0; k < n; k++) {
		q->desc[i].addr = (uintptr_t)bufs[k].addr;
		q->desc[i].len = bufs[k].len;
		q->desc[i].flags =
			bufs[k].device_writes ? VIRTQ_DESC_F_WRITE : 0;
		if (k + 1 < n)
			q->desc[i].flags |= VIRTQ_DESC_F_NEXT;
		prev = i;
		i = q->desc[i].next;
	}
	q->free_head = q->desc[prev].next; /* the free list's rest */
	q->nr_free -= n;

	/*
	 * EVENT_IDX: a used_event behind everything the device can still
	 * complete means "no interrupt" (2.7.10).
	 */
	if (event_idx(q))
		*used_event(q) = q->last_used - 1;
	q->avail->ring[q->avail_idx & (q->size - 1)] = head;
	barrier(); /* ring entry before the index (x86: stores stay ordered) */
	q->avail_idx++;
	*(volatile uint16_t *)&q->avail->idx = q->avail_idx;
	return head;
}

void virtq_kick(struct virtq *q)
{
	uint16_t new_idx = q->avail_idx, old_idx, ev;
	bool notify;

	/* Our avail->idx store must be visible before we read their flags. */
	full_barrier();
	if (event_idx(q)) {
		/* 2.7.10: notify if avail_event lies in [old_idx, new_idx). */
		old_idx = q->last_kick;
		ev = *avail_event(q);
		notify = (uint16_t)(new_idx - ev - 1) <
			 (uint16_t)(new_idx - old_idx);
	} else {
		notify = !(*(volatile uint16_t *)&q->used->flags &
			   VIRTQ_USED_F_NO_NOTIFY);
	}
	q->last_kick = new_idx;
	if (notify) {
		virtio_write32(q->dev, VIRTIO_MMIO_QUEUE_NOTIFY, q->index);
		q->notifies++;
	} else {
		q->notifies_skipped++;
	}
}

int virtq_submit(struct virtq *q, const struct virtio_buf *bufs, unsigned int n)
{
	int head = virtq_add(q, bufs, n);

	if (head >= 0)
		virtq_kick(q);
	return head;
}

int virtq_get(struct virtq *q, uint32_t *len)
{
	struct virtq_used_elem e;
	uint16_t i, n = 1;

	if (*(volatile uint16_t *)&q->used->idx == q->last_used)
		return -1;
	barrier(); /* the entry after the index (x86: loads stay ordered) */
	e = *(volatile struct virtq_used_elem *)&q->used
		     ->ring[q->last_used & (q->size - 1)];
	q->last_used++;
	if (e.id >= q->size) {
		rt_printf("virtio: queue %u: bad used id %u\n", q->index, e.id);
		return -1;
	}
	/* Return the chain to the free list. */
	for (i = e.id; q->desc[i].flags & VIRTQ_DESC_F_NEXT;
	     i = q->desc[i].next)
		n++;
	q->desc[i].next = q->free_head;
	q->free_head = e.id;
	q->nr_free += n;
	if (len)
		*len = e.len;
	return e.id;
}

int virtq_wait(struct virtq *q, uint32_t *len, uint64_t timeout_cycles)
{
	uint64_t t0 = rdtsc(), now, next_check = VIRTIO_STATUS_CHECK_CYCLES;
	int head;

	for (;;) {
		head = virtq_get(q, len);
		if (head >= 0)
			return head;
		now = rdtsc() - t0;
		if (timeout_cycles && now > timeout_cycles)
			break;
		/*
		 * Requests normally complete in microseconds; only a long wait
		 * spends an exit on the Status register, so that a device
		 * that gave up (DEVICE_NEEDS_RESET) ends the wait early.
		 */
		if (now > next_check) {
			next_check = now + VIRTIO_STATUS_CHECK_CYCLES;
			if (virtio_status(q->dev) & VIRTIO_STATUS_NEEDS_RESET)
				break;
		}
		cpu_relax();
	}
	rt_printf("virtio: 0x%lx queue %u: no completion (status 0x%x, "
		  "avail %u used %u)\n",
		  (unsigned long)q->dev->base, q->index, virtio_status(q->dev),
		  q->avail_idx, *(volatile uint16_t *)&q->used->idx);
	virtio_check_needs_reset(q->dev);
	return -1;
}
