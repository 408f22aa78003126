// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_parse.c - the parsers of user-typed values: sizes, integers and
 * durations (src/cli/parse.c), on/off, --disk specs (through the command
 * line), and the group options (rows of src/cli/settings.c).
 *
 * Input: u8 parser (n % 8; for group options n / 8 % 5 picks the option),
 * then the text (up to the first NUL byte).
 *
 * The oracle is the grammar kvmux/parse.h documents, checked here in a
 * different way from the parser: a value is accepted exactly when it
 * matches the grammar and fits, and then means what the grammar says.
 *   size      digits, then nothing (the default unit), B, or K/M/G/T
 *             alone or followed by B or iB, any case
 *   integer   digits only, within the range asked for
 *   duration  digits, optionally '.' and digits, optionally ms, s, m or
 *             h; never more than UINT64_MAX / 2 ms; at least 1 ms when
 *             the number is not zero
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <strings.h>

#include "fuzz.h"
#include "kvmux/config.h"
#include "kvmux/error.h"
#include "kvmux/options.h"
#include "kvmux/parse.h"
#include "kvmux/settings.h"

/* The leading decimal digits as a number; false if they do not fit. */
static bool leading_number(const char *text, uint64_t *n, const char **end)
{
	char *stop;

	errno = 0;
	*n = strtoull(text, &stop, 10);
	*end = stop;
	return isdigit((unsigned char)text[0]) && errno != ERANGE;
}

/* The unit a size suffix names, or 0 if the suffix is not one. */
static uint64_t size_unit(const char *s, uint64_t default_unit, bool *ok)
{
	static const char letters[] = "kmgt";
	const char *at =
		*s ? strchr(letters, tolower((unsigned char)*s)) : NULL;

	*ok = true;
	if (!*s)
		return default_unit;
	if (!strcasecmp(s, "b"))
		return 1;
	if (at &&
	    (!s[1] || !strcasecmp(s + 1, "b") || !strcasecmp(s + 1, "ib")))
		return 1ULL << (10 * (at - letters + 1));
	*ok = false;
	return 0;
}

static void check_size(const char *text, uint64_t default_unit)
{
	uint64_t n, unit, bytes;
	const char *end;
	bool grammar = leading_number(text, &n, &end), fits;

	unit = size_unit(end, default_unit, &fits);
	grammar = grammar && fits;
	fits = !unit || n <= UINT64_MAX / unit;
	if (parse_size(text, default_unit, &bytes) == 0) {
		FUZZ_CHECK(grammar && fits && bytes == n * unit);
	} else {
		FUZZ_CHECK(!grammar || !fits);
		FUZZ_CHECK(err_msg()[0]);
	}
}

static void check_uint(const char *text, uint64_t min, uint64_t max)
{
	uint64_t n, v;
	const char *end;
	bool ok =
		leading_number(text, &n, &end) && !*end && n >= min && n <= max;

	if (parse_uint(text, min, max, &v) == 0)
		FUZZ_CHECK(ok && v == n);
	else
		FUZZ_CHECK(!ok && err_msg()[0]);
}

/* ms per unit of a duration suffix, 0 if it is not one. */
static uint64_t duration_unit(const char *s)
{
	if (!*s || !strcmp(s, "s"))
		return 1000;
	if (!strcmp(s, "ms"))
		return 1;
	if (!strcmp(s, "m"))
		return 60 * 1000;
	if (!strcmp(s, "h"))
		return 3600 * 1000;
	return 0;
}

static void check_duration(const char *text)
{
	uint64_t whole, unit, ms;
	const char *end;
	long double x, want;
	bool grammar = leading_number(text, &whole, &end);

	/* ".5": a fraction alone, as sleep(1) takes it */
	if (!grammar && text[0] == '.' && isdigit((unsigned char)text[1])) {
		whole = 0;
		end = text;
		grammar = true;
	}
	if (grammar && *end == '.')
		end += 1 + strspn(end + 1, "0123456789");
	unit = duration_unit(end);
	grammar = grammar && unit;
	if (parse_duration_ms(text, &ms) != 0) {
		FUZZ_CHECK(!grammar || whole > UINT64_MAX / unit / 2);
		FUZZ_CHECK(err_msg()[0]);
		return;
	}
	FUZZ_CHECK(grammar && whole <= UINT64_MAX / unit / 2);
	x = strtold(text, NULL);
	want = x * unit;
	/* Whole ms, fractions cut after 6 digits: at most that much less. */
	FUZZ_CHECK(ms <= want * (1 + 1e-15L) + 1);
	FUZZ_CHECK(ms >= want * (1 - 1e-15L) - 1 - unit * 1e-6L);
	FUZZ_CHECK(x == 0 || ms >= 1);
}

static void check_bool(const char *text)
{
	static const struct {
		const char *word;
		bool value;
	} words[] = { { "on", true },  { "off", false }, { "yes", true },
		      { "no", false }, { "true", true }, { "false", false },
		      { "1", true },   { "0", false } };
	int known = -1;
	bool value;
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcasecmp(text, words[i].word))
			known = words[i].value;
	if (setting_parse_bool(text, &value) == 0)
		FUZZ_CHECK(known >= 0 && value == known);
	else
		FUZZ_CHECK(known < 0 && err_msg()[0]);
}

/* --disk TEXT through the real command line. */
static void check_disk(const char *text)
{
	char *argv[] = { "run", "--kernel", "k", "--disk", (char *)text, NULL };
	struct run_request req;

	if (cli_parse_run(5, argv, &req) == CLI_RUN) {
		FUZZ_CHECK(req.nr_vms == 1 && req.vm[0].nr_disks == 1);
		FUZZ_CHECK(req.vm[0].disk[0].path && req.vm[0].disk[0].path[0]);
		FUZZ_CHECK(!req.vm[0].disk[0].serial ||
			   strlen(req.vm[0].disk[0].serial) <= 20);
	} else {
		FUZZ_CHECK(err_msg()[0]);
	}
	run_request_free(&req);
}

/* The group's options, from the settings table. */
static void check_group(const char *text, unsigned int which)
{
	static const char *const options[] = { "host-cpus", "host-memory",
					       "overcommit", "period",
					       "sched" };
	const struct setting *s = setting_find_option(options[which % 5], 0);
	struct group_config g;
	struct setting_ctx ctx = { .group = &g, .target = &g };

	FUZZ_CHECK(s != NULL);
	group_config_init(&g);
	if (setting_apply(s, text, &ctx) != 0) {
		FUZZ_CHECK(err_msg()[0]);
		return;
	}
	FUZZ_CHECK(g.host_cpus <= GROUP_MAX_HOST_CPUS);
	FUZZ_CHECK(g.overcommit_milli >= 1 && g.overcommit_milli <= 64000);
	FUZZ_CHECK(g.period_ns >= 1000000 && g.period_ns <= 10000000000ULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	uint8_t which = fuzz_u8(&in);
	char *text = fuzz_str(&in, in.left);

	err_set("%s", "");
	switch (which % 8) {
	case 0:
		check_size(text, SIZE_MIB);
		break;
	case 1:
		check_size(text, 1);
		break;
	case 2:
		check_uint(text, 1, 254);
		break;
	case 3:
		check_uint(text, 0, UINT64_MAX);
		break;
	case 4:
		check_duration(text);
		break;
	case 5:
		check_bool(text);
		break;
	case 6:
		check_disk(text);
		break;
	default:
		check_group(text, which / 8);
	}
	free(text);
	return 0;
}
