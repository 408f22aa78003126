/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_boot.h - what board.c's load_kernel() does with a kernel image,
 * on a fake guest of a few MiB laid out by layout_build(): the platform
 * list and its command line, boot_load(), mptable_write(), fdt_build()
 * and boot_attach_dtb().  Shared by the bzImage and the ELF/PVH targets,
 * which differ in their seeds and in what they expect of a loaded image.
 *
 * Input: u8 RAM (2 + n % 15 MiB), u8 vCPUs (1 + n % PLATFORM_MAX_CPUS),
 * u8 virtio devices (n % 10: one more than fit), u16 initrd length in
 * 16-byte units, u16 command line length, the command line, and the
 * kernel image (the rest of the input).
 *
 * The kernel is loaded as kvmux loads a file: parsed from what
 * boot_image_read() reads of it (of an image under 64 KiB, as these are,
 * all but a smaller buffer: the partial reads of larger ELF kernels are
 * tests/unit/test_boot_read.c's), its segments or kernel read straight
 * into guest memory, as the initrd is; the checks compare with the
 * whole image, and an image refused so must be refused with the same
 * message when loaded whole.
 *
 * Properties checked after a successful load: the entry point the format
 * gives; the command line in guest memory where kvmux placed it
 * (boot/boot_alloc.c names each placed structure); the initrd in RAM, page
 * aligned, above the kernel and below its limit, intact; MP table
 * checksums; a DTB that libfdt accepts (fdt_check_full) with the command
 * line and initrd in /chosen, linked where the boot protocol says; and at
 * the end the kernel, command line and initrd still intact (nothing that
 * was written later overlapped them).
 */
#ifndef KVMUX_TESTS_FUZZ_BOOT_H
#define KVMUX_TESTS_FUZZ_BOOT_H

#include <asm/bootparam.h>
#include <elf.h>
#include <libfdt.h>

#include "boot_test_util.h"
#include "fuzz.h"
#include "kvmux/boot.h"
#include "kvmux/boot_common.h"
#include "kvmux/elf_pvh.h"
#include "kvmux/error.h"
#include "kvmux/fdt.h"
#include "kvmux/mptable.h"
#include "kvmux/multiboot.h"
#include "kvmux/platform.h"
#include "kvmux/pvh.h"

#define FUZZ_INITRD_MAX (1U << 20)

/* What the target's format promises for an image that loaded. */
struct boot_expect {
	uint64_t rip;
	uint64_t kernel_end; /* the initrd goes at or above */
	uint64_t initrd_limit; /* and ends at or below */
};

struct boot_case;

struct boot_target {
	enum image_kind kind;
	void (*expect)(const uint8_t *kernel, size_t len,
		       struct boot_expect *x);
	/* The loaded kernel is still in guest memory, unchanged. */
	void (*check_kernel)(struct fake_guest *g, const uint8_t *kernel,
			     size_t len);
	/* What else the format hands the kernel (NULL: nothing), checked
	 * after the load and again at the end. */
	void (*check_info)(struct boot_case *c);
};

struct boot_case {
	struct fake_guest *g;
	struct platform p;
	struct boot_files f;
	struct boot_entry e;
	char *cmdline; /* with the virtio_mmio.device= entries */
};

static inline const uint8_t *fuzz_initrd(void)
{
	static uint8_t *initrd;
	unsigned int i;

	if (!initrd) {
		initrd = malloc(FUZZ_INITRD_MAX);
		if (!initrd)
			abort();
		for (i = 0; i < FUZZ_INITRD_MAX; i++)
			initrd[i] = i * 31 + 7;
	}
	return initrd;
}

/*
 * Guest RAM of ram bytes (below 3 GiB: one region), kept from one input
 * to the next: a fresh 16 MiB each time made page faults most of the
 * work.  The boot structures below 1 MiB start out zero, as in a new
 * VM; above, the loaders only write (and the checks only read what this
 * input's load wrote), so what an earlier input left there changes
 * nothing.
 */
static inline struct fake_guest *guest(uint64_t ram)
{
	static struct fake_guest cache[16];
	struct fake_guest *g = &cache[(ram >> 20) % 16];

	if (!g->gm.nr_regions)
		FUZZ_CHECK(fake_guest_init(g, ram) == 0);
	FUZZ_CHECK(g->gm.nr_regions == 1 && g->gm.region[0].size == ram);
	memset(g->gm.region[0].host, 0, LAYOUT_HIGH_START);
	return g;
}

/* Where kvmux placed what (boot/boot_alloc.c names its regions); 0 if
 * it placed no such thing. */
static inline uint64_t placed_if(const struct boot_case *c, const char *what)
{
	unsigned int i;

	for (i = 0; i < c->e.mem.nr; i++)
		if (!strcmp(c->e.mem.region[i].what, what))
			return c->e.mem.region[i].addr;
	return 0;
}

static inline uint64_t placed(const struct boot_case *c, const char *what)
{
	uint64_t at = placed_if(c, what);

	FUZZ_CHECK(at || !"a boot structure was not placed");
	return at;
}

static inline uint8_t sum8(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (len--)
		s += *b++;
	return s;
}

static inline bool elf_loads(const struct elf_segment *s)
{
	return s->type == PT_LOAD && s->memsz;
}

static inline bool elf_overlaps_another(const struct elf_file *ef,
					unsigned int i,
					const struct elf_segment *s)
{
	struct elf_segment o;
	unsigned int j;

	for (j = 0; j < ef->phnum; j++) {
		elf_segment(ef, j, &o);
		if (j != i && elf_loads(&o) && o.paddr < s->paddr + s->memsz &&
		    s->paddr < o.paddr + o.memsz)
			return true;
	}
	return false;
}

/* An ELF kernel elf_open() accepted: each segment no other one overlaps
 * holds its bytes, then zeros (.bss). */
static inline void check_elf_loaded(struct fake_guest *g, const uint8_t *k,
				    size_t len)
{
	struct elf_file ef;
	struct elf_segment s;
	const uint8_t *mem;
	uint64_t bss;
	unsigned int i;

	FUZZ_CHECK(elf_open(&ef, k, len) == 0);
	for (i = 0; i < ef.phnum; i++) {
		elf_segment(&ef, i, &s);
		if (!elf_loads(&s) || elf_overlaps_another(&ef, i, &s))
			continue;
		mem = fake_guest_at(g, s.paddr, s.memsz);
		FUZZ_CHECK(!memcmp(mem, k + s.offset, s.filesz));
		bss = s.memsz - s.filesz;
		FUZZ_CHECK(!bss || (mem[s.filesz] == 0 &&
				    !memcmp(mem + s.filesz, mem + s.filesz + 1,
					    bss - 1)));
	}
}

/* The end of the highest segment elf_open() loads. */
static inline uint64_t elf_kernel_end(const struct elf_file *ef)
{
	struct elf_segment s;
	uint64_t end = 0;
	unsigned int i;

	for (i = 0; i < ef->phnum; i++) {
		elf_segment(ef, i, &s);
		if (elf_loads(&s) && s.paddr + s.memsz > end)
			end = s.paddr + s.memsz;
	}
	return end;
}

/* The floating pointer where MP spec 1.4, 4 says guests look (the BIOS
 * area or the EBDA's first KiB), and the table it points to. */
static inline void check_mptable(struct boot_case *c)
{
	uint64_t fp = placed_if(c, "the MP table");
	const uint8_t *mpf, *mpc;
	uint32_t physptr;
	uint16_t len;

	if (!fp) /* the two apart: the kernel is where both go together */
		fp = placed(c, "the MP floating pointer");
	FUZZ_CHECK((fp >= LAYOUT_BIOS_START && fp + 16 <= LAYOUT_HIGH_START) ||
		   (fp >= LAYOUT_EBDA_START &&
		    fp + 16 <= LAYOUT_EBDA_START + 1024));
	mpf = fake_guest_at(c->g, fp, 16);
	FUZZ_CHECK(!memcmp(mpf, "_MP_", 4) && sum8(mpf, 16) == 0);
	memcpy(&physptr, mpf + 4, 4);
	mpc = fake_guest_at(c->g, physptr, 8);
	memcpy(&len, mpc + 4, 2);
	mpc = fake_guest_at(c->g, physptr, len);
	FUZZ_CHECK(!memcmp(mpc, "PCMP", 4) && sum8(mpc, len) == 0);
}

static inline void check_initrd(struct boot_case *c,
				const struct boot_expect *x)
{
	uint64_t gpa = c->e.initrd_gpa, len = c->f.initrd.len;
	uint64_t top = layout_low_ram_end(&c->g->layout);

	if (!len) {
		FUZZ_CHECK(gpa == 0 && c->e.initrd_size == 0);
		return;
	}
	if (x->initrd_limit < top)
		top = x->initrd_limit;
	FUZZ_CHECK(c->e.initrd_size == len && gpa % BOOT_PAGE_SIZE == 0);
	FUZZ_CHECK(gpa >= LAYOUT_HIGH_START && gpa >= x->kernel_end);
	FUZZ_CHECK(gpa <= top && len <= top - gpa);
	FUZZ_CHECK(layout_is_ram(&c->g->layout, gpa, len));
	FUZZ_CHECK(!memcmp(fake_guest_at(c->g, gpa, len), fuzz_initrd(), len));
}

static inline void check_cmdline(struct boot_case *c)
{
	size_t len = strlen(c->cmdline) + 1;

	FUZZ_CHECK(!memcmp(fake_guest_at(c->g,
					 placed(c, "the kernel command "
						   "line"),
					 len),
			   c->cmdline, len));
}

static inline void check_chosen(struct boot_case *c, const void *dtb)
{
	int node = fdt_path_offset(dtb, "/chosen"), len;
	const char *args = fdt_getprop(dtb, node, "bootargs", &len);
	const fdt64_t *start =
		fdt_getprop(dtb, node, "linux,initrd-start", NULL);
	const fdt64_t *end = fdt_getprop(dtb, node, "linux,initrd-end", NULL);

	FUZZ_CHECK(args && len == (int)strlen(c->cmdline) + 1 &&
		   !memcmp(args, c->cmdline, len));
	if (!c->e.initrd_size) {
		FUZZ_CHECK(!start && !end);
		return;
	}
	FUZZ_CHECK(start && fdt64_ld(start) == c->e.initrd_gpa);
	FUZZ_CHECK(end && fdt64_ld(end) == c->e.initrd_gpa + c->e.initrd_size);
}

/* Multiboot: the DTB is the last module, "dtb", after the initrd. */
static inline void check_mb_dtb_module(struct boot_case *c, uint64_t dtb_gpa,
				       size_t len)
{
	struct mb_info mi;
	struct mb_module mod;
	unsigned int n = c->e.initrd_size ? 2 : 1;

	memcpy(&mi, fake_guest_at(c->g, c->e.cpu.rbx, sizeof(mi)), sizeof(mi));
	FUZZ_CHECK(mi.mods_count == n && (mi.flags & MB_INFO_MODS));
	memcpy(&mod, fake_guest_at(c->g, mi.mods_addr, sizeof(mod)),
	       sizeof(mod));
	FUZZ_CHECK(n == 1 || (mod.mod_start == c->e.initrd_gpa &&
			      mod.mod_end - mod.mod_start == c->e.initrd_size));
	memcpy(&mod,
	       fake_guest_at(c->g, mi.mods_addr + (n - 1) * sizeof(mod),
			     sizeof(mod)),
	       sizeof(mod));
	FUZZ_CHECK(mod.mod_start == dtb_gpa && mod.mod_end == dtb_gpa + len);
	FUZZ_CHECK(!memcmp(fake_guest_at(c->g, mod.string, 4), "dtb", 4));
}

/* Where the guest finds the DTB: the setup_data list or module list. */
static inline void check_dtb_link(struct boot_case *c, const void *dtb,
				  size_t len)
{
	struct hvm_start_info si;
	struct hvm_modlist_entry mod;
	struct boot_params bp;
	struct setup_data sd;
	uint64_t at = placed(c, "the device tree"), dtb_gpa = at;

	if (c->e.kind == IMAGE_BZIMAGE) {
		memcpy(&bp,
		       fake_guest_at(c->g, placed(c, "the zero page"),
				     sizeof(bp)),
		       sizeof(bp));
		FUZZ_CHECK(bp.hdr.setup_data == dtb_gpa);
		memcpy(&sd, fake_guest_at(c->g, dtb_gpa, sizeof(sd)),
		       sizeof(sd));
		FUZZ_CHECK(sd.type == SETUP_DTB && sd.len == len);
		at += sizeof(sd);
	} else if (c->e.kind == IMAGE_MULTIBOOT) {
		check_mb_dtb_module(c, dtb_gpa, len);
	} else {
		memcpy(&si,
		       fake_guest_at(c->g, placed(c, "the PVH start info"),
				     sizeof(si)),
		       sizeof(si));
		FUZZ_CHECK(si.magic == HVM_START_MAGIC && si.nr_modules == 2);
		memcpy(&mod, fake_guest_at(c->g, si.modlist_paddr, 32), 32);
		FUZZ_CHECK(mod.paddr == c->e.initrd_gpa &&
			   mod.size == c->e.initrd_size);
		memcpy(&mod, fake_guest_at(c->g, si.modlist_paddr + 32, 32),
		       32);
		FUZZ_CHECK(mod.paddr == dtb_gpa && mod.size == len);
	}
	FUZZ_CHECK(!memcmp(fake_guest_at(c->g, at, len), dtb, len));
}

static inline void attach_dtb(struct boot_case *c)
{
	struct fdt_info info = {
		.bootargs = c->cmdline,
		.initrd_gpa = c->e.initrd_gpa,
		.initrd_size = c->e.initrd_size,
	};
	void *dtb;
	size_t len;
	int rc;

	FUZZ_CHECK(fdt_build(&c->p, &c->g->layout, &info, &dtb, &len) == 0);
	FUZZ_CHECK(fdt_check_full(dtb, len) == 0);
	check_chosen(c, dtb);
	rc = boot_attach_dtb(&c->g->gm, &c->e, dtb, len);
	if (rc)
		fuzz_note("no device tree: %s", err_msg());
	/* Only a DTB kvmux has no room for may fail: too large, or a
	 * kernel (multiboot: below 1 MiB too) where it would go. */
	FUZZ_CHECK(rc == 0 || strstr(err_msg(), "the device tree is") ||
		   strstr(err_msg(), "no room for the device tree"));
	if (rc == 0)
		check_dtb_link(c, dtb, len);
	free(dtb);
}

static inline void after_load(struct boot_case *c, const struct boot_target *t)
{
	struct boot_expect x = { .initrd_limit = UINT64_MAX };

	t->expect(c->f.kernel, c->f.kernel_len, &x);
	FUZZ_CHECK(c->e.kind == t->kind && c->e.cpu.rip == x.rip);
	check_cmdline(c);
	check_initrd(c, &x);
	if (t->check_info)
		t->check_info(c);
	/* Only a kernel over the places a scan looks at may leave no room. */
	if (mptable_write(&c->g->gm, &c->p, &c->e.mem) == 0)
		check_mptable(c);
	else
		FUZZ_CHECK(strstr(err_msg(), "no room for the MP "));
	attach_dtb(c);
	check_cmdline(c);
	check_initrd(c, &x);
	if (t->check_info)
		t->check_info(c);
	t->check_kernel(c->g, c->f.kernel, c->f.kernel_len);
}

/* The platform a board with this many vCPUs and virtio devices has. */
static inline void make_platform(struct boot_case *c, struct fuzz_in *in)
{
	unsigned int cpus = 1 + fuzz_u8(in) % PLATFORM_MAX_CPUS;
	unsigned int i, nr_virtio = fuzz_u8(in) % 10;
	uint64_t base;
	uint8_t irq;

	platform_init(&c->p, cpus);
	FUZZ_CHECK(platform_add_isa(&c->p, "serial", 0x3f8, 8, 4) == 0);
	for (i = 0; i < nr_virtio; i++)
		FUZZ_CHECK(platform_add_virtio(&c->p, &base, &irq) == 0 ||
			   i == 9);
}

/* A file in memory, read as kvmux reads its input files. */
struct fuzz_file {
	const uint8_t *data;
	size_t len;
};

static inline int fuzz_read(void *ctx, void *dst, uint64_t off, size_t len)
{
	const struct fuzz_file *f = ctx;

	FUZZ_CHECK(off <= f->len && len <= f->len - off);
	memcpy(dst, f->data + off, len);
	return 0;
}

/* Load the kernel as board.c does: parsed from what boot_image_read()
 * read of it, copied to guest memory by a read of the in-memory image;
 * c->f keeps the whole image, for the checks. */
static inline int load_as_read(struct boot_case *c)
{
	struct fuzz_file kernel = { c->f.kernel, c->f.kernel_len };
	struct boot_files f = c->f;
	uint8_t *image = NULL;
	size_t image_len = 0;
	int rc;

	if (kernel.len) /* kvmux refuses an empty file before */
		FUZZ_CHECK(boot_image_read(fuzz_read, &kernel, kernel.len,
					   c->g->layout.ram_size, &image,
					   &image_len) == 0);
	f.kernel = image;
	f.kernel_read = fuzz_read;
	f.kernel_ctx = &kernel;
	rc = boot_load(&c->g->gm, &c->g->layout, &f, &c->e);
	boot_image_free(image, image_len);
	return rc;
}

static inline int fuzz_boot(const uint8_t *data, size_t size,
			    const struct boot_target *t)
{
	static struct boot_case c;
	struct fuzz_in in = fuzz_in(data, size);
	uint64_t ram = (2 + fuzz_u8(&in) % 15) << 20;
	struct fuzz_file initrd = { .data = fuzz_initrd() };
	char *cmdline, refused[ERR_MSG_MAX];

	memset(&c, 0, sizeof(c));
	make_platform(&c, &in);
	initrd.len = fuzz_u16(&in) * 16ULL;
	if (initrd.len > FUZZ_INITRD_MAX)
		initrd.len = FUZZ_INITRD_MAX;
	c.f.initrd = (struct boot_module){ .len = initrd.len,
					   .read = fuzz_read,
					   .ctx = &initrd };
	cmdline = fuzz_str(&in, fuzz_u16(&in));
	c.f.kernel = fuzz_bytes(&in, in.left, &c.f.kernel_len);
	if (image_detect(c.f.kernel, c.f.kernel_len) != t->kind &&
	    image_detect(c.f.kernel, c.f.kernel_len) != IMAGE_UNKNOWN) {
		free(cmdline);
		return -1; /* the other target's format: not in its corpus */
	}
	c.g = guest(ram);
	FUZZ_CHECK(platform_cmdline(&c.p, cmdline, &c.cmdline) == 0);
	c.f.cmdline = c.cmdline;
	err_set("%s", "");
	if (load_as_read(&c) == 0) {
		fuzz_note("loaded: entry %#llx, initrd at %#llx",
			  (unsigned long long)c.e.cpu.rip,
			  (unsigned long long)c.e.initrd_gpa);
		after_load(&c, t);
	} else {
		fuzz_note("refused: %s", err_msg());
		FUZZ_CHECK(err_msg()[0] != '\0');
		/* Not for want of a byte boot_image_read() left out. */
		snprintf(refused, sizeof(refused), "%s", err_msg());
		FUZZ_CHECK(boot_load(&c.g->gm, &c.g->layout, &c.f, &c.e) != 0);
		FUZZ_CHECK(!strcmp(err_msg(), refused));
	}
	free(c.cmdline);
	free(cmdline);
	return 0;
}

#endif
