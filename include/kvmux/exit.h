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

/* Give the vCPU the host's CPUID with its own APIC ID (x86_cpu.c). */
int vcpu_setup_cpuid(struct vcpu *vcpu);

/* Record whether the vCPU is stopped for good (x86_cpu.c). */
void vcpu_probe_idle(struct vcpu *vcpu);

#endif
