// SPDX-License-Identifier: GPL-2.0-only
/*
 * acpi.c - find the ACPI tables, check every checksum on the way, and
 * read what a test kernel needs from them (rt/acpi.h).
 *
 * The DSDT is AML, which a test kernel does not interpret: the few facts
 * needed are found by scanning for their encoding (ACPI 6.3, chapter 20):
 * "Name (_S5, Package () {...})" is NameOp '_S5_' PackageOp, and a
 * device's resources follow its "Name (_HID, "...")" as "Name (_CRS,
 * Buffer () {...})".  Every read stays inside the table.
 */
#include "rt.h"
#include "acpi.h"
#include "bytes.h"

#define HEADER 36
#define TABLE_MAX (1u << 20) /* no table of ours comes near */
#define LIMIT_4G 0x100000000ull

#define AML_NAME_OP 0x08
#define AML_ROOT_CHAR 0x5c
#define AML_PACKAGE_OP 0x12
#define AML_BUFFER_OP 0x11
#define AML_STRING_PREFIX 0x0d
#define AML_EXT_OP 0x5b
#define AML_OP_REGION 0x80
#define AML_SYSTEM_IO 0x01
#define HID_SCAN 512 /* bytes after a _HID in which its device's data is */

static bool below_4g(uint64_t addr, uint64_t len)
{
	return addr && addr < LIMIT_4G && len <= LIMIT_4G - addr;
}

static uintptr_t scan(uintptr_t start, size_t len)
{
	uintptr_t a;

	for (a = start; a + 20 <= start + len; a += 16)
		if (!memcmp(phys(a), "RSD PTR ", 8) && !sum8(phys(a), 20))
			return a;
	return 0;
}

uintptr_t rt_acpi_scan_rsdp(void)
{
	uint16_t ebda_seg = *(const volatile uint16_t *)phys(0x40e);
	uintptr_t p = 0;

	if (ebda_seg >= 0x1000 && ebda_seg < 0xa000)
		p = scan((uintptr_t)ebda_seg << 4, 1024);
	if (!p)
		p = scan(0xe0000, 0x20000);
	return p;
}

uintptr_t rt_acpi_find_rsdp(const struct boot_info *bi)
{
	return bi->acpi_rsdp ? bi->acpi_rsdp : rt_acpi_scan_rsdp();
}

/* Signature, a sane length below 4 GiB, the checksum. */
static const char *check_table(uint64_t addr, const char *sig, bool verbose)
{
	const uint8_t *t;
	uint32_t len;

	if (!below_4g(addr, HEADER))
		return "a table pointer is 0 or above 4 GiB";
	t = phys(addr);
	len = get32(t + 4);
	if (memcmp(t, sig, 4))
		return sig;
	if (len < HEADER || len > TABLE_MAX || !below_4g(addr, len))
		return "a table length is out of range";
	if (sum8(t, len))
		return "a table checksum is wrong";
	if (verbose)
		rt_printf("acpi: %s at 0x%lx len %u rev %u checksum ok\n", sig,
			  (unsigned long)addr, len, t[8]);
	return NULL;
}

static struct rt_acpi_gas gas_at(const uint8_t *p)
{
	return (struct rt_acpi_gas){ .space = p[0],
				     .bit_width = p[1],
				     .bit_offset = p[2],
				     .access_size = p[3],
				     .address = get64(p + 4) };
}

/* FADT (5.2.9): the fields kvmux's hardware-reduced platform uses. */
static const char *read_fadt(struct rt_acpi *a, bool verbose)
{
	const uint8_t *f = phys(a->fadt);
	uint32_t len = get32(f + 4);
	uint64_t dsdt;

	if (len < 268)
		return "the FADT is too short for the sleep registers";
	a->fadt_flags = get32(f + 112);
	a->reset_reg = gas_at(f + 116);
	a->reset_value = f[128];
	a->sleep_control = gas_at(f + 244);
	a->sleep_status = gas_at(f + 256);
	dsdt = get64(f + 140);
	if (!dsdt)
		dsdt = get32(f + 40);
	else if (get32(f + 40) && get32(f + 40) != dsdt)
		return "the FADT's DSDT and X_DSDT differ";
	a->dsdt = dsdt;
	return check_table(dsdt, "DSDT", verbose);
}

