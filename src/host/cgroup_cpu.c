// SPDX-License-Identifier: GPL-2.0-only
/*
 * cgroup_cpu.c - per-VM cgroups of the v1 cpu controller
 * (kvmux/cgroup_cpu.h; the files are described in the kernel's
 * Documentation/scheduler/sched-design-CFS.rst and sched-bwc.rst).
 *
 * Where kvmux's own cgroup is found: /proc/self/cgroup names the path in
 * the hierarchy that has the "cpu" controller, /proc/self/mountinfo where
 * that hierarchy is mounted (and which part of it, inside a container).
 */
#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kvmux/cgroup_cpu.h"
#include "kvmux/diag.h"
#include "kvmux/error.h"
#include "kvmux/thread.h"

#define RUN_PREFIX "kvmux."
#define LINE_MAX_BYTES 4096
/* A cgroup is busy until its last thread is gone.  KVM's own worker
 * thread of a VM (kvm-nx-lpage-recovery), which lives until the VM is
 * destroyed after kvmux let go of it (kvmux/fd_release.h), would keep
 * the cgroup of the vCPU that started it busy: core/vcpu.c starts it
 * before the vCPU thread joins its cgroup.  Should a thread linger all
 * the same, kvmux waits for the reaper, which retries soon at first,
 * then every 10 ms, for at most about 5 s. */
#define RMDIR_FIRST_WAIT_NS 1000000L
#define RMDIR_WAIT_NS 10000000L
#define RMDIR_GIVE_UP_NS 5000000000LL

/* Is word one of the comma-separated words of list? */
static bool has_word(const char *list, const char *word)
{
	size_t len = strlen(word);

	while (*list) {
		size_t n = strcspn(list, ",");

		if (n == len && !strncmp(list, word, len))
			return true;
		list += n + (list[n] == ',');
	}
	return false;
}

/* Our path in the hierarchy that has the cpu controller. */
static int own_cgroup(char *path, size_t size)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char line[LINE_MAX_BYTES];
	int rc = err_host("no cgroup v1 cpu controller (/proc/self/cgroup)");

	if (!f)
		return err_set_errno("/proc/self/cgroup");
	while (fgets(line, sizeof(line), f)) {
		char *controllers = strchr(line, ':'), *cgpath;

		if (!controllers || !(cgpath = strchr(++controllers, ':')))
			continue;
		*cgpath++ = '\0';
		cgpath[strcspn(cgpath, "\n")] = '\0';
		if (has_word(controllers, "cpu") &&
		    snprintf(path, size, "%s", cgpath) < (int)size) {
			rc = 0;
			break;
		}
	}
	fclose(f);
	return rc;
}

/*
 * A mountinfo line of a v1 hierarchy with the cpu controller: fields 4
 * and 5 are the mount's root in the hierarchy and its mount point; after
 * " - " come the type and the super options (the controllers).
 */
static bool cpu_mount(char *line, char **root, char **point)
{
	char *tail = strstr(line, " - "), *save, *type, *opts, *field;
	int i;

	if (!tail)
		return false;
	*tail = '\0';
	type = strtok_r(tail + 3, " \n", &save);
	strtok_r(NULL, " \n", &save); /* source */
	opts = strtok_r(NULL, " \n", &save);
	if (!type || !opts || strcmp(type, "cgroup") || !has_word(opts, "cpu"))
		return false;
	field = strtok_r(line, " ", &save);
	for (i = 1; field && i < 4; i++)
		field = strtok_r(NULL, " ", &save);
	*root = field;
	*point = strtok_r(NULL, " ", &save);
	return *root && *point;
}

int cgroup_cpu_dir_of(char *dir, size_t size, const char *point,
		      const char *root, const char *cgpath)
{
	size_t len = strlen(root);
	const char *rel = cgpath;
	int n;

	/* Inside a container the mount shows only the subtree at root. */
	if (strcmp(root, "/") && !strncmp(cgpath, root, len) &&
	    (cgpath[len] == '/' || !cgpath[len]))
		rel += len;
	/* The hierarchy's root cgroup is "/": no slash of its own. */
	if (!strcmp(rel, "/"))
		rel = "";
	n = snprintf(dir, size, "%s%s", point, rel);
	if (n < 0 || (size_t)n >= size)
		return err_host("cgroup path is too long");
	while (n > 1 && dir[n - 1] == '/')
		dir[--n] = '\0';
	return 0;
}

/* The directory of our own cpu cgroup. */
static int own_cgroup_dir(char *dir, size_t size)
{
	char cgpath[LINE_MAX_BYTES], line[LINE_MAX_BYTES], *root, *point;
	FILE *f;
	int rc = err_host("no cgroup v1 cpu controller is mounted");

	if (own_cgroup(cgpath, sizeof(cgpath)) < 0)
		return -1;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return err_set_errno("/proc/self/mountinfo");
	while (fgets(line, sizeof(line), f)) {
		if (!cpu_mount(line, &root, &point))
			continue;
		rc = cgroup_cpu_dir_of(dir, size, point, root, cgpath);
		if (!rc)
			break;
	}
	fclose(f);
	return rc;
}

