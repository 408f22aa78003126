// SPDX-License-Identifier: GPL-2.0-only
/*
 * virtio_irq.c - virtio-blk completions taken by interrupt, through the
 * device's irqfd and the I/O APIC (kvmux's, or KVM's).  Finds the first
 * virtio-blk device and its GSI as the runtime does, masks both 8259s,
 * routes the GSI edge-triggered, active high (as kvmux's MADT describes
 * virtio lines) to a device vector.  With "via=pic" on the command line
 * it takes them through the 8259s instead, as a guest without an I/O APIC
 * driver does (Linux with noapic, hobby kernels): both chips initialised
 * (vectors 0x40 and 0x48), only the device's line unmasked, the I/O APIC
 * left masked, LVT0 in ExtINT mode, a non-specific EOI in the handler;
 * KVM's PICs see the irqfd in the kernel, kvmux's (--irqchip split) get an
 * edge from kvmux as the device writes it.  Then it lets the queue
 * interrupt (clears
 * VIRTQ_AVAIL_F_NO_INTERRUPT; no EVENT_IDX) and reads sectors 0..7, one
 * request at a time.  Each request is waited for in rt_irq_wait() until
 * the handler, which reads InterruptStatus and writes it to InterruptACK,
 * has counted one more used-buffer interrupt; only then is the used ring
 * read.  The periodic local APIC timer only ends waits (an interrupt may
 * land just before the halt under PVM), so a lost interrupt hangs the
 * guest until --timeout (124).
 *
 * Prints "virtio_irq: 8 completions by interrupt (gsi N, ioapic|pic)"
 * and exits 0, or "virtio_irq: FAIL <what>" and exits 1.
 */
#include "irq.h"
#include "lapic.h"
#include "virtio.h"

#define VECTOR_VIRTIO RT_VECTOR_DEVICE_FIRST /* through the I/O APIC */
#define MASTER_BASE RT_VECTOR_DEVICE_FIRST /* 8259s: IRQ n at 0x40 + n */
#define SLAVE_BASE (RT_VECTOR_DEVICE_FIRST + 8)
#define VECTOR_TIMER (SLAVE_BASE + 6) /* IRQ 14's: nothing raises it */
#define LVT_EXTINT 0x700
#define PIC1 0x20
#define PIC2 0xa0
#define OCW2_EOI 0x20
#define TIMER_TICKS 50000000 /* ~50 ms at KVM's 1 GHz APIC timer */
#define NR_REQUESTS 8
#define INT_USED_BUFFER 0x1 /* InterruptStatus bits (4.2.2) */
#define INT_CONFIG_CHANGE 0x2
#define PIC1_DATA 0x21 /* 8259 interrupt mask registers */
#define PIC2_DATA 0xa1

static struct virtio_dev devs[VIRTIO_MAX_DEVS];
static struct virtio_dev *dev;
static struct vblk blk;
static uint8_t data[VIRTIO_BLK_SECTOR];
static uint32_t used_irqs, config_irqs;
static bool via_pic;

static void on_virtio(uint8_t vector __attribute__((unused)))
{
	uint32_t st = virtio_read32(dev, VIRTIO_MMIO_INTERRUPT_STATUS);

	virtio_write32(dev, VIRTIO_MMIO_INTERRUPT_ACK, st);
	if (st & INT_USED_BUFFER)
		__atomic_add_fetch(&used_irqs, 1, __ATOMIC_SEQ_CST);
	if (st & INT_CONFIG_CHANGE)
		__atomic_add_fetch(&config_irqs, 1, __ATOMIC_SEQ_CST);
	if (via_pic)
		outb(OCW2_EOI, PIC1);
}

static void timer_tick(uint8_t vector __attribute__((unused)))
{
}

static int fail(const char *what)
{
	rt_printf("virtio_irq: FAIL %s\n", what);
	return 1;
}

/* Both 8259s as Linux sets them up, only line irq unmasked; LVT0 in
 * ExtINT mode. */
