// SPDX-License-Identifier: GPL-2.0-only
/*
 * seccomp.c - the system call filters of kvmux's threads
 * (kvmux/seccomp.h; the lists are explained in docs/architecture.md,
 * "Security").
 *
 * The lists are compiled to BPF with libseccomp when kvmux is built
 * (tools/seccomp_gen.c; the kvmux binary hands them over with
 * seccomp_use_prebuilt()), or at setup where a list depends on the run
 * (--user) or no prebuilt programs were given; either way every program
 * is ready before any thread exists, and a thread installs its own with
 * one seccomp(2) call and no allocation, so the reaper, a child forked
 * from a process with threads, does the same.  ioctl(2) is allowed by
 * request number (argument 1) only; mmap(2) and mprotect(2) never with PROT_EXEC;
 * tgkill(2) only inside kvmux; the reaper opens read-only.
 *
 * A forbidden call raises SIGSYS in the thread that made it.  The handler
 * writes one line with what it knows (the call's name from a table made
 * at setup, the kind of thread from a thread-local variable), puts the
 * terminal back and exits: only write(2), ioctl(0, TCSETS) and
 * exit_group(2), which every list allows.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/kvm.h>
#include <seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kvmux/error.h"
#include "kvmux/exit_status.h"
#include "kvmux/privileges.h"
#include "kvmux/seccomp.h"
#include "kvmux/term.h"

/* What a rule checks of the arguments besides the call's number. */
enum arg_check {
	ANY,
	IOCTL, /* ioctl(2) with request (argument 1) value */
	TTY_IOCTL, /* ioctl(0, value): the terminal on stdin */
	NO_EXEC, /* mmap(2), mprotect(2): prot (argument 2) without PROT_EXEC */
	OWN_PID, /* tgkill(2) to a thread of kvmux (argument 0) */
	SET_NAME, /* prctl(PR_SET_NAME): thread_enter() names the thread */
	SAME_IDS, /* setresuid(2), setresgid(2) to value, value, value */
	READ_ONLY, /* openat(2) with O_RDONLY (argument 2) */
	PROCESS_ONLY, /* clone(2) with flags SIGCHLD, or CLONE_VM | SIGCHLD: a
		       * process (which may share the memory), never a thread,
		       * nor shared descriptors or signal handlers */
	EMPTY_PATH, /* newfstatat(2) with flags AT_EMPTY_PATH only, as fstat(3)
		     * calls it (the path itself cannot be checked) */
};

struct rule {
	int nr; /* SCMP_SYS() */
	enum arg_check check;
	uint64_t value;
};

/* clang-format off */
#define ALLOW(name) { SCMP_SYS(name), ANY, 0 }
#define ALLOW_IOCTL(request) { SCMP_SYS(ioctl), IOCTL, request }
#define END { INT_MIN, ANY, 0 } /* not 0: that is read(2) */
/* clang-format on */
#define EQ UINT32_MAX /* arg32()'s mask for "the whole value" */

/* Every thread: memory, locks, signals, time, its own end, what the
 * SIGSYS handler needs (write, the terminal, exit_group) and what the
 * fatal signals' handler does to re-raise (host/term.c: rt_sigaction). */
static const struct rule common_rules[] = {
	ALLOW(futex),
	ALLOW(exit),
	ALLOW(exit_group),
	ALLOW(rt_sigaction),
	ALLOW(rt_sigreturn),
	ALLOW(rt_sigprocmask),
	ALLOW(restart_syscall),
	ALLOW(madvise),
	ALLOW(munmap),
	ALLOW(brk),
	{ SCMP_SYS(mmap), NO_EXEC, 0 },
	{ SCMP_SYS(mprotect), NO_EXEC, 0 },
	ALLOW(clock_gettime),
	ALLOW(getpid),
	ALLOW(gettid),
	{ SCMP_SYS(tgkill), OWN_PID, 0 },
	ALLOW(sched_yield),
	ALLOW(write),
	ALLOW(writev), /* an output stream's line across its ring's end */
	{ SCMP_SYS(ioctl), TTY_IOCTL, TCSETS },
	END,
};

