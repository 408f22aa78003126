// SPDX-License-Identifier: GPL-2.0-only
/*
 * aml.c - encode ACPI Machine Language (ACPI 6.3, chapter 20).
 *
 * Why an encoder in C and not .asl sources compiled by iasl at build time:
 * the DSDT differs from one VM to the next.  It holds one processor device
 * per vCPU and one LNRO0005 device per virtio-mmio window, each with its
 * own address and interrupt; a compiled table would have to be patched at
 * run time (finding each window's bytes in an opaque blob and keeping
 * every enclosing PkgLength right) or exist in every combination.  The
 * part of AML a VMM needs (names, integers, packages, resource templates,
 * one method) is small and regular, so encoding it directly is less code
 * than the patching, needs no build-time tool, and keeps the DSDT a pure
 * function of the platform list like the MP table and the device tree.
 * iasl still checks the result: the tests disassemble every table with it.
 */
#include <string.h>

#include "kvmux/aml.h"
#include "kvmux/error.h"

#define AML_ONES_OP 0xff
#define AML_BYTE_PREFIX 0x0a
#define AML_WORD_PREFIX 0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_STRING_PREFIX 0x0d
#define AML_QWORD_PREFIX 0x0e
#define AML_NAME_OP 0x08
#define AML_SCOPE_OP 0x10
#define AML_BUFFER_OP 0x11
#define AML_PACKAGE_OP 0x12
#define AML_METHOD_OP 0x14
#define AML_DUAL_NAME_PREFIX 0x2e
#define AML_MULTI_NAME_PREFIX 0x2f
#define AML_EXT_OP_PREFIX 0x5b
#define AML_OP_REGION_OP 0x80 /* after AML_EXT_OP_PREFIX */
#define AML_FIELD_OP 0x81
#define AML_DEVICE_OP 0x82
#define AML_ROOT_CHAR '\\'
#define AML_PARENT_CHAR '^'
#define AML_IF_OP 0xa0

/* Resource descriptor tags (6.4.2, 6.4.3). */
#define RES_IRQ_NOFLAGS 0x22 /* small item 0x04, 2 bytes */
#define RES_IO 0x47 /* small item 0x08, 7 bytes */
#define RES_END_TAG 0x79 /* small item 0x0f, 1 byte */
#define RES_MEMORY32_FIXED 0x86
#define RES_EXTENDED_IRQ 0x89
#define RES_IO_DECODE16 0x01
#define RES_MEM_READ_WRITE 0x01

#define NAME_SEG 4
#define PKG_LENGTH_MAX 4 /* bytes: lengths below 2^28 */

void aml_init(struct aml *a, void *buf, size_t cap)
{
	*a = (struct aml){ .buf = buf, .cap = buf ? cap : 0 };
}

static bool fits(const struct aml *a, size_t n)
{
	return a->buf && a->len <= a->cap && n <= a->cap - a->len;
}

static void put(struct aml *a, const void *data, size_t n)
{
	if (fits(a, n))
		memcpy(a->buf + a->len, data, n);
	a->len += n;
}

/* Insert n bytes at offset at (an open object's start), moving its body. */
static void insert(struct aml *a, size_t at, const void *data, size_t n)
{
	if (fits(a, n)) {
		memmove(a->buf + at + n, a->buf + at, a->len - at);
		memcpy(a->buf + at, data, n);
	}
	a->len += n;
}

void aml_byte(struct aml *a, uint8_t b)
{
	put(a, &b, 1);
}

static void put_le(struct aml *a, uint64_t v, unsigned int bytes)
{
	while (bytes--) {
		aml_byte(a, v & 0xff);
		v >>= 8;
	}
}

long aml_finish(struct aml *a)
{
	if (a->bad || a->depth)
		return err_set("AML: malformed name or unbalanced object");
	if (!a->buf || a->len > a->cap)
		return err_set("AML: %zu bytes do not fit in %zu", a->len,
			       a->cap);
	return (long)a->len;
}

/* The PkgLength encoding of value (20.2.4); 0 if it is too large. */
static unsigned int encode_pkg_length(uint32_t value, uint8_t out[4])
{
	unsigned int n, i;

	if (value < 0x40) {
		out[0] = value;
		return 1;
	}
	for (n = 2; n <= PKG_LENGTH_MAX; n++)
		if (value < 1u << (4 + 8 * (n - 1)))
			break;
	if (n > PKG_LENGTH_MAX)
		return 0;
	out[0] = (n - 1) << 6 | (value & 0x0f);
	for (i = 1; i < n; i++)
		out[i] = value >> (4 + 8 * (i - 1));
	return n;
}

