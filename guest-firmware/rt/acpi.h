/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * acpi.h - find and check the ACPI tables (rt/acpi.c): the RSDP, the XSDT,
 * the FADT with its sleep and reset registers, the MADT's processors and
 * I/O APIC, and a few facts from the DSDT's AML (\_S5, a device's
 * resources) found by scanning for them rather than interpreting AML.
 *
 * Tables are read where they are (identity map); addresses and lengths
 * from the tables are checked to stay below 4 GiB before use.
 */
#ifndef RT_ACPI_H
#define RT_ACPI_H

#include <stdbool.h>
#include <stdint.h>

/* A generic address structure (ACPI 6.3, 5.2.3.2). */
struct rt_acpi_gas {
	uint8_t space; /* RT_ACPI_SPACE_* */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
};

#define RT_ACPI_SPACE_MEMORY 0
#define RT_ACPI_SPACE_IO 1

#define RT_FADT_RESET_REG_SUP (1u << 10)
#define RT_FADT_HW_REDUCED (1u << 20)

struct rt_acpi {
	uintptr_t rsdp, xsdt, fadt, madt, dsdt;
	uint32_t fadt_flags;
	struct rt_acpi_gas sleep_control, sleep_status, reset_reg;
	uint8_t reset_value;
};

#define RT_ACPI_MAX_CPUS 256

struct rt_acpi_madt {
	uint32_t lapic_addr;
	unsigned int nr_cpus; /* enabled local APICs */
	uint8_t apic_id[RT_ACPI_MAX_CPUS];
	unsigned int nr_ioapics;
	uint8_t ioapic_id;
	uint32_t ioapic_addr;
};

/*
 * The RSDP by the scan the spec describes (5.2.5.1): 16-byte boundaries
 * in the EBDA's first KiB and in 0xe0000-0xfffff, signature and ACPI 1.0
 * checksum right.  0 if there is none.
 */
uintptr_t rt_acpi_scan_rsdp(void);

/* The RSDP as an OS finds it: the boot protocol's if given, else a scan. */
struct boot_info;
uintptr_t rt_acpi_find_rsdp(const struct boot_info *bi);

/*
 * From the RSDP at rsdp: check it (revision 2, both checksums) and follow
 * it to the XSDT, then the FADT and MADT, then the DSDT, checking each
 * table's signature, length and checksum.  verbose: one "acpi: ..." line
 * per table.  Returns NULL, or what is wrong.
 */
const char *rt_acpi_load(uintptr_t rsdp, struct rt_acpi *a, bool verbose);

/* The processors and the I/O APIC the MADT lists.  NULL, or what is wrong. */
const char *rt_acpi_read_madt(uintptr_t madt, struct rt_acpi_madt *m);

/* One byte to / from the register g describes (I/O port or memory). */
void rt_acpi_gas_write(const struct rt_acpi_gas *g, uint8_t value);
uint8_t rt_acpi_gas_read(const struct rt_acpi_gas *g);

/*
 * Enter S5: SLP_TYP slp_typ (from \_S5) with SLP_EN to the FADT's sleep
 * control register.  Returns only if the machine did not power off.
 */
void rt_acpi_power_off(const struct rt_acpi *a, uint8_t slp_typ);

/* The first value of the \_S5 package in the DSDT; false if not found. */
bool rt_aml_s5(uintptr_t dsdt, uint8_t *slp_typ);

/*
 * In the device whose _HID is the string hid: the first resource
 * descriptor of _CRS with the given descriptor name (small items: the
 * byte's bits 6:3, e.g. 0x08 for I/O; large items: the byte itself, e.g.
 * 0x89 for an extended interrupt).  Returns a pointer to the descriptor,
 * or NULL.
 */
const uint8_t *rt_aml_resource(uintptr_t dsdt, const char *hid, uint8_t item);
/* The same in the nth (from 0) device with that _HID, in DSDT order. */
const uint8_t *rt_aml_resource_nth(uintptr_t dsdt, const char *hid,
				   unsigned int nth, uint8_t item);
#define RT_RES_IO 0x08 /* small: ports at +2 (min) and length at +7 */
#define RT_RES_MEM32_FIXED 0x86 /* large: base at +4, length at +8 */
#define RT_RES_EXT_IRQ 0x89 /* large: GSI at +5 */

/* The port of the first SystemIO OperationRegion of that device. */
bool rt_aml_io_region(uintptr_t dsdt, const char *hid, uint16_t *port);

#endif
