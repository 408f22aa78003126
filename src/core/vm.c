// SPDX-License-Identifier: GPL-2.0-only
/*
 * vm.c - create a VM, back its RAM, and stop it.
 *
 * RAM is shared memory of a memfd, mapped with MAP_NORESERVE: the host
 * commits pages only as the guest touches them, so a 4 GiB guest that
 * boots a test kernel costs a few MiB.  A memfd rather than an anonymous
 * mapping so that its pages can be freed by another process: at the end
 * kvmux unmaps them (page-table work only) and hands the memfd with the
 * KVM descriptors to the release helper, whose close frees them (for a
 * guest that touched 256 MiB, ~30 ms that kvmux's exit no longer waits
 * for).  Where the file-size limit (ulimit -f) is below a slot's size the
 * slot is anonymous shared memory, as a memfd could not grow to it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kvmux/error.h"
#include "kvmux/vcpu.h"
#include "kvmux/vm.h"

/* Where KVM puts the real-mode TSS and identity map on VMX hosts. */
#define VM_TSS_ADDR 0xfffbd000ULL
#define VM_IDENTITY_MAP_ADDR 0xfffbc000ULL

/*
 * A memfd for size bytes of RAM, or -1 where there can be none: growing
 * a file past the file-size limit (ulimit -f) is refused with SIGXFSZ,
 * which would end kvmux, and anonymous memory knows no such limit.
 */
