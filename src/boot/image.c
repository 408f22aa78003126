// SPDX-License-Identifier: GPL-2.0-only
/*
 * image.c - tell kernel image formats apart by their content, so the user
 * never has to say which kind of file --kernel is.
 */
#include <string.h>

#include "kvmux/boot.h"
#include "kvmux/multiboot.h"

/* bzImage setup header: boot sector signature and the "HdrS" magic. */
#define BZ_BOOT_FLAG_OFF 0x1fe
#define BZ_HDRS_OFF 0x202

static bool has_bytes_at(const uint8_t *buf, size_t len, size_t off,
			 const void *want, size_t want_len)
{
	return off <= len && want_len <= len - off &&
	       !memcmp(buf + off, want, want_len);
}

enum image_kind image_detect(const uint8_t *buf, size_t len)
{
	static const uint8_t elf_magic[4] = { 0x7f, 'E', 'L', 'F' };
	static const uint8_t boot_flag[2] = { 0x55, 0xaa };

	size_t mb_offset;

	if (!buf)
		return IMAGE_UNKNOWN;
	/* QEMU's order: bzImage, multiboot, then ELF with a PVH note. */
	if (has_bytes_at(buf, len, BZ_BOOT_FLAG_OFF, boot_flag,
			 sizeof(boot_flag)) &&
	    has_bytes_at(buf, len, BZ_HDRS_OFF, "HdrS", 4))
		return IMAGE_BZIMAGE;
	if (multiboot_find(buf, len, &mb_offset))
		return IMAGE_MULTIBOOT;
	if (has_bytes_at(buf, len, 0, elf_magic, sizeof(elf_magic)))
		return IMAGE_ELF;
	return IMAGE_UNKNOWN;
}

const char *image_kind_name(enum image_kind kind)
{
	switch (kind) {
	case IMAGE_ELF:
		return "ELF";
	case IMAGE_BZIMAGE:
		return "bzImage";
	case IMAGE_MULTIBOOT:
		return "multiboot";
	case IMAGE_UNKNOWN:
		break;
	}
	return "unknown";
}
