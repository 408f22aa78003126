// SPDX-License-Identifier: GPL-2.0-only
/*
 * acpi.c - ACPI 6.3 tables for a hardware-reduced machine (spec 5.2),
 * generated from the platform list, like the MP table and the device tree.
 *
 * Hardware-reduced (FADT HW_REDUCED_ACPI, spec 4.1) because kvmux has no
 * PM1 event/control blocks, GPE blocks or SCI, and emulating them would
 * only serve to power off: the FADT's sleep control register does that
 * with one byte.  Events come through a Generic Event Device instead of
 * the SCI.  The ports and bits are in kvmux/acpi_hw.h, which the devices
 * read too.
 *
 * The MADT says what the MP table says (mptable.c): one local APIC per
 * vCPU (APIC IDs 0..n-1, ACPI processor UIDs the same), the I/O APIC with
 * ID n at IOAPIC_ADDR, ISA IRQ n on GSI n, NMI on LINT1.
 */
#include <stdio.h>
#include <string.h>

#include "kvmux/acpi.h"
#include "kvmux/boot_alloc.h"
#include "kvmux/acpi_hw.h"
#include "kvmux/aml.h"
#include "kvmux/boot_common.h"
#include "kvmux/error.h"

#define OEM_ID "KVMUX "
#define OEM_TABLE_ID "KVMUX VM"
#define OEM_REVISION 1
#define CREATOR_ID "KVMX"
#define CREATOR_REVISION 1

/* Table revisions of ACPI 6.3. */
#define RSDP_REVISION 2
#define XSDT_REVISION 1
#define FADT_REVISION 6
#define FADT_MINOR_REVISION 3
#define MADT_REVISION 5
#define DSDT_REVISION 2 /* 64-bit integers */

#define XSDT_ENTRIES 2 /* FADT, MADT; the FADT points at the DSDT */

struct acpi_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
} __attribute__((packed));

struct acpi_rsdp {
	char signature[8];
	uint8_t checksum; /* of the first 20 bytes (the ACPI 1.0 part) */
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt_addr; /* 0: no RSDT, the XSDT serves every OS */
	uint32_t length;
	uint64_t xsdt_addr;
	uint8_t ext_checksum;
	uint8_t reserved[3];
} __attribute__((packed));

/* Generic Address Structure (5.2.3.2). */
struct acpi_gas {
	uint8_t space_id;
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
} __attribute__((packed));

#define GAS_SYSTEM_IO 1
#define GAS_ACCESS_BYTE 1

/* FADT (5.2.9).  Fields a hardware-reduced OS ignores stay 0. */
struct acpi_fadt {
	struct acpi_header h;
	uint32_t firmware_ctrl;
	uint32_t dsdt;
	uint8_t reserved0;
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
	uint32_t pm1a_evt_blk, pm1b_evt_blk, pm1a_cnt_blk, pm1b_cnt_blk;
	uint32_t pm2_cnt_blk, pm_tmr_blk, gpe0_blk, gpe1_blk;
	uint8_t pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len;
	uint8_t gpe0_blk_len, gpe1_blk_len, gpe1_base, cst_cnt;
	uint16_t p_lvl2_lat, p_lvl3_lat, flush_size, flush_stride;
	uint8_t duty_offset, duty_width, day_alrm, mon_alrm, century;
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_version;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas x_pm1a_evt_blk, x_pm1b_evt_blk, x_pm1a_cnt_blk;
	struct acpi_gas x_pm1b_cnt_blk, x_pm2_cnt_blk, x_pm_tmr_blk;
	struct acpi_gas x_gpe0_blk, x_gpe1_blk;
	struct acpi_gas sleep_control_reg;
	struct acpi_gas sleep_status_reg;
	char hypervisor_vendor[8];
} __attribute__((packed));

