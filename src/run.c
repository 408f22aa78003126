// SPDX-License-Identifier: GPL-2.0-only
/*
 * run.c - the board: one VM with its devices, booted and watched.
 *
 * Order matters for the error a user sees first: input files are checked
 * before /dev/kvm is opened (bad usage wins over a missing KVM), and
 * privileges are dropped only after every file and device is open.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "kvmux/boot.h"
#include "kvmux/error.h"
#include "kvmux/event_loop.h"
#include "kvmux/host.h"
#include "kvmux/legacy.h"
#include "kvmux/platform.h"
#include "kvmux/run.h"
#include "kvmux/serial8250.h"
#include "kvmux/vcpu.h"
#include "kvmux/vm.h"

struct board {
	const struct vm_config *cfg;
	struct kvm_sys kvm;
	struct vm vm;
	struct event_loop loop;
	struct serial8250 *uart;
	struct i8042 *kbc;
	struct stdio_console console;
	struct platform platform;
	uint8_t *kernel, *initrd;
	size_t kernel_len, initrd_len;
	int signal_fd, timeout_fd, watch_fd;
};

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

static int report(int status)
{
	fprintf(stderr, "kvmux: %s\n", err_msg());
	return status;
}

static int read_inputs(struct board *b)
{
	const struct vm_config *cfg = b->cfg;

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

static size_t uart_input(void *opaque, const uint8_t *buf, size_t len)
{
	return serial8250_receive(opaque, buf, len);
}

static int create_devices(struct board *b)
{
	b->uart = serial8250_create(&b->vm, SERIAL_COM1_BASE, SERIAL_COM1_IRQ,
				    STDOUT_FILENO);
	if (!b->uart)
		return -1;
	if (platform_add_isa(&b->platform, "serial", SERIAL_COM1_BASE, 8,
			     SERIAL_COM1_IRQ) < 0)
		return -1;
	b->kbc = i8042_create(&b->vm);
	if (!b->kbc)
		return -1;
	return debug_exit_create(&b->vm);
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
	free(cmdline);
	if (rc < 0 || mptable_write(&b->vm.mem, &b->platform) < 0)
		return -1;
	return vcpu_set_boot_state(b->vm.vcpu[0], &entry);
}

static void on_signal(void *opaque, int fd, uint32_t events)
{
	struct board *b = opaque;
	struct signalfd_siginfo info;

	if (read(fd, &info, sizeof(info)) != sizeof(info))
		return;
	vm_request_stop(&b->vm, VM_STOP_SIGNAL, info.ssi_signo,
			"stopped by signal %u", info.ssi_signo);
}

static void on_timeout(void *opaque, int fd, uint32_t events)
{
	struct board *b = opaque;

	event_fd_drain(fd);
	vm_request_stop(&b->vm, VM_STOP_TIMEOUT, 0,
			"--timeout of %llu ms expired",
			(unsigned long long)b->cfg->timeout_ms);
}

static void on_watch(void *opaque, int fd, uint32_t events)
{
	struct board *b = opaque;

	event_fd_drain(fd);
	vm_watch_idle(&b->vm);
}

static void on_stop(void *opaque, int fd, uint32_t events)
{
	event_fd_drain(fd); /* the loop checks vm_stopping() */
}

