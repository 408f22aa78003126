// SPDX-License-Identifier: GPL-2.0-only
/*
 * big_request.c - a hostile driver: one virtio-console transmit request
 * that names guest RAM many times over, "n=" buffers (default 128, the
 * queue's size) of "mb=" MiB each (default 200), every one at 1 MiB
 * (the kernel's own bytes), then waits for it to come back.  A host
 * side that takes none of it (a reader that does not read) holds the
 * request until the VM stops; what kvmux then hands over of it must stay
 * bounded (its end must not wait for n * mb MiB to be looked at).
 */
#include "virtio.h"

#define QSIZE 128

static struct virtio_dev devs[VIRTIO_MAX_DEVS];
static struct virtio_buf bufs[QSIZE];

int main(const struct boot_info *bi)
{
	uint64_t n = QSIZE, mb = 200, i;
	struct virtio_dev *con;
	int nr;

	rt_cmdline_u64(bi->cmdline, "n", &n);
	rt_cmdline_u64(bi->cmdline, "mb", &mb);
	if (!n || n > QSIZE || !mb || mb > 4095) {
		rt_printf("big_request: FAIL n= 1 to 128, mb= 1 to 4095\n");
		return 1;
	}
	nr = virtio_discover(bi, devs, VIRTIO_MAX_DEVS);
	con = virtio_find(devs, nr, VIRTIO_ID_CONSOLE, 0);
	if (!con || virtio_init(con, 0, 2, QSIZE)) {
		rt_printf("big_request: FAIL no virtio-console\n");
		return 1;
	}
	for (i = 0; i < n; i++)
		bufs[i] = (struct virtio_buf){ (void *)0x100000,
					       (uint32_t)(mb << 20), false };
	if (virtq_submit(&con->vq[1], bufs, n) < 0) {
		rt_printf("big_request: FAIL submit\n");
		return 1;
	}
	virtq_wait(&con->vq[1], NULL, 0);
	return 0;
}
