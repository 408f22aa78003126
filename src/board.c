// SPDX-License-Identifier: GPL-2.0-only
/*
 * board.c - one VM with its devices, from a vm_config (kvmux/board.h).
 *
 * Order matters for the error a user sees first: input files are checked
 * before /dev/kvm is opened (bad usage wins over a missing KVM), and the
 * device tree is built last, from everything the devices registered.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "kvmux/acpi.h"
#include "kvmux/acpi_ged.h"
#include "kvmux/acpi_hw.h"
#include "kvmux/acpi_pm.h"
#include "kvmux/board.h"
#include "kvmux/boot.h"
#include "kvmux/console_sink.h"
#include "kvmux/error.h"
#include "kvmux/exit_status.h"
#include "kvmux/fdt.h"
#include "kvmux/legacy.h"
#include "kvmux/pvpanic.h"
#include "kvmux/serial8250.h"
#include "kvmux/vcpu.h"
#include "kvmux/virtio_blk.h"
#include "kvmux/virtio_console.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

void board_init(struct board *b, const struct vm_config *cfg)
{
	*b = (struct board){
		.cfg = cfg,
		.kvm = { .fd = -1 },
		.vm = { .fd = -1, .stop_fd = -1 },
		.console_fd = -1,
		.timeout_fd = -1,
	};
}

static int open_console_output(struct board *b, const char *prefix)
{
	const struct vm_config *cfg = b->cfg;

	if (cfg->console_target == CONSOLE_TO_STDIO) {
		b->console_fd = STDOUT_FILENO;
	} else if (cfg->console_target == CONSOLE_TO_FILE) {
		b->console_fd =
			open(cfg->console_file,
			     O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (b->console_fd < 0)
			return err_set_errno("cannot open console log %s",
					     cfg->console_file);
		prefix = NULL; /* a VM's own log needs no prefix */
	}
	b->sink = console_sink_create(b->console_fd, prefix);
	return b->sink ? 0 : err_set("out of memory");
}

static int open_disks(struct board *b)
{
	const struct vm_config *cfg = b->cfg;

	for (b->nr_disks = 0; b->nr_disks < cfg->nr_disks; b->nr_disks++) {
		b->disk[b->nr_disks] = virtio_blk_open(&cfg->disk[b->nr_disks]);
		if (!b->disk[b->nr_disks])
			return -1;
	}
	return 0;
}

static int read_inputs(struct board *b, const char *prefix)
{
	const struct vm_config *cfg = b->cfg;

	if (open_disks(b) < 0 || open_console_output(b, prefix) < 0)
		return -1;
	if (host_read_file(cfg->kernel, "kernel", cfg->memory, &b->kernel,
			   &b->kernel_len) < 0)
		return -1;
	if (cfg->initrd && host_read_file(cfg->initrd, "initrd", cfg->memory,
					  &b->initrd, &b->initrd_len) < 0)
		return -1;
	return 0;
}

static int check_host_memory(const struct vm_config *cfg)
{
	uint64_t host = host_total_memory();

	if (cfg->memory > host)
		return err_set("--memory %llu MiB is more than this host's "
			       "%llu MiB of RAM",
			       (unsigned long long)(cfg->memory >> 20),
			       (unsigned long long)(host >> 20));
	return 0;
}

static int create_virtio_devices(struct board *b)
{
	unsigned int i;

	if (b->cfg->console == CONSOLE_VIRTIO) {
		b->virtio_console =
			virtio_console_create(&b->vm, &b->platform, b->sink);
		if (!b->virtio_console)
			return -1;
	}
	for (i = 0; i < b->nr_disks; i++)
		if (virtio_blk_attach(b->disk[i], &b->vm, &b->platform) < 0)
			return -1;
	return 0;
}

/* What the ACPI devices and pvpanic may do, wired to this VM. */
static void board_stop(void *ctx, enum vm_stop_reason reason, int value,
		       const char *detail)
{
	struct board *b = ctx;

	vm_request_stop(&b->vm, reason, value, "%s", detail);
}

static void board_note(void *ctx, const char *msg)
{
	struct board *b = ctx;

	fprintf(stderr, "kvmux: %s: %s\n", b->cfg->name, msg);
}

static int board_irq(void *ctx, unsigned int gsi, bool level)
{
	struct board *b = ctx;

	return vm_irq_line(&b->vm, gsi, level);
}

