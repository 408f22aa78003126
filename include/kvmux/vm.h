/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vm.h - one virtual machine: its KVM fd, guest RAM, interrupt controller,
 * buses, vCPUs and the way it stops.
 *
 * Stopping is one-way and first-come: whichever thread calls
 * vm_request_stop() first (a device, a vCPU, the timeout, a signal) sets
 * the reason, every vCPU is kicked out of KVM_RUN, and stop_fd becomes
 * readable so the thread that owns the VM can tear it down.
 */
#ifndef KVMUX_VM_H
#define KVMUX_VM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "kvmux/bus.h"
#include "kvmux/exit_status.h"
#include "kvmux/guest_mem.h"
#include "kvmux/irq.h"
#include "kvmux/kvm.h"
#include "kvmux/layout.h"

struct iovec;

struct vcpu;

struct vm_stop {
	enum vm_stop_reason reason;
	int value;
	char detail[256]; /* what happened, for the user; may be "" */
};

struct vm {
	const char *name;
	struct kvm_sys *kvm;
	int fd;
	struct mem_layout layout;
	struct guest_mem mem;
	int ram_fd[GM_MAX_REGIONS]; /* memfd of each of mem's regions */
	struct bus pio;
	struct bus mmio;
	struct vcpu **vcpu;
	unsigned int nr_vcpus; /* created so far */
	unsigned int cpu_count; /* asked for: what CPUID and tables say */

	/* Parked by the group scheduler: vCPUs wait outside KVM_RUN. */
	pthread_mutex_t park_lock;
	pthread_cond_t park_cond;
	bool parked;
	bool joined; /* vCPU threads are being joined: no more kicks */

	/* Runs on each vCPU thread as it starts, before the guest does (the
	 * group scheduler queues the thread's move into its cgroup,
	 * host/cgroup_join.c); NULL: none.
	 * Returns 0, or -1 with err_set(): the VM then stops (host
	 * failure). */
	int (*vcpu_thread_start)(void *opaque);
	/* Runs on each vCPU thread as it ends (after vcpu_thread_start
	 * ran); NULL: none. */
	void (*vcpu_thread_end)(void *opaque);
	void *vcpu_thread_opaque;

	/* Closes the VM's and its vCPUs' descriptors at vm_destroy(), all
	 * in one call (the host may hand them to another process:
	 * kvmux/fd_release.h), and unmaps the guest RAM's mappings maps,
	 * which no thread uses any more (unmapping touched RAM costs about
	 * 0.07 ms a MiB); NULL: both done here.  slow: the last close waits
	 * for the kernel (KVM's own irqchip, whose destruction waits out
	 * SRCU grace periods: 10-30 ms of wall time on a busy host). */
	void (*close_fds)(const int *fds, unsigned int nr,
			  const struct iovec *maps, unsigned int nr_maps,
			  bool slow);

	bool has_pit; /* vm_create_pit() made KVM's PIT */
	bool has_kernel_irqchip; /* KVM_CREATE_IRQCHIP made KVM's PICs and
				  * IOAPIC */
	/* The IOAPIC and 8259s kvmux emulates with a split irqchip; set
	 * before the vCPUs run, never changed after (none: KVM's). */
	struct irq_controller irq_controller[VM_MAX_IRQ_CONTROLLERS];
	unsigned int nr_irq_controllers;
	/* The one of them whose output goes to the boot CPU (an 8259);
	 * NULL: none. */
	const struct irq_controller *extint;

	/* Interrupts kvmux raised (vm_note_interrupt()), atomic. */
	uint64_t irqs_raised;
	/* Set while the idle watch waits longer than VM_IDLE_WATCH_MAX_MS
	 * for this VM (its halted vCPUs are quiet); the next interrupt
	 * clears it and makes watch_fd readable.  Atomic. */
	bool watch_asleep;
	int watch_fd; /* eventfd */

	int stop_fd; /* eventfd, readable once a stop was requested */
	pthread_mutex_t stop_lock;
	struct vm_stop stop;
};

/*
 * Create a VM with ram_size bytes of RAM laid out by layout_build(), the
 * in-kernel irqchip (PICs, IOAPIC, local APICs; their ports and MMIO
 * windows reserved on vm->pio and vm->mmio, kvmux/bus.h), and nr_vcpus
 * vCPUs (not yet running).  split_irqchip: KVM makes the local APICs
 * only (KVM_CAP_SPLIT_IRQCHIP with IOAPIC_NR_PINS routes kept for an
 * IOAPIC in kvmux; kvmux's devices bring the IOAPIC and the PICs,
 * vm_set_irq_controller()).  Returns 0,
 * or -1 with err_set() (an err_host() if KVM cannot split); *vm is then
 * safe to vm_destroy().
 */
int vm_create(struct vm *vm, struct kvm_sys *kvm, const char *name,
	      uint64_t ram_size, unsigned int nr_vcpus, bool split_irqchip);

/*
 * Add KVM's 8254 PIT (ports 0x40-0x43, IRQ 0) and speaker port 0x61,
 * before the VM runs and before kvmux's devices attach (the ports are
 * reserved on vm->pio, so none is put there).  Its release at the VM's
 * end waits for another SRCU grace period or two (see
 * kvmux/fd_release.h): only guests that use it should have it (--pit).
 * 0, or -1 with err_set().
 */
int vm_create_pit(struct vm *vm);
void vm_destroy(struct vm *vm);

/* Start every vCPU thread.  Returns 0 or -1 with err_set(). */
int vm_start(struct vm *vm);

