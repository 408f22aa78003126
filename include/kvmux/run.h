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

int run_request(const struct run_request *req);

#endif
