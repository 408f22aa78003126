/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * privileges.h - what kvmux gives up (host/privileges.c): descriptors it
 * inherited, at the start; its user, capabilities and the right to gain
 * new ones, before the guest runs.
 */
#ifndef KVMUX_PRIVILEGES_H
#define KVMUX_PRIVILEGES_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * Make sure stdin, stdout and stderr are open (/dev/null on any that is
 * closed, as daemons do), so that no file kvmux opens becomes one of them;
 * call first.  Returns 0, or -1 if /dev/null cannot be opened.
 */
int host_open_std_fds(void);

/* Close every descriptor above stderr: call next, before any open. */
void host_close_inherited_fds(void);

/*
 * fn(arg) with the calling thread's effective capabilities cleared (its
 * permitted ones kept, and restored after): what a process of the same
 * user without capabilities would be allowed, the fd release helper's
 * case (kvmux/fd_release.h).  Call with one thread.  Returns fn's value,
 * or -1 with err_host() if the capabilities cannot be restored.
 */
int host_without_capabilities(int (*fn)(void *arg), void *arg);

/* The user kvmux becomes (--user), looked up before anything runs. */
struct host_user {
	bool set; /* false: stay who we are */
	uid_t uid;
	gid_t gid;
	/* for the supplementary groups (initgroups(3)); "": a uid without
	 * a passwd entry, which gets none */
	char name[256];
};

/*
 * Look up spec, "USER[:GROUP]" (names or numbers 0 to 2^32 - 2; without
 * GROUP, USER's own group); NULL: user->set = false.  A number without an
 * entry in the user (group) database is taken as the uid (gid) itself; a
 * uid without an entry gets its own number as gid (without GROUP) and no
 * supplementary groups.  Returns 0, or -1 with err_set() (126): no such
 * user or group name, or kvmux is not root (unless it already is that
 * user and group).
 */
int host_user_resolve(const char *spec, struct host_user *user);

/*
 * Give up the calling thread's capabilities (capset(2) acts on one
 * thread), but CAP_SETUID and CAP_SETGID if keep_setid: a thread that
 * exists when host_drop_privileges() switches users takes part in the
 * switch (glibc makes every thread do setresuid(2) with the caller), and
 * loses those two with it.  Returns 0, or -1 with err_set_errno().
 */
int host_drop_thread_capabilities(bool keep_setid);

/*
 * Become user (if set: its supplementary groups, then gid, then uid),
 * then give up every capability (and the bounding set) and the right to
 * gain new ones.  Returns 0, or -1 with err_host().
 */
int host_drop_privileges(const struct host_user *user);

#endif
