// SPDX-License-Identifier: GPL-2.0-only
/*
 * same_file.c - which of a run's files are one file (kvmux/same_file.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kvmux/console_output.h"
#include "kvmux/error.h"
#include "kvmux/same_file.h"

/*
 * What a file is to the run.  Two files of one kind may be one file, but
 * for SAME_FILE_OWN; the lower kind is named first in the error.
 */
enum same_file_kind {
	SAME_FILE_OWN, /* an output written whole: --result, --dump-dtb */
	SAME_FILE_CONSOLE, /* --console-output FILE, --console-log */
	SAME_FILE_STREAM, /* kvmux's stdout or stderr, if a regular file */
	SAME_FILE_INPUT, /* read, or a disk only read (readonly, snapshot) */
	SAME_FILE_WRITTEN, /* a disk the guest writes in place */
};

struct same_file_set {
	struct same_file *file;
	unsigned int nr;
	const void *owner; /* the VM whose files are added now, or NULL */
};

/*
 * Which file a path is: (dev, ino) of the file when it exists (name
 * NULL); when it does not exist yet, (dev, ino) of the directory it
 * would be made in and its name there.
 */
struct file_id {
	dev_t dev;
	ino_t ino;
	char *name;
};

struct same_file {
	enum same_file_kind kind;
	struct file_id id;
	char *what;
	const void *owner;
};

/* Symbolic links followed to find a dangling link's target, as the
 * kernel's own limit for one path (ELOOP). */
#define SAME_FILE_MAX_LINKS 40

static int add(struct same_file_set *set, enum same_file_kind kind,
	       struct file_id *id, char *what)
{
	struct same_file *grown;

	grown = what ? realloc(set->file, (set->nr + 1) * sizeof(*grown)) :
		       NULL;
	if (!grown) {
		free(what);
		free(id->name);
		return err_host("out of memory");
	}
	set->file = grown;
	set->file[set->nr++] =
		(struct same_file){ kind, *id, what, set->owner };
	return 0;
}

/* The directory part of path ("." for none) into *dir (NULL when out
 * of memory); returns its last component, NULL if there is none. */
static const char *split(const char *path, char **dir)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		*dir = strdup(".");
	else if (slash == path)
		*dir = strdup("/");
	else
		*dir = strndup(path, slash - path);
	if (!slash)
		return *path ? path : NULL;
	return slash[1] ? slash + 1 : NULL;
}

/* Where path points if it is a symbolic link, relative to its directory
 * dir: 1 with *target, 0 if it is none (or cannot be followed: a target
 * longer than PATH_MAX), -1 when out of memory. */
static int link_target(const char *path, const char *dir, char **target)
{
	char buf[PATH_MAX];
	ssize_t n = readlink(path, buf, sizeof(buf));

	if (n < 0 || n == sizeof(buf))
		return 0;
	buf[n] = '\0';
	if (buf[0] == '/')
		*target = strdup(buf);
	else if (asprintf(target, "%s/%s", dir, buf) < 0)
		*target = NULL;
	return *target ? 1 : err_host("out of memory");
}

/*
 * Identify a path that does not exist (stat() said ENOENT) by its
 * directory and name, so that "x.log", "./x.log", "d/../x.log" and a
 * path through a symbolic link to the directory are one file.  A
 * dangling symbolic link is followed: open(O_CREAT) makes its target,
 * so the link and the target's own path are one file.  (--result
 * refuses a link, with its own error.)  Returns 1 with *id, 0 if no
 * file could be made there (no such directory, a loop of links:
 * opening it fails), -1 when out of memory.
 */
