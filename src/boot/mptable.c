// SPDX-License-Identifier: GPL-2.0-only
/*
 * mptable.c - the Intel MultiProcessor Specification 1.4 table.
 *
 * Why MP and not ACPI: the MP table is a few hundred bytes that describe
 * exactly what a kernel needs to start CPUs and route legacy interrupts
 * (processors, one I/O APIC, ISA interrupt assignments), Linux still reads
 * it (CONFIG_X86_MPPARSE), and our freestanding test kernels can parse it
 * in a page of C.  ACPI would need MADT/FADT/DSDT and AML for the same.
 *
 * Layout at MPTABLE_ADDR (in the reserved BIOS area): the 16-byte floating
 * pointer, then the configuration table with its entries.
 */
#include <string.h>

#include "kvmux/boot_common.h"
#include "kvmux/error.h"
#include "kvmux/platform.h"

#define MP_SPEC_REV 4 /* 1.4 */
#define MP_APIC_VERSION 0x14
#define MP_IOAPIC_VERSION 0x11
#define MP_CPU_ENABLED 0x01
#define MP_CPU_BSP 0x02
#define MP_ENTRY_CPU 0
#define MP_ENTRY_BUS 1
#define MP_ENTRY_IOAPIC 2
#define MP_ENTRY_IOINT 3
#define MP_ENTRY_LOCALINT 4
#define MP_INT 0
#define MP_NMI 1
#define MP_EXTINT 3
#define MP_ISA_BUS_ID 0
#define MP_ALL_LAPICS 0xff
#define MP_ISA_IRQS 16

struct mp_floating {
	char signature[4]; /* "_MP_" */
	uint32_t config_addr;
	uint8_t length; /* in 16-byte units */
	uint8_t spec_rev;
	uint8_t checksum;
	uint8_t feature[5];
} __attribute__((packed));

struct mp_config {
	char signature[4]; /* "PCMP" */
	uint16_t length;
	uint8_t spec_rev;
	uint8_t checksum;
	char oem[8];
	char product[12];
	uint32_t oem_table;
	uint16_t oem_table_size;
	uint16_t nr_entries;
	uint32_t lapic_addr;
	uint16_t ext_length;
	uint8_t ext_checksum;
	uint8_t reserved;
} __attribute__((packed));

struct mp_cpu {
	uint8_t type, apic_id, apic_version, flags;
	uint32_t signature, features;
	uint32_t reserved[2];
} __attribute__((packed));

struct mp_bus {
	uint8_t type, bus_id;
	char name[6];
} __attribute__((packed));

struct mp_ioapic {
	uint8_t type, id, version, flags;
	uint32_t addr;
} __attribute__((packed));

struct mp_irq {
	uint8_t type, irq_type;
	uint16_t flags; /* 0: polarity and trigger conform to the bus */
	uint8_t src_bus, src_irq, dst_apic, dst_pin;
} __attribute__((packed));

_Static_assert(sizeof(struct mp_floating) == 16, "MP floating pointer");
_Static_assert(sizeof(struct mp_config) == 44, "MP config header");
_Static_assert(sizeof(struct mp_cpu) == 20, "MP processor entry");
_Static_assert(sizeof(struct mp_irq) == 8, "MP interrupt entry");

struct mp_writer {
	uint8_t *p;
	uint16_t nr_entries;
};

static void emit(struct mp_writer *w, const void *entry, size_t len)
{
	memcpy(w->p, entry, len);
	w->p += len;
	w->nr_entries++;
}

static void emit_cpus(struct mp_writer *w, unsigned int nr_cpus)
{
	unsigned int i;

	for (i = 0; i < nr_cpus; i++) {
		struct mp_cpu cpu = {
			.type = MP_ENTRY_CPU,
			.apic_id = i,
			.apic_version = MP_APIC_VERSION,
			.flags = MP_CPU_ENABLED | (i == 0 ? MP_CPU_BSP : 0),
		};

		emit(w, &cpu, sizeof(cpu));
	}
}

