// SPDX-License-Identifier: GPL-2.0-only
/*
 * exit.c - exit dispatch: from a KVM exit reason to a bus access or a VM
 * stop.  Knows buses, never devices.
 */
#include <string.h>
#include <sys/ioctl.h>

#include "kvmux/exit.h"
#include "kvmux/vcpu.h"
#include "kvmux/vm.h"

static void handle_io(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool is_write = run->io.direction == KVM_EXIT_IO_OUT;
	uint32_t i;

	vcpu->stats.io++;
	/* data_offset and count come from KVM, not the guest; "rep outsb"
	 * gives count > 1 with the bytes one after another. */
	for (i = 0; i < run->io.count; i++, data += run->io.size)
		bus_access(&vcpu->vm->pio, run->io.port, is_write, data,
			   run->io.size);
}

static void handle_mmio(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	unsigned int len = run->mmio.len;

	vcpu->stats.mmio++;
	if (len > sizeof(run->mmio.data))
		len = sizeof(run->mmio.data);
	bus_access(&vcpu->vm->mmio, run->mmio.phys_addr, run->mmio.is_write,
		   run->mmio.data, len);
}

static unsigned long long guest_rip(struct vcpu *vcpu)
{
	struct kvm_regs regs;

	if (ioctl(vcpu->fd, KVM_GET_REGS, &regs) < 0)
		return ~0ull;
	return regs.rip;
}

static void handle_system_event(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;

	switch (vcpu->run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		vm_request_stop(vm, VM_STOP_HALTED, 0, "guest powered off");
		break;
	case KVM_SYSTEM_EVENT_RESET:
		vm_request_stop(vm, VM_STOP_RESET, 0, "guest reset");
		break;
	default:
		vm_request_stop(vm, VM_STOP_CRASHED, 0,
				"vCPU %u: system event %u", vcpu->id,
				vcpu->run->system_event.type);
	}
}

static void handle_internal_error(struct vcpu *vcpu)
{
	vm_request_stop(
		vcpu->vm, VM_STOP_CRASHED, 0,
		"vCPU %u: KVM internal error, suberror %u, at rip %#llx",
		vcpu->id, vcpu->run->internal.suberror, guest_rip(vcpu));
}

static void handle_fail_entry(struct vcpu *vcpu)
{
	vm_request_stop(
		vcpu->vm, VM_STOP_CRASHED, 0,
		"vCPU %u: entry failed, hardware reason %#llx", vcpu->id,
		(unsigned long long)
			vcpu->run->fail_entry.hardware_entry_failure_reason);
}

void vcpu_handle_exit(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;

	switch (vcpu->run->exit_reason) {
	case KVM_EXIT_IO:
		handle_io(vcpu);
		return;
	case KVM_EXIT_MMIO:
		handle_mmio(vcpu);
		return;
	case KVM_EXIT_INTR:
		vcpu->stats.intr++;
		return;
	case KVM_EXIT_IRQ_WINDOW_OPEN: /* the boot vCPU can take the 8259's
					* interrupt now (vcpu.c) */
		vcpu->stats.intr++;
		return;
	case KVM_EXIT_IOAPIC_EOI: /* split irqchip: a level vector ended */
		vcpu->stats.other++;
		vm_eoi(vm, vcpu->run->eoi.vector);
		return;
	case KVM_EXIT_SHUTDOWN:
		vm_request_stop(vm, VM_STOP_RESET, 0,
				"vCPU %u: triple fault at rip %#llx", vcpu->id,
				guest_rip(vcpu));
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		handle_system_event(vcpu);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		handle_internal_error(vcpu);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		handle_fail_entry(vcpu);
		break;
	default:
		vm_request_stop(vm, VM_STOP_CRASHED, 0,
				"vCPU %u: unexpected KVM exit %u at rip %#llx",
				vcpu->id, vcpu->run->exit_reason,
				guest_rip(vcpu));
		break;
	}
	vcpu->stats.other++;
}
