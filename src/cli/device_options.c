// SPDX-License-Identifier: GPL-2.0-only
/*
 * device_options.c - the device options of "kvmux run": --disk, --module,
 * --debug-exit, --console and --console-output, shared with the config
 * file's keys.
 */
#include <stdbool.h>
#include <string.h>

#include "kvmux/config.h"
#include "kvmux/config_file.h"
#include "kvmux/error.h"
#include "kvmux/parse.h"

#define DISK_SERIAL_BYTES 20 /* VIRTIO_BLK_ID_BYTES */

static int disk_key(struct vm_config *cfg, struct disk_config *disk,
		    const char *key, size_t key_len, const char *value,
		    size_t value_len)
{
	char text[8];

	if (key_len == 4 && !strncmp(key, "path", 4)) {
		if (!value_len)
			return err_set("--disk: path= is empty");
		disk->path = vm_config_keep(cfg, value, value_len);
		return disk->path ? 0 : -1;
	}
	if (key_len == 6 && !strncmp(key, "serial", 6)) {
		if (value_len > DISK_SERIAL_BYTES)
			return err_set(
				"--disk: serial= is longer than %d bytes",
				DISK_SERIAL_BYTES);
		disk->serial = vm_config_keep(cfg, value, value_len);
		return disk->serial ? 0 : -1;
	}
	if (key_len == 8 && !strncmp(key, "readonly", 8)) {
		if (value_len >= sizeof(text))
			return err_set("--disk: readonly= takes on or off");
		memcpy(text, value, value_len);
		text[value_len] = '\0';
		if (config_parse_bool(text, &disk->readonly) < 0)
			return err_set("--disk: readonly=: %s", err_msg());
		return 0;
	}
	return err_set("--disk: unknown key '%.*s' (path, readonly, serial)",
		       (int)key_len, key);
}

int disk_spec_parse(const char *spec, struct vm_config *cfg)
{
	struct disk_config disk = { 0 };
	const char *p = spec;

	if (cfg->nr_disks == CONFIG_MAX_DISKS)
		return err_set("--disk: at most %d disks", CONFIG_MAX_DISKS);
	while (*p) {
		const char *end = strchrnul(p, ',');
		const char *eq = memchr(p, '=', end - p);

		if (!eq)
			return err_set("--disk: '%.*s' is not key=value",
				       (int)(end - p), p);
		if (disk_key(cfg, &disk, p, eq - p, eq + 1, end - eq - 1) < 0)
			return -1;
		p = *end ? end + 1 : end;
	}
	if (!disk.path)
		return err_set("--disk %s: no path= (path=FILE[,readonly=on]"
			       "[,serial=ID])",
			       spec);
	cfg->disk[cfg->nr_disks++] = disk;
	return 0;
}

/* FILE, then optionally ",cmdline=" and the rest of the text (commas too). */
int module_spec_parse(const char *spec, struct vm_config *cfg)
{
	static const char key[] = ",cmdline=";
	const char *comma = strchr(spec, ',');
	struct module_config m = { 0 };

	if (cfg->nr_modules == CONFIG_MAX_MODULES)
		return err_set("--module: at most %d modules",
			       CONFIG_MAX_MODULES);
	if (comma && strncmp(comma, key, sizeof(key) - 1))
		return err_set(
			"--module %s: after the file only cmdline=STRING "
			"may follow",
			spec);
	m.path = comma ? vm_config_keep(cfg, spec, comma - spec) : spec;
	if (!m.path)
		return -1;
	if (!*m.path)
		return err_set(
			"--module: no file given (FILE[,cmdline=STRING])");
	if (comma)
		m.cmdline = comma + sizeof(key) - 1;
	cfg->module[cfg->nr_modules++] = m;
	return 0;
}

/* One key=value of --debug-exit; value is NUL-terminated. */
static int debug_exit_key(struct debug_exit_config *d, const char *key,
			  size_t key_len, const char *value, bool *has_port)
{
	uint64_t n;

	if (key_len == 4 && !strncmp(key, "port", 4)) {
		if (parse_uint_hex(value, 0, DEBUG_EXIT_PORT_LIMIT - 1, &n) < 0)
			return err_set("port=: %s", err_msg());
		d->port = n;
		*has_port = true;
		return 0;
	}
	if (key_len == 4 && !strncmp(key, "size", 4)) {
		if (strcmp(value, "1") && strcmp(value, "2") &&
		    strcmp(value, "4"))
			return err_set("size=%s: the width is 1, 2 or 4 ports",
				       value);
		d->size = value[0] - '0';
		return 0;
	}
	if (key_len == 6 && !strncmp(key, "status", 6)) {
		if (strcmp(value, "raw") && strcmp(value, "qemu"))
			return err_set("status=%s: raw or qemu", value);
		d->qemu_status = !strcmp(value, "qemu");
		return 0;
	}
	return err_set("unknown key '%.*s' (port, size, status)", (int)key_len,
		       key);
}

int debug_exit_parse(const char *spec, struct debug_exit_config *out)
{
	struct debug_exit_config d = DEBUG_EXIT_DEFAULT;
	bool has_port = false;
	const char *p = spec;
	char value[16];

	while (*p) {
		const char *end = strchrnul(p, ',');
		const char *eq = memchr(p, '=', end - p);

		if (!eq)
			return err_set("'%.*s' is not key=value",
				       (int)(end - p), p);
		if ((size_t)(end - eq - 1) >= sizeof(value))
			return err_set("'%.*s' is too long", (int)(end - p), p);
		memcpy(value, eq + 1, end - eq - 1);
		value[end - eq - 1] = '\0';
		if (debug_exit_key(&d, p, eq - p, value, &has_port) < 0)
			return -1;
		p = *end ? end + 1 : end;
	}
	if (!has_port)
		return err_set("no port= (port=PORT[,size=1|2|4]"
			       "[,status=raw|qemu])");
	if (d.size > DEBUG_EXIT_PORT_LIMIT - d.port)
		return err_set("%u ports from %#x run past port 0xffff", d.size,
			       d.port);
	*out = d;
	return 0;
}

int console_device_parse(const char *text, struct vm_config *cfg)
{
	if (!strcmp(text, "serial"))
		cfg->console = CONSOLE_SERIAL;
	else if (!strcmp(text, "virtio"))
		cfg->console = CONSOLE_VIRTIO;
	else
		return err_set("'%s' is not serial or virtio", text);
	return 0;
}

int console_output_parse(const char *text, struct vm_config *cfg)
{
	if (!strcmp(text, "stdio")) {
		cfg->console_target = CONSOLE_TO_STDIO;
	} else if (!strcmp(text, "none")) {
		cfg->console_target = CONSOLE_TO_NONE;
	} else if (!*text) {
		return err_set("no console output file given");
	} else {
		cfg->console_target = CONSOLE_TO_FILE;
		cfg->console_file = text;
	}
	return 0;
}