#define FADT_WBINVD (1u << 0)
#define FADT_PWR_BUTTON (1u << 4) /* 1: not a fixed-feature button */
#define FADT_SLP_BUTTON (1u << 5)
#define FADT_RESET_REG_SUP (1u << 10)
#define FADT_HW_REDUCED_ACPI (1u << 20)
#define FADT_BOOT_ARCH_NO_VGA (1u << 2)
#define FADT_BOOT_ARCH_NO_CMOS_RTC (1u << 5)

struct acpi_madt {
	struct acpi_header h;
	uint32_t lapic_addr;
	uint32_t flags;
} __attribute__((packed));

#define MADT_PCAT_COMPAT 1 /* the two 8259s are there too */
#define MADT_LAPIC 0
#define MADT_IOAPIC 1
#define MADT_ISO 2
#define MADT_LAPIC_NMI 4
#define MADT_ENABLED 1
#define MADT_ALL_PROCESSORS 0xff
/* MPS INTI flags: active high, edge triggered (what ISA means). */
#define MADT_INTI_EDGE_HIGH 0x0005
#define MADT_INTI_CONFORMS 0x0000
#define MADT_ISA_BUS 0
#define MADT_NMI_LINT 1

struct madt_lapic {
	uint8_t type, length, uid, apic_id;
	uint32_t flags;
} __attribute__((packed));

struct madt_ioapic {
	uint8_t type, length, id, reserved;
	uint32_t addr;
	uint32_t gsi_base;
} __attribute__((packed));

struct madt_iso {
	uint8_t type, length, bus, source;
	uint32_t gsi;
	uint16_t flags;
} __attribute__((packed));

struct madt_lapic_nmi {
	uint8_t type, length, uid;
	uint16_t flags;
	uint8_t lint;
} __attribute__((packed));

_Static_assert(sizeof(struct acpi_header) == 36, "ACPI table header");
_Static_assert(sizeof(struct acpi_rsdp) == ACPI_RSDP_SIZE, "RSDP");
_Static_assert(sizeof(struct acpi_gas) == 12, "generic address");
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT of ACPI 6.3");
_Static_assert(sizeof(struct madt_lapic) == 8, "MADT local APIC");
_Static_assert(sizeof(struct madt_ioapic) == 12, "MADT I/O APIC");
_Static_assert(sizeof(struct madt_iso) == 10, "MADT override");
_Static_assert(sizeof(struct madt_lapic_nmi) == 6, "MADT NMI");

#define ISA_IRQS 16
#define ISA_IRQ_PIT 0

static size_t align_up(size_t n, size_t a)
{
	return (n + a - 1) / a * a;
}

/* The header of a table of len bytes; the checksum is set last. */
static void header(void *table, const char *sig, size_t len, uint8_t rev)
{
	struct acpi_header *h = table;

	memcpy(h->signature, sig, 4);
	h->length = len;
	h->revision = rev;
	memcpy(h->oem_id, OEM_ID, 6);
	memcpy(h->oem_table_id, OEM_TABLE_ID, 8);
	h->oem_revision = OEM_REVISION;
	memcpy(h->creator_id, CREATOR_ID, 4);
	h->creator_revision = CREATOR_REVISION;
}

static void seal(void *table)
{
	struct acpi_header *h = table;

	h->checksum = 0;
	h->checksum = boot_checksum(table, h->length);
}

/* ISA lines something is wired to: the PIT, ISA devices, virtio. */
static uint16_t isa_irqs_used(const struct platform *p)
{
	uint16_t mask = 1u << ISA_IRQ_PIT;
	unsigned int i;

	for (i = 0; i < p->nr_isa; i++)
		mask |= 1u << p->isa[i].irq;
	for (i = 0; i < p->nr_virtio; i++)
		mask |= 1u << p->virtio[i].irq;
	return mask;
}

static size_t madt_size(const struct platform *p)
{
	return sizeof(struct acpi_madt) +
	       p->nr_cpus * sizeof(struct madt_lapic) +
	       sizeof(struct madt_ioapic) +
	       __builtin_popcount(isa_irqs_used(p)) * sizeof(struct madt_iso) +
	       sizeof(struct madt_lapic_nmi);
}

