// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_fd_release.c - descriptors handed to the release helper
 * (host/fd_release.c) are closed by it, whole batches at once, each once
 * the next batch or the helper's end comes, and without a helper they
 * are closed here, or by a forked closer when they hold much RAM.  A pipe's read end sees end of
 * file once every copy of its write end is closed: that is the proof.
 * It also renames --result's file when asked, and removes it if not.
 * Each test waits for its helper to end (the only child).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "kvmux/fd_release.h"
#include "tmp_test_util.h"

#define NR_PIPES 100 /* more than one message's worth */
#define EOF_WAIT_MS 10000 /* a bound for a busy machine, not a timing */
#define QUIET_MS 200 /* how long a descriptor that must stay open is watched */

/* The read end reaches end of file (every write end is closed). */
static void assert_eof(int rfd)
{
	struct pollfd p = { .fd = rfd, .events = POLLIN };
	char c;

	assert_int_equal(poll(&p, 1, EOF_WAIT_MS), 1);
	assert_int_equal(read(rfd, &c, 1), 0);
	close(rfd);
}

/* Stop the helper and wait for it to end (the only child). */
static void stop_helper(void)
{
	fd_release_stop();
	assert_true(waitpid(-1, NULL, 0) > 0);
}

/*
 * This program's sendmsg(), which host/fd_release.c calls instead of the
 * C library's.  While watching, it notes whether a descriptor of the
 * message sent before is still open here when the next one goes: the
 * helper closes a message's copies once the next comes, so this
 * process's close of it would be the last.  (A helper forked before
 * watching began never watches.)
 */
static bool watching, open_at_next;
static int sent_fds[NR_PIPES];
static size_t nr_sent;

ssize_t sendmsg(int sock, const struct msghdr *msg, int flags)
{
	struct cmsghdr *c = CMSG_FIRSTHDR(msg);
	size_t i;

	if (watching && c && c->cmsg_type == SCM_RIGHTS) {
		for (i = 0; i < nr_sent; i++)
			if (fcntl(sent_fds[i], F_GETFD) >= 0)
				open_at_next = true;
		nr_sent = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		assert_true(nr_sent <= NR_PIPES);
		memcpy(sent_fds, CMSG_DATA(c), nr_sent * sizeof(int));
	}
	return syscall(SYS_sendmsg, sock, msg, flags);
}

/* No end of file on rfd within QUIET_MS: its write end is still open.
 * (It can only pass wrongly, never fail wrongly, on a slow machine.) */
static void assert_open(int rfd)
{
	struct pollfd p = { .fd = rfd, .events = POLLIN };

	assert_int_equal(poll(&p, 1, QUIET_MS), 0);
}

static void closed_by_the_helper(void **state)
{
	int rfd[NR_PIPES], wfd[NR_PIPES], p[2];
	unsigned int i;

	assert_int_equal(fd_release_start(NULL, NULL), 0);
	for (i = 0; i < NR_PIPES; i++) {
		assert_int_equal(pipe(p), 0);
		rfd[i] = p[0];
		wfd[i] = p[1];
	}
	watching = true;
	open_at_next = false;
	nr_sent = 0;
	fd_release_close(wfd, NR_PIPES, NULL, 0, false);
	watching = false;
	for (i = 0; i < NR_PIPES; i++) /* ours are gone at once */
		assert_int_equal(close(wfd[i]), -1);
	/* Two messages (a VM of many vCPUs): the first is closed when the
	 * second comes, so ours must be closed before the second goes; the
	 * second (the last) only at the helper's end. */
	assert_true(nr_sent < NR_PIPES);
	assert_false(open_at_next);
	for (i = 0; i < NR_PIPES / 2; i++)
		assert_eof(rfd[i]);
	assert_open(rfd[NR_PIPES - 1]);
	stop_helper();
	for (; i < NR_PIPES; i++)
		assert_eof(rfd[i]);
}

/* One call per VM: a VM's copies are closed once the next VM's come
 * (kvmux has closed its own by then), the last VM's at the helper's
 * end, after kvmux's, so that kvmux never makes the last close. */
