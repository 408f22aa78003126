/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * line_match.h - console lines against --fail-on patterns
 * (util/line_match.c).
 *
 * Patterns are PCRE2 regular expressions (pcre2pattern(3): Perl's
 * syntax, of which POSIX extended regular expressions are nearly all a
 * subset), on bytes (no UTF mode), matched anywhere in a line; the word
 * "linux" stands for line_match_linux[], the messages of a Linux kernel
 * in trouble.  A match that passes PCRE2's match limit (about a
 * millisecond of work) counts as no match, so a guest's line cannot make
 * a pattern take unbounded time.
 *
 * A line_scan assembles lines from the pieces a console delivers (a UART
 * hands over a few bytes at a time, a virtio-console buffer may end
 * anywhere) and matches each whole line once, without its "\r\n".  Its
 * memory is fixed: a line is matched on its first LINE_MATCH_MAX bytes
 * (when they are in, so a guest that never sends "\n" is matched once),
 * and the rest of it, up to the next "\n", is skipped.
 */
#ifndef KVMUX_LINE_MATCH_H
#define KVMUX_LINE_MATCH_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes of a line that are matched: a longer line is matched on these. */
#define LINE_MATCH_MAX 4096
/* Bytes a pattern may have. */
#define LINE_MATCH_PATTERN_MAX 1024

/* The patterns "linux" stands for, NULL-terminated (docs/devices.md). */
extern const char *const line_match_linux[];

/* A pattern a user gave: "linux", or one pcre2_compile() takes, of at
 * most LINE_MATCH_PATTERN_MAX bytes.  Returns 0, or -1 with err_set()
 * naming the pattern and PCRE2's reason. */
int line_match_check(const char *pattern);

struct line_match;

/*
 * Compile patterns[0..nr) ("linux" expanded).  The result is read-only
 * and may be shared by scanners on any threads.  Returns NULL with
 * err_set() for a bad pattern, err_host() for memory.
 */
struct line_match *line_match_create(const char *const *patterns,
				     unsigned int nr);

/*
 * The first pattern (as compiled: one of the set for "linux") that
 * matches text[0..len), which may hold NUL bytes; NULL if none (or if
 * memory for the match ran out).
 */
const char *line_match_find(const struct line_match *m, const char *text,
			    size_t len);

void line_match_free(struct line_match *m);

/* One console's lines, as they arrive. */
struct line_scan {
	const struct line_match *m;
	size_t len; /* bytes of the current line in line[] */
	bool skipping; /* the line passed LINE_MATCH_MAX: wait for "\n" */
	const char *matched; /* the pattern of the first match; NULL: none */
	char line[LINE_MATCH_MAX + 1]; /* after a match: that line, NUL-ended */
};

void line_scan_init(struct line_scan *s, const struct line_match *m);

/*
 * Feed len bytes.  Returns true if a line in them was the first to
 * match: s->matched is its pattern and s->line the line (its NUL bytes
 * included, "\r" at its end dropped).  After the first match nothing is
 * matched any more (the run ends on the first).
 */
bool line_scan_feed(struct line_scan *s, const void *buf, size_t len);

/*
 * The console has ended: a last line without its "\n" is matched as a
 * line.  Returns true, as line_scan_feed() does, if it was the first to
 * match.
 */
bool line_scan_end(struct line_scan *s);

#endif
