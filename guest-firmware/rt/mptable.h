/* SPDX-License-Identifier: GPL-2.0-only */
/* mptable.h - the processors an MP 1.4 table lists (rt/mptable.c). */
#ifndef RT_MPTABLE_H
#define RT_MPTABLE_H

#include <stdbool.h>
#include <stdint.h>

#define RT_MP_MAX_CPUS 256 /* 8-bit APIC IDs */

enum {
	RT_MP_OK,
	RT_MP_NONE, /* no floating pointer found */
	RT_MP_BAD_TABLE, /* found, but no usable configuration table */
};

struct rt_mptable {
	uintptr_t floating_addr;
	uint32_t config_addr;
	uint32_t lapic_addr;
	unsigned int nr_cpus; /* enabled processors (may exceed the array) */
	struct {
		uint8_t apic_id;
		bool bsp;
	} cpu[RT_MP_MAX_CPUS];
};

/* Returns RT_MP_*; only RT_MP_OK fills nr_cpus and cpu[]. */
int rt_mptable_read(struct rt_mptable *mp);

#endif
