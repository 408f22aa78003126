// SPDX-License-Identifier: GPL-2.0-only
/* parse.c - sizes, integers and durations from user text (kvmux/parse.h) */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kvmux/error.h"
#include "kvmux/parse.h"

/* Leading decimal digits: 0, -1 if none, TOO_LARGE past UINT64_MAX. */
#define TOO_LARGE (-2)
static int parse_digits(const char *text, uint64_t *value, const char **end)
{
	char *stop;

	if (!isdigit((unsigned char)*text))
		return -1;
	errno = 0;
	*value = strtoull(text, &stop, 10);
	if (errno == ERANGE)
		return TOO_LARGE;
	*end = stop;
	return 0;
}

/* The error for text whose digits did not parse (rc from parse_digits). */
static int bad_number(int rc, const char *text, const char *what)
{
	if (rc == TOO_LARGE)
		return err_set("'%s' is too large", text);
	return err_set("'%s' is not %s", text, what);
}

static int size_shift(const char *suffix, uint64_t default_unit, uint64_t *unit)
{
	static const struct {
		const char *name;
		unsigned int shift;
	} units[] = {
		{ "b", 0 },    { "k", 10 },   { "kb", 10 },  { "kib", 10 },
		{ "m", 20 },   { "mb", 20 },  { "mib", 20 }, { "g", 30 },
		{ "gb", 30 },  { "gib", 30 }, { "t", 40 },   { "tb", 40 },
		{ "tib", 40 },
	};
	size_t i;

	if (!*suffix) {
		*unit = default_unit;
		return 0;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (!strcasecmp(suffix, units[i].name)) {
			*unit = 1ULL << units[i].shift;
			return 0;
		}
	}
	return -1;
}

int parse_size(const char *text, uint64_t default_unit, uint64_t *bytes)
{
	uint64_t number, unit;
	const char *end;
	int rc = parse_digits(text, &number, &end);

	if (rc < 0 || size_shift(end, default_unit, &unit) < 0)
		return bad_number(rc, text, "a size (examples: 512M, 2G)");
	if (unit && number > UINT64_MAX / unit)
		return err_set("'%s' is too large", text);
	*bytes = number * unit;
	return 0;
}

int parse_uint(const char *text, uint64_t min, uint64_t max, uint64_t *value)
{
	const char *end;
	int rc = parse_digits(text, value, &end);

	if (rc < 0 || *end)
		return bad_number(rc, text, "a whole number");
	if (*value < min || *value > max)
		return err_set("%s is out of range (%llu to %llu)", text,
			       (unsigned long long)min,
			       (unsigned long long)max);
	return 0;
}

int parse_uint_hex(const char *text, uint64_t min, uint64_t max,
		   uint64_t *value)
{
	char *stop;

	if (text[0] != '0' || (text[1] != 'x' && text[1] != 'X'))
		return parse_uint(text, min, max, value);
	errno = 0;
	*value = isxdigit((unsigned char)text[2]) ?
			 strtoull(text + 2, &stop, 16) :
			 0;
	if (isxdigit((unsigned char)text[2]) && errno == ERANGE)
		return bad_number(TOO_LARGE, text, NULL);
	if (!isxdigit((unsigned char)text[2]) || *stop)
		return bad_number(-1, text, "a whole number");
	if (*value < min || *value > max)
		return err_set("%s is out of range (%#llx to %#llx)", text,
			       (unsigned long long)min,
			       (unsigned long long)max);
	return 0;
}

/* text in whole milliseconds, truncated; *tiny: not zero, but under 1 ms */
static int duration_ms(const char *text, uint64_t *ms, bool *tiny)
{
	uint64_t whole, frac = 0, frac_scale = 1, unit_ms = 1000;
	bool nonzero = false; /* a digit past the precision kept */
	const char *end = text;
	int rc = 0;

	/* ".5" as sleep(1) takes it; "5." too */
	if (*text == '.' && isdigit((unsigned char)text[1]))
		whole = 0;
	else if ((rc = parse_digits(text, &whole, &end)) < 0)
		goto bad;
	if (*end == '.') {
		for (end++; isdigit((unsigned char)*end); end++) {
			nonzero |= *end != '0';
			if (frac_scale < 1000000) {
				frac = frac * 10 + (*end - '0');
				frac_scale *= 10;
			}
		}
	}
	if (!strcmp(end, "ms")) {
		unit_ms = 1;
		end++;
	} else if (*end == 'm') {
		unit_ms = 60 * 1000;
	} else if (*end == 'h') {
		unit_ms = 3600 * 1000;
	} else if (*end && *end != 's') {
		goto bad;
	}
	if (*end && end[1])
		goto bad;
	if (whole > UINT64_MAX / unit_ms / 2)
		return bad_number(TOO_LARGE, text, NULL);
	*ms = whole * unit_ms + frac * unit_ms / frac_scale;
	*tiny = *ms == 0 && (whole || nonzero);
	return 0;
bad:
	return bad_number(rc, text,
			  "a duration (examples: 30, 1.5, 90s, 250ms, 2m)");
}

int parse_duration_ms(const char *text, uint64_t *ms)
{
	bool tiny;

	if (duration_ms(text, ms, &tiny) < 0)
		return -1;
	if (tiny)
		*ms = 1; /* a tiny duration is not "none" */
	return 0;
}

int parse_duration_ms_truncated(const char *text, uint64_t *ms)
{
	bool tiny;

	return duration_ms(text, ms, &tiny);
}