/*
 * KVM_RUN, the idle probe, the devices' interrupt lines and the stops;
 * with a split irqchip the lines are kvmux's IOAPIC, whose messages and
 * GSI routes the guest changes through vCPU exits (KVM_SIGNAL_MSI,
 * KVM_SET_GSI_ROUTING).
 * The probe reads the guest's interrupt flag from PVM's virtual-IF MSR
 * (KVM_GET_MSRS), whether a timer may still wake the vCPU (KVM_GET_LAPIC,
 * the TSC-deadline MSR, KVM_GET_PIT2) and the vCPU's exit count from its
 * KVM statistics descriptor (pread64), so the idle watch can back off.
 */
static const struct rule vcpu_rules[] = {
	ALLOW(pread64),
	ALLOW_IOCTL(KVM_RUN),
	ALLOW_IOCTL(KVM_GET_REGS),
	ALLOW_IOCTL(KVM_GET_MP_STATE),
	ALLOW_IOCTL(KVM_GET_MSRS),
	ALLOW_IOCTL(KVM_GET_LAPIC),
	ALLOW_IOCTL(KVM_GET_PIT2),
	ALLOW_IOCTL(KVM_IRQ_LINE),
	ALLOW_IOCTL(KVM_SIGNAL_MSI),
	ALLOW_IOCTL(KVM_SET_GSI_ROUTING),
	ALLOW_IOCTL(KVM_INTERRUPT), /* kvmux's 8259s: the boot vCPU */
	ALLOW(timerfd_settime), /* kvmux's PIT: the guest programs it */
	END,
};

/* Wait for notifications, do the disk's I/O, complete through irqfds;
 * virtio-console's output times a partial line on a stdout that is a
 * pipe or a FIFO (util/out_stream.c: timerfd_settime). */
static const struct rule io_rules[] = {
	ALLOW(epoll_wait),
	ALLOW(epoll_pwait),
	ALLOW(read),
	ALLOW(pread64),
	ALLOW(preadv),
	ALLOW(pwrite64),
	ALLOW(pwritev),
	ALLOW(fallocate),
	ALLOW(fdatasync),
	ALLOW(close),
	ALLOW(timerfd_settime), /* a partial line's timer */
	END,
};

/* write(2) and wait for room; a console with room again may raise the
 * UART's interrupt line (an MSI with a split irqchip) and hand the bytes
 * it held to its other stream, whose partial line may start that
 * stream's timer (a console log in a file, the console on a pipe). */
static const struct rule output_rules[] = {
	ALLOW(poll),
	ALLOW(ppoll),
	ALLOW(timerfd_settime),
	ALLOW_IOCTL(KVM_IRQ_LINE),
	ALLOW_IOCTL(KVM_SIGNAL_MSI),
	END,
};

/*
 * --user: output threads exist when the main thread switches users, and
 * glibc has every thread make the same calls: setgroups(2), then
 * setresgid(2) and setresuid(2) to the user's IDs (seccomp_setup()).
 */
static struct rule setid_rules[] = { END, END, END, END };

/* Sleep, read the vCPUs' CPU clocks, park and release them. */
static const struct rule sched_rules[] = {
	ALLOW(ppoll),
	END,
};

/*
 * The event loop, stdin to the console, statistics, the end: the idle
 * watch reads KVM's binary statistics (pread64 on a KVM_GET_STATS_FD
 * descriptor) and re-arms its backoff timer, as does --timeout
 * (timerfd_settime); a stop signal with --shutdown-grace presses the
 * power button and only then makes the grace's timer (timerfd_create);
 * the VMs' descriptors go to the release helper (sendmsg), which answers
 * when it renamed --result's file into place (recvmsg); without it, a
 * VM with KVM's own irqchip, or whose RAM holds 8 MiB or more, is closed
 * by a closer started then (fd_release.c: fstat, pipe2, clone as a
 * process only; close_range, chdir, prctl, read and rt_sigprocmask in
 * the closer); --result's JSON
 * is written and flushed into the file result_open() made (fsync).
 * The escape keys take the terminal on stdin only if kvmux is in its
 * foreground (TIOCGPGRP, getpgrp), also when the console goes elsewhere.
 */
