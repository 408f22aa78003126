/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * settings.h - every setting of kvmux in one table (cli/settings.c): its
 * config file section and key, its command-line option, its type, range
 * and default, and one line of help.  The option parser (cli/options.c),
 * the config file reader (cli/config_file.c), `--help` and the tables of
 * docs/config.md (`make docs`) are all made from it, and
 * tests/docs/check.sh fails when docs/config.md is out of date or the man
 * page's option headings differ from the table, so no two of them can
 * disagree.
 *
 * A setting applies to a VM (struct vm_config), to one disk or module of
 * it (a [disk "NAME"] / [module "NAME"] section, or --disk / --module),
 * or to the group of VMs of one run (struct group_config, command line
 * only).  A LIST setting may be given many times: in a config file
 * its key may repeat (any other key appears once per section), and the
 * command line adds to what the files gave, as --disk adds disks.
 * Sections:
 *
 *   [vm]  [kernel]  [console]  [disk "NAME"]...  [module "NAME"]...
 */
#ifndef KVMUX_SETTINGS_H
#define KVMUX_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kvmux/config.h"

enum setting_scope {
	SCOPE_VM, /* struct vm_config */
	SCOPE_DISK, /* struct disk_config */
	SCOPE_MODULE, /* struct module_config */
	SCOPE_GROUP, /* struct group_config */
};

enum setting_type {
	SETTING_STRING, /* const char *, copied */
	SETTING_PATH, /* const char *; relative to a config file's dir */
	SETTING_SIZE, /* uint64_t bytes; a bare number is MiB */
	SETTING_UINT, /* unsigned int in min..max */
	SETTING_DURATION, /* uint64_t ms: 30, 1.5, 90s, 250ms, 2m */
	SETTING_BOOL, /* bool: on/off, yes/no, true/false, 1/0 */
	SETTING_FLAG, /* bool, an option without a value: set to true */
	SETTING_CHOICE, /* int: the index of the value in choices[] */
	SETTING_CUSTOM, /* set() does it all */
	SETTING_SECTION, /* --disk, --module: the keys of a section */
	SETTING_LIST, /* struct config_list: each value is added to it */
};

/* Where a value goes, and how a path is read. */
struct setting_ctx {
	struct vm_config *vm; /* owns copied strings; NULL for the group */
	struct group_config *group;
	void *target; /* the struct of the setting's scope */
	const char *dir; /* a config file's directory ("conf/"); NULL: none */
};

struct setting {
	const char *section; /* in config files; NULL: command line only */
	const char *key;
	const char *option; /* long option without "--"; NULL: none */
	char short_option; /* 0: none */
	const char *value; /* the value's shape for help: "SIZE", "on|off" */
	enum setting_type type;
	enum setting_scope scope;
	size_t offset; /* of the field in the scope's struct */
	uint64_t min, max; /* UINT and SIZE ranges; STRING: max length */
	const char *const *choices; /* CHOICE: NULL-terminated */
	/* CUSTOM: parse value into ctx->target; -1 with err_set(). */
	int (*set)(const struct setting *s, const char *value,
		   struct setting_ctx *ctx);
	/* STRING, PATH, LIST: 0 if value may be taken, else -1 with
	 * err_set(); NULL: any value. */
	int (*check)(const char *value);
	const char *def; /* the default, as help shows it */
	const char *help; /* one line */
	unsigned int flags;
	const char *alias; /* another long option, as other tools spell it */
};

/* flags */
#define SETTING_ONE_VM 0x1 /* on the command line, only with one VM */
#define SETTING_REQUIRED 0x2 /* a section without it is refused */
#define SETTING_NOT_EMPTY 0x4 /* a STRING that may not be "" */
#define SETTING_HIDDEN 0x8 /* an alias: parsed, not in help or docs */
#define SETTING_PLAN 0x10 /* kvmux plan takes it too */
#define SETTING_REST 0x20 /* in --disk/--module: the rest of the value */
#define SETTING_PLAN_ONLY 0x40 /* kvmux plan only */
/* A VM's key that is the process's: every VM of a run has the same value
 * (CHOICE and STRING settings). */
#define SETTING_RUN_WIDE 0x80

/* Most rows the table may have (tests/unit/test_settings.c checks). */
#define SETTINGS_MAX 64

/* The table, ending with an entry whose key and option are both NULL. */
extern const struct setting settings[];

/* The setting of key in section (a disk's keys: section "disk"). */
const struct setting *setting_find(const char *section, const char *key);
/* The setting of a long option, or of a short one (name NULL). */
const struct setting *setting_find_option(const char *name, char short_opt);

/*
 * Parse value and store it through ctx.  Errors are err_set() with the
 * bare reason ("'x' is not a size"): callers add where it came from.
 */
int setting_apply(const struct setting *s, const char *value,
		  struct setting_ctx *ctx);

/* A new disk or module of ctx->vm (for a section or an option): -1 and
 * err_set() when the VM has as many as it may. */
void *setting_new_instance(enum setting_scope scope, struct vm_config *vm);

/*
 * A required setting (a PATH or STRING) the disk or module instance
 * lacks, or NULL if it has them all.
 */
const struct setting *setting_missing(enum setting_scope scope,
				      const void *instance);

/*
 * The VMs vm[0..nr) of one run agree on every SETTING_RUN_WIDE setting.
 * Returns 0, or -1 with err_set() naming the setting, two VMs and their
 * values.
 */
int settings_check_run_wide(const struct vm_config *vm, unsigned int nr);

/* What `kvmux run --help` and `kvmux plan --help` list. */
void settings_print_help(FILE *out, bool plan);

/* The tables of docs/config.md, in Markdown (`make docs` writes them). */
void settings_print_markdown(FILE *out);

/*
 * One line per option, "S<tab>LONG<tab>VALUE" (S: the short option or
 * '-'; VALUE empty for a flag), for tests/docs/check.sh, which holds the
 * man page's option headings to the table.
 */
void settings_print_options(FILE *out);

/* on/off, yes/no, true/false, 1/0 (any case); -1 with err_set() if not. */
int setting_parse_bool(const char *text, bool *value);

#endif