/* pvpanic is there either way; ACPI only tells the guest where. */
static int create_acpi_devices(struct board *b)
{
	const struct dev_stop stop = { board_stop, board_note, b };
	const struct irq_line ged_irq = { board_irq, b, ACPI_GED_GSI };

	b->pvpanic = pvpanic_create(&b->vm.pio, PVPANIC_PORT, &stop);
	if (!b->pvpanic)
		return -1;
	platform_add_pvpanic(&b->platform, PVPANIC_PORT);
	if (!b->cfg->acpi)
		return 0;
	b->acpi_pm = acpi_pm_create(&b->vm.pio, &stop);
	b->acpi_ged = acpi_ged_create(&b->vm.pio, ACPI_GED_PORT, &ged_irq);
	if (!b->acpi_pm || !b->acpi_ged)
		return -1;
	platform_add_ged(&b->platform, ACPI_GED_PORT, ACPI_GED_GSI);
	return 0;
}

int board_power_button(struct board *b)
{
	if (!b->acpi_ged)
		return err_set("%s has no ACPI power button (--acpi off)",
			       b->cfg->name);
	return acpi_ged_raise(b->acpi_ged, ACPI_GED_EVT_POWER_BUTTON);
}

static int create_devices(struct board *b)
{
	/* The UART keeps printing even when the console is virtio: early
	 * boot messages (earlyprintk) only know the UART. */
	b->uart = serial8250_create(&b->vm, SERIAL_COM1_BASE, SERIAL_COM1_IRQ,
				    b->sink);
	if (!b->uart)
		return -1;
	if (platform_add_isa(&b->platform, "serial", SERIAL_COM1_BASE, 8,
			     SERIAL_COM1_IRQ) < 0)
		return -1;
	b->kbc = i8042_create(&b->vm);
	if (!b->kbc || debug_exit_create(&b->vm) < 0 ||
	    create_acpi_devices(b) < 0)
		return -1;
	return create_virtio_devices(b);
}

/*
 * The device tree describes what boot_load() and the devices set up, so it
 * is built last; --dump-dtb writes the very blob the guest would get.
 */
static int attach_dtb(struct board *b, const struct boot_entry *entry,
		      const char *cmdline)
{
	struct fdt_info info = {
		.bootargs = cmdline,
		.initrd_gpa = entry->initrd_gpa,
		.initrd_size = entry->initrd_size,
	};
	void *dtb;
	size_t len;
	int rc;

	if (fdt_build(&b->platform, &b->vm.layout, &info, &dtb, &len) < 0)
		return -1;
	rc = boot_attach_dtb(&b->vm.mem, entry, dtb, len);
	if (!rc && b->cfg->dump_dtb)
		rc = host_write_file(b->cfg->dump_dtb, "--dump-dtb", dtb, len);
	free(dtb);
	return rc;
}

/*
 * The tables go to the temporary place in the BIOS area (platform.h)
 * until the boot structures are placed dynamically; the RSDP is also
 * handed to the kernel directly, so it need not scan.
 */
static int write_acpi(struct board *b, const struct boot_entry *entry)
{
	if (acpi_write(&b->vm.mem, &b->platform, ACPI_TMP_RSDP_ADDR,
		       ACPI_TMP_TABLES_ADDR, ACPI_TMP_TABLES_MAX) < 0)
		return -1;
	return boot_set_rsdp(&b->vm.mem, entry, ACPI_TMP_RSDP_ADDR);
}

static int load_kernel(struct board *b)
{
	struct boot_files files = {
		.kernel = b->kernel,
		.kernel_len = b->kernel_len,
		.initrd = b->initrd,
		.initrd_len = b->initrd_len,
	};
	struct boot_entry entry;
	char *cmdline;
	int rc;

	if (platform_cmdline(&b->platform, b->cfg->cmdline, &cmdline) < 0)
		return -1;
	files.cmdline = cmdline;
	rc = boot_load(&b->vm.mem, &b->vm.layout, &files, &entry);
	if (!rc)
		rc = mptable_write(&b->vm.mem, &b->platform);
	if (!rc && b->cfg->acpi)
		rc = write_acpi(b, &entry);
	if (!rc)
		rc = attach_dtb(b, &entry, cmdline);
	free(cmdline);
	if (rc < 0)
		return -1;
	return vcpu_set_boot_state(b->vm.vcpu[0], &entry);
}

