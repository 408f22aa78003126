// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_options.c - the command line of "kvmux run" and "kvmux plan" as
 * read from the settings table (cli/options.c, cli/settings.c): long and
 * short options, flags, --disk and --module values, group options, config
 * files under the options, and one clear message per mistake.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kvmux/config.h"
#include "kvmux/error.h"
#include "kvmux/options.h"
#include "kvmux/request.h"
#include "kvmux/settings.h"

#define MAX_ARGS 32

static char dir[] = "/tmp/kvmux-test-options.XXXXXX";

/* Parse "run" + the NULL-terminated words into req. */
static enum cli_result parse_words(struct run_request *req, const char *first,
				   va_list ap)
{
	char *argv[MAX_ARGS + 1];
	const char *word;
	int argc = 0;

	argv[argc++] = (char *)"run";
	for (word = first; word; word = va_arg(ap, const char *)) {
		assert_true(argc < MAX_ARGS);
		argv[argc++] = (char *)word;
	}
	argv[argc] = NULL;
	return cli_parse_run(argc, argv, req);
}

static enum cli_result run_args(struct run_request *req, const char *first, ...)
{
	enum cli_result r;
	va_list ap;

	va_start(ap, first);
	r = parse_words(req, first, ap);
	va_end(ap);
	return r;
}

/* The words fail with exactly msg. */
static void expect_error(const char *msg, const char *first, ...)
{
	struct run_request req;
	va_list ap;

	va_start(ap, first);
	assert_int_equal(parse_words(&req, first, ap), CLI_USAGE_ERROR);
	va_end(ap);
	assert_string_equal(err_msg(), msg);
	assert_int_equal(err_class(), ERR_INPUT);
	run_request_free(&req);
}

/* Config file conf fails with a message of conf's name and then rest. */
static void expect_error_fmt(const char *conf, const char *rest)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "%s%s", conf, rest);
	expect_error(msg, conf, NULL);
}

