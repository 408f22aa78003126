// SPDX-License-Identifier: GPL-2.0-only
/*
 * virtio_pic.c - virtio-blk completions taken by interrupt through the
 * 8259s, as a guest without an I/O APIC driver takes them (Linux with
 * noapic, hobby kernels): KVM's PICs (--irqchip kernel), which the
 * device's irqfd reaches in the kernel, or kvmux's (split), which kvmux
 * pulses as it writes the irqfd.  Finds the first virtio-blk device and
 * its ISA line as the runtime does, initialises both 8259s (vectors 0x40
 * and 0x48), unmasks only that line, leaves the I/O APIC masked, puts
 * LVT0 in ExtINT mode, lets the queue interrupt (clears
 * VIRTQ_AVAIL_F_NO_INTERRUPT; no EVENT_IDX) and reads sectors 0..7, one
 * request at a time.  Each request is waited for in rt_irq_wait() until
 * the handler, which reads InterruptStatus and writes it to InterruptACK,
 * has counted one more used-buffer interrupt; only then is the used ring
 * read.  The periodic local APIC timer only ends waits (an interrupt may
 * land just before the halt under PVM), so a lost interrupt hangs the
 * guest until --timeout (124).
 *
 * Prints "virtio_pic: 8 completions by interrupt (gsi N)" and exits 0,
 * or "virtio_pic: FAIL <what>" and exits 1.
 */
#include "irq.h"
#include "virtio.h"
#include "lapic.h"

#define MASTER_BASE RT_VECTOR_DEVICE_FIRST /* IRQ n at 0x40 + n */
#define SLAVE_BASE (RT_VECTOR_DEVICE_FIRST + 8)
#define VECTOR_TIMER (SLAVE_BASE + 6) /* IRQ 14's: the slave is masked */
#define LVT_EXTINT 0x700
#define OCW2_EOI 0x20
#define TIMER_TICKS 50000000 /* ~50 ms at KVM's 1 GHz APIC timer */
#define NR_REQUESTS 8
#define INT_USED_BUFFER 0x1 /* InterruptStatus bits (4.2.2) */
#define INT_CONFIG_CHANGE 0x2
#define PIC1 0x20
#define PIC1_DATA 0x21
#define PIC2 0xa0
#define PIC2_DATA 0xa1

static struct virtio_dev devs[VIRTIO_MAX_DEVS];
static struct virtio_dev *dev;
static struct vblk blk;
static uint8_t data[VIRTIO_BLK_SECTOR];
static uint32_t used_irqs, config_irqs;

static void on_virtio(uint8_t vector __attribute__((unused)))
{
	uint32_t st = virtio_read32(dev, VIRTIO_MMIO_INTERRUPT_STATUS);

	virtio_write32(dev, VIRTIO_MMIO_INTERRUPT_ACK, st);
	if (st & INT_USED_BUFFER)
		__atomic_add_fetch(&used_irqs, 1, __ATOMIC_SEQ_CST);
	if (st & INT_CONFIG_CHANGE)
		__atomic_add_fetch(&config_irqs, 1, __ATOMIC_SEQ_CST);
	outb(OCW2_EOI, PIC1);
}

static void timer_tick(uint8_t vector __attribute__((unused)))
{
}

/* Both 8259s as Linux sets them up, only the device's line unmasked. */
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
}

static int fail(const char *what)
{
	rt_printf("virtio_pic: FAIL %s\n", what);
	return 1;
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
	uint32_t i;

	dev = virtio_find(devs, nr, VIRTIO_ID_BLOCK, 0);
	if (!dev)
		return fail("no virtio-blk device");
	if (!dev->irq || dev->irq >= 8 || dev->irq == 2)
		return fail("no master 8259 line for the virtio-blk device");
	if (vblk_init(&blk, dev, 0))
		return fail("device init");
	rt_irq_init();
	rt_irq_set_handler(MASTER_BASE + dev->irq, on_virtio);
	rt_irq_set_handler(VECTOR_TIMER, timer_tick);
	pic_init(dev->irq);
	lapic_write(LAPIC_LVT0, LVT_EXTINT);
	rt_lapic_timer_periodic(VECTOR_TIMER, TIMER_TICKS);
	/* The runtime polls and asks for no interrupts; this test wants them. */
	dev->vq[0].avail->flags = 0;
	for (i = 0; i < NR_REQUESTS; i++)
		if (read_by_interrupt(&dev->vq[0], i))
			return 1;
	rt_lapic_timer_periodic(VECTOR_TIMER, 0);
	if (used_irqs != NR_REQUESTS)
		return fail("more used-buffer interrupts than requests");
	rt_printf("virtio_pic: %u completions by interrupt (gsi %u)\n",
		  used_irqs, dev->irq);
	return 0;
}
