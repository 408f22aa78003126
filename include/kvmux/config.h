/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * config.h - everything that describes one VM to run, whichever way it was
 * given (command line, config files), and the group of VMs of one run.
 * Filled by cli/ from the table of settings (kvmux/settings.h), consumed
 * by run.c and the devices; plain data with no file descriptors.  Its
 * life (defaults, owned strings) is machine/config.c.
 */
#ifndef KVMUX_CONFIG_H
#define KVMUX_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config_strings;

#define CONFIG_DEFAULT_MEMORY (256ULL << 20)
#define CONFIG_MAX_DISKS 8
#define CONFIG_MAX_MODULES 16 /* BOOT_MAX_MODULES */
#define CONFIG_LIST_MAX 32 /* values of one repeatable setting */

/* The values of a repeatable setting (--fail-on), in the order given. */
struct config_list {
	const char *item[CONFIG_LIST_MAX];
	unsigned int nr;
};

/* What a disk's image is taken for (--disk format=). */
enum disk_format {
	DISK_FORMAT_AUTO, /* raw, refused if it is a qcow2, VMDK, VHD... */
	DISK_FORMAT_RAW, /* raw, whatever its bytes look like */
};

struct disk_config {
	const char *path;
	const char *
		serial; /* NULL: none; at most 20 bytes (VIRTIO_BLK_ID_BYTES) */
	bool readonly;
	bool snapshot; /* writes go to a throwaway store, not the image */
	enum disk_format format;
};

/* A multiboot module after the initrd (--module FILE[,cmdline=STRING]). */
struct module_config {
	const char *path;
	const char *cmdline; /* NULL: none */
};

#define DEBUG_EXIT_PORT 0x501
#define DEBUG_EXIT_PORT_LIMIT 0x10000U /* the port I/O space */

/* --debug-exit port=PORT[,size=1|2|4][,status=raw|qemu] */
struct debug_exit_config {
	uint16_t port; /* the window's first port */
	uint8_t size; /* 1, 2 or 4 ports; port + size <= 0x10000 */
	bool qemu_status; /* the status is (V << 1) | 1, not V */
};

#define DEBUG_EXIT_DEFAULT                                               \
	(struct debug_exit_config)                                       \
	{                                                                \
		.port = DEBUG_EXIT_PORT, .size = 1, .qemu_status = false \
	}

/* Which device carries the guest console. */
enum console_device {
	CONSOLE_SERIAL, /* the 16550 at 0x3f8 (ttyS0) */
	CONSOLE_VIRTIO, /* virtio-console port 0 (hvc0) */
};

/* Where the console's host side goes. */
enum console_target {
	CONSOLE_TO_STDIO,
	CONSOLE_TO_FILE, /* output to console_file; no input */
	CONSOLE_TO_NONE,
};

/* --irqchip: who emulates the interrupt controllers (docs/devices.md). */
enum irqchip_mode {
	IRQCHIP_KERNEL, /* KVM: PICs, IOAPIC, local APICs */
	IRQCHIP_SPLIT, /* the default: KVM the local APICs, kvmux the
			* IOAPIC and the PICs */
};

/* --pit: who emulates the 8254 interval timer (docs/devices.md). */
enum pit_mode {
	PIT_AUTO, /* the default: PIT_ON */
	PIT_ON, /* kvmux's (devices/i8254.c), with either irqchip */
	PIT_OFF, /* none: ports 0x40-0x43 and 0x61 read 0xff */
	PIT_KVM, /* KVM's, which needs KVM's PICs (IRQCHIP_KERNEL) */
};

/* --seccomp: the system call filter of kvmux's threads (host/seccomp.c). */
enum syscall_filter {
	SYSCALL_FILTER_ON, /* a forbidden call ends kvmux (159) */
	SYSCALL_FILTER_LOG, /* a forbidden call is allowed and logged */
	SYSCALL_FILTER_OFF,
};

struct vm_config {
	const char *name;
	const char *config_file; /* the file it came from; NULL: none */
	const char *kernel;
	const char *initrd; /* NULL: none */
	const char *cmdline; /* never NULL */
	struct module_config module[CONFIG_MAX_MODULES];
	unsigned int nr_modules;
	uint64_t memory; /* bytes */
	unsigned int cpus;
	uint64_t timeout_ms; /* 0: no timeout */
	/* SIGTERM and --timeout press the ACPI power button and stop the VM
	 * this much later; 0: they stop it at once. */
	uint64_t shutdown_grace_ms;
	const char *kvm_device; /* NULL: $KVMUX_KVM_DEVICE or /dev/kvm */
	bool stats; /* print exit counters at the end */
	struct debug_exit_config debug_exit;
	bool acpi; /* ACPI tables and devices (default); off: MP table only */
	enum irqchip_mode irqchip;
	enum pit_mode pit; /* vm_config_pit() says what it comes to */
	const char *dump_dtb; /* write the DTB here and exit; NULL: run */

