// SPDX-License-Identifier: GPL-2.0-only
/*
 * json_text.c - UTF-8 text for jansson, invalid bytes replaced
 * (kvmux/json_text.h).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kvmux/json_text.h"

static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */

/* The length of the valid UTF-8 sequence at p (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_len(const uint8_t *p)
{
	size_t len, i;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0; /* also stops at the NUL */
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

json_t *json_text(const char *text)
{
	const uint8_t *p = (const uint8_t *)text;
	size_t n = 0, len;
	json_t *s;
	char *out;

	if (!text)
		return json_null();
	/* At most three bytes out per byte in. */
	out = malloc(3 * strlen(text) + 1);
	if (!out)
		return NULL;
	while (*p) {
		len = utf8_len(p);
		if (len) {
			memcpy(out + n, p, len);
			p += len;
			n += len;
		} else {
			memcpy(out + n, replacement, 3);
			p++;
			n += 3;
		}
	}
	out[n] = '\0';
	s = json_stringn(out, n);
	free(out);
	return s;
}
