/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * disk_overlay.h - a throwaway copy-on-write layer over a disk image
 * (host/disk_overlay.c), for --disk snapshot=on: the guest's writes go to
 * a store of the overlay's own, its reads of sectors it wrote come back
 * from there, and the image is never written.
 *
 * The store is a file in $TMPDIR (else /tmp) that has no name from the
 * start (O_TMPFILE; on file systems without it, a file unlinked as soon
 * as it is made), so it disappears with the process however that ends.
 * It is sparse and as large as the disk: sector s of the disk is at byte
 * 512 * s of the store, so it never holds more than the disk does.  Which
 * sectors are in the store is one bit per sector in memory (a 64 GiB
 * disk: 16 MiB at most, of which only the parts covering written sectors
 * are ever touched).
 *
 * The overlay does no I/O of its own: the caller writes the store's file
 * (fd) and then marks the sectors it wrote.  One thread at a time.
 */
#ifndef KVMUX_DISK_OVERLAY_H
#define KVMUX_DISK_OVERLAY_H

#include <stdbool.h>
#include <stdint.h>

#define DISK_OVERLAY_SECTOR 512ULL

struct disk_overlay {
	int fd; /* the store; -1: none */
	uint64_t sectors; /* of the disk */
	uint64_t *stored; /* bit s: sector s is in the store */
	const char *dir; /* where the store is, for messages */
};

/*
 * Make the store for a disk of sectors 512-byte sectors (at least 1);
 * image names the disk in errors.  0, or -1 with err_host() (a $TMPDIR
 * that is missing, not writable, or cannot hold a file of the disk's
 * size; out of memory).
 */
int disk_overlay_open(struct disk_overlay *ov, uint64_t sectors,
		      const char *image);

/* Close the store (its space is freed); ov may be all zero but fd -1. */
void disk_overlay_close(struct disk_overlay *ov);

/*
 * The run of sectors from sector on, at most count (at least 1), that
 * are alike: returns its length and sets *stored (true: all of them are
 * in the store, false: none).  [sector, sector + count) must lie within
 * the disk.
 */
uint64_t disk_overlay_extent(const struct disk_overlay *ov, uint64_t sector,
			     uint64_t count, bool *stored);

/* From now on [sector, sector + count) (within the disk) is read from
 * the store. */
void disk_overlay_mark(struct disk_overlay *ov, uint64_t sector,
		       uint64_t count);

#endif
