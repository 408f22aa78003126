// SPDX-License-Identifier: GPL-2.0-only
/*
 * smp.c - the CPU list, the local APIC, starting the APs, running work on
 * them, and the console lock.
 *
 * Start-up (rt_smp_boot, on the BSP): enable the BSP's LAPIC (and mask
 * LVT0, which KVM's reset state leaves in ExtINT mode), copy the real-mode
 * trampoline (rt/trampoline.S) to RT_TRAMPOLINE_ADDR, give every AP a
 * stack by APIC ID, then INIT all APs, wait ~10 ms, SIPI all, SIPI again
 * after ~1 ms those not yet checked in (KVM drops a SIPI to a running
 * CPU), and wait up to ~1 s for the stragglers.  This is the only runtime
 * code that writes below 1 MiB; by then main() has run and boot_info holds
 * everything the runtime needed from the VMM's structures.
 *
 * Each AP (rt_ap_main) loads the shared IDT, reads its APIC ID from CPUID
 * while still emulated, registers its OWN vIF page (PVM keeps the virtual
 * interrupt flag per vCPU, so the BSP's page cannot serve it) and so runs
 * natively, enables its LAPIC, checks in, and parks: vIF (or IF) on, HLT,
 * woken by an RT_VECTOR_WAKE IPI.  Setting vif.if_ and HLT are not atomic
 * the way STI;HLT is, so rt_smp_wait() re-sends the IPI to an AP that has
 * not picked up new work after a few milliseconds.
 */
#include "rt.h"
#include "lapic.h"
#include "mptable.h"

#define ICR_FIXED 0x000
#define ICR_INIT 0x500
#define ICR_STARTUP 0x600
#define ICR_BUSY 0x1000
#define ICR_ASSERT 0x4000

/* Rough: real TSCs run at 1-5 GHz; 3 GHz keeps every delay within 3x. */
#define TSC_GUESS_PER_MS 3000000ull
#define INIT_DELAY_US 10000
#define SIPI_RETRY_US 1000
#define CHECKIN_TIMEOUT_US 1000000
#define WAKE_RESEND_US 5000

/* The PVM virtual-IF page layout (see start.c). */
struct ap_vif {
	uint8_t if_;
	uint8_t pending;
	uint8_t pad[6];
	uint64_t cr2;
};

struct cpu_state {
	struct rt_cpu info;
	uint32_t seen_gen; /* last work generation picked up */
	uint32_t done_gen; /* last work generation finished */
};

extern const char rt_trampoline[], rt_trampoline_end[], rt_trampoline_gdt[];
extern uint8_t rt_ap_vif_pages[], rt_ap_stacks[];
extern const struct desc_ptr rt_gdt_desc;
/* Read by trampoline.S: the stack top of the AP with that APIC ID. */
uint64_t rt_ap_stack_by_apic[256];
__attribute__((noreturn)) void rt_ap_main(void);

static struct cpu_state cpus[RT_MAX_CPUS];
static unsigned int nr_cpus;
static bool discovered, booted;
static struct rt_mptable mptable;
/*
 * rt_smp_early()'s CPUID values: written before .bss is cleared, so
 * RT_NOINIT; only the fields record_cpuid() sets are ever read.
 */
static struct rt_cpu bsp_cpuid RT_NOINIT;

static rt_smp_fn work_fn;
static void *work_arg;
static uint32_t work_gen;

static uint32_t console_lock_word;
static uint32_t console_owner; /* CPU index + 1, 0: free */
static unsigned int console_depth;

uint64_t rt_tsc_per_ms(void)
{
	return TSC_GUESS_PER_MS;
}

void rt_delay_us(uint64_t us)
{
	uint64_t end = rdtsc() + us * TSC_GUESS_PER_MS / 1000;

	while (rdtsc() < end)
		rt_cpu_relax();
}

static uint64_t deadline_us(uint64_t us)
{
	return rdtsc() + us * TSC_GUESS_PER_MS / 1000;
}

static void send_ipi(uint32_t apic_id, uint32_t icr)
{
	unsigned int i;

	/* KVM completes an IPI at the ICR write; bounded for real hardware. */
	for (i = 0; i < 1000 && (lapic_read(LAPIC_ICR_LO) & ICR_BUSY); i++)
		rt_cpu_relax();
	lapic_write(LAPIC_ICR_HI, apic_id << 24);
	lapic_write(LAPIC_ICR_LO, icr);
}

