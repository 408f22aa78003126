// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_acpi.c - the ACPI tables for each platform variant (1 and 8 vCPUs,
 * 0 and 8 disks, a virtio console or not): every table's signature,
 * length and checksum, the pointers between them, what the MADT and the
 * DSDT list; the RSDP; the errors; and acpi_write() into a fake guest at
 * the temporary place in the BIOS area, next to the MP table.
 * tests/acpi/iasl_check.sh has iasl check the same tables.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "boot_test_util.h"
#include "kvmux/acpi.h"
#include "kvmux/acpi_hw.h"
#include "kvmux/boot_alloc.h"
#include "kvmux/error.h"
#include "kvmux/mptable.h"
#include "kvmux/platform.h"

/* Where these tests put the tables: the BIOS area, after an MP table. */
#define TEST_RSDP_ADDR 0xf2000ULL
#define TEST_TABLES_ADDR (TEST_RSDP_ADDR + 0x40)
#define TEST_TABLES_MAX (0x100000ULL - TEST_TABLES_ADDR)

#define GPA 0xf2040ULL
#define HEADER 36
#define FADT_LEN 276

struct variant {
	unsigned int cpus, disks;
	bool console;
	bool no_pic; /* --irqchip split */
};

static const struct variant variants[] = {
	{ 1, 0, false, false }, { 1, 0, true, false },	{ 1, 8, false, false },
	{ 1, 8, true, false },	{ 8, 0, false, false }, { 8, 0, true, false },
	{ 8, 8, false, false }, { 8, 8, true, false },	{ 1, 0, false, true },
	{ 8, 8, true, true },
};

static void make_platform(struct platform *p, const struct variant *v)
{
	unsigned int i;
	uint64_t base;
	uint8_t irq;

	platform_init(p, v->cpus);
	p->pic = !v->no_pic;
	assert_int_equal(platform_add_isa(p, "serial", 0x3f8, 8, 4), 0);
	for (i = 0; i < v->disks + v->console; i++)
		assert_int_equal(platform_add_virtio(p, &base, &irq), 0);
	platform_add_pvpanic(p, PVPANIC_PORT);
	platform_add_ged(p, ACPI_GED_PORT, ACPI_GED_GSI);
}

static uint32_t get32(const uint8_t *b)
{
	uint32_t v;

	memcpy(&v, b, sizeof(v));
	return v;
}

static uint64_t get64(const uint8_t *b)
{
	uint64_t v;

	memcpy(&v, b, sizeof(v));
	return v;
}

static uint8_t sum(const uint8_t *b, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *b++;
	return s;
}

/* Signature, length and checksum; returns the table's length. */
static uint32_t check_table(const uint8_t *t, const char *sig)
{
	uint32_t len = get32(t + 4);

	assert_memory_equal(t, sig, 4);
	assert_true(len >= HEADER);
	assert_int_equal(sum(t, len), 0);
	assert_memory_equal(t + 10, "KVMUX ", 6);
	return len;
}

static unsigned int count(const uint8_t *b, size_t len, const char *what)
{
	size_t n = strlen(what), i;
	unsigned int found = 0;

	for (i = 0; i + n <= len; i++)
		found += !memcmp(b + i, what, n);
	return found;
}

static void check_fadt(const uint8_t *f, const struct acpi_tables *t)
{
	assert_int_equal(check_table(f, "FACP"), FADT_LEN);
	assert_int_equal(f[8], 6); /* revision */
	assert_int_equal(f[131], 3); /* minor revision */
	assert_true(get32(f + 112) & (1u << 20)); /* HW_REDUCED_ACPI */
	assert_true(get32(f + 112) & (1u << 10)); /* RESET_REG_SUP */
	assert_int_equal(get32(f + 40), GPA + t->dsdt);
	assert_int_equal(get64(f + 140), GPA + t->dsdt);
	/* reset register: System I/O, 8 bits, byte access; its value */
	assert_int_equal(f[116], 1);
	assert_int_equal(f[117], 8);
	assert_int_equal(get64(f + 120), ACPI_PM_BASE + ACPI_PM_RESET_REG);
	assert_int_equal(f[128], ACPI_RESET_VALUE);
	assert_int_equal(f[244], 1);
	assert_int_equal(get64(f + 248),
			 ACPI_PM_BASE + ACPI_PM_SLEEP_CONTROL_REG);
	assert_int_equal(f[256], 1);
	assert_int_equal(get64(f + 260),
			 ACPI_PM_BASE + ACPI_PM_SLEEP_STATUS_REG);
}

