// SPDX-License-Identifier: GPL-2.0-only
/*
 * disk_format.c - the image formats a raw disk must not be mistaken for,
 * by their signatures (kvmux/disk_format.h).
 *
 * A signature is checked with more than its magic where the format gives
 * more (a version, a type), so that a raw disk has to carry a whole
 * header, not a few chance bytes, to be taken for an image.
 */
#define _FILE_OFFSET_BITS 64
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "kvmux/disk_format.h"
#include "kvmux/host_file.h"

#define VHD_FOOTER_BYTES 512
#define VHD_VERSION 0x00010000 /* 1.0 */
#define VHD_TYPE_FIXED 2
#define VHD_TYPE_DIFFERENCING 4

static bool has(const uint8_t *p, size_t len, size_t off, const char *magic,
		size_t magic_len)
{
	return len >= off + magic_len && !memcmp(p + off, magic, magic_len);
}

static uint32_t be32_at(const uint8_t *p, size_t off)
{
	uint32_t v;

	memcpy(&v, p + off, sizeof(v));
	return be32toh(v);
}

static uint32_t le32_at(const uint8_t *p, size_t off)
{
	uint32_t v;

	memcpy(&v, p + off, sizeof(v));
	return le32toh(v);
}

/* A VHD hard disk footer at p: cookie, file format version, disk type. */
static bool vhd_footer(const uint8_t *p, size_t len)
{
	uint32_t type;

	if (!has(p, len, 0, "conectix", 8) || len < VHD_FOOTER_BYTES)
		return false;
	type = be32_at(p, 60);
	return be32_at(p, 12) == VHD_VERSION && type >= VHD_TYPE_FIXED &&
	       type <= VHD_TYPE_DIFFERENCING;
}

/* qcow (version 1) or qcow2 (versions 2 and 3), else NULL. */
static const char *qcow(const uint8_t *p, size_t len)
{
	uint32_t version;

	if (!has(p, len, 0, "QFI\xfb", 4) || len < 8)
		return NULL;
	version = be32_at(p, 4);
	if (version == 1)
		return "qcow";
	return version == 2 || version == 3 ? "qcow2" : NULL;
}

static bool vmdk(const uint8_t *p, size_t len)
{
	static const char descriptor[] = "# Disk DescriptorFile";
	uint32_t version;

	if (has(p, len, 0, "COWD", 4) ||
	    has(p, len, 0, descriptor, sizeof(descriptor) - 1))
		return true;
	if (!has(p, len, 0, "KDMV", 4) || len < 8)
		return false;
	version = le32_at(p, 4);
	return version >= 1 && version <= 3;
}

const char *disk_format_name(const uint8_t *head, size_t head_len,
			     const uint8_t *tail, size_t tail_len)
{
	const char *name = qcow(head, head_len);

	if (name)
		return name;
	if (has(head, head_len, 0, "QED\0", 4))
		return "QED";
	if (vmdk(head, head_len))
		return "VMDK";
	if (has(head, head_len, 0, "vhdxfile", 8))
		return "VHDX";
	if (vhd_footer(head, head_len) || vhd_footer(tail, tail_len))
		return "VHD";
	if (head_len >= 0x44 && le32_at(head, 0x40) == 0xbeda107f)
		return "VDI";
	return NULL;
}

/* All of len bytes at off, or -1 with errno. */
static int read_at(int fd, uint8_t *buf, size_t len, uint64_t off)
{
	ssize_t n = host_pread_all(fd, buf, len, off);

	if (n >= 0 && (size_t)n < len)
		errno = EIO; /* shorter than it said */
	return n >= 0 && (size_t)n == len ? 0 : -1;
}

int disk_format_probe(int fd, uint64_t size, const char **name)
{
	uint8_t head[DISK_FORMAT_PROBE_BYTES], tail[DISK_FORMAT_PROBE_BYTES];
	size_t len = size < sizeof(head) ? size : sizeof(head);

	if (read_at(fd, head, len, 0) < 0 ||
	    read_at(fd, tail, len, size - len) < 0)
		return -1;
	*name = disk_format_name(head, len, tail, len);
	return 0;
}

/* Characters a POSIX shell takes literally anywhere in a word. */
#define SHELL_PLAIN                                            \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
	"0123456789%+,-./:=@_"

/* Text appended to a buffer, cut short at its end. */
struct text_out {
	char *buf;
	size_t size, len;
};

static void put(struct text_out *o, const char *s, size_t n)
{
	size_t room = o->size - 1 - o->len;

	if (n > room)
		n = room;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void put_str(struct text_out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* path, then suffix (plain), as one shell word. */
static void put_word(struct text_out *o, const char *path, const char *suffix)
{
	const char *p;

	if (!path[strspn(path, SHELL_PLAIN)]) {
		put_str(o, path);
		put_str(o, suffix);
		return;
	}
	put_str(o, "'");
	for (p = path; *p; p++) {
		if (*p == '\'')
			put_str(o, "'\\''"); /* end, a quoted quote, resume */
		else
			put(o, p, 1);
	}
	put_str(o, suffix);
	put_str(o, "'");
}

const char *disk_format_convert_command(char *buf, size_t size,
					const char *path)
{
	struct text_out o = { .buf = buf, .size = size };

	buf[0] = '\0';
	put_str(&o, "qemu-img convert -O raw ");
	put_word(&o, path, "");
	put_str(&o, " ");
	put_word(&o, path, ".raw");
	return buf;
}