uint32_t rt_apic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

unsigned int rt_cpu_index(void)
{
	uintptr_t sp, base = (uintptr_t)rt_ap_stacks;

	asm("mov %%rsp, %0" : "=r"(sp));
	if (sp > base && sp <= base + (RT_MAX_CPUS - 1) * RT_AP_STACK_SIZE)
		return (sp - base - 1) / RT_AP_STACK_SIZE + 1;
	return 0;
}

unsigned int rt_cpu_count(void)
{
	return nr_cpus;
}

unsigned int rt_cpu_online_count(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < nr_cpus; i++)
		n += __atomic_load_n(&cpus[i].info.online, __ATOMIC_ACQUIRE);
	return n;
}

const struct rt_cpu *rt_cpu_info(unsigned int index)
{
	return index < nr_cpus ? &cpus[index].info : NULL;
}

const char *rt_smp_source_name(enum rt_cpu_source src)
{
	switch (src) {
	case RT_CPUS_MPTABLE:
		return "mp table";
	case RT_CPUS_CMDLINE:
		return "cmdline";
	case RT_CPUS_BSP_ONLY:
		break;
	}
	return "bsp only";
}

static void add_cpu(uint32_t apic_id, bool bsp)
{
	struct rt_cpu *c;

	if (nr_cpus >= RT_MAX_CPUS)
		return;
	/* The BSP is index 0 whatever its place in the list. */
	if (bsp && nr_cpus) {
		cpus[nr_cpus] = cpus[0];
		c = &cpus[0].info;
	} else {
		c = &cpus[nr_cpus].info;
	}
	nr_cpus++;
	*c = (struct rt_cpu){ .apic_id = apic_id, .bsp = bsp };
}

enum rt_cpu_source rt_smp_discover(const char *cmdline)
{
	enum rt_cpu_source src = RT_CPUS_BSP_ONLY;
	uint32_t bsp_id = rt_apic_id();
	uint64_t n = 0;
	unsigned int i;
	char off[4];

	nr_cpus = 0;
	/* "mptable=off" ignores the table (to test the cpus=N fallback). */
	if (!(cmdline && rt_cmdline_str(cmdline, "mptable", off, sizeof(off)) &&
	      !strcmp(off, "off")) &&
	    rt_mptable_read(&mptable) == RT_MP_OK) {
		src = RT_CPUS_MPTABLE;
		for (i = 0; i < mptable.nr_cpus && i < RT_MP_MAX_CPUS; i++)
			add_cpu(mptable.cpu[i].apic_id,
				mptable.cpu[i].bsp ||
					mptable.cpu[i].apic_id == bsp_id);
		if (mptable.nr_cpus > RT_MAX_CPUS)
			rt_printf("smp: %u cpus listed, using %u\n",
				  mptable.nr_cpus, RT_MAX_CPUS);
	} else if (cmdline && rt_cmdline_u64(cmdline, "cpus", &n) && n >= 1) {
		src = RT_CPUS_CMDLINE;
		if (n > RT_MAX_CPUS)
			n = RT_MAX_CPUS;
		for (i = 0; i < n; i++)
			add_cpu(i, i == bsp_id);
	}
	if (!nr_cpus || !cpus[0].info.bsp) {
		/* Nothing listed us: we are index 0 all the same. */
		add_cpu(bsp_id, true);
	}
	cpus[0].info.online = true;
	cpus[0].info.cpuid_apic_id = bsp_cpuid.cpuid_apic_id;
	cpus[0].info.x2apic_id = bsp_cpuid.x2apic_id;
	cpus[0].info.cpuid_count = bsp_cpuid.cpuid_count;
	discovered = true;
	return src;
}

#define CPUID_HTT (1u << 28)
#define TOPO_LEVEL_CORE 2

