// SPDX-License-Identifier: GPL-2.0-only
/*
 * fd_release.c - the processes that make a VM's last close: the helper
 * (with --result), a child that closes the descriptors it is handed, and
 * the closers (kvmux/fd_release.h).
 *
 * The helper is forked before kvmux has threads and installs its own
 * system call filter (THREAD_RELEASE); it then only makes
 * async-signal-safe calls: recvmsg(), sendmsg(), close(), fork(), pipe(),
 * read(), rename(), unlink(), wait(), _exit().  It blocks every signal it
 * can, so a Ctrl-C meant for kvmux does not end it first (its end is
 * kvmux's: the socket's end of file).
 *
 * A message (a VM's descriptors, or up to 64 of them) is closed once
 * kvmux's copies are gone (child()):
 * the last in the helper itself after kvmux's end, each other one by a
 * process of its own, forked by the helper: a VM's destruction mostly
 * waits for SRCU grace periods, and a group's VMs destroyed one after
 * another would add their waits up.
 *
 * Messages to it: one byte and descriptors (close them), or the byte
 * PUBLISH alone (rename the names given at the start; the answer is an
 * int, 0 or an errno value).
 *
 * Without the helper, fd_release_close() starts a closer itself
 * (start_closer()), sharing kvmux's memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kvmux/diag.h"
#include "kvmux/error.h"
#include "kvmux/fd_release.h"
#include "kvmux/thread.h"

/* Fewer than the kernel's SCM_MAX_FD (253) per message. */
#define FDS_PER_MSG 64

#define PUBLISH 'P'

static int release_sock = -1; /* kvmux's end; -1: close here */
/* What the child renames when asked; NULL: nothing. */
static const char *publish_from, *publish_to;

/*
 * The child and its closers need kvmux's working directory only for the
 * names (they may be relative): after the rename or the removal they
 * leave it, so that it can be unmounted as soon as kvmux has gone.
 */
static void leave_working_directory(void)
{
	if (chdir("/") < 0)
		return; /* "/" is always there; if not, only a umount waits */
}

/* The child: rename, or remove the file if that fails; say how it went. */
static bool publish(int sock)
{
	int err = rename(publish_from, publish_to) < 0 ? errno : 0;
	struct iovec iov = { &err, sizeof(err) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (err)
		unlink(publish_from);
	leave_working_directory();
	sendmsg(sock, &msg, MSG_NOSIGNAL);
	return true;
}

/* The descriptors of one message's control data, closed. */
static void close_received(struct msghdr *msg)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		const int *fd = (const int *)CMSG_DATA(c);
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		while (n--)
			close(*fd++);
	}
}

/*
 * msg's descriptors, closed by a child of the helper so that VMs go side
 * by side.  The child holds the last references: it closes its copies
 * only once the helper has closed its own (the gate's end of file).  It
 * drops its copies of next, the message received after msg, at once:
 * held until its exit, they would make the next VM's destruction wait
 * for this one's.
 */
static void close_in_child(int sock, struct msghdr *msg, struct msghdr *next)
{
	int gate[2];
	char byte;

	if (pipe(gate) < 0) {
		close_received(msg); /* here, one after another */
		return;
	}
	if (fork() == 0) {
		leave_working_directory();
		close(sock);
		close(gate[1]);
		close_received(next); /* the helper's copies stay */
		while (read(gate[0], &byte, 1) < 0 && errno == EINTR)
			;
		close_received(msg);
		_exit(0);
	}
	close_received(msg); /* the slow last close if fork() failed */
	close(gate[0]);
	close(gate[1]);
}

/*
 * The helper ends after its closers: whoever waits for it (a benchmark
 * as the subreaper of kvmux's processes) then knows that every VM is
 * destroyed, and gets the closers' CPU time with the helper's (wait4(2)
 * counts only children that were waited for, not those reaped on their
 * own).
 */
static void wait_for_closers(void)
{
	while (wait(NULL) > 0 || errno == EINTR)
		;
}

