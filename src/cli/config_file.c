// SPDX-License-Identifier: GPL-2.0-only
/*
 * config_file.c - a VM from an INI file (kvmux/config_file.h,
 * docs/config.md).  Sections and keys are those of the settings table
 * (kvmux/settings.h); this file only reads the INI dialect:
 *
 *   ; or # at the start of a line: a comment
 *   [vm], [kernel], [console]             once each
 *   [disk "NAME"], [module "NAME"]        once per NAME, in file order
 *   key = value   (or key: value)         blanks around both are trimmed
 *   value ; note                          " ;" outside quotes ends it
 *   "value"                               the quotes are dropped
 *
 * Lines may be 64 KiB long, so a long kernel command line fits.  (kvmux
 * used libinih until Debian's build turned out to cap lines at 199
 * bytes, which is shorter than many kernel command lines; the dialect
 * above is what inih read, so files did not change.)  The first mistake
 * stops the read and is reported with its line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kvmux/config_file.h"
#include "kvmux/error.h"
#include "kvmux/host_file.h"
#include "kvmux/settings.h"

#define CONFIG_LINE_MAX 65536 /* bytes, without the newline */
#define SECTION_NAME_MAX 32 /* the NAME of [disk "NAME"] */
#define LABEL_MAX (SECTION_NAME_MAX + 16)
/* Sections a file may have: the singletons and every disk and module. */
#define SECTIONS_MAX (3 + CONFIG_MAX_DISKS + CONFIG_MAX_MODULES)

/* A section seen so far, to report a second one with the same label. */
struct seen_section {
	char label[LABEL_MAX];
	unsigned int line;
};

struct loader {
	const char *path; /* as the user gave it, for messages */
	char *dir; /* prefix for relative paths ("conf/"); NULL: none */
	FILE *file;
	char *buf; /* the line being read: CONFIG_LINE_MAX + 2 bytes */
	unsigned int lineno;
	struct vm_config *cfg;

	/* The section being read: section NULL before the first header. */
	const char *section;
	char label[LABEL_MAX]; /* "[vm]", "[disk \"root\"]" for messages */
	unsigned int sec_line;
	enum setting_scope scope;
	void *target; /* the vm_config, or the section's disk or module */
	unsigned int key_line[SETTINGS_MAX]; /* where each key was set */

	struct seen_section seen[SECTIONS_MAX];
	unsigned int nr_seen;
	bool name_set;
};

