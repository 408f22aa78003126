// SPDX-License-Identifier: GPL-2.0-only
/*
 * board.c - one VM with its devices, from a vm_config (kvmux/board.h).
 *
 * Order matters for the error a user sees first: input files are checked
 * before /dev/kvm is opened (bad usage wins over a missing KVM), and the
 * device tree is built last, from everything the devices registered.
 */
#include <fcntl.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kvmux/acpi.h"
#include "kvmux/board.h"
#include "kvmux/boot.h"
#include "kvmux/console_sink.h"
#include "kvmux/device.h"
#include "kvmux/diag.h"
#include "kvmux/event_loop.h"
#include "kvmux/error.h"
#include "kvmux/exit_status.h"
#include "kvmux/fd_release.h"
#include "kvmux/fdt.h"
#include "kvmux/line_match.h"
#include "kvmux/mptable.h"
#include "kvmux/multiboot.h"
#include "kvmux/thread.h"
#include "kvmux/vcpu.h"

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
		.vm = { .fd = -1, .stop_fd = -1, .watch_fd = -1 },
	};
	snprintf(b->reason, sizeof(b->reason), "%s",
		 vm_stop_reason_name(VM_RUNNING));
}

/* The guest's text in a stop's one line: control bytes shown as '?'. */
static void printable(const char *text, char *buf, size_t size)
{
	size_t n = 0;

	for (; *text && n + 4 < size; text++) {
		unsigned char c = *text;

		buf[n++] = c < 0x20 || c == 0x7f ? '?' : c;
	}
	if (*text)
		n += snprintf(buf + n, size - n, "...");
	buf[n] = '\0';
}

/* A console line matched --fail-on: the run ends with 123, saying it.
 * A last line without its newline is matched when the console ends,
 * after the guest's own end (its exit, say), which it then replaces:
 * its bytes came first. */
static void on_fail_line(void *opaque, const char *pattern, const char *line)
{
	struct board *b = opaque;
	char shown_pattern[64], shown_line[160];

	printable(pattern, shown_pattern, sizeof(shown_pattern));
	printable(line, shown_line, sizeof(shown_line));
	vm_request_stop_before_guest_end(&b->vm, VM_STOP_FAIL_ON, 0,
					 "--fail-on '%s' matched: %s",
					 shown_pattern, shown_line);
}

/* One sink per console device: the same bytes to every output. */
static struct console_sink *make_sink(struct board *b,
				      const struct board_output *out)
{
	struct console_sink *sink = console_sink_new();
	unsigned int i;

	if (!sink)
		return NULL;
	for (i = 0; i < BOARD_OUTPUTS; i++)
		if (console_sink_add_output(sink, out[i].out, out[i].prefix,
					    out[i].timestamps ?
						    CONSOLE_SINK_TIMESTAMPS :
						    0) < 0)
			goto fail;
	if (b->fail_on &&
	    console_sink_fail_on(sink, b->fail_on, on_fail_line, b) < 0)
		goto fail;
	return sink;
fail:
	console_sink_destroy(sink);
	return NULL;
}

static int open_instance(struct board *b, const struct device_kind *kind,
			 unsigned int i, const struct board_output *out)
{
	struct board_device *d = &b->dev[b->nr_devs];

	if (b->nr_devs == BOARD_MAX_DEVICES)
		return err_host("more than %d devices", BOARD_MAX_DEVICES);
	*d = (struct board_device){ .kind = kind };
	if (kind->console) {
		d->sink = make_sink(b, out);
		if (!d->sink)
			return err_host("out of memory");
	}
	d->dev = kind->open(b->cfg, i);
	if (!d->dev) {
		console_sink_destroy(d->sink);
		return -1;
	}
	if (kind->console && !b->console)
		b->console = d;
	b->nr_devs++;
	return 0;
}

/* Every instance of every kind, before any VM exists. */
static int open_devices(struct board *b, const struct board_output *out)
{
	const struct device_kind *const *kind;
	unsigned int i, n;

	if (b->cfg->fail_on.nr) {
		b->fail_on = line_match_create(b->cfg->fail_on.item,
					       b->cfg->fail_on.nr);
		if (!b->fail_on)
			return -1;
	}
	for (kind = device_kinds; *kind; kind++) {
		n = device_count(*kind, b->cfg);
		for (i = 0; i < n; i++)
			if (open_instance(b, *kind, i, out) < 0)
				return -1;
	}
	return 0;
}

