// SPDX-License-Identifier: GPL-2.0-only
/*
 * tsc.c - how fast the TSC runs, for kernels that turn cycles into time:
 * the hypervisor's leaf 0x40000010, CPUID leaves 0x15 and 0x16, else a
 * calibration against PIT channel 2 that survives being parked by the
 * VMM's scheduler mid-count.  Note: on PVM, CPUID in native mode is not
 * trapped, so the leaves describe the host CPU (see PLATFORM.md).
 */
#include "rt.h"

static void cpuid2(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c,
		   uint32_t *d)
{
	asm volatile("cpuid"
		     : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
		     : "a"(leaf), "c"(0));
}

/*
 * One 20 ms count of PIT channel 2 (mode 0, gate on through port 0x61
 * bit 0, speaker off; OUT2, port 0x61 bit 5, goes high at the end), timed
 * with the TSC.  Each end of the count is bracketed by two TSC reads, so a
 * park by the VMM's scheduler (the TSC runs on) at either end shows as a
 * wide bracket instead of a wrong rate.  Returns the TSC cycles of the
 * count (0: no PIT, or it never counted) and the width of both brackets.
 */
#define PIT_TICKS 23864u /* 20 ms of the 1.193182 MHz clock */

static uint64_t pit_count_cycles(uint64_t *slack)
{
	uint64_t a0, a1, low, now;
	uint8_t ctl = inb(0x61);

	if (ctl == 0xff)
		return 0;
	outb((ctl & ~0x02) | 0x01, 0x61);
	outb(0xb0, 0x43); /* channel 2, lo/hi byte, mode 0, binary */
	outb(PIT_TICKS & 0xff, 0x42);
	a0 = rdtsc();
	outb(PIT_TICKS >> 8, 0x42); /* the count starts here */
	a1 = rdtsc();
	low = a1;
	for (;;) {
		now = rdtsc();
		if (inb(0x61) & 0x20)
			break;
		low = now; /* OUT2 was still low after this read */
		if (now - a0 > 30000000000ull) /* 10 s at 3 GHz */
			return 0;
	}
	now = rdtsc();
	*slack = (a1 - a0) + (now - low);
	/* Midpoints of the brackets. */
	return (low + now) / 2 - (a0 + a1) / 2;
}

/* The PIT's TSC rate from the first count with both brackets under 1% of
 * it (up to 16 tries), else the tightest one; 0 if there is no PIT. */
static uint64_t pit_tsc_hz(void)
{
	uint64_t cycles, slack, best = 0, best_slack = ~0ull;

	for (int try = 0; try < 16; try++) {
		cycles = pit_count_cycles(&slack);
		if (cycles < 2000000) /* below 100 MHz: it did not count */
			return 0;
		if (slack < best_slack) {
			best = cycles;
			best_slack = slack;
		}
		if (slack * 100 < cycles)
			break;
	}
	return best * 1193182 / PIT_TICKS;
}

uint64_t rt_tsc_hz(const char **source)
{
	uint32_t a, b, c, d, max;
	uint64_t hz;

	cpuid2(0x40000000, &a, &b, &c, &d);
	if (a >= 0x40000010 && a < 0x40010000) {
		cpuid2(0x40000010, &a, &b, &c, &d);
		if (a) {
			*source = "cpuid 0x40000010";
			return (uint64_t)a * 1000;
		}
	}
	cpuid2(0, &max, &b, &c, &d);
	if (max >= 0x15) {
		cpuid2(0x15, &a, &b, &c, &d);
		if (a && b && c) {
			*source = "cpuid 0x15";
			return (uint64_t)c * b / a;
		}
	}
	if (max >= 0x16) {
		cpuid2(0x16, &a, &b, &c, &d);
		if (a & 0xffff) {
			*source = "cpuid 0x16";
			return (uint64_t)(a & 0xffff) * 1000000;
		}
	}
	hz = pit_tsc_hz();
	*source = hz ? "pit" : "unknown";
	return hz;
}
