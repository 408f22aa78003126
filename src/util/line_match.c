// SPDX-License-Identifier: GPL-2.0-only
/*
 * line_match.c - console lines against --fail-on patterns
 * (kvmux/line_match.h).
 *
 * Matching runs on the thread that delivers the console's bytes (a vCPU
 * for the UART, the device's I/O thread for virtio-console), so it must
 * be cheap: every pattern is also part of one alternation, (p1)|(p2)|...,
 * and a line costs one regexec() of it (about 0.3 us for an 80-byte
 * line and the Linux set on this project's host, against 1.5 us for ten
 * regexec() calls); only a line that matches is matched pattern by
 * pattern, to name the pattern.  On the UART a line of 80 bytes costs 80
 * VM exits anyway.  bench/console.py measures it.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvmux/error.h"
#include "kvmux/line_match.h"

/*
 * What a Linux kernel prints when it is broken (printk's own prefix,
 * "[    1.234567] ", may come first): panics, oopses and the die()
 * header of x86 ("invalid opcode: 0000 [#1] SMP"), BUG()s and the
 * sanitizers' reports (KASAN, KFENCE, KCSAN and KMSAN say "BUG: KASAN:
 * ..."), page faults in the kernel, lockups and stalls, hung tasks.
 * WARN()s are not here: many kernels warn and run on (add
 * "WARNING: CPU: " to fail on them).
 */
const char *const line_match_linux[] = {
	"Kernel panic - not syncing",
	"Oops: ",
	"BUG: ",
	"kernel BUG at ",
	"general protection fault",
	"Unable to handle kernel ",
	"UBSAN: ",
	"INFO: task .* blocked for more than [0-9]+ seconds",
	"rcu_[a-z]+ (self-)?detected stall",
	": [0-9a-f]{4} \\[#[0-9]+\\]",
	NULL,
};

#define LINUX_SET "linux"

struct line_match {
	unsigned int nr;
	const char **source; /* what each pattern was written as */
	regex_t *re;
	regex_t any; /* (p1)|(p2)|...: the first, cheap look at a line */
	bool has_any;
};

static int compile(regex_t *re, const char *pattern)
{
	char why[128];
	int rc;

	if (!*pattern)
		return err_set("an empty pattern would match every line");
	rc = regcomp(re, pattern, REG_EXTENDED | REG_NOSUB);
	if (!rc)
		return 0;
	regerror(rc, re, why, sizeof(why));
	return err_set("'%s' is not a POSIX extended regular expression: %s",
		       pattern, why);
}

int line_match_check(const char *pattern)
{
	regex_t re;

	if (!strcmp(pattern, LINUX_SET))
		return 0;
	if (compile(&re, pattern) < 0)
		return -1;
	regfree(&re);
	return 0;
}

static unsigned int linux_set_size(void)
{
	unsigned int n = 0;

	while (line_match_linux[n])
		n++;
	return n;
}

/* One pattern (or the Linux set) into m; -1 with err_set(). */
static int add_pattern(struct line_match *m, const char *pattern)
{
	unsigned int i;

	if (strcmp(pattern, LINUX_SET)) {
		if (compile(&m->re[m->nr], pattern) < 0)
			return -1;
		m->source[m->nr++] = pattern;
		return 0;
	}
	for (i = 0; line_match_linux[i]; i++) {
		if (compile(&m->re[m->nr], line_match_linux[i]) < 0)
			return -1;
		m->source[m->nr++] = line_match_linux[i];
	}
	return 0;
}

/* A backslash and a digit 1-9 (a bracket's backslash counts too). */
static bool has_back_reference(const char *p)
{
	for (; *p; p++) {
		if (*p != '\\' || !p[1])
			continue;
		if (p[1] >= '1' && p[1] <= '9')
			return true;
		p++;
	}
	return false;
}

/*
 * The alternation of every pattern.  Not made when a pattern has a back
 * reference (\1, a glibc extension to EREs), whose numbers the added
 * groups would shift; nor if regcomp() refuses it: then every line is
 * matched pattern by pattern.
 */
