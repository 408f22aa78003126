// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_same_file.c - which files of a run may be one file
 * (host/same_file.c): an output that is an input, or a result file that
 * is a console file, is refused naming both, also when the file does
 * not exist yet (by another path to its directory, or through a
 * dangling symbolic link); console files shared by VMs and inputs named
 * twice are not.  Files live in a fresh directory; a hard link is the
 * same file by another name.
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

#include "kvmux/error.h"
#include "kvmux/same_file.h"

static char dir[] = "/tmp/kvmux-same-file.XXXXXX";
static char disk[64], log_a[64], link_disk[64], none[64];
static char sub[64], link_sub[64], dangling[64], lost[64];

/* dir/sub, dir/lsub -> sub, dir/dangling -> sub/made (not there) and
 * dir/lost -> nodir/x, whose directory is not there either. */
static int setup_links(void)
{
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	snprintf(link_sub, sizeof(link_sub), "%s/lsub", dir);
	snprintf(dangling, sizeof(dangling), "%s/dangling", dir);
	snprintf(lost, sizeof(lost), "%s/lost", dir);
	if (mkdir(sub, 0755) < 0 || symlink("sub", link_sub) < 0 ||
	    symlink("sub/made", dangling) < 0)
		return -1;
	return symlink("nodir/x", lost);
}

static int setup(void **state)
{
	int fd;

	if (!mkdtemp(dir))
		return -1;
	snprintf(disk, sizeof(disk), "%s/d.img", dir);
	snprintf(log_a, sizeof(log_a), "%s/a.log", dir);
	snprintf(link_disk, sizeof(link_disk), "%s/link.img", dir);
	snprintf(none, sizeof(none), "%s/none", dir);
	fd = open(disk, O_WRONLY | O_CREAT, 0644);
	if (fd < 0)
		return -1;
	close(fd);
	fd = open(log_a, O_WRONLY | O_CREAT, 0644);
	if (fd < 0)
		return -1;
	close(fd);
	if (link(disk, link_disk) < 0)
		return -1;
	return setup_links();
}

static int teardown(void **state)
{
	unlink(disk);
	unlink(log_a);
	unlink(link_disk);
	unlink(link_sub);
	unlink(dangling);
	unlink(lost);
	rmdir(sub);
	return rmdir(dir);
}

/* Two VMs "a" and "b" of one run, with no files of their own. */
static void two_vms(struct run_request *req, struct vm_config *vm)
{
	vm_config_init(&vm[0]);
	vm_config_init(&vm[1]);
	vm[0].name = "a";
	vm[1].name = "b";
	*req = (struct run_request){ .vm = vm, .nr_vms = 2 };
	group_config_init(&req->group);
}

static void log_on_a_disk_refused(void **state)
{
	struct vm_config vm[2];
	struct run_request req;
	char want[160];

	two_vms(&req, vm);
	vm[0].disk[0].path = link_disk; /* d.img by another name */
	vm[0].nr_disks = 1;
	vm[1].console_log = disk;
	assert_int_equal(same_file_check_run(&req), -1);
	assert_int_equal(err_status(), 126);
	snprintf(want, sizeof(want), "--console-log %s is the disk %s of a",
		 disk, link_disk);
	assert_string_equal(err_msg(), want);
}

static void result_on_a_log_refused(void **state)
{
	struct vm_config vm[2];
	struct run_request req;
	char tmpl[80];

	two_vms(&req, vm);
	snprintf(tmpl, sizeof(tmpl), "%s/%%n.log", dir); /* a: a.log */
	vm[0].console_log = tmpl;
	vm[1].console_log = tmpl;
	req.group.result = log_a;
	assert_int_equal(same_file_check_run(&req), -1);
	assert_non_null(strstr(err_msg(), "--result"));
	assert_non_null(strstr(err_msg(), "is --console-log"));
}

static void shared_consoles_allowed(void **state)
{
	struct vm_config vm[2];
	struct run_request req;
	char none_too[80];

	two_vms(&req, vm);
	vm[0].console_log = log_a;
	vm[1].console_target = CONSOLE_TO_FILE;
	vm[1].console_file = log_a;
	vm[0].kernel = disk;
	vm[1].initrd = link_disk;
	assert_int_equal(same_file_check_run(&req), 0);
	/* Not there yet, by two paths: still consoles only. */
	snprintf(none_too, sizeof(none_too), "%s/sub/../none", dir);
	vm[0].console_log = none;
	vm[1].console_log = none_too;
	assert_int_equal(same_file_check_run(&req), 0);
}