static const struct rule main_rules[] = {
	ALLOW(epoll_wait),
	ALLOW(epoll_pwait),
	ALLOW(epoll_ctl),
	ALLOW(read),
	ALLOW(close),
	ALLOW(poll),
	ALLOW(ppoll),
	ALLOW(pread64),
	ALLOW(wait4),
	ALLOW(timerfd_create),
	ALLOW(timerfd_settime),
	ALLOW(sendmsg),
	ALLOW(recvmsg),
	ALLOW(fsync),
	ALLOW(getpgrp),
	ALLOW(fstat), /* a split VM's RAM, */
	{ SCMP_SYS(newfstatat), EMPTY_PATH, 0 },
	ALLOW(pipe2), /* when big, to a closer: its gate, */
	{ SCMP_SYS(clone), PROCESS_ONLY, 0 }, /* its start, */
	ALLOW(close_range), /* what it does not keep, */
	ALLOW(chdir), /* kvmux's working directory ("/" instead), */
	{ SCMP_SYS(prctl), SET_NAME, 0 }, /* its name */
	ALLOW_IOCTL(KVM_IRQ_LINE),
	ALLOW_IOCTL(KVM_SIGNAL_MSI),
	ALLOW_IOCTL(KVM_GET_STATS_FD),
	{ SCMP_SYS(ioctl), TTY_IOCTL, TCGETS },
	{ SCMP_SYS(ioctl), TTY_IOCTL, TCSETSW },
	{ SCMP_SYS(ioctl), TTY_IOCTL, TIOCGPGRP },
	END,
};

/* The main thread between the base and its own list: starting threads
 * (which then add their own filter) and the descriptors they and the
 * event loop wait on. */
static const struct rule start_rules[] = {
	{ SCMP_SYS(prctl), SET_NAME, 0 },
	ALLOW(seccomp),
	ALLOW(capset),
	ALLOW(clone),
	ALLOW(clone3),
	ALLOW(set_robust_list),
	ALLOW(rseq),
	ALLOW(eventfd2),
	ALLOW(epoll_create1),
	END,
};

/* Wait for the end of its pipe, then remove the run's cgroups. */
static const struct rule reaper_rules[] = {
	ALLOW(read),
	ALLOW(dup2),
	ALLOW(close_range),
	ALLOW(close),
	{ SCMP_SYS(openat), READ_ONLY, 0 },
	ALLOW(fstat),
	ALLOW(newfstatat),
	ALLOW(getdents64),
	ALLOW(rmdir),
	ALLOW(nanosleep),
	ALLOW(clock_nanosleep),
	END,
};

/*
 * Receive descriptors and have a forked closer close them (it inherits
 * this list); rename --result's file into place
 * as asked, or remove it if kvmux ended without asking (it runs as root
 * without capabilities, so it can where kvmux with --user cannot); and
 * answer.  No open, no KVM: it only ever holds what it is sent.
 */
static const struct rule release_rules[] = {
	ALLOW(recvmsg), /* descriptors, or the ask to rename */
	ALLOW(sendmsg), /* the answer */
	ALLOW(close), /* what it received */
	ALLOW(clone), /* fork(): a closer per message, side by side */
	ALLOW(set_robust_list), /* glibc's fork() sets it in the child */
	ALLOW(pipe2), /* pipe(): the closer's gate */
	ALLOW(read), /* the closer waits on its gate */
	ALLOW(wait4), /* wait(): the helper ends after its closers */
	ALLOW(rename), /* --result's file into place */
	ALLOW(unlink), /* or away, if that failed or was never asked */
	ALLOW(chdir), /* then "/", not kvmux's working directory */
	END,
};

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#include <sanitizer/common_interface_defs.h>
/*
 * What the sanitizers' runtime calls on its own: LeakSanitizer stops the
 * world at exit (a tracer thread, ptrace(2), /proc/self), reports read
 * /proc/self/maps and the executable's symbols.  Only in sanitized builds
 * (make SANITIZE=1 or SANITIZE=thread).
 */
static const struct rule sanitizer_rules[] = {
	ALLOW(open),
	ALLOW(openat),
	ALLOW(read),
	ALLOW(readlink),
	ALLOW(getdents64),
	ALLOW(lseek),
	ALLOW(close),
	ALLOW(fstat),
	ALLOW(newfstatat),
	ALLOW(clone),
	ALLOW(ptrace),
	ALLOW(wait4),
	ALLOW(prctl),
	ALLOW(sigaltstack),
	ALLOW(rt_sigaction),
	ALLOW(getrlimit),
	ALLOW(prlimit64),
	ALLOW(sched_getaffinity),
	ALLOW(tgkill),
	ALLOW(pipe),
	ALLOW(pipe2),
	ALLOW(getppid),
	ALLOW(getdents),
	ALLOW(fcntl),
	ALLOW(gettimeofday),
	ALLOW(uname),
	ALLOW(getrusage),
	ALLOW_IOCTL(TCGETS), /* isatty(2): colours in reports */
	ALLOW(nanosleep),
	ALLOW(clock_nanosleep), /* TSan at exit */
	/* TSan's background thread in the release helper can get the
	 * helper's filter (TSYNC) before it has finished starting. */
	ALLOW(set_robust_list),
	ALLOW(rseq),
	END,
};
#define SANITIZER_RULES sanitizer_rules,

