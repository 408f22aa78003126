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
 * Layout at MPTABLE_ADDR (in the reserved BIOS area) unless the kernel
 * occupies it: the 16-byte floating pointer, then the configuration table
 * with its entries.
 */
#include <string.h>

#include "kvmux/boot_alloc.h"
#include "kvmux/boot_common.h"
#include "kvmux/error.h"
#include "kvmux/guest_mem.h"
#include "kvmux/mptable.h"
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

static void emit_interrupts(struct mp_writer *w, uint8_t ioapic_id, bool pic)
{
	struct mp_irq irq = { .type = MP_ENTRY_IOINT,
			      .irq_type = MP_INT,
			      .src_bus = MP_ISA_BUS_ID,
			      .dst_apic = ioapic_id };
	unsigned int i;

	/* ISA IRQ n is I/O APIC pin n (KVM's routes, kvmux's lines); 2 is
	 * the PIC cascade. */
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
	if (pic) /* the 8259s' output on LINT0 */
		emit(w, &irq, sizeof(irq));
	irq.irq_type = MP_NMI;
	irq.dst_pin = 1;
	emit(w, &irq, sizeof(irq));
}

/* The configuration table with its entries (the floating pointer apart). */
static size_t config_size(unsigned int nr_cpus)
{
	return sizeof(struct mp_config) + nr_cpus * sizeof(struct mp_cpu) +
	       sizeof(struct mp_bus) + sizeof(struct mp_ioapic) +
	       (MP_ISA_IRQS + 1) * sizeof(struct mp_irq);
}

/* The largest table, ACPI's share and a kernel page (ld's ELF headers at
 * 0xff000) must fit the 64 KiB BIOS area together (boot_alloc.h). */
_Static_assert(sizeof(struct mp_floating) + sizeof(struct mp_config) +
			       PLATFORM_MAX_CPUS * sizeof(struct mp_cpu) +
			       sizeof(struct mp_bus) +
			       sizeof(struct mp_ioapic) +
			       (MP_ISA_IRQS + 1) * sizeof(struct mp_irq) +
			       BOOT_BIOS_ACPI_BUDGET + 0x1000 <=
		       LAYOUT_HIGH_START - LAYOUT_BIOS_START,
	       "the BIOS area cannot hold the MP table and ACPI");

/* Where the MP table went: the floating pointer and the configuration. */
struct mp_place {
	uint64_t fp;
	uint64_t config;
};

static int floating_pointer_error(const struct boot_alloc *a)
{
	const struct boot_region *bios =
		boot_alloc_blocker(a, LAYOUT_BIOS_START, LAYOUT_HIGH_START);
	const struct boot_region *ebda =
		boot_alloc_blocker(a, LAYOUT_EBDA_START, LAYOUT_LOW_RAM_END);

	return err_set(
		"no room for the MP floating pointer where guests look for it: %s occupies 0xf0000-0xfffff and %s the EBDA at 0x9fc00-0x9ffff",
		bios ? bios->what : "something",
		ebda ? ebda->what : "something");
}

/*
 * The floating pointer must be where a guest scans for it (MP spec 1.4,
 * 4: the BIOS area or the EBDA's first KiB); the configuration table is
 * found through it.  Both together at MPTABLE_ADDR unless the kernel is
 * there.
 */
static int place_table(struct boot_alloc *a, size_t size, struct mp_place *at)
{
	struct boot_request fp = {
		.what = "the MP floating pointer",
		.size = sizeof(struct mp_floating),
		.align = 16,
		.start = LAYOUT_EBDA_START,
		.end = LAYOUT_LOW_RAM_END,
	};

	if (!boot_alloc_bios(a, sizeof(struct mp_floating) + size, 16,
			     "the MP table", &at->fp)) {
		at->config = at->fp + sizeof(struct mp_floating);
		return 0;
	}
	if (boot_alloc_bios(a, fp.size, fp.align, fp.what, &at->fp) &&
	    boot_alloc_in(a, &fp, &at->fp))
		return floating_pointer_error(a);
	return boot_alloc_struct(a, 0, size, 16, "the MP configuration table",
				 &at->config);
}

static void fill_config(struct mp_config *mpc, const struct platform *p)
{
	uint8_t ioapic_id = p->nr_cpus;
	struct mp_bus bus = { .type = MP_ENTRY_BUS,
			      .bus_id = MP_ISA_BUS_ID,
			      .name = "ISA   " };
	struct mp_ioapic ioapic = { .type = MP_ENTRY_IOAPIC,
				    .id = ioapic_id,
				    .version = MP_IOAPIC_VERSION,
				    .flags = 1,
				    .addr = IOAPIC_ADDR };
	struct mp_writer w = { .p = (uint8_t *)(mpc + 1) };

	emit_cpus(&w, p->nr_cpus);
	emit(&w, &bus, sizeof(bus));
	emit(&w, &ioapic, sizeof(ioapic));
	emit_interrupts(&w, ioapic_id, p->pic);

	memcpy(mpc->signature, "PCMP", 4);
	mpc->length = w.p - (uint8_t *)mpc;
	mpc->spec_rev = MP_SPEC_REV;
	memcpy(mpc->oem, "KVMUX   ", 8);
	memcpy(mpc->product, "KVMUX VM    ", 12);
	mpc->nr_entries = w.nr_entries;
	mpc->lapic_addr = LAPIC_ADDR;
	mpc->checksum = boot_checksum(mpc, mpc->length);
}

int mptable_write(const struct guest_mem *gm, const struct platform *p,
		  struct boot_alloc *a)
{
	size_t size = config_size(p->nr_cpus);
	struct mp_floating mpf = { .length = 1, .spec_rev = MP_SPEC_REV };
	struct mp_config *mpc;
	struct mp_place at;

	if (p->nr_cpus == 0 || p->nr_cpus > PLATFORM_MAX_CPUS)
		return err_set("the MP table describes 1 to %d CPUs, not %u",
			       PLATFORM_MAX_CPUS, p->nr_cpus);
	if (place_table(a, size, &at))
		return -1;
	mpc = gm_ptr(gm, at.config, size);
	if (!mpc)
		return err_set("no room for the MP table");
	memset(mpc, 0, size);
	fill_config(mpc, p);

	memcpy(mpf.signature, "_MP_", 4);
	mpf.config_addr = at.config;
	mpf.checksum = boot_checksum(&mpf, sizeof(mpf));
	return gm_write(gm, at.fp, &mpf, sizeof(mpf));
}