static int ram_memfd(uint64_t size)
{
	struct rlimit fsize;
	int fd;

	if (getrlimit(RLIMIT_FSIZE, &fsize) == 0 &&
	    fsize.rlim_cur != RLIM_INFINITY && size > fsize.rlim_cur)
		return -1;
	fd = memfd_create("kvmux-guest-ram", MFD_CLOEXEC);
	if (fd >= 0 && ftruncate(fd, size) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One RAM slot's memory, mapped shared: a memfd's (*fd), or anonymous
 * memory (*fd = -1) that kvmux's own munmap() frees, more slowly. */
static void *map_ram_slot(uint64_t size, int *fd)
{
	void *host;

	*fd = ram_memfd(size);
	host = mmap(NULL, size, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_NORESERVE | (*fd < 0 ? MAP_ANONYMOUS : 0),
		    *fd, 0);
	if (host != MAP_FAILED)
		return host;
	err_set_errno("cannot map %llu MiB of guest RAM",
		      (unsigned long long)(size >> 20));
	if (*fd >= 0)
		close(*fd);
	return NULL;
}

static int map_ram(struct vm *vm)
{
	struct ram_slot slot[2];
	unsigned int i, n = layout_ram_slots(&vm->layout, slot);

	for (i = 0; i < n; i++) {
		struct kvm_userspace_memory_region region;
		void *host = map_ram_slot(slot[i].size, &vm->ram_fd[i]);

		if (!host)
			return -1;
		vm->mem.region[i] = (struct gm_region){ .gpa = slot[i].gpa,
							.size = slot[i].size,
							.host = host };
		vm->mem.nr_regions = i + 1;
		vm->mem.fresh = true;
		region = (struct kvm_userspace_memory_region){
			.slot = i,
			.guest_phys_addr = slot[i].gpa,
			.memory_size = slot[i].size,
			.userspace_addr = (uintptr_t)host,
		};
		if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
			return err_set_errno("KVM_SET_USER_MEMORY_REGION");
	}
	return 0;
}

/*
 * What KVM's in-kernel devices decode, as Linux registers them on its
 * buses (arch/x86/kvm/i8259.c kvm_pic_init(), ioapic.h, lapic.c,
 * i8254.c kvm_create_pit()): reserved on ours, so that no kvmux device
 * (--debug-exit's window, say) is put where the guest's accesses would
 * never leave the kernel.
 */
static const struct {
	enum in_kernel_owner {
		BY_IRQCHIP, /* KVM_CREATE_IRQCHIP's */
		BY_LAPIC, /* a split irqchip's too */
		BY_PIT, /* KVM_CREATE_PIT2's */
	} owner;
	bool mmio;
	uint64_t base, len;
	const char *name;
} in_kernel[] = {
	{ BY_IRQCHIP, false, 0x20, 2, "the in-kernel PIC (KVM)" },
	{ BY_IRQCHIP, false, 0xa0, 2, "the in-kernel PIC (KVM)" },
	{ BY_IRQCHIP, false, 0x4d0, 2, "the in-kernel PIC's ELCR (KVM)" },
	{ BY_IRQCHIP, true, IOAPIC_ADDR, 0x100, "the in-kernel IOAPIC (KVM)" },
	/* At its reset base; a guest that moves it is on its own. */
	{ BY_LAPIC, true, LAPIC_ADDR, 0x1000,
	  "the in-kernel local APIC (KVM)" },
	{ BY_PIT, false, 0x40, 4, "the in-kernel PIT (KVM)" },
	/* KVM registers 4 speaker ports but takes only 0x61 itself. */
	{ BY_PIT, false, 0x61, 1, "the in-kernel PIT's speaker port (KVM)" },
};

static int reserve_in_kernel(struct vm *vm, enum in_kernel_owner owner)
{
	unsigned int i;

	for (i = 0; i < sizeof(in_kernel) / sizeof(in_kernel[0]); i++)
		if (in_kernel[i].owner == owner &&
		    bus_reserve(in_kernel[i].mmio ? &vm->mmio : &vm->pio,
				in_kernel[i].base, in_kernel[i].len,
				in_kernel[i].name) < 0)
			return -1;
	return 0;
}

/* KVM's local APICs only: its IOAPIC's pins are KVM's first GSIs, which
 * it reads as MSI routes (vm_set_msi_routes()). */
static int create_split_irqchip(struct vm *vm)
{
	struct kvm_enable_cap split = { .cap = KVM_CAP_SPLIT_IRQCHIP,
					.args = { IOAPIC_NR_PINS } };

	if (kvm_sys_check(vm->kvm, KVM_CAP_SPLIT_IRQCHIP) <= 0 ||
	    kvm_sys_check(vm->kvm, KVM_CAP_SIGNAL_MSI) <= 0)
		return err_host("this host's KVM cannot split the irqchip "
				"(KVM_CAP_SPLIT_IRQCHIP, KVM_CAP_SIGNAL_MSI): "
				"use --irqchip kernel");
	if (ioctl(vm->fd, KVM_ENABLE_CAP, &split) < 0)
		return err_set_errno("KVM_ENABLE_CAP KVM_CAP_SPLIT_IRQCHIP");
	return 0;
}

static int create_irqchip(struct vm *vm, bool split)
{
	uint64_t identity = VM_IDENTITY_MAP_ADDR;

	if (ioctl(vm->fd, KVM_SET_TSS_ADDR, VM_TSS_ADDR) < 0)
		return err_set_errno("KVM_SET_TSS_ADDR");
	if (ioctl(vm->fd, KVM_SET_IDENTITY_MAP_ADDR, &identity) < 0)
		return err_set_errno("KVM_SET_IDENTITY_MAP_ADDR");
	if (split) {
		if (create_split_irqchip(vm) < 0)
			return -1;
	} else if (ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0) < 0) {
		return err_set_errno("KVM_CREATE_IRQCHIP");
	} else {
		vm->has_kernel_irqchip = true;
		if (reserve_in_kernel(vm, BY_IRQCHIP) < 0)
			return -1;
	}
	return reserve_in_kernel(vm, BY_LAPIC); /* KVM's either way */
}

int vm_create_pit(struct vm *vm)
{
	/* The speaker port (0x61) is KVM's too, as a stub. */
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };

	if (ioctl(vm->fd, KVM_CREATE_PIT2, &pit) < 0)
		return err_set_errno("KVM_CREATE_PIT2");
	vm->has_pit = true;
	return reserve_in_kernel(vm, BY_PIT);
}

