// SPDX-License-Identifier: GPL-2.0-only
/*
 * line_match.c - console lines against --fail-on patterns
 * (kvmux/line_match.h), with PCRE2 (pcre2api(3)).
 *
 * Matching runs on the thread that delivers the console's bytes (a vCPU
 * for the UART, the device's I/O thread for virtio-console), so it must
 * be cheap and bounded whatever the guest prints: each line costs one
 * pcre2_match() per pattern, without JIT (the seccomp filter forbids
 * executable memory, and PCRE2's start-of-match optimisations already
 * make a literal-led pattern a memchr()), under a match limit that bounds
 * the work a pathological pattern can do on a 4 KiB line.  Compiling is
 * bounded by the pattern's length and PCRE2's compiled-size limit, where
 * glibc's regcomp() could take gigabytes for "a++++..." (found by
 * tests/fuzz/fuzz_config_file.c).  bench/console.py measures the cost.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "kvmux/error.h"
#include "kvmux/line_match.h"

/*
 * What a Linux kernel prints when it is broken (printk's own prefix,
 * "[    1.234567] ", may come first): panics, oopses and the die()
 * header of x86 ("invalid opcode: 0000 [#1] SMP"), BUG()s and the
 * sanitizers' reports (KASAN, KFENCE, KCSAN and KMSAN say "BUG: KASAN:
 * ..."), page faults in the kernel, lockups and stalls, hung tasks.
 * Each phrase (but the panic's) starts at a word boundary and ends with what Linux prints
 * after it, so that a test's own words ("DEBUG: ", "ok 1 - general
 * protection fault handling") are not taken for the kernel's.  WARN()s
 * are not here: many kernels warn and run on (add "WARNING: CPU: " to
 * fail on them).
 */
const char *const line_match_linux[] = {
	/*
	 * Anywhere in a line: the phrase is the kernel's own, and Linux
	 * sometimes prints it glued to the text before, without a newline
	 * ("...memory mapKernel panic - not syncing: ...").
	 */
	"Kernel panic - not syncing:",
	"\\bOops: ",
	"\\bBUG: ",
	/* BUG(); "Kernel BUG at ADDR [verbose debug info unavailable]" */
	"\\b[Kk]ernel BUG at ",
	/* x86: ", probably for non-canonical address ...: 0000 [#1]" */
	"\\bgeneral protection fault[,:] ",
	"\\bUnable to handle kernel ",
	"\\bUBSAN: ",
	"\\bINFO: task .+:[0-9]+ blocked for more than [0-9]+ seconds\\.",
	"\\brcu_[a-z_]+ (self-)?detected (expedited )?stalls? on ",
	": [0-9a-f]{4} \\[#[0-9]+\\]",
	NULL,
};

#define LINUX_SET "linux"

/* Steps of one pcre2_match() (pcre2_set_match_limit()): ~1 ms at most. */
#define MATCH_LIMIT 100000
/* KiB of backtracking memory one pcre2_match() may use. */
#define HEAP_LIMIT_KIB 1024

struct line_match {
	unsigned int nr;
	const char **source; /* what each pattern was written as */
	pcre2_code **re;
	pcre2_match_context *limits;
};

/* A pattern compiled, or NULL with err_set() saying why not. */
static pcre2_code *compile(const char *pattern)
{
	PCRE2_UCHAR why[128];
	PCRE2_SIZE offset;
	pcre2_code *re;
	int code;

	if (!*pattern) {
		err_set("an empty pattern would match every line");
		return NULL;
	}
	if (strlen(pattern) > LINE_MATCH_PATTERN_MAX) {
		err_set("a pattern of %zu bytes is longer than %d",
			strlen(pattern), LINE_MATCH_PATTERN_MAX);
		return NULL;
	}
	re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &code,
			   &offset, NULL);
	if (re)
		return re;
	if (pcre2_get_error_message(code, why, sizeof(why)) < 0)
		strcpy((char *)why, "unknown error");
	err_set("'%s' is not a regular expression: %s at byte %zu", pattern,
		(const char *)why, (size_t)offset);
	return NULL;
}

int line_match_check(const char *pattern)
{
	pcre2_code *re;

	if (!strcmp(pattern, LINUX_SET))
		return 0;
	re = compile(pattern);
	if (!re)
		return -1;
	pcre2_code_free(re);
	return 0;
}

static unsigned int linux_set_size(void)
{
	unsigned int n = 0;

	while (line_match_linux[n])
		n++;
	return n;
}

/* One pattern into m; -1 with err_set(). */
static int add_one(struct line_match *m, const char *pattern)
{
	m->re[m->nr] = compile(pattern);
	if (!m->re[m->nr])
		return -1;
	m->source[m->nr++] = pattern;
	return 0;
}

/* One pattern (or the Linux set) into m; -1 with err_set(). */
static int add_pattern(struct line_match *m, const char *pattern)
{
	unsigned int i;

	if (strcmp(pattern, LINUX_SET))
		return add_one(m, pattern);
	for (i = 0; line_match_linux[i]; i++)
		if (add_one(m, line_match_linux[i]) < 0)
			return -1;
	return 0;
}

/* The bounds every match runs under; NULL for lack of memory. */
static pcre2_match_context *make_limits(void)
{
	pcre2_match_context *c = pcre2_match_context_create(NULL);

	if (c) {
		pcre2_set_match_limit(c, MATCH_LIMIT);
		pcre2_set_heap_limit(c, HEAP_LIMIT_KIB);
	}
	return c;
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
		m->limits = make_limits();
	}
	if (!m || !m->source || !m->re || !m->limits) {
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
	return m;
}

/* A match that reached its limits counts as none. */
static bool matches(const struct line_match *m, unsigned int i,
		    pcre2_match_data *md, const char *text, size_t len)
{
	return pcre2_match(m->re[i], (PCRE2_SPTR)text, len, 0, 0, md,
			   m->limits) >= 0;
}

const char *line_match_find(const struct line_match *m, const char *text,
			    size_t len)
{
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	const char *found = NULL;
	unsigned int i;

	if (!md)
		return NULL;
	for (i = 0; i < m->nr && !found; i++)
		if (matches(m, i, md, text, len))
			found = m->source[i];
	pcre2_match_data_free(md);
	return found;
}

void line_match_free(struct line_match *m)
{
	unsigned int i;

	if (!m)
		return;
	for (i = 0; i < m->nr; i++)
		pcre2_code_free(m->re[i]);
	pcre2_match_context_free(m->limits);
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

bool line_scan_end(struct line_scan *s)
{
	return s->len && line_scan_feed(s, "\n", 1);
}
