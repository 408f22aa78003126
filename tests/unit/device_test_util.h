/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * device_test_util.h - a fake VM for device tests: a struct device_env
 * with real buses and a real platform list, whose services (interrupt
 * lines, irqfd, ioeventfd, stop, notes) are recorded instead of reaching
 * KVM, so every device kind can be opened, attached and driven with
 * bus_access() as a vCPU exit would, without /dev/kvm.
 */
#ifndef KVMUX_TESTS_DEVICE_TEST_UTIL_H
#define KVMUX_TESTS_DEVICE_TEST_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "kvmux/bus.h"
#include "kvmux/config.h"
#include "kvmux/device.h"
#include "kvmux/error.h"
#include "kvmux/platform.h"
#include "kvmux/thread.h"

#define TEST_MAX_LEVELS 64
#define TEST_MAX_FDS 8

struct test_vm {
	struct device_env env;
	struct bus pio, mmio;
	struct platform platform;
	/* what the device did to the VM */
	unsigned int stops, notes;
	enum vm_stop_reason reason;
	int value;
	char detail[256], note[512];
	unsigned int nr_levels;
	struct {
		unsigned int gsi;
		bool level;
	} levels[TEST_MAX_LEVELS];
	bool irq_fails;
	unsigned int nr_irqfds, nr_ioeventfds;
	unsigned int irqfd_raises; /* atomic: device threads say them */
	struct {
		unsigned int gsi;
		int fd;
	} irqfd[TEST_MAX_FDS];
	struct {
		uint64_t addr;
		uint32_t value;
		int fd;
	} ioeventfd[TEST_MAX_FDS];
	unsigned int nr_watches;
	struct {
		int fd;
		void (*fn)(void *opaque);
		void *opaque;
	} watch[DEVICE_MAX_WATCHES];
};

static inline void tv_stop(void *ctx, enum vm_stop_reason reason, int value,
			   const char *detail)
{
	struct test_vm *t = ctx;

	t->stops++;
	t->reason = reason;
	t->value = value;
	snprintf(t->detail, sizeof(t->detail), "%s", detail);
}

static inline void tv_note(void *ctx, const char *msg)
{
	struct test_vm *t = ctx;

	t->notes++;
	snprintf(t->note, sizeof(t->note), "%s", msg);
}

static inline int tv_irq_line(void *ctx, unsigned int gsi, bool level)
{
	struct test_vm *t = ctx;

	if (t->irq_fails)
		return err_host("KVM_IRQ_LINE %u: test", gsi);
	if (t->nr_levels < TEST_MAX_LEVELS) {
		t->levels[t->nr_levels].gsi = gsi;
		t->levels[t->nr_levels].level = level;
		t->nr_levels++;
	}
	return 0;
}

static inline int tv_irqfd(void *ctx, unsigned int gsi, int fd)
{
	struct test_vm *t = ctx;

	if (t->nr_irqfds == TEST_MAX_FDS)
		return err_host("too many irqfds");
	t->irqfd[t->nr_irqfds].gsi = gsi;
	t->irqfd[t->nr_irqfds++].fd = fd;
	return 0;
}

static inline void tv_irqfd_raised(void *ctx, unsigned int gsi)
{
	struct test_vm *t = ctx;

	__atomic_add_fetch(&t->irqfd_raises, 1, __ATOMIC_SEQ_CST);
}

static inline int tv_ioeventfd(void *ctx, uint64_t addr, uint32_t value, int fd)
{
	struct test_vm *t = ctx;

	if (t->nr_ioeventfds == TEST_MAX_FDS)
		return err_host("too many ioeventfds");
	t->ioeventfd[t->nr_ioeventfds].addr = addr;
	t->ioeventfd[t->nr_ioeventfds].value = value;
	t->ioeventfd[t->nr_ioeventfds++].fd = fd;
	return 0;
}

static inline int tv_watch(void *ctx, int fd, void (*fn)(void *opaque),
			   void *opaque)
{
	struct test_vm *t = ctx;

	if (t->nr_watches == DEVICE_MAX_WATCHES)
		return err_host("too many watches");
	t->watch[t->nr_watches].fd = fd;
	t->watch[t->nr_watches].fn = fn;
	t->watch[t->nr_watches++].opaque = opaque;
	return 0;
}

/* A fresh fake VM with nr_cpus CPUs over guest memory mem (may be NULL). */
static inline void test_vm_init(struct test_vm *t, const struct guest_mem *mem,
				unsigned int nr_cpus)
{
	memset(t, 0, sizeof(*t));
	bus_init(&t->pio, "port I/O");
	bus_init(&t->mmio, "MMIO");
	platform_init(&t->platform, nr_cpus);
	t->env = (struct device_env){
		.vm_name = "test",
		.pio = &t->pio,
		.mmio = &t->mmio,
		.mem = mem,
		.platform = &t->platform,
		.ctx = t,
		.irq_line = tv_irq_line,
		.irqfd = tv_irqfd,
		.irqfd_raised = tv_irqfd_raised,
		.ioeventfd = tv_ioeventfd,
		.watch = tv_watch,
		.stop = tv_stop,
		.note = tv_note,
	};
}

static inline void test_vm_free(struct test_vm *t)
{
	bus_free(&t->pio);
	bus_free(&t->mmio);
}

/* Open and attach instance i of kind for cfg; NULL if either fails. */
static inline void *test_attach(struct test_vm *t,
				const struct device_kind *kind,
				const struct vm_config *cfg, unsigned int i)
{
	void *dev = kind->open(cfg, i);

	if (dev && kind->attach(dev, &t->env) < 0) {
		kind->destroy(dev);
		return NULL;
	}
	return dev;
}

/* One-byte port accesses, as an exit would make them. */
static inline bool tv_out8(struct test_vm *t, uint16_t port, uint8_t v)
{
	return bus_access(&t->pio, port, true, &v, 1);
}

static inline uint8_t tv_in8(struct test_vm *t, uint16_t port)
{
	uint8_t v = 0xee;

	bus_access(&t->pio, port, false, &v, 1);
	return v;
}

/*
 * Wait until done(arg) holds, for a device's own thread (or the host's
 * output thread) to get there; looks every millisecond.  False if it
 * still does not hold after TEST_WAIT_NS: a bound against hangs on a
 * loaded machine, never a timing expectation.
 */
#define TEST_WAIT_NS (10 * 1000000000ULL)

static inline bool test_wait(bool (*done)(void *arg), void *arg)
{
	const struct timespec ms = { 0, 1000000 };
	uint64_t deadline = thread_now_ns() + TEST_WAIT_NS;

	while (!done(arg)) {
		if (thread_now_ns() > deadline)
			return false;
		nanosleep(&ms, NULL);
	}
	return true;
}

#endif