static int create_vcpus(struct vm *vm, unsigned int nr_vcpus)
{
	unsigned int i;

	if (nr_vcpus == 0 || nr_vcpus > (unsigned int)vm->kvm->max_vcpus)
		return err_host("%u vCPUs asked for; this host allows 1 to %d",
				nr_vcpus, vm->kvm->max_vcpus);
	vm->cpu_count = nr_vcpus;
	vm->vcpu = calloc(nr_vcpus, sizeof(vm->vcpu[0]));
	if (!vm->vcpu)
		return err_host("out of memory");
	for (i = 0; i < nr_vcpus; i++) {
		vm->vcpu[i] = vcpu_create(vm, i);
		if (!vm->vcpu[i])
			return -1;
		vm->nr_vcpus = i + 1;
	}
	return 0;
}

int vm_create(struct vm *vm, struct kvm_sys *kvm, const char *name,
	      uint64_t ram_size, unsigned int nr_vcpus, bool split_irqchip)
{
	*vm = (struct vm){ .name = name,
			   .kvm = kvm,
			   .fd = -1,
			   .watch_fd = -1,
			   .stop_fd = -1 };
	pthread_mutex_init(&vm->stop_lock, NULL);
	pthread_mutex_init(&vm->park_lock, NULL);
	pthread_cond_init(&vm->park_cond, NULL);
	bus_init(&vm->pio, "port I/O");
	bus_init(&vm->mmio, "MMIO");
	if (layout_build(&vm->layout, ram_size) < 0)
		return -1;
	vm->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	vm->watch_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->stop_fd < 0 || vm->watch_fd < 0)
		return err_set_errno("eventfd");
	vm->fd = ioctl(kvm->fd, KVM_CREATE_VM, 0);
	if (vm->fd < 0)
		return err_set_errno("KVM_CREATE_VM");
	if (map_ram(vm) < 0 || create_irqchip(vm, split_irqchip) < 0)
		return -1;
	return create_vcpus(vm, nr_vcpus);
}

/*
 * What vm->close_fds() does not take: the mappings unmapped, then the
 * descriptors closed.
 */
static void close_here(const int *fds, unsigned int nr,
		       const struct iovec *maps, unsigned int nr_maps)
{
	unsigned int i;

	for (i = 0; i < nr_maps; i++)
		munmap(maps[i].iov_base, maps[i].iov_len);
	for (i = 0; i < nr; i++)
		close(fds[i]);
}

/*
 * The VM's descriptor, its vCPUs' and its RAM's, closed together, and
 * the RAM's mappings unmapped before: the last of the KVM ones to go
 * destroys the VM in the kernel, and the RAM's frees the guest's pages,
 * the slow parts of a teardown with the unmapping.
 */
static void close_vm_fds(struct vm *vm)
{
	struct iovec maps[GM_MAX_REGIONS];
	int *fds = calloc(2 * vm->nr_vcpus + 1 + GM_MAX_REGIONS, sizeof(*fds));
	unsigned int i, n = 0;

	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *vcpu = vm->vcpu[i];

		if (fds && vcpu && vcpu->fd >= 0) {
			fds[n++] = vcpu->fd;
			vcpu->fd = -1; /* ours now */
		}
		if (fds && vcpu && vcpu->stats_fd >= 0) {
			fds[n++] = vcpu->stats_fd; /* it holds the VM too */
			vcpu->stats_fd = -1;
		}
		vcpu_destroy(vcpu);
	}
	if (vm->fd >= 0 && fds)
		fds[n++] = vm->fd;
	else if (vm->fd >= 0)
		close(vm->fd);
	for (i = 0; i < vm->mem.nr_regions; i++) { /* after the VM's */
		if (fds && vm->ram_fd[i] >= 0)
			fds[n++] = vm->ram_fd[i];
		else if (vm->ram_fd[i] >= 0)
			close(vm->ram_fd[i]);
		maps[i] = (struct iovec){ vm->mem.region[i].host,
					  vm->mem.region[i].size };
	}
	if (vm->close_fds && fds)
		vm->close_fds(fds, n, maps, vm->mem.nr_regions,
			      vm->has_kernel_irqchip || vm->has_pit);
	else
		close_here(fds, n, maps, vm->mem.nr_regions);
	free(fds);
}

