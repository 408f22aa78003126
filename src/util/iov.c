// SPDX-License-Identifier: GPL-2.0-only
/* iov.c - advancing an iovec after a short transfer (kvmux/iov.h) */
#include <stdint.h>

#include "kvmux/iov.h"

void iov_advance(struct iovec **iov, int *n, size_t done)
{
	while (*n > 0 && done >= (*iov)->iov_len) {
		done -= (*iov)->iov_len;
		(*iov)++;
		(*n)--;
	}
	if (*n > 0) {
		(*iov)->iov_base = (uint8_t *)(*iov)->iov_base + done;
		(*iov)->iov_len -= done;
	}
}
