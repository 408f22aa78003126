// SPDX-License-Identifier: GPL-2.0-only
/*
 * config_file.c - a VM from an INI file, parsed by libinih
 * (kvmux/config_file.h, docs/config.md).
 *
 * inih splits lines into sections and key = value pairs, but its handler
 * learns neither the line number (INI_HANDLER_LINENO is a build option
 * Debian's libinih does not set) nor where a section starts.  So kvmux
 * feeds inih through ini_parse_stream() with its own line reader, which
 *  - counts lines: the handler runs right after the reader returned the
 *    key's line, so ld->lineno is that key's line;
 *  - sees each "[section]" line first, so unknown, duplicate and empty
 *    sections are reported on their own line (inih only reports keys);
 *  - strips leading blanks, which turns off inih's multi-line values (an
 *    indented "key = value" would otherwise extend the previous value);
 *  - stops the parse at the first error, so the first error is reported.
 * inih still does the INI syntax: comments, "key = value", trimming.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "kvmux/config_file.h"
#include "kvmux/error.h"
#include "kvmux/host.h"
#include "kvmux/layout.h"
#include "kvmux/parse.h"
#include "kvmux/platform.h"

#define DISK_NAME_MAX 32
#define DISK_SERIAL_MAX 20 /* VIRTIO_BLK_ID_BYTES */
#define WEIGHT_MAX 10000 /* keeps share arithmetic far from overflow */
#define SECTION_KEYS_MAX 11
#define LABEL_MAX (DISK_NAME_MAX + 16)
/* Longest line kvmux would pass to inih (which has its own limit). */
#define CONFIG_LINE_BUF 4096

/* A string owned by a vm_config: a list the config frees in one go. */
struct config_strings {
	struct config_strings *next;
	char text[];
};

struct loader;

struct key {
	const char *name;
	int (*set)(struct loader *ld, const char *value);
};

struct section {
	const char *name;
	const struct key *keys;
	unsigned int nr_keys;
};

enum {
	SECTION_VM,
	SECTION_KERNEL,
	SECTION_DISK,
	SECTION_CONSOLE,
	SECTION_MODULE,
	NR_SECTIONS
};

/* Names of the sections that repeat: [disk "NAME"], [module "NAME"]. */
#define NAMED_MAX CONFIG_MAX_MODULES
struct named_sections {
	char name[NAMED_MAX][DISK_NAME_MAX + 1];
	unsigned int line[NAMED_MAX];
	unsigned int nr;
};

struct loader {
	const char *path; /* as the user gave it, for messages */
	char *dir; /* prefix for relative paths ("conf/"); NULL: none */
	FILE *file;
	char buf[CONFIG_LINE_BUF + 1]; /* the line being read */
	unsigned int lineno;
	bool failed;
	unsigned int error_line; /* of the first error; 0: not a line's */
	struct vm_config *cfg;

	/* The section being read: NULL before the first header. */
	const struct section *sec;
	char label[LABEL_MAX]; /* "[vm]", "[disk \"root\"]" for messages */
	unsigned int sec_line;
	unsigned int key_line[SECTION_KEYS_MAX]; /* where each key was set */
	struct disk_config *disk; /* in a [disk] section */
	struct module_config *module; /* in a [module] section */

	unsigned int first_line[NR_SECTIONS]; /* of [vm], [kernel], [console] */
	struct named_sections named[NR_SECTIONS]; /* [disk], [module] */
	bool name_set, kernel_set;
};