/* ISO entries for IRQ 0, the UART's 4 and every virtio line. */
static void check_madt(const uint8_t *m, const struct platform *p)
{
	uint32_t len = check_table(m, "APIC");
	unsigned int lapics = 0, isos = 0, nmis = 0, ioapics = 0;
	uint16_t isa = 1u << 0 | 1u << 4, seen = 0;
	const uint8_t *e;
	unsigned int i;

	for (i = 0; i < p->nr_virtio; i++)
		isa |= 1u << p->virtio[i].irq;
	assert_int_equal(get32(m + 36), 0xfee00000);
	assert_int_equal(get32(m + 40), p->pic ? 1 : 0); /* PCAT_COMPAT */
	for (e = m + 44; e < m + len; e += e[1]) {
		assert_true(e[1] >= 2 && e + e[1] <= m + len);
		if (e[0] == 0) {
			assert_int_equal(e[2], lapics); /* processor UID */
			assert_int_equal(e[3], lapics); /* APIC ID */
			lapics++;
		} else if (e[0] == 1) {
			assert_int_equal(e[2], p->nr_cpus);
			assert_int_equal(get32(e + 4), 0xfec00000);
			ioapics++;
		} else if (e[0] == 2) {
			assert_int_equal(e[3], get32(e + 4)); /* IRQ n: GSI n */
			seen |= 1u << e[3];
			isos++;
		} else {
			assert_int_equal(e[0], 4);
			assert_int_equal(e[5], 1); /* LINT1 */
			nmis++;
		}
	}
	assert_ptr_equal(e, m + len);
	assert_int_equal(lapics, p->nr_cpus);
	assert_int_equal(ioapics, 1);
	assert_int_equal(nmis, 1);
	assert_int_equal(seen, isa);
	assert_int_equal(isos, __builtin_popcount(isa));
}

static void check_dsdt(const uint8_t *d, size_t avail, const struct platform *p)
{
	uint32_t len = check_table(d, "DSDT");

	assert_int_equal(len, avail);
	assert_int_equal(d[8], 2);
	assert_int_equal(count(d, len, "_S5_"), 1);
	assert_int_equal(count(d, len, "ACPI0007"), p->nr_cpus);
	assert_int_equal(count(d, len, "LNRO0005"), p->nr_virtio);
	assert_int_equal(count(d, len, "QEMU0001"), 1);
	assert_int_equal(count(d, len, "ACPI0013"), 1);
	assert_int_equal(count(d, len, "COM1"), 1);
}

static void check_variant(const struct variant *v)
{
	struct platform p;
	struct acpi_tables t;
	size_t size;
	uint8_t *b, rsdp[ACPI_RSDP_SIZE];

	make_platform(&p, v);
	size = acpi_tables_size(&p);
	assert_true(size > 0 && size <= TEST_TABLES_MAX);
	b = malloc(size);
	assert_non_null(b);
	assert_int_equal(acpi_build_tables(&p, GPA, b, size, &t), 0);
	assert_int_equal(t.len, size);
	assert_true(t.xsdt % 8 == 0 && t.fadt % 8 == 0 && t.madt % 8 == 0 &&
		    t.dsdt % 8 == 0);
	assert_int_equal(check_table(b + t.xsdt, "XSDT"), HEADER + 16);
	assert_int_equal(get64(b + t.xsdt + 36), GPA + t.fadt);
	assert_int_equal(get64(b + t.xsdt + 44), GPA + t.madt);
	check_fadt(b + t.fadt, &t);
	check_madt(b + t.madt, &p);
	check_dsdt(b + t.dsdt, t.len - t.dsdt, &p);

	acpi_build_rsdp(rsdp, GPA + t.xsdt);
	assert_memory_equal(rsdp, "RSD PTR ", 8);
	assert_int_equal(sum(rsdp, 20), 0);
	assert_int_equal(sum(rsdp, ACPI_RSDP_SIZE), 0);
	assert_int_equal(rsdp[15], 2);
	assert_int_equal(get32(rsdp + 20), ACPI_RSDP_SIZE);
	assert_int_equal(get64(rsdp + 24), GPA + t.xsdt);
	free(b);
}

static void every_variant(void **state)
{
	unsigned int i;

	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		check_variant(&variants[i]);
}

static void largest_machine_fits_the_bios_area(void **state)
{
	struct variant v = { PLATFORM_MAX_CPUS, 8, true, false };

	check_variant(&v);
}

