/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * iov.h - helpers for scatter-gather transfers that may be short.
 */
#ifndef KVMUX_IOV_H
#define KVMUX_IOV_H

#include <stddef.h>
#include <sys/uio.h>

/*
 * Drop the first done bytes from the vector *iov of *n entries (after a
 * short readv/writev), advancing *iov and *n; the entry left partly done
 * is trimmed in place.
 */
void iov_advance(struct iovec **iov, int *n, size_t done);

#endif