/* A module's string as QEMU gives it: the file name, then its arguments. */
static char *module_string(const struct module_config *m)
{
	char *s;

	if (!m->cmdline || !*m->cmdline)
		return strdup(m->path);
	return asprintf(&s, "%s %s", m->path, m->cmdline) < 0 ? NULL : s;
}

static int open_modules(struct board *b)
{
	const struct vm_config *cfg = b->cfg;

	for (; b->nr_modules < cfg->nr_modules; b->nr_modules++) {
		const struct module_config *m = &cfg->module[b->nr_modules];
		unsigned int i = b->nr_modules;

		b->module_string[i] = module_string(m);
		if (!b->module_string[i])
			return err_host("out of memory");
		if (host_file_open(m->path, "module", cfg->memory,
				   &b->module[i]) < 0) {
			b->nr_modules++; /* close_inputs() frees the string */
			return -1;
		}
	}
	return 0;
}

static int read_input(void *ctx, void *dst, uint64_t off, size_t len)
{
	return host_file_read(ctx, dst, off, len);
}

/*
 * What the loaders parse of the kernel image is read now (its headers
 * decide the command line); the rest of it, the initrd and modules are
 * only opened: the loaders read them straight into guest memory.
 */
static int open_inputs(struct board *b)
{
	const struct vm_config *cfg = b->cfg;

	/* Only the kernel's loadable segments must fit, not its file. */
	if (host_file_open(cfg->kernel, "kernel", UINT64_MAX, &b->kernel) < 0 ||
	    boot_image_read(read_input, &b->kernel, b->kernel.len, cfg->memory,
			    &b->kernel_image, &b->kernel_image_len) < 0)
		return -1;
	if (cfg->initrd &&
	    host_file_open(cfg->initrd, "initrd", cfg->memory, &b->initrd) < 0)
		return -1;
	return open_modules(b);
}

/* The loaders have copied what they need into guest memory. */
static void close_inputs(struct board *b)
{
	unsigned int i;

	boot_image_free(b->kernel_image, b->kernel_image_len);
	b->kernel_image = NULL;
	host_file_close(&b->kernel);
	host_file_close(&b->initrd);
	for (i = 0; i < b->nr_modules; i++) {
		host_file_close(&b->module[i]);
		free(b->module_string[i]);
		b->module_string[i] = NULL;
	}
	b->nr_modules = 0;
}

static int check_host_memory(const struct vm_config *cfg)
{
	uint64_t host = host_total_memory();

	if (cfg->memory > host)
		return err_host("--memory %llu MiB is more than this host's "
				"%llu MiB of RAM",
				(unsigned long long)(cfg->memory >> 20),
				(unsigned long long)(host >> 20));
	return 0;
}

/* What the devices get of the VM: they never see struct vm itself. */
static int env_irq_line(void *ctx, unsigned int gsi, bool level)
{
	return vm_irq_line(ctx, gsi, level);
}

static int env_irqfd(void *ctx, unsigned int gsi, int fd)
{
	return vm_irqfd(ctx, gsi, fd);
}

static void env_irqfd_raised(void *ctx, unsigned int gsi)
{
	vm_irqfd_raised(ctx, gsi);
}

static void env_set_irq_controller(void *ctx, const struct irq_controller *ic)
{
	vm_set_irq_controller(ctx, ic);
}

static void env_extint(void *ctx)
{
	vm_extint_raised(ctx);
}

static int env_msi(void *ctx, const struct msi_msg *msg)
{
	return vm_signal_msi(ctx, msg);
}

static int env_msi_routes(void *ctx, const struct msi_route *route,
			  unsigned int nr)
{
	return vm_set_msi_routes(ctx, route, nr);
}

static int env_ioeventfd(void *ctx, uint64_t addr, uint32_t value, int fd)
{
	return vm_ioeventfd(ctx, addr, value, fd);
}

