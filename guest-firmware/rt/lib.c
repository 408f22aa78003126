// SPDX-License-Identifier: GPL-2.0-only
/*
 * lib.c - the bits of a C library the kernels need: string functions (gcc
 * may emit calls to memset/memcpy even in freestanding code), command-line
 * lookup and CRC-32.
 */
#include "rt.h"

void *memset(void *s, int c, size_t n)
{
	uint8_t *p = s;

	while (n--)
		*p++ = c;
	return s;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (uint8_t)*a - (uint8_t)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (uint8_t)*a - (uint8_t)*b;
		if (!*a)
			break;
	}
	return 0;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

const char *rt_cmdline_find(const char *cmdline, const char *key, size_t *len)
{
	size_t klen = strlen(key);
	const char *p = cmdline, *tok, *found = NULL;

	while (*p) {
		while (is_space(*p))
			p++;
		tok = p;
		while (*p && !is_space(*p))
			p++;
		/* Keep looking: the last occurrence wins, as in Linux. */
		if ((size_t)(p - tok) > klen && !strncmp(tok, key, klen) &&
		    tok[klen] == '=') {
			found = tok + klen + 1;
			*len = p - found;
		}
	}
	return found;
}

bool rt_cmdline_u64(const char *cmdline, const char *key, uint64_t *val)
{
	size_t len, i;
	const char *v = rt_cmdline_find(cmdline, key, &len);
	unsigned int base = 10, digit;
	uint64_t n = 0;
	char c;

	if (!v)
		return false;
	if (len > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		base = 16;
		v += 2;
		len -= 2;
	}
	if (!len)
		return false;
	for (i = 0; i < len; i++) {
		c = v[i];
		if (c >= '0' && c <= '9')
			digit = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			digit = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			digit = c - 'A' + 10;
		else
			return false;
		if (n > (UINT64_MAX - digit) / base)
			return false; /* overflow */
		n = n * base + digit;
	}
	*val = n;
	return true;
}

bool rt_cmdline_str(const char *cmdline, const char *key, char *buf,
		    size_t size)
{
	size_t len;
	const char *v = rt_cmdline_find(cmdline, key, &len);

	if (!v || len >= size)
		return false;
	memcpy(buf, v, len);
	buf[len] = '\0';
	return true;
}

uint32_t rt_crc32(uint32_t crc, const void *buf, size_t len)
{
	/* Built on first use: 1 KiB of .bss rather than of image. */
	static uint32_t table[256];
	static bool ready;
	const uint8_t *p = buf;
	uint32_t c;
	unsigned int i, k;

	if (!ready) {
		for (i = 0; i < 256; i++) {
			c = i;
			for (k = 0; k < 8; k++)
				c = c & 1 ? (c >> 1) ^ 0xedb88320 : c >> 1;
			table[i] = c;
		}
		ready = true;
	}
	crc = ~crc;
	while (len--)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}