void vm_destroy(struct vm *vm)
{
	close_vm_fds(vm);
	free(vm->vcpu);
	if (vm->stop_fd >= 0)
		close(vm->stop_fd);
	if (vm->watch_fd >= 0)
		close(vm->watch_fd);
	bus_free(&vm->pio);
	bus_free(&vm->mmio);
	pthread_mutex_destroy(&vm->stop_lock);
	pthread_mutex_destroy(&vm->park_lock);
	pthread_cond_destroy(&vm->park_cond);
	vm->nr_vcpus = 0;
	vm->mem.nr_regions = 0;
	vm->fd = vm->stop_fd = vm->watch_fd = -1;
}

int vm_start(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++)
		if (vcpu_start(vm->vcpu[i]) < 0)
			return -1;
	return 0;
}

int vm_join(struct vm *vm, uint64_t deadline_ns)
{
	unsigned int i;
	int rc = 0;

	/* The scheduler thread may be parking this VM right now: once its
	 * kicks are done, none may follow, since a joined thread's ID is
	 * gone.  (Kicking an exited but unjoined thread is harmless.) */
	pthread_mutex_lock(&vm->park_lock);
	vm->joined = true;
	pthread_mutex_unlock(&vm->park_lock);
	for (i = 0; i < vm->nr_vcpus; i++)
		if (vcpu_join(vm->vcpu[i], deadline_ns) < 0)
			rc = -1;
	return rc;
}

void vm_set_parked(struct vm *vm, bool parked)
{
	unsigned int i;

	pthread_mutex_lock(&vm->park_lock);
	vm->parked = parked;
	if (!parked)
		pthread_cond_broadcast(&vm->park_cond);
	else if (!vm->joined)
		for (i = 0; i < vm->nr_vcpus; i++)
			vcpu_kick(vm->vcpu[i], VCPU_REQ_PARK);
	pthread_mutex_unlock(&vm->park_lock);
}

bool vm_is_parked(struct vm *vm)
{
	bool parked;

	pthread_mutex_lock(&vm->park_lock);
	parked = vm->parked;
	pthread_mutex_unlock(&vm->park_lock);
	return parked;
}

void vm_wait_while_parked(struct vm *vm)
{
	pthread_mutex_lock(&vm->park_lock);
	while (vm->parked && !vm_stopping(vm))
		pthread_cond_wait(&vm->park_cond, &vm->park_lock);
	pthread_mutex_unlock(&vm->park_lock);
}

int vm_irq_line(struct vm *vm, unsigned int gsi, bool level)
{
	struct kvm_irq_level irq = { .irq = gsi, .level = level };
	unsigned int i;

	for (i = 0; i < vm->nr_irq_controllers; i++) {
		const struct irq_controller *ic = &vm->irq_controller[i];

		if (ic->set_line(ic->opaque, gsi, level) < 0)
			return -1;
	}
	if (!vm->nr_irq_controllers && ioctl(vm->fd, KVM_IRQ_LINE, &irq) < 0)
		return err_set_errno("KVM_IRQ_LINE %u", gsi);
	if (level)
		vm_note_interrupt(vm);
	return 0;
}

void vm_set_irq_controller(struct vm *vm, const struct irq_controller *ic)
{
	struct irq_controller *slot;

	if (vm->nr_irq_controllers == VM_MAX_IRQ_CONTROLLERS)
		abort(); /* the device table has no more */
	slot = &vm->irq_controller[vm->nr_irq_controllers++];
	*slot = *ic;
	if (ic->inta)
		vm->extint = slot;
}

void vm_irqfd_raised(struct vm *vm, unsigned int gsi)
{
	const struct irq_controller *pic = vm->extint;

	vm_note_interrupt(vm);
	if (pic) { /* it never fails: a line it lacks it ignores */
		pic->set_line(pic->opaque, gsi, true);
		pic->set_line(pic->opaque, gsi, false);
	}
}

void vm_extint_raised(struct vm *vm)
{
	/* On the boot vCPU's own thread (a port write) this only sets
	 * immediate_exit, which its loop clears before it looks.  Device
	 * I/O and output threads get here too, and go on while vm_join()
	 * runs: under park_lock, a kick either comes before the join
	 * begins or not at all (a joined thread's ID is gone, and
	 * vcpu_kick()'s check of the thread's state is no lock). */
	pthread_mutex_lock(&vm->park_lock);
	if (vm->nr_vcpus && !vm->joined)
		vcpu_kick(vm->vcpu[0], 0);
	pthread_mutex_unlock(&vm->park_lock);
}