/* snprintf() into a PATH_MAX buffer; -1 with err_host() if it is cut. */
static int make_path(char *path, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int make_path(char *path, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(path, PATH_MAX, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= PATH_MAX)
		return err_host("cgroup path is too long");
	return 0;
}

static int write_value(const char *dir, const char *file, long long value)
{
	char path[PATH_MAX];
	int fd, rc = 0;

	if (make_path(path, "%s/%s", dir, file) < 0)
		return -1;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set_errno("cannot open %s", path);
	if (dprintf(fd, "%lld", value) < 0)
		rc = err_set_errno("cannot write %lld to %s", value, path);
	close(fd);
	return rc;
}

static void remove_dir(const char *path)
{
	struct timespec wait = { 0, RMDIR_FIRST_WAIT_NS };
	long long waited = 0;

	while (rmdir(path) < 0 && errno == EBUSY && waited < RMDIR_GIVE_UP_NS) {
		nanosleep(&wait, NULL);
		waited += wait.tv_nsec;
		wait.tv_nsec = 2 * wait.tv_nsec < RMDIR_WAIT_NS ?
				       2 * wait.tv_nsec :
				       RMDIR_WAIT_NS;
	}
}

/* A run's cgroup and its VM cgroups (which hold no files of their own). */
static void remove_run_dir(const char *run_dir)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(run_dir);

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		if (!make_path(path, "%s/%s", run_dir, e->d_name))
			remove_dir(path);
	}
	closedir(d);
	remove_dir(run_dir);
}

int cgroup_cpu_run_name(char *name, size_t size, uint64_t pidns, pid_t pid)
{
	int n = snprintf(name, size, RUN_PREFIX "%" PRIu64 ".%d", pidns,
			 (int)pid);

	if (n < 0 || (size_t)n >= size)
		return err_host("cgroup name is too long");
	return 0;
}

/* A decimal number of digits only, no sign or spaces (strtoull takes
 * both), that fits *value. */
static bool parse_number(const char *s, const char **end, uint64_t max,
			 uint64_t *value)
{
	char *e;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*value = strtoull(s, &e, 10);
	*end = e;
	return !errno && *value <= max;
}

bool cgroup_cpu_parse_run_name(const char *name, uint64_t *pidns, pid_t *pid)
{
	const char *p = name;
	uint64_t n;

	if (strncmp(name, RUN_PREFIX, strlen(RUN_PREFIX)))
		return false;
	p += strlen(RUN_PREFIX);
	if (!parse_number(p, &p, UINT64_MAX, pidns) || *p++ != '.' ||
	    !parse_number(p, &p, INT_MAX, &n) || *p || !n)
		return false;
	*pid = (pid_t)n;
	return true;
}

int cgroup_cpu_pidns(uint64_t *pidns)
{
	struct stat st;

	if (stat("/proc/self/ns/pid", &st) < 0)
		return err_set_errno("/proc/self/ns/pid");
	*pidns = st.st_ino;
	return 0;
}

/*
 * A run's PID only says whether it lives from inside its own PID
 * namespace: kill() from here gives ESRCH for a live kvmux of another
 * (a container sharing the host's cgroup fs), so only our namespace's
 * runs are judged.  Old names, kvmux.<pid>, say nothing of theirs and
 * are left alone.
 */
void cgroup_cpu_sweep(const char *dir, uint64_t pidns)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(dir);
	uint64_t ns;
	pid_t pid;

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!cgroup_cpu_parse_run_name(e->d_name, &ns, &pid) ||
		    ns != pidns || pid == getpid() || kill(pid, 0) == 0 ||
		    errno != ESRCH)
			continue;
		if (!make_path(path, "%s/%s", dir, e->d_name))
			remove_run_dir(path);
	}
	closedir(d);
}

static int make_dir(const char *path)
{
	if (mkdir(path, 0755) < 0)
		return err_set_errno("cannot create cgroup %s", path);
	return 0;
}

static int create_vms(struct cgroup_cpu *cg)
{
	char path[PATH_MAX];
	unsigned int i;

	for (i = 0; i < cg->nr_vms; i++) {
		if (make_path(path, "%s/vm%u", cg->run_dir, i) < 0 ||
		    make_dir(path) < 0 ||
		    make_path(path, "%s/vm%u/tasks", cg->run_dir, i) < 0)
			return -1;
		cg->tasks_fd[i] = open(path, O_WRONLY | O_CLOEXEC);
		if (cg->tasks_fd[i] < 0)
			return err_set_errno("cannot open %s", path);
	}
	return 0;
}

/*
 * The reaper: a child that keeps kvmux's privileges (removing the run's
 * cgroup needs write access to a directory only root may write) and
 * waits for the end of its pipe, which comes when kvmux is done with the
 * cgroups or dies, however it dies.  It holds no other descriptor (not
 * even stdout: a reader must see the end of kvmux's output when kvmux
 * ends) and it is forked before any VM exists, so it maps no VM either:
 * it keeps nothing alive.
 */
