// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_console_sink.c - guest console bytes on their way to the host
 * (src/host/console_sink.c): passed through, or collected into lines
 * with the VM's name in front (several VMs on one stdout).
 *
 * Input: u8 mode (bit 0: with a prefix), u8 prefix length and the prefix
 * (a VM name: no NUL byte), then writes as the devices make them: u16
 * length and the bytes, until the input ends; then the VM stops
 * (console_sink_destroy() flushes).  Output goes to a memfd.
 *
 * Checked: without a prefix the output is the input, byte for byte.
 * With one, the output is a sequence of pieces "prefix| " + text, each
 * text ending in its only '\n' or being a full SINK_LINE_MAX bytes
 * without one; joined, the texts are the input without its '\r' bytes,
 * plus a '\n' if the last line was left open.  Nothing is lost, nothing
 * added, no piece starts inside another.
 *
 * libFuzzer flags: -max_len=20000
 */
#include <stdbool.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "kvmux/console_sink.h"

#define SINK_LINE_MAX 4096 /* console_sink.c: longer lines are split */

static int out_fd = -1;
static uint8_t *want, *got;
static size_t want_cap, got_cap;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	out_fd = memfd_create("kvmux-fuzz-console", MFD_CLOEXEC);
	if (out_fd < 0)
		abort();
	return 0;
}

static uint8_t *grow(uint8_t *buf, size_t *cap, size_t need)
{
	if (need <= *cap)
		return buf;
	*cap = need * 2;
	buf = realloc(buf, *cap);
	if (!buf)
		abort();
	return buf;
}

/* What the sink wrote (up to the file offset), into got[]. */
static size_t read_output(void)
{
	off_t len = lseek(out_fd, 0, SEEK_CUR);

	got = grow(got, &got_cap, len + 1);
	if (len < 0 || pread(out_fd, got, len, 0) != len)
		abort();
	return len;
}

/* Split got[] into pieces and check each; returns the joined text. */
static size_t join_pieces(const char *prefix, size_t len)
{
	size_t plen = strlen(prefix), in = 0, out = 0, text;
	const uint8_t *nl;

	while (in < len) {
		FUZZ_CHECK(len - in > plen + 2 &&
			   !memcmp(got + in, prefix, plen) &&
			   !memcmp(got + in + plen, "| ", 2));
		in += plen + 2;
		nl = memchr(got + in, '\n', len - in);
		text = nl ? (size_t)(nl - (got + in)) + 1 : len - in;
		if (text > SINK_LINE_MAX || !nl)
			text = SINK_LINE_MAX;
		FUZZ_CHECK(text <= len - in);
		memmove(got + out, got + in, text);
		out += text;
		in += text;
	}
	return out;
}

/* Bytes of want[0..n) after its last '\n': the line left open. */
static size_t open_line(size_t n)
{
	const uint8_t *nl = memrchr(want, '\n', n);

	return nl ? n - (size_t)(nl + 1 - want) : n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	bool prefixed = fuzz_u8(&in) & 1;
	char *prefix = fuzz_str(&in, fuzz_u8(&in));
	struct console_sink *sink;
	size_t n = 0, len, i;
	const uint8_t *b;

	if (ftruncate(out_fd, 0) < 0 || lseek(out_fd, 0, SEEK_SET) != 0)
		abort();
	sink = console_sink_create(out_fd, prefixed ? prefix : NULL);
	FUZZ_CHECK(sink != NULL);
	want = grow(want, &want_cap, in.left + 1);
	while (in.left) {
		b = fuzz_bytes(&in, fuzz_u16(&in), &len);
		console_sink_write(sink, b, len);
		for (i = 0; i < len; i++)
			if (!prefixed || b[i] != '\r')
				want[n++] = b[i];
	}
	console_sink_destroy(sink);
	if (prefixed && open_line(n) % SINK_LINE_MAX)
		want[n++] = '\n';
	len = read_output();
	if (prefixed)
		len = join_pieces(prefix, len);
	FUZZ_CHECK(len == n && !memcmp(got, want, n));
	free(prefix);
	return 0;
}
