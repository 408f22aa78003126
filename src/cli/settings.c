// SPDX-License-Identifier: GPL-2.0-only
/*
 * settings.c - the table of every setting, and how each kind of value is
 * read (kvmux/settings.h).
 *
 * To add a setting: one row here (and the field it fills).  The command
 * line, config files, --help and the docs follow from the row.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kvmux/config.h"
#include "kvmux/console_output.h"
#include "kvmux/error.h"
#include "kvmux/layout.h"
#include "kvmux/line_match.h"
#include "kvmux/parse.h"
#include "kvmux/platform.h"
#include "kvmux/request.h"
#include "kvmux/settings.h"
#include "kvmux/virtio_blk.h"

#define WEIGHT_MAX 10000 /* keeps share arithmetic far from overflow */
#define OVERCOMMIT_MAX_MILLI 64000 /* 64 vCPUs per host CPU */
#define PERIOD_MIN_MS 1
#define PERIOD_MAX_MS 10000
#define SPEC_MAX 65536 /* longest --disk/--module value */
/* A limit's number in help text: NUMBER_TEXT(CONFIG_LIST_MAX) is "32". */
#define TEXT(n) #n
#define NUMBER_TEXT(n) TEXT(n)

/* A row's scope and offset: VM(memory) is struct vm_config's memory. */
#define VM(field) SCOPE_VM, offsetof(struct vm_config, field)
#define DISK(field) SCOPE_DISK, offsetof(struct disk_config, field)
#define MODULE(field) SCOPE_MODULE, offsetof(struct module_config, field)
#define GROUP(field) SCOPE_GROUP, offsetof(struct group_config, field)

/* A copy that lives as long as the VM's config (or the process). */
static const char *keep(struct setting_ctx *ctx, const char *prefix,
			const char *text, size_t len)
{
	struct config_strings **list =
		ctx->vm ? &ctx->vm->strings : &ctx->group->strings;
	size_t plen = prefix ? strlen(prefix) : 0;
	char *joined;
	const char *kept;

	if (!plen)
		return config_keep(list, text, len);
	joined = malloc(plen + len + 1);
	if (!joined) {
		err_host("out of memory");
		return NULL;
	}
	memcpy(joined, prefix, plen);
	memcpy(joined + plen, text, len);
	kept = config_keep(list, joined, plen + len);
	free(joined);
	return kept;
}

int setting_parse_bool(const char *text, bool *value)
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

/* ---- values that need more than their type ---- */

static int set_memory(const struct setting *s, const char *value,
		      struct setting_ctx *ctx)
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
	((struct vm_config *)ctx->target)->memory = bytes;
	return 0;
}

/*
 * A console file's name, relative to the config file's directory: a %
 * in the directory's name is doubled, so that only the user's own %n
 * names the VM.
 */
static const char *keep_console_path(struct setting_ctx *ctx, const char *path,
				     size_t len)
{
	const char *dir = path[0] == '/' ? NULL : ctx->dir;
	size_t n = 0, i;
	const char *kept;
	char *escaped;

	if (!dir || !strchr(dir, '%'))
		return keep(ctx, dir, path, len);
	escaped = malloc(2 * strlen(dir) + 1);
	if (!escaped) {
		err_host("out of memory");
		return NULL;
	}
	for (i = 0; dir[i]; i++) {
		if (dir[i] == '%')
			escaped[n++] = '%';
		escaped[n++] = dir[i];
	}
	escaped[n] = '\0';
	kept = keep(ctx, escaped, path, len);
	free(escaped);
	return kept;
}

/*
 * The names --console-output and --console-log give a meaning of their
 * own.  With ,append one is still not a file: kvmux would write a file of
 * that name where the user meant the stream, so it is refused and ./NAME
 * is how such a file is named.
 */
static int refuse_reserved(const char *name, const char *value)
{
	static const char *const reserved[] = { "stdio", "-", "none" };
	size_t i;

	for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (!strcmp(name, reserved[i]))
			return err_set("'%s': %s is a reserved name, not a "
				       "file: for a file named %s write ./%s%s",
				       value, name, name, name,
				       value + strlen(name));
	return 0;
}

/*
 * FILE[,append]: the file (a doubled comma is a comma of its name, as in
 * --disk) and whether it is appended to rather than truncated.
 */
