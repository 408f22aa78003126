// SPDX-License-Identifier: GPL-2.0-only
/*
 * run.c - the runner: the VMs of one "kvmux run", the event loop that
 * watches them (signals, timeouts, guests that stopped themselves), the
 * group's sizing and scheduler, and the summary.
 *
 * One VM runs attached to the terminal.  A group sizes its VMs with the
 * proportional plan (host/alloc.c), prefixes each console line with the
 * VM's name, lets a VM that stops (or crashes) end alone, and prints a
 * summary table when the last one has stopped.
 */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "kvmux/alloc.h"
#include "kvmux/board.h"
#include "kvmux/console_output.h"
#include "kvmux/diag.h"
#include "kvmux/error.h"
#include "kvmux/event_loop.h"
#include "kvmux/fd_release.h"
#include "kvmux/group_sched.h"
#include "kvmux/out_stream.h"
#include "kvmux/parallel.h"
#include "kvmux/privileges.h"
#include "kvmux/result.h"
#include "kvmux/run.h"
#include "kvmux/same_file.h"
#include "kvmux/sched_policy.h"
#include "kvmux/seccomp.h"
#include "kvmux/stdio_console.h"
#include "kvmux/term.h"
#include "kvmux/thread.h"
#include "kvmux/vcpu.h"

struct runner {
	unsigned int nr_vms;
	bool group;
	struct vm_config *cfg; /* per VM, sized by the plan */
	struct board *board;
	int *status;
	struct group_plan plan;
	bool have_plan;
	struct group_sched *sched; /* groups only */
	struct vm **sched_vms; /* what the scheduler sees: board[i].vm */
	uint64_t sched_cpu_ns;
	char sched_text[ERR_MSG_MAX + 32]; /* for the summary */
	struct vm_slot *slot; /* per VM */
	struct console_outputs *outputs;
	int *dest; /* per VM: its console's destination in outputs */
	int *log_dest; /* per VM: its --console-log's; -1: none */
	struct stdio_console keys; /* a group's escape keys */
	struct event_loop loop;
	int signal_fd, job_fd, watch_fd;
	int fg_watch_fd; /* timerfd: is kvmux in the foreground again? */
	uint64_t start_ns; /* when the run began (monotonic) */
	uint64_t watch_due_ns; /* when watch_fd expires (monotonic) */
	unsigned int running;
	char error[ERR_MSG_MAX + 64]; /* the first reason to give up, for
					 --result; "" if none */
	bool terminating; /* the first SIGTERM came: VMs got the button */
	struct host_user user; /* --user */
	bool release_started; /* the fd release helper runs (publishes) */
};

/* After the last VM stopped, console output gets this long to drain. */
#define CONSOLE_GRACE_NS 1000000000ULL /* 1 s */
/* How often a kvmux in the background looks whether fg brought it back. */
#define FOREGROUND_WATCH_MS 200
/* and kvmux's own messages at least this long. */
#define DIAG_GRACE_NS 200000000ULL

/* What one VM's stop and timer callbacks need. */
struct vm_slot {
	struct runner *r;
	unsigned int i;
	int timeout_fd; /* --timeout's timerfd; -1: none */
	int grace_fd; /* the shutdown grace's timerfd; -1: none */
};

/*
 * The signals that stop a run (128+N): every one whose default action
 * ends a process, but the faults (SIGSEGV, SIGBUS, SIGILL, SIGFPE,
 * SIGTRAP, SIGABRT, SIGSYS: kvmux's own), the two it ignores (SIGPIPE,
 * SIGXFSZ: a write error instead) and the real-time ones (the vCPU kick
 * is one, core/vcpu.c).  Caught, not left to their default action, so
 * that the result file, the terminal and the temporary files are dealt
 * with however the run is stopped.
 */
static const int stop_signals[] = {
	SIGHUP,	   SIGINT,  SIGQUIT,   SIGUSR1, SIGUSR2, SIGALRM, SIGTERM,
	SIGSTKFLT, SIGXCPU, SIGVTALRM, SIGPROF, SIGIO,	 SIGPWR,
};
/* stop_signals, less those ignored at the start (stops_when_ignored()) */
static sigset_t stop_set;
/* SIGTSTP, unless ignored at the start: blocked, read by the loop, and
 * turned into a stop that gives the terminal its mode back first; and
 * SIGCONT (which continues the process all the same), after which
 * kvmux's mode comes back if kvmux is the foreground job again. */
static sigset_t job_set;
static bool stop_set_blocked;

#define GROUP_WIDE (~0u) /* report() about the group, not one VM */

static int report(struct runner *r, unsigned int i, int status)
{
	if (r->group && i != GROUP_WIDE)
		snprintf(r->error, sizeof(r->error), "%s: %s", r->cfg[i].name,
			 err_msg());
	else
		snprintf(r->error, sizeof(r->error), "%s", err_msg());
	diag("%s", r->error);
	return status;
}

static void stop_all(struct runner *r, enum vm_stop_reason reason, int value,
		     const char *why)
{
	unsigned int i;

	for (i = 0; i < r->nr_vms; i++)
		if (r->board[i].started)
			vm_request_stop(&r->board[i].vm, reason, value, "%s",
					why);
}

/*
 * A stop signal (or what stands for one: Ctrl-A x, a reader gone) stops
 * every VM at once with 128+sig, one in its shutdown grace too, whatever
 * began the grace.
 */
