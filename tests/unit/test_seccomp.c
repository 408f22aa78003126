// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_seccomp.c - the system call filters without KVM: a forked child
 * installs one kind's filter and makes a call; what the parent sees is
 * its exit status and the line it wrote on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "kvmux/exit_status.h"
#include "kvmux/seccomp.h"

enum call {
	CALL_WRITE, /* every list allows it */
	CALL_SOCKET, /* no list allows it */
	CALL_KVM_RUN, /* a vCPU's ioctl */
	CALL_TTY_SET, /* ioctl(TCSETS) on a descriptor that is not stdin */
	CALL_MMAP_EXEC, /* executable memory */
};

/* fd: /dev/null, opened before the filter (no list allows open(2)). */
static void make_call(enum call call, int fd)
{
	void *p;

	switch (call) {
	case CALL_WRITE:
		if (write(fd, "x", 1) != 1)
			_exit(2);
		break;
	case CALL_SOCKET:
		socket(AF_INET, SOCK_STREAM, 0);
		break;
	case CALL_KVM_RUN:
		if (ioctl(fd, KVM_RUN, 0) != -1 || errno != ENOTTY)
			_exit(2);
		break;
	case CALL_TTY_SET:
		ioctl(fd, TCSETS, NULL);
		break;
	case CALL_MMAP_EXEC:
		p = mmap(NULL, 4096, PROT_READ | PROT_EXEC,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(2);
		break;
	}
}

/*
 * In a child: set up mode, enter as kind, make the call, _exit(0).
 * Returns the child's exit status; err gets what it wrote on stderr.
 */
static int run_child(enum syscall_filter mode, enum thread_kind kind,
		     enum call call, char *err, size_t size)
{
	int pipe_fd[2], status;
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(pipe_fd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);

		dup2(pipe_fd[1], STDERR_FILENO);
		if (fd < 0 || seccomp_setup(mode, NULL) < 0)
			_exit(3);
		thread_enter(kind);
		make_call(call, fd);
		_exit(0);
	}
	close(pipe_fd[1]);
	n = read(pipe_fd[0], err, size - 1);
	err[n > 0 ? n : 0] = '\0';
	close(pipe_fd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void allowed_call_passes(void **state)
{
	char err[256];

	assert_int_equal(run_child(SYSCALL_FILTER_ON, THREAD_OUTPUT, CALL_WRITE,
				   err, sizeof(err)),
			 0);
	assert_string_equal(err, "");
}

static void forbidden_call_is_one_line(void **state)
{
	char err[256];

	assert_int_equal(run_child(SYSCALL_FILTER_ON, THREAD_IO, CALL_SOCKET,
				   err, sizeof(err)),
			 EXIT_SECCOMP);
	assert_string_equal(err, "kvmux: seccomp: a device I/O thread made "
				 "system call socket, which its allowlist "
				 "forbids (exit status 159)\n");
}

/* ioctl(2) by request: KVM_RUN on a vCPU thread; TCSETS only on stdin. */
static void ioctl_by_request(void **state)
{
	char err[256];

	assert_int_equal(run_child(SYSCALL_FILTER_ON, THREAD_VCPU, CALL_KVM_RUN,
				   err, sizeof(err)),
			 0);
	assert_int_equal(run_child(SYSCALL_FILTER_ON, THREAD_IO, CALL_KVM_RUN,
				   err, sizeof(err)),
			 EXIT_SECCOMP);
	assert_non_null(strstr(err, "system call ioctl"));
	assert_int_equal(run_child(SYSCALL_FILTER_ON, THREAD_MAIN, CALL_TTY_SET,
				   err, sizeof(err)),
			 EXIT_SECCOMP);
}

static void no_executable_memory(void **state)
{
	char err[256];

	assert_int_equal(run_child(SYSCALL_FILTER_ON, THREAD_VCPU,
				   CALL_MMAP_EXEC, err, sizeof(err)),
			 EXIT_SECCOMP);
	assert_non_null(strstr(err, "system call mmap"));
}

/* log: the call goes through (the kernel logs it); off: nothing. */
static void log_and_off_let_it_through(void **state)
{
	char err[256];

	assert_int_equal(run_child(SYSCALL_FILTER_LOG, THREAD_VCPU, CALL_SOCKET,
				   err, sizeof(err)),
			 0);
	assert_int_equal(run_child(SYSCALL_FILTER_OFF, THREAD_VCPU, CALL_SOCKET,
				   err, sizeof(err)),
			 0);
	assert_string_equal(err, "");
}

/*
 * The release helper forks a closer per VM (host/fd_release.c): the
 * child glibc's fork() makes must live under the helper's list (it once
 * died of SIGSYS at its first call, set_robust_list, and the VM was then
 * destroyed on kvmux's own exit path).  The closer says so on stderr.
 */
static void release_helper_can_fork_a_closer(void **state)
{
	char err[512];
	size_t got = 0;
	int pipe_fd[2], status;
	ssize_t n;
	pid_t pid;

#ifdef __SANITIZE_THREAD__
	/* ThreadSanitizer's runtime does more in a forked child than the
	 * list (and its sanitizer additions) allow; the plain and ASan
	 * builds run this test. */
	skip();
#endif
	assert_int_equal(pipe(pipe_fd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(pipe_fd[1], STDERR_FILENO);
		close(pipe_fd[0]);
		close(pipe_fd[1]);
		if (seccomp_setup(SYSCALL_FILTER_ON, NULL) < 0)
			_exit(3);
		thread_enter(THREAD_RELEASE);
		if (fork() == 0) {
			if (write(STDERR_FILENO, "closer ran\n", 11) != 11)
				_exit(2);
			_exit(0);
		}
		_exit(0);
	}
	close(pipe_fd[1]);
	while (got < sizeof(err) - 1 &&
	       (n = read(pipe_fd[0], err + got, sizeof(err) - 1 - got)) > 0)
		got += n;
	err[got] = '\0';
	close(pipe_fd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_string_equal(err, "closer ran\n");
}

/* The sizes of the lists, as docs/architecture.md gives them. */
static void list_sizes(void **state)
{
	enum thread_kind kind;
	unsigned int calls, ioctls;

	for (kind = 0; kind < THREAD_KINDS; kind++) {
		calls = seccomp_list_size(kind, &ioctls);
		assert_true(calls > 10);
		print_message("%-7s %u system calls, %u ioctl requests\n",
			      thread_kind_name(kind), calls, ioctls);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(allowed_call_passes),
		cmocka_unit_test(forbidden_call_is_one_line),
		cmocka_unit_test(ioctl_by_request),
		cmocka_unit_test(no_executable_memory),
		cmocka_unit_test(log_and_off_let_it_through),
		cmocka_unit_test(release_helper_can_fork_a_closer),
		cmocka_unit_test(list_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
