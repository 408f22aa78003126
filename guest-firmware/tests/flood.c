// SPDX-License-Identifier: GPL-2.0-only
/*
 * flood.c - console output as fast as the console takes it, in lines a
 * host test can check one by one.
 *
 * Line n (from 0) is "flood <n, 8 digits> " followed by the letter
 * 'a' + n % 26 repeated to make it len bytes with its "\n" ("len=",
 * default 64, 24 to 1024).  "lines=N" lines (0 or absent: forever), then
 * "flood: done <N> lines" and exit 0.  "dev=uart" (default) writes to the
 * UART, "dev=virtio" to virtio-console port 0, several lines per request
 * ("chunk=" bytes or so, default 4096, up to 1 MiB), waiting as long as
 * the host takes (a slow reader stalls the guest).
 */
#include "virtio.h"

#define MIN_LEN 24
#define MAX_LEN 1024
#define CHUNK 4096
#define MAX_CHUNK (1024 * 1024)

static struct virtio_dev devs[VIRTIO_MAX_DEVS];
static struct virtio_dev *con;
static char buf[MAX_CHUNK + MAX_LEN] __attribute__((aligned(64)));

static int fail(const char *what)
{
	rt_printf("flood: FAIL %s\n", what);
	return 1;
}

static size_t make_line(char *p, uint64_t n, uint64_t len)
{
	size_t i = rt_snprintf(p, MAX_LEN, "flood %08lu ", (unsigned long)n);

	while (i < len - 1)
		p[i++] = 'a' + n % 26;
	p[i++] = '\n';
	return i;
}

static bool virtio_send(const char *p, size_t n)
{
	struct virtio_buf b = { (void *)p, n, false };
	struct virtq *q = &con->vq[1];
	int head = virtq_submit(q, &b, 1);

	return head >= 0 && virtq_wait(q, NULL, 0) == head;
}

static bool put(const char *p, size_t n)
{
	size_t i;

	if (con)
		return virtio_send(p, n);
	for (i = 0; i < n; i++)
		rt_putc(p[i]);
	return true;
}

int main(const struct boot_info *bi)
{
	uint64_t lines = 0, len = 64, chunk = CHUNK, n = 0;
	char dev[8] = "uart";
	size_t used = 0;
	int nr;

	rt_cmdline_u64(bi->cmdline, "lines", &lines);
	rt_cmdline_u64(bi->cmdline, "len", &len);
	rt_cmdline_u64(bi->cmdline, "chunk", &chunk);
	rt_cmdline_str(bi->cmdline, "dev", dev, sizeof(dev));
	if (len < MIN_LEN || len > MAX_LEN)
		return fail("len= must be 24 to 1024");
	if (!chunk || chunk > MAX_CHUNK)
		return fail("chunk= must be 1 to 1048576");
	if (!strcmp(dev, "virtio")) {
		nr = virtio_discover(bi, devs, VIRTIO_MAX_DEVS);
		con = virtio_find(devs, nr, VIRTIO_ID_CONSOLE, 0);
		if (!con || virtio_init(con, 0, 2, 8))
			return fail("no virtio-console");
	}
	for (n = 0; !lines || n < lines; n++) {
		used += make_line(buf + used, n, len);
		if (used >= chunk || (lines && n + 1 == lines)) {
			if (!put(buf, used))
				return fail("transmit");
			used = 0;
		}
	}
	used = rt_snprintf(buf, sizeof(buf), "flood: done %lu lines\n",
			   (unsigned long)n);
	return put(buf, used) ? 0 : fail("transmit");
}