static int make_dir(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void long_options(void **state)
{
	struct run_request req;

	assert_int_equal(run_args(&req, "--kernel", "k.elf", "--initrd", "i",
				  "--cmdline", "a b", "--memory", "512M",
				  "--cpus", "3", "--timeout", "1.5", "--name",
				  "web", "--stats", "--acpi", "off",
				  "--console", "virtio", "--console-output",
				  "none", "--debug-exit", "port=0xf4,size=4",
				  "--shutdown-grace", "2m", NULL),
			 CLI_RUN);
	assert_int_equal(req.nr_vms, 1);
	assert_string_equal(req.vm[0].kernel, "k.elf");
	assert_string_equal(req.vm[0].initrd, "i");
	assert_string_equal(req.vm[0].cmdline, "a b");
	assert_int_equal(req.vm[0].memory, 512ULL << 20);
	assert_int_equal(req.vm[0].cpus, 3);
	assert_int_equal(req.vm[0].timeout_ms, 1500);
	assert_string_equal(req.vm[0].name, "web");
	assert_true(req.vm[0].stats);
	assert_false(req.vm[0].acpi);
	assert_int_equal(req.vm[0].console, CONSOLE_VIRTIO);
	assert_int_equal(req.vm[0].console_target, CONSOLE_TO_NONE);
	assert_int_equal(req.vm[0].debug_exit.port, 0xf4);
	assert_int_equal(req.vm[0].debug_exit.size, 4);
	assert_int_equal(req.vm[0].shutdown_grace_ms, 120000);
	run_request_free(&req);
}

/* kvmtool's short options: -k -i -p -c -m -d are --kernel --initrd
 * --cmdline --cpus --memory --disk, also glued to their values; -t is
 * --timeout; --append is --cmdline, as QEMU spells it. */
static void short_options(void **state)
{
	struct run_request req;

	assert_int_equal(run_args(&req, "-k", "k.elf", "-i", "i", "-p", "x=1",
				  "-m", "64", "-c2", "-t", "90s", "-d", "a.img",
				  NULL),
			 CLI_RUN);
	assert_int_equal(req.vm[0].nr_disks, 1);
	assert_string_equal(req.vm[0].disk[0].path, "a.img");
	assert_string_equal(req.vm[0].kernel, "k.elf");
	assert_string_equal(req.vm[0].initrd, "i");
	assert_string_equal(req.vm[0].cmdline, "x=1");
	assert_int_equal(req.vm[0].memory, 64ULL << 20);
	assert_int_equal(req.vm[0].cpus, 2);
	assert_int_equal(req.vm[0].timeout_ms, 90000);
	run_request_free(&req);
	assert_int_equal(run_args(&req, "-k", "k", "--append", "a b", NULL),
			 CLI_RUN);
	assert_string_equal(req.vm[0].cmdline, "a b");
	run_request_free(&req);
}

static void defaults(void **state)
{
	struct run_request req;

	assert_int_equal(run_args(&req, "-k", "k", NULL), CLI_RUN);
	assert_string_equal(req.vm[0].name, "vm");
	assert_string_equal(req.vm[0].cmdline, "");
	assert_int_equal(req.vm[0].memory, CONFIG_DEFAULT_MEMORY);
	assert_int_equal(req.vm[0].cpus, 1);
	assert_true(req.vm[0].acpi);
	/* SIGTERM stops at once unless a grace is asked for. */
	assert_int_equal(req.vm[0].shutdown_grace_ms, 0);
	assert_false(req.vm[0].stats);
	assert_int_equal(req.vm[0].nr_disks, 0);
	assert_int_equal(req.group.sched, SCHED_MODE_AUTO);
	assert_false(req.group.json);
	run_request_free(&req);
}

/* path=, a bare FILE, doubled commas, readonly, serial, snapshot,
 * format. */
static void disks(void **state)
{
	struct run_request req;

	assert_int_equal(run_args(&req, "-k", "k", "--disk",
				  "path=a,,b.img,readonly=on,serial=S1",
				  "--disk", "plain.img", "--disk",
				  "c.img,readonly=off,snapshot=on,format=raw",
				  NULL),
			 CLI_RUN);
	assert_int_equal(req.vm[0].nr_disks, 3);
	assert_string_equal(req.vm[0].disk[0].path, "a,b.img");
	assert_true(req.vm[0].disk[0].readonly);
	assert_string_equal(req.vm[0].disk[0].serial, "S1");
	assert_string_equal(req.vm[0].disk[1].path, "plain.img");
	assert_false(req.vm[0].disk[1].readonly);
	assert_null(req.vm[0].disk[1].serial);
	assert_false(req.vm[0].disk[1].snapshot);
	assert_int_equal(req.vm[0].disk[1].format, DISK_FORMAT_AUTO);
	assert_string_equal(req.vm[0].disk[2].path, "c.img");
	assert_true(req.vm[0].disk[2].snapshot);
	assert_int_equal(req.vm[0].disk[2].format, DISK_FORMAT_RAW);
	run_request_free(&req);
}

/* How --disk's errors end: the value's shape, from the settings table. */
#define DISK_USAGE                             \
	" (--disk path=FILE[,readonly=on|off]" \
	"[,snapshot=on|off][,serial=ID][,format=auto|raw])"

static void disk_errors(void **state)
{
	expect_error("--disk: no path= given" DISK_USAGE, "-k", "k", "--disk",
		     "readonly=on", NULL);
	expect_error("--disk: unknown key 'foo'" DISK_USAGE, "-k", "k",
		     "--disk", "a,foo=1", NULL);
	expect_error("--disk: 'maybe' is not on or off (also yes/no, "
		     "true/false, 1/0)",
		     "-k", "k", "--disk", "a,readonly=maybe", NULL);
	expect_error("--disk: 'qcow2' is not auto or raw", "-k", "k", "--disk",
		     "a,format=qcow2", NULL);
	expect_error("--disk: '123456789012345678901' is longer than 20 "
		     "bytes",
		     "-k", "k", "--disk", "a,serial=123456789012345678901",
		     NULL);
	expect_error("--disk: more than 8 disks", "-k", "k", "--disk", "1",
		     "--disk", "2", "--disk", "3", "--disk", "4", "--disk", "5",
		     "--disk", "6", "--disk", "7", "--disk", "8", "--disk", "9",
		     NULL);
}

/* Only the first part of a value may be a bare file; a key only once. */
static void section_value_parts(void **state)
{
	static const char *const cases[][2] = {
		{ "raw.img,readonly", "'readonly' needs a value: readonly=on" },
		{ "raw.img,b.img", "'b.img' is not KEY=VALUE; only the first "
				   "part may be a bare file" },
		{ "path=raw.img,path=a,,b.img", "path= given twice" },
		{ "raw.img,path=b.img", "path= given twice" },
		{ "a,readonly=on,readonly=off", "readonly= given twice" },
	};
	char want[512];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(want, sizeof(want), "--disk: %s" DISK_USAGE,
			 cases[i][1]);
		expect_error(want, "-k", "k", "--disk", cases[i][0], NULL);
	}
	expect_error("--module: 'x' is not KEY=VALUE; only the first part "
		     "may be a bare file (--module FILE[,cmdline=STRING])",
		     "-k", "k", "--module", "m,x", NULL);
}