static int console_file(const char *value, struct setting_ctx *ctx,
			const char **path, bool *append)
{
	size_t len = strlen(value), n = 0, i;
	char *name = malloc(len + 1), *expanded;
	int rc = 0;

	if (!name)
		return err_host("out of memory");
	*append = false;
	for (i = 0; i < len; i++) {
		if (value[i] == ',' && value[i + 1] == ',') {
			name[n++] = value[i++];
		} else if (value[i] == ',') {
			*append = !strcmp(value + i + 1, "append");
			if (!*append)
				rc = err_set(
					"'%s': only ,append may follow the "
					"file name (a comma in it is "
					"written twice)",
					value + i);
			break;
		} else {
			name[n++] = value[i];
		}
	}
	name[n] = '\0';
	if (!rc && !n)
		rc = err_set("no file name given");
	if (!rc)
		rc = refuse_reserved(name, value);
	/* %n and %% only: checked with any name. */
	if (!rc && console_file_name(name, "vm", &expanded) == 0)
		free(expanded);
	else if (!rc)
		rc = -1;
	if (!rc) {
		*path = keep_console_path(ctx, name, n);
		rc = *path ? 0 : -1;
	}
	free(name);
	return rc;
}

/*
 * --dump-dtb and --result write a file, never standard output: '-' is
 * refused rather than taken as a file of that name, as for console files.
 */
static int check_output_file(const char *value)
{
	if (!strcmp(value, "-"))
		return err_set("'-' is not standard output here, and not a "
			       "file name: for a file named - write ./-");
	return 0;
}

/* stdio (also -), none, or FILE[,append]. */
static int set_console_output(const struct setting *s, const char *value,
			      struct setting_ctx *ctx)
{
	struct vm_config *cfg = ctx->target;

	if (!strcmp(value, "stdio") || !strcmp(value, "-")) {
		cfg->console_target = CONSOLE_TO_STDIO;
	} else if (!strcmp(value, "none")) {
		cfg->console_target = CONSOLE_TO_NONE;
	} else {
		if (console_file(value, ctx, &cfg->console_file,
				 &cfg->console_append) < 0)
			return -1;
		cfg->console_target = CONSOLE_TO_FILE;
	}
	return 0;
}

/*
 * none (no log: it turns off a config file's log from the command line)
 * or FILE[,append]; never stdout, where the console goes anyway.
 */
static int set_console_log(const struct setting *s, const char *value,
			   struct setting_ctx *ctx)
{
	struct vm_config *cfg = ctx->target;

	if (!strcmp(value, "none")) {
		cfg->console_log = NULL;
		cfg->console_log_append = false;
		return 0;
	}
	if (!strcmp(value, "-") || !strcmp(value, "stdio"))
		return err_set("'%s' cannot be the log: the log is a copy of "
			       "the console in a file; for the console on "
			       "standard output use --console-output %s (the "
			       "default); for a file named %s write ./%s",
			       value, value, value, value);
	return console_file(value, ctx, &cfg->console_log,
			    &cfg->console_log_append);
}

enum debug_exit_key { KEY_PORT, KEY_SIZE, KEY_STATUS };

/* One key=value of --debug-exit. */
static int debug_exit_key(struct debug_exit_config *d, enum debug_exit_key key,
			  const char *value)
{
	uint64_t n;

	switch (key) {
	case KEY_PORT:
		if (parse_uint_hex(value, 0, DEBUG_EXIT_PORT_LIMIT - 1, &n) < 0)
			return err_set("port=: %s", err_msg());
		d->port = n;
		return 0;
	case KEY_SIZE:
		if (strcmp(value, "1") && strcmp(value, "2") &&
		    strcmp(value, "4"))
			return err_set("size=%s: the width is 1, 2 or 4 ports",
				       value);
		d->size = value[0] - '0';
		return 0;
	case KEY_STATUS:
		if (strcmp(value, "raw") && strcmp(value, "qemu"))
			return err_set("status=%s: raw or qemu", value);
		d->qemu_status = !strcmp(value, "qemu");
		return 0;
	}
	return 0;
}

/* port=PORT[,size=1|2|4][,status=raw|qemu], each key once */
static int set_debug_exit(const struct setting *s, const char *spec,
			  struct setting_ctx *ctx)
{
	static const char *const keys[] = { [KEY_PORT] = "port",
					    [KEY_SIZE] = "size",
					    [KEY_STATUS] = "status" };
	const unsigned int nr_keys = sizeof(keys) / sizeof(keys[0]);
	struct debug_exit_config d = DEBUG_EXIT_DEFAULT;
	char key[16], value[16];
	unsigned int seen = 0, i;
	const char *p = spec;

	while (*p) {
		const char *end = strchrnul(p, ',');
		const char *eq = memchr(p, '=', end - p);

		if (!eq)
			return err_set("'%.*s' is not key=value",
				       (int)(end - p), p);
		if ((size_t)(eq - p) >= sizeof(key) ||
		    (size_t)(end - eq - 1) >= sizeof(value))
			return err_set("'%.*s' is too long", (int)(end - p), p);
		snprintf(key, sizeof(key), "%.*s", (int)(eq - p), p);
		snprintf(value, sizeof(value), "%.*s", (int)(end - eq - 1),
			 eq + 1);
		for (i = 0; i < nr_keys && strcmp(key, keys[i]); i++)
			;
		if (i == nr_keys)
			return err_set("unknown key '%s' (port, size, status)",
				       key);
		if (seen & 1u << i)
			return err_set("%s= given twice", key);
		seen |= 1u << i;
		if (debug_exit_key(&d, i, value) < 0)
			return -1;
		p = *end ? end + 1 : end;
	}
	if (!(seen & 1u << KEY_PORT))
		return err_set("no port= (port=PORT[,size=1|2|4]"
			       "[,status=raw|qemu])");
	if (d.size > DEBUG_EXIT_PORT_LIMIT - d.port)
		return err_set("%u ports from %#x run past port 0xffff", d.size,
			       d.port);
	((struct vm_config *)ctx->target)->debug_exit = d;
	return 0;
}