/* The sanitizers' own way in: caches /proc/self/maps for reports, and
 * ends ThreadSanitizer's background thread, which no filter would cover
 * (it starts unfiltered with the first thread). */
static void sanitizers_enter_sandbox(void)
{
	__sanitizer_sandbox_arguments args = { 0 };

	__sanitizer_sandbox_on_notify(&args);
}
#else
#define SANITIZER_RULES
static void sanitizers_enter_sandbox(void)
{
}
#endif

#define MAX_LISTS 10

/* Each kind's lists; THREAD_KINDS is the base. */
static const struct rule *const kind_lists[THREAD_KINDS + 1][MAX_LISTS] = {
	[THREAD_MAIN] = { common_rules, main_rules, SANITIZER_RULES NULL },
	[THREAD_VCPU] = { common_rules, vcpu_rules, SANITIZER_RULES NULL },
	[THREAD_IO] = { common_rules, io_rules, SANITIZER_RULES NULL },
	[THREAD_OUTPUT] = { common_rules, output_rules, setid_rules,
			    SANITIZER_RULES NULL },
	[THREAD_SCHED] = { common_rules, sched_rules, SANITIZER_RULES NULL },
	[THREAD_REAPER] = { common_rules, reaper_rules, SANITIZER_RULES NULL },
	[THREAD_RELEASE] = { common_rules, release_rules,
			     SANITIZER_RULES NULL },
	/* Every kind the main thread starts after the base, and its own. */
	[THREAD_KINDS] = { common_rules, main_rules, start_rules, vcpu_rules,
			   io_rules, output_rules, sched_rules,
			   SANITIZER_RULES NULL },
};

/* The kinds' programs, and the base's at [THREAD_KINDS]. */
static struct sock_fprog programs[THREAD_KINDS + 1];
static enum syscall_filter filter_mode = SYSCALL_FILTER_OFF;
static bool user_switch; /* --user: output threads keep CAP_SETUID/GID */

/* For the SIGSYS handler, which may not allocate: names by number. */
#define NAMES_MAX SECCOMP_NAMES_MAX
#define NAME_LEN SECCOMP_NAME_LEN
static char resolved_names[NAMES_MAX][NAME_LEN];
static const char (*syscall_names)[NAME_LEN] = resolved_names;
static uint32_t native_arch; /* AUDIT_ARCH_X86_64: the names' */
static const struct seccomp_prebuilt *prebuilt; /* NULL: compile */
/* THREAD_KINDS: a thread that has not entered yet (base filter only). */
static __thread enum thread_kind current_kind = THREAD_KINDS;

static const char *const kind_text[THREAD_KINDS + 1] = {
	[THREAD_MAIN] = "the main thread",
	[THREAD_VCPU] = "a vCPU thread",
	[THREAD_IO] = "a device I/O thread",
	[THREAD_OUTPUT] = "an output thread",
	[THREAD_SCHED] = "the scheduler thread",
	[THREAD_REAPER] = "the cgroup reaper",
	[THREAD_RELEASE] = "the release helper",
	[THREAD_KINDS] = "a thread still starting",
};

/*
 * Argument arg masked with mask equals value; with mask EQ the whole
 * argument equals value (all 64 bits: stricter).  What libseccomp's
 * SCMP_A0_32() and its kin give, spelled out (the macros leave datum_b
 * out when it is not needed, which clang's -Wextra refuses).
 */
static struct scmp_arg_cmp arg32(unsigned int arg, uint32_t mask,
				 uint32_t value)
{
	return (struct scmp_arg_cmp){
		.arg = arg,
		.op = mask == EQ ? SCMP_CMP_EQ : SCMP_CMP_MASKED_EQ,
		.datum_a = mask == EQ ? value : mask,
		.datum_b = mask == EQ ? 0 : value,
	};
}

