// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_pvh.c - the ELF reader (src/boot/elf.c: elf_open, elf_segment,
 * elf_pvh_entry) and the PVH loader (src/boot/pvh.c) through boot_load(),
 * and everything board.c writes after it (fuzz_boot.h).
 *
 * Input: the fuzz_boot.h header, then an ELF image.  Seeds: the guest
 * firmware's ELF kernels, stripped and shortened, ELF32 and note variants.
 * bzImages are left to fuzz_bzimage.
 */
#include <elf.h>

#include "fuzz_boot.h"
#include "kvmux/elf_pvh.h"

/* The loaded image's program headers (elf_open() accepted it). */
static void open_loaded(const uint8_t *k, size_t len, struct elf_file *ef)
{
	FUZZ_CHECK(elf_open(ef, k, len) == 0);
}

static bool loads(const struct elf_segment *s)
{
	return s->type == PT_LOAD && s->memsz;
}

static void expect(const uint8_t *k, size_t len, struct boot_expect *x)
{
	struct elf_file ef;
	struct elf_segment s;
	uint32_t entry;
	unsigned int i;

	open_loaded(k, len, &ef);
	FUZZ_CHECK(elf_pvh_entry(&ef, &entry) == 0);
	x->rip = entry;
	x->initrd_limit = MMIO_GAP_END; /* PVH starts with paging off */
	for (i = 0; i < ef.phnum; i++) {
		elf_segment(&ef, i, &s);
		if (loads(&s) && s.paddr + s.memsz > x->kernel_end)
			x->kernel_end = s.paddr + s.memsz;
	}
}

static bool overlaps_another(const struct elf_file *ef, unsigned int i,
			     const struct elf_segment *s)
{
	struct elf_segment o;
	unsigned int j;

	for (j = 0; j < ef->phnum; j++) {
		elf_segment(ef, j, &o);
		if (j != i && loads(&o) && o.paddr < s->paddr + s->memsz &&
		    s->paddr < o.paddr + o.memsz)
			return true;
	}
	return false;
}

/* A segment no other one overlaps: its bytes, then zeros (.bss). */
static void check_kernel(struct fake_guest *g, const uint8_t *k, size_t len)
{
	struct elf_file ef;
	struct elf_segment s;
	const uint8_t *mem;
	uint64_t bss;
	unsigned int i;

	open_loaded(k, len, &ef);
	for (i = 0; i < ef.phnum; i++) {
		elf_segment(&ef, i, &s);
		if (!loads(&s) || overlaps_another(&ef, i, &s))
			continue;
		mem = fake_guest_at(g, s.paddr, s.memsz);
		FUZZ_CHECK(!memcmp(mem, k + s.offset, s.filesz));
		bss = s.memsz - s.filesz;
		FUZZ_CHECK(!bss || (mem[s.filesz] == 0 &&
				    !memcmp(mem + s.filesz, mem + s.filesz + 1,
					    bss - 1)));
	}
}

static const struct boot_target pvh = {
	.kind = IMAGE_ELF,
	.expect = expect,
	.check_kernel = check_kernel,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_boot(data, size, &pvh);
}