static int fail_at(struct loader *ld, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Record the first error as "path:line: message" (or "path: message"). */
static int fail_at(struct loader *ld, unsigned int line, const char *fmt, ...)
{
	char msg[ERR_MSG_MAX];
	va_list ap;

	if (ld->failed)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ld->failed = true;
	ld->error_line = line;
	if (line)
		return err_set("%s:%u: %s", ld->path, line, msg);
	return err_set("%s: %s", ld->path, msg);
}

void vm_config_free(struct vm_config *cfg)
{
	struct config_strings *s, *next;

	for (s = cfg->strings; s; s = next) {
		next = s->next;
		free(s);
	}
	cfg->strings = NULL;
}

const char *vm_config_keep(struct vm_config *cfg, const char *text, size_t len)
{
	struct config_strings *s = malloc(sizeof(*s) + len + 1);

	if (!s) {
		err_host("out of memory");
		return NULL;
	}
	memcpy(s->text, text, len);
	s->text[len] = '\0';
	s->next = cfg->strings;
	cfg->strings = s;
	return s->text;
}

/* A copy of prefix + text that lives as long as the config. */
static const char *keep(struct loader *ld, const char *prefix, const char *text)
{
	size_t prefix_len = prefix ? strlen(prefix) : 0;
	size_t text_len = strlen(text);
	struct config_strings *s;

	s = malloc(sizeof(*s) + prefix_len + text_len + 1);
	if (!s) {
		err_host("out of memory");
		return NULL;
	}
	if (prefix_len)
		memcpy(s->text, prefix, prefix_len);
	memcpy(s->text + prefix_len, text, text_len + 1);
	s->next = ld->cfg->strings;
	ld->cfg->strings = s;
	return s->text;
}

static int set_string(struct loader *ld, const char *value, const char **out)
{
	const char *copy = keep(ld, NULL, value);

	if (!copy)
		return -1;
	*out = copy;
	return 0;
}

/* Relative paths start from the config file's directory. */
static int set_path(struct loader *ld, const char *value, const char **out)
{
	const char *copy;

	if (!*value)
		return err_set("no path given");
	copy = keep(ld, value[0] == '/' ? NULL : ld->dir, value);
	if (!copy)
		return -1;
	*out = copy;
	return 0;
}

int config_parse_bool(const char *text, bool *value)
{
	static const char *const yes[] = { "on", "yes", "true", "1" };
	static const char *const no[] = { "off", "no", "false", "0" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcasecmp(text, yes[i]) || !strcasecmp(text, no[i])) {
			*value = !strcasecmp(text, yes[i]);
			return 0;
		}
	}
	return err_set("'%s' is not on or off (also yes/no, true/false, 1/0)",
		       text);
}

static int set_uint(const char *value, uint64_t min, uint64_t max,
		    unsigned int *out)
{
	uint64_t number;

	if (parse_uint(value, min, max, &number) < 0)
		return -1;
	*out = number;
	return 0;
}

/* [vm] */

static int set_name(struct loader *ld, const char *value)
{
	if (!*value)
		return err_set("the name is empty");
	ld->name_set = true;
	return set_string(ld, value, &ld->cfg->name);
}

/* The same limits as --memory (cli/options.c). */
static int set_memory(struct loader *ld, const char *value)
{
	uint64_t bytes;

	if (parse_size(value, SIZE_MIB, &bytes) < 0)
		return -1;
	if (bytes % (4 * SIZE_KIB))
		return err_set("%s is not a multiple of 4 KiB", value);
	if (bytes < LAYOUT_MIN_RAM)
		return err_set("%s is too small: kvmux needs at least %llu MiB",
			       value, LAYOUT_MIN_RAM >> 20);
	if (bytes > LAYOUT_MAX_RAM)
		return err_set("%s is more than kvmux supports (%llu GiB)",
			       value, LAYOUT_MAX_RAM >> 30);
	ld->cfg->memory = bytes;
	return 0;
}

static int set_cpus(struct loader *ld, const char *value)
{
	return set_uint(value, 1, PLATFORM_MAX_CPUS, &ld->cfg->cpus);
}

static int set_timeout(struct loader *ld, const char *value)
{
	return parse_duration_ms(value, &ld->cfg->timeout_ms);
}

static int set_priority(struct loader *ld, const char *value)
{
	return set_uint(value, 0, UINT32_MAX, &ld->cfg->priority);
}

static int set_weight(struct loader *ld, const char *value)
{
	return set_uint(value, 1, WEIGHT_MAX, &ld->cfg->weight);
}

static int set_cap(struct loader *ld, const char *value)
{
	return config_parse_bool(value, &ld->cfg->cap);
}

