// SPDX-License-Identifier: GPL-2.0-only
/*
 * vcpu.c - vCPU threads: create, run, kick, join.
 *
 * A kick sets request bits, then run->immediate_exit, then sends
 * VCPU_KICK_SIGNAL to the thread.  immediate_exit covers the window where
 * the thread is between checking its requests and entering KVM_RUN; the
 * signal covers the thread already inside KVM_RUN.  The signal is blocked
 * in every thread except the vCPU threads.
 *
 * The thread publishes its own ID before its first look at the requests,
 * and kicks read it, not the one pthread_create() stores: on a busy host
 * the creator may store that only after the guest has run far enough to
 * be stopped (a --fail-on line), and a kick that found no thread to
 * signal left the vCPU in KVM_RUN for good.  Requests and thread_state
 * are sequentially consistent, so a kick either sees the thread running
 * or its request is seen by the thread's first look.
 */
#include <errno.h>
#include <linux/futex.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kvmux/error.h"
#include "kvmux/exit.h"
#include "kvmux/thread.h"
#include "kvmux/vcpu.h"
#include "kvmux/vm.h"

/* A real-time signal: nobody outside sends it by habit, so SIGUSR1 is
 * free to stop a run like the other signals (src/run.c). */
#define VCPU_KICK_SIGNAL SIGRTMIN

/*
 * KVM_RUN fails with EAGAIN while KVM cannot start the VM's worker thread
 * (kvm-nx-lpage-recovery, made at the first KVM_RUN; RLIMIT_NPROC counts
 * it), and tries again at the next call: tries a moment apart (about
 * 0.1 s in all) cover a passing shortage; without an end they would go on
 * until --timeout.  An AP the guest has not started returns EAGAIN too,
 * each time something wakes it (its INIT, or an NMI or SIPI the guest
 * sends it early, as often as it likes): those are not counted
 * (never_started(), pause_a_moment()).
 */
#define VCPU_EAGAIN_MAX 100

static void kick_handler(int sig)
{
	(void)sig; /* only here to interrupt KVM_RUN */
}

int vcpu_signals_init(void)
{
	struct sigaction sa = { .sa_handler = kick_handler };
	sigset_t set;

	sigemptyset(&sa.sa_mask);
	if (sigaction(VCPU_KICK_SIGNAL, &sa, NULL) < 0)
		return err_set_errno("sigaction");
	sigemptyset(&set);
	sigaddset(&set, VCPU_KICK_SIGNAL);
	return pthread_sigmask(SIG_BLOCK, &set, NULL) ? -1 : 0;
}

struct vcpu *vcpu_create(struct vm *vm, unsigned int id)
{
	struct vcpu *vcpu = calloc(1, sizeof(*vcpu));

	if (!vcpu) {
		err_host("out of memory");
		return NULL;
	}
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->stats_fd = -1;
	vcpu->run = MAP_FAILED;
	vcpu->fd = ioctl(vm->fd, KVM_CREATE_VCPU, id);
	if (vcpu->fd < 0) {
		err_set_errno("KVM_CREATE_VCPU %u", id);
		goto fail;
	}
	vcpu->run_size = vm->kvm->run_size;
	vcpu->run = mmap(NULL, vcpu->run_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		err_set_errno("mmap of vCPU %u state", id);
		goto fail;
	}
	if (vcpu_setup_cpuid(vcpu) < 0)
		goto fail;
	vcpu_stats_open(vcpu);
	return vcpu;
fail:
	vcpu_destroy(vcpu);
	return NULL;
}