static int set_host_memory(const struct setting *s, const char *value,
			   struct setting_ctx *ctx)
{
	uint64_t bytes;

	if (parse_size(value, SIZE_MIB, &bytes) < 0)
		return -1;
	if (bytes < LAYOUT_MIN_RAM)
		return err_set("%s is too small (at least %llu MiB)", value,
			       LAYOUT_MIN_RAM >> 20);
	ctx->group->host_memory = bytes;
	return 0;
}

/*
 * A factor with up to three decimals, in thousandths.  A number of
 * seconds is read the same way, so parse_duration_ms() does it once the
 * unit letters are ruled out.
 */
static int set_overcommit(const struct setting *s, const char *value,
			  struct setting_ctx *ctx)
{
	uint64_t milli;

	if (!*value || value[strspn(value, "0123456789.")] ||
	    parse_duration_ms(value, &milli) < 0)
		return err_set("'%s' is not a number (examples: 1, 1.5, 4)",
			       value);
	if (!milli || milli > OVERCOMMIT_MAX_MILLI)
		return err_set("%s is out of range (more than 0, at most %u)",
			       value, OVERCOMMIT_MAX_MILLI / 1000);
	ctx->group->overcommit_milli = milli;
	return 0;
}

static int set_period(const struct setting *s, const char *value,
		      struct setting_ctx *ctx)
{
	uint64_t ms;

	/* 0.0001 is below the range, not 1 ms. */
	if (parse_duration_ms_truncated(value, &ms) < 0)
		return -1;
	if (ms < PERIOD_MIN_MS || ms > PERIOD_MAX_MS)
		return err_set("%s is out of range (0.001 to %u seconds; "
			       "100 ms is 0.1)",
			       value, PERIOD_MAX_MS / 1000);
	ctx->group->period_ns = ms * 1000000;
	return 0;
}

static int set_sched(const struct setting *s, const char *value,
		     struct setting_ctx *ctx)
{
	return sched_mode_parse(value, &ctx->group->sched);
}

/* ---- the table ---- */

static const char *const console_devices[] = { "serial", "virtio", NULL };
static const char *const disk_formats[] = { "auto", "raw", NULL };
/* In the order of enum irqchip_mode and enum pit_mode. */
static const char *const irqchip_modes[] = { "kernel", "split", NULL };
static const char *const pit_modes[] = { "auto", "on", "off", "kvm", NULL };
/* In the order of enum syscall_filter. */
static const char *const syscall_filters[] = { "on", "log", "off", NULL };

