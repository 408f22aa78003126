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
#include "fuzz_boot.h"

static void expect(const uint8_t *k, size_t len, struct boot_expect *x)
{
	struct elf_file ef;
	uint32_t entry;

	FUZZ_CHECK(elf_open(&ef, k, len) == 0);
	FUZZ_CHECK(elf_pvh_entry(&ef, &entry) == 0);
	x->rip = entry;
	x->initrd_limit = MMIO_GAP_END; /* PVH starts with paging off */
	x->kernel_end = elf_kernel_end(&ef);
}

static const struct boot_target pvh = {
	.kind = IMAGE_ELF,
	.expect = expect,
	.check_kernel = check_elf_loaded,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_boot(data, size, &pvh);
}
