// SPDX-License-Identifier: GPL-2.0-only
/*
 * idle.c - an idle machine: prints "idle: halting with interrupts on", masks
 * every interrupt source a VMM may have left running (both 8259s; LVT0,
 * which KVM's reset state leaves in ExtINT mode), then halts forever with
 * interrupts enabled.  Other CPUs, if any are listed, are started and park
 * (HLT with interrupts on) as well.  Never exits: kvmux cannot call it stopped (that
 * needs interrupts off), so it runs until --timeout or a signal.  For
 * bench/: what a VMM costs per second while its guest does nothing.
 */
#include "rt.h"

#define PIC1_DATA 0x21 /* 8259 interrupt mask registers */
#define PIC2_DATA 0xa1

int main(const struct boot_info *bi)
{
	rt_printf("idle: halting with interrupts on\n");
	outb(0xff, PIC1_DATA);
	outb(0xff, PIC2_DATA);
	/* Enables our LAPIC and masks LVT0 (and starts any APs). */
	rt_smp_discover(bi->cmdline);
	rt_smp_boot();
	rt_idle();
}
