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

static int parse_digits(const char *text, uint64_t *value, const char **end)
{
	char *stop;

	if (!isdigit((unsigned char)*text))
		return -1;
	errno = 0;
	*value = strtoull(text, &stop, 10);
	if (errno == ERANGE)
		return -1;
	*end = stop;
	return 0;
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

	if (parse_digits(text, &number, &end) < 0 ||
	    size_shift(end, default_unit, &unit) < 0)
		return err_set("'%s' is not a size (examples: 512M, 2G)", text);
	if (unit && number > UINT64_MAX / unit)
		return err_set("'%s' is too large", text);
	*bytes = number * unit;
	return 0;
}

int parse_uint(const char *text, uint64_t min, uint64_t max, uint64_t *value)
{
	const char *end;

	if (parse_digits(text, value, &end) < 0 || *end)
		return err_set("'%s' is not a whole number", text);
	if (*value < min || *value > max)
		return err_set("%s is out of range (%llu to %llu)", text,
			       (unsigned long long)min,
			       (unsigned long long)max);
	return 0;
}

int parse_duration_ms(const char *text, uint64_t *ms)
{
	uint64_t whole, frac = 0, frac_scale = 1, unit_ms = 1000;
	bool beyond = false; /* a non-zero digit past the sixth decimal */
	const char *end;

	if (parse_digits(text, &whole, &end) < 0)
		goto bad;
	if (*end == '.') {
		for (end++; isdigit((unsigned char)*end); end++) {
			if (frac_scale < 1000000) {
				frac = frac * 10 + (*end - '0');
				frac_scale *= 10;
			} else if (*end != '0') {
				beyond = true;
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
		return err_set("duration '%s' is too long", text);
	*ms = whole * unit_ms + frac * unit_ms / frac_scale;
	if (*ms == 0 && (whole || frac || beyond))
		*ms = 1;
	return 0;
bad:
	return err_set(
		"'%s' is not a duration (examples: 30, 1.5, 90s, 250ms, 2m)",
		text);
}
