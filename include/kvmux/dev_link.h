/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dev_link.h - what a device may do to the machine it belongs to, as
 * callbacks: drive its interrupt line, stop the machine, tell the user.
 *
 * board.c wires them to the VM (KVM_IRQ_LINE, vm_request_stop(), stderr);
 * the unit tests wire them to recorders, so a device that takes these and
 * a bus runs without /dev/kvm.  The ACPI devices and pvpanic use it; it is
 * meant to be folded into the common device interface once there is one.
 */
#ifndef KVMUX_DEV_LINK_H
#define KVMUX_DEV_LINK_H

#include <stdbool.h>

#include "kvmux/exit_status.h"

struct irq_line {
	/* Drive GSI gsi to level; any thread.  0, or -1 with err_set(). */
	int (*set)(void *ctx, unsigned int gsi, bool level);
	void *ctx;
	unsigned int gsi;
};

struct dev_stop {
	/* Stop the machine (the first reason wins); detail for the user. */
	void (*stop)(void *ctx, enum vm_stop_reason reason, int value,
		     const char *detail);
	/* One line for the user that stops nothing. */
	void (*note)(void *ctx, const char *msg);
	void *ctx;
};

/* An edge: the line up, then down.  0, or -1 with err_set(). */
static inline int irq_line_pulse(const struct irq_line *l)
{
	if (l->set(l->ctx, l->gsi, true) < 0)
		return -1;
	return l->set(l->ctx, l->gsi, false);
}

#endif
