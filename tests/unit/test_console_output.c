// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_console_output.c - a run's console files (host/console_output.c):
 * opening one never truncates it, console_outputs_truncate() does (but
 * for ,append and stdout's file); two VMs that disagree on ,append for
 * one file are refused naming both; a FIFO without a reader is waited
 * for only until the run's deadline.
 */
#include <fcntl.h>
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

#include "kvmux/console_output.h"
#include "kvmux/error.h"
#include "kvmux/exit_status.h"

static char dir[] = "/tmp/kvmux-console-output.XXXXXX";
static char file[64], fifo[64];

static void gone(void *opaque)
{
}

/* file holds "old\n" again. */
static void refill(void)
{
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "old\n", 4), 4);
	close(fd);
}

static off_t size_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

/* An open that failed (got) with exit status want, err_msg() being fmt
 * with its arguments. */
static void __attribute__((format(printf, 4, 5)))
assert_refused(int got, int status, int want, const char *fmt, ...)
{
	char text[256];
	va_list ap;

	assert_int_equal(got, -1);
	assert_int_equal(status, want);
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	assert_string_equal(err_msg(), text);
}

static int setup(void **state)
{
	if (!mkdtemp(dir))
		return -1;
	snprintf(file, sizeof(file), "%s/c.log", dir);
	snprintf(fifo, sizeof(fifo), "%s/c.fifo", dir);
	return mkfifo(fifo, 0600);
}

static int teardown(void **state)
{
	unlink(file);
	unlink(fifo);
	return rmdir(dir);
}

/* VM name writing its console to path (append: ,append). */
static struct vm_config vm_to(const char *name, const char *path, bool append)
{
	return (struct vm_config){ .name = name,
				   .console_target = CONSOLE_TO_FILE,
				   .console_file = path,
				   .console_append = append };
}

/* Open file (holding 4 bytes) for a VM, then truncate: its size after
 * each. */
static void open_then_truncate(bool append, off_t opened, off_t truncated)
{
	struct console_outputs *set = console_outputs_create(gone, NULL);
	struct vm_config a = vm_to("a", file, append);
	int status;

	refill();
	assert_int_equal(console_outputs_open(set, &a, &status), 0);
	assert_int_equal(size_of(file), opened);
	assert_int_equal(console_outputs_truncate(set), 0);
	assert_int_equal(size_of(file), truncated);
	console_outputs_free(set);
}

static void test_truncated_only_when_asked(void **state)
{
	open_then_truncate(false, 4, 0);
}

static void test_append_never_truncated(void **state)
{
	open_then_truncate(true, 4, 4);
}

/* Two VMs agreeing on ,append share the file; a third that does not is
 * refused, naming the file and both VMs. */
static void test_append_clash_refused(void **state)
{
	struct console_outputs *set = console_outputs_create(gone, NULL);
	struct vm_config a = vm_to("a", file, false);
	struct vm_config b = vm_to("b", file, false);
	struct vm_config c = { .name = "c",
			       .console_log = file,
			       .console_log_append = true };
	int status, i;

	refill();
	assert_int_equal(console_outputs_open(set, &a, &status), 0);
	assert_int_equal(console_outputs_open(set, &b, &status), 0);
	assert_int_equal(console_outputs_users(set, 0), 2);
	i = console_outputs_open_log(set, &c, &status);
	assert_refused(i, status, EXIT_BAD_USAGE,
		       "console file %s: vm a truncates it, vm c appends to it "
		       "(,append): give both the same",
		       file);
	assert_int_equal(size_of(file), 4);
	console_outputs_free(set);
}

/* The same VM's console and log in one file are the caller's to refuse,
 * in its own words. */
static void test_own_log_left_to_caller(void **state)
{
	struct console_outputs *set = console_outputs_create(gone, NULL);
	struct vm_config a = vm_to("a", file, false);
	int status;

	a.console_log = file;
	a.console_log_append = true;
	assert_int_equal(console_outputs_open(set, &a, &status), 0);
	assert_int_equal(console_outputs_open_log(set, &a, &status), 0);
	console_outputs_free(set);
}

/*
 * A FIFO without a reader is opened at once, a stand-in until
 * console_outputs_wait(): which, once the deadline passed, gives 124 at
 * once.
 */
static void fifo_timeout_said(const char *vm, const char *fmt)
{
	struct console_outputs *set = console_outputs_create(gone, NULL);
	struct vm_config a = vm_to("a", fifo, false);
	int status = -1, i;

	console_outputs_set_deadline(set, 0, vm);
	i = console_outputs_open(set, &a, &status);
	assert_int_equal(i, 0);
	i = console_outputs_wait(set, i, -1, &status);
	assert_refused(i, status, EXIT_TIMEOUT, fmt, fifo);
	console_outputs_free(set);
}

static void test_fifo_deadline(void **state)
{
	fifo_timeout_said(
		"spin", "the --timeout of spin, the run's earliest, expired "
			"while waiting for a reader of FIFO %s: no VM started");
	fifo_timeout_said(NULL, "--timeout expired while waiting for a reader "
				"of FIFO %s: the VM did not start");
}

/* stdout's file is the shell's to truncate (>) or not (>>). */
static void test_stdout_file_kept(void **state)
{
	struct console_outputs *set = console_outputs_create(gone, NULL);
	struct vm_config a = { .name = "a",
			       .console_target = CONSOLE_TO_STDIO };
	int status, saved, fd;

	refill();
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	fd = open(file, O_WRONLY | O_APPEND);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, STDOUT_FILENO);
	close(fd);
	assert_int_equal(console_outputs_open(set, &a, &status), 0);
	assert_int_equal(console_outputs_truncate(set), 0);
	console_outputs_free(set);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	assert_int_equal(size_of(file), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_truncated_only_when_asked),
		cmocka_unit_test(test_append_never_truncated),
		cmocka_unit_test(test_append_clash_refused),
		cmocka_unit_test(test_own_log_left_to_caller),
		cmocka_unit_test(test_fifo_deadline),
		cmocka_unit_test(test_stdout_file_kept),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