static void each_closed_after_the_next(void **state)
{
	int a[2], b[2];

	assert_int_equal(fd_release_start(NULL, NULL), 0);
	assert_int_equal(pipe(a), 0);
	assert_int_equal(pipe(b), 0);
	fd_release_close(&a[1], 1, NULL, 0, false);
	assert_open(a[0]);
	fd_release_close(&b[1], 1, NULL, 0, false);
	assert_eof(a[0]);
	assert_open(b[0]);
	stop_helper();
	assert_eof(b[0]);
}

/* Does the read end reach end of file within EOF_WAIT_MS? */
static bool reaches_eof(int rfd)
{
	struct pollfd p = { .fd = rfd, .events = POLLIN };
	char c;

	return poll(&p, 1, EOF_WAIT_MS) == 1 && read(rfd, &c, 1) == 0;
}

/*
 * A descriptor whose last close blocks until release_slow(), as a VM's
 * waits for SRCU: a TCP connection over loopback whose peer is never
 * accepted, so it reads nothing, with full buffers and SO_LINGER (the
 * close waits until the data is taken).
 */
struct slow_close {
	int listener, fd;
};

static void make_slow(struct slow_close *s)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct linger linger = { .l_onoff = 1, .l_linger = 600 };
	socklen_t len = sizeof(a);
	static char buf[65536];

	s->listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s->listener >= 0 && s->fd >= 0);
	if (bind(s->listener, (struct sockaddr *)&a, len) < 0) {
		close(s->listener); /* no loopback (a bare network namespace) */
		close(s->fd);
		skip();
	}
	assert_int_equal(listen(s->listener, 1), 0);
	assert_int_equal(getsockname(s->listener, (struct sockaddr *)&a, &len),
			 0);
	assert_int_equal(connect(s->fd, (struct sockaddr *)&a, len), 0);
	assert_int_equal(fcntl(s->fd, F_SETFL, O_NONBLOCK), 0);
	while (write(s->fd, buf, sizeof(buf)) > 0)
		;
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &linger,
				    sizeof(linger)),
			 0);
}

/* The peer takes everything: the blocked close returns. */
static void release_slow(struct slow_close *s)
{
	static char buf[65536];
	int peer = accept(s->listener, NULL, NULL);

	assert_true(peer >= 0);
	while (read(peer, buf, sizeof(buf)) > 0)
		;
	close(peer);
	close(s->listener);
}

/* A VM whose destruction takes long holds up no other VM's: each
 * closer holds its own message's descriptors only. */
static void closers_side_by_side(void **state)
{
	struct slow_close slow;
	int b[2], c[2];
	bool b_closed;

	make_slow(&slow);
	assert_int_equal(fd_release_start(NULL, NULL), 0);
	assert_int_equal(pipe(b), 0);
	assert_int_equal(pipe(c), 0);
	fd_release_close(&slow.fd, 1, NULL, 0,
			 false); /* its closer blocks in close() */
	fd_release_close(&b[1], 1, NULL, 0, false);
	fd_release_close(&c[1], 1, NULL, 0, false); /* b's closer starts */
	b_closed = reaches_eof(b[0]);
	release_slow(&slow);
	stop_helper();
	assert_true(b_closed);
	assert_eof(c[0]);
	close(b[0]);
}

/* The helper ends only after its closers: whoever waits for it knows
 * that every VM is destroyed, and gets their CPU time with its own
 * (wait4(2) counts no child that was not waited for). */
static void ends_after_its_closers(void **state)
{
	struct timespec quiet = { 0, QUIET_MS * 1000000L };
	struct slow_close slow;
	sigset_t chld, old;
	bool ended;
	int b[2];

	make_slow(&slow);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	assert_int_equal(sigprocmask(SIG_BLOCK, &chld, &old), 0);
	assert_int_equal(fd_release_start(NULL, NULL), 0);
	assert_int_equal(pipe(b), 0);
	fd_release_close(&slow.fd, 1, NULL, 0, false);
	fd_release_close(&b[1], 1, NULL, 0,
			 false); /* the slow one's closer blocks */
	fd_release_stop();
	assert_eof(b[0]); /* the helper has seen the end */
	/* (It can only pass wrongly, never fail wrongly, when slow.) */
	ended = sigtimedwait(&chld, NULL, &quiet) == SIGCHLD;
	release_slow(&slow);
	assert_true(waitpid(-1, NULL, 0) > 0);
	assert_int_equal(sigprocmask(SIG_SETMASK, &old, NULL), 0);
	assert_false(ended);
}

