/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * platform.h - the machine as the guest is told about it.
 *
 * One list of CPUs, legacy interrupt lines and virtio-mmio devices is the
 * source of every description the guest reads: the MP table (mptable.c),
 * the device tree (fdt.c) and the virtio_mmio.device= command-line
 * entries.  Devices add themselves while the VM is built; the boot code
 * turns the list into guest memory.  So the descriptions cannot disagree.
 */
#ifndef KVMUX_PLATFORM_H
#define KVMUX_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kvmux/layout.h"

#define PLATFORM_MAX_ISA_DEVS 8
#define PLATFORM_MAX_VIRTIO 16
/* MP tables and xAPIC IDs are 8-bit; 0xff is broadcast, and the IOAPIC
 * takes the ID after the last CPU. */
#define PLATFORM_MAX_CPUS 254

/* virtio-mmio windows: one 512-byte register block each. */
#define VIRTIO_MMIO_BASE 0xd0000000ULL
#define VIRTIO_MMIO_SIZE 0x200ULL

/* A device on a legacy (ISA) interrupt line: the UART on IRQ 4. */
struct platform_isa_dev {
	const char *name; /* "serial" */
	uint16_t port; /* first I/O port */
	uint16_t nr_ports;
	uint8_t irq;
};

struct platform_virtio_dev {
	uint64_t base;
	uint64_t size;
	uint8_t irq; /* IOAPIC pin = ISA IRQ, edge-triggered */
};

struct platform {
	unsigned int nr_cpus;
	/* Two 8259s behind LINT0 (KVM's or kvmux's: a board always has
	 * them): the MADT says PCAT_COMPAT and the MP table has the ExtINT
	 * entry.  Without them a guest must not assume them (Linux skips
	 * its PIC probe on PCAT_COMPAT). */
	bool pic;
	struct platform_isa_dev isa[PLATFORM_MAX_ISA_DEVS];
	unsigned int nr_isa;
	struct platform_virtio_dev virtio[PLATFORM_MAX_VIRTIO];
	unsigned int nr_virtio;
	/* Devices only the ACPI tables describe (boot/acpi.c). */
	uint16_t pvpanic_port; /* 0: no pvpanic device */
	uint16_t ged_port; /* the GED's event register; 0: no GED */
	uint8_t ged_gsi;
};

void platform_init(struct platform *p, unsigned int nr_cpus);
int platform_add_isa(struct platform *p, const char *name, uint16_t port,
		     uint16_t nr_ports, uint8_t irq);
/* Reserve the next virtio-mmio window and interrupt line. */
int platform_add_virtio(struct platform *p, uint64_t *base, uint8_t *irq);
/* QEMU's pvpanic device at an I/O port. */
void platform_add_pvpanic(struct platform *p, uint16_t port);
/* A Generic Event Device: its event register's port and its GSI. */
void platform_add_ged(struct platform *p, uint16_t port, uint8_t gsi);

/* Append "virtio_mmio.device=SIZE@ADDR:IRQ" entries for Linux. */
int platform_cmdline(const struct platform *p, const char *base_cmdline,
		     char **cmdline);

#endif
