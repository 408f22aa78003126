/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * loop_thread.h - an event loop (kvmux/event_loop.h) run by a thread of
 * its own, as kvmux's main thread runs the run's: what serves direct
 * out_streams (kvmux/out_stream.h) in tests.  Attach streams before
 * lt_start(); stop it (lt_stop()) before draining or closing them.
 */
#ifndef KVMUX_TESTS_LOOP_THREAD_H
#define KVMUX_TESTS_LOOP_THREAD_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "kvmux/event_loop.h"

struct loop_thread {
	struct event_loop loop;
	int stop_fd; /* eventfd: lt_stop() */
	bool stop, running;
	pthread_t thread;
};

static inline void lt_on_stop(void *opaque, int fd, uint32_t events)
{
	struct loop_thread *lt = opaque;

	event_fd_drain(fd);
	lt->stop = true;
}

static inline void *lt_run(void *arg)
{
	struct loop_thread *lt = arg;

	while (!lt->stop)
		if (event_loop_run_once(&lt->loop, -1) < 0)
			break;
	return NULL;
}

/* The loop, not running yet; 0, or -1. */
static inline int lt_init(struct loop_thread *lt)
{
	lt->stop = lt->running = false;
	if (event_loop_init(&lt->loop) < 0)
		return -1;
	lt->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (lt->stop_fd < 0)
		return -1;
	return event_loop_add(&lt->loop, lt->stop_fd, EPOLLIN, lt_on_stop, lt);
}

static inline int lt_start(struct loop_thread *lt)
{
	if (pthread_create(&lt->thread, NULL, lt_run, lt))
		return -1;
	lt->running = true;
	return 0;
}

/* Stop the thread (once; later calls do nothing). */
static inline void lt_stop(struct loop_thread *lt)
{
	uint64_t one = 1;

	if (!lt->running)
		return;
	if (write(lt->stop_fd, &one, sizeof(one)) == sizeof(one))
		pthread_join(lt->thread, NULL);
	lt->running = false;
}

/* After lt_stop() and after closing the streams attached to it. */
static inline void lt_free(struct loop_thread *lt)
{
	lt_stop(lt);
	event_loop_free(&lt->loop);
	close(lt->stop_fd);
}

#endif