static int new_file_id(const char *path, struct file_id *id, unsigned int links)
{
	char *dir, *target = NULL;
	const char *name = split(path, &dir);
	struct stat st;
	int rc;

	if (!dir)
		return err_host("out of memory");
	rc = links < SAME_FILE_MAX_LINKS ? link_target(path, dir, &target) : 0;
	if (rc > 0)
		rc = new_file_id(target, id, links + 1);
	else if (!rc && name && stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
		*id = (struct file_id){ st.st_dev, st.st_ino, strdup(name) };
		rc = id->name ? 1 : err_host("out of memory");
	}
	free(target);
	free(dir);
	return rc;
}

/*
 * Identify path as a file of the given kind: 1 with *id, 0 if it is
 * left out (no file of this kind to compare: an output that is not a
 * regular file is not truncated or replaced, and an input that does not
 * exist fails to open with its own error), -1 when out of memory.
 */
static int file_id(enum same_file_kind kind, const char *path,
		   struct file_id *id)
{
	struct stat st;

	if (stat(path, &st) == 0) {
		*id = (struct file_id){ st.st_dev, st.st_ino, NULL };
		return kind >= SAME_FILE_INPUT || S_ISREG(st.st_mode);
	}
	if (errno != ENOENT || kind >= SAME_FILE_INPUT)
		return 0;
	return new_file_id(path, id, 0);
}

static int __attribute__((format(printf, 4, 5)))
same_file_add(struct same_file_set *set, enum same_file_kind kind,
	      const char *path, const char *fmt, ...)
{
	struct file_id id;
	va_list ap;
	char *what;
	int n;

	if (!path)
		return 0;
	n = file_id(kind, path, &id);
	if (n <= 0)
		return n;
	va_start(ap, fmt);
	n = vasprintf(&what, fmt, ap);
	va_end(ap);
	return add(set, kind, &id, n < 0 ? NULL : what);
}

static int same_file_add_fd(struct same_file_set *set, enum same_file_kind kind,
			    int fd, const char *what)
{
	struct file_id id = { 0 };
	struct stat st;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	id.dev = st.st_dev;
	id.ino = st.st_ino;
	return add(set, kind, &id, strdup(what));
}

static bool same_id(const struct file_id *a, const struct file_id *b)
{
	if (a->dev != b->dev || a->ino != b->ino)
		return false;
	if (!a->name || !b->name)
		return !a->name && !b->name;
	return !strcmp(a->name, b->name);
}

/*
 * Files of one kind may be one file, but for files written whole; a disk
 * the guest writes is no output and no other VM's file (one VM's own
 * inputs are its own checks': the disk's names a disk given twice,
 * devices/virtio/virtio_blk.c).
 */
static bool may_share(const struct same_file *a, const struct same_file *b)
{
	if (a->kind == SAME_FILE_WRITTEN || b->kind == SAME_FILE_WRITTEN)
		return a->kind >= SAME_FILE_INPUT &&
		       b->kind >= SAME_FILE_INPUT && a->owner &&
		       a->owner == b->owner;
	return a->kind == b->kind && a->kind != SAME_FILE_OWN;
}

/* Files 0 .. first - 1 against every other (first = nr: all of them). */
static int same_file_check(const struct same_file_set *set, unsigned int first)
{
	const struct same_file *a, *b;
	unsigned int i, j;

	for (i = 0; i < set->nr && i < first; i++) {
		for (j = i + 1; j < set->nr; j++) {
			a = &set->file[i];
			b = &set->file[j];
			if (!same_id(&a->id, &b->id) || may_share(a, b))
				continue;
			if (b->kind < a->kind) {
				a = b;
				b = &set->file[i];
			}
			if (a->kind == SAME_FILE_WRITTEN)
				return err_set("%s is %s, and both guests "
					       "write it (every VM using it "
					       "needs readonly=on or "
					       "snapshot=on)",
					       a->what, b->what);
			if (a->kind >= SAME_FILE_INPUT &&
			    b->kind == SAME_FILE_WRITTEN)
				return err_set("%s is %s, which its guest "
					       "writes (readonly=on or "
					       "snapshot=on would share it)",
					       a->what, b->what);
			return err_set("%s is %s", a->what, b->what);
		}
	}
	return 0;
}