/* cmdline= takes the rest of a --module value, commas and all. */
static void modules(void **state)
{
	struct run_request req;

	assert_int_equal(run_args(&req, "-k", "k", "--module",
				  "m.bin,cmdline=x=1,y", "--module", "n.bin",
				  NULL),
			 CLI_RUN);
	assert_int_equal(req.vm[0].nr_modules, 2);
	assert_string_equal(req.vm[0].module[0].path, "m.bin");
	assert_string_equal(req.vm[0].module[0].cmdline, "x=1,y");
	assert_string_equal(req.vm[0].module[1].path, "n.bin");
	assert_null(req.vm[0].module[1].cmdline);
	run_request_free(&req);
}

static void group_options(void **state)
{
	struct run_request req;

	assert_int_equal(run_args(&req, "-k", "k", "--host-cpus", "3",
				  "--host-memory", "1G", "--overcommit", "1.5",
				  "--period", "0.05", "--sched", "park", NULL),
			 CLI_RUN);
	assert_int_equal(req.group.host_cpus, 3);
	assert_int_equal(req.group.host_memory, 1ULL << 30);
	assert_int_equal(req.group.overcommit_milli, 1500);
	assert_int_equal(req.group.period_ns, 50000000);
	assert_int_equal(req.group.sched, SCHED_MODE_PARK);
	run_request_free(&req);
	/* Choices take any case, as booleans do. */
	assert_int_equal(run_args(&req, "-k", "k", "--sched", "ON", "--seccomp",
				  "Log", "--console", "VIRTIO", NULL),
			 CLI_RUN);
	assert_int_equal(req.group.sched, SCHED_MODE_AUTO);
	assert_int_equal(req.vm[0].seccomp, SYSCALL_FILTER_LOG);
	assert_int_equal(req.vm[0].console, CONSOLE_VIRTIO);
	run_request_free(&req);
	expect_error("--sched: 'fast' is not auto, cgroup, park or off", "-k",
		     "k", "--sched", "fast", NULL);
	/* A choice with on and off takes a boolean's words for them. */
	assert_int_equal(run_args(&req, "-k", "k", "--pit", "yes", "--seccomp",
				  "FALSE", NULL),
			 CLI_RUN);
	assert_int_equal(req.vm[0].pit, PIT_ON);
	assert_int_equal(req.vm[0].seccomp, SYSCALL_FILTER_OFF);
	run_request_free(&req);
	assert_int_equal(run_args(&req, "-k", "k", "--pit", "0", NULL),
			 CLI_RUN);
	assert_int_equal(req.vm[0].pit, PIT_OFF);
	run_request_free(&req);
	expect_error("--pit: 'maybe' is not auto, on, off or kvm", "-k", "k",
		     "--pit", "maybe", NULL);
	/* Not where on and off are no choices. */
	expect_error("--irqchip: 'yes' is not kernel or split", "-k", "k",
		     "--irqchip", "yes", NULL);
	expect_error("--overcommit: 0 is out of range (more than 0, at most "
		     "64)",
		     "-k", "k", "--overcommit", "0", NULL);
}

/* --period's range is 0.001 to 10 s at both ends: below 1 ms is not
 * raised to 1 ms. */
static void period_range(void **state)
{
	static const char *const out_of_range[] = { "0.0001", "0.5ms",
						    "10.001" };
	struct run_request req;
	char msg[128];
	size_t i;

	assert_int_equal(run_args(&req, "-k", "k", "--period", "0.001", NULL),
			 CLI_RUN);
	assert_int_equal(req.group.period_ns, 1000000);
	run_request_free(&req);
	for (i = 0; i < sizeof(out_of_range) / sizeof(out_of_range[0]); i++) {
		snprintf(msg, sizeof(msg),
			 "--period: %s is out of range (0.001 to 10 seconds; "
			 "100 ms is 0.1)",
			 out_of_range[i]);
		expect_error(msg, "-k", "k", "--period", out_of_range[i], NULL);
	}
}