static void closed_here_without_a_helper(void **state)
{
	int p[2];

	assert_int_equal(pipe(p), 0);
	fd_release_close(&p[1], 1, NULL, 0,
			 false); /* stopped above: none now */
	assert_eof(p[0]);
}

/* A memfd holding mib MiB (written, so its pages exist). */
static int memfd_of(unsigned int mib)
{
	static char page[4096];
	int fd = memfd_create("test", MFD_CLOEXEC);
	unsigned int i;

	assert_true(fd >= 0);
	memset(page, 0xaa, sizeof(page));
	for (i = 0; i < mib * 256; i++)
		assert_int_equal(write(fd, page, sizeof(page)), sizeof(page));
	return fd;
}

/* A mapping of fd's first MiB, as the guest's RAM. */
static struct iovec map_of(int fd)
{
	void *at =
		mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	assert_true(at != MAP_FAILED);
	return (struct iovec){ at, 1 << 20 };
}

/* Is anything mapped at map?  mincore() fails with ENOMEM where not. */
static bool mapped(struct iovec map)
{
	unsigned char vec[256];

	return mincore(map.iov_base, map.iov_len, vec) == 0;
}

/* Without a helper, little RAM is freed here: no process is forked, and
 * its mapping is gone when the call returns. */
static void small_ram_closed_here(void **state)
{
	int p[2], fds[2];
	struct iovec map;

	assert_int_equal(pipe(p), 0);
	fds[0] = p[1];
	fds[1] = memfd_of(1);
	map = map_of(fds[1]);
	fd_release_close(fds, 2, &map, 1, false);
	assert_false(mapped(map));
	assert_int_equal(fcntl(fds[1], F_GETFD), -1);
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	assert_eof(p[0]);
}

/* Without a helper, RAM worth more than a fork goes to a closer: this
 * process's copies are closed at once, the closer's after them; it has
 * dropped every other descriptor by the time the call returns (another
 * pipe's reader sees its end once this process closes its copy). */
