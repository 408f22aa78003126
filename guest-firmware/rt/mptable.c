// SPDX-License-Identifier: GPL-2.0-only
/*
 * mptable.c - find the Intel MultiProcessor Specification 1.4 table and
 * list its processor entries.
 *
 * The floating pointer ("_MP_", 16 bytes, checksum) is searched where the
 * specification says: the first KiB of the EBDA (segment at 0x40e in the
 * BIOS data area, else 0x9fc00) and the BIOS area 0xf0000-0xfffff, on
 * 16-byte boundaries.  It points to the configuration table ("PCMP",
 * checksum over the base table) whose entries are 20 bytes for a processor
 * and 8 bytes for everything else.  Only reads, all below 1 MiB.
 */
#include "rt.h"
#include "bytes.h"
#include "mptable.h"

#define MP_ENTRY_CPU 0
#define MP_CPU_ENABLED 0x01
#define MP_CPU_BSP 0x02
#define MP_CONFIG_HEADER 44
#define MP_CPU_ENTRY 20
#define MP_OTHER_ENTRY 8

static const uint8_t *scan(uintptr_t start, size_t len)
{
	const uint8_t *p;
	uintptr_t a;

	for (a = start; a + 16 <= start + len; a += 16) {
		p = phys(a);
		if (!memcmp(p, "_MP_", 4) && p[8] == 1 && !sum8(p, 16))
			return p;
	}
	return NULL;
}

static const uint8_t *find_floating(void)
{
	uint16_t ebda_seg = *(const volatile uint16_t *)phys(0x40e);
	const uint8_t *p = NULL;

	if (ebda_seg >= 0x1000 && ebda_seg < 0xa000)
		p = scan((uintptr_t)ebda_seg << 4, 1024);
	if (!p)
		p = scan(0x9fc00, 1024);
	if (!p)
		p = scan(0xf0000, 0x10000);
	return p;
}

int rt_mptable_read(struct rt_mptable *mp)
{
	const uint8_t *f = find_floating(), *c, *e, *end;
	unsigned int i, nr;
	uint32_t addr;
	uint16_t len;

	memset(mp, 0, sizeof(*mp));
	if (!f)
		return RT_MP_NONE;
	mp->floating_addr = (uintptr_t)f;
	addr = get32(f + 4);
	/* feature byte 1 != 0 means a default configuration: no table. */
	if (!addr || f[11])
		return RT_MP_BAD_TABLE;
	if (addr + MP_CONFIG_HEADER > 0x100000)
		return RT_MP_BAD_TABLE;
	c = (const uint8_t *)(uintptr_t)addr;
	len = get16(c + 4);
	if (memcmp(c, "PCMP", 4) || len < MP_CONFIG_HEADER ||
	    addr + len > 0x100000 || sum8(c, len))
		return RT_MP_BAD_TABLE;
	mp->config_addr = addr;
	mp->lapic_addr = get32(c + 36);
	nr = get16(c + 34);
	e = c + MP_CONFIG_HEADER;
	end = c + len;
	for (i = 0; i < nr && e < end; i++) {
		if (*e != MP_ENTRY_CPU) {
			e += MP_OTHER_ENTRY;
			continue;
		}
		if (e + MP_CPU_ENTRY > end)
			return RT_MP_BAD_TABLE;
		if (e[3] & MP_CPU_ENABLED) {
			if (mp->nr_cpus < RT_MP_MAX_CPUS) {
				mp->cpu[mp->nr_cpus].apic_id = e[1];
				mp->cpu[mp->nr_cpus].bsp = e[3] & MP_CPU_BSP;
			}
			mp->nr_cpus++;
		}
		e += MP_CPU_ENTRY;
	}
	return mp->nr_cpus ? RT_MP_OK : RT_MP_BAD_TABLE;
}