void vm_eoi(struct vm *vm, uint8_t vector)
{
	unsigned int i;

	for (i = 0; i < vm->nr_irq_controllers; i++)
		if (vm->irq_controller[i].eoi)
			vm->irq_controller[i].eoi(vm->irq_controller[i].opaque,
						  vector);
}

int vm_signal_msi(struct vm *vm, const struct msi_msg *msg)
{
	struct kvm_msi msi = { .address_lo = (uint32_t)msg->addr,
			       .address_hi = (uint32_t)(msg->addr >> 32),
			       .data = msg->data };
	int rc = ioctl(vm->fd, KVM_SIGNAL_MSI, &msi);

	/* -1 from KVM's delivery (no local APIC matched the destination,
	 * or every match has its APIC off in IA32_APIC_BASE) comes back
	 * as EPERM: the guest's doing, not a failure. */
	if (rc < 0 && errno == EPERM)
		return 0;
	if (rc < 0)
		return err_set_errno("KVM_SIGNAL_MSI");
	return rc;
}

int vm_set_msi_routes(struct vm *vm, const struct msi_route *route,
		      unsigned int nr)
{
	/* The table and room for its entries (a struct with a flexible
	 * array member cannot be another struct's first field in ISO C). */
	union {
		struct kvm_irq_routing table;
		char room[sizeof(struct kvm_irq_routing) +
			  IOAPIC_NR_PINS *
				  sizeof(struct kvm_irq_routing_entry)];
	} r;
	unsigned int i;

	if (nr > IOAPIC_NR_PINS)
		return err_set("%u MSI routes: at most %d", nr, IOAPIC_NR_PINS);
	memset(&r, 0, sizeof(r));
	r.table.nr = nr;
	for (i = 0; i < nr; i++)
		r.table.entries[i] = (struct kvm_irq_routing_entry){
			.gsi = route[i].gsi,
			.type = KVM_IRQ_ROUTING_MSI,
			.u.msi = { .address_lo = (uint32_t)route[i].msg.addr,
				   .address_hi =
					   (uint32_t)(route[i].msg.addr >> 32),
				   .data = route[i].msg.data },
		};
	if (ioctl(vm->fd, KVM_SET_GSI_ROUTING, &r.table) < 0)
		return err_set_errno("KVM_SET_GSI_ROUTING");
	return 0;
}

/*
 * Sequentially consistent on both sides: vm_watch_idle() sets
 * watch_asleep and then reads irqs_raised, this adds to irqs_raised and
 * then reads watch_asleep, so an interrupt raised while the watch decides
 * to sleep is seen by one of them.
 */
