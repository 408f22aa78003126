// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_virtio_mmio.c - the virtio-mmio transport (virtio 1.x, 4.2.2)
 * without KVM, with a minimal device behind it that returns every chain
 * it is given: identification registers, feature negotiation and
 * FEATURES_OK, the status sequence, queue setup and its freeze while
 * ready, reset, DEVICE_NEEDS_RESET for broken queues with its
 * configuration-change interrupt, InterruptStatus/InterruptACK, config
 * space bounds, and accesses that are not aligned 32-bit ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kvmux/virtio_mmio.h"
#include "virtio_test_util.h"

#define FAKE_ID 0x2a
#define FAKE_FEATURE 3 /* a device-specific feature bit it offers */
#define FAKE_QUEUE_MAX 64
#define QSIZE 16

#define S_ACK VIRTIO_CONFIG_S_ACKNOWLEDGE
#define S_DRIVER VIRTIO_CONFIG_S_DRIVER
#define S_FEATURES_OK VIRTIO_CONFIG_S_FEATURES_OK
#define S_DRIVER_OK VIRTIO_CONFIG_S_DRIVER_OK
#define S_NEEDS_RESET VIRTIO_CONFIG_S_NEEDS_RESET

#define F_VERSION_1 (1ULL << VIRTIO_F_VERSION_1)
#define F_FAKE (1ULL << FAKE_FEATURE)
#define NOT_RAM 0x200000000ULL

/* The device: returns each chain, saying it wrote all writable bytes. */
struct fake_dev {
	struct virtio_mmio *t;
	unsigned int resets;
	struct virtq_chain chain;
};

static bool fake_queue_notify(void *dev, unsigned int q)
{
	struct fake_dev *f = dev;
	struct virtq *vq = virtio_mmio_queue(f->t, q);

	while (virtq_pop(vq, &f->chain) > 0)
		virtq_push(vq, f->chain.head, f->chain.writable_len);
	virtio_mmio_used(f->t, q);
	return false;
}