/* clang-format off */
const struct setting settings[] = {
	/* [kernel] */
	{ "kernel", "path", "kernel", 'k', "IMAGE", SETTING_PATH, VM(kernel),
	  .def = "required", .help = "kernel to boot: a bzImage, an ELF with "
	  "a PVH note, or a multiboot kernel" },
	{ "kernel", "initrd", "initrd", 'i', "FILE", SETTING_PATH,
	  VM(initrd), .def = "none", .help = "initial ramdisk (multiboot: "
	  "module 0)" },
	{ "kernel", "cmdline", "cmdline", 'p', "STRING", SETTING_STRING,
	  VM(cmdline), .def = "empty", .alias = "append",
	  .help = "kernel command line (also --append, as QEMU spells it)" },

	/* [vm] */
	{ "vm", "name", "name", 0, "NAME", SETTING_STRING, VM(name),
	  .def = "vm (the config file's name)", .flags = SETTING_ONE_VM |
	  SETTING_NOT_EMPTY, .check = vm_config_check_name,
	  .help = "the VM's name in messages, console prefixes and %n; no '/' "
	  "or control characters" },
	{ "vm", "memory", "memory", 'm', "SIZE", SETTING_CUSTOM, VM(memory),
	  .set = set_memory, .def = "256M", .help = "guest RAM, e.g. 512M or "
	  "2G; a bare number is MiB; a multiple of 4 KiB, 2 MiB to 1 TiB" },
	{ "vm", "cpus", "cpus", 'c', "N", SETTING_UINT, VM(cpus), .min = 1,
	  .max = PLATFORM_MAX_CPUS, .def = "1", .help = "number of vCPUs" },
	{ "vm", "timeout", "timeout", 't', "T", SETTING_DURATION,
	  VM(timeout_ms), .def = "none", .help = "stop the guest after T "
	  "(30, 1.5, 90s, 250ms, 2m; exit status 124); 0: no timeout" },
	{ "vm", "shutdown-grace", "shutdown-grace", 0, "T", SETTING_DURATION,
	  VM(shutdown_grace_ms), .def = "0", .help = "on SIGTERM and at "
	  "--timeout, press the ACPI power button and stop the guest T later "
	  "unless it powers off first (0: stop at once)" },
	{ "vm", "priority", NULL, 0, "N", SETTING_UINT, VM(priority),
	  .max = UINT32_MAX, .def = "0", .help = "in a group: higher is "
	  "dispatched first (only --sched park orders dispatch)" },
	{ "vm", "weight", NULL, 0, "N", SETTING_UINT, VM(weight), .min = 1,
	  .max = WEIGHT_MAX, .def = "1", .help = "in a group: share of CPU "
	  "time" },
	{ "vm", "cap", NULL, 0, "on|off", SETTING_BOOL, VM(cap),
	  .def = "off", .help = "in a group: never use others' idle time" },
	{ "vm", "kvm-device", "kvm-device", 0, "PATH", SETTING_PATH,
	  VM(kvm_device), .def = "$KVMUX_KVM_DEVICE or /dev/kvm",
	  .help = "the KVM device" },
	{ "vm", "stats", "stats", 0, NULL, SETTING_FLAG, VM(stats),
	  .def = "off", .help = "print vCPU exit counts when the VM stops" },
	{ "vm", "debug-exit", "debug-exit", 0,
	  "port=PORT[,size=1|2|4][,status=raw|qemu]", SETTING_CUSTOM,
	  VM(debug_exit), .set = set_debug_exit,
	  .def = "port=0x501,size=1,status=raw", .help = "where the guest "
	  "writes its exit status, each key once (qemu: the status is "
	  "(V << 1) | 1)" },
	{ "vm", "acpi", "acpi", 0, "on|off", SETTING_BOOL, VM(acpi),
	  .def = "on", .help = "ACPI tables, power-off, reset, power "
	  "button; off: the MP table only" },
	{ "vm", "irqchip", "irqchip", 0, "split|kernel", SETTING_CHOICE,
	  VM(irqchip), .choices = irqchip_modes, .def = "split",
	  .help = "split: KVM emulates the local APICs, kvmux the IOAPIC and "
	  "the PICs, so the VM's end costs KVM no grace periods and kvmux "
	  "no closer process (unless the guest touched 8 MiB of RAM or "
	  "more); kernel: KVM emulates them all (needed by --pit kvm)" },
	{ "vm", "pit", "pit", 0, "auto|on|off|kvm", SETTING_CHOICE, VM(pit),
	  .choices = pit_modes, .def = "auto", .help = "the 8254 timer "
	  "(ports 0x40-0x43 and 0x61, IRQ 0) for guests that use it; auto "
	  "(the default) is on: kvmux's, with either irqchip, no thread and "
	  "no cost until the guest programs it, then a wake-up of kvmux's "
	  "main thread per interrupt; kvm: KVM's (--irqchip kernel only; a "
	  "kernel thread per VM, and its end waits for the kernel); off: "
	  "those ports read 0xff" },
	{ "vm", "seccomp", "seccomp", 0, "on|log|off", SETTING_CHOICE,
	  VM(seccomp), .choices = syscall_filters, .def = "on",
	  .flags = SETTING_RUN_WIDE, .help = "filter kvmux's system calls, "
	  "one allowlist per kind of thread (a forbidden call: exit status "
	  "159); log: allow and log them (kernel audit log); one value for "
	  "all VMs of a run" },
	{ "vm", "user", "user", 0, "USER[:GROUP]", SETTING_STRING, VM(user),
	  .def = "none", .flags = SETTING_RUN_WIDE | SETTING_NOT_EMPTY,
	  .help = "started as root: run as USER (GROUP, else USER's group, "
	  "and USER's groups; a number without an entry is the ID itself, "
	  "a uid's gid the same number, no groups) once KVM and every file "
	  "are open; one value for all VMs of a run" },
	{ NULL, "dump-dtb", "dump-dtb", 0, "FILE", SETTING_PATH, VM(dump_dtb),
	  .check = check_output_file, .def = "none", .flags = SETTING_ONE_VM,
	  .help = "write the device tree to FILE and exit (0; 126 if FILE "
	  "cannot be written); one VM only" },

	/* [disk "NAME"] */
	{ NULL, "disk", "disk", 'd', "path=FILE[,readonly=on|off]"
	  "[,snapshot=on|off][,serial=ID][,format=auto|raw]",
	  SETTING_SECTION, SCOPE_DISK, .help = "a virtio-blk disk (raw "
	  "image): path=FILE or just FILE first, then KEY=VALUE parts, each "
	  "key once; repeatable; a comma in FILE is written twice" },
	{ "disk", "path", NULL, 0, "FILE", SETTING_PATH, DISK(path),
	  .def = "required", .flags = SETTING_REQUIRED, .help = "the image: "
	  "a raw file or a block device" },
	{ "disk", "readonly", NULL, 0, "on|off", SETTING_BOOL,
	  DISK(readonly), .def = "off", .help = "refuse the guest's writes" },
	{ "disk", "snapshot", NULL, 0, "on|off", SETTING_BOOL,
	  DISK(snapshot), .def = "off", .help = "the guest's writes go to a "
	  "throwaway store in $TMPDIR, gone when the run ends; the image is "
	  "only read, and shared with other readers" },
	{ "disk", "serial", NULL, 0, "ID", SETTING_STRING, DISK(serial),
	  .max = VIRTIO_BLK_ID_BYTES, .flags = SETTING_NOT_EMPTY,
	  .def = "none", .help = "what the guest reads as the disk's ID "
	  "(at most 20 bytes)" },
	{ "disk", "format", NULL, 0, "auto|raw", SETTING_CHOICE,
	  DISK(format), .choices = disk_formats, .def = "auto", .help = "auto: "
	  "refuse a qcow2, VMDK, VHD, VHDX, QED or VDI image; raw: serve "
	  "the bytes as they are" },

	/* [module "NAME"] */
	{ NULL, "module", "module", 0, "FILE[,cmdline=STRING]", SETTING_SECTION,
	  SCOPE_MODULE, .help = "a multiboot module after the initrd; "
	  "repeatable" },
	{ "module", "path", NULL, 0, "FILE", SETTING_PATH, MODULE(path),
	  .def = "required", .flags = SETTING_REQUIRED, .help = "the "
	  "module's file" },
	{ "module", "cmdline", NULL, 0, "STRING", SETTING_STRING,
	  MODULE(cmdline), .flags = SETTING_REST, .def = "none", .help = "its string after the file "
	  "name (on the command line: the rest of the value, commas too)" },

	/* [console] */
	{ "console", "device", "console", 0, "serial|virtio", SETTING_CHOICE,
	  VM(console), .choices = console_devices, .def = "serial",
	  .help = "the console device: the UART (ttyS0) or virtio-console "
	  "(hvc0); the UART prints either way" },
	{ "console", "output", "console-output", 0, "stdio|-|none|FILE[,append]",
	  SETTING_CUSTOM, VM(console_file), .set = set_console_output,
	  .def = "stdio", .help = "where console output goes: stdout (also "
	  "-), nowhere, or FILE, truncated unless ,append (%n in FILE: the "
	  "VM's name); no input then" },
	{ "console", "log", "console-log", 0, "none|FILE[,append]",
	  SETTING_CUSTOM, VM(console_log), .set = set_console_log,
	  .def = "none", .help = "also write the console to FILE, truncated "
	  "unless ,append (%n in FILE: the VM's name); none: no log (also "
	  "one a config file asks for)" },
	{ "console", "timestamps", "timestamps", 0, NULL, SETTING_FLAG,
	  VM(timestamps), .def = "off", .help = "start each line written to "
	  "console files with the seconds since the VM started, as Linux's "
	  "printk does" },
	{ "console", "fail-on", "fail-on", 0, "REGEX", SETTING_LIST,
	  VM(fail_on), .check = line_match_check, .def = "none",
	  .help = "end the run with status 123 when a console line matches "
	  "REGEX (PCRE2); linux: a set for Linux kernels; repeatable, at "
	  "most " NUMBER_TEXT(CONFIG_LIST_MAX) " patterns (the config file's and the "
	  "command line's together; linux counts as one)" },

	/* the group of VMs of one run (and of kvmux plan) */
	{ NULL, "host-cpus", "host-cpus", 0, "N", SETTING_UINT,
	  GROUP(host_cpus), .min = 1, .max = GROUP_MAX_HOST_CPUS,
	  .flags = SETTING_PLAN, .def = "the online CPUs",
	  .help = "host CPUs the VMs share" },
	{ NULL, "host-memory", "host-memory", 0, "SIZE", SETTING_CUSTOM,
	  GROUP(host_memory), .set = set_host_memory, .flags = SETTING_PLAN,
	  .def = "MemAvailable less max(256M, 5% of MemTotal)",
	  .help = "memory the VMs share" },
	{ NULL, "overcommit", "overcommit", 0, "F", SETTING_CUSTOM,
	  GROUP(overcommit_milli), .set = set_overcommit, .flags = SETTING_PLAN,
	  .def = "1", .help = "vCPUs per host CPU, e.g. 1.5" },
	{ NULL, "period", "period", 0, "T", SETTING_CUSTOM, GROUP(period_ns),
	  .set = set_period, .flags = SETTING_PLAN, .def = "0.1",
	  .help = "scheduling period, seconds (0.001 to 10)" },
	{ NULL, "sched", "sched", 0, "auto|cgroup|park|off", SETTING_CUSTOM,
	  GROUP(sched), .set = set_sched, .flags = SETTING_PLAN,
	  .def = "auto", .help = "how CPU shares are enforced: the kernel "
	  "(cgroup) or kvmux (park); auto: cgroup where possible; on = auto" },
	{ NULL, "result", "result", 0, "FILE", SETTING_PATH, GROUP(result),
	  .check = check_output_file, .def = "none",
	  .help = "write how the run ended to FILE, as JSON "
	  "(docs/exit-status.md), however it ends" },
	{ NULL, "quiet", "quiet", 'q', NULL, SETTING_FLAG, GROUP(quiet),
	  .def = "off", .help = "kvmux says only what went wrong (not how "
	  "a VM ended, nor a group's summary)" },
	{ NULL, "verbose", "verbose", 'v', NULL, SETTING_FLAG, GROUP(verbose),
	  .def = "off", .help = "kvmux also says what each VM is built as: "
	  "memory map, devices, where the boot structures went, the entry" },
	{ NULL, "json", "json", 0, NULL, SETTING_FLAG, GROUP(json),
	  .def = "off", .flags = SETTING_PLAN | SETTING_PLAN_ONLY, .help = "kvmux plan: "
	  "print the plan as one JSON object (sizes in bytes, times in ns)" },
	{ .key = NULL, .option = NULL },
};
/* clang-format on */