/*
 * Wait for every vCPU thread to end (after a stop was requested), until
 * deadline_ns (CLOCK_MONOTONIC).  Returns 0, or -1 if a thread was still
 * running then: the VM must not be destroyed (kvmux/thread.h).
 */
int vm_join(struct vm *vm, uint64_t deadline_ns);

/*
 * Park (stop running) or release all vCPUs of the VM; any thread.  A
 * parked vCPU thread waits outside KVM_RUN until released or stopped.
 */
void vm_set_parked(struct vm *vm, bool parked);
/* Is the VM parked right now?  Any thread. */
bool vm_is_parked(struct vm *vm);
/* Called by a vCPU thread: wait while the VM is parked. */
void vm_wait_while_parked(struct vm *vm);

/* Drive an interrupt line (GSI) of the in-kernel IOAPIC/PIC, or of each
 * controller given to vm_set_irq_controller(); raising it counts as
 * vm_note_interrupt().  0, or -1 with err_set(). */
int vm_irq_line(struct vm *vm, unsigned int gsi, bool level);

/* With a split irqchip, before the vCPUs run: ic takes the VM's lines
 * (with any other controller), the guest's EOIs of level-triggered
 * vectors, and, if it has inta, the boot CPU's external interrupts
 * (copied; at most VM_MAX_IRQ_CONTROLLERS, one with inta). */
void vm_set_irq_controller(struct vm *vm, const struct irq_controller *ic);

/* The external-interrupt controller's output rose (any thread): the boot
 * vCPU takes the interrupt before it next runs guest code. */
void vm_extint_raised(struct vm *vm);

/* The guest ended level-triggered vector (KVM_EXIT_IOAPIC_EOI): tell the
 * controller, if kvmux has one. */
void vm_eoi(struct vm *vm, uint8_t vector);

/*
 * Send an MSI into the guest now (KVM_SIGNAL_MSI; split irqchip).
 * Returns how many local APICs took it (0: none did: a destination no
 * enabled local APIC matches, which KVM reports as EPERM, or one that
 * refused it), or -1 with err_set().
 */
int vm_signal_msi(struct vm *vm, const struct msi_msg *msg);

/*
 * Replace KVM's GSI routes with route[0..nr) (nr at most IOAPIC_NR_PINS;
 * split irqchip): what an irqfd on a GSI sends, and which vectors'
 * EOIs KVM reports (those of level-triggered routes).  A GSI without a
 * route raises nothing.  0, or -1 with err_set().
 */
int vm_set_msi_routes(struct vm *vm, const struct msi_route *route,
		      unsigned int nr);

/*
 * Count an interrupt kvmux raised for the guest (an irqfd written, a line
 * raised), from any thread: a quiet halted vCPU (VCPU_HALTED_QUIET) may
 * wake, so a sleeping idle watch is woken through watch_fd.  Costs an
 * atomic increment; an eventfd write only when the watch sleeps.
 */
void vm_note_interrupt(struct vm *vm);

/*
 * Let KVM signal fd when the guest writes `value` (4 bytes) to MMIO addr,
 * without an exit to kvmux: how virtio notifications arrive.
 */
int vm_ioeventfd(struct vm *vm, uint64_t addr, uint32_t value, int fd);

/* Writing to fd raises interrupt line gsi (an edge) inside KVM. */
int vm_irqfd(struct vm *vm, unsigned int gsi, int fd);

/*
 * A device wrote its irqfd on gsi (any thread): counts as
 * vm_note_interrupt(), and pulses gsi on kvmux's 8259s, if the VM has
 * them (an edge: no irqfd reaches them, where KVM routes one to its own
 * PICs as well as its IOAPIC).
 */
void vm_irqfd_raised(struct vm *vm, unsigned int gsi);

/* Stop the VM (from any thread); only the first reason is kept. */
void vm_request_stop(struct vm *vm, enum vm_stop_reason reason, int value,
		     const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * The same, for what happened before the stop but is seen only after it
 * (--fail-on's match of a console's last line without its newline, when
 * the console ends): it also replaces a stop the guest made itself (its
 * exit, a halt, a power-off, a reset), not one kvmux imposed.
 */
void vm_request_stop_before_guest_end(struct vm *vm, enum vm_stop_reason reason,
				      int value, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Has a stop been requested?  Cheap; for loops that poll. */
bool vm_stopping(struct vm *vm);

/* A copy of the stop record (reason VM_RUNNING while running). */
struct vm_stop vm_stop_status(struct vm *vm);

/*
 * Detect a guest that stopped itself, from the thread that owns the VM,
 * at now_ns (CLOCK_MONOTONIC).  vCPUs that used (almost) no CPU since the
 * last call are asked to probe their state, at first after
 * VM_IDLE_WATCH_MS, then backing off up to VM_IDLE_WATCH_MAX_MS while
 * they stay idle with interrupts on; when every vCPU is halted with
 * interrupts off (or never started), the VM stops with VM_STOP_HALTED.
 * A VM whose vCPUs are all stopped or quiet (VCPU_HALTED_QUIET) needs a
 * look only every VM_IDLE_WATCH_QUIET_MS, a safety net for wake-up
 * sources kvmux does not know of: vm_note_interrupt() wakes the watch
 * (watch_fd) when it raises an interrupt.
 * Returns when to call again (ns, monotonic); UINT64_MAX: no need.
 */
#define VM_IDLE_WATCH_MS 100
#define VM_IDLE_WATCH_MAX_MS 1000
#define VM_IDLE_WATCH_QUIET_MS 10000
uint64_t vm_watch_idle(struct vm *vm, uint64_t now_ns);

#endif
