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
#include "irq.h"
#include "lapic.h"
#include "rt.h"
#include "x86.h"

/* Iterations between two TSC reads: ~10-50 us of native loop. */
#define BATCH 65536ull
/* When nothing tells the TSC rate: real TSCs run at 1-5 GHz. */
#define TSC_HZ_GUESS 3000000000ull

#define VECTOR_TIMER RT_VECTOR_DEVICE_FIRST

/* The wake-up is the TSC passing the deadline: nothing to record. */
static void ignore_timer(uint8_t vector)
{
	(void)vector;
}

/* idle=MS: halt with interrupts on for MS of TSC time before burning (a
 * VM that idles, then becomes busy: for the scheduler's back-off). */
static void idle_first(uint64_t ms, uint64_t hz)
{
	uint64_t deadline = rdtsc() + ms * (hz / 1000);

	rt_irq_init();
	rt_irq_set_handler(VECTOR_TIMER, ignore_timer);
	lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_TSC_DEADLINE | VECTOR_TIMER);
	wrmsr(MSR_TSC_DEADLINE, deadline);
	while (rdtsc() < deadline)
		rt_irq_wait();
	rt_printf("burn: idled %lu ms\n", ms);
}

static uint64_t cycles_to_ms(uint64_t cycles, uint64_t hz)
{
	/* Split so that cycles * 1000 cannot overflow. */
	return cycles / hz * 1000 + cycles % hz * 1000 / hz;
}

int main(const struct boot_info *bi)
{
	uint64_t seconds = 0, report_ms = 1000, hz, i = 0, idle_ms = 0;
	uint64_t t0, now, elapsed, end = 0, next = 0, step = 0;
	bool forever;
	const char *source;

	forever = !rt_cmdline_u64(bi->cmdline, "seconds", &seconds);
	if (rt_cmdline_find(bi->cmdline, "report", &(size_t){ 0 }) &&
	    !rt_cmdline_u64(bi->cmdline, "report", &report_ms)) {
		rt_printf("burn: bad report=, want milliseconds\n");
		return 1;
	}
	hz = rt_tsc_hz(&source);
	if (!hz) {
		hz = TSC_HZ_GUESS;
		source = "guess";
	}
	rt_printf("burn: tsc_hz=%lu (%s)\n", hz, source);
	if (forever)
		rt_printf("burn: forever, report every %lu ms\n", report_ms);
	else
		rt_printf("burn: %lu s, report every %lu ms\n", seconds,
			  report_ms);

	if (rt_cmdline_u64(bi->cmdline, "idle", &idle_ms))
		idle_first(idle_ms, hz);
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
