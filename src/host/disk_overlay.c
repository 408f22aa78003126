// SPDX-License-Identifier: GPL-2.0-only
/*
 * disk_overlay.c - a throwaway copy-on-write layer over a disk image: an
 * unnamed sparse file and a bitmap of the sectors in it
 * (kvmux/disk_overlay.h).
 */
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kvmux/disk_overlay.h"
#include "kvmux/error.h"

#define WORD_BITS 64

/* An unnamed file in dir, or -1 with errno. */
static int make_store(const char *dir)
{
	char path[PATH_MAX];
	int fd = open(dir, O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600);

	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR))
		return fd;
	/* A file system without O_TMPFILE: a name for an instant. */
	if (snprintf(path, sizeof(path), "%s/kvmux-snapshot-XXXXXX", dir) >=
	    (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		unlink(path);
	return fd;
}

int disk_overlay_open(struct disk_overlay *ov, uint64_t sectors,
		      const char *image)
{
	const char *dir = getenv("TMPDIR");
	uint64_t words = sectors / WORD_BITS + !!(sectors % WORD_BITS);

	*ov = (struct disk_overlay){ .fd = -1, .sectors = sectors };
	if (!dir || !*dir)
		dir = "/tmp";
	ov->dir = strdup(dir);
	ov->stored = calloc(words, sizeof(*ov->stored));
	if (!ov->dir || !ov->stored)
		return err_host("out of memory for disk %s's snapshot map",
				image);
	ov->fd = make_store(dir);
	if (ov->fd < 0)
		return err_set_errno("disk %s: cannot make its snapshot "
				     "store in %s ($TMPDIR, else /tmp)",
				     image, dir);
	if (sectors > INT64_MAX / DISK_OVERLAY_SECTOR ||
	    ftruncate(ov->fd, sectors * DISK_OVERLAY_SECTOR) < 0)
		return err_set_errno("disk %s: its snapshot store in %s "
				     "($TMPDIR, else /tmp) cannot be as large "
				     "as the disk",
				     image, dir);
	return 0;
}

void disk_overlay_close(struct disk_overlay *ov)
{
	if (ov->fd >= 0)
		close(ov->fd);
	free(ov->stored);
	free((char *)ov->dir);
	ov->fd = -1;
	ov->stored = NULL;
	ov->dir = NULL;
}

static bool is_stored(const struct disk_overlay *ov, uint64_t s)
{
	return ov->stored[s / WORD_BITS] >> (s % WORD_BITS) & 1;
}

uint64_t disk_overlay_extent(const struct disk_overlay *ov, uint64_t sector,
			     uint64_t count, bool *stored)
{
	uint64_t s = sector + 1, end = sector + count;

	*stored = is_stored(ov, sector);
	while (s < end) {
		/* Set bits: sectors from s on that differ from the first. */
		uint64_t differ =
			ov->stored[s / WORD_BITS] ^ (*stored ? ~0ULL : 0);

		differ >>= s % WORD_BITS;
		if (differ) {
			s += __builtin_ctzll(differ);
			break;
		}
		s = (s / WORD_BITS + 1) * WORD_BITS;
	}
	return (s < end ? s : end) - sector;
}

void disk_overlay_mark(struct disk_overlay *ov, uint64_t sector, uint64_t count)
{
	uint64_t s = sector, end = sector + count;

	while (s < end) {
		unsigned int bit = s % WORD_BITS;
		uint64_t n =
			end - s < WORD_BITS - bit ? end - s : WORD_BITS - bit;
		uint64_t mask = n == WORD_BITS ? ~0ULL : (1ULL << n) - 1;

		ov->stored[s / WORD_BITS] |= mask << bit;
		s += n;
	}
}
