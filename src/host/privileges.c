// SPDX-License-Identifier: GPL-2.0-only
/*
 * privileges.c - once the VM is built kvmux needs no privilege: /dev/kvm
 * and every file are open.  Dropping capabilities (for a kvmux started as
 * root) limits what a guest escaping into the VMM could do; a root
 * without capabilities still owns most files, so --user also leaves uid 0.
 */
#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdint.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kvmux/error.h"
#include "kvmux/privileges.h"

int host_open_std_fds(void)
{
	int fd;

	for (fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* The lowest free descriptor: fd itself. */
		if (open("/dev/null", fd ? O_WRONLY : O_RDONLY) != fd)
			return -1;
	}
	return 0;
}

void host_close_inherited_fds(void)
{
	/* Linux 5.9; an older kernel keeps them, as before. */
	close_range(STDERR_FILENO + 1, ~0U, 0);
}

/* A name, or a number ("1000") that names an entry too; id: its value. */
static bool is_number(const char *text, unsigned int *id)
{
	unsigned long n;

	if (!*text || text[strspn(text, "0123456789")] || strlen(text) > 10)
		return false;
	n = strtoul(text, NULL, 10);
	*id = n;
	return n < UINT32_MAX; /* (uid_t)-1 means "no change" */
}

/*
 * A number without a passwd entry is a uid all the same (as setpriv(1)
 * and docker --user take it), with no name, so no supplementary groups;
 * its group is the number too, not docker's 0: nothing of root's stays.
 */
static int find_user(const char *name, struct host_user *user)
{
	unsigned int id;
	bool number = is_number(name, &id);
	struct passwd *pw = number ? getpwuid(id) : getpwnam(name);

	if (!pw && number) {
		user->uid = id;
		user->gid = id;
		user->name[0] = '\0';
		return 0;
	}
	if (!pw)
		return err_set("--user: there is no user '%s' on this host",
			       name);
	if (snprintf(user->name, sizeof(user->name), "%s", pw->pw_name) >=
	    (int)sizeof(user->name))
		return err_set("--user: the user name '%s' is too long", name);
	user->uid = pw->pw_uid;
	user->gid = pw->pw_gid;
	return 0;
}

/* A number without a group entry is a gid all the same. */
static int find_group(const char *name, struct host_user *user)
{
	unsigned int id;
	bool number = is_number(name, &id);
	struct group *gr = number ? getgrgid(id) : getgrnam(name);

	if (!gr && !number)
		return err_set("--user: there is no group '%s' on this host",
			       name);
	user->gid = gr ? gr->gr_gid : id;
	return 0;
}

int host_user_resolve(const char *spec, struct host_user *user)
{
	char name[256];
	const char *colon;

	*user = (struct host_user){ .set = false };
	if (!spec)
		return 0;
	colon = strchr(spec, ':');
	if (snprintf(name, sizeof(name), "%.*s",
		     (int)(colon ? (size_t)(colon - spec) : strlen(spec)),
		     spec) >= (int)sizeof(name) ||
	    !*name)
		return err_set("--user: '%s' is not USER[:GROUP]", spec);
	if (find_user(name, user) < 0)
		return -1;
	if (colon && !colon[1])
		return err_set("--user: '%s' has no group after the colon",
			       spec);
	if (colon && find_group(colon + 1, user) < 0)
		return -1;
	if (geteuid() != 0 &&
	    (user->uid != geteuid() || user->gid != getegid()))
		return err_set("--user %s: only root can change user (kvmux "
			       "runs as uid %u)",
			       spec, (unsigned int)geteuid());
	user->set = geteuid() == 0;
	return 0;
}

/*
 * The bounding set first, while CAP_SETPCAP is ours; then the groups, the
 * gid and the uid (setresuid() to a non-zero uid clears the other
 * capability sets).  Saved IDs change too: there is no way back.
 */
static int become(const struct host_user *user)
{
	capng_get_caps_process();
	capng_clear(CAPNG_SELECT_BOUNDS);
	if (capng_apply(CAPNG_SELECT_BOUNDS) < 0)
		return err_host("cannot clear the capability bounding set");
	if (!user->name[0] && setgroups(0, NULL) < 0)
		return err_set_errno("--user: setgroups(0)");
	if (user->name[0] && initgroups(user->name, user->gid) < 0)
		return err_set_errno("--user: initgroups(%s)", user->name);
	if (setresgid(user->gid, user->gid, user->gid) < 0)
		return err_set_errno("--user: setresgid(%u)",
				     (unsigned int)user->gid);
	if (setresuid(user->uid, user->uid, user->uid) < 0)
		return err_set_errno("--user: setresuid(%u)",
				     (unsigned int)user->uid);
	return 0;
}

/* Not libcap-ng: its state is the process's, and threads start at once. */
int host_drop_thread_capabilities(bool keep_setid)
{
	struct __user_cap_header_struct header = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0, /* the calling thread */
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = { 0 };
	const uint32_t setid = 1u << CAP_SETUID | 1u << CAP_SETGID;
	unsigned int tries;

	/*
	 * --user: glibc makes every thread take the new IDs (a signal to
	 * each), which clears a thread's capabilities; if that comes between
	 * capget and capset, the capset asks for what is gone (EPERM): read
	 * again.  The switch happens once, so once more is enough.
	 */
	for (tries = 0;; tries++) {
		if (keep_setid && syscall(SYS_capget, &header, data) < 0)
			return err_set_errno("capget");
		/* Only what the thread has: a capability cannot be raised. */
		data[0].permitted &= keep_setid ? setid : 0;
		data[0].effective = data[0].permitted;
		data[0].inheritable = 0;
		data[1] = (struct __user_cap_data_struct){ 0 };
		if (syscall(SYS_capset, &header, data) == 0)
			return 0;
		if (errno != EPERM || !keep_setid || tries == 2)
			return err_set_errno("capset");
	}
}

int host_without_capabilities(int (*fn)(void *arg), void *arg)
{
	struct __user_cap_header_struct header = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3],
		none[_LINUX_CAPABILITY_U32S_3];
	unsigned int i;
	int rc;

	if (syscall(SYS_capget, &header, data) < 0)
		return fn(arg); /* no capabilities to clear */
	for (i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
		none[i] = data[i];
		none[i].effective = 0;
	}
	if (syscall(SYS_capset, &header, none) < 0)
		return err_set_errno("capset");
	rc = fn(arg);
	if (syscall(SYS_capset, &header, data) < 0)
		return err_host("cannot restore capabilities");
	return rc;
}

int host_drop_privileges(const struct host_user *user)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return err_set_errno("prctl(PR_SET_NO_NEW_PRIVS)");
	if (user && user->set && become(user) < 0)
		return -1;
	/*
	 * One capset(2) empties the effective, permitted and inheritable
	 * sets, and the kernel drops the ambient set with them.  The
	 * bounding set is left: it only bounds what execve(2) can grant, and
	 * with no_new_privs an execve grants nothing beyond the (empty)
	 * permitted set.  Clearing it cost a prctl(2) per capability and
	 * five reads of /proc/self/status in libcap-ng, about 0.15 ms of a
	 * 4.5 ms boot (bench/README.md, 2026-12-01).
	 */
	capng_clear(CAPNG_SELECT_CAPS);
	if (capng_apply(CAPNG_SELECT_CAPS) < 0)
		return err_host("cannot drop capabilities");
	return 0;
}