void vm_note_interrupt(struct vm *vm)
{
	uint64_t one = 1;

	__atomic_add_fetch(&vm->irqs_raised, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&vm->watch_asleep, __ATOMIC_SEQ_CST) &&
	    __atomic_exchange_n(&vm->watch_asleep, false, __ATOMIC_SEQ_CST) &&
	    write(vm->watch_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		abort(); /* an eventfd write cannot fail otherwise */
}

int vm_ioeventfd(struct vm *vm, uint64_t addr, uint32_t value, int fd)
{
	struct kvm_ioeventfd ioeventfd = {
		.datamatch = value,
		.addr = addr,
		.len = 4,
		.fd = fd,
		.flags = KVM_IOEVENTFD_FLAG_DATAMATCH,
	};

	if (ioctl(vm->fd, KVM_IOEVENTFD, &ioeventfd) < 0)
		return err_set_errno("KVM_IOEVENTFD at %#llx",
				     (unsigned long long)addr);
	return 0;
}

int vm_irqfd(struct vm *vm, unsigned int gsi, int fd)
{
	struct kvm_irqfd irqfd = { .fd = fd, .gsi = gsi };

	if (ioctl(vm->fd, KVM_IRQFD, &irqfd) < 0)
		return err_set_errno("KVM_IRQFD for GSI %u", gsi);
	return 0;
}

static bool guest_ended(enum vm_stop_reason reason)
{
	return reason == VM_STOP_GUEST_EXIT || reason == VM_STOP_HALTED ||
	       reason == VM_STOP_POWER_OFF || reason == VM_STOP_RESET;
}

/*
 * Record the stop unless one is kept already (with over_guest_end, a
 * stop the guest made itself is not kept), then, for the first stop,
 * tell every thread.
 */
static void set_stop(struct vm *vm, bool over_guest_end,
		     enum vm_stop_reason reason, int value, const char *fmt,
		     va_list ap)
{
	enum vm_stop_reason was;
	uint64_t one = 1;
	unsigned int i;

	pthread_mutex_lock(&vm->stop_lock);
	was = vm->stop.reason;
	if (was != VM_RUNNING && !(over_guest_end && guest_ended(was))) {
		pthread_mutex_unlock(&vm->stop_lock);
		return;
	}
	vm->stop.value = value;
	vsnprintf(vm->stop.detail, sizeof(vm->stop.detail), fmt, ap);
	__atomic_store_n(&vm->stop.reason, reason, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&vm->stop_lock);
	if (was != VM_RUNNING)
		return; /* everything was told already */
	for (i = 0; i < vm->nr_vcpus; i++)
		vcpu_kick(vm->vcpu[i], VCPU_REQ_STOP);
	vm_set_parked(vm, false); /* parked vCPUs must see the stop */
	if (write(vm->stop_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		abort(); /* an eventfd write cannot fail otherwise */
}

void vm_request_stop(struct vm *vm, enum vm_stop_reason reason, int value,
		     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_stop(vm, false, reason, value, fmt, ap);
	va_end(ap);
}

void vm_request_stop_before_guest_end(struct vm *vm, enum vm_stop_reason reason,
				      int value, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_stop(vm, true, reason, value, fmt, ap);
	va_end(ap);
}

bool vm_stopping(struct vm *vm)
{
	return __atomic_load_n(&vm->stop.reason, __ATOMIC_ACQUIRE) !=
	       VM_RUNNING;
}

struct vm_stop vm_stop_status(struct vm *vm)
{
	struct vm_stop copy;

	pthread_mutex_lock(&vm->stop_lock);
	copy = vm->stop;
	pthread_mutex_unlock(&vm->stop_lock);
	return copy;
}

/* CPU time a vCPU may use between two watches and still count as idle:
 * the probe itself costs a few ioctls. */
#define IDLE_SLACK_NS 2000000ull

static bool halted_with_irqs_on(int state)
{
	return state == VCPU_HALTED_IRQS_ON || state == VCPU_HALTED_QUIET;
}

static bool still_stopped(struct vcpu *vcpu, uint64_t now)
{
	int state = __atomic_load_n(&vcpu->idle_state, __ATOMIC_ACQUIRE);

	if (state == VCPU_ACTIVE || halted_with_irqs_on(state))
		return false;
	if (now - vcpu->idle_cpu_ns < IDLE_SLACK_NS)
		return true;
	/* It ran since the probe (an AP that was started, say). */
	__atomic_store_n(&vcpu->idle_state, VCPU_ACTIVE, __ATOMIC_RELEASE);
	return false;
}

#ifdef KVMUX_TEST_BUILD
/*
 * Test builds only (build/tests/kvmux-test-build): $KVMUX_TEST_QUIET_WATCH_MS
 * replaces VM_IDLE_WATCH_QUIET_MS, so that a test can make the safety net
 * later than its --timeout: a vCPU wrongly called quiet, or a wake-up
 * that did not wake the watch, then shows as a run that does not end
 * (tests/integration/t_boot.sh).
 */
static uint64_t quiet_watch_ms(void)
{
	const char *ms = getenv("KVMUX_TEST_QUIET_WATCH_MS");

	return ms ? strtoull(ms, NULL, 10) : VM_IDLE_WATCH_QUIET_MS;
}
#else
static uint64_t quiet_watch_ms(void)
{
	return VM_IDLE_WATCH_QUIET_MS;
}
#endif

/*
 * Has a vCPU halted with interrupts on stayed so since its probe?  Not
 * one exit since (a wake-up runs the guest, and its next HLT is an exit)
 * and, for a quiet one, no interrupt from kvmux (the only thing meant to
 * wake it) and no CPU time to speak of (a wake-up from a source kvmux
 * does not model; without KVM's statistics that is all there is).
 */
static bool still_halted(struct vcpu *vcpu, int state, uint64_t cpu_now)
{
	if (state == VCPU_HALTED_QUIET &&
	    (__atomic_load_n(&vcpu->vm->irqs_raised, __ATOMIC_SEQ_CST) !=
		     vcpu->idle_irqs ||
	     cpu_now - vcpu->idle_cpu_ns >= IDLE_SLACK_NS))
		return false;
	if (vcpu->stats_fd >= 0)
		return vcpu_kvm_exits(vcpu) == vcpu->idle_exits;
	return state == VCPU_HALTED_QUIET;
}

/*
 * One vCPU at a watch.  An idle one (under IDLE_SLACK_NS of CPU since the
 * last watch) is probed when due; while it stays idle with interrupts on
 * (a guest waiting for an event that may never come) the wait doubles up
 * to VM_IDLE_WATCH_MAX_MS, so it costs a probe a second instead of ten
 * per second, and a guest that then halts for good is still seen within
 * a second.  A quiet one waits for kvmux's next interrupt.  Returns when
 * this vCPU next needs a watch.
 */
static uint64_t watch_vcpu(struct vcpu *vcpu, uint64_t cpu_now, uint64_t now)
{
	int state = __atomic_load_n(&vcpu->idle_state, __ATOMIC_ACQUIRE);
	bool idle = cpu_now - vcpu->last_cpu_ns < IDLE_SLACK_NS;

	if (halted_with_irqs_on(state)) {
		if (still_halted(vcpu, state, cpu_now))
			return now + (state == VCPU_HALTED_QUIET ?
					      quiet_watch_ms() :
					      VM_IDLE_WATCH_MAX_MS) *
					     1000000ull;
		/* It woke up: probe at once, and soon again. */
		__atomic_store_n(&vcpu->idle_state, VCPU_ACTIVE,
				 __ATOMIC_RELEASE);
		vcpu->probe_backoff_ms = 0;
		vcpu->probe_due_ns = 0;
	}

	vcpu->last_cpu_ns = cpu_now;
	if (!idle) {
		vcpu->probe_backoff_ms = 0;
		vcpu->probe_due_ns = 0;
		return now + VM_IDLE_WATCH_MS * 1000000ull;
	}
	if (now >= vcpu->probe_due_ns) {
		vcpu_kick(vcpu, VCPU_REQ_PROBE);
		vcpu->probe_backoff_ms = vcpu->probe_backoff_ms ?
						 2 * vcpu->probe_backoff_ms :
						 VM_IDLE_WATCH_MS;
		if (vcpu->probe_backoff_ms > VM_IDLE_WATCH_MAX_MS)
			vcpu->probe_backoff_ms = VM_IDLE_WATCH_MAX_MS;
		vcpu->probe_due_ns = now + vcpu->probe_backoff_ms * 1000000ull;
	}
	return vcpu->probe_due_ns;
}

uint64_t vm_watch_idle(struct vm *vm, uint64_t now_ns)
{
	uint64_t next = UINT64_MAX;
	bool all_stopped = true;
	unsigned int i;

	/* Before any irqs_raised is read (vm_note_interrupt()). */
	__atomic_store_n(&vm->watch_asleep, true, __ATOMIC_SEQ_CST);
	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *vcpu = vm->vcpu[i];
		uint64_t cpu_now = vcpu_cpu_time_ns(vcpu), due;

		if (still_stopped(vcpu, cpu_now))
			continue;
		all_stopped = false;
		due = watch_vcpu(vcpu, cpu_now, now_ns);
		if (due < next)
			next = due;
	}
	if (all_stopped)
		vm_request_stop(vm, VM_STOP_HALTED, 0,
				"every vCPU halted with interrupts off");
	if (next <= now_ns + VM_IDLE_WATCH_MAX_MS * 1000000ull)
		__atomic_store_n(&vm->watch_asleep, false, __ATOMIC_RELAXED);
	return next;
}