const struct setting *setting_find(const char *section, const char *key)
{
	const struct setting *s;

	for (s = settings; s->key || s->option; s++)
		if (s->section && !strcmp(s->section, section) &&
		    !strcmp(s->key, key))
			return s;
	return NULL;
}

const struct setting *setting_find_option(const char *name, char short_opt)
{
	const struct setting *s;

	for (s = settings; s->key || s->option; s++) {
		if (!s->option)
			continue;
		if (name ? !strcmp(s->option, name) :
			   short_opt && s->short_option == short_opt)
			return s;
	}
	return NULL;
}

static void *field(const struct setting *s, struct setting_ctx *ctx)
{
	return (char *)ctx->target + s->offset;
}

static int set_string(const struct setting *s, const char *value,
		      struct setting_ctx *ctx)
{
	const char *copy;
	size_t len = strlen(value);

	if (s->type == SETTING_PATH && !len)
		return err_set("no path given");
	/* A file whose default is none: "none" turns off one set before. */
	if (s->type == SETTING_PATH && s->def && !strcmp(s->def, "none") &&
	    !strcmp(value, "none")) {
		*(const char **)field(s, ctx) = NULL;
		return 0;
	}
	if ((s->flags & SETTING_NOT_EMPTY) && !len)
		return err_set("the %s is empty", s->key);
	if (s->max && len > s->max)
		return err_set("'%s' is longer than %llu bytes", value,
			       (unsigned long long)s->max);
	if (s->check && s->check(value) < 0)
		return -1;
	copy = keep(ctx,
		    s->type == SETTING_PATH && value[0] != '/' ? ctx->dir :
								 NULL,
		    value, len);
	if (!copy)
		return -1;
	*(const char **)field(s, ctx) = copy;
	return 0;
}

