// SPDX-License-Identifier: GPL-2.0-only
/*
 * same_file.c - which of a run's files are one file (kvmux/same_file.h).
 */
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
	SAME_FILE_INPUT, /* read (or a disk written in place) */
};

struct same_file_set {
	struct same_file *file;
	unsigned int nr;
};

struct same_file {
	enum same_file_kind kind;
	dev_t dev;
	ino_t ino;
	char *what;
};

static int add(struct same_file_set *set, enum same_file_kind kind,
	       const struct stat *st, char *what)
{
	struct same_file *grown;

	if (!what)
		return err_host("out of memory");
	grown = realloc(set->file, (set->nr + 1) * sizeof(*grown));
	if (!grown) {
		free(what);
		return err_host("out of memory");
	}
	set->file = grown;
	set->file[set->nr++] =
		(struct same_file){ kind, st->st_dev, st->st_ino, what };
	return 0;
}

/* Only a regular file is truncated or replaced: inputs are any file. */
static bool counts(enum same_file_kind kind, const struct stat *st)
{
	return kind == SAME_FILE_INPUT || S_ISREG(st->st_mode);
}

static int __attribute__((format(printf, 4, 5)))
same_file_add(struct same_file_set *set, enum same_file_kind kind,
	      const char *path, const char *fmt, ...)
{
	struct stat st;
	va_list ap;
	char *what;
	int n;

	if (!path || stat(path, &st) < 0 || !counts(kind, &st))
		return 0;
	va_start(ap, fmt);
	n = vasprintf(&what, fmt, ap);
	va_end(ap);
	return add(set, kind, &st, n < 0 ? NULL : what);
}

static int same_file_add_fd(struct same_file_set *set, enum same_file_kind kind,
			    int fd, const char *what)
{
	struct stat st;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	return add(set, kind, &st, strdup(what));
}

/* Files of one kind may be one file, but for files written whole. */
static bool may_share(const struct same_file *a, const struct same_file *b)
{
	return a->kind == b->kind && a->kind != SAME_FILE_OWN;
}

static int same_file_check(const struct same_file_set *set)
{
	const struct same_file *a, *b;
	unsigned int i, j;

	for (i = 0; i < set->nr; i++) {
		for (j = i + 1; j < set->nr; j++) {
			a = &set->file[i];
			b = &set->file[j];
			if (a->dev != b->dev || a->ino != b->ino ||
			    may_share(a, b))
				continue;
			if (b->kind < a->kind) {
				a = b;
				b = &set->file[i];
			}
			return err_set("%s is %s", a->what, b->what);
		}
	}
	return 0;
}

static void same_file_free(struct same_file_set *set)
{
	unsigned int i;

	for (i = 0; i < set->nr; i++)
		free(set->file[i].what);
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
	for (i = 0; i < cfg->nr_disks; i++)
		rc |= same_file_add(set, in, cfg->disk[i].path,
				    "the disk %s of %s", cfg->disk[i].path, vm);
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
	for (i = 0; i < req->nr_vms; i++)
		if (add_outputs(set, &req->vm[i]) < 0 ||
		    add_inputs(set, &req->vm[i]) < 0)
			return -1;
	return 0;
}

int same_file_check_run(const struct run_request *req)
{
	struct same_file_set set = { NULL, 0 };
	int rc = add_run(&set, req);

	if (!rc)
		rc = same_file_check(&set);
	same_file_free(&set);
	return rc;
}
