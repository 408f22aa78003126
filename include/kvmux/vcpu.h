/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vcpu.h - a vCPU: one host thread in a KVM_RUN loop that hands every exit
 * to the VM's buses.
 *
 * Other threads talk to a running vCPU only through vcpu_kick(): a request
 * bit, immediate_exit and a signal that pulls the thread out of KVM_RUN.
 */
#ifndef KVMUX_VCPU_H
#define KVMUX_VCPU_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "kvmux/cpu_entry.h"

struct vm;

/* vcpu->thread_state: may a kick signal the thread? */
enum {
	VCPU_THREAD_NONE = 0, /* not started yet: it will see the requests */
	VCPU_THREAD_RUNNING, /* self is valid */
	VCPU_THREAD_JOINED, /* being joined: its ID is going away */
};

/* Requests another thread can post to a vCPU (bit mask). */
enum {
	VCPU_REQ_STOP = 1u << 0, /* leave the run loop for good */
	VCPU_REQ_PROBE = 1u
			 << 1, /* check whether the vCPU is halted for good */
	VCPU_REQ_PARK = 1u << 2, /* the VM is parked: wait until released */
};

/* What the last halt probe found. */
enum vcpu_idle_state {
	VCPU_ACTIVE = 0,
	VCPU_HALTED_IRQS_OFF, /* HLT with interrupts disabled */
	VCPU_NEVER_STARTED, /* an AP still waiting for INIT/SIPI */
	VCPU_HALTED_IRQS_ON, /* HLT that an interrupt may end: not stopped */
	/* HLT with interrupts on, and no timer inside KVM armed (local APIC
	 * timer, PIT): only an interrupt kvmux raises can end it. */
	VCPU_HALTED_QUIET,
};

/* Exit counters, for --stats and benchmarks. */
struct vcpu_stats {
	uint64_t io;
	uint64_t mmio;
	uint64_t intr;
	uint64_t other;
};

struct vcpu {
	struct vm *vm;
	unsigned int id;
	int fd;
	int stats_fd; /* KVM_GET_STATS_FD; -1: none */
	uint64_t exits_offset; /* of the "exits" counter in it */
	struct kvm_run *run;
	int run_size;
	pthread_t thread; /* for the creator's join */
	bool thread_created; /* creator only */
	/* Kicks signal the thread only while it is VCPU_THREAD_RUNNING,
	 * by the ID it published itself (self): the creator's copy may be
	 * stored after the guest already runs (vcpu.c).  Atomic. */
	int thread_state;
	pthread_t self;
	clockid_t cpu_clock; /* the thread's CPU clock, set with self */

	unsigned int requests; /* VCPU_REQ_*, atomically updated */
	int idle_state; /* enum vcpu_idle_state, atomic */
	uint64_t idle_cpu_ns; /* thread CPU time when found idle */
	uint64_t idle_exits; /* vcpu_kvm_exits() then */
	uint64_t idle_irqs; /* the VM's irqs_raised just before the probe */
	uint64_t last_cpu_ns; /* thread CPU time at the last watch */
	/* Probes of a vCPU that stays idle with interrupts on back off
	 * (main thread only): the next is due at probe_due_ns (monotonic),
	 * probe_backoff_ms after the last; 0: not idle. */
	uint64_t probe_due_ns;
	unsigned int probe_backoff_ms;
	struct vcpu_stats stats;
	uint64_t cpu_ns_at_exit; /* the thread's CPU time when it ended */
};

/* Create vCPU id of vm with the host's CPUID (APIC ID = id). */
struct vcpu *vcpu_create(struct vm *vm, unsigned int id);
void vcpu_destroy(struct vcpu *vcpu);

/* Load the registers a boot loader asked for (boot vCPU, before start). */
int vcpu_set_boot_state(struct vcpu *vcpu, const struct cpu_entry *entry);

int vcpu_start(struct vcpu *vcpu);
/* Join the thread by deadline_ns (monotonic); -1 if it did not end. */
int vcpu_join(struct vcpu *vcpu, uint64_t deadline_ns);

/* Post request bits and pull the vCPU out of KVM_RUN (any thread). */
void vcpu_kick(struct vcpu *vcpu, unsigned int requests);

/* CPU time the vCPU thread has used, in nanoseconds (0 if not running). */
uint64_t vcpu_cpu_time_ns(const struct vcpu *vcpu);

/*
 * Open the vCPU's binary statistics: before it first runs (the ioctl
 * waits while the vCPU is in KVM_RUN; reading the file does not).  On
 * failure stats_fd stays -1 and exits read as 0.
 */
void vcpu_stats_open(struct vcpu *vcpu);
/* KVM's own count of this vCPU's exits, including those handled in the
 * kernel (ioeventfd, HLT, APIC), from any thread; 0 if unknown. */
uint64_t vcpu_kvm_exits(const struct vcpu *vcpu);

/* Install the kick signal's handler; once per process, before any vCPU. */
int vcpu_signals_init(void);

#endif