static void stop_by_signal(struct runner *r, int sig, const char *why)
{
	unsigned int i;

	for (i = 0; i < r->nr_vms; i++) {
		struct board *b = &r->board[i];

		if (!b->started)
			continue;
		if (b->shutdown_pending)
			board_cut_grace(b, sig, why);
		else
			vm_request_stop(&b->vm, VM_STOP_SIGNAL, sig, "%s", why);
	}
}

/* Ctrl-A x on the terminal, in a group. */
static void stop_from_keys(void *opaque)
{
	stop_by_signal(opaque, SIGINT, "stopped from the console (Ctrl-A x)");
}

/* A console's reader went away: end as a Unix filter would (141). */
static void on_output_gone(void *opaque)
{
	stop_by_signal(opaque, SIGPIPE,
		       "the console's reader went away (EPIPE)");
}

static void on_grace_end(void *opaque, int fd, uint32_t events)
{
	struct vm_slot *slot = opaque;

	event_fd_drain(fd);
	board_end_grace(&slot->r->board[slot->i], NULL);
}

/* An orderly stop: the power button and a grace, or a stop at once. */
static void shutdown_vm(struct vm_slot *slot, const struct board_stop *stop)
{
	struct runner *r = slot->r;
	struct board *b = &r->board[slot->i];

	if (!board_shutdown(b, stop))
		return;
	slot->grace_fd = timer_fd_create(b->cfg->shutdown_grace_ms, 0);
	if (slot->grace_fd < 0 ||
	    event_loop_add(&r->loop, slot->grace_fd, EPOLLIN, on_grace_end,
			   slot) < 0)
		board_end_grace(b, err_msg());
}

/* SIGTERM asks each VM for an orderly stop (kvmux/board.h). */
static void on_signal(void *opaque, int fd, uint32_t events)
{
	struct runner *r = opaque;
	struct signalfd_siginfo info;
	struct board_stop stop = { .reason = VM_STOP_SIGNAL,
				   .value = SIGTERM,
				   .cause = "SIGTERM" };
	unsigned int i;

	if (read(fd, &info, sizeof(info)) != sizeof(info))
		return;
	snprintf(stop.why, sizeof(stop.why), "stopped by signal %u",
		 info.ssi_signo);
	if (info.ssi_signo != SIGTERM || r->terminating) {
		stop_by_signal(r, info.ssi_signo, stop.why);
		return;
	}
	r->terminating = true;
	/* A grace --timeout began is cut short; the others begin one. */
	for (i = 0; i < r->nr_vms; i++) {
		if (r->board[i].shutdown_pending)
			board_cut_grace(&r->board[i], SIGTERM, stop.why);
		else
			shutdown_vm(&r->slot[i], &stop);
	}
}

static void watch_foreground(struct runner *r);

/*
 * SIGTSTP (Ctrl-Z where the terminal keeps its signal keys, kill -TSTP):
 * only the loop hears it (and a FIFO's wait for its reader: SIGTSTP's
 * default action there), so a stop waits while kvmux drains its output
 * at the end; the VMs' clocks run on while the process is stopped (a
 * --timeout may expire meanwhile).  SIGCONT: fg after a stop that was not
 * SIGTSTP's (SIGTTIN, kvmux reading the terminal after bg) gives kvmux its
 * mode back.
 */
static void on_job_stop(void *opaque, int fd, uint32_t events)
{
	struct signalfd_siginfo info;

	if (read(fd, &info, sizeof(info)) != sizeof(info))
		return;
	if (info.ssi_signo == SIGTSTP)
		term_job_stop();
	else
		term_job_continued();
	watch_foreground(opaque);
}

static void on_foreground_watch(void *opaque, int fd, uint32_t events)
{
	event_fd_drain(fd);
	term_job_continued();
	watch_foreground(opaque);
}

/*
 * Continued in the background (bg), kvmux has given the terminal its
 * mode back: look every FOREGROUND_WATCH_MS whether it is the foreground
 * job again, because a shell's fg of a running job sends no signal.  The
 * timer is made the first time (the main thread's list allows
 * timerfd_create); if it cannot be, the mode comes back at the next stop
 * and fg.
 */
static void watch_foreground(struct runner *r)
{
	if (!term_mode_given_back())
		return;
	if (r->fg_watch_fd >= 0) {
		timer_fd_set(r->fg_watch_fd, FOREGROUND_WATCH_MS, 0);
		return;
	}
	r->fg_watch_fd = timer_fd_create(FOREGROUND_WATCH_MS, 0);
	if (r->fg_watch_fd >= 0 &&
	    event_loop_add(&r->loop, r->fg_watch_fd, EPOLLIN,
			   on_foreground_watch, r) < 0) {
		close(r->fg_watch_fd);
		r->fg_watch_fd = -1;
	}
}

/*
 * The idle watch, re-armed for when the first VM next wants it: every
 * VM_IDLE_WATCH_MS while a vCPU is busy or just went idle, less often
 * while every vCPU stays idle with interrupts on (vm_watch_idle()).  A
 * parked VM is skipped but looked at again within VM_IDLE_WATCH_MAX_MS:
 * the scheduler may release it at any time, and nothing re-arms the
 * timer then, however long the other VMs' vCPUs stay quiet.
 */