static void big_ram_to_a_closer(void **state)
{
	int p[2], other[2], fds[2], status;

	assert_int_equal(pipe(p), 0);
	assert_int_equal(pipe(other), 0);
	fds[0] = p[1];
	fds[1] = memfd_of(16);
	fd_release_close(fds, 2, NULL, 0, false);
	close(other[1]);
	assert_int_equal(
		poll(&(struct pollfd){ .fd = other[0], .events = POLLIN }, 1,
		     0),
		1); /* now: no waiting for the closer's end */
	assert_eof(other[0]);
	assert_int_equal(fcntl(fds[0], F_GETFD), -1);
	assert_int_equal(fcntl(fds[1], F_GETFD), -1);
	assert_true(waitpid(-1, &status, 0) > 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_eof(p[0]);
}

/* Without a helper, a slow close (KVM's own irqchip) goes to a closer
 * however little RAM: this process's copy is closed at once, the
 * closer's (the last) after it, and the closer, which shares this
 * process's memory, unmaps the RAM for it. */
static void slow_close_to_a_closer(void **state)
{
	int p[2], fds[2], status;
	struct iovec map;

	assert_int_equal(pipe(p), 0);
	fds[0] = p[1];
	fds[1] = memfd_of(1);
	map = map_of(fds[1]);
	fd_release_close(fds, 2, &map, 1, true);
	assert_int_equal(fcntl(p[1], F_GETFD), -1);
	assert_true(waitpid(-1, &status, 0) > 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_eof(p[0]);
	assert_false(mapped(map));
}

/* Wait (EOF_WAIT_MS at most) until a child has ended, without reaping
 * it; its pid. */
static pid_t wait_ended(void)
{
	unsigned int ms;

	for (ms = 0; ms < EOF_WAIT_MS; ms++) {
		siginfo_t info = { 0 };

		assert_int_equal(
			waitid(P_ALL, 0, &info, WEXITED | WNOWAIT | WNOHANG),
			0);
		if (info.si_pid)
			return info.si_pid;
		poll(NULL, 0, 1);
	}
	fail_msg("no child ended within %d ms", EOF_WAIT_MS);
	return -1;
}

/* A closer that has ended is reaped when the next one starts, the last
 * at fd_release_stop(): no zombie is left behind.  A child that is not a
 * closer is left to its own waiter. */
static void ended_closers_are_reaped(void **state)
{
	int p[2], q[2], r[2];
	pid_t first, other;

	assert_int_equal(pipe(p), 0);
	assert_int_equal(pipe(q), 0);
	assert_int_equal(pipe(r), 0);
	fd_release_close(&p[1], 1, NULL, 0, true);
	first = wait_ended();
	fd_release_close(&q[1], 1, NULL, 0, true);
	assert_int_equal(waitpid(first, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	wait_ended();
	fd_release_stop();
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	assert_eof(p[0]);
	assert_eof(q[0]);

	other = fork();
	assert_true(other >= 0);
	if (other == 0)
		_exit(0);
	assert_int_equal(wait_ended(), other);
	fd_release_close(&r[1], 1, NULL, 0, true);
	fd_release_stop();
	assert_int_equal(waitpid(other, NULL, WNOHANG), other);
	while (waitpid(-1, NULL, 0) > 0) /* r's closer, if not reaped yet */
		;
	assert_eof(r[0]);
}

/* A directory with a file "temp" in it, as result_open() makes, and the
 * name "final" beside it. */
struct names {
	char dir[80], from[96], to[112];
};

static void make_names(struct names *n)
{
	FILE *f;

	snprintf(n->dir, sizeof(n->dir), "%s/names-XXXXXX", tmp_test_dir);
	assert_non_null(mkdtemp(n->dir));
	snprintf(n->from, sizeof(n->from), "%s/temp", n->dir);
	snprintf(n->to, sizeof(n->to), "%s/final", n->dir);
	f = fopen(n->from, "w");
	assert_non_null(f);
	assert_int_equal(fclose(f), 0);
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* The helper renames the names it was given when asked. */
static void renames_when_asked(void **state)
{
	struct names n;

	make_names(&n);
	assert_int_equal(fd_release_start(n.from, n.to), 0);
	assert_int_equal(fd_release_publish(), 0);
	stop_helper();
	assert_false(exists(n.from));
	assert_true(exists(n.to));
	unlink(n.to);
	rmdir(n.dir);
}

/* A rename that fails removes the file and says why. */
static void failed_rename_removes(void **state)
{
	struct names n;

	make_names(&n);
	snprintf(n.to, sizeof(n.to), "%s/missing/final", n.dir);
	assert_int_equal(fd_release_start(n.from, n.to), 0);
	assert_int_equal(fd_release_publish(), ENOENT);
	stop_helper();
	assert_false(exists(n.from));
	rmdir(n.dir);
}

/* kvmux ended without asking: the helper removes the file. */
static void removes_unless_asked(void **state)
{
	struct names n;

	make_names(&n);
	assert_int_equal(fd_release_start(n.from, n.to), 0);
	stop_helper();
	assert_false(exists(n.from));
	assert_false(exists(n.to));
	assert_int_equal(fd_release_publish(), ENOTCONN);
	rmdir(n.dir);
}

/* Each test's names are in one directory, removed even if a test fails. */
static int make_tmp_dir(void **state)
{
	return tmp_test_dir_make("release");
}

static int remove_tmp_dir(void **state)
{
	return tmp_test_dir_remove();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(closed_by_the_helper),
		cmocka_unit_test(each_closed_after_the_next),
		cmocka_unit_test(closers_side_by_side),
		cmocka_unit_test(ends_after_its_closers),
		cmocka_unit_test(closed_here_without_a_helper),
		cmocka_unit_test(small_ram_closed_here),
		cmocka_unit_test(big_ram_to_a_closer),
		cmocka_unit_test(slow_close_to_a_closer),
		cmocka_unit_test(ended_closers_are_reaped),
		cmocka_unit_test(renames_when_asked),
		cmocka_unit_test(failed_rename_removes),
		cmocka_unit_test(removes_unless_asked),
	};

	return cmocka_run_group_tests(tests, make_tmp_dir, remove_tmp_dir);
}
