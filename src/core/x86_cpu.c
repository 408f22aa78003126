// SPDX-License-Identifier: GPL-2.0-only
/*
 * x86_cpu.c - x86 register work for vCPUs: CPUID, the entry state a boot
 * loader asked for, and the "halted for good" probe.
 */
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "kvmux/error.h"
#include "kvmux/exit.h"
#include "kvmux/guest_mem.h"
#include "kvmux/vcpu.h"
#include "kvmux/vm.h"

#define X86_EFLAGS_FIXED (1ull << 1)
#define X86_EFLAGS_IF (1ull << 9)
#define X86_CR0_PE (1ull << 0)
#define X86_CR0_MP (1ull << 1)
#define X86_CR0_ET (1ull << 4)
#define X86_CR0_NE (1ull << 5)
#define X86_CR0_WP (1ull << 16)
#define X86_CR0_AM (1ull << 18)
#define X86_CR0_PG (1ull << 31)
#define X86_CR4_PAE (1ull << 5)
#define X86_EFER_LME (1ull << 8)
#define X86_EFER_LMA (1ull << 10)

#define SEG_TYPE_CODE_XR 0xb /* execute/read, accessed */
#define SEG_TYPE_DATA_RW 0x3 /* read/write, accessed */

/* Bits needed to hold an APIC ID below count (x2APIC shift widths). */
static uint32_t id_bits(unsigned int count)
{
	uint32_t bits = 0;

	while ((1u << bits) < count)
		bits++;
	return bits;
}

/*
 * One package of cpu_count cores, one thread each, APIC IDs 0..n-1: the
 * same CPUs the MP table and the device tree list.
 */
static void set_topology(struct kvm_cpuid_entry2 *e, unsigned int id,
			 unsigned int count)
{
	switch (e->function) {
	case 1:
		e->ebx = (e->ebx & 0x0000ffff) | (id << 24) |
			 ((count > 255 ? 255 : count) << 16);
		e->edx |= 1u << 28; /* HTT: the count above is valid */
		break;
	case 4:
		if (e->eax & 0x1f) /* a cache level: cores per package - 1 */
			e->eax = (e->eax & 0x03ffffff) | ((count - 1) << 26);
		break;
	case 0xb:
	case 0x1f:
		if (e->index == 0) { /* SMT level: one thread per core */
			e->eax = 0;
			e->ebx = 1;
			e->ecx = 0x100;
		} else if (e->index == 1) { /* core level */
			e->eax = id_bits(count);
			e->ebx = count;
			e->ecx = 0x201;
		} else {
			e->eax = e->ebx = 0;
			e->ecx = e->index;
		}
		e->edx = id;
		break;
	}
}

#define CPUID_KVM_SIGNATURE 0x40000000
#define CPUID_TIMING 0x40000010
#define KVM_APIC_TIMER_KHZ 1000000
#define KVM_CPUID_MAX_ENTRIES 256 /* KVM_SET_CPUID2 takes no more */

void x86_cpuid_add_timing(struct kvm_cpuid2 *cpuid, int tsc_khz)
{
	struct kvm_cpuid_entry2 *base = NULL;
	uint32_t i;

	for (i = 0; i < cpuid->nent; i++) {
		if (cpuid->entries[i].function == CPUID_TIMING)
			return; /* KVM's own, some day */
		if (cpuid->entries[i].function == CPUID_KVM_SIGNATURE)
			base = &cpuid->entries[i];
	}
	if (tsc_khz <= 0 || !base || cpuid->nent >= KVM_CPUID_MAX_ENTRIES)
		return;
	if (base->eax < CPUID_TIMING)
		base->eax = CPUID_TIMING;
	cpuid->entries[cpuid->nent++] = (struct kvm_cpuid_entry2){
		.function = CPUID_TIMING,
		.eax = (uint32_t)tsc_khz,
		.ebx = KVM_APIC_TIMER_KHZ,
	};
}

int vcpu_setup_cpuid(struct vcpu *vcpu)
{
	const struct kvm_cpuid2 *host = vcpu->vm->kvm->cpuid;
	size_t size = sizeof(*host) + host->nent * sizeof(host->entries[0]);
	struct kvm_cpuid2 *cpuid =
		__builtin_alloca(size + sizeof(host->entries[0]));
	uint32_t i;

	memcpy(cpuid, host, size);
	for (i = 0; i < cpuid->nent; i++)
		set_topology(&cpuid->entries[i], vcpu->id, vcpu->vm->cpu_count);
	x86_cpuid_add_timing(cpuid, ioctl(vcpu->fd, KVM_GET_TSC_KHZ, 0));
	if (ioctl(vcpu->fd, KVM_SET_CPUID2, cpuid) < 0)
		return err_set_errno("KVM_SET_CPUID2 on vCPU %u", vcpu->id);
	return 0;
}