/*
 * A disk one VM writes is no other VM's file (the lock each VM takes
 * would refuse it later, as contention: 125); read-only or snapshot
 * copies of one image are shared, and one VM's own files are left to
 * its own checks.
 */
/* The run is refused (126) with the line fmt makes of paths a and b. */
static void refused_as(const struct run_request *req, const char *fmt,
		       const char *a, const char *b)
{
	char want[400];

	assert_int_equal(same_file_check_run(req), -1);
	assert_int_equal(err_status(), 126);
	snprintf(want, sizeof(want), fmt, a, b);
	assert_string_equal(err_msg(), want);
}

static void written_disk_not_shared(void **state)
{
	struct vm_config vm[2];
	struct run_request req;

	two_vms(&req, vm);
	vm[0].disk[0].path = disk;
	vm[0].nr_disks = 1;
	vm[1].disk[0].path = link_disk; /* d.img by another name */
	vm[1].disk[0].readonly = true;
	vm[1].nr_disks = 1;
	refused_as(&req,
		   "the disk %s of b is the disk %s of a, which its "
		   "guest writes (readonly=on or snapshot=on would "
		   "share it)",
		   link_disk, disk);
	/* Both write it: readonly=on on one would not do, and it says so. */
	vm[1].disk[0].readonly = false;
	refused_as(&req,
		   "the disk %s of a is the disk %s of b, and both "
		   "guests write it (every VM using it needs "
		   "readonly=on or snapshot=on)",
		   disk, link_disk);
	vm[1].disk[0].readonly = true;
	vm[0].disk[0].snapshot = true;
	assert_int_equal(same_file_check_run(&req), 0);
	vm[0].disk[0].snapshot = false;
	vm[1].nr_disks = 0;
	vm[0].kernel = disk; /* one VM's own: its own checks */
	assert_int_equal(same_file_check_run(&req), 0);
	vm[1].kernel = link_disk;
	assert_int_equal(same_file_check_run(&req), -1);
	/* but never the VM's own output (found by t_outputs.sh) */
	vm[1].kernel = NULL;
	vm[0].console_log = disk;
	assert_int_equal(same_file_check_run(&req), -1);
	assert_non_null(strstr(err_msg(), "--console-log"));
}

/* The result and a console file of a.log: refused, naming both. */
static void assert_refused(struct run_request *req, struct vm_config *vm,
			   const char *result, const char *log)
{
	char want[200];

	req->group.result = result;
	vm[0].console_log = log;
	assert_int_equal(same_file_check_run(req), -1);
	assert_int_equal(err_status(), 126);
	snprintf(want, sizeof(want), "--result %s is --console-log %s", result,
		 log);
	assert_string_equal(err_msg(), want);
}

static void new_file_by_two_paths_refused(void **state)
{
	struct vm_config vm[2];
	struct run_request req;
	char dot[80], through_link[80], in_sub[80];

	two_vms(&req, vm);
	snprintf(dot, sizeof(dot), "%s/./none", dir);
	assert_refused(&req, vm, none, dot);
	snprintf(dot, sizeof(dot), "%s/sub/../none", dir);
	assert_refused(&req, vm, none, dot);
	snprintf(in_sub, sizeof(in_sub), "%s/new", sub);
	snprintf(through_link, sizeof(through_link), "%s/new", link_sub);
	assert_refused(&req, vm, in_sub, through_link);
}

/* A dangling link's target is made by open(O_CREAT) on the link. */
static void dangling_link_is_its_target(void **state)
{
	struct vm_config vm[2];
	struct run_request req;
	char made[80];

	two_vms(&req, vm);
	snprintf(made, sizeof(made), "%s/made", sub);
	assert_refused(&req, vm, made, dangling);
	/* One whose target's directory is missing makes nothing: left out. */
	req.group.result = NULL;
	vm[0].console_log = lost;
	vm[0].dump_dtb = lost;
	assert_int_equal(same_file_check_run(&req), 0);
}

/* An input that is not there fails with its own error, later. */
static void missing_input_left_out(void **state)
{
	struct vm_config vm[2];
	struct run_request req;

	two_vms(&req, vm);
	vm[0].kernel = none;
	vm[0].console_log = none;
	assert_int_equal(same_file_check_run(&req), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(log_on_a_disk_refused),
		cmocka_unit_test(result_on_a_log_refused),
		cmocka_unit_test(shared_consoles_allowed),
		cmocka_unit_test(written_disk_not_shared),
		cmocka_unit_test(new_file_by_two_paths_refused),
		cmocka_unit_test(dangling_link_is_its_target),
		cmocka_unit_test(missing_input_left_out),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
