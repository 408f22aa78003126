/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cgroup_cpu.h - a group's CPU shares enforced by the kernel: one cgroup
 * (v1 cpu controller) per VM under one cgroup per kvmux run, created
 * beside the cgroup kvmux itself runs in.
 *
 *   <cpu mount>/<kvmux's cgroup>/kvmux.<ns>.<pid>/       cpu.shares: the run
 *   <cpu mount>/<kvmux's cgroup>/kvmux.<ns>.<pid>/vm<i>/ cpu.shares: A_i;
 *                        with cap, cpu.cfs_quota_us / cpu.cfs_period_us
 *
 * <ns> is the inode number of kvmux's PID namespace (/proc/self/ns/pid)
 * and <pid> its PID there: kvmuxes in containers that share the host's
 * cgroup fs have PIDs of their own namespaces, which may be equal.
 *
 * Only vCPU threads move into a VM's cgroup (each moves itself when it
 * starts); kvmux's other threads stay where they were.  The run's cgroup
 * is removed when the run ends, by a child process that keeps the
 * privileges kvmux gives up (removing it needs them) and that also
 * removes it when kvmux is killed.
 *
 * cgroup v2 is not supported yet: placing single threads there needs a
 * threaded subtree, and the hosts kvmux is tested on have no v2 cpu
 * controller; kvmux then falls back to parking (kvmux/group_sched.h).
 */
#ifndef KVMUX_CGROUP_CPU_H
#define KVMUX_CGROUP_CPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/types.h>

struct cgroup_cpu {
	char *run_dir; /* NULL until created */
	unsigned int nr_vms;
	int *tasks_fd; /* per VM: its cgroup's "tasks", open for writing */
	pid_t reaper; /* the child that removes the cgroups; -1: none */
	int reaper_fd; /* closing it tells the reaper to go ahead */
};

/*
 * The run cgroup's name "kvmux.<pidns>.<pid>" into name (size bytes).
 * Returns 0, or -1 with err_host() if it does not fit.
 */
int cgroup_cpu_run_name(char *name, size_t size, uint64_t pidns, pid_t pid);

/* Parse a run cgroup's name (cgroup_cpu_run_name()): pid 1..INT_MAX.
 * false for anything else, the old "kvmux.<pid>" among them. */
bool cgroup_cpu_parse_run_name(const char *name, uint64_t *pidns, pid_t *pid);

/* The inode number of our PID namespace.  Returns 0 or -1 with err_set(). */
int cgroup_cpu_pidns(uint64_t *pidns);

/*
 * Remove from dir the run cgroups of kvmuxes of PID namespace pidns that
 * have ended (kill(pid, 0) says ESRCH); those of other namespaces, whose
 * PIDs mean nothing here, and the old "kvmux.<pid>" names are kept.
 * cgroup_cpu_create() does it before it makes its own.
 */
void cgroup_cpu_sweep(const char *dir, uint64_t pidns);

/*
 * Join a cgroup's directory: the hierarchy mounted at point (a mountinfo
 * line's mount point, which shows the hierarchy's subtree at root) and
 * the cgroup's path in the hierarchy, cgpath (/proc/self/cgroup).  No
 * trailing slash, none doubled.  Returns 0, or -1 with err_host() if it
 * does not fit in size bytes.
 */
int cgroup_cpu_dir_of(char *dir, size_t size, const char *point,
		      const char *root, const char *cgpath);

/*
 * Create the run's cgroup with cpu.shares run_shares and nr_vms empty VM
 * cgroups.  Files are opened now, so that threads can join later after
 * kvmux has given up its privileges.  Call it before any VM exists: it
 * forks the process that will remove the cgroups.  Returns 0, or -1 with err_set()
 * saying why (no cpu controller, not writable, ...); *cg is then empty.
 */
int cgroup_cpu_create(struct cgroup_cpu *cg, unsigned int nr_vms,
		      uint64_t run_shares);

/*
 * Set VM i's weight (cpu.shares, 2..262144) and, when quota_us is not 0,
 * a hard limit of quota_us of CPU time every period_us (both 1000 to
 * 1000000 us).  Returns 0 or -1 with err_set().
 */
int cgroup_cpu_set(struct cgroup_cpu *cg, unsigned int i, uint64_t shares,
		   uint64_t quota_us, uint64_t period_us);

/* Move thread tid (of this process) into VM i's cgroup.  Returns 0 or
 * -1 with err_set(). */
int cgroup_cpu_move(struct cgroup_cpu *cg, unsigned int i, pid_t tid);

/*
 * Remove the cgroups and free; their threads must have ended (KVM's
 * worker thread of a VM, which lives until the VM is destroyed, is kept
 * out of them: core/vcpu.c starts it before a vCPU thread joins its
 * cgroup).  Waits for the reaper, which retries a busy cgroup for about
 * 5 s.
 */
void cgroup_cpu_destroy(struct cgroup_cpu *cg);

#endif
