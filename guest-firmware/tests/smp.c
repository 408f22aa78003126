// SPDX-License-Identifier: GPL-2.0-only
/*
 * smp.c - start every CPU and split a computation between them: the sum of
 * i*i for i in [0, n) (n=N on the command line, default 10^8), modulo
 * 2^64, one slice per CPU, added atomically and checked against the closed
 * form.  Also checks that the CPUs agree with CPUID: unique APIC IDs, each
 * CPU's CPUID and LAPIC ID equal to what the MP table lists, and CPUID's
 * CPU count equal to the table's.  Exits 0 only if every listed CPU
 * reported and the result is right.  rounds=R repeats the computation R
 * times on the parked APs (a stress test of waking them); only the first
 * round prints the "online" lines and only a wrong round is reported.
 * ud2=I makes CPU I execute ud2 after its "online" line, to check that an
 * AP's exceptions reach the runtime's handler (exit status 3).
 */
#include "rt.h"

#define DEFAULT_N 100000000ull

struct job {
	uint64_t n;
	unsigned int slices;
	uint64_t round;
	uint64_t ud2_cpu; /* ~0: none */
	uint64_t sum;
	uint32_t reported;
};

static void work(unsigned int cpu, void *arg)
{
	struct job *j = arg;
	const struct rt_cpu *c = rt_cpu_info(cpu);
	uint64_t i, lo, hi, s = 0;

	if (!j->round)
		rt_printf("smp: cpu %u apic %u online\n", cpu, c->lapic_id);
	if (cpu == j->ud2_cpu) {
		rt_printf("smp: cpu %u executing ud2\n", cpu);
		asm volatile("ud2");
	}
	lo = j->n / j->slices * cpu;
	hi = cpu + 1 == j->slices ? j->n : lo + j->n / j->slices;
	/* The empty asm keeps the compiler from folding the loop. */
	for (i = lo; i < hi; i++) {
		asm volatile("" : "+r"(i));
		s += i * i;
	}
	rt_atomic_add64(&j->sum, s);
	rt_atomic_add32(&j->reported, 1);
}

/* sum_{i<n} i^2 = (n-1) n (2n-1) / 6, mod 2^64: divide the factors first. */
static uint64_t expected_sum(uint64_t n)
{
	uint64_t a, b, c;

	if (n < 2)
		return 0;
	a = n - 1;
	b = n;
	c = 2 * n - 1; /* odd */
	if (a % 2 == 0)
		a /= 2;
	else
		b /= 2;
	if (a % 3 == 0)
		a /= 3;
	else if (b % 3 == 0)
		b /= 3;
	else
		c /= 3;
	return a * b * c;
}

/* Every CPU's IDs must agree with the list, and be unique. */
static bool check_ids(void)
{
	unsigned int i, k, n = rt_cpu_count();
	bool ok = true;

	for (i = 0; i < n; i++) {
		const struct rt_cpu *c = rt_cpu_info(i);

		if (!c->online)
			continue;
		if (c->lapic_id != c->apic_id ||
		    c->cpuid_apic_id != c->apic_id ||
		    (c->x2apic_id & 0xff) != c->apic_id) {
			rt_printf(
				"smp: cpu %u apic mismatch: listed %u lapic %u "
				"cpuid %u x2apic %u\n",
				i, c->apic_id, c->lapic_id, c->cpuid_apic_id,
				c->x2apic_id);
			ok = false;
		}
		for (k = 0; k < i; k++) {
			if (rt_cpu_info(k)->online &&
			    rt_cpu_info(k)->lapic_id == c->lapic_id) {
				rt_printf("smp: cpus %u and %u share apic %u\n",
					  k, i, c->lapic_id);
				ok = false;
			}
		}
	}
	return ok;
}

/* Every CPU's CPUID (read while emulated) must count the listed CPUs. */
static bool check_cpuid_count(void)
{
	unsigned int i, n = rt_cpu_count();
	bool ok = true;

	for (i = 0; i < n; i++) {
		const struct rt_cpu *c = rt_cpu_info(i);

		if (c->online && c->cpuid_count != n) {
			rt_printf(
				"smp: cpu %u cpuid reports %u cpus, expected %u\n",
				i, c->cpuid_count, n);
			ok = false;
		}
	}
	return ok;
}

int main(const struct boot_info *bi)
{
	static struct job job;
	enum rt_cpu_source src = rt_smp_discover(bi->cmdline);
	unsigned int n = rt_cpu_count(), failed;
	uint64_t t0, t1, t2, expect, rounds = 1;
	bool ok = true;

	switch (src) {
	case RT_CPUS_MPTABLE:
		rt_printf("smp: mp table lists %u cpus\n", n);
		break;
	case RT_CPUS_CMDLINE:
		rt_printf("smp: no mp table, cmdline cpus=%u\n", n);
		break;
	case RT_CPUS_BSP_ONLY:
		rt_printf("smp: no mp table and no cpus=, 1 cpu\n");
		break;
	}

	job.n = DEFAULT_N;
	job.ud2_cpu = ~0ull;
	rt_cmdline_u64(bi->cmdline, "ud2", &job.ud2_cpu);
	rt_cmdline_u64(bi->cmdline, "n", &job.n);
	rt_cmdline_u64(bi->cmdline, "rounds", &rounds);
	job.slices = n;
	expect = expected_sum(job.n);

	t0 = rdtsc();
	failed = rt_smp_boot();
	t1 = rdtsc();
	ok &= failed == 0;
	ok &= check_ids();
	if (src == RT_CPUS_MPTABLE)
		ok &= check_cpuid_count();
	for (job.round = 0; job.round < rounds; job.round++) {
		job.sum = 0;
		job.reported = 0;
		rt_smp_run(work, &job);
		if (job.round + 1 < rounds &&
		    (job.reported != n || job.sum != expect)) {
			rt_printf("smp: round %lu: %u cpus reported, result "
				  "%lu\n",
				  job.round, job.reported, job.sum);
			ok = false;
		}
	}
	t2 = rdtsc();

	rt_printf("smp: %u cpus reported, result %lu (expected %lu)\n",
		  job.reported, job.sum, expect);
	rt_printf("smp: start %luM, compute %luM TSC cycles\n",
		  (t1 - t0) / 1000000, (t2 - t1) / 1000000);
	ok &= job.reported == n && job.sum == expect;
	return ok ? 0 : 1;
}
