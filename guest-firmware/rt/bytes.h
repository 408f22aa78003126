/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bytes.h - reading the firmware tables the VMM left in low memory (MP,
 * ACPI): little-endian fields at any alignment, sums, and pointers to low
 * physical addresses.
 */
#ifndef RT_BYTES_H
#define RT_BYTES_H

#include <stddef.h>
#include <stdint.h>

static inline uint16_t get16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static inline uint32_t get32(const uint8_t *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

static inline uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* The byte sum: 0 for a table with a right checksum. */
static inline uint8_t sum8(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

/* A low physical address, hidden from GCC's "null page" bounds checks. */
static inline const uint8_t *phys(uintptr_t addr)
{
	asm("" : "+r"(addr));
	return (const uint8_t *)addr;
}

#endif