/* A package's length counts its own encoding: pick the size that fits. */
static unsigned int package_length(size_t body, uint8_t out[4])
{
	unsigned int n;

	for (n = 1; n <= PKG_LENGTH_MAX; n++)
		if (body < (1u << 28) && encode_pkg_length(body + n, out) == n)
			return n;
	return 0;
}

static unsigned int encode_integer(uint64_t v, uint8_t out[9])
{
	static const struct {
		uint64_t max;
		uint8_t prefix;
		unsigned int bytes;
	} forms[] = {
		{ 0xff, AML_BYTE_PREFIX, 1 },
		{ 0xffff, AML_WORD_PREFIX, 2 },
		{ 0xffffffff, AML_DWORD_PREFIX, 4 },
		{ UINT64_MAX, AML_QWORD_PREFIX, 8 },
	};
	unsigned int f, i;

	if (v == 0 || v == 1 || v == UINT64_MAX) {
		out[0] = v == 0 ? AML_ZERO_OP :
			 v == 1 ? AML_ONE_OP :
				  AML_ONES_OP;
		return 1;
	}
	for (f = 0; v > forms[f].max; f++)
		;
	out[0] = forms[f].prefix;
	for (i = 0; i < forms[f].bytes; i++)
		out[1 + i] = v >> (8 * i);
	return 1 + forms[f].bytes;
}

void aml_integer(struct aml *a, uint64_t value)
{
	uint8_t enc[9];

	put(a, enc, encode_integer(value, enc));
}

