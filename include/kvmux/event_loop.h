/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * event_loop.h - epoll over file descriptors (stdin, timers, signals,
 * eventfds) with one callback each; run by the thread that owns the VMs.
 */
#ifndef KVMUX_EVENT_LOOP_H
#define KVMUX_EVENT_LOOP_H

#include <stdint.h>
#include <sys/epoll.h>

typedef void (*event_fn)(void *opaque, int fd, uint32_t events);

struct event_source;

struct event_loop {
	int epfd;
	struct event_source *sources;
};

int event_loop_init(struct event_loop *loop);
void event_loop_free(struct event_loop *loop);

/* Watch fd for events (EPOLLIN, ...); fn runs in event_loop_run_once(). */
int event_loop_add(struct event_loop *loop, int fd, uint32_t events,
		   event_fn fn, void *opaque);
void event_loop_remove(struct event_loop *loop, int fd);
/* Change what fd is watched for (0: nothing for now). */
int event_loop_modify(struct event_loop *loop, int fd, uint32_t events);

/* Wait up to timeout_ms (-1: forever) and dispatch what is ready. */
int event_loop_run_once(struct event_loop *loop, int timeout_ms);

/* A timerfd that fires after ms, and every ms if periodic; -1 on error. */
int timer_fd_create(uint64_t ms, int periodic);
/* Re-arm it that way.  0, or -1 with err_set(). */
int timer_fd_set(int fd, uint64_t ms, int periodic);
/* Read a timerfd or eventfd's counter (to rearm level triggering). */
uint64_t event_fd_drain(int fd);

#endif