static struct kvm_segment flat_segment(uint16_t selector, uint8_t type,
				       bool long_code)
{
	return (struct kvm_segment){
		.base = 0,
		.limit = 0xffffffff,
		.selector = selector,
		.type = type,
		.present = 1,
		.s = 1,
		.db = !long_code,
		.l = long_code,
		.g = 1,
	};
}

static void set_entry_sregs(struct kvm_sregs *s, const struct cpu_entry *e)
{
	bool long_mode = e->mode == BOOT_LONG64;
	struct kvm_segment data =
		flat_segment(BOOT_SEL_DATA, SEG_TYPE_DATA_RW, false);

	s->cs = flat_segment(long_mode ? BOOT_SEL_CODE64 : BOOT_SEL_CODE32,
			     SEG_TYPE_CODE_XR, long_mode);
	s->ds = s->es = s->fs = s->gs = s->ss = data;
	s->gdt.base = e->gdt_base;
	s->gdt.limit = e->gdt_limit;
	if (long_mode) {
		s->cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE |
			 X86_CR0_WP | X86_CR0_AM | X86_CR0_PG;
		s->cr3 = e->cr3;
		s->cr4 = X86_CR4_PAE;
		s->efer = X86_EFER_LME | X86_EFER_LMA;
	} else {
		s->cr0 = X86_CR0_PE | X86_CR0_ET;
		s->cr3 = 0;
		s->cr4 = 0;
		s->efer = 0;
	}
}

int vcpu_set_boot_state(struct vcpu *vcpu, const struct cpu_entry *entry)
{
	struct kvm_regs regs = {
		.rip = entry->rip,
		.rax = entry->rax,
		.rbx = entry->rbx,
		.rsi = entry->rsi,
		.rflags = X86_EFLAGS_FIXED,
	};
	struct kvm_sregs sregs;

	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0)
		return err_set_errno("KVM_GET_SREGS");
	set_entry_sregs(&sregs, entry);
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs) < 0)
		return err_set_errno("KVM_SET_SREGS");
	if (ioctl(vcpu->fd, KVM_SET_REGS, &regs) < 0)
		return err_set_errno("KVM_SET_REGS");
	return 0;
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/*
 * PVM (shared/PLATFORM.md, and nothing else kvmux runs on) masks the
 * interrupts of a guest in its native mode with the if_ byte of the
 * virtual-IF page the guest registered through this MSR, not with
 * RFLAGS.IF, which CLI and STI there leave meaningless.  The MSR holds
 * the page's GPA and flags in its low bits.  Elsewhere the MSR does not
 * exist and KVM_GET_MSRS reads none.
 */
#define MSR_PVM_VIF 0x4b564d10
#define PVM_VIF_FLAGS 0xfffull

/* One MSR of the vCPU; false if KVM has no such MSR. */
static bool read_msr(struct vcpu *vcpu, uint32_t index, uint64_t *value)
{
	union {
		struct kvm_msrs hdr; /* and room for its one entry */
		uint8_t bytes[sizeof(struct kvm_msrs) +
			      sizeof(struct kvm_msr_entry)];
	} msrs = { .hdr.nmsrs = 1 };

	msrs.hdr.entries[0].index = index;
	if (ioctl(vcpu->fd, KVM_GET_MSRS, &msrs) != 1)
		return false;
	*value = msrs.hdr.entries[0].data;
	return true;
}

/* The guest's interrupt flag under PVM: 0 or 1, -1 if not PVM's. */
static int pvm_vif(struct vcpu *vcpu)
{
	const uint8_t *vif;
	uint64_t msr;

	if (!read_msr(vcpu, MSR_PVM_VIF, &msr) || !(msr & ~PVM_VIF_FLAGS))
		return -1;
	vif = gm_ptr(&vcpu->vm->mem, msr & ~PVM_VIF_FLAGS, 1);
	if (!vif)
		return -1;
	return __atomic_load_n(vif, __ATOMIC_ACQUIRE) != 0;
}

/* Does the halted vCPU take interrupts (that could wake it)? */
static bool interrupts_on(struct vcpu *vcpu, const struct kvm_regs *regs)
{
	int vif = pvm_vif(vcpu);

	return vif >= 0 ? vif : (regs->rflags & X86_EFLAGS_IF) != 0;
}

/* Local APIC registers (Intel SDM vol. 3, "Local APIC"): byte offsets in
 * struct kvm_lapic_state, and the LVT bits looked at. */