static int add_rule(scmp_filter_ctx ctx, const struct rule *r, uint32_t pid)
{
	struct scmp_arg_cmp cmp[3];
	unsigned int n = 0;

	switch (r->check) {
	case ANY:
		break;
	case IOCTL:
		cmp[n++] = arg32(1, EQ, r->value);
		break;
	case TTY_IOCTL:
		cmp[n++] = arg32(0, EQ, STDIN_FILENO);
		cmp[n++] = arg32(1, EQ, r->value);
		break;
	case NO_EXEC:
		cmp[n++] = arg32(2, PROT_EXEC, 0);
		break;
	case OWN_PID:
		cmp[n++] = arg32(0, EQ, pid);
		break;
	case SET_NAME:
		cmp[n++] = arg32(0, EQ, PR_SET_NAME);
		break;
	case SAME_IDS:
		cmp[n++] = arg32(0, EQ, r->value);
		cmp[n++] = arg32(1, EQ, r->value);
		cmp[n++] = arg32(2, EQ, r->value);
		break;
	case READ_ONLY:
		cmp[n++] = arg32(2, O_ACCMODE, O_RDONLY);
		break;
	case PROCESS_ONLY:
		cmp[n++] = arg32(0, ~(uint32_t)CLONE_VM, SIGCHLD);
		break;
	case EMPTY_PATH:
		cmp[n++] = arg32(3, EQ, AT_EMPTY_PATH);
		break;
	}
	return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, r->nr, n, cmp);
}

/* The BPF libseccomp made, read back from the descriptor it wrote to. */
static int export_bpf(scmp_filter_ctx ctx, struct sock_fprog *prog)
{
	int fd = memfd_create("kvmux-seccomp", MFD_CLOEXEC), rc = -1;
	struct stat st;
	void *code;

	if (fd < 0)
		return err_set_errno("memfd_create");
	if (seccomp_export_bpf(ctx, fd) < 0 || fstat(fd, &st) < 0 ||
	    st.st_size % sizeof(struct sock_filter) || !st.st_size) {
		err_host("seccomp: cannot compile a filter");
		goto out;
	}
	code = malloc(st.st_size);
	if (!code || pread(fd, code, st.st_size, 0) != st.st_size) {
		free(code);
		err_host("seccomp: cannot read a compiled filter");
		goto out;
	}
	prog->len = st.st_size / sizeof(struct sock_filter);
	prog->filter = code;
	rc = 0;
out:
	close(fd);
	return rc;
}

static int compile(const struct rule *const *lists, uint32_t deny, uint32_t pid,
		   struct sock_fprog *prog)
{
	scmp_filter_ctx ctx = seccomp_init(deny);
	const struct rule *r;
	int rc = 0;

	if (!ctx) /* libseccomp checks the action against the kernel */
		return err_host("seccomp: libseccomp cannot make a filter "
				"whose default action is %s (out of memory, "
				"or this kernel does not have it)",
				deny == SCMP_ACT_LOG ? "log" : "trap");
	seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, deny);
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	for (; *lists && !rc; lists++) {
		for (r = *lists; r->nr != INT_MIN && !rc; r++) {
			rc = add_rule(ctx, r, pid);
			if (rc == -EEXIST)
				rc = 0;
		}
	}
	if (rc < 0)
		rc = err_host("seccomp: cannot add a rule for system call %d: "
			      "%s",
			      r[-1].nr, strerror(-rc));
	else
		rc = export_bpf(ctx, prog);
	seccomp_release(ctx);
	return rc;
}

static uint32_t deny_action(enum syscall_filter mode)
{
	return mode == SYSCALL_FILTER_LOG ? SCMP_ACT_LOG : SCMP_ACT_TRAP;
}

int seccomp_compile_kind(enum thread_kind kind, enum syscall_filter mode,
			 uint32_t pid, struct sock_fprog *prog)
{
	return compile(kind_lists[kind], deny_action(mode), pid, prog);
}

/* A copy of a prebuilt program with kvmux's process ID put in. */
static int copy_prebuilt(const struct seccomp_prebuilt_program *from,
			 uint32_t pid, struct sock_fprog *prog)
{
	struct sock_filter *insn = calloc(from->len, sizeof(*insn));
	unsigned int i;

	if (!insn)
		return err_host("seccomp: out of memory");
	memcpy(insn, from->insn, from->len * sizeof(*insn));
	for (i = 0; i < from->nr_pid_at; i++)
		insn[from->pid_at[i]].k = pid;
	prog->len = from->len;
	prog->filter = insn;
	return 0;
}

