// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_bzimage.c - the bzImage loader (src/boot/bzimage.c) through
 * boot_load(), and everything board.c writes after it (fuzz_boot.h).
 *
 * Input: the fuzz_boot.h header, then a bzImage.  Seeds: the guest
 * firmware's bzImages, shortened, and variants of their setup header.
 * ELF images are left to fuzz_pvh.
 */
#include "fuzz_boot.h"
#include "kvmux/bzimage.h"

/* What the setup header of the image says, as the boot protocol reads
 * it: fields past the header's end (0x202 + the jump's offset) are 0. */
static void read_header(const uint8_t *k, size_t len, struct setup_header *h)
{
	size_t end = BZ_JUMP_OFF + 2 + k[BZ_JUMP_OFF + 1];

	if (end > BZ_SETUP_HEADER_OFF + sizeof(*h))
		end = BZ_SETUP_HEADER_OFF + sizeof(*h);
	memset(h, 0, sizeof(*h));
	memcpy(h, k + BZ_SETUP_HEADER_OFF, end - BZ_SETUP_HEADER_OFF);
}

static uint64_t pm_offset(const struct setup_header *h)
{
	unsigned int sects =
		h->setup_sects ? h->setup_sects : BZ_DEFAULT_SETUP_SECTS;

	return (sects + 1ULL) * BZ_SECTOR_SIZE;
}

static uint64_t load_addr(const struct setup_header *h)
{
	return h->relocatable_kernel ? h->pref_address : h->code32_start;
}

static void expect(const uint8_t *k, size_t len, struct boot_expect *x)
{
	struct setup_header h;
	uint64_t load, run, load_end, run_end;

	read_header(k, len, &h);
	load = load_addr(&h);
	run = h.relocatable_kernel ? load : h.pref_address;
	load_end = load + (len - pm_offset(&h));
	run_end = run + h.init_size;
	x->rip = load + BZ_ENTRY64_OFF;
	x->kernel_end = load_end > run_end ? load_end : run_end;
	x->initrd_limit = (uint64_t)h.initrd_addr_max + 1;
}

static void check_kernel(struct fake_guest *g, const uint8_t *k, size_t len)
{
	struct setup_header h;
	uint64_t off;

	read_header(k, len, &h);
	off = pm_offset(&h);
	FUZZ_CHECK(!memcmp(fake_guest_at(g, load_addr(&h), len - off), k + off,
			   len - off));
}

static const struct boot_target bzimage = {
	.kind = IMAGE_BZIMAGE,
	.expect = expect,
	.check_kernel = check_kernel,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_boot(data, size, &bzimage);
}
