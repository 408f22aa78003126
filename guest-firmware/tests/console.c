// SPDX-License-Identifier: GPL-2.0-only
/*
 * console.c - talks through virtio-console port 0 (receiveq 0, transmitq
 * 1, no MULTIPORT).  Writes, through the transmitq:
 *     console: hello over virtio
 *     console: line 2 of 4
 *     console: chained buffers          (one request of two descriptors)
 *     console: long <5000 digits "0123456789..."> end
 *     console: echo ready
 * then echoes each received line as "echo: <line>" until the line "quit",
 * which it echoes too before "console: bye" and exit 0.  Diagnostics go to
 * the UART.
 */
#include "virtio.h"

#define RXQ 0
#define TXQ 1
#define QSIZE 32
#define NR_RX 16
#define RX_BYTES 256
#define LONG_DIGITS 5000
#define LINE_MAX 1024

static struct virtio_dev devs[VIRTIO_MAX_DEVS];
static struct virtio_dev *con;
static uint8_t rxbuf[NR_RX][RX_BYTES] __attribute__((aligned(64)));
static int rx_of_head[QSIZE]; /* which rxbuf a chain head carries */
static char txbuf[LONG_DIGITS + 64];
static char line[LINE_MAX];

static int fail(const char *what)
{
	rt_printf("console: FAIL %s\n", what);
	return 1;
}

/* One request of n buffers on the transmitq, waited for. */
static bool send_bufs(const struct virtio_buf *b, unsigned int n)
{
	struct virtq *q = &con->vq[TXQ];
	int head = virtq_submit(q, b, n);

	return head >= 0 && virtq_wait(q, NULL, VIRTIO_TIMEOUT_CYCLES) == head;
}

static bool send(const void *p, size_t len)
{
	struct virtio_buf b = { (void *)p, len, false };

	return send_bufs(&b, 1);
}

static bool sends(const char *s)
{
	return send(s, strlen(s));
}

static bool post_rx(unsigned int i)
{
	struct virtio_buf b = { rxbuf[i], RX_BYTES, true };
	int head = virtq_add(&con->vq[RXQ], &b, 1);

	if (head < 0)
		return false;
	rx_of_head[head] = i;
	return true;
}

/* Echo one complete line; true when it was "quit". */
static bool echo_line(size_t len)
{
	size_t n;

	if (len && line[len - 1] == '\r')
		len--;
	line[len] = '\0';
	n = rt_snprintf(txbuf, sizeof(txbuf), "echo: %s\n", line);
	if (n >= sizeof(txbuf))
		n = sizeof(txbuf) - 1;
	if (!send(txbuf, n))
		rt_exit(fail("echo"));
	return !strcmp(line, "quit");
}

int main(const struct boot_info *bi)
{
	static const char hello[] = "console: hello over virtio\n";
	static const char part1[] = "console: chained ", part2[] = "buffers\n";
	struct virtio_buf chain[2] = {
		{ (void *)part1, sizeof(part1) - 1, false },
		{ (void *)part2, sizeof(part2) - 1, false },
	};
	struct virtq *rxq;
	size_t len = 0, n;
	uint64_t wanted = 0, v;
	uint32_t got, k;
	unsigned int i;
	int nr, head;

	/* "event_idx=1": accept VIRTIO_F_EVENT_IDX, as Linux does. */
	if (rt_cmdline_u64(bi->cmdline, "event_idx", &v) && v)
		wanted |= VIRTIO_BIT(VIRTIO_F_EVENT_IDX);
	nr = virtio_discover(bi, devs, VIRTIO_MAX_DEVS);
	con = virtio_find(devs, nr, VIRTIO_ID_CONSOLE, 0);
	if (!con)
		return fail("no virtio-console device");
	rt_printf("console: device at 0x%lx irq %u (%s)\n",
		  (unsigned long)con->base, con->irq, con->found_by);
	if (virtio_init(con, wanted, 2, QSIZE))
		return fail("device init");
	rxq = &con->vq[RXQ];
	for (i = 0; i < NR_RX; i++)
		if (!post_rx(i))
			return fail("receive buffers");
	virtq_kick(rxq);

	if (!sends(hello) || !sends("console: line 2 of 4\n") ||
	    !send_bufs(chain, 2))
		return fail("transmit");
	n = rt_snprintf(txbuf, sizeof(txbuf), "console: long ");
	for (i = 0; i < LONG_DIGITS; i++)
		txbuf[n++] = '0' + i % 10;
	memcpy(txbuf + n, " end\n", 5);
	if (!send(txbuf, n + 5) || !sends("console: echo ready\n"))
		return fail("transmit");
	rt_printf("console: sent, echoing\n");

	for (;;) {
		head = virtq_wait(rxq, &got, 0);
		if (head < 0 || head >= QSIZE)
			return fail("receive");
		i = rx_of_head[head];
		if (got > RX_BYTES)
			got = RX_BYTES;
		for (k = 0; k < got; k++) {
			if (rxbuf[i][k] != '\n') {
				if (len < LINE_MAX - 1)
					line[len++] = rxbuf[i][k];
				continue;
			}
			if (echo_line(len)) {
				sends("console: bye\n");
				rt_printf("console: quit received\n");
				return 0;
			}
			len = 0;
		}
		if (!post_rx(i))
			return fail("receive buffers");
		virtq_kick(rxq);
	}
}
