// SPDX-License-Identifier: GPL-2.0-only
/*
 * term.c - raw terminal mode with a guaranteed way back.
 *
 * Output post-processing (OPOST/ONLCR) stays on: freestanding guests print
 * bare "\n" and still expect the next line to start at column 0.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "kvmux/term.h"

static struct termios saved_mode;
static struct termios kvmux_mode; /* what term_mode_begin() set */
static int saved_fd = -1;
/*
 * kvmux's mode is on the terminal, for term_restore() to undo.  Not once
 * a SIGTSTP gave the terminal its mode back, until kvmux is the
 * foreground job again: continued in the background (bg), a tcsetattr()
 * on its way out would stop kvmux with SIGTTOU before it could exit, and
 * undo what the shell set meanwhile.  A flag, not a look at the
 * foreground group: the SIGSYS handler's list has no TIOCGPGRP.
 */
static volatile sig_atomic_t mode_held;

static const int fatal_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };

void term_restore(void)
{
	if (saved_fd >= 0) {
		/* TCSANOW: a terminal stopped with Ctrl-S must not hold up
		 * the exit (TCSADRAIN would wait for its output). */
		if (mode_held)
			tcsetattr(saved_fd, TCSANOW, &saved_mode);
		mode_held = 0;
		saved_fd = -1;
	}
}

static void restore_and_reraise(int sig)
{
	term_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_fatal_handlers(void)
{
	struct sigaction sa = { .sa_handler = restore_and_reraise,
				.sa_flags = SA_RESETHAND };
	size_t i;

	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		sigaction(fatal_signals[i], &sa, NULL);
}

/* Set mode on fd, keeping the old one to restore on every way out. */
static bool term_mode_begin(int fd, const struct termios *mode)
{
	kvmux_mode = *mode;
	saved_fd = fd;
	mode_held = 1;
	atexit(term_restore);
	install_fatal_handlers();
	if (tcsetattr(fd, TCSADRAIN, mode) < 0) {
		saved_fd = -1;
		return false;
	}
	return true;
}

bool term_raw_begin(int fd)
{
	struct termios raw;

	if (!isatty(fd) || tcgetattr(fd, &saved_mode) < 0)
		return false;
	raw = saved_mode;
	cfmakeraw(&raw);
	raw.c_oflag |= OPOST | ONLCR;
	return term_mode_begin(fd, &raw);
}

bool term_keys_begin(int fd)
{
	struct termios keys;

	if (!isatty(fd) || tcgetattr(fd, &saved_mode) < 0)
		return false;
	keys = saved_mode;
	keys.c_lflag &= ~(ICANON | ECHO);
	keys.c_cc[VMIN] = 1;
	keys.c_cc[VTIME] = 0;
	return term_mode_begin(fd, &keys);
}

/* Is kvmux's process group the terminal's foreground one?  A mode set
 * from the background would stop kvmux with SIGTTOU instead. */
static bool in_foreground(int fd)
{
	return tcgetpgrp(fd) == getpgrp();
}

void term_job_stop(void)
{
	sigset_t tstp;

	if (mode_held && in_foreground(saved_fd) &&
	    !tcsetattr(saved_fd, TCSANOW, &saved_mode))
		mode_held = 0;
	sigemptyset(&tstp);
	sigaddset(&tstp, SIGTSTP);
	/* Pending for this thread, delivered as the mask lets it through:
	 * its default action stops every thread, here. */
	raise(SIGTSTP);
	pthread_sigmask(SIG_UNBLOCK, &tstp, NULL);
	pthread_sigmask(SIG_BLOCK, &tstp, NULL);
	term_job_continued();
}

void term_job_continued(void)
{
	if (saved_fd >= 0 && !mode_held && in_foreground(saved_fd) &&
	    !tcsetattr(saved_fd, TCSADRAIN, &kvmux_mode))
		mode_held = 1;
}

bool term_mode_given_back(void)
{
	return saved_fd >= 0 && !mode_held;
}