static void usage_errors(void **state)
{
	expect_error("unknown option '--bogus' (see kvmux run --help)",
		     "--bogus", NULL);
	expect_error("option '--memory' needs a value", "-k", "k", "--memory",
		     NULL);
	expect_error("--cpus: 0 is out of range (1 to 254)", "-k", "k", "-c",
		     "0", NULL);
	expect_error("--memory: 'lots' is not a size (examples: 512M, 2G)",
		     "-k", "k", "-m", "lots", NULL);
	expect_error("--console: 'usb' is not serial or virtio", "-k", "k",
		     "--console", "usb", NULL);
	expect_error("no kernel: use --kernel IMAGE or a config file", "-m",
		     "64", NULL);
	/* A name is not a path, nor more than one line. */
	expect_error("--name: '../x': a name may not hold '/' or a control "
		     "character",
		     "-k", "k", "--name", "../x", NULL);
	expect_error("--name: 'a?b': a name may not hold '/' or a control "
		     "character",
		     "-k", "k", "--name", "a\nb", NULL);
	expect_error("--name: '..' is not a name", "-k", "k", "--name", "..",
		     NULL);
	/* plan's own option is not run's */
	expect_error("unknown option '--json' (see kvmux run --help)", "-k",
		     "k", "--json", NULL);
}

/* getopt_long()'s refusals, and a key given twice, name what the user
 * wrote and why. */
static void refused_options_named(void **state)
{
	/* a short option in a cluster: not the argument before it */
	expect_error("unknown option '-=' (see kvmux run --help)", "-k", "k",
		     "-q=1", NULL);
	expect_error("unknown option '-x' (see kvmux run --help)", "-k", "k",
		     "-qx", NULL);
	expect_error("--debug-exit: port= given twice", "-k", "k",
		     "--debug-exit", "port=0x501,port=0x502", NULL);
	expect_error("--debug-exit: size= given twice", "-k", "k",
		     "--debug-exit", "size=1,port=0xf4,size=2", NULL);
	expect_error("option '--stats' takes no value", "-k", "k", "--stats=on",
		     NULL);
	expect_error("option '--quiet' takes no value", "-k", "k", "--quiet=1",
		     NULL);
	expect_error("option '--help' takes no value", "--help=1", NULL);
	expect_error("option '--s' is ambiguous: --shutdown-grace, --stats, "
		     "--seccomp, --sched",
		     "-k", "k", "--s", NULL);
}

/* "--=x" matches every long option: the list is cut, and says so. */
static void ambiguous_list_cut(void **state)
{
	struct run_request req;
	const char *msg;

	assert_int_equal(run_args(&req, "-k", "k", "--=x", NULL),
			 CLI_USAGE_ERROR);
	msg = err_msg();
	assert_non_null(strstr(msg, "option '--' is ambiguous: --kernel, "));
	assert_string_equal(msg + strlen(msg) - 3, "...");
	run_request_free(&req);
}

