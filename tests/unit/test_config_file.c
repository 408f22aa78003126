// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_config_file.c - VM config files: every key, the defaults, relative
 * paths, and one clear "file:line: ..." message for each kind of mistake.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "kvmux/config_file.h"
#include "kvmux/error.h"
#include "kvmux/settings.h"

static char dir[] = "/tmp/kvmux-test-config.XXXXXX";
static char path[sizeof(dir) + 32];

static void write_file(const char *name, const char *text, size_t len)
{
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Load text as dir/vm.conf; cfg must be freed by the caller. */
static int load_text(const char *text, struct vm_config *cfg)
{
	write_file("vm.conf", text, strlen(text));
	vm_config_init(cfg);
	return config_file_load(path, cfg);
}

/* Loading text fails with exactly "DIR/vm.conf" + suffix. */
static void expect_error(const char *text, const char *suffix)
{
	struct vm_config cfg;
	char expected[ERR_MSG_MAX];

	assert_int_equal(load_text(text, &cfg), -1);
	snprintf(expected, sizeof(expected), "%s%s", path, suffix);
	assert_string_equal(err_msg(), expected);
	vm_config_free(&cfg);
}

static int make_dir(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	char cmd[sizeof(dir) + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static const char full_file[] =
	"; every section and key\n"
	"# both comment styles\n"
	"[vm]\n"
	"name = web\n"
	"memory = 512M\n"
	"cpus = 2\n"
	"timeout = 1.5\n"
	"shutdown-grace = 250ms\n"
	"priority = 3\n"
	"weight = 4\n"
	"cap = on\n"
	"kvm-device = /dev/kvm\n"
	"stats = yes\n"
	"\n"
	"[kernel]\n"
	"  path = images/bzImage ; indented, with a comment\n"
	"  initrd = /abs/initrd.img\n"
	"  cmdline = \"console=hvc0 exit=5\"\n"
	"\n"
	"[disk \"root\"]\n"
	"path = root.img\n"
	"serial = ROOT-0123456789abcde\n"
	"\n"
	"[disk \"data\"]\n"
	"path = data.img\n"
	"readonly = true\n"
	"snapshot = on\n"
	"format = raw\n"
	"\n"
	"[console]\n"
	"device = virtio\n"
	"output = logs/console.log\n";

static void full_valid_file(void **state)
{
	struct vm_config cfg;
	char want[sizeof(path) + 32];

	assert_int_equal(load_text(full_file, &cfg), 0);
	assert_string_equal(cfg.name, "web");
	assert_int_equal(cfg.memory, 512ULL << 20);
	assert_int_equal(cfg.cpus, 2);
	assert_int_equal(cfg.timeout_ms, 1500);
	assert_int_equal(cfg.shutdown_grace_ms, 250);
	assert_int_equal(cfg.priority, 3);
	assert_int_equal(cfg.weight, 4);
	assert_true(cfg.cap);
	assert_string_equal(cfg.kvm_device, "/dev/kvm");
	assert_true(cfg.stats);
	snprintf(want, sizeof(want), "%s/images/bzImage", dir);
	assert_string_equal(cfg.kernel, want);
	assert_string_equal(cfg.initrd, "/abs/initrd.img");
	assert_string_equal(cfg.cmdline, "console=hvc0 exit=5");
	assert_int_equal(cfg.nr_disks, 2);
	snprintf(want, sizeof(want), "%s/root.img", dir);
	assert_string_equal(cfg.disk[0].path, want);
	assert_string_equal(cfg.disk[0].serial, "ROOT-0123456789abcde");
	assert_false(cfg.disk[0].readonly);
	snprintf(want, sizeof(want), "%s/data.img", dir);
	assert_string_equal(cfg.disk[1].path, want);
	assert_null(cfg.disk[1].serial);
	assert_true(cfg.disk[1].readonly);
	assert_true(cfg.disk[1].snapshot);
	assert_int_equal(cfg.disk[1].format, DISK_FORMAT_RAW);
	assert_false(cfg.disk[0].snapshot);
	assert_int_equal(cfg.disk[0].format, DISK_FORMAT_AUTO);
	assert_int_equal(cfg.console, CONSOLE_VIRTIO);
	assert_int_equal(cfg.console_target, CONSOLE_TO_FILE);
	snprintf(want, sizeof(want), "%s/logs/console.log", dir);
	assert_string_equal(cfg.console_file, want);
	vm_config_free(&cfg);
	assert_null(cfg.strings);
}

/* Only the kernel is required; the name comes from the file name. */
static void defaults(void **state)
{
	struct vm_config cfg;

	assert_int_equal(load_text("[kernel]\npath = k.elf\n", &cfg), 0);
	assert_string_equal(cfg.name, "vm");
	assert_int_equal(cfg.memory, CONFIG_DEFAULT_MEMORY);
	assert_int_equal(cfg.cpus, 1);
	assert_int_equal(cfg.timeout_ms, 0);
	assert_int_equal(cfg.shutdown_grace_ms, 0);
	assert_int_equal(cfg.priority, 0);
	assert_int_equal(cfg.weight, 1);
	assert_false(cfg.cap);
	assert_string_equal(cfg.cmdline, "");
	assert_null(cfg.initrd);
	assert_int_equal(cfg.nr_disks, 0);
	assert_int_equal(cfg.console, CONSOLE_SERIAL);
	assert_int_equal(cfg.console_target, CONSOLE_TO_STDIO);
	vm_config_free(&cfg);

	write_file("db.conf", "[kernel]\npath=k\n", 16);
	vm_config_init(&cfg);
	assert_int_equal(config_file_load(path, &cfg), 0);
	assert_string_equal(cfg.name, "db");
	vm_config_free(&cfg);
	/* A file's name that is no VM's name: refused, not passed on to
	 * prefixes, %n file names and the terminal. */
	write_file("a\033[7mb.conf", "[kernel]\npath=k\n", 16);
	vm_config_init(&cfg);
	assert_int_equal(config_file_load(path, &cfg), -1);
	assert_non_null(strstr(err_msg(), "a name may not hold '/' or a "
					  "control character; give one with "
					  "[vm] name"));
	vm_config_free(&cfg);
	write_file("..conf", "[kernel]\npath=k\n", 16);
	vm_config_init(&cfg);
	assert_int_equal(config_file_load(path, &cfg), -1);
	assert_non_null(strstr(err_msg(), "'.' is not a name"));
	vm_config_free(&cfg);
}

static void console_outputs(void **state)
{
	struct vm_config cfg;

	assert_int_equal(
		load_text("[kernel]\npath=k\n[console]\noutput=none\n", &cfg),
		0);
	assert_int_equal(cfg.console_target, CONSOLE_TO_NONE);
	vm_config_free(&cfg);
	assert_int_equal(load_text("[kernel]\npath=k\n[console]\noutput=stdio\n"
				   "device=serial\n",
				   &cfg),
			 0);
	assert_int_equal(cfg.console_target, CONSOLE_TO_STDIO);
	assert_int_equal(cfg.console, CONSOLE_SERIAL);
	vm_config_free(&cfg);
}

/* The console's files: relative to the file's directory (a % in it
 * doubled, so that it is not taken for %n), a log, --fail-on's keys. */
static void console_log_and_fail_on(void **state)
{
	struct vm_config cfg;
	char want[256];

	assert_int_equal(load_text("[kernel]\npath=k\n[console]\n"
				   "output = out/%n.txt,append\n"
				   "log = /logs/%n.log\ntimestamps = on\n"
				   "fail-on = linux\nfail-on = ^FAIL\n",
				   &cfg),
			 0);
	snprintf(want, sizeof(want), "%s/out/%%n.txt", dir);
	assert_string_equal(cfg.console_file, want);
	assert_true(cfg.console_append);
	assert_string_equal(cfg.console_log, "/logs/%n.log");
	assert_false(cfg.console_log_append);
	assert_true(cfg.timestamps);
	assert_int_equal(cfg.fail_on.nr, 2);
	assert_string_equal(cfg.fail_on.item[1], "^FAIL");
	vm_config_free(&cfg);
	expect_error("[console]\nfail-on = (\n",
		     ":2: [console] fail-on: '(' is not a regular "
		     "expression: missing closing parenthesis at byte 1");
	/* Any other key still appears once. */
	expect_error("[console]\nlog = a\nlog = b\n",
		     ":3: duplicate key 'log' in [console] (first on line 2)");
}

/* A file in a directory whose name has a %: no %n is made of it. */
static void percent_in_directory(void **state)
{
	struct vm_config cfg;
	char sub[sizeof(dir) + 16], conf[sizeof(dir) + 32];
	FILE *f;

	snprintf(sub, sizeof(sub), "%s/50%%", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	snprintf(conf, sizeof(conf), "%s/vm.conf", sub);
	f = fopen(conf, "w");
	assert_non_null(f);
	fputs("[kernel]\npath=k\n[console]\nlog = %n.log\n", f);
	assert_int_equal(fclose(f), 0);
	vm_config_init(&cfg);
	assert_int_equal(config_file_load(conf, &cfg), 0);
	snprintf(conf, sizeof(conf), "%s/50%%%%/%%n.log", dir);
	assert_string_equal(cfg.console_log, conf);
	vm_config_free(&cfg);
}

/* A file in the current directory: its relative paths stay as written. */
static void file_in_current_directory(void **state)
{
	struct vm_config cfg;
	char *cwd = getcwd(NULL, 0);

	assert_non_null(cwd);
	write_file("here.conf", "[kernel]\npath = k.elf\n", 22);
	assert_int_equal(chdir(dir), 0);
	vm_config_init(&cfg);
	assert_int_equal(config_file_load("here.conf", &cfg), 0);
	assert_string_equal(cfg.kernel, "k.elf");
	vm_config_free(&cfg);
	assert_int_equal(chdir(cwd), 0);
	free(cwd);
}

static void bools(void **state)
{
	static const char *const yes[] = { "on", "YES", "true", "1" };
	static const char *const no[] = { "off", "No", "FALSE", "0" };
	bool value;
	size_t i;

	for (i = 0; i < 4; i++) {
		assert_int_equal(setting_parse_bool(yes[i], &value), 0);
		assert_true(value);
		assert_int_equal(setting_parse_bool(no[i], &value), 0);
		assert_false(value);
	}
	assert_int_equal(setting_parse_bool("maybe", &value), -1);
	assert_non_null(strstr(err_msg(), "'maybe' is not on or off"));
	assert_int_equal(setting_parse_bool("", &value), -1);
}

static void unknown_key(void **state)
{
	expect_error("[vm]\nname = a\nmemroy = 1G\n",
		     ":3: unknown key 'memroy' in [vm]");
}

static void bad_size(void **state)
{
	expect_error("[kernel]\npath=k\n[vm]\nmemory = lots\n",
		     ":4: [vm] memory: 'lots' is not a size (examples: 512M, "
		     "2G)");
	expect_error("[vm]\nmemory = 1M\n",
		     ":2: [vm] memory: 1M is too small: kvmux needs at least "
		     "2 MiB");
	expect_error("[vm]\nmemory = 1000001b\n",
		     ":2: [vm] memory: 1000001b is not a multiple of 4 KiB");
}

static void bad_numbers(void **state)
{
	expect_error("[vm]\ncpus = 0\n",
		     ":2: [vm] cpus: 0 is out of range (1 to 254)");
	expect_error("[vm]\nweight = 0\n",
		     ":2: [vm] weight: 0 is out of range (1 to 10000)");
	expect_error("[vm]\npriority = high\n",
		     ":2: [vm] priority: 'high' is not a whole number");
	expect_error("[vm]\ntimeout = soon\n",
		     ":2: [vm] timeout: 'soon' is not a duration (examples: "
		     "30, 1.5, 90s, 250ms, 2m)");
	expect_error("[vm]\ncap = maybe\n",
		     ":2: [vm] cap: 'maybe' is not on or off (also yes/no, "
		     "true/false, 1/0)");
}

static void bad_strings(void **state)
{
	expect_error("[vm]\nname =\n", ":2: [vm] name: the name is empty");
	expect_error("[kernel]\npath =\n", ":2: [kernel] path: no path given");
	expect_error("[kernel]\npath=k\n[disk \"d\"]\npath=d\n"
		     "serial = 123456789012345678901\n",
		     ":5: [disk \"d\"] serial: '123456789012345678901' is "
		     "longer than 20 bytes");
	expect_error("[console]\ndevice = usb\n",
		     ":2: [console] device: 'usb' is not serial or virtio");
}

static void duplicate_key(void **state)
{
	expect_error("[vm]\n\n\ncpus = 1\nname = a\n\n\n\ncpus = 2\n",
		     ":9: duplicate key 'cpus' in [vm] (first on line 4)");
}

/* A quote left open is an error, not a value that keeps the quote. */
static void unterminated_quote(void **state)
{
	expect_error("[kernel]\npath = k\ncmdline = \"exit=7\n",
		     ":3: unterminated quote");
	expect_error("[kernel]\npath = k\ncmdline = a=\"b ; c\n",
		     ":3: unterminated quote");
	expect_error("[kernel]\npath = k\ncmdline = a \"b\" \"c\n",
		     ":3: unterminated quote");
}

static void no_kernel(void **state)
{
	expect_error("[vm]\ncpus = 1\n",
		     ": no kernel: [kernel] path is required");
	expect_error("", ": no kernel: [kernel] path is required");
}

static void unknown_section(void **state)
{
	expect_error("[kernel]\npath=k\n[disks]\npath=x\n",
		     ":3: unknown section [disks]");
	/* Caught on its own line, even with no keys under it. */
	expect_error("[kernel]\npath=k\n[extra]\n",
		     ":3: unknown section [extra]");
	expect_error("[vm] trailing\n", ":1: unexpected text after ']'");
}

static void duplicate_section(void **state)
{
	expect_error("[kernel]\npath=k\n[disk \"root\"]\npath=a\n"
		     "[disk \"root\"]\npath=b\n",
		     ":5: duplicate section [disk \"root\"] (first on line 3)");
	expect_error("[vm]\n[kernel]\npath=k\n[vm]\n",
		     ":4: duplicate section [vm] (first on line 1)");
}

static void bad_disk_sections(void **state)
{
	expect_error("[disk]\npath=a\n",
		     ":1: [disk] needs a name: [disk \"NAME\"]");
	expect_error("[disk root]\n",
		     ":1: bad section [disk root]: write [disk \"NAME\"] with "
		     "a NAME of 1 to 32 bytes");
	expect_error("[disk \"\"]\n",
		     ":1: bad section [disk \"\"]: write [disk \"NAME\"] with "
		     "a NAME of 1 to 32 bytes");
	expect_error("[kernel]\npath=k\n[disk \"root\"]\nreadonly = on\n"
		     "[vm]\n",
		     ":3: [disk \"root\"] has no path: path is required");
	expect_error("[kernel]\npath=k\n[disk \"root\"]\n",
		     ":3: [disk \"root\"] has no path: path is required");
}

static void too_many_disks(void **state)
{
	char text[1024] = "[kernel]\npath=k\n";
	char line[64];
	int i;

	for (i = 0; i <= CONFIG_MAX_DISKS; i++) {
		snprintf(line, sizeof(line), "[disk \"d%d\"]\npath=d%d\n", i,
			 i);
		strcat(text, line);
	}
	expect_error(text, ":19: [disk \"d8\"]: more than 8 disks");
}

/* [module "NAME"]: multiboot modules in file order, paths as for disks. */
static void module_sections(void **state)
{
	struct vm_config cfg;
	char want[sizeof(path) + 32];

	assert_int_equal(load_text("[kernel]\npath=k\n[module \"a\"]\n"
				   "path = a.bin\ncmdline = x=1, y\n"
				   "[module \"b\"]\npath = /b.bin\n",
				   &cfg),
			 0);
	assert_int_equal(cfg.nr_modules, 2);
	snprintf(want, sizeof(want), "%s/a.bin", dir);
	assert_string_equal(cfg.module[0].path, want);
	assert_string_equal(cfg.module[0].cmdline, "x=1, y");
	assert_string_equal(cfg.module[1].path, "/b.bin");
	assert_null(cfg.module[1].cmdline);
	vm_config_free(&cfg);
	expect_error("[module]\n", ":1: [module] needs a name: "
				   "[module \"NAME\"]");
	expect_error("[kernel]\npath=k\n[module \"a\"]\ncmdline=x\n",
		     ":3: [module \"a\"] has no path: path is required");
	expect_error("[module \"a\"]\npath=a\n[module \"a\"]\n",
		     ":3: duplicate section [module \"a\"] (first on line "
		     "1)");
	expect_error("[module x]\n", ":1: bad section [module x]: write "
				     "[module \"NAME\"] with a NAME of 1 "
				     "to 32 bytes");
}

/* [vm] debug-exit takes what --debug-exit takes. */
static void debug_exit_key(void **state)
{
	struct vm_config cfg;

	assert_int_equal(load_text("[kernel]\npath=k\n", &cfg), 0);
	assert_int_equal(cfg.debug_exit.port, 0x501);
	assert_int_equal(cfg.debug_exit.size, 1);
	assert_false(cfg.debug_exit.qemu_status);
	vm_config_free(&cfg);
	assert_int_equal(load_text("[vm]\ndebug-exit = port=0xf4,size=4,"
				   "status=qemu\n[kernel]\npath=k\n",
				   &cfg),
			 0);
	assert_int_equal(cfg.debug_exit.port, 0xf4);
	assert_int_equal(cfg.debug_exit.size, 4);
	assert_true(cfg.debug_exit.qemu_status);
	vm_config_free(&cfg);
	expect_error("[vm]\ndebug-exit = size=2\n",
		     ":2: [vm] debug-exit: no port= (port=PORT[,size=1|2|4]"
		     "[,status=raw|qemu])");
	expect_error("[vm]\ndebug-exit = port=0xffff,size=2\n",
		     ":2: [vm] debug-exit: 2 ports from 0xffff run past port "
		     "0xffff");
	expect_error("[vm]\ndebug-exit = port=1,size=3\n",
		     ":2: [vm] debug-exit: size=3: the width is 1, 2 or 4 "
		     "ports");
	expect_error("[vm]\ndebug-exit = port=1,status=linux\n",
		     ":2: [vm] debug-exit: status=linux: raw or qemu");
	expect_error("[vm]\ndebug-exit = port=1,iosize=4\n",
		     ":2: [vm] debug-exit: unknown key 'iosize' (port, size, "
		     "status)");
	expect_error("[vm]\ndebug-exit = port=0x10000\n",
		     ":2: [vm] debug-exit: port=: 0x10000 is out of range (0 "
		     "to 0xffff)");
	expect_error("[vm]\ndebug-exit = port\n",
		     ":2: [vm] debug-exit: 'port' is not key=value");
}

static void key_outside_section(void **state)
{
	expect_error("name = a\n[vm]\n",
		     ":1: key 'name' is outside any section");
}

static void not_ini(void **state)
{
	expect_error("[kernel]\npath = k\nthis is not ini\n",
		     ":3: not valid INI: expected [section], key = value or "
		     "a comment");
	expect_error("[kernel\npath = k\n",
		     ":1: not valid INI: expected [section], key = value or "
		     "a comment");
	/* The first mistake is the one reported. */
	expect_error("[vm]\ngarbage\nmemroy = 1\n",
		     ":2: not valid INI: expected [section], key = value or "
		     "a comment");
}

static void not_text(void **state)
{
	struct vm_config cfg;
	char expected[ERR_MSG_MAX];

	write_file("vm.conf", "[vm]\nname=a\0b\n", 14);
	vm_config_init(&cfg);
	assert_int_equal(config_file_load(path, &cfg), -1);
	snprintf(expected, sizeof(expected), "%s:2: not a text file (NUL byte)",
		 path);
	assert_string_equal(err_msg(), expected);
	vm_config_free(&cfg);
}

/* A kernel given where a config file goes: say to use --kernel. */
static void kernel_image(void **state)
{
	static const uint8_t mb[12] = { 0x02, 0xb0, 0xad, 0x1b, 0,    0,
					0,    0,    0xfe, 0x4f, 0x52, 0xe4 };
	char text[0x400], expected[ERR_MSG_MAX];
	struct vm_config cfg;
	int kind;

	for (kind = 0; kind < 3; kind++) {
		memset(text, 0, sizeof(text));
		if (kind == 0)
			memcpy(text,
			       "\x7f"
			       "ELF",
			       4);
		else if (kind == 1)
			memcpy(text + 0x202, "HdrS", 4);
		else
			memcpy(text + 0x100, mb, sizeof(mb));
		write_file("vm.conf", text, sizeof(text));
		vm_config_init(&cfg);
		assert_int_equal(config_file_load(path, &cfg), -1);
		snprintf(expected, sizeof(expected),
			 "%s looks like a kernel image, not a config file: use "
			 "--kernel %s",
			 path, path);
		assert_string_equal(err_msg(), expected);
		vm_config_free(&cfg);
	}
}

/* A 4 KiB command line fits; a line past 64 KiB is refused. */
static void long_lines(void **state)
{
	size_t big = 70000;
	char *text = calloc(1, big + 100);
	struct vm_config cfg;
	size_t head;

	assert_non_null(text);
	head = sprintf(text, "[kernel]\npath = k\ncmdline = ");
	memset(text + head, 'x', 4096);
	strcpy(text + head + 4096, "\n");
	vm_config_init(&cfg);
	assert_int_equal(load_text(text, &cfg), 0);
	assert_int_equal(strlen(cfg.cmdline), 4096);
	vm_config_free(&cfg);

	memset(text + head, 'x', big);
	strcpy(text + head + big, "\n");
	expect_error(text, ":3: line is longer than 65536 bytes");
	free(text);
}

/* The dialect: key: value, inline comments outside quotes, CRLF, BOM. */
static void dialect(void **state)
{
	struct vm_config cfg;

	vm_config_init(&cfg);
	assert_int_equal(load_text("\xef\xbb\xbf[kernel]\r\n"
				   "path: k ; the kernel\r\n"
				   "cmdline = a=\"b ; c\" d;e ; note\r\n"
				   "\t# indented comment\r\n"
				   "[vm]\r\nname = \"two words\"  \r\n",
				   &cfg),
			 0);
	assert_string_equal(strrchr(cfg.kernel, '/'), "/k");
	assert_string_equal(cfg.cmdline, "a=\"b ; c\" d;e");
	assert_string_equal(cfg.name, "two words");
	vm_config_free(&cfg);
	expect_error("[kernel]\n= k\n",
		     ":2: not valid INI: expected [section], key = value or "
		     "a comment");
}

static void missing_file_and_directory(void **state)
{
	struct vm_config cfg;
	char expected[ERR_MSG_MAX];

	snprintf(path, sizeof(path), "%s/nope.conf", dir);
	vm_config_init(&cfg);
	assert_int_equal(config_file_load(path, &cfg), -1);
	snprintf(expected, sizeof(expected), "config file %s does not exist",
		 path);
	assert_string_equal(err_msg(), expected);
	assert_int_equal(config_file_load(dir, &cfg), -1);
	snprintf(expected, sizeof(expected),
		 "config file %s is a directory, not a file", dir);
	assert_string_equal(err_msg(), expected);
	vm_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_valid_file),
		cmocka_unit_test(defaults),
		cmocka_unit_test(console_outputs),
		cmocka_unit_test(console_log_and_fail_on),
		cmocka_unit_test(percent_in_directory),
		cmocka_unit_test(file_in_current_directory),
		cmocka_unit_test(bools),
		cmocka_unit_test(unknown_key),
		cmocka_unit_test(bad_size),
		cmocka_unit_test(bad_numbers),
		cmocka_unit_test(bad_strings),
		cmocka_unit_test(duplicate_key),
		cmocka_unit_test(unterminated_quote),
		cmocka_unit_test(no_kernel),
		cmocka_unit_test(unknown_section),
		cmocka_unit_test(duplicate_section),
		cmocka_unit_test(bad_disk_sections),
		cmocka_unit_test(too_many_disks),
		cmocka_unit_test(module_sections),
		cmocka_unit_test(debug_exit_key),
		cmocka_unit_test(key_outside_section),
		cmocka_unit_test(not_ini),
		cmocka_unit_test(not_text),
		cmocka_unit_test(kernel_image),
		cmocka_unit_test(long_lines),
		cmocka_unit_test(dialect),
		cmocka_unit_test(missing_file_and_directory),
	};

	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