static int env_watch(void *ctx, int fd, void (*fn)(void *opaque), void *opaque)
{
	/* The devices' ctx is the board's VM. */
	struct board *b =
		(struct board *)((char *)ctx - offsetof(struct board, vm));

	if (b->nr_watches == DEVICE_MAX_WATCHES)
		return err_host("more than %d device descriptors to watch",
				DEVICE_MAX_WATCHES);
	b->watch[b->nr_watches++] =
		(struct board_watch){ .fd = fd, .fn = fn, .opaque = opaque };
	return 0;
}

static void env_stop(void *ctx, enum vm_stop_reason reason, int value,
		     const char *detail)
{
	vm_request_stop(ctx, reason, value, "%s", detail);
}

static void env_note(void *ctx, const char *msg)
{
	struct vm *vm = ctx;

	diag("%s: %s", vm->name, msg);
}

static int attach_devices(struct board *b)
{
	struct device_env env = {
		.vm_name = b->cfg->name,
		.pio = &b->vm.pio,
		.mmio = &b->vm.mmio,
		.mem = &b->vm.mem,
		.platform = &b->platform,
		.ctx = &b->vm,
		.irq_line = env_irq_line,
		.irqfd = env_irqfd,
		.irqfd_raised = env_irqfd_raised,
		.set_irq_controller = env_set_irq_controller,
		.extint = env_extint,
		.msi = env_msi,
		.msi_routes = env_msi_routes,
		.ioeventfd = env_ioeventfd,
		.watch = env_watch,
		.stop = env_stop,
		.note = env_note,
	};
	unsigned int i;

	for (i = 0; i < b->nr_devs; i++) {
		env.console = b->dev[i].sink;
		if (b->dev[i].kind->attach(b->dev[i].dev, &env) < 0)
			return -1;
	}
	return 0;
}

/*
 * The device tree describes what boot_load() and the devices set up, so it
 * is built last; --dump-dtb writes the very blob the guest would get.  A
 * multiboot kernel gets it (as a module "dtb") only when there are virtio
 * devices to find: otherwise its module list is exactly QEMU's.
 */
static int attach_dtb(struct board *b, struct boot_entry *entry,
		      const char *cmdline)
{
	struct fdt_info info = {
		.bootargs = cmdline,
		.initrd_gpa = entry->initrd_gpa,
		.initrd_size = entry->initrd_size,
	};
	bool hand_over =
		entry->kind != IMAGE_MULTIBOOT || b->platform.nr_virtio;
	void *dtb;
	size_t len;
	int rc = 0;

	if (!hand_over && !b->cfg->dump_dtb)
		return 0;
	if (fdt_build(&b->platform, &b->vm.layout, &info, &dtb, &len) < 0)
		return -1;
	if (hand_over)
		rc = boot_attach_dtb(&b->vm.mem, entry, dtb, len);
	if (!rc && b->cfg->dump_dtb)
		rc = host_write_file(b->cfg->dump_dtb, "--dump-dtb", dtb, len);
	free(dtb);
	return rc;
}

/*
 * Linux and PVH kernels get kvmux's virtio_mmio.device= entries appended; a
 * multiboot kernel gets the line as QEMU builds it, and nothing more.
 */
static int kernel_cmdline(struct board *b, char **cmdline)
{
	if (image_detect(b->kernel_image, b->kernel.len) == IMAGE_MULTIBOOT)
		return multiboot_cmdline(b->cfg->kernel, b->cfg->cmdline,
					 cmdline);
	return platform_cmdline(&b->platform, b->cfg->cmdline, cmdline);
}

static void module_files(struct board *b, struct boot_files *f,
			 struct boot_module *mods)
{
	unsigned int i;

	for (i = 0; i < b->nr_modules; i++)
		mods[i] = (struct boot_module){
			.len = b->module[i].len,
			.read = read_input,
			.ctx = &b->module[i],
			.string = b->module_string[i],
		};
	f->modules = mods;
	f->nr_modules = b->nr_modules;
}

/* The RSDP is also handed to the kernel directly: it need not scan. */
static int write_acpi(struct board *b, struct boot_entry *entry)
{
	uint64_t rsdp;

	if (acpi_install(&b->vm.mem, &b->platform, &entry->mem, &rsdp) < 0)
		return -1;
	return boot_set_rsdp(&b->vm.mem, entry, rsdp);
}

