/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bus.h - address ranges to device callbacks.
 *
 * A VM has two buses, one for port I/O and one for MMIO.  Devices register
 * the ranges they decode while the VM is being built; once the vCPUs run
 * the bus is only read, so lookups take no lock.  The exit dispatch in
 * vcpu.c knows buses, not devices.
 */
#ifndef KVMUX_BUS_H
#define KVMUX_BUS_H

#include <stdbool.h>
#include <stdint.h>

struct bus_ops {
	/* Fill data[0..len) for a read at offset off into the range. */
	void (*read)(void *opaque, uint64_t off, void *data, unsigned int len);
	void (*write)(void *opaque, uint64_t off, const void *data,
		      unsigned int len);
};

struct bus_range {
	uint64_t base;
	uint64_t len;
	const struct bus_ops *ops; /* NULL: reserved (bus_reserve()) */
	void *opaque;
	const char *name;
};

struct bus {
	const char *name; /* "pio" or "mmio", for messages */
	struct bus_range *range; /* sorted by base, never overlapping */
	unsigned int nr_ranges;
	unsigned int capacity;
	uint64_t unclaimed; /* accesses no device decoded */
};

void bus_init(struct bus *bus, const char *name);
void bus_free(struct bus *bus);

/*
 * Claim [base, base + len) for a device.  Returns 0, or -1 with err_set()
 * if the range is empty, wraps, or overlaps a range already claimed.
 */
int bus_register(struct bus *bus, uint64_t base, uint64_t len,
		 const struct bus_ops *ops, void *opaque, const char *name);

/*
 * Claim [base, base + len) for a device KVM emulates in the kernel (the
 * PIT, the PICs, the IOAPIC, the local APIC): its accesses never reach
 * kvmux, so a device registered there could never see them.  Any later
 * bus_register() over it is refused naming it ("... overlaps the
 * in-kernel PIT (KVM)").  An access that does reach kvmux there is
 * unclaimed.  Returns 0, or -1 with err_set() as bus_register().
 */
int bus_reserve(struct bus *bus, uint64_t base, uint64_t len, const char *name);

/*
 * How many addresses from base up are claimed by no range, at most max
 * (base + max must not wrap): 0 if base itself is claimed.
 */
uint64_t bus_unclaimed_run(const struct bus *bus, uint64_t base, uint64_t max);

/*
 * Route one access.  An access nobody decodes reads as all ones and its
 * writes are dropped, as on a real bus; it returns false so that callers
 * can count it.  An access that starts in a range but runs past its end is
 * unclaimed too: devices never see bytes beyond what they registered.
 */
bool bus_access(struct bus *bus, uint64_t addr, bool is_write, void *data,
		unsigned int len);

#endif