static int fail_at(struct loader *ld, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Report "path:line: message" (or "path: message" for line 0). */
static int fail_at(struct loader *ld, unsigned int line, const char *fmt, ...)
{
	char msg[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line)
		return err_set("%s:%u: %s", ld->path, line, msg);
	return err_set("%s: %s", ld->path, msg);
}

static int not_ini(struct loader *ld)
{
	return fail_at(ld, ld->lineno,
		       "not valid INI: expected [section], key = value or a "
		       "comment");
}

/* A setting of the section name[0..len), or NULL if there is none. */
static const struct setting *section_setting(const char *name, size_t len)
{
	const struct setting *s;

	for (s = settings; s->key || s->option; s++)
		if (s->section && strlen(s->section) == len &&
		    !memcmp(s->section, name, len))
			return s;
	return NULL;
}

/* A section ends: it must have had its required keys. */
static int close_section(struct loader *ld)
{
	const struct setting *missing;

	if (!ld->section || ld->scope == SCOPE_VM)
		return 0;
	missing = setting_missing(ld->scope, ld->target);
	if (missing)
		return fail_at(ld, ld->sec_line, "%s has no %s: %s is required",
			       ld->label, missing->key, missing->key);
	return 0;
}

/* Remember the section in ld->label; a second one is refused. */
static int enter_section(struct loader *ld, const char *section)
{
	struct seen_section *seen;

	for (seen = ld->seen; seen < ld->seen + ld->nr_seen; seen++)
		if (!strcmp(seen->label, ld->label))
			return fail_at(ld, ld->lineno,
				       "duplicate section %s (first on line "
				       "%u)",
				       ld->label, seen->line);
	if (ld->nr_seen == SECTIONS_MAX)
		return fail_at(ld, ld->lineno, "more than %d sections",
			       SECTIONS_MAX);
	if (ld->scope == SCOPE_VM) {
		ld->target = ld->cfg;
	} else {
		ld->target = setting_new_instance(ld->scope, ld->cfg);
		if (!ld->target)
			return fail_at(ld, ld->lineno, "%s: %s", ld->label,
				       err_msg());
	}
	snprintf(seen->label, sizeof(seen->label), "%s", ld->label);
	seen->line = ld->lineno;
	ld->nr_seen++;
	ld->section = section;
	ld->sec_line = ld->lineno;
	memset(ld->key_line, 0, sizeof(ld->key_line));
	return 0;
}

/* The NAME of [disk "NAME"]: 1 to 32 bytes, no quote, nothing after. */
static int quoted_name(const char *text, size_t len, size_t *name_len)
{
	const char *end;

	if (len < 2 || text[0] != '"')
		return -1;
	end = memchr(text + 1, '"', len - 1);
	if (!end || end != text + len - 1)
		return -1;
	*name_len = end - text - 1;
	return *name_len >= 1 && *name_len <= SECTION_NAME_MAX ? 0 : -1;
}

/* [disk "NAME"]: arg is what follows "disk" in the brackets. */
static int open_named(struct loader *ld, const char *sec, const char *arg,
		      size_t len)
{
	size_t blanks = strspn(arg, " \t"), name_len;

	if (!len)
		return fail_at(ld, ld->lineno,
			       "[%s] needs a name: [%s \"NAME\"]", sec, sec);
	arg += blanks;
	len -= blanks;
	if (!blanks || quoted_name(arg, len, &name_len) < 0)
		return fail_at(ld, ld->lineno,
			       "bad section [%s %.*s]: write [%s \"NAME\"] "
			       "with a NAME of 1 to %d bytes",
			       sec, (int)len, arg, sec, SECTION_NAME_MAX);
	snprintf(ld->label, sizeof(ld->label), "[%s \"%.*s\"]", sec,
		 (int)name_len, arg + 1);
	return enter_section(ld, sec);
}

/* The text between '[' and ']'. */
static int open_section(struct loader *ld, const char *text, size_t len)
{
	size_t word = strcspn(text, " \t\"");
	const struct setting *s;

	if (word > len)
		word = len;
	s = section_setting(text, word);
	if (!s || (s->scope == SCOPE_VM && word != len))
		return fail_at(ld, ld->lineno, "unknown section [%.*s]",
			       (int)len, text);
	ld->scope = s->scope;
	if (s->scope != SCOPE_VM)
		return open_named(ld, s->section, text + word, len - word);
	snprintf(ld->label, sizeof(ld->label), "[%s]", s->section);
	return enter_section(ld, s->section);
}

/* Does text (after blanks) end the line: nothing, or a comment? */
static bool line_ends(const char *text)
{
	text += strspn(text, " \t");
	return !*text || *text == ';' || *text == '#';
}

/* A "[...]" line. */
static int section_line(struct loader *ld, const char *line)
{
	const char *end = strchr(line, ']');

	if (!end)
		return not_ini(ld);
	if (!line_ends(end + 1))
		return fail_at(ld, ld->lineno, "unexpected text after ']'");
	if (close_section(ld) < 0)
		return -1;
	return open_section(ld, line + 1, end - line - 1);
}

/*
 * The value of a key line, in place: an inline comment (" ;" outside
 * double quotes) and the blanks around it go, then a pair of quotes
 * around all of it.  NULL: a quote is not closed (an odd number of them
 * before the end or the comment), which a kernel's command line would
 * misread too.
 */
static char *value_text(char *value)
{
	bool quoted = false;
	char *p, *end;

	value += strspn(value, " \t");
	for (p = value; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == ';' && !quoted && p > value &&
			 (p[-1] == ' ' || p[-1] == '\t'))
			break;
	}
	if (quoted)
		return NULL;
	end = p;
	while (end > value && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*end = '\0';
	if (end - value >= 2 && value[0] == '"' && end[-1] == '"') {
		end[-1] = '\0';
		value++;
	}
	return value;
}

static int apply_key(struct loader *ld, const char *key, const char *value)
{
	struct setting_ctx ctx = { .vm = ld->cfg,
				   .target = ld->target,
				   .dir = ld->dir };
	const struct setting *s;
	unsigned int *first;

	if (!ld->section)
		return fail_at(ld, ld->lineno,
			       "key '%s' is outside any section", key);
	s = setting_find(ld->section, key);
	if (!s)
		return fail_at(ld, ld->lineno, "unknown key '%s' in %s", key,
			       ld->label);
	first = &ld->key_line[s - settings];
	if (*first && s->type != SETTING_LIST)
		return fail_at(ld, ld->lineno,
			       "duplicate key '%s' in %s (first on line %u)",
			       key, ld->label, *first);
	*first = ld->lineno;
	if (s == setting_find("vm", "name"))
		ld->name_set = true;
	if (setting_apply(s, value, &ctx) < 0)
		return fail_at(ld, ld->lineno, "%s %s: %s", ld->label, key,
			       err_msg());
	return 0;
}

/* "key = value" or "key: value". */
static int key_line(struct loader *ld, char *line)
{
	size_t key_len = strcspn(line, "=:");
	char *value = line + key_len;

	if (!*value)
		return not_ini(ld);
	*value++ = '\0';
	while (key_len &&
	       (line[key_len - 1] == ' ' || line[key_len - 1] == '\t'))
		line[--key_len] = '\0';
	if (!key_len)
		return not_ini(ld);
	value = value_text(value);
	if (!value)
		return fail_at(ld, ld->lineno, "unterminated quote");
	return apply_key(ld, line, value);
}

/*
 * One line (without its newline) into ld->buf, reading at most one byte
 * more than CONFIG_LINE_MAX of it: a file that is not made of lines (a
 * disk image given by mistake) is refused then, never read whole.
 * Returns 1 with a line, 0 at the end of the file, -1 on an error.
 */
static int next_line(struct loader *ld)
{
	size_t len = 0;
	int c = EOF;

	while (len <= CONFIG_LINE_MAX && (c = getc_unlocked(ld->file)) != EOF) {
		if (c == '\n')
			break;
		if (c == '\0')
			return fail_at(ld, ld->lineno + 1,
				       "not a text file (NUL byte)");
		ld->buf[len++] = c;
	}
	if (ferror(ld->file))
		return fail_at(ld, 0, "cannot read: %s", strerror(errno));
	if (c == EOF && !len)
		return 0;
	ld->lineno++;
	if (len > CONFIG_LINE_MAX)
		return fail_at(ld, ld->lineno, "line is longer than %d bytes",
			       CONFIG_LINE_MAX);
	while (len && (ld->buf[len - 1] == '\r' || ld->buf[len - 1] == ' ' ||
		       ld->buf[len - 1] == '\t'))
		len--;
	ld->buf[len] = '\0';
	return 1;
}

static int parse_line(struct loader *ld)
{
	char *text = ld->buf;

	if (ld->lineno == 1 && !strncmp(text, "\xef\xbb\xbf", 3))
		text += 3; /* a UTF-8 byte order mark */
	text += strspn(text, " \t");
	if (!*text || *text == ';' || *text == '#')
		return 0;
	if (*text == '[')
		return section_line(ld, text);
	return key_line(ld, text);
}

/* "dir/web.conf" names its VM "web" unless [vm] name says otherwise. */
static int default_name(struct loader *ld)
{
	const char *base = strrchr(ld->path, '/');
	size_t len;

	base = base ? base + 1 : ld->path;
	len = strlen(base);
	if (len > 5 && !strcmp(base + len - 5, ".conf"))
		len -= 5;
	if (!len)
		return 0;
	ld->cfg->name = vm_config_keep(ld->cfg, base, len);
	if (!ld->cfg->name)
		return fail_at(ld, 0, "%s", err_msg());
	if (vm_config_check_name(ld->cfg->name) < 0)
		return fail_at(ld, 0,
			       "the VM's name, from the file's: %s; give "
			       "one with [vm] name",
			       err_msg());
	return 0;
}

static int parse(struct loader *ld)
{
	int rc;

	while ((rc = next_line(ld)) > 0)
		if (parse_line(ld) < 0)
			return -1;
	if (rc < 0 || close_section(ld) < 0)
		return -1;
	if (!ld->cfg->kernel)
		return fail_at(ld, 0, "no kernel: [kernel] path is required");
	return ld->name_set ? 0 : default_name(ld);
}

#define KERNEL_PEEK 8192 /* a multiboot header is in the first 8 KiB */

static uint32_t le32_at(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * Does the file start like a kernel (an ELF, a bzImage's "HdrS" at 0x202,
 * a multiboot header whose checksum holds)?  Then the user meant
 * --kernel: say so rather than "not a text file".  The file is rewound.
 */
static bool looks_like_kernel(FILE *f)
{
	uint8_t *buf = malloc(KERNEL_PEEK);
	size_t n, off;
	bool kernel = false;

	if (!buf)
		return false;
	n = fread(buf, 1, KERNEL_PEEK, f);
	if (n >= 4 && !memcmp(buf,
			      "\x7f"
			      "ELF",
			      4))
		kernel = true;
	if (n >= 0x206 && !memcmp(buf + 0x202, "HdrS", 4))
		kernel = true;
	for (off = 0; !kernel && off + 12 <= n; off += 4)
		kernel = le32_at(buf + off) == 0x1badb002 &&
			 le32_at(buf + off) + le32_at(buf + off + 4) +
					 le32_at(buf + off + 8) ==
				 0;
	free(buf);
	rewind(f);
	return kernel;
}

/* Only a regular file: a FIFO would block, /dev/zero never ends. */
static int open_file(struct loader *ld)
{
	int fd = host_open_input(ld->path, "config file", O_RDONLY, false);

	if (fd < 0)
		return -1;
	ld->file = fdopen(fd, "r");
	ld->buf = malloc(CONFIG_LINE_MAX + 2);
	if (!ld->file || !ld->buf) {
		if (!ld->file)
			close(fd);
		return err_host("out of memory");
	}
	if (looks_like_kernel(ld->file))
		return err_set("%s looks like a kernel image, not a config "
			       "file: use --kernel %s",
			       ld->path, ld->path);
	return 0;
}

static int set_dir(struct loader *ld)
{
	const char *slash = strrchr(ld->path, '/');

	if (!slash)
		return 0;
	ld->dir = strndup(ld->path, slash - ld->path + 1);
	return ld->dir ? 0 : err_host("out of memory");
}

int config_file_load(const char *path, struct vm_config *cfg)
{
	struct loader *ld = calloc(1, sizeof(*ld));
	int rc;

	if (!ld)
		return err_host("out of memory");
	ld->path = path;
	ld->cfg = cfg;
	rc = set_dir(ld);
	if (!rc)
		rc = open_file(ld);
	if (!rc)
		rc = parse(ld);
	if (ld->file)
		fclose(ld->file);
	free(ld->buf);
	free(ld->dir);
	free(ld);
	return rc;
}
