// SPDX-License-Identifier: GPL-2.0-only
/*
 * seccomp_gen.c - compile kvmux's system call filters when kvmux is
 * built, and print them as C (struct seccomp_prebuilt, kvmux/seccomp.h)
 * for the kvmux binary: a run then copies its programs instead of
 * compiling eight of them with libseccomp (about 0.6 ms per start).
 *
 * The one value a program takes from the run, kvmux's process ID (the
 * rule for tgkill(2)), is found by compiling each list twice with two
 * different IDs: the instructions that differ, and only in their
 * constant, are where a run puts its own.  Anything else that differs
 * is an error, and so the build fails rather than ship a program a run
 * would get wrong.
 *
 * Usage: seccomp-gen >seccomp_prebuilt.c
 */
#include <seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvmux/error.h"
#include "kvmux/seccomp.h"

/* Two process IDs no real one equals (they are above PID_MAX_LIMIT) and
 * no other constant of the lists does (no ioctl request is 0x7ffffff?). */
#define PID_A 0x7ffffff1u
#define PID_B 0x7ffffff3u

static const enum syscall_filter modes[2] = { SYSCALL_FILTER_ON,
					      SYSCALL_FILTER_LOG };

static bool same_but_k(const struct sock_filter *a, const struct sock_filter *b)
{
	return a->code == b->code && a->jt == b->jt && a->jf == b->jf;
}

/* Print one program and the indices of its process ID as arrays named
 * prog_M_K and pid_M_K; returns how many indices, or -1. */
static int print_program(unsigned int m, unsigned int kind)
{
	struct sock_fprog a, b;
	unsigned int i, nr_pid = 0;
	int rc = -1;

	if (seccomp_compile_kind(kind, modes[m], PID_A, &a) < 0)
		return -1;
	if (seccomp_compile_kind(kind, modes[m], PID_B, &b) < 0)
		goto free_a;
	if (a.len != b.len) {
		err_set("kind %u: the programs' lengths differ", kind);
		goto out;
	}
	printf("static const struct sock_filter prog_%u_%u[] = {\n", m, kind);
	for (i = 0; i < a.len; i++)
		printf("\t{ %#x, %u, %u, %#x },\n", a.filter[i].code,
		       a.filter[i].jt, a.filter[i].jf, a.filter[i].k);
	printf("};\nstatic const unsigned short pid_%u_%u[] = {", m, kind);
	for (i = 0; i < a.len; i++) {
		if (!memcmp(&a.filter[i], &b.filter[i], sizeof(a.filter[i])))
			continue;
		if (!same_but_k(&a.filter[i], &b.filter[i]) ||
		    a.filter[i].k != PID_A || b.filter[i].k != PID_B) {
			err_set("kind %u: instruction %u depends on the "
				"process ID in another way",
				kind, i);
			goto out;
		}
		printf(" %u,", i);
		nr_pid++;
	}
	printf(" 0 };\n\n"); /* never empty; nr_pid says how many */
	rc = nr_pid;
out:
	free(b.filter);
free_a:
	free(a.filter);
	return rc;
}

/* The names of the system calls by number, "" where there is none. */
static void print_names(void)
{
	unsigned int nr;
	char *name;

	printf("static const char names[SECCOMP_NAMES_MAX][SECCOMP_NAME_LEN] "
	       "= {\n");
	for (nr = 0; nr < SECCOMP_NAMES_MAX; nr++) {
		name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
		if (name && strlen(name) < SECCOMP_NAME_LEN)
			printf("\t[%u] = \"%s\",\n", nr, name);
		free(name);
	}
	printf("};\n\n");
}

int main(void)
{
	int nr_pid[2][THREAD_KINDS + 1];
	unsigned int m, kind;

	printf("/* Made by tools/seccomp_gen.c when kvmux was built. */\n"
	       "#include \"kvmux/seccomp.h\"\n\n");
	for (m = 0; m < 2; m++) {
		for (kind = 0; kind <= THREAD_KINDS; kind++) {
			nr_pid[m][kind] = print_program(m, kind);
			if (nr_pid[m][kind] >= 0)
				continue;
			fprintf(stderr, "seccomp-gen: %s\n", err_msg());
			/* A build host whose kernel lacks SECCOMP_RET_LOG:
			 * --seccomp log compiles at run time instead. */
			if (modes[m] != SYSCALL_FILTER_LOG)
				return 1;
			printf("static const struct sock_filter prog_%u_%u[1];\n"
			       "static const unsigned short pid_%u_%u[1];\n\n",
			       m, kind, m, kind);
		}
	}
	print_names();
	printf("const struct seccomp_prebuilt seccomp_prebuilt = {\n"
	       "\t.arch = %#x,\n\t.program = {\n",
	       seccomp_arch_native());
	for (m = 0; m < 2; m++) {
		printf("\t\t{\n");
		for (kind = 0; kind <= THREAD_KINDS; kind++) {
			if (nr_pid[m][kind] < 0) { /* len 0: none */
				printf("\t\t\t{ prog_%u_%u, 0, pid_%u_%u, 0 },\n",
				       m, kind, m, kind);
				continue;
			}
			printf("\t\t\t{ prog_%u_%u, sizeof(prog_%u_%u) / "
			       "sizeof(prog_%u_%u[0]), pid_%u_%u, %d },\n",
			       m, kind, m, kind, m, kind, m, kind,
			       nr_pid[m][kind]);
		}
		printf("\t\t},\n");
	}
	printf("\t},\n\t.names = names,\n};\n");
	return fflush(stdout) ? 1 : 0;
}
