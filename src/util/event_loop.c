// SPDX-License-Identifier: GPL-2.0-only
/* event_loop.c - epoll with a callback per descriptor (kvmux/event_loop.h) */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "kvmux/error.h"
#include "kvmux/event_loop.h"

struct event_source {
	int fd;
	event_fn fn;
	void *opaque;
	struct event_source *next;
};

int event_loop_init(struct event_loop *loop)
{
	loop->sources = NULL;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0)
		return err_set_errno("epoll_create1");
	return 0;
}

void event_loop_free(struct event_loop *loop)
{
	while (loop->sources) {
		struct event_source *next = loop->sources->next;

		free(loop->sources);
		loop->sources = next;
	}
	if (loop->epfd >= 0)
		close(loop->epfd);
	loop->epfd = -1;
}

int event_loop_add(struct event_loop *loop, int fd, uint32_t events,
		   event_fn fn, void *opaque)
{
	struct event_source *src = calloc(1, sizeof(*src));
	struct epoll_event ev = { .events = events };

	if (!src)
		return err_host("out of memory");
	*src = (struct event_source){ .fd = fd, .fn = fn, .opaque = opaque };
	ev.data.ptr = src;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		free(src);
		return err_set_errno("epoll_ctl add fd %d", fd);
	}
	src->next = loop->sources;
	loop->sources = src;
	return 0;
}

void event_loop_remove(struct event_loop *loop, int fd)
{
	struct event_source **link = &loop->sources;

	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	while (*link) {
		struct event_source *src = *link;

		if (src->fd == fd) {
			/* A pending event may still name src in this round:
			 * mark it dead; it is freed with the loop. */
			src->fn = NULL;
			return;
		}
		link = &src->next;
	}
}

int event_loop_modify(struct event_loop *loop, int fd, uint32_t events)
{
	struct event_source *src;

	for (src = loop->sources; src; src = src->next) {
		struct epoll_event ev = { .events = events, .data.ptr = src };

		if (src->fd != fd || !src->fn)
			continue;
		if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
			return err_set_errno("epoll_ctl mod fd %d", fd);
		return 0;
	}
	return err_host("fd %d is not in the event loop", fd);
}

int event_loop_run_once(struct event_loop *loop, int timeout_ms)
{
	struct epoll_event ev[16];
	int i, n = epoll_wait(loop->epfd, ev, 16, timeout_ms);

	if (n < 0) {
		if (errno == EINTR)
			return 0;
		return err_set_errno("epoll_wait");
	}
	for (i = 0; i < n; i++) {
		struct event_source *src = ev[i].data.ptr;

		if (src->fn)
			src->fn(src->opaque, src->fd, ev[i].events);
	}
	return 0;
}

int timer_fd_set(int fd, uint64_t ms, int periodic)
{
	struct itimerspec its = { 0 };

	its.it_value.tv_sec = ms / 1000;
	its.it_value.tv_nsec = (ms % 1000) * 1000000;
	if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
		its.it_value.tv_nsec = 1;
	if (periodic)
		its.it_interval = its.it_value;
	if (timerfd_settime(fd, 0, &its, NULL) < 0)
		return err_set_errno("timerfd_settime");
	return 0;
}

int timer_fd_create(uint64_t ms, int periodic)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);

	if (fd < 0)
		return err_set_errno("timerfd_create");
	if (timer_fd_set(fd, ms, periodic) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

uint64_t event_fd_drain(int fd)
{
	uint64_t count = 0;

	if (read(fd, &count, sizeof(count)) != sizeof(count))
		return 0;
	return count;
}