static uint8_t *madt_entry(uint8_t *at, const void *entry, size_t len)
{
	memcpy(at, entry, len);
	return at + len;
}

static uint8_t *madt_overrides(uint8_t *at, const struct platform *p)
{
	uint16_t used = isa_irqs_used(p);
	struct madt_iso iso = { .type = MADT_ISO,
				.length = sizeof(iso),
				.bus = MADT_ISA_BUS,
				.flags = MADT_INTI_EDGE_HIGH };
	unsigned int irq;

	/* KVM's default routing: ISA IRQ n is I/O APIC pin (GSI) n. */
	for (irq = 0; irq < ISA_IRQS; irq++) {
		if (!(used & 1u << irq))
			continue;
		iso.source = irq;
		iso.gsi = irq;
		at = madt_entry(at, &iso, sizeof(iso));
	}
	return at;
}

static void build_madt(const struct platform *p, uint8_t *table)
{
	struct acpi_madt *madt = (struct acpi_madt *)table;
	struct madt_lapic lapic = { .type = MADT_LAPIC,
				    .length = sizeof(lapic),
				    .flags = MADT_ENABLED };
	struct madt_ioapic ioapic = { .type = MADT_IOAPIC,
				      .length = sizeof(ioapic),
				      .id = p->nr_cpus,
				      .addr = IOAPIC_ADDR };
	struct madt_lapic_nmi nmi = { .type = MADT_LAPIC_NMI,
				      .length = sizeof(nmi),
				      .uid = MADT_ALL_PROCESSORS,
				      .flags = MADT_INTI_CONFORMS,
				      .lint = MADT_NMI_LINT };
	uint8_t *at = table + sizeof(*madt);
	unsigned int i;

	header(madt, "APIC", madt_size(p), MADT_REVISION);
	madt->lapic_addr = LAPIC_ADDR;
	madt->flags = p->pic ? MADT_PCAT_COMPAT : 0;
	for (i = 0; i < p->nr_cpus; i++) {
		lapic.uid = i;
		lapic.apic_id = i;
		at = madt_entry(at, &lapic, sizeof(lapic));
	}
	at = madt_entry(at, &ioapic, sizeof(ioapic));
	at = madt_overrides(at, p);
	madt_entry(at, &nmi, sizeof(nmi));
	seal(madt);
}

static struct acpi_gas io_register(uint16_t port)
{
	return (struct acpi_gas){ .space_id = GAS_SYSTEM_IO,
				  .bit_width = 8,
				  .access_size = GAS_ACCESS_BYTE,
				  .address = port };
}

static void build_fadt(uint8_t *table, uint64_t dsdt_gpa)
{
	struct acpi_fadt *f = (struct acpi_fadt *)table;

	header(f, "FACP", sizeof(*f), FADT_REVISION);
	f->minor_version = FADT_MINOR_REVISION;
	f->flags = FADT_WBINVD | FADT_PWR_BUTTON | FADT_SLP_BUTTON |
		   FADT_RESET_REG_SUP | FADT_HW_REDUCED_ACPI;
	f->iapc_boot_arch = FADT_BOOT_ARCH_NO_VGA | FADT_BOOT_ARCH_NO_CMOS_RTC;
	f->reset_reg = io_register(ACPI_PM_BASE + ACPI_PM_RESET_REG);
	f->reset_value = ACPI_RESET_VALUE;
	f->sleep_control_reg =
		io_register(ACPI_PM_BASE + ACPI_PM_SLEEP_CONTROL_REG);
	f->sleep_status_reg =
		io_register(ACPI_PM_BASE + ACPI_PM_SLEEP_STATUS_REG);
	/* The 32-bit pointer too, for OSes older than ACPI 2.0's X_DSDT. */
	if (dsdt_gpa <= UINT32_MAX)
		f->dsdt = dsdt_gpa;
	f->x_dsdt = dsdt_gpa;
	memcpy(f->hypervisor_vendor, "KVMUX\0\0\0", 8);
	seal(f);
}