int board_prepare(struct board *b, const char *prefix)
{
	const struct vm_config *cfg = b->cfg;

	if (read_inputs(b, prefix) < 0)
		return EXIT_BAD_USAGE;
	if (check_host_memory(cfg) < 0 ||
	    kvm_sys_open(&b->kvm, cfg->kvm_device) < 0)
		return EXIT_HOST_FAILURE;
	if (cfg->cpus > (unsigned int)b->kvm.max_vcpus) {
		err_set("--cpus %u is more than this host's KVM allows (%d)",
			cfg->cpus, b->kvm.max_vcpus);
		return EXIT_BAD_USAGE;
	}
	platform_init(&b->platform, cfg->cpus);
	if (vm_create(&b->vm, &b->kvm, cfg->name, cfg->memory, cfg->cpus) < 0 ||
	    create_devices(b) < 0)
		return EXIT_HOST_FAILURE;
	if (load_kernel(b) < 0)
		return EXIT_BAD_USAGE;
	return 0;
}

int board_start(struct board *b)
{
	unsigned int i;

	b->start_ns = now_ns();
	if (b->virtio_console && virtio_console_start(b->virtio_console) < 0)
		return -1;
	for (i = 0; i < b->nr_disks; i++)
		if (virtio_blk_start(b->disk[i]) < 0)
			return -1;
	return vm_start(&b->vm);
}

static size_t uart_input(void *opaque, const uint8_t *buf, size_t len)
{
	return serial8250_receive(opaque, buf, len);
}

int board_attach_stdin(struct board *b, struct event_loop *loop)
{
	if (b->cfg->console_target != CONSOLE_TO_STDIO)
		return 0;
	if (b->virtio_console)
		return stdio_console_attach(&b->stdin_console, loop, &b->vm,
					    virtio_console_input,
					    b->virtio_console);
	return stdio_console_attach(&b->stdin_console, loop, &b->vm, uart_input,
				    b->uart);
}

int board_finish(struct board *b)
{
	struct vm_stop stop;
	unsigned int i;

	vm_join(&b->vm);
	b->end_ns = now_ns();
	for (i = 0; i < b->vm.nr_vcpus; i++)
		b->cpu_ns += b->vm.vcpu[i]->cpu_ns_at_exit;
	console_sink_flush(b->sink);
	b->finished = true;
	stop = vm_stop_status(&b->vm);
	/* Endings the guest chose itself need no explanation. */
	if (stop.reason != VM_STOP_GUEST_EXIT &&
	    stop.reason != VM_STOP_HALTED && stop.reason != VM_STOP_POWER_OFF)
		fprintf(stderr, "kvmux: %s: %s: %s\n", b->cfg->name,
			vm_stop_reason_name(stop.reason), stop.detail);
	if (b->cfg->stats)
		board_print_stats(b);
	return exit_status_for(stop.reason, stop.value);
}

void board_print_stats(struct board *b)
{
	unsigned int i;

	for (i = 0; i < b->vm.nr_vcpus; i++) {
		const struct vcpu_stats *s = &b->vm.vcpu[i]->stats;

		fprintf(stderr,
			"kvmux: %s: vCPU %u exits to kvmux: io %llu mmio %llu "
			"intr %llu other %llu; exits in all (KVM): %llu\n",
			b->cfg->name, i, (unsigned long long)s->io,
			(unsigned long long)s->mmio,
			(unsigned long long)s->intr,
			(unsigned long long)s->other,
			(unsigned long long)vcpu_kvm_exits(b->vm.vcpu[i]));
	}
}

/* Devices stop before guest memory goes: their threads touch it. */
static void destroy_devices(struct board *b)
{
	unsigned int i;

	virtio_console_destroy(b->virtio_console);
	b->virtio_console = NULL;
	for (i = 0; i < b->nr_disks; i++)
		virtio_blk_destroy(b->disk[i]);
	b->nr_disks = 0;
}

void board_teardown(struct board *b)
{
	if (b->timeout_fd >= 0)
		close(b->timeout_fd);
	destroy_devices(b);
	if (b->vm.fd >= 0 || b->vm.stop_fd >= 0)
		vm_destroy(&b->vm);
	serial8250_destroy(b->uart);
	i8042_destroy(b->kbc);
	pvpanic_destroy(b->pvpanic);
	acpi_pm_destroy(b->acpi_pm);
	acpi_ged_destroy(b->acpi_ged);
	console_sink_destroy(b->sink);
	if (b->console_fd > STDERR_FILENO)
		close(b->console_fd);
	if (b->kvm.fd >= 0)
		kvm_sys_close(&b->kvm);
	free(b->kernel);
	free(b->initrd);
}