/* KVM's CPUID as this CPU sees it: call only while still emulated. */
static void record_cpuid(struct rt_cpu *c)
{
	struct rt_cpuid l1 = rt_cpuid(1, 0), lb;
	unsigned int i, level;

	c->cpuid_apic_id = l1.ebx >> 24;
	c->x2apic_id = c->cpuid_apic_id;
	c->cpuid_count = 0;
	if (rt_cpuid(0, 0).eax >= 0xb) {
		c->x2apic_id = rt_cpuid(0xb, 0).edx;
		for (i = 0; i < 4; i++) {
			lb = rt_cpuid(0xb, i);
			level = (lb.ecx >> 8) & 0xff;
			if (level == TOPO_LEVEL_CORE)
				c->cpuid_count = lb.ebx & 0xffff;
			if (level == TOPO_LEVEL_CORE || !level)
				break;
		}
	}
	if (!c->cpuid_count && (l1.edx & CPUID_HTT))
		c->cpuid_count = (l1.ebx >> 16) & 0xff;
}

void rt_smp_early(void)
{
	record_cpuid(&bsp_cpuid);
}

static void copy_trampoline(void)
{
	size_t len = rt_trampoline_end - rt_trampoline;
	uint8_t *dst = (uint8_t *)RT_TRAMPOLINE_ADDR;
	uint8_t *gdt = dst + (rt_trampoline_gdt - rt_trampoline);
	uint32_t base = rt_gdt_desc.base;

	memcpy(dst, rt_trampoline, len);
	/* lgdtl in real mode: 16-bit limit, 32-bit base. */
	memcpy(gdt, &rt_gdt_desc.limit, 2);
	memcpy(gdt + 2, &base, 4);
}

static bool all_online(void)
{
	return rt_cpu_online_count() == nr_cpus;
}

static bool wait_online(uint64_t end)
{
	while (!all_online()) {
		if (rdtsc() >= end)
			return false;
		rt_cpu_relax();
	}
	return true;
}

static void send_all_offline(uint32_t icr)
{
	unsigned int i;

	for (i = 1; i < nr_cpus; i++)
		if (!__atomic_load_n(&cpus[i].info.online, __ATOMIC_ACQUIRE))
			send_ipi(cpus[i].info.apic_id, icr);
}

unsigned int rt_smp_boot(void)
{
	struct rt_cpu *bsp;
	unsigned int i, failed = 0;
	uint32_t vector = RT_TRAMPOLINE_ADDR >> 12;

	if (!discovered)
		rt_smp_discover(NULL);
	if (booted)
		return nr_cpus - rt_cpu_online_count();
	booted = true;

	bsp = &cpus[0].info;
	lapic_enable();
	bsp->lapic_id = rt_apic_id();
	if (nr_cpus == 1)
		return 0;

	copy_trampoline();
	for (i = 1; i < nr_cpus; i++)
		rt_ap_stack_by_apic[cpus[i].info.apic_id & 0xff] =
			(uintptr_t)rt_ap_stacks + i * RT_AP_STACK_SIZE;
	/* The AP reads its stack slot from memory: publish before INIT. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	send_all_offline(ICR_INIT | ICR_ASSERT);
	rt_delay_us(INIT_DELAY_US);
	send_all_offline(ICR_STARTUP | ICR_ASSERT | vector);
	if (!wait_online(deadline_us(SIPI_RETRY_US))) {
		send_all_offline(ICR_STARTUP | ICR_ASSERT | vector);
		wait_online(deadline_us(CHECKIN_TIMEOUT_US));
	}
	for (i = 1; i < nr_cpus; i++) {
		if (__atomic_load_n(&cpus[i].info.online, __ATOMIC_ACQUIRE))
			continue;
		rt_printf("smp: cpu %u did not start\n", i);
		failed++;
	}
	return failed;
}

static void wake(unsigned int cpu)
{
	send_ipi(cpus[cpu].info.apic_id,
		 ICR_FIXED | ICR_ASSERT | RT_VECTOR_WAKE);
}

unsigned int rt_smp_start(rt_smp_fn fn, void *arg)
{
	unsigned int i, n = 0;

	if (!booted)
		rt_smp_boot();
	work_fn = fn;
	work_arg = arg;
	__atomic_add_fetch(&work_gen, 1, __ATOMIC_SEQ_CST);
	for (i = 1; i < nr_cpus; i++) {
		if (!__atomic_load_n(&cpus[i].info.online, __ATOMIC_ACQUIRE))
			continue;
		wake(i);
		n++;
	}
	return n;
}

void rt_smp_wait(void)
{
	uint32_t gen = __atomic_load_n(&work_gen, __ATOMIC_ACQUIRE);
	uint64_t resend;
	unsigned int i;

	for (i = 1; i < nr_cpus; i++) {
		struct cpu_state *c = &cpus[i];

		if (!__atomic_load_n(&c->info.online, __ATOMIC_ACQUIRE))
			continue;
		resend = deadline_us(WAKE_RESEND_US);
		while (__atomic_load_n(&c->done_gen, __ATOMIC_ACQUIRE) != gen) {
			if (__atomic_load_n(&c->seen_gen, __ATOMIC_ACQUIRE) !=
				    gen &&
			    rdtsc() >= resend) {
				wake(i); /* it may have parked past our IPI */
				resend = deadline_us(WAKE_RESEND_US);
			}
			rt_cpu_relax();
		}
	}
}

