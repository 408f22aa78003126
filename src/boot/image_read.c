// SPDX-License-Identifier: GPL-2.0-only
/*
 * image_read.c - boot_image_read(): read of a kernel image what the
 * loaders parse (kvmux/boot.h).
 *
 * The loaders copy a kernel's bulk (ELF segments, a bzImage's kernel, a
 * flat multiboot image) from the file straight to guest memory once they
 * have checked where it goes (boot_files.kernel_read), so the buffer
 * holds only what they parse: the first 64 KiB, and of an ELF kernel its
 * header tables and notes.  A file that is no kernel at all, however
 * large, costs 64 KiB.  Which bytes the loaders parse is what elf_pvh.c,
 * elf_load.c, bzimage.c and multiboot.c look at: this may read more,
 * never less (a byte left out would be a zero, or past the buffer).
 * tests/unit/test_boot_read.c checks that with an image whose tables,
 * segments and notes lie past the first 64 KiB; the fuzz targets load
 * through here too.
 */
#include <elf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "kvmux/boot.h"
#include "kvmux/boot_common.h"
#include "kvmux/elf_pvh.h"
#include "kvmux/error.h"
#include "kvmux/multiboot.h"

/*
 * Read first, of every image: what tells the formats apart (8 KiB),
 * multiboot_diagnose()'s 64 KiB and the ELF header.
 */
#define PREFIX_BYTES MB_DIAGNOSE_BYTES
_Static_assert(PREFIX_BYTES >= MB_SEARCH_BYTES &&
		       PREFIX_BYTES >= sizeof(Elf64_Ehdr),
	       "the prefix holds what image_detect() looks at");

struct range {
	uint64_t off, len;
};

/* Read already: the prefix and the two header tables. */
#define MAX_DONE 3

struct image_reader {
	boot_read_fn *read;
	void *ctx;
	uint8_t *buf;
	size_t buf_len; /* bytes of the file buf holds room for */
	size_t map_len; /* buf_len rounded up to pages: readable, writable */
	size_t reserved; /* buf's address range: map_len, then the file's */
	uint64_t len; /* of the file */
	uint64_t max; /* the largest table or note the loaders parse */
	struct range done[MAX_DONE]; /* by offset; they may overlap */
	unsigned int nr_done;
};

/*
 * A range of the file the loaders parse; one that runs past the end of
 * the file, or is larger than they accept, is theirs to refuse and is not
 * read.
 */
static void add_range(const struct image_reader *ir, struct range *r,
		      unsigned int *n, uint64_t off, uint64_t len)
{
	if (len && len <= ir->max && buf_has(ir->len, off, len))
		r[(*n)++] = (struct range){ off, len };
}