/* XSDT entries: find the FADT and the MADT, checking every table. */
static const char *walk_xsdt(struct rt_acpi *a, bool verbose)
{
	const uint8_t *x = phys(a->xsdt);
	unsigned int i, n = (get32(x + 4) - HEADER) / 8;
	const char *err;
	uint64_t t;

	for (i = 0; i < n; i++) {
		t = get64(x + HEADER + 8 * i);
		if (!below_4g(t, HEADER))
			return "an XSDT entry is 0 or above 4 GiB";
		if (!memcmp(phys(t), "FACP", 4))
			a->fadt = t;
		else if (!memcmp(phys(t), "APIC", 4))
			a->madt = t;
		err = check_table(t, (const char *)phys(t), false);
		if (err)
			return err;
	}
	if (!a->fadt || !a->madt)
		return "the XSDT lists no FACP or no APIC";
	if ((err = check_table(a->fadt, "FACP", verbose)) ||
	    (err = check_table(a->madt, "APIC", verbose)))
		return err;
	return read_fadt(a, verbose);
}

const char *rt_acpi_load(uintptr_t rsdp, struct rt_acpi *a, bool verbose)
{
	const uint8_t *r;
	const char *err;

	memset(a, 0, sizeof(*a));
	if (!below_4g(rsdp, 36))
		return "the RSDP address is 0 or above 4 GiB";
	r = phys(rsdp);
	if (memcmp(r, "RSD PTR ", 8) || sum8(r, 20))
		return "no RSDP (signature or checksum) there";
	if (r[15] < 2 || get32(r + 20) < 36 || sum8(r, get32(r + 20)))
		return "the RSDP is not revision 2 with a right extended "
		       "checksum";
	a->rsdp = rsdp;
	if (verbose)
		rt_printf("acpi: RSDP at 0x%lx rev %u checksums ok\n",
			  (unsigned long)rsdp, r[15]);
	a->xsdt = get64(r + 24);
	err = check_table(a->xsdt, "XSDT", verbose);
	return err ? err : walk_xsdt(a, verbose);
}

const char *rt_acpi_read_madt(uintptr_t madt, struct rt_acpi_madt *m)
{
	const uint8_t *t = phys(madt), *e, *end = t + get32(t + 4);

	memset(m, 0, sizeof(*m));
	m->lapic_addr = get32(t + 36);
	for (e = t + 44; e + 2 <= end; e += e[1]) {
		if (e[1] < 2 || e + e[1] > end)
			return "a MADT entry runs past the table";
		if (e[0] == 0 && e[1] >= 8 && (get32(e + 4) & 1)) {
			if (m->nr_cpus < RT_ACPI_MAX_CPUS)
				m->apic_id[m->nr_cpus] = e[3];
			m->nr_cpus++;
		} else if (e[0] == 1 && e[1] >= 12) {
			m->ioapic_id = e[2];
			m->ioapic_addr = get32(e + 4);
			m->nr_ioapics++;
		}
	}
	return e == end ? NULL : "the MADT's entries do not fill it";
}

void rt_acpi_gas_write(const struct rt_acpi_gas *g, uint8_t value)
{
	if (g->space == RT_ACPI_SPACE_IO)
		outb(value, g->address);
	else if (below_4g(g->address, 1))
		*(volatile uint8_t *)(uintptr_t)g->address = value;
}

uint8_t rt_acpi_gas_read(const struct rt_acpi_gas *g)
{
	if (g->space == RT_ACPI_SPACE_IO)
		return inb(g->address);
	if (below_4g(g->address, 1))
		return *(volatile uint8_t *)(uintptr_t)g->address;
	return 0xff;
}

void rt_acpi_power_off(const struct rt_acpi *a, uint8_t slp_typ)
{
	/* Sleep control register (4.8.3.7): SLP_TYP 4:2, SLP_EN 5. */
	rt_acpi_gas_write(&a->sleep_control, (slp_typ & 7) << 2 | 0x20);
}

/* Bytes of a PkgLength at p (20.2.4), or 0 if it runs past end. */
static unsigned int pkg_length_bytes(const uint8_t *p, const uint8_t *end)
{
	unsigned int n = 1 + (p[0] >> 6);

	return p + n <= end ? n : 0;
}

/* An integer data object (20.2.3) at p; false if it is none or too long. */
static bool aml_integer(const uint8_t *p, const uint8_t *end, uint64_t *v,
			unsigned int *len)
{
	static const uint8_t sizes[] = {
		[0x0a] = 1, [0x0b] = 2, [0x0c] = 4, [0x0e] = 8
	};
	unsigned int i, n;

	if (p >= end)
		return false;
	if (p[0] == 0x00 || p[0] == 0x01 || p[0] == 0xff) {
		*v = p[0] == 0xff ? ~0ull : p[0];
		*len = 1;
		return true;
	}
	n = p[0] < sizeof(sizes) ? sizes[p[0]] : 0;
	if (!n || p + 1 + n > end)
		return false;
	for (*v = 0, i = 0; i < n; i++)
		*v |= (uint64_t)p[1 + i] << (8 * i);
	*len = 1 + n;
	return true;
}