/* --verbose: every range of a bus, with what decodes it. */
static void describe_bus(const char *name, const char *what,
			 const struct bus *bus)
{
	unsigned int i;

	for (i = 0; i < bus->nr_ranges; i++)
		diag_verbose("%s: %s: 0x%llx-0x%llx %s", name, what,
			     (unsigned long long)bus->range[i].base,
			     (unsigned long long)(bus->range[i].base +
						  bus->range[i].len - 1),
			     bus->range[i].name);
}

/* --verbose: what the guest gets, before it runs. */
static void describe(const struct board *b, const struct boot_entry *entry)
{
	const struct mem_layout *l = &b->vm.layout;
	const struct platform *p = &b->platform;
	const char *name = b->cfg->name;
	unsigned int i;

	for (i = 0; i < l->nr_ranges; i++)
		diag_verbose("%s: memory map: 0x%09llx-0x%09llx %s", name,
			     (unsigned long long)l->range[i].addr,
			     (unsigned long long)(l->range[i].addr +
						  l->range[i].size - 1),
			     l->range[i].type == MEM_RAM ? "RAM" : "reserved");
	diag_verbose("%s: %u vCPU%s, ACPI %s, irqchip %s, PIT %s", name,
		     p->nr_cpus, p->nr_cpus == 1 ? "" : "s",
		     b->cfg->acpi ? "on" : "off",
		     b->cfg->irqchip == IRQCHIP_SPLIT ? "split" : "kernel",
		     b->vm.has_pit		     ? "KVM's, IRQ 0" :
		     vm_config_pit(b->cfg) == PIT_ON ? "kvmux's, IRQ 0" :
						       "off");
	for (i = 0; i < b->nr_devs; i++)
		diag_verbose("%s: device %u: %s%s", name, i,
			     b->dev[i].kind->name,
			     &b->dev[i] == b->console ? " (the console)" : "");
	for (i = 0; i < p->nr_isa; i++)
		diag_verbose("%s: ISA %s: ports 0x%x-0x%x, IRQ %u", name,
			     p->isa[i].name, p->isa[i].port,
			     p->isa[i].port + p->isa[i].nr_ports - 1,
			     p->isa[i].irq);
	describe_bus(name, "port I/O", &b->vm.pio); /* KVM's ports too */
	describe_bus(name, "MMIO", &b->vm.mmio);
	for (i = 0; i < p->nr_virtio; i++)
		diag_verbose("%s: virtio-mmio window: 0x%llx-0x%llx, IRQ %u",
			     name, (unsigned long long)p->virtio[i].base,
			     (unsigned long long)(p->virtio[i].base +
						  p->virtio[i].size - 1),
			     p->virtio[i].irq);
	for (i = 0; i < entry->mem.nr; i++)
		diag_verbose("%s: at boot: 0x%09llx-0x%09llx %s", name,
			     (unsigned long long)entry->mem.region[i].addr,
			     (unsigned long long)(entry->mem.region[i].addr +
						  entry->mem.region[i].size -
						  1),
			     entry->mem.region[i].what);
	diag_verbose("%s: entry: %s kernel at 0x%llx in %s", name,
		     image_kind_name(entry->kind),
		     (unsigned long long)entry->cpu.rip,
		     entry->cpu.mode == BOOT_LONG64 ?
			     "64-bit mode" :
			     "32-bit flat protected mode");
}

static int load_kernel(struct board *b)
{
	struct boot_module mods[CONFIG_MAX_MODULES];
	struct boot_files files = {
		.kernel = b->kernel_image,
		.kernel_len = b->kernel.len,
		.kernel_read = read_input,
		.kernel_ctx = &b->kernel,
		.kernel_name = b->cfg->kernel,
		.initrd = {
			.len = b->initrd.len, /* 0: none */
			.read = read_input,
			.ctx = &b->initrd,
			.string = b->cfg->initrd,
		},
	};
	struct boot_entry entry;
	char *cmdline;
	int rc;

	if (kernel_cmdline(b, &cmdline) < 0)
		return -1;
	files.cmdline = cmdline;
	module_files(b, &files, mods);
	rc = boot_load(&b->vm.mem, &b->vm.layout, &files, &entry);
	if (!rc)
		rc = mptable_write(&b->vm.mem, &b->platform, &entry.mem);
	if (!rc && b->cfg->acpi)
		rc = write_acpi(b, &entry);
	if (!rc)
		rc = attach_dtb(b, &entry, cmdline);
	free(cmdline);
	if (rc < 0)
		return -1;
	if (diag_wants(DIAG_VERBOSE))
		describe(b, &entry);
	return vcpu_set_boot_state(b->vm.vcpu[0], &entry.cpu);
}

