/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fd_release.h - close a VM's file descriptors in another process, so
 * that kvmux can exit before KVM has finished destroying the VM
 * (host/fd_release.c).
 *
 * The last close of a VM with the in-kernel irqchip and PIT waits out
 * SRCU grace periods: 10-30 ms of wall time when another CPU is busy,
 * for about 0.3 ms of CPU.  The waiting is the kernel's, not kvmux's, and
 * nothing needs to see it.
 *
 * Without --result (run.c), a closer started as the VM goes makes the
 * last close: a process that shares kvmux's memory (clone(2) with
 * CLONE_VM: no copy of the page tables, unlike a fork) but has its own
 * descriptor table, holding the VM's descriptors once kvmux's are closed.
 * fd_release_close() starts one for a slow close (KVM's own irqchip) or
 * for RAM whose memfds hold 8 MiB or more (freeing it costs about 0.14 ms
 * a MiB); a split VM with less closes here in about 0.1 ms.
 *
 * With --result, a helper forked at start receives the VM's
 * descriptors over a socket (SCM_RIGHTS), a message per VM, or several
 * for a VM of many vCPUs (with the memfds of its RAM, whose last close
 * frees the guest's pages); kvmux drops its own copies of a message
 * before it sends the next.  The child closes a message's copies once
 * the next message or the socket's end says that kvmux's are gone, so the
 * last close is always the child's: each message but the last in a
 * process of its own (a closer, which holds no other message), so that a
 * group's VMs are destroyed side by side, and the last in the child
 * itself when kvmux's end of the socket closes (kvmux exiting, or
 * fd_release_stop()), which saves a fork per run.  Closes under way
 * finish after kvmux has gone; the child ends after its closers.
 *
 * The helper exists for --result, whose file it renames into place at
 * the end: it keeps the user kvmux started as (without capabilities), so
 * the rename works where kvmux with --user could not, and kvmux's own
 * system call filter needs no rename(2).  The names are fixed when it is
 * forked: kvmux can only ask for that one rename.
 */
#ifndef KVMUX_FD_RELEASE_H
#define KVMUX_FD_RELEASE_H

#include <stdbool.h>

struct iovec;

/*
 * Fork the helper; call before any VM or thread exists (the child maps
 * none, and installs its own filter through thread_enter()) and while
 * the process is small.  from, to: what fd_release_publish() renames
 * (NULL: nothing); if kvmux ends without asking, the child removes from.
 * Returns 0, or -1 with err_set() (then fd_release_close() closes in
 * this process, as without the helper).
 */
int fd_release_start(const char *from, const char *to);

/* Have the helper rename from to to (once): 0, or an errno value (then it
 * removed from); ENOTCONN without a helper or names. */
int fd_release_publish(void);

/*
 * Hand fds[0..nr) over and close them here, in messages of at most 64
 * (SCM_RIGHTS), each closed here before the next is sent; the helper
 * closes a message's copies only once the next message or
 * fd_release_stop() comes, so this process never drops the last
 * reference to the VM: call it from one thread, one call after another
 * (calls side by side stay correct, but this process may then make a
 * VM's last, slow close itself).  Without the helper (not started, or
 * gone), closes them here; or, when slow (the last close waits for the
 * kernel) or when its regular files (memfds) hold 8 MiB or more, has a
 * closer started now close them after this process's copies: a process
 * that shares this one's memory but not its descriptors (never waited
 * for).  maps[0..nr_maps): mappings (the guest's RAM) that no thread
 * uses any more, unmapped before the descriptors' last close: by the
 * closer if there is one (this process then need not wait for it), else
 * here before anything is closed.
 */
void fd_release_close(const int *fds, unsigned int nr, const struct iovec *maps,
		      unsigned int nr_maps, bool slow);

/* Let the helper finish the closes it has and end (it is not waited for);
 * reap the closers that have ended (those still running are not waited
 * for either). */
void fd_release_stop(void);

#endif