static int by_offset(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

/*
 * Move buf into a range as long as the file, reserved without access (not
 * charged to the commit limit), where it then grows in place: the first
 * growth past the prefix copies the prefix there, once.  Not mremap(),
 * which ThreadSanitizer does not follow (it then reports the reads of two
 * boards prepared side by side as a race).
 */
static int reserve_file(struct image_reader *ir)
{
	size_t page = BOOT_PAGE_SIZE;
	size_t reserved = (ir->len + page - 1) & ~(page - 1);
	void *p = mmap(NULL, reserved, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED ||
	    mprotect(p, ir->map_len, PROT_READ | PROT_WRITE) < 0) {
		if (p != MAP_FAILED)
			munmap(p, reserved);
		return err_set_errno("no address space for a kernel image of "
				     "%llu bytes",
				     (unsigned long long)ir->len);
	}
	memcpy(p, ir->buf, ir->buf_len);
	munmap(ir->buf, ir->reserved);
	ir->buf = p;
	ir->reserved = reserved;
	return 0;
}

/* Room in buf for the file up to end; pages never written cost nothing. */
static int grow(struct image_reader *ir, uint64_t end)
{
	size_t page = BOOT_PAGE_SIZE, map_len;

	if (end <= ir->buf_len)
		return 0;
	map_len = (end + page - 1) & ~(page - 1); /* end <= len <= SIZE_MAX */
	if (map_len > ir->reserved && reserve_file(ir) < 0)
		return -1;
	if (map_len > ir->map_len) {
		if (mprotect(ir->buf + ir->map_len, map_len - ir->map_len,
			     PROT_READ | PROT_WRITE) < 0)
			return err_set_errno("no memory for %llu bytes of a "
					     "kernel image's headers",
					     (unsigned long long)end);
		ir->map_len = map_len;
	}
	ir->buf_len = end;
	return 0;
}

/* Read [start, end) but for what is read already. */
static int read_new(const struct image_reader *ir, uint64_t start, uint64_t end)
{
	uint64_t stop;
	unsigned int i;

	for (i = 0; start < end; i++) {
		stop = i < ir->nr_done && ir->done[i].off < end ?
			       ir->done[i].off :
			       end;
		if (start < stop &&
		    ir->read(ir->ctx, ir->buf + start, start, stop - start))
			return -1;
		if (i == ir->nr_done)
			break;
		if (ir->done[i].off + ir->done[i].len > start)
			start = ir->done[i].off + ir->done[i].len;
	}
	return 0;
}

/*
 * Read the ranges, each byte once: a hostile file's 65535 program
 * headers that all cover the same notes cost one read of them, and
 * nothing of the prefix or the header tables, read already, is read
 * again.  With remember, what was read is added to what is read already
 * (at most MAX_DONE ranges in all).
 */
static int read_ranges(struct image_reader *ir, struct range *r, unsigned int n,
		       bool remember)
{
	struct range merged[MAX_DONE];
	uint64_t start, end, last = 0;
	unsigned int i, nr_merged = 0;

	for (i = 0; i < n; i++)
		if (r[i].off + r[i].len > last)
			last = r[i].off + r[i].len;
	if (grow(ir, last))
		return -1;
	qsort(r, n, sizeof(*r), by_offset);
	i = 0;
	while (i < n) {
		start = r[i].off;
		end = r[i].off + r[i].len;
		for (i++; i < n && r[i].off <= end; i++)
			if (r[i].off + r[i].len > end)
				end = r[i].off + r[i].len;
		if (read_new(ir, start, end))
			return -1;
		if (remember)
			merged[nr_merged++] =
				(struct range){ start, end - start };
	}
	/* Overlaps with done do not matter to read_new(): keep sorted. */
	for (i = 0; i < nr_merged; i++)
		ir->done[ir->nr_done++] = merged[i];
	qsort(ir->done, ir->nr_done, sizeof(ir->done[0]), by_offset);
	return 0;
}

/* An ELF file the loaders read by its program headers: a PVH kernel, or
 * a multiboot one whose header has no address fields (flag 16). */
static bool loaded_by_headers(const uint8_t *buf, size_t len)
{
	size_t off;
	uint32_t flags;

	if (len < SELFMAG || memcmp(buf, ELFMAG, SELFMAG))
		return false;
	switch (image_detect(buf, len)) {
	case IMAGE_ELF:
		return true;
	case IMAGE_MULTIBOOT:
		if (!multiboot_find(buf, len, &off))
			return false;
		memcpy(&flags, buf + off + 4, sizeof(flags)); /* x86: LE */
		return !(flags & MB_AOUT_KLUDGE);
	default:
		return false;
	}
}

/* The header tables, then the notes they point at. */
/*
 * A note within the file, while the notes' budget of max in all lasts
 * (*left: boot_check_elf_sizes() refuses more, and a note past the end of
 * the file is the loaders' to refuse).
 */
static void add_note(const struct image_reader *ir, struct range *r,
		     unsigned int *n, uint64_t *left, uint64_t off,
		     uint64_t len)
{
	if (!buf_has(ir->len, off, len))
		return;
	if (len > *left) {
		*left = 0;
		return;
	}
	*left -= len;
	add_range(ir, r, n, off, len);
}

static int read_elf(struct image_reader *ir)
{
	uint64_t notes_left = ir->max;
	struct elf_segment seg;
	struct elf_section sec;
	struct elf_file ef;
	struct range *r;
	unsigned int i, n = 0;
	bool segments, sections;
	int rc = -1;

	/* A header the loaders refuse: they parse no more than its bytes. */
	if (elf_open(&ef, ir->buf, ir->len))
		return 0;
	/* As boot_check_elf_sizes(): a table larger than max is refused. */
	segments = (uint64_t)ef.phnum * ef.phentsize <= ir->max;
	sections = ef.shoff && ef.shnum && !elf_check_section_headers(&ef) &&
		   (uint64_t)ef.shnum * ef.shentsize <= ir->max;
	r = malloc(((size_t)ef.phnum + ef.shnum + 2) * sizeof(*r));
	if (!r)
		return err_host("out of memory");
	if (segments)
		add_range(ir, r, &n, ef.phoff,
			  (uint64_t)ef.phnum * ef.phentsize);
	if (sections)
		add_range(ir, r, &n, ef.shoff,
			  (uint64_t)ef.shnum * ef.shentsize);
	if (read_ranges(ir, r, n, true))
		goto out;
	ef.buf = ir->buf; /* it may have moved */
	n = 0;
	for (i = 0; segments && i < ef.phnum; i++) {
		elf_segment(&ef, i, &seg);
		if (seg.type == PT_NOTE)
			add_note(ir, r, &n, &notes_left, seg.offset,
				 seg.filesz);
	}
	for (i = 0; sections && i < ef.shnum; i++) {
		elf_section(&ef, i, &sec);
		if (sec.type == SHT_NOTE)
			add_note(ir, r, &n, &notes_left, sec.offset, sec.size);
	}
	rc = read_ranges(ir, r, n, false);
out:
	free(r);
	return rc;
}

int boot_image_read(boot_read_fn *read_fn, void *ctx, uint64_t len,
		    uint64_t max, uint8_t **buf, size_t *buf_len)
{
	struct image_reader ir = {
		.read = read_fn, .ctx = ctx, .len = len, .max = max
	};
	uint64_t prefix;
	void *p;

	*buf = NULL;
	*buf_len = 0;
	if (!len || len > SIZE_MAX - BOOT_PAGE_SIZE)
		return err_set("a kernel image of %llu bytes cannot be loaded",
			       (unsigned long long)len);
	prefix = len < PREFIX_BYTES ? len : PREFIX_BYTES;
	ir.done[ir.nr_done++] = (struct range){ 0, prefix };
	ir.map_len = (prefix + BOOT_PAGE_SIZE - 1) & ~(BOOT_PAGE_SIZE - 1);
	p = mmap(NULL, ir.map_len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return err_set_errno("no memory for a kernel image's first "
				     "%llu bytes",
				     (unsigned long long)prefix);
	ir.buf = p;
	ir.buf_len = prefix;
	ir.reserved = ir.map_len;
	if (read_fn(ctx, ir.buf, 0, prefix) ||
	    (loaded_by_headers(ir.buf, prefix) && read_elf(&ir))) {
		munmap(ir.buf, ir.reserved);
		return -1;
	}
	/* What was never made writable goes: boot_image_free() takes
	 * buf_len, within map_len. */
	if (ir.reserved > ir.map_len)
		munmap(ir.buf + ir.map_len, ir.reserved - ir.map_len);
	*buf = ir.buf;
	*buf_len = ir.buf_len;
	return 0;
}

void boot_image_free(uint8_t *buf, size_t buf_len)
{
	if (buf)
		munmap(buf, buf_len);
}