static void write_conf(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Options override every file, wherever they are on the line. */
static void files_then_options(void **state)
{
	char a[256], b[256];
	struct run_request req;

	write_conf("a.conf", "[kernel]\npath = k\n[vm]\ncpus = 2\n");
	write_conf("b.conf", "[kernel]\npath = k\ncmdline = x\n");
	snprintf(a, sizeof(a), "%s/a.conf", dir);
	snprintf(b, sizeof(b), "%s/b.conf", dir);
	assert_int_equal(run_args(&req, a, "-p", "y", b, "--stats", NULL),
			 CLI_RUN);
	assert_int_equal(req.nr_vms, 2);
	assert_string_equal(req.vm[0].name, "a");
	assert_string_equal(req.vm[1].name, "b");
	assert_int_equal(req.vm[0].cpus, 2);
	assert_string_equal(req.vm[0].cmdline, "y");
	assert_string_equal(req.vm[1].cmdline, "y");
	assert_true(req.vm[1].stats);
	run_request_free(&req);
	expect_error("--name names one VM: with several config files, use "
		     "[vm] name",
		     a, b, "--name", "x", NULL);
	/* An option without a key says so, before any file is compared. */
	expect_error("--dump-dtb works with one VM only: give one config file",
		     a, b, "--dump-dtb", "dt.dtb", NULL);
}

/* One config file given twice is said to be that, not a clash of names. */
static void file_given_twice(void **state)
{
	char a[256], dot[256], msg[600];

	write_conf("a.conf", "[kernel]\npath = k\n");
	snprintf(a, sizeof(a), "%s/a.conf", dir);
	snprintf(dot, sizeof(dot), "%s/./a.conf", dir);
	snprintf(msg, sizeof(msg),
		 "%s is given twice: one config file is one VM", a);
	expect_error(msg, a, a, NULL);
	snprintf(msg, sizeof(msg),
		 "%s and %s are one config file, given twice: one config "
		 "file is one VM",
		 a, dot);
	expect_error(msg, a, dot, NULL);
}

/* --console-output -, FILE[,append], --console-log, --timestamps. */
static void console_files(void **state)
{
	struct run_request req;

	assert_int_equal(run_args(&req, "-k", "k", "--console-output", "-",
				  "--console-log", "logs/%n,,x.log,append",
				  "--timestamps", NULL),
			 CLI_RUN);
	assert_int_equal(req.vm[0].console_target, CONSOLE_TO_STDIO);
	assert_string_equal(req.vm[0].console_log, "logs/%n,x.log");
	assert_true(req.vm[0].console_log_append);
	assert_true(req.vm[0].timestamps);
	run_request_free(&req);
	assert_int_equal(
		run_args(&req, "-k", "k", "--console-output", "out.txt", NULL),
		CLI_RUN);
	assert_int_equal(req.vm[0].console_target, CONSOLE_TO_FILE);
	assert_string_equal(req.vm[0].console_file, "out.txt");
	assert_false(req.vm[0].console_append);
	assert_null(req.vm[0].console_log);
	assert_false(req.vm[0].timestamps);
	run_request_free(&req);
}

static void console_file_errors(void **state)
{
	static const struct {
		const char *option, *value, *msg;
	} bad[] = {
		{ "--console-log", "a,trunc",
		  "--console-log: ',trunc': only ,append may follow the file "
		  "name (a comma in it is written twice)" },
		{ "--console-output", "log%d",
		  "--console-output: '%d' in log%d: a % is %n (the VM's name) "
		  "or %% (a %)" },
		{ "--console-log", "-",
		  "--console-log: '-' cannot be the log: the log is a copy "
		  "of the console in a file; for the console on standard "
		  "output use --console-output - (the default); for a file "
		  "named - write ./-" },
		{ "--console-log", "stdio",
		  "--console-log: 'stdio' cannot be the log: the log is a "
		  "copy of the console in a file; for the console on "
		  "standard output use --console-output stdio (the "
		  "default); for a file named stdio write ./stdio" },
		{ "--console-log", ",append",
		  "--console-log: no file name given" },
		/* Reserved names with options: not files of that name. */
		{ "--console-output", "stdio,append",
		  "--console-output: 'stdio,append': stdio is a reserved "
		  "name, not a file: for a file named stdio write "
		  "./stdio,append" },
		{ "--console-output", "-,append",
		  "--console-output: '-,append': - is a reserved name, not a "
		  "file: for a file named - write ./-,append" },
		{ "--console-output", "none,append",
		  "--console-output: 'none,append': none is a reserved name, "
		  "not a file: for a file named none write ./none,append" },
		{ "--console-log", "none,append",
		  "--console-log: 'none,append': none is a reserved name, not "
		  "a file: for a file named none write ./none,append" },
		{ "--dump-dtb", "-",
		  "--dump-dtb: '-' is not standard output here, and not a "
		  "file name: for a file named - write ./-" },
		{ "--result", "-",
		  "--result: '-' is not standard output here, and not a file "
		  "name: for a file named - write ./-" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_error(bad[i].msg, "-k", "k", bad[i].option, bad[i].value,
			     NULL);
}

/* ./NAME is how a file with a reserved name is named. */
static void console_reserved_as_files(void **state)
{
	struct run_request req;

	assert_int_equal(run_args(&req, "-k", "k", "--console-output",
				  "./stdio,append", "--console-log", "./none",
				  "--dump-dtb", "./-", NULL),
			 CLI_RUN);
	assert_int_equal(req.vm[0].console_target, CONSOLE_TO_FILE);
	assert_string_equal(req.vm[0].console_file, "./stdio");
	assert_true(req.vm[0].console_append);
	assert_string_equal(req.vm[0].console_log, "./none");
	assert_string_equal(req.vm[0].dump_dtb, "./-");
	run_request_free(&req);
}

/* A config file's keys take the same values and refuse the same ones. */
static void console_reserved_in_files(void **state)
{
	char conf[256];

	write_conf("ro.conf", "[kernel]\npath = k\n[console]\n"
			      "output = -,append\n");
	snprintf(conf, sizeof(conf), "%s/ro.conf", dir);
	expect_error_fmt(conf, ":4: [console] output: '-,append': - is a "
			       "reserved name, not a file: for a file named "
			       "- write ./-,append");
	write_conf("rl.conf", "[kernel]\npath = k\n[console]\n"
			      "log = stdio,append\n");
	snprintf(conf, sizeof(conf), "%s/rl.conf", dir);
	expect_error_fmt(conf, ":4: [console] log: 'stdio,append': stdio is "
			       "a reserved name, not a file: for a file "
			       "named stdio write ./stdio,append");
}

/* --console-log none: no log, also when a config file asks for one. */
static void console_log_none(void **state)
{
	char conf[256];
	struct run_request req;

	write_conf("log.conf", "[kernel]\npath = k\n[console]\n"
			       "log = con.log,append\n");
	snprintf(conf, sizeof(conf), "%s/log.conf", dir);
	assert_int_equal(run_args(&req, conf, NULL), CLI_RUN);
	assert_non_null(req.vm[0].console_log);
	run_request_free(&req);
	assert_int_equal(run_args(&req, conf, "--console-log", "none", NULL),
			 CLI_RUN);
	assert_null(req.vm[0].console_log);
	assert_false(req.vm[0].console_log_append);
	run_request_free(&req);
}

/* none, the default of these files, is no file (./none is one). */
static void file_none(void **state)
{
	char conf[256];
	struct run_request req;

	write_conf("initrd.conf", "[kernel]\npath = k\ninitrd = i\n");
	snprintf(conf, sizeof(conf), "%s/initrd.conf", dir);
	assert_int_equal(run_args(&req, conf, "--initrd", "none", "--result",
				  "none", "--dump-dtb", "none", NULL),
			 CLI_RUN);
	assert_null(req.vm[0].initrd);
	assert_null(req.vm[0].dump_dtb);
	assert_null(req.group.result);
	run_request_free(&req);
	assert_int_equal(run_args(&req, conf, "--result", "./none", NULL),
			 CLI_RUN);
	assert_string_equal(req.group.result, "./none");
	assert_non_null(strstr(req.vm[0].initrd, "/i"));
	run_request_free(&req);
}

/* --fail-on is repeatable: each pattern is checked and kept in order. */
static void fail_on_patterns(void **state)
{
	struct run_request req;

	assert_int_equal(run_args(&req, "-k", "k", "--fail-on", "linux",
				  "--fail-on", "^FAIL: [a-z]+$", NULL),
			 CLI_RUN);
	assert_int_equal(req.vm[0].fail_on.nr, 2);
	assert_string_equal(req.vm[0].fail_on.item[0], "linux");
	assert_string_equal(req.vm[0].fail_on.item[1], "^FAIL: [a-z]+$");
	run_request_free(&req);
	expect_error("--fail-on: '[x' is not a regular expression: "
		     "missing terminating ] for character class at byte 2",
		     "-k", "k", "--fail-on", "[x", NULL);
	expect_error("--fail-on: the fail-on is empty", "-k", "k", "--fail-on",
		     "", NULL);
}

/* A file's patterns and the command line's add up, in every VM. */
static void fail_on_files_and_options(void **state)
{
	char a[256], b[256];
	struct run_request req;

	write_conf("fa.conf", "[kernel]\npath = k\n[console]\n"
			      "fail-on = one\nfail-on = two\n");
	write_conf("fb.conf", "[kernel]\npath = k\n");
	snprintf(a, sizeof(a), "%s/fa.conf", dir);
	snprintf(b, sizeof(b), "%s/fb.conf", dir);
	assert_int_equal(run_args(&req, a, b, "--fail-on", "three", NULL),
			 CLI_RUN);
	assert_int_equal(req.vm[0].fail_on.nr, 3);
	assert_string_equal(req.vm[0].fail_on.item[0], "one");
	assert_string_equal(req.vm[0].fail_on.item[2], "three");
	assert_int_equal(req.vm[1].fail_on.nr, 1);
	assert_string_equal(req.vm[1].fail_on.item[0], "three");
	run_request_free(&req);
}

/* At most CONFIG_LIST_MAX patterns, the file's and the command line's
 * together: the message says they count together. */
static void fail_on_limit(void **state)
{
	char conf[CONFIG_LIST_MAX * 16 + 32], path[256];
	struct run_request req;
	int n = 0, i;

	n += snprintf(conf, sizeof(conf), "[kernel]\npath = k\n[console]\n");
	for (i = 0; i < CONFIG_LIST_MAX - 1; i++)
		n += snprintf(conf + n, sizeof(conf) - n, "fail-on = p%d\n", i);
	write_conf("limit.conf", conf);
	snprintf(path, sizeof(path), "%s/limit.conf", dir);
	assert_int_equal(run_args(&req, path, "--fail-on", "last", NULL),
			 CLI_RUN);
	assert_int_equal(req.vm[0].fail_on.nr, CONFIG_LIST_MAX);
	run_request_free(&req);
	expect_error("--fail-on: more than 32 values in all (--fail-on and "
		     "the fail-on lines of a config file, if any, count "
		     "together)",
		     path, "--fail-on", "last", "--fail-on", "more", NULL);
}

/* cli_parse_run() with stdout on device (/dev/null, /dev/full): --help
 * and --version print. */
static enum cli_result run_stdout_to(const char *device,
				     struct run_request *req, const char *arg)
{
	int saved = dup(STDOUT_FILENO), dev = open(device, O_WRONLY);
	enum cli_result r;

	assert_true(saved >= 0 && dev >= 0);
	fflush(stdout);
	assert_int_equal(dup2(dev, STDOUT_FILENO), STDOUT_FILENO);
	r = run_args(req, arg, NULL);
	fflush(stdout);
	clearerr(stdout);
	assert_int_equal(dup2(saved, STDOUT_FILENO), STDOUT_FILENO);
	close(saved);
	close(dev);
	return r;
}

static enum cli_result run_quietly(struct run_request *req, const char *arg)
{
	return run_stdout_to("/dev/null", req, arg);
}

/* --help and --version that cannot be written fail as the host's fault
 * (125), with one message, rather than exit 0 with nothing printed. */
static void help_not_written(void **state)
{
	static const struct {
		const char *arg, *msg;
	} cases[] = {
		{ "--help", "cannot write the help to standard output: No "
			    "space left on device" },
		{ "--version", "cannot write the version to standard output: "
			       "No space left on device" },
	};
	struct run_request req;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(run_stdout_to("/dev/full", &req, cases[i].arg),
				 CLI_USAGE_ERROR);
		assert_string_equal(err_msg(), cases[i].msg);
		assert_int_equal(err_class(), ERR_HOST);
		assert_int_equal(err_status(), 125);
		run_request_free(&req);
	}
	assert_int_equal(run_quietly(&req, "--help"), CLI_DONE);
	run_request_free(&req);
}

/*
 * A parse that stopped inside a cluster of short options (-hV: --help
 * ends it at 'h') must not leak into the next one, which would see the
 * 'V' left over from the first argument vector (found by fuzzing).
 */
static void parses_twice(void **state)
{
	struct run_request req;

	assert_int_equal(run_quietly(&req, "-hV"), CLI_DONE);
	run_request_free(&req);
	assert_int_equal(run_args(&req, "--kernel", "k", NULL), CLI_RUN);
	assert_string_equal(req.vm[0].kernel, "k");
	run_request_free(&req);
}

/* Empty values: refused where a config file refuses them (a path, a
 * name); an empty command line is a command line. */
static void empty_values(void **state)
{
	struct run_request req;

	expect_error("--kernel: no path given", "--kernel=", NULL);
	expect_error("--name: the name is empty", "-k", "k", "--name", "",
		     NULL);
	assert_int_equal(run_args(&req, "-k", "k", "--cmdline", "", NULL),
			 CLI_RUN);
	assert_string_equal(req.vm[0].cmdline, "");
	run_request_free(&req);
}

/* Every option of the table is one getopt_long() can be given. */
static void table_fits(void **state)
{
	const struct setting *s;
	unsigned int n = 0;

	for (s = settings; s->key || s->option; s++) {
		n++;
		if (s->option)
			assert_ptr_equal(setting_find_option(s->option, 0), s);
		if (s->short_option)
			assert_ptr_equal(
				setting_find_option(NULL, s->short_option), s);
		if (s->section)
			assert_ptr_equal(setting_find(s->section, s->key), s);
		assert_non_null(s->help);
	}
	assert_true(n < SETTINGS_MAX);
}

/* The instance of scope a fresh config has, to apply a default to. */
static void *default_target(enum setting_scope scope, struct vm_config *vm,
			    struct group_config *group)
{
	switch (scope) {
	case SCOPE_VM:
		return vm;
	case SCOPE_GROUP:
		return group;
	default:
		return setting_new_instance(scope, vm);
	}
}

/*
 * Each default the table shows (--help, docs/config.md) is the one a
 * fresh config has (vm_config_init(), group_config_init(), a new disk or
 * module): applying it changes nothing.  Every choice and on/off
 * setting's default must parse; a number's or a text's may be prose
 * ("none", "the online CPUs"), and is compared only when it parses.
 */
static void table_defaults_are_the_defaults(void **state)
{
	const struct setting *s;
	unsigned int compared = 0, choices = 0;

	(void)state;
	for (s = settings; s->key || s->option; s++) {
		struct vm_config vm, before;
		struct group_config group, group_before;
		struct setting_ctx ctx = { .vm = &vm, .group = &group };
		bool must_parse = s->type == SETTING_CHOICE ||
				  s->type == SETTING_BOOL ||
				  s->type == SETTING_FLAG;
		int rc;

		if (!s->def || s->type == SETTING_STRING ||
		    s->type == SETTING_PATH || s->type == SETTING_LIST ||
		    s->type == SETTING_SECTION)
			continue;
		vm_config_init(&vm);
		group_config_init(&group);
		ctx.target = default_target(s->scope, &vm, &group);
		assert_non_null(ctx.target);
		memcpy(&before, &vm, sizeof(vm)); /* padding too */
		memcpy(&group_before, &group, sizeof(group));
		if (s->type == SETTING_FLAG)
			rc = strcmp(s->def, "off") ? -1 : 0; /* unset */
		else
			rc = setting_apply(s, s->def, &ctx);
		if (rc < 0 && must_parse)
			fail_msg("--%s: its default '%s' does not parse: %s",
				 s->option ? s->option : s->key, s->def,
				 err_msg());
		if (rc < 0)
			continue;
		if (memcmp(&vm, &before, sizeof(vm)) ||
		    memcmp(&group, &group_before, sizeof(group)))
			fail_msg("--%s: the table's default '%s' is not the "
				 "one a fresh config has",
				 s->option ? s->option : s->key, s->def);
		compared++;
		choices += s->type == SETTING_CHOICE;
	}
	assert_true(choices >= 5); /* irqchip, pit, seccomp, console, ... */
	assert_true(compared > choices);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(long_options),
		cmocka_unit_test(short_options),
		cmocka_unit_test(defaults),
		cmocka_unit_test(table_defaults_are_the_defaults),
		cmocka_unit_test(disks),
		cmocka_unit_test(disk_errors),
		cmocka_unit_test(section_value_parts),
		cmocka_unit_test(modules),
		cmocka_unit_test(group_options),
		cmocka_unit_test(period_range),
		cmocka_unit_test(usage_errors),
		cmocka_unit_test(refused_options_named),
		cmocka_unit_test(ambiguous_list_cut),
		cmocka_unit_test(files_then_options),
		cmocka_unit_test(file_given_twice),
		cmocka_unit_test(parses_twice),
		cmocka_unit_test(empty_values),
		cmocka_unit_test(table_fits),
		cmocka_unit_test(console_files),
		cmocka_unit_test(console_file_errors),
		cmocka_unit_test(console_reserved_as_files),
		cmocka_unit_test(console_reserved_in_files),
		cmocka_unit_test(console_log_none),
		cmocka_unit_test(file_none),
		cmocka_unit_test(help_not_written),
		cmocka_unit_test(fail_on_patterns),
		cmocka_unit_test(fail_on_files_and_options),
		cmocka_unit_test(fail_on_limit),
	};

	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
