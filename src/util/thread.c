// SPDX-License-Identifier: GPL-2.0-only
/* thread.c - thread kinds, bounded joins and the descriptor table
 * (kvmux/thread.h) */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "kvmux/thread.h"

static void (*enter_hook)(enum thread_kind kind);

void thread_enter(enum thread_kind kind)
{
	void (*hook)(enum thread_kind) =
		__atomic_load_n(&enter_hook, __ATOMIC_ACQUIRE);
	char name[16];

	/* "kvmux-vcpu" in ps -L and /proc/PID/task/TID/comm; the main
	 * thread keeps the process's name. */
	if (kind != THREAD_MAIN) {
		snprintf(name, sizeof(name), "kvmux-%s",
			 thread_kind_name(kind));
		prctl(PR_SET_NAME, name, 0, 0, 0);
	}
	if (hook)
		hook(kind);
}

void thread_set_enter_hook(void (*hook)(enum thread_kind kind))
{
	__atomic_store_n(&enter_hook, hook, __ATOMIC_RELEASE);
}

const char *thread_kind_name(enum thread_kind kind)
{
	static const char *const names[THREAD_KINDS] = {
		[THREAD_MAIN] = "main",	      [THREAD_VCPU] = "vcpu",
		[THREAD_IO] = "io",	      [THREAD_OUTPUT] = "output",
		[THREAD_SCHED] = "sched",     [THREAD_REAPER] = "reaper",
		[THREAD_RELEASE] = "release",
	};

	return (unsigned int)kind < THREAD_KINDS ? names[kind] : "unknown";
}

uint64_t thread_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* pthread_timedjoin_np() takes a CLOCK_REALTIME time: convert. */
int thread_join_until(pthread_t thread, uint64_t deadline_ns)
{
	uint64_t now = thread_now_ns(), left;
	struct timespec abs;

	left = deadline_ns > now ? deadline_ns - now : 0;
	clock_gettime(CLOCK_REALTIME, &abs);
	abs.tv_sec += left / 1000000000ull;
	abs.tv_nsec += left % 1000000000ull;
	if (abs.tv_nsec >= 1000000000L) {
		abs.tv_sec++;
		abs.tv_nsec -= 1000000000L;
	}
	if (pthread_timedjoin_np(thread, NULL, &abs) == 0)
		return 0;
	pthread_detach(thread);
	return -1;
}

/* A descriptor numbered nr - 1 makes the kernel size the table for it. */
int thread_reserve_fds(unsigned int nr)
{
	struct rlimit lim;
	int fd, high, err = 0;

	if (getrlimit(RLIMIT_NOFILE, &lim) < 0)
		return -errno;
	if (lim.rlim_cur != RLIM_INFINITY && nr > lim.rlim_cur) {
		/* Up to the hard limit; if that fails, it stays as it was. */
		lim.rlim_cur = nr;
		if (lim.rlim_max != RLIM_INFINITY && nr > lim.rlim_max)
			lim.rlim_cur = lim.rlim_max;
		setrlimit(RLIMIT_NOFILE, &lim);
		getrlimit(RLIMIT_NOFILE, &lim);
		if (nr > lim.rlim_cur)
			nr = lim.rlim_cur;
	}
	if (nr > INT_MAX)
		nr = INT_MAX;
	if (nr == 0)
		return 0;
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	high = fcntl(fd, F_DUPFD_CLOEXEC, (int)nr - 1);
	if (high < 0)
		err = -errno;
	else
		close(high);
	close(fd);
	return err;
}