/* One more value of a repeatable setting. */
static int add_to_list(const struct setting *s, const char *value,
		       struct setting_ctx *ctx)
{
	struct config_list *list = field(s, ctx);
	size_t len = strlen(value);

	/* The files' values and the command line's share one list. */
	if (list->nr == CONFIG_LIST_MAX)
		return err_set("more than %d values in all (--%s and the %s "
			       "lines of a config file, if any, count "
			       "together)",
			       CONFIG_LIST_MAX, s->option, s->key);
	if (!len)
		return err_set("the %s is empty", s->key);
	if (s->check && s->check(value) < 0)
		return -1;
	list->item[list->nr] = keep(ctx, NULL, value, len);
	if (!list->item[list->nr])
		return -1;
	list->nr++;
	return 0;
}

/* The index of the choice named name, or -1. */
static int choice_index(const struct setting *s, const char *name)
{
	int i;

	for (i = 0; s->choices[i]; i++)
		if (!strcasecmp(name, s->choices[i]))
			return i;
	return -1;
}

/* A choice with on and off takes what a boolean takes for them (yes, 1,
 * true...), as --pit yes or seccomp = false: the same words mean the same
 * everywhere.  Returns the index, or -1. */
static int choice_as_bool(const struct setting *s, const char *value)
{
	int on = choice_index(s, "on"), off = choice_index(s, "off");
	bool yes;

	if (on < 0 || off < 0 || setting_parse_bool(value, &yes) < 0)
		return -1;
	return yes ? on : off;
}

static int set_choice(const struct setting *s, const char *value,
		      struct setting_ctx *ctx)
{
	char list[128] = "";
	size_t used = 0;
	int i = choice_index(s, value);

