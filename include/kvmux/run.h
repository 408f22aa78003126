/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * run.h - "kvmux run": one VM, or several sharing the host as a group.
 * Builds every VM (kvmux/board.h), runs them until each has stopped, and
 * turns the reasons into kvmux's exit status (kvmux/exit_status.h):
 *
 *   one VM     its own status;
 *   a group    0 if every VM's status is 0, else the status of the first
 *              VM in command-line order whose status is not 0.
 */
#ifndef KVMUX_RUN_H
#define KVMUX_RUN_H

#include "kvmux/config.h"

/*
 * Block the signals that stop a run (SIGHUP, SIGINT, SIGQUIT, SIGTERM,
 * SIGUSR1, SIGUSR2, SIGALRM and the others whose default action ends a
 * process; docs/exit-status.md) and ignore SIGPIPE and SIGXFSZ.  Called
 * by "kvmux run" once its options are read, before any thread or file,
 * so that a signal sent while kvmux starts waits for the run instead of
 * ending kvmux without its result.  Idempotent.  Returns 0, or -1 with
 * err_set().
 */
int run_block_stop_signals(void);

int run_request(const struct run_request *req);

#endif
