/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio_blk.h - a virtio block device backed by a raw image file.
 *
 * Opening is separate from attaching so that a bad image (missing, locked
 * by another kvmux, of a size that is not whole sectors) is reported as
 * bad input before any VM exists.
 */
#ifndef KVMUX_VIRTIO_BLK_H
#define KVMUX_VIRTIO_BLK_H

#include <stdint.h>

#include "kvmux/config.h"

struct vm;
struct platform;
struct virtio_blk;

/* Open and lock the image (shared lock if read-only, else exclusive). */
struct virtio_blk *virtio_blk_open(const struct disk_config *disk);
/* Put the device on the VM's next virtio-mmio window. */
int virtio_blk_attach(struct virtio_blk *blk, struct vm *vm,
		      struct platform *p);
int virtio_blk_start(struct virtio_blk *blk);
/* Stop the I/O thread; -1 if it did not end by deadline_ns (monotonic:
 * a request stuck in host I/O): the device must then not be destroyed. */
int virtio_blk_stop(struct virtio_blk *blk, uint64_t deadline_ns);
/* Stops the I/O thread, closes the image (releasing the lock). */
void virtio_blk_destroy(struct virtio_blk *blk);

#endif