static const uint8_t fake_config[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

static void fake_config_read(void *dev, uint64_t off, void *data,
			     unsigned int len)
{
	memcpy(data, fake_config + off, len);
}

static void fake_reset(void *dev)
{
	((struct fake_dev *)dev)->resets++;
}

static const struct virtio_device_ops fake_ops = {
	.name = "fake",
	.device_id = FAKE_ID,
	.features = F_FAKE,
	.nr_queues = 2,
	.queue_max = FAKE_QUEUE_MAX,
	.config_size = sizeof(fake_config),
	.config_read = fake_config_read,
	.queue_notify = fake_queue_notify,
	.reset = fake_reset,
};

struct fixture {
	struct test_guest g;
	struct test_vm vm;
	struct fake_dev dev;
	struct vt_dev d;
};

static int setup(void **state)
{
	static struct fixture fx;

	memset(&fx, 0, sizeof(fx));
	tg_init(&fx.g);
	test_vm_init(&fx.vm, &fx.g.gm, 1);
	fx.dev.t = virtio_mmio_create(&fx.vm.env, &fake_ops, &fx.dev);
	if (!fx.dev.t || virtio_mmio_start(fx.dev.t) < 0)
		return -1;
	vt_init(&fx.d, &fx.vm, &fx.g, 0);
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	virtio_mmio_destroy(fx->dev.t);
	test_vm_free(&fx->vm);
	tg_free(&fx->g);
	return 0;
}

static uint32_t rd(struct fixture *fx, uint64_t reg)
{
	return vt_read(&fx->d, reg);
}

static void wr(struct fixture *fx, uint64_t reg, uint32_t v)
{
	vt_write(&fx->d, reg, v);
}

/* Features accepted, queue 0 ready; DRIVER_OK if asked. */
static void bring_up(struct fixture *fx, bool driver_ok)
{
	assert_int_equal(vt_negotiate(&fx->d, F_VERSION_1 | F_FAKE),
			 S_ACK | S_DRIVER | S_FEATURES_OK);
	assert_int_equal(vt_queue(&fx->d, 0, QSIZE), 1);
	if (driver_ok)
		vt_set_status(&fx->d, S_DRIVER_OK);
}

/* A chain of a readable and a writable buffer at descriptor head. */
static uint16_t post_chain(struct fixture *fx, uint16_t head)
{
	vt_desc(&fx->d, 0, head, TG_DATA_GPA, 8, VIRTQ_DESC_F_NEXT,
		(head + 1) % QSIZE);
	vt_desc(&fx->d, 0, (head + 1) % QSIZE, TG_DATA_GPA + 8, 32,
		VIRTQ_DESC_F_WRITE, 0);
	return vt_avail(&fx->d, 0, head);
}

static void identifies_itself(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(rd(fx, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	assert_int_equal(rd(fx, VIRTIO_MMIO_VERSION), 2);
	assert_int_equal(rd(fx, VIRTIO_MMIO_DEVICE_ID), FAKE_ID);
	assert_int_equal(rd(fx, VIRTIO_MMIO_VENDOR_ID), 0x554d564b);
	assert_int_equal(rd(fx, VIRTIO_MMIO_CONFIG_GENERATION), 0);
	assert_int_equal(rd(fx, VIRTIO_MMIO_STATUS), 0);
}

/* Its window, line, irqfd and one ioeventfd per queue, as the guest is
 * told (platform list) and KVM is asked. */
static void claims_window_and_eventfds(void **state)
{
	struct fixture *fx = *state;
	unsigned int q;

	assert_int_equal(fx->vm.platform.nr_virtio, 1);
	assert_int_equal(fx->d.base, VIRTIO_MMIO_BASE);
	assert_int_equal(fx->vm.nr_irqfds, 1);
	assert_int_equal(fx->vm.irqfd[0].gsi, fx->vm.platform.virtio[0].irq);
	assert_int_equal(fx->vm.nr_ioeventfds, fake_ops.nr_queues);
	for (q = 0; q < fake_ops.nr_queues; q++) {
		assert_int_equal(fx->vm.ioeventfd[q].addr,
				 VIRTIO_MMIO_BASE + VIRTIO_MMIO_QUEUE_NOTIFY);
		assert_int_equal(fx->vm.ioeventfd[q].value, q);
	}
}

static void offers_device_and_transport_features(void **state)
{
	struct fixture *fx = *state;

	wr(fx, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	assert_int_equal(rd(fx, VIRTIO_MMIO_DEVICE_FEATURES),
			 F_FAKE | 1u << VIRTIO_RING_F_INDIRECT_DESC |
				 1u << VIRTIO_RING_F_EVENT_IDX);
	wr(fx, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	assert_int_equal(rd(fx, VIRTIO_MMIO_DEVICE_FEATURES),
			 F_VERSION_1 >> 32);
	wr(fx, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	assert_int_equal(rd(fx, VIRTIO_MMIO_DEVICE_FEATURES), 0);
}

static void status_sequence_reads_back(void **state)
{
	struct fixture *fx = *state;

	wr(fx, VIRTIO_MMIO_STATUS, S_ACK);
	assert_int_equal(rd(fx, VIRTIO_MMIO_STATUS), S_ACK);
	wr(fx, VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER);
	assert_int_equal(rd(fx, VIRTIO_MMIO_STATUS), S_ACK | S_DRIVER);
	wr(fx, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(fx, VIRTIO_MMIO_DRIVER_FEATURES, F_VERSION_1 >> 32);
	wr(fx, VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	assert_int_equal(rd(fx, VIRTIO_MMIO_STATUS),
			 S_ACK | S_DRIVER | S_FEATURES_OK);
	wr(fx, VIRTIO_MMIO_STATUS,
	   S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	assert_int_equal(rd(fx, VIRTIO_MMIO_STATUS),
			 S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
}

static void features_ok_for_offered_features(void **state)
{
	struct fixture *fx = *state;
	struct virtio_mmio *t = fx->dev.t;

	assert_int_equal(
		vt_negotiate(&fx->d, F_VERSION_1 | F_FAKE |
					     1ULL << VIRTIO_RING_F_EVENT_IDX),
		S_ACK | S_DRIVER | S_FEATURES_OK);
	assert_true(virtio_mmio_has_feature(t, FAKE_FEATURE));
	assert_true(virtio_mmio_has_feature(t, VIRTIO_RING_F_EVENT_IDX));
	assert_false(virtio_mmio_has_feature(t, VIRTIO_RING_F_INDIRECT_DESC));
	assert_true(virtio_mmio_has_feature(t, VIRTIO_F_VERSION_1));
	/* Fixed once FEATURES_OK is set. */
	wr(fx, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(fx, VIRTIO_MMIO_DRIVER_FEATURES, 0);
	assert_true(virtio_mmio_has_feature(t, FAKE_FEATURE));
	assert_false(virtio_mmio_has_feature(t, 64));
}

static void features_ok_needs_version_1(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(vt_negotiate(&fx->d, F_FAKE), S_ACK | S_DRIVER);
	assert_int_equal(vt_negotiate(&fx->d, 0), S_ACK | S_DRIVER);
}

static void features_ok_refuses_unoffered(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(vt_negotiate(&fx->d, F_VERSION_1 | 1ULL << 1),
			 S_ACK | S_DRIVER);
	assert_int_equal(
		vt_negotiate(&fx->d,
			     F_VERSION_1 | 1ULL << VIRTIO_F_ACCESS_PLATFORM),
		S_ACK | S_DRIVER);
	/* The driver drops the feature and asks again: now it sticks. */
	wr(fx, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(fx, VIRTIO_MMIO_DRIVER_FEATURES, F_VERSION_1 >> 32);
	/* Selector values past the two words select nothing. */
	wr(fx, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 2);
	wr(fx, VIRTIO_MMIO_DRIVER_FEATURES, 0xffffffff);
	vt_set_status(&fx->d, S_FEATURES_OK);
	assert_int_equal(rd(fx, VIRTIO_MMIO_STATUS),
			 S_ACK | S_DRIVER | S_FEATURES_OK);
}

static void queue_limits(void **state)
{
	struct fixture *fx = *state;

	wr(fx, VIRTIO_MMIO_QUEUE_SEL, 0);
	assert_int_equal(rd(fx, VIRTIO_MMIO_QUEUE_NUM_MAX), FAKE_QUEUE_MAX);
	assert_int_equal(rd(fx, VIRTIO_MMIO_QUEUE_READY), 0);
	wr(fx, VIRTIO_MMIO_QUEUE_SEL, 1);
	assert_int_equal(rd(fx, VIRTIO_MMIO_QUEUE_NUM_MAX), FAKE_QUEUE_MAX);
	/* No queue 2: size 0, never ready. */
	wr(fx, VIRTIO_MMIO_QUEUE_SEL, 2);
	assert_int_equal(rd(fx, VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	wr(fx, VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(rd(fx, VIRTIO_MMIO_QUEUE_READY), 0);
	assert_int_equal(rd(fx, VIRTIO_MMIO_STATUS) & S_NEEDS_RESET, 0);
}

static bool irqfd_raise_said(void *arg)
{
	struct test_vm *vm = arg;

	return __atomic_load_n(&vm->irqfd_raises, __ATOMIC_SEQ_CST) > 0;
}

/* ... and says each interrupt (the idle watch wakes on it: vm.h). */
static void queue_serves_chain_and_interrupts(void **state)
{
	struct fixture *fx = *state;
	uint32_t id, len;
	uint16_t idx;

	bring_up(fx, true);
	__atomic_store_n(&fx->vm.irqfd_raises, 0, __ATOMIC_SEQ_CST);
	idx = post_chain(fx, 0);
	assert_true(vt_kick(&fx->d, 0));
	assert_true(vt_wait_used(&fx->d, 0, idx));
	vt_used_elem(&fx->d, 0, idx, &id, &len);
	assert_int_equal(id, 0);
	assert_int_equal(len, 32);
	assert_true(vt_wait_irq(&fx->d));
	assert_true(test_wait(irqfd_raise_said, &fx->vm));
	assert_int_equal(rd(fx, VIRTIO_MMIO_INTERRUPT_STATUS),
			 VIRTIO_MMIO_INT_VRING);
	wr(fx, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(rd(fx, VIRTIO_MMIO_INTERRUPT_STATUS),
			 VIRTIO_MMIO_INT_VRING);
	wr(fx, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	assert_int_equal(rd(fx, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
}

/* A notify that the ioeventfd did not catch reaches the register. */
static void notify_register_kicks_too(void **state)
{
	struct fixture *fx = *state;
	uint16_t idx;

	bring_up(fx, true);
	wr(fx, VIRTIO_MMIO_QUEUE_NOTIFY, 7); /* no such queue: ignored */
	idx = post_chain(fx, 4);
	wr(fx, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_true(vt_wait_used(&fx->d, 0, idx));
	assert_int_equal(rd(fx, VIRTIO_MMIO_STATUS) & S_NEEDS_RESET, 0);
}

/* Size and addresses are frozen while the queue is ready (4.2.2.2): a
 * later ready again finds the old, good ones. */
static void queue_registers_frozen_while_ready(void **state)
{
	struct fixture *fx = *state;
	uint16_t idx;

	bring_up(fx, true);
	wr(fx, VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(fx, VIRTIO_MMIO_QUEUE_NUM, 3);
	vt_write64(&fx->d, VIRTIO_MMIO_QUEUE_DESC_LOW, NOT_RAM);
	vt_write64(&fx->d, VIRTIO_MMIO_QUEUE_AVAIL_LOW, NOT_RAM);
	vt_write64(&fx->d, VIRTIO_MMIO_QUEUE_USED_LOW, NOT_RAM);
	/* Write-only registers. */
	assert_int_equal(rd(fx, VIRTIO_MMIO_QUEUE_NUM), 0);
	assert_int_equal(rd(fx, VIRTIO_MMIO_QUEUE_DESC_LOW), 0);
	wr(fx, VIRTIO_MMIO_QUEUE_READY, 0);
	assert_int_equal(rd(fx, VIRTIO_MMIO_QUEUE_READY), 0);
	wr(fx, VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(rd(fx, VIRTIO_MMIO_QUEUE_READY), 1);
	assert_int_equal(rd(fx, VIRTIO_MMIO_STATUS) & S_NEEDS_RESET, 0);
	idx = post_chain(fx, 0);
	assert_true(vt_kick(&fx->d, 0));
	assert_true(vt_wait_used(&fx->d, 0, idx));
}

static void reset_clears_features_queues_status(void **state)
{
	struct fixture *fx = *state;
	unsigned int resets;
	uint16_t idx;

	bring_up(fx, true);
	idx = post_chain(fx, 0);
	assert_true(vt_kick(&fx->d, 0));
	assert_true(vt_wait_used(&fx->d, 0, idx));
	assert_true(vt_wait_irq(&fx->d));
	resets = fx->dev.resets;
	assert_int_equal(rd(fx, VIRTIO_MMIO_INTERRUPT_STATUS),
			 VIRTIO_MMIO_INT_VRING);

	wr(fx, VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(rd(fx, VIRTIO_MMIO_STATUS), 0);
	assert_int_equal(fx->dev.resets, resets + 1);
	assert_int_equal(rd(fx, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	assert_false(virtio_mmio_has_feature(fx->dev.t, VIRTIO_F_VERSION_1));
	assert_false(virtio_mmio_has_feature(fx->dev.t, FAKE_FEATURE));
	wr(fx, VIRTIO_MMIO_QUEUE_SEL, 0);
	assert_int_equal(rd(fx, VIRTIO_MMIO_QUEUE_READY), 0);
	/* Without new features, FEATURES_OK does not stick. */
	wr(fx, VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	assert_int_equal(rd(fx, VIRTIO_MMIO_STATUS), S_ACK | S_DRIVER);
	/* A fresh start works from scratch. */
	bring_up(fx, true);
	idx = post_chain(fx, 0);
	assert_true(vt_kick(&fx->d, 0));
	assert_true(vt_wait_used(&fx->d, 0, idx));
}

static void ring_outside_ram_needs_reset(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(vt_negotiate(&fx->d, F_VERSION_1),
			 S_ACK | S_DRIVER | S_FEATURES_OK);
	assert_int_equal(vt_queue_at(&fx->d, 0, QSIZE, TG_DESC_GPA, NOT_RAM,
				     TG_USED_GPA),
			 0);
	assert_int_equal(rd(fx, VIRTIO_MMIO_STATUS),
			 S_ACK | S_DRIVER | S_FEATURES_OK | S_NEEDS_RESET);
	assert_int_equal(fx->vm.notes, 1);
	assert_non_null(strstr(fx->vm.note, "needs reset"));
	assert_non_null(strstr(fx->vm.note, "not RAM"));
	/* Before DRIVER_OK there is no interrupt for it. */
	assert_int_equal(rd(fx, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	/* The driver cannot clear it, only reset the device. */
	wr(fx, VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	assert_true(rd(fx, VIRTIO_MMIO_STATUS) & S_NEEDS_RESET);
	wr(fx, VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(rd(fx, VIRTIO_MMIO_STATUS), 0);
}

/* After DRIVER_OK, DEVICE_NEEDS_RESET comes with a configuration change
 * interrupt (4.2.2.1). */
static void broken_ring_after_driver_ok_interrupts(void **state)
{
	struct fixture *fx = *state;

	bring_up(fx, true);
	assert_int_equal(vt_queue_at(&fx->d, 1, QSIZE, NOT_RAM,
				     TG_AVAIL_GPA + VT_RING_STRIDE,
				     TG_USED_GPA + VT_RING_STRIDE),
			 0);
	assert_true(rd(fx, VIRTIO_MMIO_STATUS) & S_NEEDS_RESET);
	assert_true(vt_irqs(&fx->d) > 0);
	assert_int_equal(rd(fx, VIRTIO_MMIO_INTERRUPT_STATUS),
			 VIRTIO_MMIO_INT_CONFIG);
	wr(fx, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(rd(fx, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
}

/* The driver's avail idx runs more than a queue ahead; the I/O thread
 * finds it.  Status and interrupt change under one lock: once the status
 * says so, the interrupt is there too. */
static void run_ahead(struct fixture *fx)
{
	bring_up(fx, true);
	tg_put16(&fx->g, TG_AVAIL_GPA + 2, QSIZE + 1);
	assert_true(vt_kick(&fx->d, 0));
	assert_true(vt_wait_bits(&fx->d, VIRTIO_MMIO_STATUS, S_NEEDS_RESET));
	assert_true(rd(fx, VIRTIO_MMIO_INTERRUPT_STATUS) &
		    VIRTIO_MMIO_INT_CONFIG);
	assert_true(vt_irqs(&fx->d) > 0);
	assert_int_equal(vt_used_idx(&fx->d, 0), 0);
}

static void avail_idx_running_ahead(void **state)
{
	struct fixture *fx = *state;

	run_ahead(fx);
	assert_int_equal(fx->vm.notes, 1);
	assert_non_null(strstr(fx->vm.note, "ahead"));
	/* Said once per device, however often the guest does it. */
	wr(fx, VIRTIO_MMIO_STATUS, 0);
	run_ahead(fx);
	assert_int_equal(fx->vm.notes, 1);
}

static void overlapping_queues_refused(void **state)
{
	struct fixture *fx = *state;

	bring_up(fx, false);
	/* Queue 1's used ring on queue 0's descriptor table. */
	assert_int_equal(
		vt_queue_at(&fx->d, 1, QSIZE, TG_DESC_GPA + VT_RING_STRIDE,
			    TG_AVAIL_GPA + VT_RING_STRIDE, TG_DESC_GPA),
		0);
	assert_true(rd(fx, VIRTIO_MMIO_STATUS) & S_NEEDS_RESET);
	assert_non_null(strstr(fx->vm.note, "overlaps"));
	wr(fx, VIRTIO_MMIO_QUEUE_SEL, 0);
	assert_int_equal(rd(fx, VIRTIO_MMIO_QUEUE_READY), 1);
}

static void bad_queue_size_refused(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(vt_negotiate(&fx->d, F_VERSION_1),
			 S_ACK | S_DRIVER | S_FEATURES_OK);
	assert_int_equal(vt_queue(&fx->d, 0, 12), 0); /* not a power of 2 */
	assert_true(rd(fx, VIRTIO_MMIO_STATUS) & S_NEEDS_RESET);
	wr(fx, VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(vt_negotiate(&fx->d, F_VERSION_1),
			 S_ACK | S_DRIVER | S_FEATURES_OK);
	assert_int_equal(vt_queue(&fx->d, 0, FAKE_QUEUE_MAX * 2), 0);
	assert_true(rd(fx, VIRTIO_MMIO_STATUS) & S_NEEDS_RESET);
}

static uint32_t raw_access(struct fixture *fx, uint64_t off, bool is_write,
			   uint64_t value, unsigned int len)
{
	uint64_t v = value;

	bus_access(&fx->vm.mmio, fx->d.base + off, is_write, &v, len);
	return v;
}

/* Registers are 32-bit and aligned: anything else reads 0, writes nothing. */
static void narrow_or_unaligned_accesses_ignored(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(
		raw_access(fx, VIRTIO_MMIO_MAGIC_VALUE, false, ~0ULL, 2),
		0xffff0000);
	assert_int_equal(
		raw_access(fx, VIRTIO_MMIO_MAGIC_VALUE, false, ~0ULL, 1),
		0xffffff00);
	assert_int_equal(
		raw_access(fx, VIRTIO_MMIO_MAGIC_VALUE + 2, false, ~0ULL, 4),
		0);
	assert_int_equal(
		raw_access(fx, VIRTIO_MMIO_MAGIC_VALUE, false, ~0ULL, 8), 0);
	raw_access(fx, VIRTIO_MMIO_STATUS, true, S_ACK, 1);
	raw_access(fx, VIRTIO_MMIO_STATUS, true, S_ACK, 2);
	raw_access(fx, VIRTIO_MMIO_STATUS, true, S_ACK, 8);
	raw_access(fx, VIRTIO_MMIO_STATUS + 1, true, S_ACK, 4);
	assert_int_equal(rd(fx, VIRTIO_MMIO_STATUS), 0);
	wr(fx, VIRTIO_MMIO_STATUS, S_ACK);
	assert_int_equal(rd(fx, VIRTIO_MMIO_STATUS), S_ACK);
}

/* Config space: any width inside it, zeros for anything that leaves it. */
static void config_space_bounds(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(raw_access(fx, VIRTIO_MMIO_CONFIG, false, 0, 4),
			 0x04030201);
	assert_int_equal(
		raw_access(fx, VIRTIO_MMIO_CONFIG + 7, false, ~0ULL, 1),
		0xffffff08);
	assert_int_equal(
		raw_access(fx, VIRTIO_MMIO_CONFIG + 6, false, ~0ULL, 4), 0);
	assert_int_equal(
		raw_access(fx, VIRTIO_MMIO_CONFIG + 8, false, ~0ULL, 4), 0);
	raw_access(fx, VIRTIO_MMIO_CONFIG, true, 0, 4); /* read-only */
	assert_int_equal(raw_access(fx, VIRTIO_MMIO_CONFIG, false, 0, 4),
			 0x04030201);
}

static void too_many_queues_refused(void **state)
{
	struct fixture *fx = *state;
	struct virtio_device_ops ops = fake_ops;

	ops.nr_queues = 5;
	assert_null(virtio_mmio_create(&fx->vm.env, &ops, &fx->dev));
	assert_non_null(strstr(err_msg(), "too many"));
	assert_int_equal(fx->vm.platform.nr_virtio, 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(identifies_itself),
		T(claims_window_and_eventfds),
		T(offers_device_and_transport_features),
		T(status_sequence_reads_back),
		T(features_ok_for_offered_features),
		T(features_ok_needs_version_1),
		T(features_ok_refuses_unoffered),
		T(queue_limits),
		T(queue_serves_chain_and_interrupts),
		T(notify_register_kicks_too),
		T(queue_registers_frozen_while_ready),
		T(reset_clears_features_queues_status),
		T(ring_outside_ram_needs_reset),
		T(broken_ring_after_driver_ok_interrupts),
		T(avail_idx_running_ahead),
		T(overlapping_queues_refused),
		T(bad_queue_size_refused),
		T(narrow_or_unaligned_accesses_ignored),
		T(config_space_bounds),
		T(too_many_queues_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
