// SPDX-License-Identifier: GPL-2.0-only
/*
 * burn.c - a CPU-bound loop that reports its progress, for measuring the
 * CPU share a VM gets.
 *
 *   seconds=S   run for S seconds of TSC time, then print
 *               "burn: done <iterations> iterations in <ms> ms" and exit 0
 *               (default: forever)
 *   report=MS   every MS milliseconds of TSC time print
 *               "burn: <iterations> iterations at <elapsed ms> ms"
 *               (default 1000; 0 turns the reports off)
 *
 * The TSC keeps counting while the VMM's scheduler has the vCPU parked
 * (it is wall time), so iterations per elapsed second measure the share of
 * a CPU this VM got.  The first line says how the TSC rate was found:
 * "burn: tsc_hz=<hz> (<source>)".
 */
#include "rt.h"

/* Iterations between two TSC reads: ~10-50 us of native loop. */
#define BATCH 65536ull
/* When nothing tells the TSC rate: real TSCs run at 1-5 GHz. */
#define TSC_HZ_GUESS 3000000000ull

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

/* The TSC rate: hypervisor leaf 0x40000010, leaf 0x15, 0x16, the PIT. */
static uint64_t tsc_hz(const char **source)
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
	if (hz) {
		*source = "pit";
		return hz;
	}
	*source = "guess";
	return TSC_HZ_GUESS;
}

static uint64_t cycles_to_ms(uint64_t cycles, uint64_t hz)
{
	/* Split so that cycles * 1000 cannot overflow. */
	return cycles / hz * 1000 + cycles % hz * 1000 / hz;
}

int main(const struct boot_info *bi)
{
	uint64_t seconds = 0, report_ms = 1000, hz, i = 0;
	uint64_t t0, now, elapsed, end = 0, next = 0, step = 0;
	bool forever;
	const char *source;

	forever = !rt_cmdline_u64(bi->cmdline, "seconds", &seconds);
	if (rt_cmdline_find(bi->cmdline, "report", &(size_t){ 0 }) &&
	    !rt_cmdline_u64(bi->cmdline, "report", &report_ms)) {
		rt_printf("burn: bad report=, want milliseconds\n");
		return 1;
	}
	hz = tsc_hz(&source);
	rt_printf("burn: tsc_hz=%lu (%s)\n", hz, source);
	if (forever)
		rt_printf("burn: forever, report every %lu ms\n", report_ms);
	else
		rt_printf("burn: %lu s, report every %lu ms\n", seconds,
			  report_ms);

	t0 = rdtsc();
	if (!forever)
		end = seconds * hz;
	if (report_ms) {
		step = report_ms * hz / 1000 ?: 1;
		next = step;
	}
	for (;;) {
		/* The empty asm owns i, so the loop cannot be folded. */
		for (uint64_t n = 0; n < BATCH; n++, i++)
			asm volatile("" : "+r"(i));
		now = rdtsc();
		elapsed = now - t0;
		if (!forever && elapsed >= end)
			break;
		if (step && elapsed >= next) {
			rt_printf("burn: %lu iterations at %lu ms\n", i,
				  cycles_to_ms(elapsed, hz));
			/* After a long park, skip the reports it missed. */
			next += step;
			if (next <= elapsed)
				next = elapsed - elapsed % step + step;
		}
	}
	rt_printf("burn: done %lu iterations in %lu ms\n", i,
		  cycles_to_ms(elapsed, hz));
	return 0;
}
