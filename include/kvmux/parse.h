/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * parse.h - numbers as users type them on a command line or in a config.
 */
#ifndef KVMUX_PARSE_H
#define KVMUX_PARSE_H

#include <stdint.h>

#define SIZE_KIB (1ULL << 10)
#define SIZE_MIB (1ULL << 20)

/*
 * A size: digits with an optional binary suffix K, M, G or T (also KiB,
 * MiB, ..., any case; "B" for bytes).  A bare number is in default_unit
 * bytes (kvmux uses MiB for --memory, like QEMU's -m).  Returns 0, or -1
 * with err_set() for garbage, an empty string or overflow.
 */
int parse_size(const char *text, uint64_t default_unit, uint64_t *bytes);

/* An unsigned decimal integer in [min, max]; -1 with err_set() if not. */
int parse_uint(const char *text, uint64_t min, uint64_t max, uint64_t *value);

/* The same, also 0x-prefixed hexadecimal (port numbers: 0xf4). */
int parse_uint_hex(const char *text, uint64_t min, uint64_t max,
		   uint64_t *value);

/*
 * A duration: a decimal number of seconds with an optional fraction and an
 * optional unit ms, s, m or h ("1.5", ".5", "90s", "250ms", "2m").  Result in
 * whole milliseconds, truncated (1.2345678 is 1234), and at least 1 for any
 * non-zero input (0.0001 is 1).
 *
 * All of these return -1 with err_set(): "'TEXT' is not ..." for text
 * that is not such a number, "'TEXT' is too large" for one past 2^64 - 1
 * (bytes, units, milliseconds), "... is out of range" outside [min, max].
 */
int parse_duration_ms(const char *text, uint64_t *ms);

/*
 * The same, but a duration under 1 ms is 0 (0.0001 is 0), for a setting
 * whose range starts at 1 ms: what is below it is refused, not raised.
 */
int parse_duration_ms_truncated(const char *text, uint64_t *ms);

#endif
