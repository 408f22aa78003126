// SPDX-License-Identifier: GPL-2.0-only
/*
 * acpi_dump.c - write kvmux's ACPI tables for one platform to files, one
 * table per file, for tools that read raw tables (iasl -d, acpixtract):
 *
 *   acpi-dump [--cpus N] [--disks N] [--virtio-console] [--no-acpi-devices]
 *             [--at GPA] DIR
 *
 * writes DIR/rsdp.dat, xsdt.dat, facp.dat, apic.dat and dsdt.dat.  The
 * platform is built as board.c builds it: the UART, then a virtio console
 * if asked, then the disks, then pvpanic and the Generic Event Device
 * (unless --no-acpi-devices).  --at: where the tables would be in the
 * guest (default: 0xf2040, in the BIOS area where kvmux puts them).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvmux/acpi.h"
#include "kvmux/acpi_hw.h"
#include "kvmux/error.h"
#include "kvmux/host_file.h"
#include "kvmux/serial8250.h"

struct dump_args {
	unsigned int cpus, disks;
	bool virtio_console, acpi_devices;
	uint64_t gpa;
	const char *dir;
};

/* Decimal, or hexadecimal with 0x (addresses). */
static int parse_number(const char *text, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(text, &end, 0);
	return *text && !*end && !errno && *text != '-' ? 0 : -1;
}

static int parse_args(int argc, char **argv, struct dump_args *d)
{
	static const struct option opts[] = {
		{ "cpus", required_argument, NULL, 'c' },
		{ "disks", required_argument, NULL, 'd' },
		{ "virtio-console", no_argument, NULL, 'v' },
		{ "no-acpi-devices", no_argument, NULL, 'n' },
		{ "at", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int opt;

	*d = (struct dump_args){ .cpus = 1,
				 .acpi_devices = true,
				 .gpa = 0xf2040 };
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'v' || opt == 'n') {
			d->virtio_console |= opt == 'v';
			d->acpi_devices &= opt != 'n';
			continue;
		}
		if (opt == '?' || parse_number(optarg, &v) < 0)
			return err_set(
				"usage: acpi-dump [--cpus N] [--disks N] "
				"[--virtio-console] [--no-acpi-devices] "
				"[--at GPA] DIR");
		if (opt == 'c')
			d->cpus = v;
		else if (opt == 'd')
			d->disks = v;
		else
			d->gpa = v;
	}
	if (optind + 1 != argc)
		return err_set("acpi-dump: one output directory, please");
	d->dir = argv[optind];
	return 0;
}

static int build_platform(const struct dump_args *d, struct platform *p)
{
	unsigned int i;
	uint64_t base;
	uint8_t irq;

	platform_init(p, d->cpus);
	if (platform_add_isa(p, "serial", SERIAL_COM1_BASE, 8,
			     SERIAL_COM1_IRQ) < 0)
		return -1;
	for (i = 0; i < d->disks + d->virtio_console; i++)
		if (platform_add_virtio(p, &base, &irq) < 0)
			return -1;
	if (d->acpi_devices) {
		platform_add_pvpanic(p, PVPANIC_PORT);
		platform_add_ged(p, ACPI_GED_PORT, ACPI_GED_GSI);
	}
	return 0;
}

static int dump(const char *dir, const char *name, const void *buf, size_t len)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s.dat", dir, name);
	return host_write_file(path, "acpi-dump", buf, len);
}

/* A table's own length (header offset 4), without the padding after it. */
static size_t table_len(const uint8_t *table)
{
	uint32_t len;

	memcpy(&len, table + 4, sizeof(len));
	return len;
}

static int dump_all(const struct dump_args *d, const struct platform *p)
{
	size_t size = acpi_tables_size(p);
	uint8_t *buf = size ? malloc(size) : NULL;
	uint8_t rsdp[ACPI_RSDP_SIZE];
	struct acpi_tables t;
	int rc = -1;

	if (!buf || acpi_build_tables(p, d->gpa, buf, size, &t) < 0)
		goto out;
	acpi_build_rsdp(rsdp, d->gpa + t.xsdt);
	if (dump(d->dir, "rsdp", rsdp, sizeof(rsdp)) < 0 ||
	    dump(d->dir, "xsdt", buf + t.xsdt, table_len(buf + t.xsdt)) < 0 ||
	    dump(d->dir, "facp", buf + t.fadt, table_len(buf + t.fadt)) < 0 ||
	    dump(d->dir, "apic", buf + t.madt, table_len(buf + t.madt)) < 0 ||
	    dump(d->dir, "dsdt", buf + t.dsdt, table_len(buf + t.dsdt)) < 0)
		goto out;
	rc = 0;
out:
	free(buf);
	return rc;
}

int main(int argc, char **argv)
{
	struct dump_args d;
	struct platform p;

	if (parse_args(argc, argv, &d) < 0 || build_platform(&d, &p) < 0 ||
	    dump_all(&d, &p) < 0) {
		fprintf(stderr, "%s\n", err_msg());
		return 1;
	}
	return 0;
}
