// SPDX-License-Identifier: GPL-2.0-only
/* exit_status.c - stop reasons to exit statuses (kvmux/exit_status.h) */
#include "kvmux/exit_status.h"

int exit_status_for(enum vm_stop_reason reason, int value)
{
	switch (reason) {
	case VM_STOP_GUEST_EXIT:
		return value & 0xff;
	case VM_STOP_HALTED:
		return EXIT_GUEST_HALTED;
	case VM_STOP_RESET:
		return EXIT_GUEST_RESET;
	case VM_STOP_CRASHED:
		return EXIT_GUEST_CRASHED;
	case VM_STOP_POWER_OFF:
		return 0;
	case VM_STOP_PANICKED:
	case VM_STOP_FAIL_ON:
		return EXIT_GUEST_PANICKED;
	case VM_STOP_TIMEOUT:
		return EXIT_TIMEOUT;
	case VM_STOP_SIGNAL:
		if (value > 0 && value < 128)
			return EXIT_SIGNAL_BASE + value;
		return EXIT_HOST_FAILURE;
	case VM_RUNNING:
	case VM_STOP_HOST_FAILURE:
		break;
	}
	return EXIT_HOST_FAILURE;
}

const char *vm_stop_reason_name(enum vm_stop_reason reason)
{
	static const char *const names[] = {
		[VM_RUNNING] = "running",
		[VM_STOP_GUEST_EXIT] = "exit",
		[VM_STOP_HALTED] = "halted",
		[VM_STOP_RESET] = "reset",
		[VM_STOP_CRASHED] = "crashed",
		[VM_STOP_TIMEOUT] = "timeout",
		[VM_STOP_SIGNAL] = "signal",
		[VM_STOP_HOST_FAILURE] = "failed",
		[VM_STOP_POWER_OFF] = "poweroff",
		[VM_STOP_PANICKED] = "panicked",
		[VM_STOP_FAIL_ON] = "fail-on",
	};

	if ((unsigned int)reason < sizeof(names) / sizeof(names[0]))
		return names[reason];
	return "unknown";
}

const char exit_status_help[] =
	"Exit status:\n"
	"  0-255   the value the guest wrote to the debug-exit port 0x501 (or\n"
	"          what --debug-exit makes of it)\n"
	"  0       also: the guest powered off through ACPI (S5), on its own "
	"or after\n"
	"          the power button (SIGTERM, --timeout with "
	"--shutdown-grace)\n"
	"  120     the guest stopped cleanly (all vCPUs halted, interrupts "
	"off)\n"
	"  121     the guest reset the machine (i8042 or ACPI reset, triple "
	"fault)\n"
	"  122     the guest crashed (KVM internal error, failed entry)\n"
	"  123     the guest panicked or reported failure (pvpanic, a "
	"console line\n"
	"          matching --fail-on)\n"
	"  124     --timeout expired\n"
	"  125     kvmux could not start or run the VM (no /dev/kvm, "
	"permission,\n"
	"          memory, a failing KVM call)\n"
	"  126     bad usage: options, a config file, or an unusable "
	"kernel, initrd\n"
	"          or disk image\n"
	"  128+N   kvmux was stopped by signal N (141: the console's reader "
	"went away)\n"
	"  159     a thread of kvmux made a system call its seccomp filter "
	"forbids\n"
	"          (128 + SIGSYS; stderr names the call and the thread)\n"
	"A guest that wants an unambiguous result writes a value below 120.\n";