/* kind's program: prebuilt, unless --user's IDs are in its list. */
static int make_program(enum thread_kind kind, enum syscall_filter mode,
			uint32_t pid, struct sock_fprog *prog)
{
	const struct seccomp_prebuilt_program *p =
		prebuilt ?
			&prebuilt->program[mode == SYSCALL_FILTER_LOG][kind] :
			NULL;

	/* len 0: the build host could not compile it (seccomp_gen.c). */
	if (p && p->len && !(user_switch && kind == THREAD_OUTPUT))
		return copy_prebuilt(p, pid, prog);
	return seccomp_compile_kind(kind, mode, pid, prog);
}

void seccomp_use_prebuilt(const struct seccomp_prebuilt *p)
{
	prebuilt = p;
}

static void fill_names(void)
{
	char *name;
	int nr;

	if (prebuilt) {
		native_arch = prebuilt->arch;
		syscall_names = prebuilt->names;
		return;
	}
	native_arch = seccomp_arch_native();
	for (nr = 0; nr < NAMES_MAX; nr++) {
		name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
		if (name && strlen(name) < NAME_LEN)
			strcpy(resolved_names[nr], name);
		free(name);
	}
}

/* Append text to the line at *p, never past end. */
static void put(char **p, char *end, const char *text)
{
	while (*text && *p < end)
		*(*p)++ = *text++;
}

static void put_number(char **p, char *end, unsigned long n)
{
	char digits[24];
	int i = sizeof(digits) - 1;

	digits[i] = '\0';
	do
		digits[--i] = '0' + n % 10;
	while ((n /= 10) && i > 0);
	put(p, end, digits + i);
}

/*
 * Say line and exit.  Raw system calls: a sanitizer's write() and
 * _exit() may take locks the interrupted thread holds.
 */
static void __attribute__((noreturn))
die(const char *line, size_t len, int status)
{
	if (syscall(SYS_write, STDERR_FILENO, line, len) < 0)
		len = 0; /* nowhere to say it: the status must do */
	term_restore();
	syscall(SYS_exit_group, status);
	__builtin_unreachable();
}

/* Set by the first SIGSYS handler: the one that speaks and exits. */
static int sigsys_taken;

static void on_sigsys(int sig, siginfo_t *info, void *ucontext)
{
	char line[256], *p = line, *end = line + sizeof(line) - 1;
	unsigned int nr = info->si_syscall;

	/*
	 * Threads can break their lists at once (in the test build every
	 * output thread does): one line, the first's; the others wait for
	 * its exit_group(), since exiting first could cut its line.
	 */
	if (__atomic_exchange_n(&sigsys_taken, 1, __ATOMIC_ACQ_REL))
		for (;;)
			syscall(SYS_futex, &sigsys_taken, FUTEX_WAIT_PRIVATE, 1,
				NULL, NULL, 0);
	put(&p, end, "kvmux: seccomp: ");
	put(&p, end, kind_text[current_kind]);
	put(&p, end, " made system call ");
	if (info->si_arch == native_arch && nr < NAMES_MAX &&
	    syscall_names[nr][0]) {
		put(&p, end, syscall_names[nr]);
	} else {
		put(&p, end, "number ");
		put_number(&p, end, nr);
	}
	put(&p, end, ", which its allowlist forbids (exit status 159)\n");
	die(line, p - line, EXIT_SECCOMP);
}

/* flags: SECCOMP_FILTER_FLAG_TSYNC makes every thread of the process
 * take it too. */
static int load(const struct sock_fprog *prog, unsigned int flags)
{
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, prog);
}

#ifdef KVMUX_TEST_BUILD
/*
 * Test builds only (build/tests/kvmux-test-build): the kind of
 * thread named by $KVMUX_TEST_SECCOMP_VIOLATION makes a socket, which no
 * list allows, right after installing its filter.
 */
static void test_violation(enum thread_kind kind)
{
	const char *who = getenv("KVMUX_TEST_SECCOMP_VIOLATION");
	int fd;

	if (!who || strcmp(who, thread_kind_name(kind)))
		return;
	fd = syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
	if (fd >= 0)
		close(fd); /* --seccomp log: the call went through */
}
#else
static void test_violation(enum thread_kind kind)
{
}
#endif