	/* Any case, as booleans: "--sched ON" is "--sched on". */
	if (i < 0)
		i = choice_as_bool(s, value);
	if (i >= 0) {
		*(int *)field(s, ctx) = i;
		return 0;
	}
	for (i = 0; s->choices[i]; i++) {
		if (used >= sizeof(list))
			continue;
		used += snprintf(list + used, sizeof(list) - used, "%s%s",
				 i == 0		   ? "" :
				 s->choices[i + 1] ? ", " :
						     " or ",
				 s->choices[i]);
	}
	return err_set("'%s' is not %s", value, list);
}

int setting_apply(const struct setting *s, const char *value,
		  struct setting_ctx *ctx)
{
	uint64_t n;

	switch (s->type) {
	case SETTING_STRING:
	case SETTING_PATH:
		return set_string(s, value, ctx);
	case SETTING_SIZE:
		return parse_size(value, SIZE_MIB, (uint64_t *)field(s, ctx));
	case SETTING_UINT:
		if (parse_uint(value, s->min, s->max, &n) < 0)
			return -1;
		*(unsigned int *)field(s, ctx) = n;
		return 0;
	case SETTING_DURATION:
		return parse_duration_ms(value, (uint64_t *)field(s, ctx));
	case SETTING_BOOL:
	case SETTING_FLAG:
		return setting_parse_bool(value, (bool *)field(s, ctx));
	case SETTING_CHOICE:
		return set_choice(s, value, ctx);
	case SETTING_CUSTOM:
		return s->set(s, value, ctx);
	case SETTING_LIST:
		return add_to_list(s, value, ctx);
	case SETTING_SECTION:
		break;
	}
	return err_set("%s takes no value here", s->key);
}

void *setting_new_instance(enum setting_scope scope, struct vm_config *vm)
{
	if (scope == SCOPE_DISK) {
		if (vm->nr_disks == CONFIG_MAX_DISKS) {
			err_set("more than %d disks", CONFIG_MAX_DISKS);
			return NULL;
		}
		vm->disk[vm->nr_disks] = (struct disk_config){ 0 };
		return &vm->disk[vm->nr_disks++];
	}
	if (vm->nr_modules == CONFIG_MAX_MODULES) {
		err_set("more than %d modules", CONFIG_MAX_MODULES);
		return NULL;
	}
	vm->module[vm->nr_modules] = (struct module_config){ 0 };
	return &vm->module[vm->nr_modules++];
}

const struct setting *setting_missing(enum setting_scope scope,
				      const void *instance)
{
	const struct setting *s;

	for (s = settings; s->key || s->option; s++)
		if (s->scope == scope && (s->flags & SETTING_REQUIRED) &&
		    !*(const char *const *)((const char *)instance + s->offset))
			return s;
	return NULL;
}

/* A run-wide setting's value in vm, as text for a message. */
static const char *run_wide_text(const struct setting *s,
				 const struct vm_config *vm)
{
	const void *p = (const char *)vm + s->offset;

	if (s->type == SETTING_CHOICE)
		return s->choices[*(const int *)p];
	return *(const char *const *)p ? *(const char *const *)p : "not set";
}

int settings_check_run_wide(const struct vm_config *vm, unsigned int nr)
{
	const struct setting *s;
	unsigned int i;

	for (s = settings; s->key || s->option; s++) {
		if (!(s->flags & SETTING_RUN_WIDE))
			continue;
		for (i = 1; i < nr; i++) {
			const char *a = run_wide_text(s, &vm[0]);
			const char *b = run_wide_text(s, &vm[i]);

			if (strcmp(a, b))
				return err_set("[%s] %s is %s in VM %s but %s "
					       "in VM %s: it is one value for "
					       "the whole run",
					       s->section, s->key, a,
					       vm[0].name, b, vm[i].name);
		}
	}
	return 0;
}

/* ---- help and docs, from the table ---- */

#define HELP_INDENT 24
#define HELP_WIDTH 79

/* text, wrapped at HELP_WIDTH, continuing at HELP_INDENT; col: where. */
static void print_wrapped(FILE *out, const char *text, int col)
{
	while (*text) {
		int word = strcspn(text, " ");

		if (col > HELP_INDENT && col + 1 + word > HELP_WIDTH) {
			fprintf(out, "\n%*s", HELP_INDENT, "");
			col = HELP_INDENT;
		} else if (col > HELP_INDENT) {
			fputc(' ', out);
			col++;
		}
		fprintf(out, "%.*s", word, text);
		col += word;
		text += word + strspn(text + word, " ");
	}
}

