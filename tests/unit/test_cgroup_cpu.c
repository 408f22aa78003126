// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_cgroup_cpu.c - the run cgroups' names and directories
 * (host/cgroup_cpu.c): a name carries the PID namespace, the sweep of
 * ended runs leaves other namespaces' runs and old names alone, and
 * paths are joined without a doubled slash.  Plain directories stand in
 * for the cgroups.
 */
#include <limits.h>
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

#include "kvmux/cgroup_cpu.h"

static void run_name_round_trips(void **state)
{
	char name[64];
	uint64_t ns;
	pid_t pid;

	assert_int_equal(
		cgroup_cpu_run_name(name, sizeof(name), 4026531836ULL, 1234),
		0);
	assert_string_equal(name, "kvmux.4026531836.1234");
	assert_true(cgroup_cpu_parse_run_name(name, &ns, &pid));
	assert_true(ns == 4026531836ULL && pid == 1234);
	assert_int_equal(cgroup_cpu_run_name(name, 8, 4026531836ULL, 1), -1);
}

static void run_name_refuses_the_rest(void **state)
{
	static const char *const bad[] = {
		"kvmux.1234", /* the old name: no namespace */
		"kvmux.",
		"kvmux..5",
		"kvmux.5.",
		"kvmux.5.0",
		"kvmux.5.-1",
		"kvmux.+5.6",
		"kvmux. 5.6",
		"kvmux.5.6x",
		"kvmux.5.6.7",
		"kvmux.5.2147483648",
		"kvmux.18446744073709551616.1",
		"kvm",
		"other.5.6",
		"",
	};
	uint64_t ns;
	pid_t pid;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(cgroup_cpu_parse_run_name(bad[i], &ns, &pid));
	assert_true(cgroup_cpu_parse_run_name("kvmux.18446744073709551615."
					      "2147483647",
					      &ns, &pid));
	assert_true(ns == UINT64_MAX && pid == INT_MAX);
}

static void make_run(const char *dir, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/%s/vm0", dir, name);
	assert_int_equal(mkdir(path, 0755), 0);
}

static int exists(const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0;
}

/* PID INT_MAX is above any pid_max: no such process, in any namespace. */
static void sweep_keeps_other_namespaces(void **state)
{
	char dir[] = "/tmp/kvmux-test-cgroup-XXXXXX", live[64], ended[64];
	char cmd[PATH_MAX];
	uint64_t ns;

	assert_int_equal(cgroup_cpu_pidns(&ns), 0);
	assert_non_null(mkdtemp(dir));
	cgroup_cpu_run_name(live, sizeof(live), ns, getpid());
	make_run(dir, live);
	make_run(dir, "kvmux.7.2147483647");
	make_run(dir, "kvmux.2147483647");
	assert_int_equal(cgroup_cpu_run_name(ended, sizeof(ended), ns, INT_MAX),
			 0);
	make_run(dir, ended);
	cgroup_cpu_sweep(dir, ns == 7 ? 8 : ns);
	if (ns != 7) /* (the other namespace must be another) */
		assert_true(exists(dir, "kvmux.7.2147483647"));
	assert_true(exists(dir, "kvmux.2147483647")); /* old: unknown */
	assert_true(exists(dir, live));
	assert_false(exists(dir, ended)); /* ours, and ended */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* cgroup_cpu_dir_of() into a buffer of its own, or "" if it fails. */
static const char *dir_of(const char *point, const char *root,
			  const char *cgpath)
{
	static char dir[PATH_MAX];

	if (cgroup_cpu_dir_of(dir, sizeof(dir), point, root, cgpath) < 0)
		return "";
	return dir;
}

static void dir_has_no_double_slash(void **state)
{
	const char *cpu = "/sys/fs/cgroup/cpu";
	char small[8];

	/* The hierarchy's root cgroup. */
	assert_string_equal(dir_of(cpu, "/", "/"), cpu);
	assert_string_equal(
		dir_of("/sys/fs/cgroup/cpu,cpuacct", "/", "/user.slice"),
		"/sys/fs/cgroup/cpu,cpuacct/user.slice");
	/* A container's mount shows its subtree only. */
	assert_string_equal(dir_of(cpu, "/docker/a", "/docker/a"), cpu);
	assert_string_equal(dir_of(cpu, "/docker/a", "/docker/a/b"),
			    "/sys/fs/cgroup/cpu/b");
	/* A root that is only a prefix of the name is no parent. */
	assert_string_equal(dir_of(cpu, "/docker/a", "/docker/ab"),
			    "/sys/fs/cgroup/cpu/docker/ab");
	assert_int_equal(
		cgroup_cpu_dir_of(small, sizeof(small), cpu, "/", "/x"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(run_name_round_trips),
		cmocka_unit_test(run_name_refuses_the_rest),
		cmocka_unit_test(sweep_keeps_other_namespaces),
		cmocka_unit_test(dir_has_no_double_slash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