static void emit_interrupts(struct mp_writer *w, uint8_t ioapic_id)
{
	struct mp_irq irq = { .type = MP_ENTRY_IOINT,
			      .irq_type = MP_INT,
			      .src_bus = MP_ISA_BUS_ID,
			      .dst_apic = ioapic_id };
	unsigned int i;

	/* KVM routes ISA IRQ n to I/O APIC pin n; 2 is the PIC cascade. */
	for (i = 0; i < MP_ISA_IRQS; i++) {
		if (i == 2)
			continue;
		irq.src_irq = i;
		irq.dst_pin = i;
		emit(w, &irq, sizeof(irq));
	}
	irq = (struct mp_irq){ .type = MP_ENTRY_LOCALINT,
			       .irq_type = MP_EXTINT,
			       .src_bus = MP_ISA_BUS_ID,
			       .dst_apic = MP_ALL_LAPICS,
			       .dst_pin = 0 };
	emit(w, &irq, sizeof(irq));
	irq.irq_type = MP_NMI;
	irq.dst_pin = 1;
	emit(w, &irq, sizeof(irq));
}

static size_t table_size(unsigned int nr_cpus)
{
	return sizeof(struct mp_floating) + sizeof(struct mp_config) +
	       nr_cpus * sizeof(struct mp_cpu) + sizeof(struct mp_bus) +
	       sizeof(struct mp_ioapic) +
	       (MP_ISA_IRQS + 1) * sizeof(struct mp_irq);
}

int mptable_write(const struct guest_mem *gm, const struct platform *p)
{
	size_t size = table_size(p->nr_cpus);
	uint8_t *base = gm_ptr(gm, MPTABLE_ADDR, size);
	struct mp_floating *mpf = (struct mp_floating *)base;
	struct mp_config *mpc = (struct mp_config *)(mpf + 1);
	uint8_t ioapic_id = p->nr_cpus;
	struct mp_bus bus = { .type = MP_ENTRY_BUS,
			      .bus_id = MP_ISA_BUS_ID,
			      .name = "ISA   " };
	struct mp_ioapic ioapic = { .type = MP_ENTRY_IOAPIC,
				    .id = ioapic_id,
				    .version = MP_IOAPIC_VERSION,
				    .flags = 1,
				    .addr = IOAPIC_ADDR };
	struct mp_writer w;

	if (p->nr_cpus == 0 || p->nr_cpus > PLATFORM_MAX_CPUS)
		return err_set("the MP table describes 1 to %d CPUs, not %u",
			       PLATFORM_MAX_CPUS, p->nr_cpus);
	if (!base || size > LAYOUT_HIGH_START - MPTABLE_ADDR)
		return err_set("no room for the MP table");
	memset(base, 0, size);
	w = (struct mp_writer){ .p = (uint8_t *)(mpc + 1) };
	emit_cpus(&w, p->nr_cpus);
	emit(&w, &bus, sizeof(bus));
	emit(&w, &ioapic, sizeof(ioapic));
	emit_interrupts(&w, ioapic_id);

	memcpy(mpc->signature, "PCMP", 4);
	mpc->length = w.p - (uint8_t *)mpc;
	mpc->spec_rev = MP_SPEC_REV;
	memcpy(mpc->oem, "KVMUX   ", 8);
	memcpy(mpc->product, "KVMUX VM    ", 12);
	mpc->nr_entries = w.nr_entries;
	mpc->lapic_addr = LAPIC_ADDR;
	mpc->checksum = boot_checksum(mpc, mpc->length);

	memcpy(mpf->signature, "_MP_", 4);
	mpf->config_addr = MPTABLE_ADDR + sizeof(*mpf);
	mpf->length = 1;
	mpf->spec_rev = MP_SPEC_REV;
	mpf->checksum = boot_checksum(mpf, sizeof(*mpf));
	return 0;
}
