// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_console_sink.c - guest console bytes on their way to the host
 * (src/util/console_sink.c): passed through, or collected into lines
 * with the VM's name in front (several VMs on one stdout), through a real
 * out_stream into a memfd.
 *
 * Input: u8 mode (bit 0: with a prefix; bit 1: the last write is what
 * the device held when its VM stopped, handed over after
 * console_sink_last(), which takes all of it at once), u8 prefix length
 * and the prefix (a VM name: no NUL byte), then writes as the devices
 * make them: u16 length and the bytes, until the input ends; then the VM
 * stops (console_sink_flush(), the stream drained).
 *
 * Checked: without a prefix the output is the input, byte for byte.
 * With one, the output is a sequence of lines "prefix| " + text + '\n'
 * with at most CONSOLE_SINK_LINE_MAX bytes of text; their texts, newlines
 * left out, are the input without its '\r' and '\n' bytes.  Nothing is
 * lost, nothing added but newlines where long lines were cut.
 *
 * libFuzzer flags: -max_len=20000
 * smoke runs: 1500
 */
#include <sched.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "kvmux/console_sink.h"
#include "kvmux/out_stream.h"

#define DRAIN_NS 10000000000ull /* a memfd never blocks: a bound only */

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

/* Check got[]'s lines; returns their texts joined, newlines left out. */
static size_t join_lines(const char *prefix, size_t len)
{
	size_t plen = strlen(prefix), in = 0, out = 0, text;
	const uint8_t *nl;

	if (plen > CONSOLE_SINK_PREFIX_MAX)
		plen = CONSOLE_SINK_PREFIX_MAX; /* the sink cuts it */
	while (in < len) {
		FUZZ_CHECK(len - in > plen + 2 &&
			   !memcmp(got + in, prefix, plen) &&
			   !memcmp(got + in + plen, "| ", 2));
		in += plen + 2;
		nl = memchr(got + in, '\n', len - in);
		FUZZ_CHECK(nl != NULL); /* every line is ended */
		text = nl - (got + in);
		FUZZ_CHECK(text <= CONSOLE_SINK_LINE_MAX);
		memmove(got + out, got + in, text);
		out += text;
		in += text + 1;
	}
	return out;
}

/* Offer everything: a full stream takes less, and has room again soon. */
static void write_all(struct console_sink *sink, const uint8_t *b, size_t len)
{
	size_t done = 0;

	while (done < len) {
		done += console_sink_write(sink, b + done, len - done);
		if (done < len)
			sched_yield();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	uint8_t mode = fuzz_u8(&in);
	bool prefixed = mode & 1, hand_over = mode & 2;
	char *prefix = fuzz_str(&in, fuzz_u8(&in));
	struct console_sink *sink;
	struct out_stream *out;
	size_t n = 0, len, i;
	const uint8_t *b;

	if (ftruncate(out_fd, 0) < 0 || lseek(out_fd, 0, SEEK_SET) != 0)
		abort();
	out = out_stream_create(out_fd, NULL, NULL);
	FUZZ_CHECK(out != NULL);
	sink = console_sink_create(out, prefixed ? prefix : NULL);
	FUZZ_CHECK(sink != NULL);
	want = grow(want, &want_cap, in.left + 1);
	while (in.left) {
		b = fuzz_bytes(&in, fuzz_u16(&in), &len);
		if (hand_over && !in.left) {
			console_sink_last(sink);
			FUZZ_CHECK(console_sink_write(sink, b, len) == len);
		} else {
			write_all(sink, b, len);
		}
		for (i = 0; i < len; i++)
			if (!prefixed || (b[i] != '\r' && b[i] != '\n'))
				want[n++] = b[i];
	}
	console_sink_flush(sink);
	FUZZ_CHECK(out_stream_drain(out, out_stream_now_ns() + DRAIN_NS, -1) ==
		   0);
	console_sink_destroy(sink);
	FUZZ_CHECK(out_stream_close(out) == 0);
	len = read_output();
	if (prefixed)
		len = join_lines(prefix, len);
	FUZZ_CHECK(len == n && !memcmp(got, want, n));
	free(prefix);
	return 0;
}
