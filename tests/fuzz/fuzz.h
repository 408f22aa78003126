/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz.h - what the libFuzzer targets in tests/fuzz share: reading typed
 * fields from the fuzzer's bytes, and failing loudly when a property the
 * code promises does not hold.
 *
 * A field read past the end of the input reads as 0, so every input is
 * valid: the fuzzer never wastes runs on inputs the harness rejects.
 * Multi-byte fields are little-endian, so seeds can be written by hand.
 */
#ifndef KVMUX_TESTS_FUZZ_H
#define KVMUX_TESTS_FUZZ_H

#include <endian.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fuzz_in {
	const uint8_t *p;
	size_t left;
};

/*
 * A file of the fuzzer's own, named by a real path: kvmux refuses
 * /proc/self/fd/N above stderr (host_refuse_own_fd()), so a memfd cannot
 * stand in for a user's file.  In /dev/shm when it is writable (memory,
 * as a memfd was), else $TMPDIR or /tmp; removed when the fuzzer exits.
 * Returns its descriptor; path gets its name.
 */
#define FUZZ_TEMP_FILES 8
static char fuzz_temp_paths[FUZZ_TEMP_FILES][96];

static inline void fuzz_temp_remove(void)
{
	unsigned int i;

	for (i = 0; i < FUZZ_TEMP_FILES; i++)
		if (fuzz_temp_paths[i][0])
			unlink(fuzz_temp_paths[i]);
}

static inline int fuzz_temp_file(const char *suffix, const char **path)
{
	static unsigned int used;
	const char *dir = getenv("TMPDIR");
	char *p;
	int fd;

	if (!access("/dev/shm", W_OK))
		dir = "/dev/shm";
	if (used == FUZZ_TEMP_FILES)
		abort();
	p = fuzz_temp_paths[used++];
	snprintf(p, sizeof(fuzz_temp_paths[0]), "%s/kvmux-fuzz-XXXXXX%s",
		 dir && *dir ? dir : "/tmp", suffix);
	fd = mkstemps(p, strlen(suffix));
	if (fd < 0)
		abort();
	if (used == 1)
		atexit(fuzz_temp_remove);
	*path = p;
	return fd;
}

static inline struct fuzz_in fuzz_in(const uint8_t *data, size_t size)
{
	return (struct fuzz_in){ data, size };
}

static inline uint64_t fuzz_uint(struct fuzz_in *in, unsigned int bytes)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < bytes && in->left; i++, in->p++, in->left--)
		v |= (uint64_t)*in->p << (8 * i);
	return v;
}

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	return fuzz_uint(in, 1);
}

static inline uint16_t fuzz_u16(struct fuzz_in *in)
{
	return fuzz_uint(in, 2);
}

static inline uint32_t fuzz_u32(struct fuzz_in *in)
{
	return fuzz_uint(in, 4);
}

static inline uint64_t fuzz_u64(struct fuzz_in *in)
{
	return fuzz_uint(in, 8);
}

/* Up to n bytes in place; *got says how many there were. */
static inline const uint8_t *fuzz_bytes(struct fuzz_in *in, size_t n,
					size_t *got)
{
	const uint8_t *p = in->p;

	*got = n < in->left ? n : in->left;
	in->p += *got;
	in->left -= *got;
	return p;
}

/* A malloc'ed C string of up to max bytes (it ends at a NUL byte). */
static inline char *fuzz_str(struct fuzz_in *in, size_t max)
{
	size_t len;
	const uint8_t *p = fuzz_bytes(in, max, &len);
	char *s = malloc(len + 1);

	if (!s)
		abort();
	memcpy(s, p, len);
	s[len] = '\0';
	return s;
}

/* A split virtqueue descriptor (virtio 1.x, 2.7.5) as a driver writes
 * it: le64 addr, le32 len, le16 flags, le16 next. */
static inline void fuzz_vring_desc(uint8_t d[16], uint64_t addr, uint32_t len,
				   uint16_t flags, uint16_t next)
{
	addr = htole64(addr);
	len = htole32(len);
	flags = htole16(flags);
	next = htole16(next);
	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

/* With KVMUX_FUZZ_VERBOSE set: say what happened to an input. */
static inline void fuzz_note(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static inline void fuzz_note(const char *fmt, ...)
{
	static int verbose = -1;
	va_list ap;

	if (verbose < 0)
		verbose = getenv("KVMUX_FUZZ_VERBOSE") != NULL;
	if (!verbose)
		return;
	fprintf(stderr, "fuzz: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* A property kvmux promises does not hold: libFuzzer saves the input. */
static inline void fuzz_fail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

static inline void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

#define FUZZ_CHECK(cond)                                               \
	do {                                                           \
		if (!(cond))                                           \
			fuzz_fail("%s:%d: %s does not hold", __FILE__, \
				  __LINE__, #cond);                    \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
