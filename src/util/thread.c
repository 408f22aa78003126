// SPDX-License-Identifier: GPL-2.0-only
/* thread.c - bounded joins (kvmux/thread.h) */
#include <errno.h>
#include <time.h>

#include "kvmux/thread.h"

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