/*
 * The helper's loop.  A message is held until the next one (or the
 * socket's end) arrives: kvmux sends them from one thread, so by then
 * the call that sent it has returned and kvmux's own copies are closed,
 * and the close made here is the last one, never kvmux's.  Held messages
 * but the last go to a closer each (side by side); the last is closed
 * here once kvmux has gone, which saves a fork per run.
 */
static void __attribute__((noreturn)) child(int sock)
{
	struct sigaction reaped = { .sa_handler = SIG_DFL };
	union {
		char buf[CMSG_SPACE(FDS_PER_MSG * sizeof(int))];
		struct cmsghdr align;
	} control[2];
	struct msghdr held = { .msg_controllen = 0 }; /* 0: none held */
	bool published = !publish_from;
	unsigned int next = 0; /* control[next] takes the next message */
	sigset_t all;
	char byte;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	sigaction(SIGCHLD, &reaped, NULL); /* closers: waited for at the end */
	close_range(0, sock - 1, 0);
	close_range(sock + 1, ~0U, 0);
	thread_enter(THREAD_RELEASE);
	for (;;) {
		struct iovec iov = { &byte, 1 };
		struct msghdr msg = { .msg_iov = &iov,
				      .msg_iovlen = 1,
				      .msg_control = control[next].buf,
				      .msg_controllen =
					      sizeof(control[0].buf) };
		ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* kvmux ended without asking: no file left behind. */
			if (!published)
				unlink(publish_from);
			leave_working_directory();
			close_received(&held);
			wait_for_closers();
			_exit(0);
		}
		if (n == 1 && byte == PUBLISH && !msg.msg_controllen) {
			if (!published)
				published = publish(sock);
			continue;
		}
		if (held.msg_controllen)
			close_in_child(sock, &held, &msg);
		held = msg;
		held.msg_iov = NULL;
		next ^= 1;
	}
}

int fd_release_start(const char *from, const char *to)
{
	int sv[2];
	pid_t pid;

	publish_from = from && to ? from : NULL;
	publish_to = from && to ? to : NULL;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return err_set_errno("socketpair");
	pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return err_set_errno("fork");
	}
	if (pid == 0)
		child(sv[1]);
	close(sv[1]);
	release_sock = sv[0];
	return 0;
}

/* One message with fds[0..nr), nr <= FDS_PER_MSG.  false if not sent. */
static bool send_fds(const int *fds, unsigned int nr)
{
	union {
		char buf[CMSG_SPACE(FDS_PER_MSG * sizeof(int))];
		struct cmsghdr align;
	} control;
	char byte = 0;
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = control.buf,
			      .msg_controllen = CMSG_SPACE(nr * sizeof(int)) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(nr * sizeof(int));
	memcpy(CMSG_DATA(c), fds, nr * sizeof(int));
	return sendmsg(release_sock, &msg, MSG_NOSIGNAL) == 1;
}

/*
 * Without the helper the last closes are kvmux's, and the last close of
 * a memfd frees the guest's pages: about 0.14 ms a MiB here (bench table
 * 5b), more than a closer costs from CLOSER_MIN_BYTES up.  Then a closer
 * is started for them (start_closer()), as for a slow close.
 */
#define CLOSER_MIN_BYTES (8ull << 20)

/* What the regular files (memfds) among fds hold, in bytes. */
static uint64_t held_bytes(const int *fds, unsigned int nr)
{
	uint64_t bytes = 0;
	struct stat st;
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (fds[i] >= 0 && !fstat(fds[i], &st) && S_ISREG(st.st_mode))
			bytes += (uint64_t)st.st_blocks * 512;
	return bytes;
}