static void print_option_line(FILE *out, const struct setting *s)
{
	char left[128], help[512];
	int n;

	if (s->short_option)
		n = snprintf(left, sizeof(left), "  -%c, --%s", s->short_option,
			     s->option);
	else
		n = snprintf(left, sizeof(left), "      --%s", s->option);
	if (s->value && s->type != SETTING_FLAG)
		snprintf(left + n, sizeof(left) - n, " %s", s->value);
	if (strlen(left) > HELP_INDENT - 2)
		fprintf(out, "%s\n%*s", left, HELP_INDENT, "");
	else
		fprintf(out, "%-*s", HELP_INDENT, left);
	n = snprintf(help, sizeof(help), "%s", s->help);
	if (s->def && strcmp(s->def, "none") && strcmp(s->def, "required") &&
	    s->type != SETTING_FLAG)
		snprintf(help + n, sizeof(help) - n, " (default %s)", s->def);
	print_wrapped(out, help, HELP_INDENT);
	fputc('\n', out);
}

static bool shown_in_help(const struct setting *s, bool plan)
{
	if (!s->option || (s->flags & SETTING_HIDDEN))
		return false;
	if (plan)
		return s->flags & SETTING_PLAN;
	return !(s->flags & SETTING_PLAN_ONLY);
}

/* Options of the group's sharing (kvmux plan's too) come second in run's
 * help; run-wide ones (--quiet) are among the VM's. */
static bool sharing_option(const struct setting *s)
{
	return s->scope == SCOPE_GROUP && (s->flags & SETTING_PLAN);
}

void settings_print_help(FILE *out, bool plan)
{
	const struct setting *s;

	if (!plan) {
		fprintf(out, "Options for run:\n");
		for (s = settings; s->key || s->option; s++)
			if (!sharing_option(s) && shown_in_help(s, plan))
				print_option_line(out, s);
		fprintf(out, "\nSeveral VMs share the host as a group "
			     "(several config files):\n");
	} else {
		fprintf(out, "Options:\n");
	}
	for (s = settings; s->key || s->option; s++)
		if (sharing_option(s) && shown_in_help(s, plan))
			print_option_line(out, s);
}

/* A value for a Markdown table cell: '|' escaped. */
static void md_cell(FILE *out, const char *text)
{
	for (; text && *text; text++)
		fprintf(out, *text == '|' ? "\\|" : "%c", *text);
}

/* The option that sets s: a disk's keys are parts of --disk. */
static void md_option(FILE *out, const struct setting *s)
{
	const struct setting *o;

	if (s->option) {
		if (s->short_option)
			fprintf(out, "`-%c`, ", s->short_option);
		fprintf(out, "`--%s`", s->option);
		if (s->alias)
			fprintf(out, ", `--%s`", s->alias);
		return;
	}
	for (o = settings; o->key || o->option; o++) {
		if (o->type == SETTING_SECTION && o->scope == s->scope) {
			fprintf(out, "`--%s %s=`", o->option, s->key);
			return;
		}
	}
	fprintf(out, "none");
}

static void md_section(FILE *out, const char *section)
{
	const struct setting *s;
	bool named = !strcmp(section, "disk") || !strcmp(section, "module");

	fprintf(out,
		"\n### `[%s%s]`\n\n| key | value | default | option "
		"| meaning |\n|---|---|---|---|---|\n",
		section, named ? " \"NAME\"" : "");
	for (s = settings; s->key || s->option; s++) {
		if (!s->section || strcmp(s->section, section))
			continue;
		fprintf(out, "| `%s` | ", s->key);
		md_cell(out, s->value ? s->value : "on|off");
		fprintf(out, " | ");
		md_cell(out, s->def);
		fprintf(out, " | ");
		md_option(out, s);
		fprintf(out, " | ");
		md_cell(out, s->help);
		fprintf(out, " |\n");
	}
}

void settings_print_markdown(FILE *out)
{
	static const char *const sections[] = { "kernel", "vm",	    "console",
						"disk",	  "module", NULL };
	const struct setting *s;
	unsigned int i;

	for (i = 0; sections[i]; i++)
		md_section(out, sections[i]);
	fprintf(out, "\n### Command line only\n\n| option | value | default "
		     "| meaning |\n|---|---|---|---|\n");
	for (s = settings; s->key || s->option; s++) {
		if (s->section || !s->option || (s->flags & SETTING_HIDDEN))
			continue;
		fprintf(out, "| ");
		md_option(out, s);
		fprintf(out, " | ");
		md_cell(out, s->value ? s->value : "");
		fprintf(out, " | ");
		md_cell(out, s->def ? s->def : "none");
		fprintf(out, " | ");
		md_cell(out, s->help);
		fprintf(out, " |\n");
	}
}

void settings_print_options(FILE *out)
{
	const struct setting *s;

	for (s = settings; s->key || s->option; s++) {
		if (!s->option || (s->flags & SETTING_HIDDEN))
			continue;
		fprintf(out, "%c\t%s\t%s\n",
			s->short_option ? s->short_option : '-', s->option,
			s->value && s->type != SETTING_FLAG ? s->value : "");
	}
}
