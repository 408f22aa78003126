// SPDX-License-Identifier: GPL-2.0-only
/*
 * ap_nmi.c - sends count=N IPIs (default 300) to the AP with APIC ID 1,
 * which it never starts, then exits 0: KVM wakes such an AP for each
 * and its KVM_RUN fails with EAGAIN, which is the guest's doing, not
 * the host's.  mode=M is the ICR's low word (default 0x400: an NMI;
 * 0x4600: a SIPI, which an AP without its INIT ignores); spin=S: then
 * S iterations of an empty loop before the exit.
 */
#include "lapic.h"
#include "rt.h"

int main(const struct boot_info *bi)
{
	uint64_t i, n, count = 300, mode = 0x400, spin = 0;

	rt_cmdline_u64(bi->cmdline, "count", &count);
	rt_cmdline_u64(bi->cmdline, "mode", &mode);
	lapic_enable(); /* a software-disabled LAPIC sends nothing */
	for (n = 0; n < count; n++) {
		lapic_write(LAPIC_ICR_HI, 1u << 24);
		lapic_write(LAPIC_ICR_LO, (uint32_t)mode);
		/* Some time for the AP's thread to see each. */
		for (i = 0; i < 100000; i++)
			asm volatile("" : "+r"(i));
	}
	rt_printf("ap_nmi: %lu IPIs sent\n", count);
	rt_cmdline_u64(bi->cmdline, "spin", &spin);
	for (i = 0; i < spin; i++)
		asm volatile("" : "+r"(i));
	return 0;
}