int board_prepare(struct board *b, const struct board_output out[BOARD_OUTPUTS])
{
	const struct vm_config *cfg = b->cfg;
	int rc = -1;

	if (open_devices(b, out) < 0 || open_inputs(b) < 0 ||
	    check_host_memory(cfg) < 0 ||
	    kvm_sys_open(&b->kvm, cfg->kvm_device) < 0)
		goto out;
	if (cfg->cpus > (unsigned int)b->kvm.max_vcpus) {
		err_set("--cpus %u is more than this host's KVM allows (%d)",
			cfg->cpus, b->kvm.max_vcpus);
		goto out;
	}
	platform_init(&b->platform, cfg->cpus);
	if (vm_create(&b->vm, &b->kvm, cfg->name, cfg->memory, cfg->cpus,
		      cfg->irqchip == IRQCHIP_SPLIT) < 0)
		goto out;
	b->vm.close_fds = fd_release_close; /* KVM's slow part after exit */
	if ((vm_config_pit(cfg) == PIT_KVM && vm_create_pit(&b->vm) < 0) ||
	    attach_devices(b) < 0)
		goto out;
	rc = load_kernel(b);
out:
	close_inputs(b);
	return rc < 0 ? err_status() : 0;
}

int board_start(struct board *b)
{
	unsigned int i;

	b->start_ns = now_ns();
	b->started = true;
	for (i = 0; i < b->nr_devs; i++)
		if (b->dev[i].sink)
			console_sink_set_epoch(b->dev[i].sink, b->start_ns);
	for (i = 0; i < b->nr_devs; i++)
		if (b->dev[i].kind->start &&
		    b->dev[i].kind->start(b->dev[i].dev) < 0)
			return -1;
	return vm_start(&b->vm);
}

static void on_input_room(void *opaque)
{
	stdio_console_room(opaque);
}

/* Ctrl-A x: as SIGINT, which names the grace it cuts short. */
static void stop_from_keys(void *opaque)
{
	struct board *b = opaque;
	const char *why = "stopped from the console (Ctrl-A x)";

	if (b->shutdown_pending)
		board_cut_grace(b, SIGINT, why);
	else
		vm_request_stop(&b->vm, VM_STOP_SIGNAL, SIGINT, "%s", why);
}

static void watch_ready(void *opaque, int fd, uint32_t events)
{
	struct board_watch *w = opaque;

	(void)fd;
	(void)events;
	w->fn(w->opaque);
}

int board_watch(struct board *b, struct event_loop *loop)
{
	unsigned int i;

	for (i = 0; i < b->nr_watches; i++)
		if (event_loop_add(loop, b->watch[i].fd, EPOLLIN, watch_ready,
				   &b->watch[i]) < 0)
			return -1;
	return 0;
}

void board_unwatch(struct board *b, struct event_loop *loop)
{
	unsigned int i;

	for (i = 0; i < b->nr_watches; i++)
		event_loop_remove(loop, b->watch[i].fd);
}

int board_attach_stdin(struct board *b, struct event_loop *loop)
{
	struct stdio_console *con = &b->stdin_console;
	const struct console_device_ops *ops;

	if (b->cfg->console_target != CONSOLE_TO_STDIO || !b->console)
		return stdio_console_attach_keys(con, loop, stop_from_keys, b);
	ops = b->console->kind->console;
	ops->on_input_room(b->console->dev, on_input_room, con);
	return stdio_console_attach(con, loop, ops->input, b->console->dev,
				    stop_from_keys, b);
}