static void pic_init(unsigned int irq)
{
	outb(0x11, PIC1); /* ICW1: edge, cascade, ICW4 */
	outb(MASTER_BASE, PIC1_DATA);
	outb(1u << 2, PIC1_DATA); /* the slave on IR2 */
	outb(0x01, PIC1_DATA); /* ICW4: 8086 mode */
	outb(0x11, PIC2);
	outb(SLAVE_BASE, PIC2_DATA);
	outb(2, PIC2_DATA);
	outb(0x01, PIC2_DATA);
	outb(0xff & ~(1u << irq), PIC1_DATA);
	outb(0xff, PIC2_DATA);
	lapic_write(LAPIC_LVT0, LVT_EXTINT);
}

/* Route the device's interrupt one way or the other: false if it cannot
 * go that way. */
static bool route(void)
{
	if (via_pic) {
		if (dev->irq >= 8 || dev->irq == 2)
			return false; /* the test uses the master only */
		rt_irq_set_handler(MASTER_BASE + dev->irq, on_virtio);
		pic_init(dev->irq);
		return true;
	}
	/* KVM's irqchip also wires ISA lines to the 8259s: keep them out. */
	outb(0xff, PIC1_DATA);
	outb(0xff, PIC2_DATA);
	rt_irq_set_handler(VECTOR_VIRTIO, on_virtio);
	return rt_ioapic_route(dev->irq, VECTOR_VIRTIO, rt_apic_id(), false,
			       false);
}

/* Read sector; the wait ends only on the handler's count. */
static int read_by_interrupt(struct virtq *q, uint32_t sector)
{
	struct virtio_blk_hdr hdr = { .type = VIRTIO_BLK_T_IN,
				      .sector = sector };
	uint8_t status = 0xff;
	struct virtio_buf chain[3] = {
		{ &hdr, sizeof(hdr), false },
		{ data, sizeof(data), true },
		{ &status, 1, true },
	};
	uint32_t want = used_irqs + 1;
	int head = virtq_submit(q, chain, 3);

	if (head < 0)
		return fail("queue full");
	while (__atomic_load_n(&used_irqs, __ATOMIC_SEQ_CST) < want &&
	       !__atomic_load_n(&config_irqs, __ATOMIC_SEQ_CST))
		rt_irq_wait();
	if (config_irqs)
		return fail("configuration-change interrupt");
	if (virtq_get(q, NULL) != head)
		return fail("interrupt but no completion in the used ring");
	if (status != VIRTIO_BLK_S_OK)
		return fail("read status not OK");
	return 0;
}

int main(const struct boot_info *bi)
{
	int nr = virtio_discover(bi, devs, VIRTIO_MAX_DEVS);
	char mode[8];
	uint32_t i;

	dev = virtio_find(devs, nr, VIRTIO_ID_BLOCK, 0);
	if (!dev)
		return fail("no virtio-blk device");
	if (!dev->irq)
		return fail("no interrupt for the virtio-blk device");
	if (vblk_init(&blk, dev, 0))
		return fail("device init");
	via_pic = rt_cmdline_str(bi->cmdline, "via", mode, sizeof(mode)) &&
		  !strcmp(mode, "pic");
	rt_irq_init();
	rt_irq_set_handler(VECTOR_TIMER, timer_tick);
	if (!route())
		return fail(via_pic ? "gsi is not a master 8259 line" :
				      "gsi is not an I/O APIC pin");
	rt_lapic_timer_periodic(VECTOR_TIMER, TIMER_TICKS);
	/* The runtime polls and asks for no interrupts; this test wants them. */
	dev->vq[0].avail->flags = 0;
	for (i = 0; i < NR_REQUESTS; i++)
		if (read_by_interrupt(&dev->vq[0], i))
			return 1;
	rt_lapic_timer_periodic(VECTOR_TIMER, 0);
	if (used_irqs != NR_REQUESTS)
		return fail("more used-buffer interrupts than requests");
	rt_printf("virtio_irq: %u completions by interrupt (gsi %u, %s)\n",
		  used_irqs, dev->irq, via_pic ? "pic" : "ioapic");
	return 0;
}
