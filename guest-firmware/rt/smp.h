/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * smp.h - the runtime's multiprocessor API (rt/smp.c, rt/mptable.c,
 * rt/trampoline.S): find the CPUs, start the application processors (APs),
 * run a function on each of them, and the spinlock and atomic helpers that
 * code shared between CPUs needs.  Included by rt.h.
 *
 * CPU index 0 is always the bootstrap processor (BSP) that ran main(); the
 * APs are numbered 1.. in the order the MP table (or cpus=N) lists them.
 */
#ifndef RT_SMP_H
#define RT_SMP_H

#define RT_MAX_CPUS 64
#define RT_AP_STACK_SIZE 16384
/* The real-mode trampoline's page below 1 MiB; the SIPI vector is 0x08. */
#define RT_TRAMPOLINE_ADDR 0x8000
#define RT_LAPIC_ADDR 0xfee00000
#define RT_VECTOR_WAKE 0xf0 /* IPI that wakes a parked AP */
#define RT_VECTOR_SPURIOUS 0xff /* LAPIC spurious-interrupt vector */

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>

/* Where the CPU list came from. */
enum rt_cpu_source {
	RT_CPUS_BSP_ONLY, /* no MP table, no cpus=: just the BSP */
	RT_CPUS_MPTABLE,
	RT_CPUS_CMDLINE, /* cpus=N: APIC IDs 0..N-1, BSP 0 */
};

struct rt_cpu {
	uint32_t apic_id; /* as listed (MP table or cpus=N) */
	bool bsp; /* listed as the BSP */
	bool online; /* running runtime code (the BSP always) */
	/*
	 * Read by the CPU itself while still emulated: in PVM native mode
	 * CPUID may not trap (it does not on AMD hosts) and then returns the
	 * host's values.
	 */
	uint32_t cpuid_apic_id; /* CPUID.1:EBX[31:24] */
	uint32_t x2apic_id; /* CPUID.0xB:EDX */
	uint32_t cpuid_count; /* CPUs: leaf 0xB core level, else 1:EBX[23:16] */
	uint32_t lapic_id; /* LAPIC ID register [31:24] */
};

/*
 * Fill the CPU list: the MP table if one is found (and the command line
 * has no "mptable=off"), else cmdline "cpus=N", else the BSP alone.
 * Returns the source.  The BSP's own entry is index 0 whatever order the
 * table uses.
 */
enum rt_cpu_source rt_smp_discover(const char *cmdline);
const char *rt_smp_source_name(enum rt_cpu_source src);
unsigned int rt_cpu_count(void); /* listed CPUs, BSP included */
unsigned int rt_cpu_online_count(void);
const struct rt_cpu *rt_cpu_info(unsigned int index);

/* The calling CPU's index (from which stack it runs on: cheap, native). */
unsigned int rt_cpu_index(void);
/* The calling CPU's LAPIC ID register (a trapped MMIO read under PVM). */
uint32_t rt_apic_id(void);

/*
 * Start every listed AP (INIT, SIPI, SIPI) and wait up to ~1 s for each to
 * check in; an AP that does not is reported as "smp: cpu N did not start".
 * Started APs park (HLT) until rt_smp_start().  Calls rt_smp_discover(NULL)
 * if it was not called.  Returns how many APs did not start (0: all did).
 */
unsigned int rt_smp_boot(void);

/*
 * Run fn(cpu_index, arg) once on every online AP (not on the BSP), without
 * waiting; returns how many APs it was started on.  rt_smp_wait() returns
 * when every one of them has returned from fn.  rt_smp_run() does both and
 * runs fn(0, arg) on the BSP in between.  Boots the APs first if
 * rt_smp_boot() was not called.  One piece of work at a time: call
 * rt_smp_wait() before the next rt_smp_start().
 */
typedef void (*rt_smp_fn)(unsigned int cpu, void *arg);
unsigned int rt_smp_start(rt_smp_fn fn, void *arg);
void rt_smp_wait(void);
void rt_smp_run(rt_smp_fn fn, void *arg);

/* Rough TSC rate used for the start-up delays (the TSC is native). */
uint64_t rt_tsc_per_ms(void);
void rt_delay_us(uint64_t us);

/* Runtime-internal hooks. */
void rt_smp_early(void); /* rt_start, before the vIF page: BSP's CPUID */
bool rt_smp_interrupt(uint64_t vector); /* rt_exception: our vectors */
void rt_idt_load(void); /* rt/start.c: load the shared IDT */
void rt_console_lock(void); /* rt/console.c: recursive per CPU */
void rt_console_unlock(void);

static inline void rt_cpu_relax(void)
{
	asm volatile("pause" : : : "memory");
}

/* Zero-initialised means unlocked. */
typedef struct {
	uint32_t locked;
} rt_spinlock_t;

static inline void rt_spin_lock(rt_spinlock_t *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			rt_cpu_relax();
}

static inline bool rt_spin_trylock(rt_spinlock_t *l)
{
	return !__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE);
}

static inline void rt_spin_unlock(rt_spinlock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

/* Sequentially consistent read-modify-write; each returns the new value. */
static inline uint64_t rt_atomic_add64(uint64_t *p, uint64_t v)
{
	return __atomic_add_fetch(p, v, __ATOMIC_SEQ_CST);
}

static inline uint32_t rt_atomic_add32(uint32_t *p, uint32_t v)
{
	return __atomic_add_fetch(p, v, __ATOMIC_SEQ_CST);
}

static inline uint64_t rt_atomic_load64(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline uint32_t rt_atomic_load32(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline bool rt_atomic_cmpxchg64(uint64_t *p, uint64_t old, uint64_t new)
{
	return __atomic_compare_exchange_n(p, &old, new, false,
					   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

struct rt_cpuid {
	uint32_t eax, ebx, ecx, edx;
};

/* Emulated by KVM; in PVM native mode it may not trap on every host. */
static inline struct rt_cpuid rt_cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct rt_cpuid r;

	asm volatile("cpuid"
		     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
		     : "a"(leaf), "c"(subleaf));
	return r;
}

#endif /* __ASSEMBLER__ */
#endif