static void without_acpi_devices(void **state)
{
	struct platform p;
	struct acpi_tables t;
	uint8_t b[4096];

	platform_init(&p, 2);
	assert_int_equal(acpi_build_tables(&p, GPA, b, sizeof(b), &t), 0);
	assert_int_equal(count(b + t.dsdt, t.len - t.dsdt, "QEMU0001"), 0);
	assert_int_equal(count(b + t.dsdt, t.len - t.dsdt, "ACPI0013"), 0);
	assert_int_equal(count(b + t.dsdt, t.len - t.dsdt, "_S5_"), 1);
}

static void errors(void **state)
{
	const struct variant v = { 2, 1, false, false };
	struct platform p;
	struct acpi_tables t;
	uint8_t b[4096];
	size_t size;

	make_platform(&p, &v);
	size = acpi_tables_size(&p);
	memset(b, 0x5a, sizeof(b));
	assert_int_equal(acpi_build_tables(&p, GPA, b, size - 1, &t), -1);
	assert_non_null(strstr(err_msg(), "bytes"));
	assert_int_equal(b[0], 0x5a); /* nothing written */
	assert_int_equal(acpi_build_tables(&p, GPA + 4, b, size, &t), -1);
	assert_int_equal(acpi_build_tables(&p, UINT64_MAX & ~7ULL, b, size, &t),
			 -1);
	p.nr_cpus = 0;
	assert_int_equal(acpi_tables_size(&p), 0);
	assert_int_equal(acpi_build_tables(&p, GPA, b, sizeof(b), &t), -1);
	p.nr_cpus = PLATFORM_MAX_CPUS + 1;
	assert_int_equal(acpi_build_tables(&p, GPA, b, sizeof(b), &t), -1);
	p.nr_cpus = 1;
	p.isa[0].irq = 16;
	assert_int_equal(acpi_build_tables(&p, GPA, b, sizeof(b), &t), -1);
}

static void written_next_to_the_mp_table(void **state)
{
	const struct variant v = { PLATFORM_MAX_CPUS, 8, true, false };
	struct fake_guest g;
	struct platform p;
	struct boot_alloc a;
	const uint8_t *mpf, *mpc, *rsdp;
	uint64_t rsdp_gpa, xsdt, mp_end;

	assert_int_equal(fake_guest_init(&g, 64ULL << 20), 0);
	make_platform(&p, &v);
	boot_alloc_init(&a, &g.layout);
	assert_int_equal(mptable_write(&g.gm, &p, &a), 0);
	assert_int_equal(acpi_install(&g.gm, &p, &a, &rsdp_gpa), 0);
	/* The largest MP table is intact, and nothing overlaps it. */
	mpf = fake_guest_at(&g, MPTABLE_ADDR, 16);
	mpc = fake_guest_at(&g, get32(mpf + 4), 44);
	mp_end = get32(mpf + 4) + (mpc[4] | mpc[5] << 8);
	assert_int_equal(sum(mpc, mpc[4] | mpc[5] << 8), 0);
	/* The RSDP is where a scan finds it, and points at the XSDT. */
	rsdp = fake_guest_at(&g, rsdp_gpa, ACPI_RSDP_SIZE);
	assert_true(rsdp_gpa >= ACPI_RSDP_SCAN_START &&
		    rsdp_gpa % ACPI_RSDP_ALIGN == 0 && rsdp_gpa >= mp_end);
	assert_memory_equal(rsdp, "RSD PTR ", 8);
	xsdt = get64(rsdp + 24);
	assert_true(xsdt >= mp_end && xsdt < ACPI_RSDP_SCAN_END);
	check_table(fake_guest_at(&g, xsdt, HEADER), "XSDT");

	/* The writer refuses a misaligned or overlapping RSDP. */
	assert_int_equal(acpi_write(&g.gm, &p, TEST_RSDP_ADDR + 8,
				    TEST_TABLES_ADDR, TEST_TABLES_MAX),
			 -1);
	assert_int_equal(acpi_write(&g.gm, &p, TEST_TABLES_ADDR + 0x100,
				    TEST_TABLES_ADDR, TEST_TABLES_MAX),
			 -1);
	assert_int_equal(
		acpi_write(&g.gm, &p, TEST_RSDP_ADDR, 0xc0000000, 0x1000), -1);
	assert_int_equal(
		acpi_write(&g.gm, &p, TEST_RSDP_ADDR, TEST_TABLES_ADDR, 0x1000),
		-1);
	fake_guest_free(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_variant),
		cmocka_unit_test(largest_machine_fits_the_bios_area),
		cmocka_unit_test(without_acpi_devices),
		cmocka_unit_test(errors),
		cmocka_unit_test(written_next_to_the_mp_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
