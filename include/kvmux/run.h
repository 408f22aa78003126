/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * run.h - "kvmux run": build a VM from a config, boot it, wait for it to
 * stop, and turn the reason into an exit status (kvmux/exit_status.h).
 */
#ifndef KVMUX_RUN_H
#define KVMUX_RUN_H

#include "kvmux/config.h"

int run_vm(const struct vm_config *cfg);

#endif