static void build_xsdt(uint8_t *table, uint64_t fadt_gpa, uint64_t madt_gpa)
{
	uint64_t entry[XSDT_ENTRIES] = { fadt_gpa, madt_gpa };
	size_t len = sizeof(struct acpi_header) + sizeof(entry);

	header(table, "XSDT", len, XSDT_REVISION);
	/* Entries are 8 bytes at offset 36: not naturally aligned. */
	memcpy(table + sizeof(struct acpi_header), entry, sizeof(entry));
	seal(table);
}

/* DSDT (5.2.11.1): the devices, in AML. */

static void device_ids(struct aml *a, const char *name, const char *hid,
		       unsigned int uid)
{
	aml_device(a, name);
	aml_name(a, "_HID");
	if (!strncmp(hid, "PNP", 3))
		aml_eisaid(a, hid);
	else
		aml_string(a, hid);
	aml_name(a, "_UID");
	aml_integer(a, uid);
}

/* \_S5: the SLP_TYP values for soft-off (7.4.2); only the first is used
 * by a hardware-reduced OS. */
static void dsdt_s5(struct aml *a)
{
	aml_name(a, "\\_S5");
	aml_package(a, 4);
	aml_integer(a, ACPI_SLP_TYP_S5);
	aml_integer(a, 0);
	aml_integer(a, 0);
	aml_integer(a, 0);
	aml_end(a);
}

/* Processor devices (8.4): _UID matches the MADT's processor UID. */
static void dsdt_cpus(struct aml *a, const struct platform *p)
{
	char name[16];
	unsigned int i;

	for (i = 0; i < p->nr_cpus; i++) {
		snprintf(name, sizeof(name), "C%03X", i);
		device_ids(a, name, "ACPI0007", i);
		aml_end(a);
	}
}

/* The ISA devices ACPI has an ID for; the rest stay undescribed. */
static void dsdt_isa(struct aml *a, const struct platform *p)
{
	const struct platform_isa_dev *d;
	unsigned int i, uarts = 0;
	char name[16];

	for (i = 0; i < p->nr_isa; i++) {
		d = &p->isa[i];
		if (strcmp(d->name, "serial"))
			continue;
		snprintf(name, sizeof(name), "COM%u", ++uarts);
		device_ids(a, name, "PNP0501", uarts);
		aml_name(a, "_CRS");
		aml_resource_template(a);
		aml_res_io(a, d->port, d->nr_ports);
		aml_res_irq_noflags(a, d->irq);
		aml_resource_end(a);
		aml_end(a);
	}
}

/* virtio-mmio devices: LNRO0005, as Linux's virtio_mmio driver matches. */
static void dsdt_virtio(struct aml *a, const struct platform *p)
{
	const struct platform_virtio_dev *d;
	unsigned int i;
	char name[16];

	for (i = 0; i < p->nr_virtio; i++) {
		d = &p->virtio[i];
		snprintf(name, sizeof(name), "VR%02X", i);
		device_ids(a, name, "LNRO0005", i);
		aml_name(a, "_CRS");
		aml_resource_template(a);
		aml_res_memory32_fixed(a, d->base, d->size);
		aml_res_interrupt(a, d->irq, AML_IRQ_CONSUMER | AML_IRQ_EDGE);
		aml_resource_end(a);
		aml_end(a);
	}
}

static void dsdt_pvpanic(struct aml *a, const struct platform *p)
{
	device_ids(a, "PEVT", "QEMU0001", 0);
	aml_name(a, "_CRS");
	aml_resource_template(a);
	aml_res_io(a, p->pvpanic_port, PVPANIC_LEN);
	aml_resource_end(a);
	aml_end(a);
}

/*
 * The power button (PNP0C0C, 4.8.2.2.1.2) and the Generic Event Device
 * (ACPI0013, 5.6.9) that tells of it: on the GED's interrupt the OS runs
 * _EVT, which reads the event register (reading clears it) and notifies
 * the button with 0x80, "button pressed".
 */