/*
 * The closer shares kvmux's memory (clone(2) with CLONE_VM: no copy of
 * the page tables, which a fork makes, nor a copy-on-write fault for
 * every page kvmux writes after it: 0.3 ms of a hello boot's CPU on PVM).
 * Its own descriptor table is a copy, so it holds the VM's references
 * after kvmux's are gone, and it unmaps the guest's RAM for kvmux (which
 * no longer uses it): unmapping touched RAM costs about 0.07 ms a MiB,
 * more than the rest of kvmux's end.  It runs on a region of its own,
 * mapped for it and never unmapped (kvmux may exit first; the region goes
 * with the last user of the memory): its stack, the mappings it unmaps
 * and the descriptors it closes.  It writes nothing else, so no lock, no
 * errno and no sanitizer state of kvmux's: raw system calls only, made
 * here.
 */
struct closer_region {
	int gate, dropped; /* its ends of the two pipes */
	unsigned int nr, nr_maps;
	const int *fds; /* nr, in the region, after maps */
	const int *keep; /* nr + 2: fds, gate and dropped, ascending */
	struct iovec maps[]; /* then fds, keep and the stack */
};

#define CLOSER_STACK 16384

/* ThreadSanitizer (gcc says so one way, clang another). */
#if defined(__SANITIZE_THREAD__)
#define CLOSER_FORKS 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CLOSER_FORKS 1
#endif
#endif

static inline __attribute__((always_inline)) long
raw_syscall(long nr, long a0, long a1, long a2, long a3, long a4)
{
	register long r10 __asm__("r10") = a3;
	register long r8 __asm__("r8") = a4;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "0"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8)
			 : "rcx", "r11", "memory");
	return ret; /* -errno on failure: errno itself is kvmux's */
}

/*
 * The closer's code runs in a process that shares kvmux's memory (or, in
 * a ThreadSanitizer build, a raw fork of it): no sanitizer runtime may
 * run there, since its state (TSan's per-thread trace and its locks,
 * which another thread may hold, UBSan's report) is kvmux's.
 */
#define CLOSER_CODE \
	__attribute__((no_sanitize("address", "thread", "undefined")))

/*
 * The closer: it drops every other descriptor (it must hold no output,
 * disk lock or pipe of kvmux's, not even for a moment after kvmux has
 * gone: close_range() over the gaps between those it keeps) and says so
 * by closing dropped, waits until kvmux's copies of the fds are gone (the
 * gate's end of file), unmaps the maps, then closes its own, the last.
 * Signals stay blocked (clone() inherits the mask it is called with): a
 * handler of kvmux's must not run here.
 */
CLOSER_CODE static int closer(void *opaque)
{
	/* Every signal, glibc's own two too (SIGCANCEL, SIGSETXID), which
	 * pthread_sigmask() in start_closer() leaves unblocked. */
	static const uint64_t all_signals = ~0ull;
	const struct closer_region *c = opaque;
	unsigned int i, from = 0;
	char byte;

	raw_syscall(SYS_rt_sigprocmask, SIG_SETMASK, (long)&all_signals, 0,
		    sizeof(all_signals), 0);
	for (i = 0; i < c->nr + 2; i++) {
		if (c->keep[i] < 0)
			continue;
		if ((unsigned int)c->keep[i] > from)
			raw_syscall(SYS_close_range, from, c->keep[i] - 1, 0, 0,
				    0);
		from = c->keep[i] + 1;
	}
	raw_syscall(SYS_close_range, from, ~0U, 0, 0, 0);
	/* Nor its working directory: a umount right after kvmux would find
	 * it busy. */
	raw_syscall(SYS_chdir, (long)"/", 0, 0, 0, 0);
	/* Named only now: nothing of kvmux's (stderr) is left to a SIGSYS. */
	raw_syscall(SYS_prctl, PR_SET_NAME, (long)"kvmux-closer", 0, 0, 0);
	raw_syscall(SYS_close, c->dropped, 0, 0, 0, 0);
	while (raw_syscall(SYS_read, c->gate, (long)&byte, 1, 0, 0) == -EINTR)
		;
	for (i = 0; i < c->nr_maps; i++)
		raw_syscall(SYS_munmap, (long)c->maps[i].iov_base,
			    c->maps[i].iov_len, 0, 0, 0);
	for (i = 0; i < c->nr; i++)
		if (c->fds[i] >= 0)
			raw_syscall(SYS_close, c->fds[i], 0, 0, 0, 0);
	raw_syscall(SYS_exit_group, 0, 0, 0, 0, 0);
	return 0;
}

