/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * acpi.h - the ACPI tables (spec 6.3, hardware-reduced) generated from the
 * platform list: the RSDP, and the XSDT, FADT, MADT and DSDT.
 *
 * The builders are pure functions: they fill a caller's buffer with the
 * bytes the guest will see at a caller-chosen guest-physical address, and
 * never choose a placement themselves.  Two pieces, placed apart:
 *
 *   RSDP    ACPI_RSDP_SIZE bytes, ACPI_RSDP_ALIGN-aligned.  An OS that is
 *           not handed its address (boot_params.acpi_rsdp_addr,
 *           hvm_start_info.rsdp_paddr) scans for it on 16-byte boundaries
 *           in 0xe0000-0xfffff (and the EBDA's first KiB), spec 5.2.5.1.
 *   tables  acpi_tables_size() bytes at an ACPI_TABLES_ALIGN-aligned
 *           address, anywhere the guest's memory map keeps it (reserved
 *           memory or ACPI data); XSDT, FADT, MADT, DSDT in that order.
 *
 * What the tables say (devices, ports, interrupts): see docs/devices.md.
 */
#ifndef KVMUX_ACPI_H
#define KVMUX_ACPI_H

#include <stddef.h>
#include <stdint.h>

#include "kvmux/guest_mem.h"
#include "kvmux/platform.h"

#define ACPI_RSDP_SIZE 36
#define ACPI_RSDP_ALIGN 16
#define ACPI_RSDP_SCAN_START 0xe0000ULL
#define ACPI_RSDP_SCAN_END 0x100000ULL
#define ACPI_TABLES_ALIGN 8

/* Where each table is, as offsets into the buffer (the guest sees them at
 * the buffer's address + offset), and the bytes used in all. */
struct acpi_tables {
	size_t xsdt, fadt, madt, dsdt;
	size_t len;
};

/*
 * Bytes acpi_build_tables() needs for p (under 1 KiB for one vCPU, about
 * 1.6 KiB for 8 vCPUs and 9 virtio devices, under 11 KiB for
 * PLATFORM_MAX_CPUS and 9).  Returns 0 with err_set() if p cannot be
 * described.
 */
size_t acpi_tables_size(const struct platform *p);

/*
 * Build the XSDT, FADT, MADT and DSDT for p into buf[0..len) as the guest
 * will see them at guest-physical address gpa (ACPI_TABLES_ALIGN-aligned).
 * t receives each table's offset.  Returns 0, or -1 with err_set() if len
 * is too small, gpa is misaligned or p cannot be described (no CPU, more
 * than PLATFORM_MAX_CPUS, an ISA interrupt above 15, a virtio window above
 * 4 GiB).  Nothing outside buf[0..t->len) is written.
 */
int acpi_build_tables(const struct platform *p, uint64_t gpa, void *buf,
		      size_t len, struct acpi_tables *t);

/* The ACPI 2.0+ RSDP (ACPI_RSDP_SIZE bytes) pointing at the XSDT. */
void acpi_build_rsdp(void *rsdp, uint64_t xsdt_gpa);

/*
 * Write the RSDP at rsdp_gpa and the tables at tables_gpa into guest
 * memory; at most tables_max bytes of tables.  Returns 0, or -1 with
 * err_set() (misaligned, not RAM, too small, or as acpi_build_tables()).
 */
int acpi_write(const struct guest_mem *gm, const struct platform *p,
	       uint64_t rsdp_gpa, uint64_t tables_gpa, uint64_t tables_max);

struct boot_alloc;

/*
 * Place the tables and the RSDP in the reserved BIOS area (0xf0000-
 * 0xfffff: the e820 map keeps the guest off it, and a scan for the RSDP
 * finds it there) around what a already holds, and write them.  Returns
 * 0 with *rsdp_gpa set, or -1 with err_set().
 */
int acpi_install(const struct guest_mem *gm, const struct platform *p,
		 struct boot_alloc *a, uint64_t *rsdp_gpa);

#endif