/* A thread missed its bound: never free what it may touch (exit() will). */
static void left_running(struct board *b, const char *what)
{
	b->stuck = true;
	diag("%s: %s did not stop within %llu s; left to the end of the "
	     "process",
	     b->cfg->name, what,
	     (unsigned long long)(THREAD_JOIN_TIMEOUT_NS / 1000000000));
}

/* Stop every thread of the VM, each with the same bound. */
static void stop_threads(struct board *b)
{
	uint64_t deadline = thread_now_ns() + THREAD_JOIN_TIMEOUT_NS;
	unsigned int i;

	if (vm_join(&b->vm, deadline) < 0)
		left_running(b, "a vCPU thread");
	for (i = 0; i < b->nr_devs; i++)
		if (b->dev[i].kind->stop &&
		    b->dev[i].kind->stop(b->dev[i].dev, deadline) < 0)
			left_running(b, b->dev[i].kind->name);
}

/*
 * The ending's stderr line and the summary's word for it.  The guest's own
 * endings need no line: its console said it.  A power-off after the host
 * pressed the power button is a stop on request: it is named, with its
 * cause ("poweroff/SIGTERM"), so it cannot pass for the guest's own.
 */
static void report_stop(struct board *b, const struct vm_stop *stop)
{
	const char *name = vm_stop_reason_name(stop->reason);
	const char *cause = b->shutdown.cause;

	snprintf(b->reason, sizeof(b->reason), "%s", name);
	if (stop->reason == VM_STOP_POWER_OFF && b->shutdown_pending) {
		snprintf(b->reason, sizeof(b->reason), "%s/%s", name,
			 cause + strspn(cause, "-"));
		diag_info("%s: %s: powered off after the power button (%s)",
			  b->cfg->name, name, cause);
	} else if (stop->reason == VM_STOP_HOST_FAILURE ||
		   stop->reason == VM_STOP_CRASHED) {
		diag("%s: %s: %s", b->cfg->name, name,
		     stop->detail); /* errors */
	} else if (stop->reason != VM_STOP_GUEST_EXIT &&
		   stop->reason != VM_STOP_HALTED &&
		   stop->reason != VM_STOP_POWER_OFF) {
		diag_info("%s: %s: %s", b->cfg->name, name, stop->detail);
	}
}

/*
 * At stop: what the console device still holds goes to the host after
 * all, past streams that are full (they keep it for the drain).  Not if
 * a thread of this VM missed its stop: it may still be in the device.
 */
static void hand_over(struct board_device *d, bool stuck)
{
	const struct console_device_ops *ops = d->kind->console;

	if (ops && d->sink && !stuck) {
		console_sink_last(d->sink);
		if (ops->hand_over)
			ops->hand_over(d->dev);
	}
	console_sink_flush(d->sink);
}

int board_finish(struct board *b)
{
	struct vm_stop stop;
	unsigned int i;

	stop_threads(b);
	b->end_ns = now_ns();
	for (i = 0; i < b->vm.nr_vcpus; i++)
		b->cpu_ns += b->vm.vcpu[i]->cpu_ns_at_exit;
	for (i = 0; i < b->nr_devs; i++)
		hand_over(&b->dev[i], b->stuck);
	b->finished = true;
	stop = vm_stop_status(&b->vm);
	report_stop(b, &stop);
	if (b->cfg->stats)
		board_print_stats(b);
	return exit_status_for(stop.reason, stop.value);
}

uint64_t board_undelivered(struct board *b, unsigned int output)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < b->nr_devs; i++) {
		const struct console_device_ops *ops = b->dev[i].kind->console;

		if (!ops)
			continue;
		n += console_sink_pending(b->dev[i].sink, output);
		if (ops->undelivered)
			n += ops->undelivered(b->dev[i].dev);
	}
	return n;
}

uint64_t board_console_bytes(struct board *b)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < b->nr_devs; i++)
		n += console_sink_bytes(b->dev[i].sink);
	return n;
}

void board_exits(struct board *b, uint64_t *kvmux, uint64_t *kvm)
{
	unsigned int i;

	*kvmux = *kvm = 0;
	for (i = 0; i < b->vm.nr_vcpus; i++) {
		const struct vcpu_stats *s = &b->vm.vcpu[i]->stats;

		*kvmux += s->io + s->mmio + s->intr + s->other;
		*kvm += vcpu_kvm_exits(b->vm.vcpu[i]);
	}
}