#define APIC_IRR 0x200 /* interrupt request: 8 registers, 16 bytes apart */
#define APIC_LVTT 0x320 /* LVT timer */
#define APIC_LVTPC 0x340 /* LVT performance-monitoring counters */
#define APIC_TMICT 0x380 /* timer initial count */
#define APIC_TMCCT 0x390 /* timer current count (KVM computes it) */
#define APIC_LVT_MASKED (1u << 16)
#define APIC_LVT_TIMER_MODE(lvt) (((lvt) >> 17) & 3)
#define APIC_TIMER_ONESHOT 0
#define APIC_TIMER_PERIODIC 1
#define APIC_TIMER_TSC_DEADLINE 2
#define MSR_IA32_TSC_DEADLINE 0x6e0

static uint32_t apic_reg(const struct kvm_lapic_state *lapic, unsigned int off)
{
	uint32_t v;

	memcpy(&v, &lapic->regs[off], sizeof(v));
	return v;
}

/* An interrupt requested and not yet delivered (a one-shot timer that
 * just expired, say): it ends the halt as soon as KVM injects it. */
static bool lapic_irr_pending(const struct kvm_lapic_state *lapic)
{
	unsigned int i;

	for (i = 0; i < 8; i++)
		if (apic_reg(lapic, APIC_IRR + 16 * i))
			return true;
	return false;
}

/* Can the local APIC interrupt the vCPU by itself: an interrupt pending,
 * its timer counting (one-shot with time left, periodic, or a TSC
 * deadline set) or a performance counter's overflow not masked?  True if
 * unreadable. */
static bool lapic_may_fire(struct vcpu *vcpu)
{
	struct kvm_lapic_state lapic;
	uint32_t lvtt;
	uint64_t deadline;

	if (ioctl(vcpu->fd, KVM_GET_LAPIC, &lapic) < 0)
		return true;
	if (lapic_irr_pending(&lapic) ||
	    !(apic_reg(&lapic, APIC_LVTPC) & APIC_LVT_MASKED))
		return true;
	lvtt = apic_reg(&lapic, APIC_LVTT);
	if (lvtt & APIC_LVT_MASKED)
		return false;
	switch (APIC_LVT_TIMER_MODE(lvtt)) {
	case APIC_TIMER_ONESHOT:
		return apic_reg(&lapic, APIC_TMCCT) != 0;
	case APIC_TIMER_PERIODIC:
		return apic_reg(&lapic, APIC_TMICT) != 0;
	case APIC_TIMER_TSC_DEADLINE:
		return !read_msr(vcpu, MSR_IA32_TSC_DEADLINE, &deadline) ||
		       deadline != 0;
	default:
		return true;
	}
}

/* Has the guest programmed KVM's PIT (channel 0, IRQ 0)?  It may then
 * fire whatever the interrupt controllers' masks say now.  KVM's reset
 * state has mode 0xff: not counting.  True if unreadable. */
static bool pit_may_fire(struct vcpu *vcpu)
{
	struct kvm_pit_state2 pit;

	if (!vcpu->vm->has_pit)
		return false;
	if (ioctl(vcpu->vm->fd, KVM_GET_PIT2, &pit) < 0)
		return true;
	return pit.channels[0].mode <= 5;
}

static enum vcpu_idle_state idle_state_now(struct vcpu *vcpu)
{
	struct kvm_mp_state mp;
	struct kvm_regs regs;

	if (ioctl(vcpu->fd, KVM_GET_MP_STATE, &mp) < 0)
		return VCPU_ACTIVE;
	switch (mp.mp_state) {
	case KVM_MP_STATE_UNINITIALIZED:
	case KVM_MP_STATE_INIT_RECEIVED:
		return VCPU_NEVER_STARTED;
	case KVM_MP_STATE_HALTED:
		if (ioctl(vcpu->fd, KVM_GET_REGS, &regs) < 0)
			return VCPU_ACTIVE;
		if (!interrupts_on(vcpu, &regs))
			return VCPU_HALTED_IRQS_OFF;
		if (lapic_may_fire(vcpu) || pit_may_fire(vcpu))
			return VCPU_HALTED_IRQS_ON;
		return VCPU_HALTED_QUIET;
	default:
		return VCPU_ACTIVE;
	}
}

void vcpu_probe_idle(struct vcpu *vcpu)
{
	/* Before the state: an interrupt raised after this may be missed
	 * by the look below, and then counts as a wake-up. */
	uint64_t irqs =
		__atomic_load_n(&vcpu->vm->irqs_raised, __ATOMIC_SEQ_CST);
	enum vcpu_idle_state state = idle_state_now(vcpu);

	vcpu->idle_cpu_ns = thread_cpu_ns();
	vcpu->idle_exits = vcpu_kvm_exits(vcpu);
	vcpu->idle_irqs = irqs;
	__atomic_store_n(&vcpu->idle_state, state, __ATOMIC_RELEASE);
}
