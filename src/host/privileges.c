// SPDX-License-Identifier: GPL-2.0-only
/*
 * privileges.c - once the VM is built kvmux needs no privilege: /dev/kvm
 * and every file are open.  Dropping capabilities (for a kvmux started as
 * root) limits what a guest escaping into the VMM could do.
 */
#include <cap-ng.h>
#include <sys/prctl.h>

#include "kvmux/error.h"
#include "kvmux/privileges.h"

int host_drop_privileges(void)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return err_set_errno("prctl(PR_SET_NO_NEW_PRIVS)");
	if (capng_have_capabilities(CAPNG_SELECT_CAPS) == CAPNG_NONE)
		return 0;
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_apply(CAPNG_SELECT_BOTH) < 0)
		return err_host("cannot drop capabilities");
	return 0;
}
