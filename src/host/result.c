// SPDX-License-Identifier: GPL-2.0-only
/*
 * result.c - the --result file (kvmux/result.h), written with jansson.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "kvmux/error.h"
#include "kvmux/host_file.h"
#include "kvmux/json_text.h"
#include "kvmux/privileges.h"
#include "kvmux/result.h"

static char *result_path; /* NULL: no --result */
static char *temp_name; /* beside it, made by result_open() */
static int temp_fd = -1;

/* The length of path's directory part, its final slash included. */
static int dir_len(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? (int)(slash - path + 1) : 0;
}

/* The temporary file closed and removed, if there is one. */
static void drop_temp(void)
{
	if (temp_fd >= 0)
		close(temp_fd);
	temp_fd = -1;
	if (temp_name)
		unlink(temp_name);
	free(temp_name);
	temp_name = NULL;
}

/*
 * A new file beside path, ".kvmux-result-PID" (O_EXCL: never someone
 * else's), with the mode any new file gets (0666 less the umask), into
 * temp_fd and temp_name.
 */
static int make_temp(const char *path)
{
	if (asprintf(&temp_name, "%.*s.kvmux-result-%d", dir_len(path), path,
		     (int)getpid()) < 0) {
		temp_name = NULL;
		return err_host("out of memory");
	}
	temp_fd =
		open(temp_name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (temp_fd >= 0)
		return 0;
	err_input_errno("--result %s: cannot write in its directory", path);
	free(temp_name);
	temp_name = NULL;
	return -1;
}

/* temp_name to a name beside it and back, as a test. */
static int probe_rename(void *opaque)
{
	const char *path = opaque;
	char *probe;
	int rc = 0;

	if (asprintf(&probe, "%.*s.kvmux-probe-%d", dir_len(path), path,
		     (int)getpid()) < 0)
		return err_host("out of memory");
	if (renameat2(AT_FDCWD, temp_name, AT_FDCWD, probe, RENAME_NOREPLACE) <
	    0)
		rc = err_input_errno("--result %s: without capabilities "
				     "(as at the end) kvmux cannot rename "
				     "files in its directory",
				     path);
	else if (renameat2(AT_FDCWD, probe, AT_FDCWD, temp_name,
			   RENAME_NOREPLACE) < 0) {
		rc = err_host("--result %s: cannot rename %s back to %s", path,
			      probe, temp_name);
		unlink(probe);
	}
	free(probe);
	return rc;
}

/*
 * A sticky directory (/tmp) lets only the file's owner, the directory's
 * or CAP_FOWNER replace a file.
 */
static int check_sticky(const char *path, const struct stat *old)
{
	char *dir;
	struct stat st;
	int rc = 0;

	if (!old || old->st_uid == geteuid())
		return 0;
	if (asprintf(&dir, "%.*s.", dir_len(path), path) < 0)
		return err_host("out of memory");
	if (stat(dir, &st) == 0 && (st.st_mode & S_ISVTX) &&
	    st.st_uid != geteuid())
		rc = err_set("--result %s: another user's file in a sticky "
			     "directory, which only capabilities kvmux gives "
			     "up could replace",
			     path);
	free(dir);
	return rc;
}

/*
 * The rename at the end is made by the fd release helper, as the user
 * kvmux started as but without capabilities (kvmux/fd_release.h): what
 * it could not do fails now.  Called before any thread exists.
 */
static int check_rename(const char *path, const struct stat *old)
{
	const char *base = path + dir_len(path);
	int rc;

	if (strlen(base) > NAME_MAX)
		return err_set("--result %s: the file name is longer than %d "
			       "bytes",
			       path, NAME_MAX);
	rc = check_sticky(path, old);
	if (!rc)
		rc = host_without_capabilities(probe_rename, (void *)path);
	return rc;
}

/*
 * The temporary file is made now and kept open: the JSON is written into
 * it at the end, when kvmux may have left root (--user) and runs under
 * its system call filter, which allows no open(2).
 */
int result_open(const char *path)
{
	struct stat st;
	bool exists;
	int rc;

	if (!*path)
		return err_set("--result: no file given");
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		return err_set("--result %s is a symbolic link: name the file "
			       "itself",
			       path);
	exists = stat(path, &st) == 0;
	if (exists && !S_ISREG(st.st_mode))
		return err_set("--result %s is %s, not a file", path,
			       host_file_type(st.st_mode));
	if (!exists && dir_len(path) == (int)strlen(path))
		return err_set("--result %s names a directory", path);
	if (make_temp(path) < 0)
		return -1;
	/* An existing file keeps its mode (not its set-ID bits). */
	if (exists && fchmod(temp_fd, st.st_mode & 0777) < 0)
		rc = err_input_errno("--result %s: cannot keep its mode", path);
	else
		rc = check_rename(path, exists ? &st : NULL);
	if (!rc && !(result_path = strdup(path)))
		rc = err_host("out of memory");
	if (rc) {
		drop_temp();
		return -1;
	}
	/* jansson's hash seed comes from /dev/urandom on first use: now,
	 * not under the filter at the end. */
	json_object_seed(0);
	return 0;
}

void result_names(const char **temp, const char **path)
{
	*temp = result_path ? temp_name : NULL;
	*path = result_path;
}

/* Fractions as JSON, or null for "not a group". */
static json_t *share(double fraction)
{
	return fraction < 0 ? json_null() : json_real(fraction);
}

static json_t *vm_json(const struct result_vm *v)
{
	return json_pack("{s:o, s:i, s:s, s:o, s:b, s:f, s:f, "
			 "s:{s:I, s:I}, s:{s:I, s:I}, s:o, s:o}",
			 "name", json_text(v->name), "status", v->status,
			 "reason", v->reason, "detail", json_text(v->detail),
			 "started", v->started, "wall_seconds", v->wall_seconds,
			 "cpu_seconds", v->cpu_seconds, "exits", "kvmux",
			 (json_int_t)v->exits_kvmux, "kvm",
			 (json_int_t)v->exits_kvm, "console", "bytes",
			 (json_int_t)v->console_bytes, "lost",
			 (json_int_t)v->console_lost, "target_share",
			 share(v->target_share), "obtained_share",
			 share(v->obtained_share));
}

static json_t *run_json(const struct run_result *r)
{
	json_t *vms = json_array(), *group = json_null();
	unsigned int i;

	for (i = 0; vms && i < r->nr_vms; i++)
		if (json_array_append_new(vms, vm_json(&r->vm[i])) < 0)
			return NULL;
	if (r->scheduler)
		group = json_pack("{s:o, s:i, s:I}", "scheduler",
				  json_text(r->scheduler), "host_cpus",
				  r->host_cpus, "period_ns",
				  (json_int_t)r->period_ns);
	return json_pack("{s:s, s:i, s:o, s:o, s:o}", "kvmux", KVMUX_VERSION,
			 "status", r->status, "error", json_text(r->error),
			 "vms", vms, "group", group);
}

/* The JSON into fd, flushed to disk before the rename makes it seen. */
static int write_json(int fd, json_t *root, const char *name)
{
	if (json_dumpfd(root, fd, JSON_INDENT(2) | JSON_REAL_PRECISION(6)) <
		    0 ||
	    write(fd, "\n", 1) != 1 || fsync(fd) < 0)
		return err_set_errno("--result: cannot write %s", name);
	return 0;
}

/* rename(2) here: 0 or an errno value, as publish's. */
static int rename_here(void)
{
	return rename(temp_name, result_path) < 0 ? errno : 0;
}

int result_write(const struct run_result *r, int (*publish)(void))
{
	json_t *root;
	int rc, err;

	if (!result_path || temp_fd < 0)
		return 0;
	root = run_json(r);
	if (!root)
		return err_host("out of memory for --result");
	rc = write_json(temp_fd, root, temp_name);
	close(temp_fd);
	temp_fd = -1;
	json_decref(root);
	if (rc) {
		/* With a release helper, it removes the file when kvmux ends
		 * without asking for the rename (and the main thread's filter
		 * has no unlink(2)). */
		if (!publish)
			unlink(temp_name);
		return rc;
	}
	err = publish ? publish() : rename_here();
	if (err) {
		if (!publish)
			unlink(temp_name);
		errno = err;
		return err_set_errno("--result: cannot rename %s to %s",
				     temp_name, result_path);
	}
	return 0;
}