static int set_kvm_device(struct loader *ld, const char *value)
{
	return set_path(ld, value, &ld->cfg->kvm_device);
}

static int set_stats(struct loader *ld, const char *value)
{
	return config_parse_bool(value, &ld->cfg->stats);
}

static int set_debug_exit(struct loader *ld, const char *value)
{
	return debug_exit_parse(value, &ld->cfg->debug_exit);
}

static int set_acpi(struct loader *ld, const char *value)
{
	return config_parse_bool(value, &ld->cfg->acpi);
}

/* [kernel] */

static int set_kernel(struct loader *ld, const char *value)
{
	ld->kernel_set = true;
	return set_path(ld, value, &ld->cfg->kernel);
}

static int set_initrd(struct loader *ld, const char *value)
{
	return set_path(ld, value, &ld->cfg->initrd);
}

static int set_cmdline(struct loader *ld, const char *value)
{
	return set_string(ld, value, &ld->cfg->cmdline);
}

/* [disk "name"] */

static int set_disk_path(struct loader *ld, const char *value)
{
	return set_path(ld, value, &ld->disk->path);
}

static int set_disk_readonly(struct loader *ld, const char *value)
{
	return config_parse_bool(value, &ld->disk->readonly);
}

static int set_disk_serial(struct loader *ld, const char *value)
{
	if (!*value)
		return err_set("the serial is empty");
	if (strlen(value) > DISK_SERIAL_MAX)
		return err_set("'%s' is longer than %d bytes", value,
			       DISK_SERIAL_MAX);
	return set_string(ld, value, &ld->disk->serial);
}

/* [module "name"] */

static int set_module_path(struct loader *ld, const char *value)
{
	return set_path(ld, value, &ld->module->path);
}

static int set_module_cmdline(struct loader *ld, const char *value)
{
	return set_string(ld, value, &ld->module->cmdline);
}

/* [console] */

static int set_console_device(struct loader *ld, const char *value)
{
	if (!strcmp(value, "serial"))
		ld->cfg->console = CONSOLE_SERIAL;
	else if (!strcmp(value, "virtio"))
		ld->cfg->console = CONSOLE_VIRTIO;
	else
		return err_set("'%s' is not serial or virtio", value);
	return 0;
}

static int set_console_output(struct loader *ld, const char *value)
{
	if (!strcmp(value, "stdio")) {
		ld->cfg->console_target = CONSOLE_TO_STDIO;
		return 0;
	}
	if (!strcmp(value, "none")) {
		ld->cfg->console_target = CONSOLE_TO_NONE;
		return 0;
	}
	ld->cfg->console_target = CONSOLE_TO_FILE;
	return set_path(ld, value, &ld->cfg->console_file);
}

static const struct key vm_keys[] = {
	{ "name", set_name },	      { "memory", set_memory },
	{ "cpus", set_cpus },	      { "timeout", set_timeout },
	{ "priority", set_priority }, { "weight", set_weight },
	{ "cap", set_cap },	      { "kvm-device", set_kvm_device },
	{ "stats", set_stats },	      { "debug-exit", set_debug_exit },
	{ "acpi", set_acpi },
};

static const struct key kernel_keys[] = {
	{ "path", set_kernel },
	{ "initrd", set_initrd },
	{ "cmdline", set_cmdline },
};

static const struct key disk_keys[] = {
	{ "path", set_disk_path },
	{ "readonly", set_disk_readonly },
	{ "serial", set_disk_serial },
};

static const struct key module_keys[] = {
	{ "path", set_module_path },
	{ "cmdline", set_module_cmdline },
};

static const struct key console_keys[] = {
	{ "device", set_console_device },
	{ "output", set_console_output },
};