void aml_string(struct aml *a, const char *s)
{
	const char *c;

	for (c = s; *c; c++)
		if ((unsigned char)*c > 0x7f)
			a->bad = true;
	aml_byte(a, AML_STRING_PREFIX);
	put(a, s, strlen(s) + 1);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void aml_eisaid(struct aml *a, const char *id)
{
	uint8_t letter[3];
	int digit[4];
	unsigned int i;
	bool ok = strlen(id) == 7;

	for (i = 0; ok && i < 3; i++) {
		ok = id[i] >= 'A' && id[i] <= 'Z';
		letter[i] = id[i] - 'A' + 1; /* 5 bits each */
	}
	for (i = 0; ok && i < 4; i++) {
		digit[i] = hex_digit(id[3 + i]);
		ok = digit[i] >= 0;
	}
	if (!ok) {
		a->bad = true;
		return;
	}
	/* Always a DWord, as the ASL EisaId() macro compiles. */
	aml_byte(a, AML_DWORD_PREFIX);
	aml_byte(a, letter[0] << 2 | letter[1] >> 3);
	aml_byte(a, (letter[1] & 7) << 5 | letter[2]);
	aml_byte(a, digit[0] << 4 | digit[1]);
	aml_byte(a, digit[2] << 4 | digit[3]);
}

static bool name_char(char c, bool first)
{
	return (c >= 'A' && c <= 'Z') || c == '_' ||
	       (!first && c >= '0' && c <= '9');
}

/* One segment of len characters, padded with '_'; false if malformed. */
static bool put_seg(struct aml *a, const char *s, size_t len)
{
	char seg[NAME_SEG] = { '_', '_', '_', '_' };
	size_t i;

	if (len < 1 || len > NAME_SEG)
		return false;
	for (i = 0; i < len; i++) {
		if (!name_char(s[i], i == 0))
			return false;
		seg[i] = s[i];
	}
	put(a, seg, NAME_SEG);
	return true;
}

static unsigned int count_segs(const char *p)
{
	unsigned int n = *p ? 1 : 0;

	for (; *p; p++)
		n += *p == '.';
	return n;
}

void aml_name_string(struct aml *a, const char *path)
{
	const char *p = path, *dot;
	unsigned int nsegs;

	if (*p == AML_ROOT_CHAR)
		aml_byte(a, *p++);
	else
		while (*p == AML_PARENT_CHAR)
			aml_byte(a, *p++);
	nsegs = count_segs(p);
	if (nsegs == 0) {
		aml_byte(a, AML_NULL_NAME);
		return;
	}
	if (nsegs > 255) {
		a->bad = true;
		return;
	}
	if (nsegs == 2)
		aml_byte(a, AML_DUAL_NAME_PREFIX);
	if (nsegs > 2) {
		aml_byte(a, AML_MULTI_NAME_PREFIX);
		aml_byte(a, nsegs);
	}
	for (; nsegs--; p = dot + 1) {
		dot = strchr(p, '.');
		if (!dot)
			dot = p + strlen(p);
		if (!put_seg(a, p, dot - p))
			a->bad = true;
	}
}

void aml_name(struct aml *a, const char *name)
{
	aml_byte(a, AML_NAME_OP);
	aml_name_string(a, name);
}

static void open_object(struct aml *a, enum aml_kind kind)
{
	if (a->depth == AML_MAX_DEPTH) {
		a->bad = true;
		return;
	}
	a->open[a->depth].start = a->len;
	a->open[a->depth].kind = kind;
	a->depth++;
}

void aml_end(struct aml *a)
{
	uint8_t enc[9];
	size_t start;
	unsigned int n;

	if (a->depth == 0) {
		a->bad = true;
		return;
	}
	a->depth--;
	start = a->open[a->depth].start;
	if (a->open[a->depth].kind == AML_BUFFER) {
		n = encode_integer(a->len - start, enc);
		insert(a, start, enc, n);
	}
	n = package_length(a->len - start, enc);
	if (!n)
		a->bad = true;
	insert(a, start, enc, n);
}

void aml_scope(struct aml *a, const char *path)
{
	aml_byte(a, AML_SCOPE_OP);
	open_object(a, AML_PKG);
	aml_name_string(a, path);
}

void aml_device(struct aml *a, const char *name)
{
	aml_byte(a, AML_EXT_OP_PREFIX);
	aml_byte(a, AML_DEVICE_OP);
	open_object(a, AML_PKG);
	aml_name_string(a, name);
}

void aml_method(struct aml *a, const char *name, unsigned int nargs,
		bool serialized)
{
	if (nargs > 7)
		a->bad = true;
	aml_byte(a, AML_METHOD_OP);
	open_object(a, AML_PKG);
	aml_name_string(a, name);
	aml_byte(a, (nargs & 7) | (serialized ? 0x08 : 0));
}

void aml_package(struct aml *a, unsigned int nelems)
{
	if (nelems > 255)
		a->bad = true;
	aml_byte(a, AML_PACKAGE_OP);
	open_object(a, AML_PKG);
	aml_byte(a, nelems);
}

void aml_if(struct aml *a)
{
	aml_byte(a, AML_IF_OP);
	open_object(a, AML_PKG);
}

void aml_buffer(struct aml *a)
{
	aml_byte(a, AML_BUFFER_OP);
	open_object(a, AML_BUFFER);
}

void aml_operation_region(struct aml *a, const char *name, uint8_t space,
			  uint64_t offset, uint64_t len)
{
	aml_byte(a, AML_EXT_OP_PREFIX);
	aml_byte(a, AML_OP_REGION_OP);
	aml_name_string(a, name);
	aml_byte(a, space);
	aml_integer(a, offset);
	aml_integer(a, len);
}

void aml_field(struct aml *a, const char *region, uint8_t flags)
{
	aml_byte(a, AML_EXT_OP_PREFIX);
	aml_byte(a, AML_FIELD_OP);
	open_object(a, AML_PKG);
	aml_name_string(a, region);
	aml_byte(a, flags);
}

void aml_field_unit(struct aml *a, const char *name, unsigned int bits)
{
	uint8_t enc[4];
	unsigned int n = encode_pkg_length(bits, enc);

	if (!put_seg(a, name, strlen(name)) || !n)
		a->bad = true;
	put(a, enc, n);
}

void aml_resource_template(struct aml *a)
{
	aml_buffer(a);
}

void aml_res_io(struct aml *a, uint16_t port, uint8_t len)
{
	aml_byte(a, RES_IO);
	aml_byte(a, RES_IO_DECODE16);
	put_le(a, port, 2); /* minimum base */
	put_le(a, port, 2); /* maximum base: a fixed range */
	aml_byte(a, 1); /* alignment */
	aml_byte(a, len);
}

void aml_res_irq_noflags(struct aml *a, unsigned int irq)
{
	if (irq > 15)
		a->bad = true;
	aml_byte(a, RES_IRQ_NOFLAGS);
	put_le(a, 1u << (irq & 15), 2);
}

void aml_res_memory32_fixed(struct aml *a, uint32_t base, uint32_t len)
{
	aml_byte(a, RES_MEMORY32_FIXED);
	put_le(a, 9, 2); /* length of what follows */
	aml_byte(a, RES_MEM_READ_WRITE);
	put_le(a, base, 4);
	put_le(a, len, 4);
}

void aml_res_interrupt(struct aml *a, uint32_t gsi, uint8_t flags)
{
	aml_byte(a, RES_EXTENDED_IRQ);
	put_le(a, 6, 2); /* flags, count, one interrupt number */
	aml_byte(a, flags);
	aml_byte(a, 1);
	put_le(a, gsi, 4);
}

void aml_resource_end(struct aml *a)
{
	aml_byte(a, RES_END_TAG);
	aml_byte(a, 0); /* checksum 0: "the descriptors are right" */
	aml_end(a);
}