static void dsdt_power_button(struct aml *a, const struct platform *p)
{
	device_ids(a, "PWRB", "PNP0C0C", 0);
	aml_end(a);

	device_ids(a, "GED0", "ACPI0013", 0);
	aml_name(a, "_CRS");
	aml_resource_template(a);
	aml_res_interrupt(a, p->ged_gsi, AML_IRQ_CONSUMER | AML_IRQ_EDGE);
	aml_resource_end(a);
	aml_operation_region(a, "EREG", AML_SYSTEM_IO, p->ged_port,
			     ACPI_GED_LEN);
	aml_field(a, "EREG", AML_FIELD_BYTE_ACC | AML_FIELD_WRITE_AS_ZEROS);
	aml_field_unit(a, "EVTS", 8);
	aml_end(a);

	aml_method(a, "_EVT", 1, true);
	aml_byte(a, AML_STORE_OP); /* Local0 = EVTS */
	aml_name_string(a, "EVTS");
	aml_byte(a, AML_LOCAL0);
	aml_if(a); /* If (Local0 & power button) */
	aml_byte(a, AML_AND_OP);
	aml_byte(a, AML_LOCAL0);
	aml_integer(a, ACPI_GED_EVT_POWER_BUTTON);
	aml_byte(a, AML_NULL_NAME);
	aml_byte(a, AML_NOTIFY_OP); /* Notify (\_SB.PWRB, 0x80) */
	aml_name_string(a, "\\_SB.PWRB");
	aml_integer(a, 0x80);
	aml_end(a); /* If */
	aml_end(a); /* _EVT */
	aml_end(a); /* GED0 */
}

static void dsdt_body(struct aml *a, const struct platform *p)
{
	dsdt_s5(a);
	aml_scope(a, "\\_SB");
	dsdt_cpus(a, p);
	dsdt_isa(a, p);
	dsdt_virtio(a, p);
	if (p->pvpanic_port)
		dsdt_pvpanic(a, p);
	if (p->ged_port)
		dsdt_power_button(a, p);
	aml_end(a);
}

static size_t dsdt_size(const struct platform *p)
{
	struct aml a;

	aml_init(&a, NULL, 0);
	dsdt_body(&a, p);
	return sizeof(struct acpi_header) + a.len;
}

static int build_dsdt(const struct platform *p, uint8_t *table, size_t len)
{
	size_t body = len - sizeof(struct acpi_header);
	struct aml a;

	aml_init(&a, table + sizeof(struct acpi_header), body);
	dsdt_body(&a, p);
	if (aml_finish(&a) < 0)
		return -1;
	header(table, "DSDT", len, DSDT_REVISION);
	seal(table);
	return 0;
}

static int check_platform(const struct platform *p)
{
	unsigned int i;

	if (p->nr_cpus == 0 || p->nr_cpus > PLATFORM_MAX_CPUS)
		return err_set("ACPI describes 1 to %d CPUs, not %u",
			       PLATFORM_MAX_CPUS, p->nr_cpus);
	for (i = 0; i < p->nr_isa; i++)
		if (p->isa[i].irq >= ISA_IRQS || p->isa[i].nr_ports > 0xff)
			return err_set("ISA device %s cannot be described",
				       p->isa[i].name);
	for (i = 0; i < p->nr_virtio; i++)
		if (p->virtio[i].irq >= ISA_IRQS ||
		    p->virtio[i].base > UINT32_MAX ||
		    p->virtio[i].size > UINT32_MAX - p->virtio[i].base)
			return err_set("virtio device %u cannot be described",
				       i);
	return 0;
}

static void layout(const struct platform *p, struct acpi_tables *t)
{
	t->xsdt = 0;
	t->fadt = align_up(sizeof(struct acpi_header) + XSDT_ENTRIES * 8,
			   ACPI_TABLES_ALIGN);
	t->madt =
		t->fadt + align_up(sizeof(struct acpi_fadt), ACPI_TABLES_ALIGN);
	t->dsdt = t->madt + align_up(madt_size(p), ACPI_TABLES_ALIGN);
	t->len = t->dsdt + dsdt_size(p);
}