static void reap(int fd, const char *run_dir)
{
	char byte;

	thread_enter(THREAD_REAPER);
	if (dup2(fd, STDIN_FILENO) < 0)
		_exit(1);
	close_range(STDIN_FILENO + 1, ~0U, 0);
	while (read(STDIN_FILENO, &byte, 1) < 0 && errno == EINTR)
		;
	remove_run_dir(run_dir);
	_exit(0);
}

static int start_reaper(struct cgroup_cpu *cg)
{
	int pipe_fd[2];

	if (pipe2(pipe_fd, O_CLOEXEC) < 0)
		return err_set_errno("pipe2");
	cg->reaper = fork();
	if (cg->reaper < 0) {
		close(pipe_fd[0]);
		close(pipe_fd[1]);
		return err_set_errno("fork");
	}
	if (cg->reaper == 0)
		reap(pipe_fd[0], cg->run_dir);
	close(pipe_fd[0]);
	cg->reaper_fd = pipe_fd[1];
	return 0;
}

int cgroup_cpu_create(struct cgroup_cpu *cg, unsigned int nr_vms,
		      uint64_t run_shares)
{
	char dir[PATH_MAX], run_dir[PATH_MAX], name[64];
	uint64_t pidns = 0;
	unsigned int i;

	*cg = (struct cgroup_cpu){ .reaper = -1, .reaper_fd = -1 };
	if (own_cgroup_dir(dir, sizeof(dir)) < 0 ||
	    cgroup_cpu_pidns(&pidns) < 0)
		return -1;
	if (access(dir, W_OK) < 0)
		return err_set_errno("cannot create cgroups in %s", dir);
	cgroup_cpu_sweep(dir, pidns);
	if (cgroup_cpu_run_name(name, sizeof(name), pidns, getpid()) < 0 ||
	    make_path(run_dir, "%s/%s", dir, name) < 0 || make_dir(run_dir) < 0)
		return -1;
	cg->run_dir = strdup(run_dir);
	cg->tasks_fd = malloc(nr_vms * sizeof(*cg->tasks_fd));
	if (!cg->run_dir || !cg->tasks_fd) {
		err_host("out of memory");
		goto fail;
	}
	cg->nr_vms = nr_vms;
	for (i = 0; i < nr_vms; i++)
		cg->tasks_fd[i] = -1;
	if (write_value(run_dir, "cpu.shares", run_shares) < 0 ||
	    create_vms(cg) < 0 || start_reaper(cg) < 0)
		goto fail;
	return 0;
fail:
	if (!cg->run_dir)
		rmdir(run_dir);
	cgroup_cpu_destroy(cg);
	return -1;
}

int cgroup_cpu_set(struct cgroup_cpu *cg, unsigned int i, uint64_t shares,
		   uint64_t quota_us, uint64_t period_us)
{
	char dir[PATH_MAX];

	if (make_path(dir, "%s/vm%u", cg->run_dir, i) < 0 ||
	    write_value(dir, "cpu.shares", shares) < 0)
		return -1;
	if (!quota_us)
		return 0;
	if (write_value(dir, "cpu.cfs_period_us", period_us) < 0)
		return -1;
	return write_value(dir, "cpu.cfs_quota_us", quota_us);
}

int cgroup_cpu_move(struct cgroup_cpu *cg, unsigned int i, pid_t tid)
{
	char text[16];
	int n = snprintf(text, sizeof(text), "%d", (int)tid);

	/* Not dprintf(): stdio would fstat(2), which the scheduler
	 * thread's filter (host/seccomp.c) does not allow. */
	if (write(cg->tasks_fd[i], text, n) != n)
		return err_set_errno("cannot move a vCPU thread into cgroup "
				     "%s/vm%u",
				     cg->run_dir, i);
	return 0;
}

void cgroup_cpu_destroy(struct cgroup_cpu *cg)
{
	unsigned int i;
	int status;

	for (i = 0; cg->tasks_fd && i < cg->nr_vms; i++)
		if (cg->tasks_fd[i] >= 0)
			close(cg->tasks_fd[i]);
	if (cg->reaper > 0) {
		close(cg->reaper_fd);
		if (waitpid(cg->reaper, &status, 0) == cg->reaper &&
		    (!WIFEXITED(status) || WEXITSTATUS(status)))
			diag("the cgroup reaper failed (status %d): this run's "
			     "cgroups are left in %s, for the next group run "
			     "to remove",
			     WIFEXITED(status) ? WEXITSTATUS(status) : -1,
			     cg->run_dir);
	} else if (cg->run_dir) {
		remove_run_dir(cg->run_dir); /* still privileged */
	}
	free(cg->tasks_fd);
	free(cg->run_dir);
	*cg = (struct cgroup_cpu){ .reaper = -1, .reaper_fd = -1 };
}