void rt_smp_run(rt_smp_fn fn, void *arg)
{
	rt_smp_start(fn, arg);
	fn(0, arg);
	rt_smp_wait();
}

bool rt_smp_interrupt(uint64_t vector)
{
	if (vector == RT_VECTOR_SPURIOUS)
		return true; /* no EOI for the spurious vector */
	if (vector != RT_VECTOR_WAKE)
		return false;
	/* PVM EOIs at delivery; elsewhere the LAPIC needs it. */
	if (!rt_pvm_native())
		lapic_write(LAPIC_EOI, 0);
	return true;
}

static void park(struct ap_vif *vif, uint32_t gen)
{
	if (rt_pvm_native()) {
		__atomic_store_n(&vif->if_, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&work_gen, __ATOMIC_SEQ_CST) == gen)
			asm volatile("hlt" : : : "memory");
		__atomic_store_n(&vif->if_, 0, __ATOMIC_SEQ_CST);
	} else {
		/* STI's shadow makes STI;HLT atomic. */
		if (__atomic_load_n(&work_gen, __ATOMIC_SEQ_CST) == gen)
			asm volatile("sti; hlt; cli" : : : "memory");
	}
}

void rt_ap_main(void)
{
	unsigned int cpu = rt_cpu_index();
	struct cpu_state *c = &cpus[cpu];
	struct ap_vif *vif =
		(struct ap_vif *)(rt_ap_vif_pages + (cpu - 1) * 4096);
	uint32_t gen;

	/* Emulated until the wrmsr: keep this short. */
	rt_idt_load();
	record_cpuid(&c->info);
	memset(vif, 0, sizeof(*vif));
	if (rt_pvm_native())
		wrmsr(MSR_PVM_VIF, (uintptr_t)vif);

	lapic_enable();
	c->info.lapic_id = rt_apic_id();
	/* Work posted before we came up is not for us. */
	gen = __atomic_load_n(&work_gen, __ATOMIC_ACQUIRE);
	c->seen_gen = c->done_gen = gen;
	__atomic_store_n(&c->info.online, true, __ATOMIC_RELEASE);

	for (;;) {
		gen = __atomic_load_n(&work_gen, __ATOMIC_ACQUIRE);
		if (gen == c->seen_gen) {
			park(vif, gen);
			continue;
		}
		__atomic_store_n(&c->seen_gen, gen, __ATOMIC_RELEASE);
		work_fn(cpu, work_arg);
		__atomic_store_n(&c->done_gen, gen, __ATOMIC_RELEASE);
	}
}

void rt_console_lock(void)
{
	uint32_t me = rt_cpu_index() + 1;

	/* Recursive, so an exception while printing can still report. */
	if (__atomic_load_n(&console_owner, __ATOMIC_RELAXED) == me) {
		console_depth++;
		return;
	}
	while (__atomic_exchange_n(&console_lock_word, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&console_lock_word, __ATOMIC_RELAXED))
			rt_cpu_relax();
	__atomic_store_n(&console_owner, me, __ATOMIC_RELAXED);
	console_depth = 1;
}

void rt_console_unlock(void)
{
	if (--console_depth)
		return;
	__atomic_store_n(&console_owner, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&console_lock_word, 0, __ATOMIC_RELEASE);
}