int board_power_button(struct board *b)
{
	unsigned int i;
	int rc;

	for (i = 0; i < b->nr_devs; i++) {
		if (!b->dev[i].kind->event)
			continue;
		rc = b->dev[i].kind->event(b->dev[i].dev,
					   DEVICE_EVENT_POWER_BUTTON);
		if (rc)
			return rc < 0 ? -1 : 0;
	}
	return err_set("%s has no ACPI power button (--acpi off)",
		       b->cfg->name);
}

/* A duration for messages: "5 s", "1500 ms". */
static void format_ms(char *buf, size_t size, uint64_t ms)
{
	if (ms % 1000)
		snprintf(buf, size, "%llu ms", (unsigned long long)ms);
	else
		snprintf(buf, size, "%llu s", (unsigned long long)(ms / 1000));
}

bool board_shutdown(struct board *b, const struct board_stop *stop)
{
	char grace[32];

	if (!b->started || b->finished || b->shutdown_pending ||
	    vm_stopping(&b->vm))
		return false;
	/* Without ACPI there is no button to press: nothing to wait for. */
	if (!b->cfg->shutdown_grace_ms || !b->cfg->acpi ||
	    board_power_button(b) < 0) {
		if (b->cfg->shutdown_grace_ms && b->cfg->acpi)
			diag("%s: %s", b->cfg->name, err_msg());
		vm_request_stop(&b->vm, stop->reason, stop->value, "%s",
				stop->why);
		return false;
	}
	b->shutdown = *stop;
	b->shutdown_pending = true;
	format_ms(grace, sizeof(grace), b->cfg->shutdown_grace_ms);
	diag_info("%s: %s: power button pressed; the guest has %s to power off",
		  b->cfg->name, stop->cause, grace);
	return true;
}

void board_end_grace(struct board *b, const char *note)
{
	char grace[32], over[96];

	if (!b->shutdown_pending)
		return;
	if (!note) {
		format_ms(grace, sizeof(grace), b->cfg->shutdown_grace_ms);
		snprintf(over, sizeof(over),
			 "the guest did not power off within its shutdown "
			 "grace of %s",
			 grace);
		note = over;
	}
	vm_request_stop(&b->vm, b->shutdown.reason, b->shutdown.value, "%s; %s",
			b->shutdown.why, note);
}

void board_cut_grace(struct board *b, int sig, const char *why)
{
	vm_request_stop(&b->vm, VM_STOP_SIGNAL, sig,
			"%s; it cut short the shutdown grace that %s began",
			why, b->shutdown.cause);
}

void board_print_stats(struct board *b)
{
	unsigned int i;

	for (i = 0; i < b->vm.nr_vcpus; i++) {
		const struct vcpu_stats *s = &b->vm.vcpu[i]->stats;

		diag("%s: vCPU %u exits to kvmux: io %llu mmio %llu intr %llu "
		     "other %llu; exits in all (KVM): %llu",
		     b->cfg->name, i, (unsigned long long)s->io,
		     (unsigned long long)s->mmio, (unsigned long long)s->intr,
		     (unsigned long long)s->other,
		     (unsigned long long)vcpu_kvm_exits(b->vm.vcpu[i]));
	}
}

/* Devices go before guest memory: their threads touch it. */
static void destroy_devices(struct board *b)
{
	while (b->nr_devs) {
		struct board_device *d = &b->dev[--b->nr_devs];

		d->kind->destroy(d->dev);
		console_sink_destroy(d->sink);
	}
	b->console = NULL;
}

void board_teardown(struct board *b)
{
	stdio_console_detach(&b->stdin_console);
	if (b->stuck)
		return; /* a live thread may still use all of it */
	destroy_devices(b);
	line_match_free(b->fail_on);
	b->fail_on = NULL;
	if (b->vm.fd >= 0 || b->vm.stop_fd >= 0)
		vm_destroy(&b->vm);
	if (b->kvm.fd >= 0)
		kvm_sys_close(&b->kvm);
}