void vcpu_destroy(struct vcpu *vcpu)
{
	if (!vcpu)
		return;
	if (vcpu->run != MAP_FAILED)
		munmap(vcpu->run, vcpu->run_size);
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	if (vcpu->stats_fd >= 0)
		close(vcpu->stats_fd);
	free(vcpu);
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static unsigned int take_requests(struct vcpu *vcpu)
{
	return __atomic_exchange_n(&vcpu->requests, 0, __ATOMIC_SEQ_CST);
}

/* Returns false when the vCPU must leave its loop. */
static bool serve_requests(struct vcpu *vcpu)
{
	unsigned int req;

	/* Kicks store it too; the exchange below keeps it before. */
	__atomic_store_n(&vcpu->run->immediate_exit, 0, __ATOMIC_RELAXED);
	req = take_requests(vcpu);
	if (req & VCPU_REQ_PROBE)
		vcpu_probe_idle(vcpu);
	if (req & VCPU_REQ_PARK)
		vm_wait_while_parked(vcpu->vm);
	return !(req & VCPU_REQ_STOP) && !vm_stopping(vcpu->vm);
}

/*
 * KVM starts a VM's worker thread (kvm-nx-lpage-recovery, a thread of
 * this process) at the VM's first KVM_RUN, in the cgroups of the thread
 * that makes it, and it lives until the VM is destroyed.  One KVM_RUN that
 * returns at once (immediate_exit: no guest instruction runs), made before
 * a start hook moves this thread into its VM's cgroup, leaves the worker
 * where kvmux runs: the VM's cgroup is then empty, and can be removed,
 * once its vCPU threads have ended, not only once KVM has destroyed the
 * VM (host/cgroup_cpu.c).  Kernels that start the worker at KVM_CREATE_VM
 * need nothing; this costs them one vCPU ioctl.
 */
static void start_kvm_worker(struct vcpu *vcpu)
{
	__atomic_store_n(&vcpu->run->immediate_exit, 1, __ATOMIC_RELEASE);
	ioctl(vcpu->fd, KVM_RUN, 0); /* -EINTR: serve_requests() goes on */
}

/* From now on kicks signal this thread, unless a join came first. */
static void publish_self(struct vcpu *vcpu)
{
	int none = VCPU_THREAD_NONE;

	vcpu->self = pthread_self();
	/* Read by others without the ID: a clock of a thread that has gone
	 * just fails, where pthread_getcpuclockid() of it would be
	 * undefined. */
	pthread_getcpuclockid(vcpu->self, &vcpu->cpu_clock);
	__atomic_compare_exchange_n(&vcpu->thread_state, &none,
				    VCPU_THREAD_RUNNING, false,
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

#ifdef KVMUX_TEST_BUILD
/* Test builds only: with $KVMUX_TEST_KVM_RUN_EAGAIN set, every KVM_RUN
 * fails with EAGAIN, as while KVM cannot start its worker thread. */
static bool test_kvm_run_eagain(void)
{
	return getenv("KVMUX_TEST_KVM_RUN_EAGAIN") != NULL;
}
#else
static bool test_kvm_run_eagain(void)
{
	return false;
}
#endif

/*
 * Is this an AP still waiting for its INIT (KVM_MP_STATE_UNINITIALIZED)?
 * Its KVM_RUN blocks until something wakes it, then fails with EAGAIN:
 * the guest's doing, not a shortage of the host's.  A worker thread that
 * cannot start fails the BSP's KVM_RUN as well, which counts.
 */
static bool never_started(struct vcpu *vcpu, bool fake_eagain)
{
	struct kvm_mp_state mp;

	return !fake_eagain && ioctl(vcpu->fd, KVM_GET_MP_STATE, &mp) == 0 &&
	       mp.mp_state == KVM_MP_STATE_UNINITIALIZED;
}

/*
 * About a millisecond (or until a signal): an NMI sent to an AP before
 * its INIT stays pending and makes each KVM_RUN fail at once, which
 * would spin a host CPU until the INIT or the end.  A futex wait nobody
 * wakes: the vCPU's filter has futex, and no sleep call.
 */
static void pause_a_moment(void)
{
	static const struct timespec ms = { 0, 1000000 };
	uint32_t word = 0;

	syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, &ms, NULL, 0);
}

/* KVM_RUN: 0, or -1 with errno. */
static int kvm_run(struct vcpu *vcpu, bool fake_eagain)
{
	if (fake_eagain) {
		errno = EAGAIN;
		return -1;
	}
	return ioctl(vcpu->fd, KVM_RUN, 0);
}

/*
 * The boot vCPU takes the interrupt of kvmux's 8259s (split irqchip) as
 * an external interrupt: acknowledged and queued (KVM_INTERRUPT) only
 * when KVM said at the last exit that it can take one (interrupts on,
 * LINT0 in ExtINT mode or the local APIC off, none queued), else KVM is
 * asked to exit as soon as it can (request_interrupt_window).  queued:
 * one was queued since KVM last set that flag (it says "no" while one
 * is queued, but keeps the old "yes" through a KVM_RUN that fails
 * before it runs).  0, or -1 with err_set().
 */
static int offer_extint(struct vcpu *vcpu, bool *queued)
{
	const struct irq_controller *pic = vcpu->vm->extint;
	struct kvm_run *run = vcpu->run;
	struct kvm_interrupt irq;

	if (!pic || vcpu->id)
		return 0;
	if (pic->intr(pic->opaque) && run->ready_for_interrupt_injection &&
	    !*queued) {
		irq.irq = pic->inta(pic->opaque);
		if (ioctl(vcpu->fd, KVM_INTERRUPT, &irq) < 0)
			return err_set_errno("KVM_INTERRUPT %u", irq.irq);
		*queued = true;
	}
	run->request_interrupt_window = pic->intr(pic->opaque);
	return 0;
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	struct vm *vm = vcpu->vm;
	unsigned int again = 0; /* EAGAINs in a row */
	bool fake_eagain = test_kvm_run_eagain();
	bool queued = false; /* an external interrupt since the last exit */
	int rc;
	sigset_t set;

	publish_self(vcpu);
	sigemptyset(&set);
	sigaddset(&set, VCPU_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	if (vm->vcpu_thread_start)
		start_kvm_worker(vcpu);
	if (vm->vcpu_thread_start &&
	    vm->vcpu_thread_start(vm->vcpu_thread_opaque) < 0)
		vm_request_stop(vm, VM_STOP_HOST_FAILURE, 0, "vCPU %u: %s",
				vcpu->id, err_msg());
	thread_enter(THREAD_VCPU);

	while (serve_requests(vcpu)) {
		if (offer_extint(vcpu, &queued) < 0) {
			vm_request_stop(vm, VM_STOP_HOST_FAILURE, 0,
					"vCPU %u: %s", vcpu->id, err_msg());
			break;
		}
		rc = kvm_run(vcpu, fake_eagain);
		if (rc == 0 || errno == EINTR)
			queued = false; /* KVM's flags are fresh */
		if (rc < 0) {
			int err = errno;

			if (err == EAGAIN && never_started(vcpu, fake_eagain)) {
				vcpu->stats.intr++;
				pause_a_moment();
				continue;
			}
			if (err == EINTR) {
				vcpu->stats.intr++;
				continue;
			}
			if (err == EAGAIN && ++again < VCPU_EAGAIN_MAX) {
				/* A shortage gets about 0.1 s to pass. */
				vcpu->stats.intr++;
				pause_a_moment();
				continue;
			}
			vm_request_stop(vm, VM_STOP_HOST_FAILURE, 0,
					"vCPU %u: KVM_RUN failed: %s%s",
					vcpu->id, strerror(err),
					err == EAGAIN ?
						" (KVM could not start its "
						"worker thread: a process "
						"limit, RLIMIT_NPROC?)" :
						"");
			break;
		}
		again = 0;
		vcpu_handle_exit(vcpu);
	}
	vcpu->cpu_ns_at_exit = thread_cpu_ns();
	if (vm->vcpu_thread_end)
		vm->vcpu_thread_end(vm->vcpu_thread_opaque);
	return NULL;
}

#ifdef KVMUX_TEST_BUILD
/*
 * Test builds only (build/tests/kvmux-test-build): with
 * $KVMUX_TEST_LATE_VCPU_START set, the creator of a vCPU thread goes on
 * only once the VM is stopping (or after 60 s), as if the host had
 * descheduled it: every kick of that stop comes before vcpu_start()
 * returns (tests/integration/t_stop.sh).
 */
static void creator_descheduled(struct vcpu *vcpu)
{
	unsigned int i;

	if (!getenv("KVMUX_TEST_LATE_VCPU_START"))
		return;
	for (i = 0; i < 60000 && !vm_stopping(vcpu->vm); i++)
		poll(NULL, 0, 1); /* 1 ms; the main thread's list has poll */
}
#else
static void creator_descheduled(struct vcpu *vcpu)
{
}
#endif

int vcpu_start(struct vcpu *vcpu)
{
	int rc = pthread_create(&vcpu->thread, NULL, vcpu_thread, vcpu);

	if (rc) {
		errno = rc;
		return err_set_errno("cannot start vCPU %u thread%s", vcpu->id,
				     rc == EAGAIN ? " (a process limit, "
						    "RLIMIT_NPROC?)" :
						    "");
	}
	creator_descheduled(vcpu);
	vcpu->thread_created = true;
	return 0;
}

/* Is vcpu->self a thread that may be signalled? */
static bool running(const struct vcpu *vcpu)
{
	return __atomic_load_n(&vcpu->thread_state, __ATOMIC_SEQ_CST) ==
	       VCPU_THREAD_RUNNING;
}

int vcpu_join(struct vcpu *vcpu, uint64_t deadline_ns)
{
	if (!vcpu->thread_created)
		return 0;
	vcpu->thread_created = false;
	__atomic_store_n(&vcpu->thread_state, VCPU_THREAD_JOINED,
			 __ATOMIC_SEQ_CST);
	return thread_join_until(vcpu->thread, deadline_ns);
}

void vcpu_kick(struct vcpu *vcpu, unsigned int requests)
{
	__atomic_or_fetch(&vcpu->requests, requests, __ATOMIC_SEQ_CST);
	__atomic_store_n(&vcpu->run->immediate_exit, 1, __ATOMIC_RELEASE);
	/* The vCPU's own thread (a device stopping the VM on its exit) is
	 * out of KVM_RUN: it sees the requests before it enters again. */
	if (running(vcpu) && !pthread_equal(vcpu->self, pthread_self()))
		pthread_kill(vcpu->self, VCPU_KICK_SIGNAL);
}

uint64_t vcpu_cpu_time_ns(const struct vcpu *vcpu)
{
	struct timespec ts;

	if (!running(vcpu) || clock_gettime(vcpu->cpu_clock, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}