static int block_stop_signals(sigset_t *set)
{
	size_t i;

	sigemptyset(set);
	for (i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		sigaddset(set, stop_signals[i]);
	if (pthread_sigmask(SIG_BLOCK, set, NULL))
		return err_set("cannot block signals");
	signal(SIGPIPE, SIG_IGN);
	return vcpu_signals_init();
}

static int watch_events(struct board *b)
{
	sigset_t set;

	if (block_stop_signals(&set) < 0 || event_loop_init(&b->loop) < 0)
		return -1;
	b->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	b->watch_fd = timer_fd_create(VM_IDLE_WATCH_MS, 1);
	if (b->signal_fd < 0 || b->watch_fd < 0)
		return err_set_errno("cannot create event descriptors");
	if (event_loop_add(&b->loop, b->signal_fd, EPOLLIN, on_signal, b) ||
	    event_loop_add(&b->loop, b->watch_fd, EPOLLIN, on_watch, b) ||
	    event_loop_add(&b->loop, b->vm.stop_fd, EPOLLIN, on_stop, b))
		return -1;
	if (b->cfg->timeout_ms) {
		b->timeout_fd = timer_fd_create(b->cfg->timeout_ms, 0);
		if (b->timeout_fd < 0 ||
		    event_loop_add(&b->loop, b->timeout_fd, EPOLLIN,
				   on_timeout, b) < 0)
			return -1;
	}
	return stdio_console_attach(&b->console, &b->loop, &b->vm, uart_input,
				    b->uart);
}

static void print_stats(struct board *b)
{
	unsigned int i;

	for (i = 0; i < b->vm.nr_vcpus; i++) {
		const struct vcpu_stats *s = &b->vm.vcpu[i]->stats;

		fprintf(stderr,
			"kvmux: vCPU %u exits: io %llu mmio %llu intr %llu "
			"other %llu\n",
			i, (unsigned long long)s->io,
			(unsigned long long)s->mmio,
			(unsigned long long)s->intr,
			(unsigned long long)s->other);
	}
}

static int wait_for_stop(struct board *b)
{
	struct vm_stop stop;

	while (!vm_stopping(&b->vm))
		if (event_loop_run_once(&b->loop, -1) < 0)
			vm_request_stop(&b->vm, VM_STOP_HOST_FAILURE, 0, "%s",
					err_msg());
	vm_join(&b->vm);
	stop = vm_stop_status(&b->vm);
	if (stop.reason != VM_STOP_GUEST_EXIT && stop.reason != VM_STOP_HALTED)
		fprintf(stderr, "kvmux: %s: %s: %s\n", b->cfg->name,
			vm_stop_reason_name(stop.reason), stop.detail);
	if (b->cfg->stats)
		print_stats(b);
	return exit_status_for(stop.reason, stop.value);
}

static int boot_and_wait(struct board *b)
{
	const struct vm_config *cfg = b->cfg;

	if (read_inputs(b) < 0)
		return report(EXIT_BAD_USAGE);
	if (check_host_memory(cfg) < 0 ||
	    kvm_sys_open(&b->kvm, cfg->kvm_device) < 0)
		return report(EXIT_HOST_FAILURE);
	if (cfg->cpus > (unsigned int)b->kvm.max_vcpus) {
		err_set("--cpus %u is more than this host's KVM allows (%d)",
			cfg->cpus, b->kvm.max_vcpus);
		return report(EXIT_BAD_USAGE);
	}
	platform_init(&b->platform, cfg->cpus);
	if (vm_create(&b->vm, &b->kvm, cfg->name, cfg->memory, cfg->cpus) < 0)
		return report(EXIT_HOST_FAILURE);
	if (create_devices(b) < 0)
		return report(EXIT_HOST_FAILURE);
	if (load_kernel(b) < 0)
		return report(EXIT_BAD_USAGE);
	if (watch_events(b) < 0 || host_drop_privileges() < 0 ||
	    vm_start(&b->vm) < 0) {
		vm_request_stop(&b->vm, VM_STOP_HOST_FAILURE, 0, "start");
		vm_join(&b->vm);
		return report(EXIT_HOST_FAILURE);
	}
	return wait_for_stop(b);
}

static void close_fd(int fd)
{
	if (fd >= 0)
		close(fd);
}

static void teardown(struct board *b)
{
	event_loop_free(&b->loop);
	close_fd(b->signal_fd);
	close_fd(b->timeout_fd);
	close_fd(b->watch_fd);
	if (b->vm.fd >= 0 || b->vm.stop_fd >= 0)
		vm_destroy(&b->vm);
	serial8250_destroy(b->uart);
	i8042_destroy(b->kbc);
	if (b->kvm.fd >= 0)
		kvm_sys_close(&b->kvm);
	free(b->kernel);
	free(b->initrd);
}

int run_vm(const struct vm_config *cfg)
{
	struct board b = {
		.cfg = cfg,
		.kvm = { .fd = -1 },
		.vm = { .fd = -1, .stop_fd = -1 },
		.loop = { .epfd = -1 },
		.signal_fd = -1,
		.timeout_fd = -1,
		.watch_fd = -1,
	};
	int status = boot_and_wait(&b);

	teardown(&b);
	return status;
}
