/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * disk_format.h - which disk image format a file is in, from its first
 * and last sector (host/disk_format.c).  kvmux serves raw images only;
 * this names the formats a raw disk must not be mistaken for, so the
 * guest never reads an image's metadata as its data.
 *
 * Recognised, by the signatures of each format's specification:
 *
 *   qcow, qcow2  "QFI\xfb" at 0, big-endian version 1 (qcow) or 2-3
 *                (QEMU's docs/interop/qcow2.txt)
 *   QED          "QED\0" at 0 (QEMU's docs/interop/qed_spec.txt)
 *   VMDK         a sparse extent: "KDMV" at 0 with little-endian version
 *                1-3 (VMware's Virtual Disk Format 5.0, hosted sparse
 *                extent header), or "COWD" (ESX sparse); a descriptor
 *                file: "# Disk DescriptorFile" at 0
 *   VHD          the hard disk footer: cookie "conectix", version
 *                0x00010000, disk type 2-4 (big-endian, Microsoft's VHD
 *                Image Format Specification 1.0): in the last 512 bytes,
 *                or its copy at 0 in dynamic and differencing disks
 *   VHDX         the file type identifier "vhdxfile" at 0 (MS-VHDX 2.2.1)
 *   VDI          signature 0xbeda107f (little-endian) at 0x40
 *
 * Bytes like these anywhere else in a raw image mean nothing: only the
 * places above are looked at.
 */
#ifndef KVMUX_DISK_FORMAT_H
#define KVMUX_DISK_FORMAT_H

#include <stddef.h>
#include <stdint.h>

/* Bytes of the head (and of the tail) that the signatures lie in. */
#define DISK_FORMAT_PROBE_BYTES 512

/*
 * The format of an image whose first head_len bytes are head and whose
 * last tail_len bytes are tail (each at most DISK_FORMAT_PROBE_BYTES; less
 * for a smaller image; tail may be NULL when tail_len is 0).  Returns the
 * format's name as above ("qcow2", "VMDK", "VHD", ...), or NULL for
 * anything else: a raw image.
 */
const char *disk_format_name(const uint8_t *head, size_t head_len,
			     const uint8_t *tail, size_t tail_len);

/*
 * The same for the image open on fd, of size bytes: reads its first and
 * last DISK_FORMAT_PROBE_BYTES.  0 with *name set (NULL: raw), or -1 with
 * errno set if it cannot be read.
 */
int disk_format_probe(int fd, uint64_t size, const char **name);

/*
 * For a message: the command that converts the image at path into a raw
 * one beside it, "qemu-img convert -O raw PATH PATH.raw".  A path with
 * anything but letters, digits and "%+,-./:=@_" is in single quotes for a
 * POSIX shell (XCU 2.2.2), each quote in it written '\''.  Writes it to
 * buf (size > 0 bytes; cut short if longer) and returns buf.
 */
const char *disk_format_convert_command(char *buf, size_t size,
					const char *path);

#endif
