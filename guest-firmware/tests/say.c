// SPDX-License-Identifier: GPL-2.0-only
/*
 * say.c - prints what its command line asks for, so host tests can put a
 * chosen line on the console (kvmux's --fail-on, --console-log,
 * --timestamps):
 *
 *   say=TEXT     the text; %XX is the byte XX (hex), so "%0a" is a
 *                newline and "%20" a blank (the command line ends a
 *                value at a blank)
 *   endless=N    first N bytes of 'x' with no newline: the text's first
 *                line continues that line (default 0)
 *   split=N      hand the bytes over in pieces of N (1 to 4096; default
 *                4096): on virtio-console one request per piece, so a
 *                line reaches the host in pieces
 *   dev=uart     the UART (default), or dev=virtio: virtio-console port 0
 *   exit=N       then exit with N (default 0); spin=1: spin for ever
 *                instead (for a host that stops it)
 *
 * A bad command line prints "say: FAIL <what>" and exits 1.
 */
#include "virtio.h"

#define CHUNK 4096

static struct virtio_dev devs[VIRTIO_MAX_DEVS];
static struct virtio_dev *con;
static char buf[CHUNK] __attribute__((aligned(64)));
static size_t used;
static uint64_t split = CHUNK;

static int fail(const char *what)
{
	rt_printf("say: FAIL %s\n", what);
	return 1;
}

static bool flush(void)
{
	struct virtio_buf b = { buf, used, false };
	struct virtq *q;
	size_t i;
	int head;

	if (!used)
		return true;
	if (!con) {
		for (i = 0; i < used; i++)
			rt_putc(buf[i]);
		used = 0;
		return true;
	}
	q = &con->vq[1];
	head = virtq_submit(q, &b, 1);
	used = 0;
	return head >= 0 && virtq_wait(q, NULL, 0) == head;
}

static bool emit(char c)
{
	buf[used++] = c;
	return used < split || flush();
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The text of say=, %XX decoded; false if the transmit failed or a %
 * is not followed by two hex digits (*bad set). */
static bool say(const char *text, size_t len, bool *bad)
{
	size_t i;

	for (i = 0; i < len; i++) {
		char c = text[i];

		if (c == '%') {
			if (i + 2 >= len || hex_digit(text[i + 1]) < 0 ||
			    hex_digit(text[i + 2]) < 0)
				return !(*bad = true);
			c = hex_digit(text[i + 1]) << 4 |
			    hex_digit(text[i + 2]);
			i += 2;
		}
		if (!emit(c))
			return false;
	}
	return true;
}

static int open_virtio(const struct boot_info *bi)
{
	int nr = virtio_discover(bi, devs, VIRTIO_MAX_DEVS);

	con = virtio_find(devs, nr, VIRTIO_ID_CONSOLE, 0);
	return con && !virtio_init(con, 0, 2, 8) ? 0 : -1;
}

int main(const struct boot_info *bi)
{
	uint64_t endless = 0, status = 0, spin = 0, n;
	const char *text;
	size_t len = 0;
	char dev[8] = "uart";
	bool bad = false;

	rt_cmdline_u64(bi->cmdline, "endless", &endless);
	rt_cmdline_u64(bi->cmdline, "split", &split);
	rt_cmdline_u64(bi->cmdline, "exit", &status);
	rt_cmdline_u64(bi->cmdline, "spin", &spin);
	rt_cmdline_str(bi->cmdline, "dev", dev, sizeof(dev));
	text = rt_cmdline_find(bi->cmdline, "say", &len);
	if (!split || split > CHUNK || status > 255)
		return fail("split= is 1 to 4096, exit= 0 to 255");
	if (!strcmp(dev, "virtio") && open_virtio(bi) < 0)
		return fail("no virtio-console");
	for (n = 0; n < endless; n++)
		if (!emit('x'))
			return fail("transmit");
	if ((text && !say(text, len, &bad)) || !flush())
		return fail(bad ? "a % without two hex digits" : "transmit");
	while (spin)
		asm volatile("" : : : "memory");
	return status;
}
