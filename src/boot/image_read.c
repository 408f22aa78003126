// SPDX-License-Identifier: GPL-2.0-only
/*
 * image_read.c - boot_image_read(): read of a kernel image the bytes the
 * loaders look at (kvmux/boot.h).
 *
 * A vmlinux with debug information is mostly bytes no loader reads: they
 * are left out, as zeros in an anonymous mapping that costs memory only
 * where it is written.  Which bytes the loaders read is what elf_pvh.c,
 * elf_load.c and multiboot.c look at: this may read more, never less (a
 * byte left out would be a zero where the file has something else).
 * tests/unit/test_boot_read.c checks that with an image whose tables,
 * segments and notes lie past the first 64 KiB; the fuzz targets load
 * through here too, but their images are smaller and so read whole.
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

struct image_reader {
	boot_read_fn *read;
	void *ctx;
	uint8_t *buf;
	uint64_t len;
};

struct range {
	uint64_t off, len;
};

/* A range of the file; one that runs past its end is the loader's to
 * refuse and is not read. */
static void add_range(struct range *r, unsigned int *n, uint64_t off,
		      uint64_t len, uint64_t file_len)
{
	if (len && buf_has(file_len, off, len))
		r[(*n)++] = (struct range){ off, len };
}

static int by_offset(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

/* Read the ranges, each byte once: a hostile file's 65535 program
 * headers that all cover the whole file cost one read of it. */
static int read_ranges(const struct image_reader *ir, struct range *r,
		       unsigned int n)
{
	uint64_t start, end;
	unsigned int i = 0;

	qsort(r, n, sizeof(*r), by_offset);
	while (i < n) {
		start = r[i].off;
		end = r[i].off + r[i].len;
		for (i++; i < n && r[i].off <= end; i++)
			if (r[i].off + r[i].len > end)
				end = r[i].off + r[i].len;
		if (ir->read(ir->ctx, ir->buf + start, start, end - start))
			return -1;
	}
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

/* The header tables, then what they point at. */
static int read_elf(const struct image_reader *ir)
{
	struct elf_segment seg;
	struct elf_section sec;
	struct elf_file ef;
	struct range *r;
	unsigned int i, n = 0;
	bool sections;
	int rc = -1;

	/* A header the loaders refuse: they read no more than its bytes. */
	if (elf_open(&ef, ir->buf, ir->len))
		return 0;
	sections = ef.shoff && ef.shnum && !elf_check_section_headers(&ef);
	r = malloc(((size_t)ef.phnum + ef.shnum + 2) * sizeof(*r));
	if (!r)
		return err_host("out of memory");
	add_range(r, &n, ef.phoff, (uint64_t)ef.phnum * ef.phentsize, ir->len);
	if (sections)
		add_range(r, &n, ef.shoff, (uint64_t)ef.shnum * ef.shentsize,
			  ir->len);
	if (read_ranges(ir, r, n))
		goto out;
	n = 0;
	for (i = 0; i < ef.phnum; i++) {
		elf_segment(&ef, i, &seg);
		if (seg.type == PT_LOAD || seg.type == PT_NOTE)
			add_range(r, &n, seg.offset, seg.filesz, ir->len);
	}
	for (i = 0; sections && i < ef.shnum; i++) {
		elf_section(&ef, i, &sec);
		if (sec.type == SHT_NOTE)
			add_range(r, &n, sec.offset, sec.size, ir->len);
	}
	rc = read_ranges(ir, r, n);
out:
	free(r);
	return rc;
}

int boot_image_read(boot_read_fn *read_fn, void *ctx, uint64_t len,
		    uint8_t **buf)
{
	struct image_reader ir = { .read = read_fn, .ctx = ctx, .len = len };
	uint64_t prefix = len < PREFIX_BYTES ? len : PREFIX_BYTES;
	void *p;

	*buf = NULL;
	if (!len || len > SIZE_MAX)
		return err_set("a kernel image of %llu bytes cannot be loaded",
			       (unsigned long long)len);
	/* Pages never written read as zero and cost nothing. */
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return err_set_errno("no memory for a kernel image of %llu "
				     "bytes",
				     (unsigned long long)len);
	ir.buf = p;
	if (read_fn(ctx, ir.buf, 0, prefix) ||
	    (loaded_by_headers(ir.buf, len) ?
		     read_elf(&ir) :
		     read_fn(ctx, ir.buf + prefix, prefix, len - prefix))) {
		munmap(p, len);
		return -1;
	}
	*buf = ir.buf;
	return 0;
}

void boot_image_free(uint8_t *buf, uint64_t len)
{
	if (buf)
		munmap(buf, len);
}