size_t acpi_tables_size(const struct platform *p)
{
	struct acpi_tables t;

	if (check_platform(p) < 0)
		return 0;
	layout(p, &t);
	return t.len;
}

int acpi_build_tables(const struct platform *p, uint64_t gpa, void *buf,
		      size_t len, struct acpi_tables *t)
{
	uint8_t *b = buf;

	if (check_platform(p) < 0)
		return -1;
	if (gpa % ACPI_TABLES_ALIGN)
		return err_set("ACPI tables at %#llx: not %d-byte aligned",
			       (unsigned long long)gpa, ACPI_TABLES_ALIGN);
	layout(p, t);
	if (t->len > len)
		return err_set("ACPI tables need %zu bytes, %zu are free",
			       t->len, len);
	if (gpa > UINT64_MAX - t->len)
		return err_set("ACPI tables at %#llx: past the address space",
			       (unsigned long long)gpa);
	memset(b, 0, t->len);
	if (build_dsdt(p, b + t->dsdt, t->len - t->dsdt) < 0)
		return -1;
	build_madt(p, b + t->madt);
	build_fadt(b + t->fadt, gpa + t->dsdt);
	build_xsdt(b + t->xsdt, gpa + t->fadt, gpa + t->madt);
	return 0;
}

void acpi_build_rsdp(void *rsdp, uint64_t xsdt_gpa)
{
	struct acpi_rsdp r = {
		.revision = RSDP_REVISION,
		.length = sizeof(r),
		.xsdt_addr = xsdt_gpa,
	};

	memcpy(r.signature, "RSD PTR ", 8);
	memcpy(r.oem_id, OEM_ID, 6);
	r.checksum = boot_checksum(&r, offsetof(struct acpi_rsdp, length));
	r.ext_checksum = boot_checksum(&r, sizeof(r));
	memcpy(rsdp, &r, sizeof(r));
}

int acpi_write(const struct guest_mem *gm, const struct platform *p,
	       uint64_t rsdp_gpa, uint64_t tables_gpa, uint64_t tables_max)
{
	uint8_t *rsdp = gm_ptr(gm, rsdp_gpa, ACPI_RSDP_SIZE);
	uint8_t *tables = gm_ptr(gm, tables_gpa, tables_max);
	struct acpi_tables t;

	if (rsdp_gpa % ACPI_RSDP_ALIGN)
		return err_set("the ACPI RSDP at %#llx is not %d-byte aligned",
			       (unsigned long long)rsdp_gpa, ACPI_RSDP_ALIGN);
	if (!rsdp || !tables)
		return err_set(
			"no guest RAM for the ACPI tables at %#llx",
			(unsigned long long)(rsdp ? tables_gpa : rsdp_gpa));
	if (rsdp_gpa < tables_gpa + tables_max &&
	    tables_gpa < rsdp_gpa + ACPI_RSDP_SIZE)
		return err_set("the ACPI RSDP at %#llx overlaps the tables",
			       (unsigned long long)rsdp_gpa);
	if (acpi_build_tables(p, tables_gpa, tables, tables_max, &t) < 0)
		return -1;
	acpi_build_rsdp(rsdp, tables_gpa + t.xsdt);
	return 0;
}

int acpi_install(const struct guest_mem *gm, const struct platform *p,
		 struct boot_alloc *a, uint64_t *rsdp_gpa)
{
	size_t size = acpi_tables_size(p);
	uint64_t tables;

	if (boot_alloc_bios(a, size, ACPI_TABLES_ALIGN, "the ACPI tables",
			    &tables) < 0 ||
	    boot_alloc_bios(a, ACPI_RSDP_SIZE, ACPI_RSDP_ALIGN,
			    "the ACPI RSDP", rsdp_gpa) < 0)
		return -1;
	return acpi_write(gm, p, *rsdp_gpa, tables, size);
}
