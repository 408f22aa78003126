/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * exit.h - what a vCPU thread does after KVM_RUN returns, and the x86
 * register work the vCPU code needs (kept out of the run loop's file).
 */
#ifndef KVMUX_EXIT_H
#define KVMUX_EXIT_H

struct vcpu;

/* Handle the exit described in vcpu->run: route I/O to the buses, turn
 * shutdowns and errors into a VM stop. */
void vcpu_handle_exit(struct vcpu *vcpu);

/* Give the vCPU the host's CPUID with its own APIC ID and the timing
 * leaf (x86_cpu.c). */
int vcpu_setup_cpuid(struct vcpu *vcpu);

struct kvm_cpuid2;

/*
 * Add the timing leaf 0x40000010 (VMware's, which QEMU gives KVM guests
 * too) to cpuid, which has room for one more entry: EAX the TSC's rate
 * in kHz (tsc_khz, KVM_GET_TSC_KHZ's), EBX the local APIC timer's (KVM's
 * counts at 1 GHz: 1000000), and KVM's signature leaf 0x40000000 raised
 * to list it.  A guest then need not calibrate against a PIT, which a
 * split irqchip has none of.  Nothing without a signature leaf, with
 * tsc_khz <= 0 (KVM did not say), if cpuid has the leaf already, or if
 * it has KVM's 256 entries already.
 * (On PVM a guest in native mode reads the host's CPUID, not this.)
 */
void x86_cpuid_add_timing(struct kvm_cpuid2 *cpuid, int tsc_khz);

/* Record whether the vCPU is stopped for good (x86_cpu.c). */
void vcpu_probe_idle(struct vcpu *vcpu);

#endif