#define SECTION(kind, tag)             \
	[kind] = { .name = #tag,       \
		   .keys = tag##_keys, \
		   .nr_keys = sizeof(tag##_keys) / sizeof(tag##_keys[0]) }

static const struct section sections[NR_SECTIONS] = {
	SECTION(SECTION_VM, vm),	 SECTION(SECTION_KERNEL, kernel),
	SECTION(SECTION_DISK, disk),	 SECTION(SECTION_CONSOLE, console),
	SECTION(SECTION_MODULE, module),
};

_Static_assert(sizeof(vm_keys) / sizeof(vm_keys[0]) <= SECTION_KEYS_MAX,
	       "key_line[] is too small for [vm]");

/* A section ends: a [disk] or [module] must have said where its file is. */
static int close_section(struct loader *ld)
{
	if ((ld->sec == &sections[SECTION_DISK] && !ld->disk->path) ||
	    (ld->sec == &sections[SECTION_MODULE] && !ld->module->path))
		return fail_at(ld, ld->sec_line,
			       "%s has no path: path is required", ld->label);
	return 0;
}

static void enter_section(struct loader *ld, const struct section *sec)
{
	ld->sec = sec;
	ld->sec_line = ld->lineno;
	memset(ld->key_line, 0, sizeof(ld->key_line));
}

static int open_singleton(struct loader *ld, unsigned int kind)
{
	snprintf(ld->label, sizeof(ld->label), "[%s]", sections[kind].name);
	if (ld->first_line[kind])
		return fail_at(ld, ld->lineno,
			       "duplicate section %s (first on line %u)",
			       ld->label, ld->first_line[kind]);
	ld->first_line[kind] = ld->lineno;
	enter_section(ld, &sections[kind]);
	return 0;
}

static bool is_named(unsigned int kind)
{
	return kind == SECTION_DISK || kind == SECTION_MODULE;
}

/* The NAME of [disk "NAME"]: 1 to 32 bytes, no quote, nothing after. */
static int section_name(const char *text, size_t len, size_t *name_len)
{
	const char *end;

	if (len < 2 || text[0] != '"')
		return -1;
	end = memchr(text + 1, '"', len - 1);
	if (!end || end != text + len - 1)
		return -1;
	*name_len = end - text - 1;
	return *name_len >= 1 && *name_len <= DISK_NAME_MAX ? 0 : -1;
}

/* Room for one more [disk] or [module]; start it.  Returns -1 if full. */
static int start_named(struct loader *ld, unsigned int kind)
{
	struct vm_config *cfg = ld->cfg;

	if (kind == SECTION_DISK) {
		if (cfg->nr_disks == CONFIG_MAX_DISKS)
			return fail_at(ld, ld->lineno, "%s: more than %d disks",
				       ld->label, CONFIG_MAX_DISKS);
		ld->disk = &cfg->disk[cfg->nr_disks++];
		*ld->disk = (struct disk_config){ 0 };
		return 0;
	}
	if (cfg->nr_modules == CONFIG_MAX_MODULES)
		return fail_at(ld, ld->lineno, "%s: more than %d modules",
			       ld->label, CONFIG_MAX_MODULES);
	ld->module = &cfg->module[cfg->nr_modules++];
	*ld->module = (struct module_config){ 0 };
	return 0;
}

static int open_named(struct loader *ld, unsigned int kind, const char *text,
		      size_t len)
{
	const char *sec = sections[kind].name;
	struct named_sections *n = &ld->named[kind];
	size_t blanks = strspn(text, " \t");
	size_t name_len;
	unsigned int i;

	text += blanks;
	len -= blanks;
	if (section_name(text, len, &name_len) < 0)
		return fail_at(ld, ld->lineno,
			       "bad section [%s %.*s]: write [%s \"NAME\"] "
			       "with a NAME of 1 to %d bytes",
			       sec, (int)len, text, sec, DISK_NAME_MAX);
	snprintf(ld->label, sizeof(ld->label), "[%s \"%.*s\"]", sec,
		 (int)name_len, text + 1);
	for (i = 0; i < n->nr; i++) {
		if (strlen(n->name[i]) == name_len &&
		    !memcmp(n->name[i], text + 1, name_len))
			return fail_at(ld, ld->lineno,
				       "duplicate section %s (first on line "
				       "%u)",
				       ld->label, n->line[i]);
	}
	if (start_named(ld, kind) < 0)
		return -1;
	memcpy(n->name[i], text + 1, name_len);
	n->name[i][name_len] = '\0';
	n->line[i] = ld->lineno;
	n->nr++;
	enter_section(ld, &sections[kind]);
	return 0;
}

/* [disk "NAME"] or [module "NAME"]: 1 if it is not one of those. */
static int try_named(struct loader *ld, const char *name, size_t len)
{
	unsigned int kind;

	for (kind = 0; kind < NR_SECTIONS; kind++) {
		const char *sec = sections[kind].name;
		size_t sec_len = strlen(sec);

		if (!is_named(kind) || len < sec_len ||
		    memcmp(name, sec, sec_len))
			continue;
		if (len == sec_len)
			return fail_at(ld, ld->lineno,
				       "[%s] needs a name: [%s \"NAME\"]", sec,
				       sec);
		if (name[sec_len] == ' ' || name[sec_len] == '\t')
			return open_named(ld, kind, name + sec_len,
					  len - sec_len);
	}
	return 1;
}

static int open_section(struct loader *ld, const char *name, size_t len)
{
	unsigned int kind;
	int rc;

	if (close_section(ld) < 0)
		return -1;
	rc = try_named(ld, name, len);
	if (rc <= 0)
		return rc;
	for (kind = 0; kind < NR_SECTIONS; kind++) {
		if (!is_named(kind) && strlen(sections[kind].name) == len &&
		    !memcmp(sections[kind].name, name, len))
			return open_singleton(ld, kind);
	}
	return fail_at(ld, ld->lineno, "unknown section [%.*s]", (int)len,
		       name);
}

/*
 * A "[...]" line.  Without a ']' it is left to inih, which reports the
 * syntax error on this line.
 */
static int section_line(struct loader *ld, const char *line)
{
	const char *end = strchr(line, ']');
	const char *rest;

	if (!end)
		return 0;
	rest = end + 1 + strspn(end + 1, " \t");
	if (*rest && *rest != ';' && *rest != '#')
		return fail_at(ld, ld->lineno, "unexpected text after ']'");
	return open_section(ld, line + 1, end - line - 1);
}

/*
 * One line (without its newline) into ld->buf, reading at most max + 1
 * bytes of it: a file that is not made of lines (a disk image given by
 * mistake) is refused after that many, never read whole.  A line may
 * hold one byte more than the limit it is checked against once its
 * blanks and \r are gone.  Returns its length, or -1 at the end of the
 * file or after an error (ld->failed then).
 */
static ssize_t next_line(struct loader *ld, size_t max)
{
	size_t len = 0;
	int c = EOF;

	while (len <= max && (c = getc_unlocked(ld->file)) != EOF) {
		if (c == '\n')
			break;
		if (c == '\0') {
			fail_at(ld, ld->lineno + 1,
				"not a text file (NUL byte)");
			return -1;
		}
		ld->buf[len++] = c;
	}
	if (ferror(ld->file))
		return fail_at(ld, 0, "cannot read: %s", strerror(errno));
	if (c == EOF && !len)
		return -1;
	ld->lineno++;
	if (len > max)
		return fail_at(ld, ld->lineno, "line is longer than %zu bytes",
			       max - 1);
	ld->buf[len] = '\0';
	return len;
}

/* inih's fgets(): one whole line per call, or NULL to stop. */
static char *read_line(char *out, int size, void *stream)
{
	struct loader *ld = stream;
	char *text;

	if (ld->failed || size < 2 || (size_t)size > CONFIG_LINE_BUF ||
	    next_line(ld, size) < 0)
		return NULL;
	text = ld->buf;
	if (ld->lineno == 1 && !strncmp(text, "\xef\xbb\xbf", 3))
		text += 3; /* a UTF-8 byte order mark */
	text += strspn(text, " \t");
	text[strcspn(text, "\r")] = '\0';
	if (strlen(text) >= (size_t)size) {
		fail_at(ld, ld->lineno, "line is longer than %d bytes",
			size - 1);
		return NULL;
	}
	if (*text == '[' && section_line(ld, text) < 0)
		return NULL;
	memcpy(out, text, strlen(text) + 1);
	return out;
}

static const struct key *find_key(const struct section *sec, const char *name,
				  unsigned int *index)
{
	for (*index = 0; *index < sec->nr_keys; (*index)++) {
		if (!strcmp(sec->keys[*index].name, name))
			return &sec->keys[*index];
	}
	return NULL;
}

/* "value" and value are the same: quotes only show where blanks end. */
static char *unquote(const char *value)
{
	size_t len = strlen(value);

	if (len >= 2 && value[0] == '"' && value[len - 1] == '"')
		return strndup(value + 1, len - 2);
	return strdup(value);
}

static int apply_key(struct loader *ld, const char *name, const char *value)
{
	const struct key *key;
	unsigned int index;
	char *text;
	int rc;

	if (!ld->sec)
		return fail_at(ld, ld->lineno,
			       "key '%s' is outside any section", name);
	key = find_key(ld->sec, name, &index);
	if (!key)
		return fail_at(ld, ld->lineno, "unknown key '%s' in %s", name,
			       ld->label);
	if (ld->key_line[index])
		return fail_at(ld, ld->lineno,
			       "duplicate key '%s' in %s (first on line %u)",
			       name, ld->label, ld->key_line[index]);
	ld->key_line[index] = ld->lineno;
	text = unquote(value);
	if (!text)
		return fail_at(ld, ld->lineno, "out of memory");
	rc = key->set(ld, text);
	free(text);
	if (rc < 0)
		return fail_at(ld, ld->lineno, "%s %s: %s", ld->label, name,
			       err_msg());
	return 0;
}

/* inih's handler: nonzero means the key was taken. */
static int on_key(void *user, const char *section, const char *name,
		  const char *value)
{
	return apply_key(user, name, value) == 0;
}

/* "dir/web.conf" names its VM "web" unless [vm] name says otherwise. */
static int default_name(struct loader *ld)
{
	const char *base = strrchr(ld->path, '/');
	char *name;
	size_t len;
	int rc;

	base = base ? base + 1 : ld->path;
	len = strlen(base);
	if (len > 5 && !strcmp(base + len - 5, ".conf"))
		len -= 5;
	if (!len)
		return 0;
	name = strndup(base, len);
	if (!name)
		return fail_at(ld, 0, "out of memory");
	rc = set_string(ld, name, &ld->cfg->name);
	free(name);
	return rc < 0 ? fail_at(ld, 0, "%s", err_msg()) : 0;
}

static int finish(struct loader *ld)
{
	if (close_section(ld) < 0)
		return -1;
	if (!ld->kernel_set)
		return fail_at(ld, 0, "no kernel: [kernel] path is required");
	if (!ld->name_set)
		return default_name(ld);
	return 0;
}

static int parse(struct loader *ld)
{
	int rc = ini_parse_stream(read_line, ld, on_key, ld);

	/* inih goes on after a syntax error: report it if it came first. */
	if (rc > 0 && (!ld->failed || (unsigned int)rc < ld->error_line)) {
		ld->failed = false;
		return fail_at(ld, rc,
			       "not valid INI: expected [section], key = value "
			       "or a comment");
	}
	if (rc < 0)
		return fail_at(ld, 0, "cannot parse (out of memory)");
	if (ld->failed)
		return -1;
	return finish(ld);
}

/* Only a regular file: a FIFO would block, /dev/zero never ends. */
static int open_file(struct loader *ld)
{
	int fd = host_open_input(ld->path, "config file", O_RDONLY, false);

	if (fd < 0)
		return -1;
	ld->file = fdopen(fd, "r");
	if (!ld->file) {
		close(fd);
		return err_host("out of memory");
	}
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
	struct loader ld = { .path = path, .cfg = cfg };
	int rc;

	rc = set_dir(&ld);
	if (!rc)
		rc = open_file(&ld);
	if (!rc)
		rc = parse(&ld);
	if (ld.file)
		fclose(ld.file);
	free(ld.dir);
	return rc;
}