static void on_watch(void *opaque, int fd, uint32_t events)
{
	struct runner *r = opaque;
	uint64_t now = out_stream_now_ns(), next = UINT64_MAX, due, ms;
	unsigned int i;

	event_fd_drain(fd);
	for (i = 0; i < r->nr_vms; i++) {
		struct vm *vm = &r->board[i].vm;

		if (r->board[i].finished)
			continue;
		due = vm_is_parked(vm) ?
			      now + VM_IDLE_WATCH_MAX_MS * 1000000ull :
			      vm_watch_idle(vm, now);
		if (due < next)
			next = due;
	}
	ms = next > now ? (next - now + 999999) / 1000000 : 0;
	if (ms < VM_IDLE_WATCH_MS)
		ms = VM_IDLE_WATCH_MS;
	if (next == UINT64_MAX) /* no VM wants one: finished or stopping */
		ms = VM_IDLE_WATCH_MAX_MS;
	r->watch_due_ns = now + ms * 1000000ull;
	timer_fd_set(fd, ms, 0);
}

/* An interrupt for a VM whose vCPUs were quiet: watch it soon again,
 * but never later than the watch already due for another VM. */
static void on_watch_wake(void *opaque, int fd, uint32_t events)
{
	struct runner *r = opaque;
	uint64_t soon = out_stream_now_ns() + VM_IDLE_WATCH_MS * 1000000ull;

	event_fd_drain(fd);
	if (soon >= r->watch_due_ns)
		return;
	r->watch_due_ns = soon;
	timer_fd_set(r->watch_fd, VM_IDLE_WATCH_MS, 0);
}

/* With a shutdown grace, --timeout is an orderly stop too. */
static void on_timeout(void *opaque, int fd, uint32_t events)
{
	struct vm_slot *slot = opaque;
	struct board_stop stop = { .reason = VM_STOP_TIMEOUT,
				   .cause = "--timeout" };

	event_fd_drain(fd);
	snprintf(stop.why, sizeof(stop.why), "--timeout of %llu ms expired",
		 (unsigned long long)slot->r->board[slot->i].cfg->timeout_ms);
	shutdown_vm(slot, &stop);
}

static void on_vm_stop(void *opaque, int fd, uint32_t events)
{
	struct vm_slot *slot = opaque;
	struct runner *r = slot->r;
	struct board *b = &r->board[slot->i];

	event_fd_drain(fd);
	if (b->finished || !vm_stopping(&b->vm))
		return;
	event_loop_remove(&r->loop, fd);
	event_loop_remove(&r->loop, b->vm.watch_fd);
	board_unwatch(b, &r->loop);
	if (slot->timeout_fd >= 0)
		event_loop_remove(&r->loop, slot->timeout_fd);
	if (slot->grace_fd >= 0)
		event_loop_remove(&r->loop, slot->grace_fd);
	r->status[slot->i] = board_finish(b);
	r->running--;
}

/* Was sig ignored when kvmux started (nohup ignores SIGHUP)? */
static bool ignored_at_start(int sig)
{
	struct sigaction sa;

	return !sigaction(sig, NULL, &sa) && sa.sa_handler == SIG_IGN;
}

#ifdef KVMUX_TEST_BUILD
/*
 * Test builds only: with $KVMUX_TEST_START_GATE naming a FIFO, wait
 * there (the stop signals blocked) until a writer has come and gone, so
 * that a test can send signals before anything else has happened.
 */