static const uint8_t *dsdt_end(uintptr_t dsdt)
{
	return phys(dsdt) + get32(phys(dsdt) + 4);
}

/* The next occurrence of len bytes what in [p, end), or NULL. */
static const uint8_t *find(const uint8_t *p, const uint8_t *end,
			   const void *what, size_t len)
{
	for (; p + len <= end; p++)
		if (!memcmp(p, what, len))
			return p;
	return NULL;
}

bool rt_aml_s5(uintptr_t dsdt, uint8_t *slp_typ)
{
	const uint8_t *t = phys(dsdt), *end = dsdt_end(dsdt), *p = t + HEADER;
	unsigned int n, len;
	uint64_t v;

	while ((p = find(p, end, "_S5_", 4))) {
		/* NameOp, optionally a root prefix, then the package. */
		bool named = p[-1] == AML_NAME_OP ||
			     (p[-1] == AML_ROOT_CHAR && p[-2] == AML_NAME_OP);

		p += 4;
		if (!named || p >= end || *p != AML_PACKAGE_OP)
			continue;
		n = pkg_length_bytes(p + 1, end);
		/* PackageOp PkgLength NumElements, then the first value. */
		if (n && p + 2 + n <= end && p[1 + n] >= 1 &&
		    aml_integer(p + 2 + n, end, &v, &len) && v <= 7) {
			*slp_typ = v;
			return true;
		}
	}
	return false;
}

/*
 * Where the nth (from 0) device with string _HID hid starts its data, or
 * NULL; *end: where its data ends at the latest.
 */
static const uint8_t *find_hid(uintptr_t dsdt, const char *hid,
			       unsigned int nth, const uint8_t **end)
{
	const uint8_t *p;
	uint8_t pattern[16];
	size_t n = strlen(hid);

	if (n + 2 > sizeof(pattern))
		return NULL;
	pattern[0] = AML_STRING_PREFIX;
	memcpy(pattern + 1, hid, n + 1);
	*end = dsdt_end(dsdt);
	p = find(phys(dsdt) + HEADER, *end, pattern, n + 2);
	for (; p && nth; nth--)
		p = find(p + n + 2, *end, pattern, n + 2);
	if (p && p + HID_SCAN < *end)
		*end = p + HID_SCAN;
	return p;
}

/* Walk a resource template (6.4) for the first item of that name. */
static const uint8_t *walk_resources(const uint8_t *r, const uint8_t *end,
				     uint8_t item)
{
	unsigned int len;

	while (r < end) {
		if (r[0] & 0x80) { /* large item: tag byte, 16-bit length */
			if (r + 3 > end)
				return NULL;
			len = 3 + get16(r + 1);
			if (r[0] == item)
				return r + len <= end ? r : NULL;
		} else { /* small item: name in bits 6:3, length in 2:0 */
			len = 1 + (r[0] & 7);
			if (((r[0] >> 3) & 0xf) == 0xf) /* end tag */
				return NULL;
			if (((r[0] >> 3) & 0xf) == item)
				return r + len <= end ? r : NULL;
		}
		r += len;
	}
	return NULL;
}

const uint8_t *rt_aml_resource(uintptr_t dsdt, const char *hid, uint8_t item)
{
	return rt_aml_resource_nth(dsdt, hid, 0, item);
}

const uint8_t *rt_aml_resource_nth(uintptr_t dsdt, const char *hid,
				   unsigned int nth, uint8_t item)
{
	const uint8_t *end, *p = find_hid(dsdt, hid, nth, &end);
	unsigned int n, len;
	uint64_t size;

	if (!p || !(p = find(p, end, "\x08_CRS\x11", 6)))
		return NULL;
	/* BufferOp PkgLength BufferSize, then the descriptors. */
	p += 6;
	n = pkg_length_bytes(p, end);
	if (!n || !aml_integer(p + n, end, &size, &len))
		return NULL;
	p += n + len;
	if (size > (uint64_t)(end - p))
		return NULL;
	return walk_resources(p, p + size, item);
}

bool rt_aml_io_region(uintptr_t dsdt, const char *hid, uint16_t *port)
{
	const uint8_t *end, *p = find_hid(dsdt, hid, 0, &end);
	static const uint8_t op[] = { AML_EXT_OP, AML_OP_REGION };
	unsigned int len;
	uint64_t v;

	if (!p || !(p = find(p, end, op, sizeof(op))))
		return false;
	/* OperationRegion: NameSeg, space, offset, length. */
	p += sizeof(op) + 4;
	if (p >= end || *p != AML_SYSTEM_IO ||
	    !aml_integer(p + 1, end, &v, &len) || v > 0xffff)
		return false;
	*port = v;
	return true;
}