static void same_file_free(struct same_file_set *set)
{
	unsigned int i;

	for (i = 0; i < set->nr; i++) {
		free(set->file[i].what);
		free(set->file[i].id.name);
	}
	free(set->file);
	set->file = NULL;
	set->nr = 0;
}

/* A console file template of cfg, %n expanded. */
static int add_console(struct same_file_set *set, const char *option,
		       const char *tmpl, const struct vm_config *cfg)
{
	char *path;
	int rc;

	if (!tmpl)
		return 0;
	if (console_file_name(tmpl, cfg->name, &path) < 0)
		return -1;
	rc = same_file_add(set, SAME_FILE_CONSOLE, path, "%s %s", option, path);
	free(path);
	return rc;
}

static int add_outputs(struct same_file_set *set, const struct vm_config *cfg)
{
	const char *file = cfg->console_target == CONSOLE_TO_FILE ?
				   cfg->console_file :
				   NULL;

	if (add_console(set, "--console-output", file, cfg) < 0 ||
	    add_console(set, "--console-log", cfg->console_log, cfg) < 0)
		return -1;
	return same_file_add(set, SAME_FILE_OWN, cfg->dump_dtb, "--dump-dtb %s",
			     cfg->dump_dtb);
}

static int add_inputs(struct same_file_set *set, const struct vm_config *cfg)
{
	const enum same_file_kind in = SAME_FILE_INPUT;
	const char *vm = cfg->name;
	unsigned int i;
	int rc;

	rc = same_file_add(set, in, cfg->kernel, "the kernel %s of %s",
			   cfg->kernel, vm);
	rc |= same_file_add(set, in, cfg->initrd, "the initrd %s of %s",
			    cfg->initrd, vm);
	rc |= same_file_add(set, in, cfg->config_file, "the config file %s",
			    cfg->config_file);
	for (i = 0; i < cfg->nr_modules; i++)
		rc |= same_file_add(set, in, cfg->module[i].path,
				    "the module %s of %s", cfg->module[i].path,
				    vm);
	for (i = 0; i < cfg->nr_disks; i++) {
		const struct disk_config *d = &cfg->disk[i];

		rc |= same_file_add(
			set,
			d->readonly || d->snapshot ? in : SAME_FILE_WRITTEN,
			d->path, "the disk %s of %s", d->path, vm);
	}
	return rc ? -1 : 0;
}

static int add_run(struct same_file_set *set, const struct run_request *req)
{
	unsigned int i;

	if (same_file_add(set, SAME_FILE_OWN, req->group.result, "--result %s",
			  req->group.result) < 0 ||
	    same_file_add_fd(set, SAME_FILE_STREAM, STDOUT_FILENO,
			     "the file of kvmux's standard output") < 0 ||
	    same_file_add_fd(set, SAME_FILE_STREAM, STDERR_FILENO,
			     "the file of kvmux's standard error") < 0)
		return -1;
	for (i = 0; i < req->nr_vms; i++) {
		set->owner = &req->vm[i];
		if (add_outputs(set, &req->vm[i]) < 0 ||
		    add_inputs(set, &req->vm[i]) < 0)
			return -1;
	}
	return 0;
}

int same_file_check_run(const struct run_request *req)
{
	struct same_file_set set = { NULL, 0, NULL };
	int rc = add_run(&set, req);

	if (!rc)
		rc = same_file_check(&set, set.nr);
	same_file_free(&set);
	return rc;
}

int same_file_check_result(const struct run_request *req)
{
	struct same_file_set set = { NULL, 0, NULL };
	int rc = add_run(&set, req);

	/* add_run() adds --result first, when it can be made. */
	if (!rc && req->group.result && set.nr &&
	    set.file[0].kind == SAME_FILE_OWN && !set.file[0].owner)
		rc = same_file_check(&set, 1);
	same_file_free(&set);
	return rc;
}