	struct disk_config disk[CONFIG_MAX_DISKS];
	unsigned int nr_disks;
	enum console_device console;
	enum console_target console_target;
	/* Console files: %n in the name is the VM's name, %% a %.  A file
	 * is truncated when the VMs start, unless it is appended to. */
	const char *console_file; /* CONSOLE_TO_FILE */
	bool console_append;
	const char *console_log; /* a copy of the console; NULL: none */
	bool console_log_append;
	bool timestamps; /* lines in console files start with the time */
	struct config_list fail_on; /* patterns that end the run (123) */

	/* Sharing the host with other VMs (several VMs in one run). */
	unsigned int priority; /* higher runs first within a period */
	unsigned int weight; /* scheduling weight, default 1 */
	bool cap; /* hard limit: no use of others' idle time */

	/* The process's, so one value for every VM of a run. */
	enum syscall_filter seccomp;
	const char *user; /* "USER[:GROUP]" to run as; NULL: stay */

	/* Copies of strings this config owns (from a config file). */
	struct config_strings *strings;
};

void vm_config_init(struct vm_config *cfg);

/*
 * Settings of one VM that contradict each other (--pit kvm with
 * --irqchip split): 0, or -1 with err_set() naming them.
 */
int vm_config_check(const struct vm_config *cfg);

/* Which PIT the VM gets: PIT_ON (kvmux's), PIT_KVM or PIT_OFF; --pit
 * with auto resolved. */
enum pit_mode vm_config_pit(const struct vm_config *cfg);

/* A copy of text[0..len) on list, freed with the list's owner; NULL
 * with err_host() when out of memory. */
const char *config_keep(struct config_strings **list, const char *text,
			size_t len);

/* A copy of text[0..len) that cfg owns and frees with vm_config_free(). */
const char *vm_config_keep(struct vm_config *cfg, const char *text, size_t len);

/*
 * Is name fit to be a VM's name?  It goes into messages, console
 * prefixes, the result's JSON and file names (%n): no '/', no control
 * character, not "." or "..".  Returns 0, or -1 with err_set().
 */
int vm_config_check_name(const char *name);

/* Free the strings cfg owns (cli/request.c); cfg stays initialised. */
void vm_config_free(struct vm_config *cfg);

/*
 * How a group's CPU shares are enforced (docs/scheduler.md): by the
 * kernel through cgroup CPU controls, by kvmux parking vCPUs, or not at
 * all.  auto takes cgroups where kvmux may create them and no VM sets a
 * priority (which only parking honours), else parking.
 */
enum sched_mode {
	SCHED_MODE_OFF,
	SCHED_MODE_AUTO,
	SCHED_MODE_CGROUP,
	SCHED_MODE_PARK,
};

/* "off", "auto", "cgroup", "park". */
const char *sched_mode_name(enum sched_mode mode);
/* The same back ("on" too, for auto); -1 with err_set() if none. */
int sched_mode_parse(const char *text, enum sched_mode *mode);

/* Most host CPUs --host-cpus takes. */
#define GROUP_MAX_HOST_CPUS 65536

/* What the VMs of one run share: the host's CPUs, memory and time. */
struct group_config {
	unsigned int host_cpus; /* 0: the host's online CPUs */
	uint64_t host_memory; /* bytes; 0: MemAvailable less reserve */
	unsigned int overcommit_milli; /* vCPUs per host CPU x 1000 */
	uint64_t period_ns; /* scheduling period */
	enum sched_mode sched; /* share-based scheduling (default auto) */
	bool json; /* kvmux plan --json */
	bool quiet, verbose; /* kvmux's own messages: errors only; or more */
	const char *result; /* --result FILE; NULL: none */
	/* Copies of strings this config owns, freed by run_request_free(). */
	struct config_strings *strings;
};

#define GROUP_DEFAULT_PERIOD_NS 100000000ULL /* 100 ms */

void group_config_init(struct group_config *group);

/* One "kvmux run": one VM, or several sharing the host as a group. */
struct run_request {
	struct vm_config *vm; /* nr_vms entries, in command-line order */
	unsigned int nr_vms;
	struct group_config group;
};

/* Free the VMs of req and the strings they own. */
void run_request_free(struct run_request *req);

#endif
