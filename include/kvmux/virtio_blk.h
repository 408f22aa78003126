/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio_blk.h - virtio block devices backed by raw images: a device kind
 * (kvmux/device.h), one instance per disk of the VM's settings
 * (struct disk_config, kvmux/config.h).
 *
 * The image is opened and locked (shared if read-only or a snapshot, else
 * exclusive) when the instance is opened, before any VM exists, so a bad
 * image (missing, read-only without readonly=on, in another format than
 * raw (kvmux/disk_format.h), of a size that is not whole sectors) is
 * reported as bad input.  An image another process or VM has locked, and
 * a snapshot's store (kvmux/disk_overlay.h) that cannot be made then, are
 * the host's errors.
 */
#ifndef KVMUX_VIRTIO_BLK_H
#define KVMUX_VIRTIO_BLK_H

/* The GET_ID string: the disk's serial, at most this many bytes. */
#define VIRTIO_BLK_ID_BYTES 20

extern const struct device_kind virtio_blk_kind;

#endif