/*
 * thread_enter()'s hook: a thread gives up its capabilities (output
 * threads start before the main thread drops its own; the reaper keeps
 * its, host/cgroup_cpu.c says why), then adds its own list on top of
 * what it inherited.
 */
static void enter(enum thread_kind kind)
{
	char line[128], *p = line, *end = line + sizeof(line) - 1;
	bool mine = kind != THREAD_MAIN && kind != THREAD_REAPER;
	/* A child forked from a kvmux with one thread has ThreadSanitizer's
	 * background thread again (TSan starts it in such a child): the
	 * release helper always, the cgroup reaper if it came first.  The
	 * filter is for that thread too. */
	unsigned int tsync = kind == THREAD_RELEASE || kind == THREAD_REAPER ?
				     SECCOMP_FILTER_FLAG_TSYNC :
				     0;

	current_kind = kind;
	if (mine && host_drop_thread_capabilities(user_switch &&
						  kind == THREAD_OUTPUT) < 0) {
		put(&p, end, "kvmux: cannot drop the capabilities of ");
	} else if (filter_mode == SYSCALL_FILTER_OFF ||
		   load(&programs[kind], tsync) == 0) {
		test_violation(kind);
		return;
	} else {
		put(&p, end, "kvmux: seccomp: cannot install the filter of ");
	}
	put(&p, end, kind_text[kind]);
	put(&p, end, "\n");
	die(line, p - line, EXIT_HOST_FAILURE);
}

static int install_handler(void)
{
	struct sigaction sa = { .sa_sigaction = on_sigsys,
				.sa_flags = SA_SIGINFO };

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) < 0)
		return err_set_errno("sigaction(SIGSYS)");
	return 0;
}

int seccomp_setup(enum syscall_filter mode, const struct host_user *user)
{
	unsigned int i;
	uint32_t pid;

	/* glibc opens /proc/sys/vm/overcommit_memory the first time it
	 * gives back the top of a thread's heap (a group of 8 VMs made a
	 * heap big enough when it freed its boards): no list allows that
	 * open.  Never trimming costs a short-lived process nothing. */
	mallopt(M_TRIM_THRESHOLD, INT_MAX);
	current_kind = THREAD_MAIN; /* the caller */
	user_switch = user && user->set;
	thread_set_enter_hook(enter);
	/* Every thread inherits it (it is per thread); without it only
	 * CAP_SYS_ADMIN may install filters. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return err_set_errno("prctl(PR_SET_NO_NEW_PRIVS)");
	if (mode == SYSCALL_FILTER_OFF)
		return 0;
	if (user_switch) {
		setid_rules[0] = (struct rule){ SCMP_SYS(setgroups), ANY, 0 };
		setid_rules[1] = (struct rule){ SCMP_SYS(setresgid), SAME_IDS,
						user->gid };
		setid_rules[2] = (struct rule){ SCMP_SYS(setresuid), SAME_IDS,
						user->uid };
	}
	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0)
		return err_host("this kernel has no seccomp filters (--seccomp "
				"off runs without them)");
	/* Once: getpid(2) is a system call each time (glibc keeps no copy). */
	pid = getpid();
	for (i = 0; i <= THREAD_KINDS; i++)
		if (make_program(i, mode, pid, &programs[i]) < 0)
			return -1;
	fill_names();
	if (install_handler() < 0)
		return -1;
	filter_mode = mode;
	return 0;
}

int seccomp_install_base(void)
{
	if (filter_mode == SYSCALL_FILTER_OFF)
		return 0;
	sanitizers_enter_sandbox();
	if (load(&programs[THREAD_KINDS], 0) < 0)
		return err_set_errno("seccomp: cannot install the base filter");
	return 0;
}

unsigned int seccomp_list_size(enum thread_kind kind, unsigned int *ioctls)
{
	bool seen[NAMES_MAX] = { false };
	const struct rule *const *list;
	const struct rule *r;
	unsigned int n = 0;

	*ioctls = 0;
	for (list = kind_lists[kind]; *list; list++) {
		for (r = *list; r->nr != INT_MIN; r++) {
			*ioctls += r->check == IOCTL || r->check == TTY_IOCTL;
			if (r->nr >= 0 && r->nr < NAMES_MAX && !seen[r->nr]) {
				seen[r->nr] = true;
				n++;
			}
		}
	}
	return n;
}