static void make_any(struct line_match *m)
{
	size_t len = 1, n = 0;
	unsigned int i;
	char *text;

	for (i = 0; i < m->nr; i++) {
		if (has_back_reference(m->source[i]))
			return;
		len += strlen(m->source[i]) + 3;
	}
	text = malloc(len);
	if (!text)
		return;
	for (i = 0; i < m->nr; i++)
		n += sprintf(text + n, "%s(%s)", i ? "|" : "", m->source[i]);
	m->has_any = !regcomp(&m->any, text, REG_EXTENDED | REG_NOSUB);
	free(text);
}

struct line_match *line_match_create(const char *const *patterns,
				     unsigned int nr)
{
	struct line_match *m = calloc(1, sizeof(*m));
	unsigned int i, max = 0;

	for (i = 0; i < nr; i++)
		max += strcmp(patterns[i], LINUX_SET) ? 1 : linux_set_size();
	if (m) {
		m->source = calloc(max + 1, sizeof(*m->source));
		m->re = calloc(max + 1, sizeof(*m->re));
	}
	if (!m || !m->source || !m->re) {
		line_match_free(m);
		err_host("out of memory");
		return NULL;
	}
	for (i = 0; i < nr; i++) {
		if (add_pattern(m, patterns[i]) < 0) {
			line_match_free(m);
			return NULL;
		}
	}
	make_any(m);
	return m;
}

/* REG_STARTEND: the line's length, not its first NUL, ends it (glibc,
 * the BSDs and musl have it). */
static bool matches(const regex_t *re, const char *text, size_t len)
{
	regmatch_t range = { .rm_so = 0, .rm_eo = len };

	return !regexec(re, text, 1, &range, REG_STARTEND);
}

const char *line_match_find(const struct line_match *m, const char *text,
			    size_t len)
{
	unsigned int i;

	if (m->has_any && !matches(&m->any, text, len))
		return NULL;
	for (i = 0; i < m->nr; i++)
		if (matches(&m->re[i], text, len))
			return m->source[i];
	return NULL;
}

void line_match_free(struct line_match *m)
{
	unsigned int i;

	if (!m)
		return;
	for (i = 0; i < m->nr; i++)
		regfree(&m->re[i]);
	if (m->has_any)
		regfree(&m->any);
	free(m->re);
	free(m->source);
	free(m);
}

void line_scan_init(struct line_scan *s, const struct line_match *m)
{
	s->m = m;
	s->len = 0;
	s->skipping = false;
	s->matched = NULL;
}

/* The line in s->line is complete (or LINE_MATCH_MAX long): match it. */
static void match_line(struct line_scan *s)
{
	size_t len = s->len;

	while (len && s->line[len - 1] == '\r')
		len--;
	s->line[len] = '\0';
	s->matched = line_match_find(s->m, s->line, len);
}

/* Bytes of the current line (no "\n" among them). */
static void take(struct line_scan *s, const char *p, size_t n)
{
	if (s->skipping)
		return;
	if (n > LINE_MATCH_MAX - s->len)
		n = LINE_MATCH_MAX - s->len;
	memcpy(s->line + s->len, p, n);
	s->len += n;
	if (s->len == LINE_MATCH_MAX) {
		match_line(s);
		s->skipping = true;
	}
}

bool line_scan_feed(struct line_scan *s, const void *buf, size_t len)
{
	const char *p = buf, *end = p + len;

	if (!s->m || s->matched)
		return false;
	while (p < end && !s->matched) {
		const char *nl = memchr(p, '\n', end - p);

		take(s, p, (nl ? nl : end) - p);
		if (!nl)
			break;
		if (!s->skipping && !s->matched)
			match_line(s);
		if (!s->matched) {
			s->len = 0;
			s->skipping = false;
		}
		p = nl + 1;
	}
	return s->matched != NULL;
}