static void unmap(const struct iovec *maps, unsigned int nr_maps)
{
	unsigned int i;

	for (i = 0; i < nr_maps; i++)
		munmap(maps[i].iov_base, maps[i].iov_len);
}

static int by_number(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* The region for a closer of fds and maps, filled in; NULL if none. */
static struct closer_region *closer_region(const int *fds, unsigned int nr,
					   const struct iovec *maps,
					   unsigned int nr_maps, int gate,
					   int dropped, size_t *len)
{
	struct closer_region *c;
	int *fds_copy, *keep;

	/* A multiple of 16: the stack's top, at the end, is aligned. */
	*len = (sizeof(*c) + nr_maps * sizeof(*maps) +
		(2 * nr + 2) * sizeof(int) + CLOSER_STACK + 15) &
	       ~(size_t)15;
	c = mmap(NULL, *len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (c == MAP_FAILED)
		return NULL;
	fds_copy = (int *)(c->maps + nr_maps);
	keep = fds_copy + nr;
	*c =
		(struct closer_region){ gate,	 dropped,  nr,
					nr_maps, fds_copy, keep };
	if (nr_maps)
		memcpy(c->maps, maps, nr_maps * sizeof(*maps));
	if (nr) {
		memcpy(fds_copy, fds, nr * sizeof(int));
		memcpy(keep, fds, nr * sizeof(int));
	}
	keep[nr] = gate;
	keep[nr + 1] = dropped;
	qsort(keep, nr + 2, sizeof(int), by_number);
	return c;
}

/*
 * Start the closer of fds[0..nr) and maps[0..nr_maps) with the pipes'
 * ends gate and dropped; its pid, or -1 (nothing unmapped).
 * ThreadSanitizer keeps per-thread state that a second user of the
 * memory would corrupt: its builds fork the closer instead, and unmap
 * here.
 */
static long start_closer(const int *fds, unsigned int nr,
			 const struct iovec *maps, unsigned int nr_maps,
			 int gate, int dropped)
{
	sigset_t all, old;
	struct closer_region *c;
	size_t len;
	long pid;

	c = closer_region(fds, nr, maps, nr_maps, gate, dropped, &len);
	if (!c)
		return -1;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
#ifdef CLOSER_FORKS
	c->nr_maps = 0;
	pid = syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
	if (pid == 0)
		closer(c);
	if (pid > 0)
		unmap(maps, nr_maps);
#else
	pid = clone(closer, (char *)c + len, CLONE_VM | SIGCHLD, c);
#endif
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (pid < 0)
		munmap(c, len);
	return pid;
}

#ifdef KVMUX_TEST_BUILD
/*
 * Test builds only: with $KVMUX_TEST_WAIT_CLOSER set, wait for the
 * closer and say how it ended: it runs under the main thread's filter
 * without stderr and with SIGSYS blocked, so a forbidden call would end
 * it unseen (killed by SIGSYS, 31: the kernel forces the default action
 * on a blocked SIGSYS, not kvmux's handler and its 159).
 */
static bool test_wait_closer(long pid)
{
	int status;

	if (!getenv("KVMUX_TEST_WAIT_CLOSER") ||
	    waitpid(pid, &status, 0) != pid)
		return false;
	diag("test build: closer %s %d",
	     WIFEXITED(status) ? "exited with" : "killed by signal",
	     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return true;
}
#else
static bool test_wait_closer(long pid)
{
	return false;
}
#endif

/*
 * The closers still to be reaped.  kvmux never waits for one, but reaps
 * those that have ended whenever it starts another and at
 * fd_release_stop(), so a group whose VMs end one by one leaves no
 * zombies; those still running when kvmux ends are orphans, which init
 * (or the caller's subreaper) reaps.  Beyond the table's size, a closer
 * is left to that too.
 */
#define CLOSERS_TRACKED 64
static long closer_pid[CLOSERS_TRACKED];
static unsigned int nr_closer_pids;

/* By pid only: the cgroup reaper, another child, is waited for by its
 * own code. */
static void reap_closers(void)
{
	unsigned int i = 0;

	while (i < nr_closer_pids)
		if (waitpid(closer_pid[i], NULL, WNOHANG) == 0)
			i++; /* still running */
		else /* ended, or gone */
			closer_pid[i] = closer_pid[--nr_closer_pids];
}

/* Until every write end of fd is closed (or it fails). */
static void wait_for_eof(int fd)
{
	ssize_t n;
	char byte;

	do
		n = read(fd, &byte, 1);
	while (n > 0 || (n < 0 && errno == EINTR));
}

/*
 * Close fds with their pages freed by a closer; false (nothing closed) if
 * it could not be started.  Once the closer has dropped the rest, kvmux's
 * copies go, then the gate opens.  The maps are the closer's from then
 * on: one killed before its munmap (SIGKILL) leaves them mapped until
 * kvmux exits.
 */
static bool close_by_closer(const int *fds, unsigned int nr,
			    const struct iovec *maps, unsigned int nr_maps)
{
	int gate[2], dropped[2];
	unsigned int i;
	long pid = -1;

	if (pipe2(gate, O_CLOEXEC) < 0)
		return false;
	if (pipe2(dropped, O_CLOEXEC) == 0) {
		pid = start_closer(fds, nr, maps, nr_maps, gate[0], dropped[1]);
		close(dropped[1]);
		if (pid > 0)
			wait_for_eof(dropped[0]);
		close(dropped[0]);
	}
	close(gate[0]);
	if (pid > 0)
		for (i = 0; i < nr; i++)
			if (fds[i] >= 0)
				close(fds[i]);
	close(gate[1]);
	reap_closers();
	if (pid > 0 && !test_wait_closer(pid) &&
	    nr_closer_pids < CLOSERS_TRACKED)
		closer_pid[nr_closer_pids++] = pid;
	return pid > 0;
}

/*
 * Each message's copies are closed here before the next message goes:
 * the helper closes a message's once the next comes, and the VM's
 * references may all be in an earlier message than the last (the RAM's
 * memfds come last).  The mappings go first, here, but for a closer's.
 */
void fd_release_close(const int *fds, unsigned int nr, const struct iovec *maps,
		      unsigned int nr_maps, bool slow)
{
	bool sending = release_sock >= 0;
	unsigned int i, j, n;

	if (!sending && (slow || held_bytes(fds, nr) >= CLOSER_MIN_BYTES) &&
	    close_by_closer(fds, nr, maps, nr_maps))
		return;
	unmap(maps, nr_maps);
	for (i = 0; i < nr; i += n) {
		n = nr - i < FDS_PER_MSG ? nr - i : FDS_PER_MSG;
		/* After a failure the rest is closed here: correct, slower. */
		sending = sending && send_fds(fds + i, n);
		for (j = i; j < i + n; j++)
			if (fds[j] >= 0)
				close(fds[j]);
	}
}

int fd_release_publish(void)
{
	char byte = PUBLISH;
	int err = EPIPE;
	struct iovec out = { &byte, 1 }, in = { &err, sizeof(err) };
	struct msghdr msg = { .msg_iov = &out, .msg_iovlen = 1 };

	if (release_sock < 0 || !publish_from)
		return ENOTCONN;
	if (sendmsg(release_sock, &msg, MSG_NOSIGNAL) != 1)
		return errno;
	msg.msg_iov = &in;
	if (recvmsg(release_sock, &msg, 0) != sizeof(err))
		return EPIPE;
	return err;
}

void fd_release_stop(void)
{
	if (release_sock >= 0)
		close(release_sock);
	release_sock = -1;
	reap_closers();
}