static void test_start_gate(void)
{
	const char *path = getenv("KVMUX_TEST_START_GATE");
	char byte;
	int fd;

	if (!path || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	while (read(fd, &byte, 1) > 0)
		;
	close(fd);
}

/* Test builds only: $KVMUX_TEST_START_FAILS makes start() fail before
 * any VM has started, as a failed privilege drop would. */
static int test_start_fails(void)
{
	return getenv("KVMUX_TEST_START_FAILS") ?
		       err_host("test build: start() fails "
				"($KVMUX_TEST_START_FAILS)") :
		       0;
}

static int test_status_fd = -1;
static unsigned int test_fd_table_at_start;

/* The descriptor table's size ("FDSize:" in /proc/self/status, open
 * since the start: the main thread's filter allows no open at the end);
 * 0 if unknown. */
static unsigned int test_fd_table_size(void)
{
	char text[4096], *at;
	ssize_t len = pread(test_status_fd, text, sizeof(text) - 1, 0);
	unsigned int size = 0;

	if (len <= 0)
		return 0;
	text[len] = 0;
	at = strstr(text, "\nFDSize:");
	if (at)
		sscanf(at, "\nFDSize: %u", &size);
	return size;
}

/* Test builds only: with $KVMUX_TEST_FD_TABLE set, note the descriptor
 * table's size before the first thread, and say on stderr at the end
 * whether it grew since. */
static void test_fd_table(bool at_end)
{
	if (!getenv("KVMUX_TEST_FD_TABLE"))
		return;
	if (!at_end) {
		test_status_fd =
			open("/proc/self/status", O_RDONLY | O_CLOEXEC);
		test_fd_table_at_start = test_fd_table_size();
		return;
	}
	fprintf(stderr,
		"kvmux-test: fd table %u before the threads, %u at the end\n",
		test_fd_table_at_start, test_fd_table_size());
}
#else
static void test_start_gate(void)
{
}

static int test_start_fails(void)
{
	return 0;
}

static void test_fd_table(bool at_end)
{
	(void)at_end;
}
#endif

/*
 * SIGINT and SIGQUIT, which bash ignores in a script's background jobs,
 * and SIGTERM stop a run even when ignored at the start; any other stop
 * signal ignored then stays ignored (`nohup kvmux ...` survives a
 * hangup, as a caller that ignores SIGALRM means it).
 */
static bool stops_when_ignored(int sig)
{
	return sig == SIGINT || sig == SIGQUIT || sig == SIGTERM;
}

/*
 * The stop signals are blocked in every thread and read from a signalfd
 * (watch_process()).  A blocked signal is queued even if its handler is
 * SIG_IGN: stops_when_ignored() says which are blocked all the same.
 */
int run_block_stop_signals(void)
{
	size_t i;

	if (stop_set_blocked)
		return 0;
	sigemptyset(&stop_set);
	for (i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		if (stops_when_ignored(stop_signals[i]) ||
		    !ignored_at_start(stop_signals[i]))
			sigaddset(&stop_set, stop_signals[i]);
	sigemptyset(&job_set);
	if (!ignored_at_start(SIGTSTP))
		sigaddset(&job_set, SIGTSTP);
	sigaddset(&job_set, SIGCONT);
	if (pthread_sigmask(SIG_BLOCK, &stop_set, NULL) ||
	    pthread_sigmask(SIG_BLOCK, &job_set, NULL))
		return err_set("cannot block signals");
	signal(SIGPIPE, SIG_IGN);
	/* A write past ulimit -f fails with EFBIG, said like any write
	 * error, instead of ending kvmux (console files, disks). */
	signal(SIGXFSZ, SIG_IGN);
	/* A parent that ignores SIGCHLD has the kernel reap kvmux's
	 * children, and a wait for one (the cgroup reaper) then waits for
	 * every one, closers included. */
	signal(SIGCHLD, SIG_DFL);
	stop_set_blocked = true;
	test_start_gate();
	return 0;
}

/* Before any thread exists: they inherit the signal mask. */
static int watch_process(struct runner *r)
{
	if (run_block_stop_signals() < 0 || vcpu_signals_init() < 0 ||
	    event_loop_init(&r->loop) < 0)
		return -1;
	r->signal_fd = signalfd(-1, &stop_set, SFD_CLOEXEC | SFD_NONBLOCK);
	r->job_fd = signalfd(-1, &job_set, SFD_CLOEXEC | SFD_NONBLOCK);
	r->watch_fd =
		timer_fd_create(VM_IDLE_WATCH_MS, 0); /* on_watch re-arms */
	r->watch_due_ns = out_stream_now_ns() + VM_IDLE_WATCH_MS * 1000000ull;
	if (r->signal_fd < 0 || r->job_fd < 0 || r->watch_fd < 0)
		return err_set_errno("cannot create event descriptors");
	if (event_loop_add(&r->loop, r->signal_fd, EPOLLIN, on_signal, r) ||
	    event_loop_add(&r->loop, r->job_fd, EPOLLIN, on_job_stop, r) ||
	    event_loop_add(&r->loop, r->watch_fd, EPOLLIN, on_watch, r))
		return -1;
	return 0;
}

static int watch_vm(struct runner *r, struct vm_slot *slot)
{
	struct board *b = &r->board[slot->i];

	if (event_loop_add(&r->loop, b->vm.stop_fd, EPOLLIN, on_vm_stop, slot) <
		    0 ||
	    event_loop_add(&r->loop, b->vm.watch_fd, EPOLLIN, on_watch_wake,
			   r) < 0 ||
	    board_watch(b, &r->loop) < 0)
		return -1;
	if (!b->cfg->timeout_ms)
		return 0;
	slot->timeout_fd = timer_fd_create(b->cfg->timeout_ms, 0);
	if (slot->timeout_fd < 0)
		return -1;
	return event_loop_add(&r->loop, slot->timeout_fd, EPOLLIN, on_timeout,
			      slot);
}

/*
 * A group: size the VMs to the host (A_i = P_i / sum(P) x V).  Returns 0,
 * or the exit status: the host's capacity unreadable, or a plan that
 * cannot be made (bad usage).
 */
static int plan_group(struct runner *r, const struct run_request *req)
{
	struct group_config group = req->group;
	unsigned int i;

	if (r->nr_vms > SCHED_MAX_VMS) {
		err_set("at most %d VMs in one run", SCHED_MAX_VMS);
		return EXIT_BAD_USAGE;
	}
	if (group_config_resolve_host(&group) < 0)
		return EXIT_HOST_FAILURE;
	if (group_plan_build(req->vm, req->nr_vms, &group, &r->plan) < 0)
		return EXIT_BAD_USAGE;
	r->have_plan = true;
	for (i = 0; i < r->nr_vms; i++) {
		r->cfg[i].memory = r->plan.vm[i].memory;
		r->cfg[i].cpus = r->plan.vm[i].cpus;
	}
	return 0;
}

/*
 * Before any VM exists: the cgroups' reaper (kvmux/cgroup_cpu.h) must
 * not inherit a VM's mappings, which would keep the VM alive.
 */
static int create_sched(struct runner *r)
{
	r->sched = group_sched_create(&r->plan);
	return r->sched ? 0 : -1;
}

/* A VM's --console-log, after every VM's console output is open (so a
 * log naming one of them, stdout's file say, is known to be the same). */
static int open_log(struct runner *r, unsigned int i, int *status)
{
	r->log_dest[i] =
		console_outputs_open_log(r->outputs, &r->cfg[i], status);
	if (r->log_dest[i] < 0)
		return -1;
	if (r->log_dest[i] != r->dest[i])
		return 0;
	*status = EXIT_BAD_USAGE;
	return err_set("--console-log %s: the console goes there already",
		       r->cfg[i].console_log);
}

/*
 * No VM starts before every output has its reader, so a FIFO's reader is
 * waited for only until the first --timeout of the run would have
 * passed, counted from the run's start: one deadline for all the FIFOs.
 */
static void set_fifo_deadline(struct runner *r)
{
	uint64_t earliest = 0, deadline;
	const char *vm = NULL;
	unsigned int i;

	for (i = 0; i < r->nr_vms; i++) {
		if (!r->cfg[i].timeout_ms ||
		    (earliest && r->cfg[i].timeout_ms >= earliest))
			continue;
		earliest = r->cfg[i].timeout_ms;
		vm = r->cfg[i].name;
	}
	if (!earliest)
		return;
	/* A --timeout of centuries is none: 2^64 ms do not fit in ns. */
	if (earliest > (UINT64_MAX - r->start_ns) / 1000000ull)
		deadline = UINT64_MAX;
	else
		deadline = r->start_ns + earliest * 1000000ull;
	console_outputs_set_deadline(r->outputs, deadline,
				     r->group ? vm : NULL);
}

/* Where each VM's console and its log go. */
static int open_outputs(struct runner *r)
{
	unsigned int i;
	int status;

	r->outputs = console_outputs_create(on_output_gone, r);
	r->dest = calloc(r->nr_vms, sizeof(*r->dest));
	r->log_dest = calloc(r->nr_vms, sizeof(*r->log_dest));
	if (!r->outputs || !r->dest || !r->log_dest)
		return report(r, GROUP_WIDE, EXIT_HOST_FAILURE);
	set_fifo_deadline(r);
	for (i = 0; i < r->nr_vms; i++) {
		r->log_dest[i] = -1;
		r->dest[i] =
			console_outputs_open(r->outputs, &r->cfg[i], &status);
		if (r->dest[i] < 0)
			return report(r, i, status);
	}
	for (i = 0; i < r->nr_vms; i++)
		if (r->cfg[i].console_log && open_log(r, i, &status) < 0)
			return report(r, i, status);
	return 0;
}

/*
 * Every board is ready (a bad kernel or disk has failed at once, without
 * waiting): now the readers of the FIFOs that had none when opened, in
 * the order they were opened.
 */
static int wait_for_each_reader(struct runner *r)
{
	unsigned int i;
	int status;

	for (i = 0; i < r->nr_vms; i++)
		if (console_outputs_wait(r->outputs, r->dest[i], r->signal_fd,
					 &status) < 0)
			return report(r, i, status);
	for (i = 0; i < r->nr_vms; i++)
		if (r->log_dest[i] >= 0 &&
		    console_outputs_wait(r->outputs, r->log_dest[i],
					 r->signal_fd, &status) < 0)
			return report(r, i, status);
	return 0;
}

/*
 * Meanwhile SIGTSTP stops kvmux at once, as its default action (Ctrl-Z,
 * bg, then start the reader): the loop that reads it does not run yet,
 * and the terminal still has its own mode (start() sets kvmux's).
 */
static int wait_readers(struct runner *r)
{
	sigset_t tstp;
	int rc;

	sigemptyset(&tstp);
	if (sigismember(&job_set, SIGTSTP))
		sigaddset(&tstp, SIGTSTP);
	pthread_sigmask(SIG_UNBLOCK, &tstp, NULL);
	rc = wait_for_each_reader(r);
	pthread_sigmask(SIG_BLOCK, &tstp, NULL);
	return rc;
}

/*
 * In a group a console's lines are prefixed with the VM's name on stdout
 * and wherever several VMs write (a file two VMs name); a VM's own file
 * gets its lines as they are.  Times head the lines of files only.
 */
static void vm_outputs(struct runner *r, unsigned int i,
		       struct board_output *out)
{
	const struct vm_config *cfg = &r->cfg[i];
	bool own_file = cfg->console_target == CONSOLE_TO_FILE &&
			console_outputs_users(r->outputs, r->dest[i]) == 1;
	int log = r->log_dest[i];
	bool shared_log;

	out[BOARD_OUTPUT] = (struct board_output){
		.out = console_outputs_stream(r->outputs, r->dest[i]),
		.prefix = r->group && !own_file ? cfg->name : NULL,
		.timestamps = cfg->timestamps &&
			      cfg->console_target == CONSOLE_TO_FILE,
	};
	out[BOARD_LOG] = (struct board_output){ 0 };
	if (log < 0)
		return;
	shared_log = console_outputs_users(r->outputs, log) > 1;
	out[BOARD_LOG] = (struct board_output){
		.out = console_outputs_stream(r->outputs, log),
		.prefix = r->group && shared_log ? cfg->name : NULL,
		.timestamps = cfg->timestamps,
	};
}

/*
 * Before any VM or thread, for --result only: the child that renames its
 * file into place, which kvmux itself cannot once it has left root or
 * runs under its filter, and closes the VMs' fds.  Without it a VM's
 * slow last close (KVM's own irqchip) or big RAM goes to a closer
 * started at its end, which shares kvmux's memory and costs less than
 * the helper's fork; a split VM with little RAM closes here in about
 * 0.1 ms (fd_release_close()).
 */
static int start_release(struct runner *r)
{
	const char *temp, *path;

	result_names(&temp, &path);
	if (!path)
		return 0;
	r->release_started = fd_release_start(temp, path) == 0;
	return r->release_started ? 0 : -1;
}

/*
 * One VM's board, in a thread of its own when there are several: 8
 * separate processes would set up side by side, and so do a group's VMs.
 * No guest instruction runs before start(), after every board is ready.
 */
static int prepare_vm(void *opaque, unsigned int i)
{
	struct runner *r = opaque;
	struct board_output out[BOARD_OUTPUTS];

	vm_outputs(r, i, out);
	board_init(&r->board[i], &r->cfg[i]);
	return board_prepare(&r->board[i], out);
}

/*
 * How many descriptors the run may hold at once, generously: base ones,
 * and per VM its own, its vCPUs' and its virtio devices' (a 4-vCPU VM
 * with two disks and a virtio console holds about 30).
 */
static unsigned int fds_wanted(const struct runner *r)
{
	unsigned int i, nr = 32;

	for (i = 0; i < r->nr_vms && nr < INT_MAX / 2; i++)
		nr += 16 + 2 * r->cfg[i].cpus + 8 * (r->cfg[i].nr_disks + 1);
	return nr;
}

static int prepare(struct runner *r, const struct run_request *req)
{
	unsigned int i;
	int status;

	/* Before the first thread: a group of 8 otherwise grew the table
	 * twice with threads running, ~7 ms of its ~17 here (bench/group.py).
	 * Failing costs only that time. */
	thread_reserve_fds(fds_wanted(r));
	test_fd_table(false);
	/* --user and --seccomp are the same for every VM (cli/options.c).
	 * The filters first: every thread and the reaper install theirs. */
	if (host_user_resolve(r->cfg[0].user, &r->user) < 0)
		return report(r, GROUP_WIDE, EXIT_BAD_USAGE);
	if (seccomp_setup(r->cfg[0].seccomp, &r->user) < 0 ||
	    start_release(r) < 0)
		return report(r, GROUP_WIDE, EXIT_HOST_FAILURE);
	if (r->group) {
		status = plan_group(r, req);
		if (status)
			return report(r, GROUP_WIDE, status);
	}
	if (watch_process(r) < 0 || diag_start() < 0 ||
	    (r->group && create_sched(r) < 0))
		return report(r, GROUP_WIDE, EXIT_HOST_FAILURE);
	status = open_outputs(r);
	if (status)
		return status;
	i = parallel_run(r->nr_vms, prepare_vm, r, &status);
	return status ? report(r, i, status) : wait_readers(r);
}

static int attach_sched(struct runner *r)
{
	unsigned int k;

	r->sched_vms = calloc(r->nr_vms, sizeof(*r->sched_vms));
	if (!r->sched_vms)
		return err_host("out of memory");
	for (k = 0; k < r->nr_vms; k++)
		r->sched_vms[k] = &r->board[k].vm;
	group_sched_attach(r->sched, r->sched_vms);
	return 0;
}

static int start(struct runner *r)
{
	unsigned int k;
	int rc;

	if (r->group && attach_sched(r) < 0)
		return -1;
	if (test_start_fails() < 0 || host_drop_privileges(&r->user) < 0 ||
	    diag_attach(&r->loop) < 0 ||
	    console_outputs_attach(r->outputs, &r->loop) < 0 ||
	    seccomp_install_base() < 0)
		return -1;
	for (k = 0; k < r->nr_vms; k++) {
		unsigned int i = r->have_plan ? r->plan.order[k] : k;

		if (watch_vm(r, &r->slot[i]) < 0)
			return -1;
		/* Counted before it starts: a VM that fails to start half-way
		 * still stops, and its stop is counted down. */
		r->running++;
		if (board_start(&r->board[i]) < 0)
			return -1;
	}
	if (!r->group)
		rc = board_attach_stdin(&r->board[0], &r->loop);
	else if (stdio_console_attach_keys(&r->keys, &r->loop, stop_from_keys,
					   r))
		rc = -1;
	else
		rc = group_sched_start(r->sched);
	if (!rc)
		thread_enter(THREAD_MAIN); /* every thread has started */
	return rc;
}

static void wait_all(struct runner *r)
{
	while (r->running)
		if (event_loop_run_once(&r->loop, -1) < 0)
			stop_all(r, VM_STOP_HOST_FAILURE, 0, err_msg());
}

static int group_status(const struct runner *r)
{
	unsigned int i;

	for (i = 0; i < r->nr_vms; i++)
		if (r->status[i])
			return r->status[i];
	return 0;
}

/*
 * A group's shares, as fractions: target[i], what VM i was due of the
 * CPU time the group got (host/group_sched.c); got[i], what it had.
 */
static void group_shares(const struct runner *r, double *target, double *got)
{
	uint64_t cpu[SCHED_MAX_VMS], cpu_total = 0, wall = 0;
	unsigned int i;

	for (i = 0; i < r->nr_vms; i++) {
		const struct board *b = &r->board[i];

		cpu[i] = b->cpu_ns;
		cpu_total += cpu[i];
		if (b->end_ns - b->start_ns > wall)
			wall = b->end_ns - b->start_ns;
	}
	group_sched_obtained_targets(&r->plan, cpu, wall, target);
	for (i = 0; i < r->nr_vms; i++)
		got[i] = cpu_total ? (double)cpu[i] / cpu_total : 0.0;
}

static void print_summary(struct runner *r)
{
	double target[SCHED_MAX_VMS], got[SCHED_MAX_VMS];
	unsigned int i;

	group_shares(r, target, got);
	diag_info(
		"group of %u VMs on %u host CPU%s, period %llu ms, scheduler %s "
		"(its CPU time: %.3f ms)",
		r->nr_vms, r->plan.host_cpus, r->plan.host_cpus == 1 ? "" : "s",
		(unsigned long long)(r->plan.period_ns / 1000000),
		r->sched_text, r->sched_cpu_ns / 1e6);
	diag_line("%-16s %6s %-16s %9s %9s %7s %7s", "VM", "STATUS", "REASON",
		  "WALL(s)", "CPU(s)", "TARGET", "GOT");
	for (i = 0; i < r->nr_vms; i++) {
		const struct board *b = &r->board[i];

		diag_line("%-16s %6d %-16s %9.3f %9.3f %6.1f%% %6.1f%%",
			  b->cfg->name, r->status[i], b->reason,
			  (b->end_ns - b->start_ns) / 1e9, b->cpu_ns / 1e9,
			  100 * target[i], 100 * got[i]);
	}
}

/* One VM's part of --result. */
static void vm_result(struct runner *r, unsigned int i, int status,
		      struct result_vm *v, struct vm_stop *stop)
{
	struct board *b = &r->board[i];

	*v = (struct result_vm){
		.name = r->cfg[i].name,
		.status = b->started ? r->status[i] : status,
		.reason = "not started",
		.detail = "",
		.started = b->started,
		.target_share = -1,
		.obtained_share = -1,
	};
	if (b->started) {
		*stop = vm_stop_status(&b->vm);
		v->reason = b->reason[0] ? b->reason :
					   vm_stop_reason_name(stop->reason);
		v->detail = stop->detail;
		v->wall_seconds = (b->end_ns - b->start_ns) / 1e9;
		v->cpu_seconds = b->cpu_ns / 1e9;
	}
	board_exits(b, &v->exits_kvmux, &v->exits_kvm);
	v->console_bytes = board_console_bytes(b);
	v->console_lost = board_undelivered(b, BOARD_OUTPUT);
}

/*
 * --result: written however the run ended (nothing without it).  Returns
 * the exit status: status, or 125 for a run that would end with 0 but
 * whose result file could not be written.
 */
static int write_result(struct runner *r, int status)
{
	double target[SCHED_MAX_VMS], got[SCHED_MAX_VMS];
	struct result_vm *vm = calloc(r->nr_vms, sizeof(*vm));
	struct vm_stop *stop = calloc(r->nr_vms, sizeof(*stop));
	struct run_result res = {
		.status = status,
		.error = r->error[0] ? r->error : NULL,
		.nr_vms = vm && stop ? r->nr_vms : 0,
		.vm = vm,
	};
	int (*publish)(void);
	unsigned int i;

	if (r->group && r->have_plan) {
		group_shares(r, target, got);
		res.scheduler = r->sched_text[0] ? r->sched_text : "not needed";
		res.host_cpus = r->plan.host_cpus;
		res.period_ns = r->plan.period_ns;
	}
	for (i = 0; i < res.nr_vms; i++) {
		vm_result(r, i, status, &vm[i], &stop[i]);
		if (res.scheduler && r->board[i].started) {
			vm[i].target_share = target[i];
			vm[i].obtained_share = got[i];
		}
	}
	/* Without the helper nothing is filtered or dropped yet: rename
	 * here. */
	publish = r->release_started ? fd_release_publish : NULL;
	if (result_write(&res, publish) < 0) {
		diag("%s", err_msg());
		if (!status)
			status = EXIT_HOST_FAILURE;
	}
	free(stop);
	free(vm);
	return status;
}

/* A thread of some VM missed its stop bound: it may still run. */
static bool any_stuck(const struct runner *r)
{
	unsigned int i;

	for (i = 0; i < r->nr_vms; i++)
		if (r->board[i].stuck)
			return true;
	return false;
}

static void stop_sched(struct runner *r)
{
	if (!r->sched)
		return;
	r->sched_cpu_ns = group_sched_cpu_ns(r->sched);
	snprintf(r->sched_text, sizeof(r->sched_text), "%s",
		 group_sched_describe(r->sched));
	group_sched_stop(r->sched);
}

/*
 * The reason start() failed, said once: by the line of each VM that had
 * started (it stops with it), else by a line of its own.
 */
static void start_failed(struct runner *r)
{
	unsigned int i;

	for (i = 0; i < r->nr_vms && !r->board[i].started; i++)
		;
	if (i == r->nr_vms) {
		report(r, GROUP_WIDE, 0);
		return;
	}
	snprintf(r->error, sizeof(r->error), "%s", err_msg());
	stop_all(r, VM_STOP_HOST_FAILURE, 0, r->error);
}

static int run(struct runner *r, const struct run_request *req)
{
	int status = prepare(r, req);
	bool failed = false;

	if (status || r->cfg[0].dump_dtb)
		return status;
	/* Not before: a run that fails to get here keeps the last run's
	 * console files. */
	if (console_outputs_truncate(r->outputs) < 0)
		return report(r, GROUP_WIDE, err_status());
	if (start(r) < 0) {
		start_failed(r);
		failed = true;
	}
	wait_all(r);
	stop_sched(r);
	if (r->group)
		print_summary(r);
	status = r->group ? group_status(r) : r->status[0];
	/* A VM that never started has no status of its own: the run does. */
	return failed && !status ? EXIT_HOST_FAILURE : status;
}

/*
 * The last VM has stopped: what the consoles still hold gets a bounded
 * grace (a second signal ends it), kvmux's messages a shorter one, and
 * what could not be delivered is counted aloud.  No reader can stretch
 * the end.
 */
static void finish_output(struct runner *r)
{
	uint64_t deadline = out_stream_now_ns() + CONSOLE_GRACE_NS, *lost;
	unsigned int i;

	/* Per destination: each VM opens at most two. */
	lost = calloc(2 * r->nr_vms, sizeof(*lost));
	if (r->outputs && lost) {
		for (i = 0; i < r->nr_vms; i++) {
			if (r->dest && r->dest[i] >= 0)
				lost[r->dest[i]] += board_undelivered(
					&r->board[i], BOARD_OUTPUT);
			if (r->log_dest && r->log_dest[i] >= 0)
				lost[r->log_dest[i]] += board_undelivered(
					&r->board[i], BOARD_LOG);
		}
		console_outputs_finish(r->outputs, deadline, r->signal_fd,
				       lost);
	}
	free(lost);
	/* kvmux's own last lines say why the run ended: a second signal
	 * does not cut their short grace. */
	diag_stop(out_stream_now_ns() + DIAG_GRACE_NS, -1);
}

static void teardown(struct runner *r)
{
	unsigned int i;

	stdio_console_detach(&r->keys);
	event_loop_free(&r->loop);
	if (r->signal_fd >= 0)
		close(r->signal_fd);
	if (r->job_fd >= 0)
		close(r->job_fd);
	if (r->fg_watch_fd >= 0)
		close(r->fg_watch_fd);
	if (r->watch_fd >= 0)
		close(r->watch_fd);
	for (i = 0; r->slot && i < r->nr_vms; i++) {
		if (r->slot[i].timeout_fd >= 0)
			close(r->slot[i].timeout_fd);
		if (r->slot[i].grace_fd >= 0)
			close(r->slot[i].grace_fd);
	}
	for (i = 0; i < r->nr_vms; i++)
		board_teardown(&r->board[i]);
	/* The helper closes the last VM's descriptors once told there is no
	 * more: before the cgroups' removal, which may wait for that VM. */
	fd_release_stop();
	/* A thread that missed its stop bound may still use any of the
	 * rest (its board, the outputs, the scheduler's state): exit()
	 * frees it. */
	if (any_stuck(r))
		return;
	console_outputs_free(r->outputs);
	free(r->dest);
	free(r->log_dest);
	group_sched_destroy(r->sched);
	if (r->have_plan)
		group_plan_free(&r->plan);
	free(r->sched_vms);
	free(r->slot);
	free(r->board);
	free(r->cfg);
	free(r->status);
}

int run_request(const struct run_request *req)
{
	struct runner r = {
		.nr_vms = req->nr_vms,
		.group = req->nr_vms > 1,
		.loop = { .epfd = -1 },
		.signal_fd = -1,
		.job_fd = -1,
		.fg_watch_fd = -1,
		.watch_fd = -1,
		.start_ns = out_stream_now_ns(),
	};
	unsigned int i;
	int status = 0;

	/* Before any output is opened (and truncated).  A refusal that
	 * leaves --result's file out is written there too. */
	if (same_file_check_run(req) < 0) {
		status = err_status();
		snprintf(r.error, sizeof(r.error), "%s", err_msg());
		diag("%s", r.error);
		if (!req->group.result || same_file_check_result(req) < 0)
			return status;
	}
	if (req->group.result && result_open(req->group.result) < 0) {
		diag("%s", err_msg());
		return err_status();
	}
	r.cfg = calloc(r.nr_vms, sizeof(*r.cfg));
	r.board = calloc(r.nr_vms, sizeof(*r.board));
	r.status = calloc(r.nr_vms, sizeof(*r.status));
	r.slot = calloc(r.nr_vms, sizeof(*r.slot));
	if (!r.cfg || !r.board || !r.status || !r.slot) {
		teardown(&r);
		diag("out of memory");
		return EXIT_HOST_FAILURE;
	}
	for (i = 0; i < r.nr_vms; i++) {
		r.cfg[i] = req->vm[i];
		board_init(&r.board[i], &r.cfg[i]);
		r.slot[i] = (struct vm_slot){ &r, i, -1, -1 };
	}
	diag_set_level(req->group.quiet	  ? DIAG_QUIET :
		       req->group.verbose ? DIAG_VERBOSE :
					    DIAG_NORMAL);
	if (!r.error[0])
		status = run(&r, req);
	finish_output(&r);
	status = write_result(&r, status);
	test_fd_table(true);
	teardown(&r);
	return status;
}
