/* SPDX-License-Identifier: GPL-2.0-only */
/* privileges.h - what kvmux gives up before the guest runs (host/privileges.c) */
#ifndef KVMUX_PRIVILEGES_H
#define KVMUX_PRIVILEGES_H

/* Give up every capability and the right to gain new ones. */
int host_drop_privileges(void);

#endif
