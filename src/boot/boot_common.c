// SPDX-License-Identifier: GPL-2.0-only
/*
 * boot_common.c - boot pieces shared by the loaders: the GDT, the command line,
 * initrd placement and the "does it fit" checks.
 */
#include <stdio.h>
#include <string.h>

#include "kvmux/boot_common.h"
#include "kvmux/error.h"

/* Descriptor flags nibble: 4 KiB granularity, 32-bit default, long mode. */
#define GDT_FLAG_G 0x8
#define GDT_FLAG_DB 0x4
#define GDT_FLAG_L 0x2

uint8_t boot_checksum(const void *data, size_t len)
{
	const uint8_t *b = data;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return (uint8_t)-sum;
}

struct size_str boot_size_str(uint64_t bytes)
{
	static const struct {
		char suffix;
		unsigned int shift;
	} units[] = { { 'G', 30 }, { 'M', 20 }, { 'K', 10 } };
	struct size_str out;
	unsigned int i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (bytes && !(bytes & ((1ULL << units[i].shift) - 1))) {
			snprintf(out.s, sizeof(out.s), "%llu%c",
				 (unsigned long long)(bytes >> units[i].shift),
				 units[i].suffix);
			return out;
		}
	}
	snprintf(out.s, sizeof(out.s), "%#llx", (unsigned long long)bytes);
	return out;
}

/* A flat segment: base 0, limit 4 GiB. */
static uint64_t flat_descriptor(uint8_t access, uint8_t flags)
{
	const uint64_t limit = 0xfffff; /* in 4 KiB units with G set */

	return (limit & 0xffff) | ((uint64_t)access << 40) |
	       ((limit >> 16) << 48) | ((uint64_t)flags << 52);
}

int boot_image_error(const struct boot_files *f)
{
	char msg[ERR_MSG_MAX];

	if (!f->kernel_name || err_class() != ERR_INPUT)
		return -1;
	snprintf(msg, sizeof(msg), "%s", err_msg());
	return err_set("kernel %s: %s", f->kernel_name, msg);
}

int boot_write_gdt(const struct guest_mem *gm, struct boot_entry *entry,
		   uint64_t preferred)
{
	uint64_t gdt[BOOT_GDT_ENTRIES] = { 0 };
	uint64_t addr;

	gdt[BOOT_SEL_CODE32 / 8] =
		flat_descriptor(BOOT_GDT_ACCESS_CODE, GDT_FLAG_G | GDT_FLAG_DB);
	gdt[BOOT_SEL_CODE64 / 8] =
		flat_descriptor(BOOT_GDT_ACCESS_CODE, GDT_FLAG_G | GDT_FLAG_L);
	gdt[BOOT_SEL_DATA / 8] =
		flat_descriptor(BOOT_GDT_ACCESS_DATA, GDT_FLAG_G | GDT_FLAG_DB);
	if (boot_alloc_struct(&entry->mem, preferred, sizeof(gdt), 16,
			      "the boot GDT", &addr) ||
	    gm_write(gm, addr, gdt, sizeof(gdt)))
		return -1;
	entry->cpu.gdt_base = addr;
	entry->cpu.gdt_limit = sizeof(gdt) - 1;
	return 0;
}

/* Kernels run from identity-mapped or unpaged low memory: below 3 GiB. */
static bool below_mmio_gap(uint64_t addr, uint64_t size)
{
	return addr < MMIO_GAP_START && size <= MMIO_GAP_START - addr;
}

int boot_check_load_range(const struct guest_mem *gm,
			  const struct mem_layout *l, uint64_t addr,
			  uint64_t size, const char *what)
{
	uint64_t high;

	if (!below_mmio_gap(addr, size))
		return err_set(
			"%s wants %#llx bytes at %#llx, which is not in guest RAM below 3 GiB where kvmux loads kernels",
			what, (unsigned long long)size,
			(unsigned long long)addr);
	/* Below 3 GiB: no sum here can wrap. */
	high = addr < LAYOUT_HIGH_START ? LAYOUT_HIGH_START : addr;
	if (addr + size > high && !layout_is_ram(l, high, addr + size - high))
		return err_set(
			"--memory %s is too small: %s needs %#llx bytes from %#llx",
			boot_size_str(l->ram_size).s, what,
			(unsigned long long)size, (unsigned long long)addr);
	if (!gm_ptr(gm, addr, size))
		return err_set(
			"%s at %#llx+%#llx is RAM in the memory map but not backed by guest memory",
			what, (unsigned long long)addr,
			(unsigned long long)size);
	return 0;
}

int boot_check_kernel_range(const struct guest_mem *gm,
			    const struct mem_layout *l, uint64_t addr,
			    uint64_t size, const char *what)
{
	if (addr < LAYOUT_HIGH_START)
		return err_set(
			"%s loads at %#llx, below 1 MiB where kvmux keeps its boot structures",
			what, (unsigned long long)addr);
	return boot_check_load_range(gm, l, addr, size, what);
}

int boot_write_cmdline(const struct guest_mem *gm, struct boot_alloc *a,
		       const char *cmdline, uint64_t max_len, uint64_t *addr)
{
	size_t len = strlen(cmdline);

	if (max_len > BOOT_CMDLINE_MAX - 1)
		max_len = BOOT_CMDLINE_MAX - 1;
	if (len > max_len)
		return err_set(
			"kernel command line is too long: %zu bytes, this kernel accepts at most %llu",
			len, (unsigned long long)max_len);
	if (boot_alloc_struct(a, BOOT_CMDLINE_ADDR, len + 1, 1,
			      "the kernel command line", addr))
		return -1;
	return gm_write(gm, *addr, cmdline, len + 1);
}

static uint64_t page_down(uint64_t x)
{
	return x & ~(BOOT_PAGE_SIZE - 1);
}

static int initrd_too_big(const struct mem_layout *l, size_t len,
			  uint64_t bottom, uint64_t top)
{
	return err_set(
		"initrd of %zu bytes does not fit in --memory %s: %#llx bytes are free between the kernel's end (%#llx) and %#llx",
		len, boot_size_str(l->ram_size).s,
		(unsigned long long)(top > bottom ? top - bottom : 0),
		(unsigned long long)bottom, (unsigned long long)top);
}

int boot_place_initrd(const struct guest_mem *gm, struct boot_alloc *a,
		      const struct boot_files *f, uint64_t kernel_end,
		      uint64_t limit, uint64_t *addr)
{
	const struct mem_layout *l = a->layout;
	struct boot_request r = {
		.what = "the initrd",
		.size = f->initrd.len,
		.align = BOOT_PAGE_SIZE,
		.end = layout_low_ram_end(l),
		.top = true,
	};

	*addr = 0;
	if (!f->initrd.len)
		return 0;
	if (limit < r.end)
		r.end = limit;
	r.start =
		kernel_end < LAYOUT_HIGH_START ? LAYOUT_HIGH_START : kernel_end;
	if (r.start > r.end)
		return initrd_too_big(l, f->initrd.len, r.start, r.end);
	/* Cannot overflow: start <= end, which is below 4 GiB. */
	r.start = page_down(r.start + BOOT_PAGE_SIZE - 1);
	if (r.start > r.end || f->initrd.len > r.end - r.start ||
	    page_down(r.end - f->initrd.len) < r.start)
		return initrd_too_big(l, f->initrd.len, r.start, r.end);
	if (boot_alloc_in(a, &r, addr) ||
	    boot_copy_module(gm, *addr, &f->initrd))
		return -1;
	return 0;
}

/* len bytes at off of a file, from data or by read(), to gpa. */
static int copy_file(const struct guest_mem *gm, uint64_t gpa,
		     const uint8_t *data, boot_read_fn *read, void *ctx,
		     uint64_t off, uint64_t len)
{
	void *dst;

	if (data)
		return gm_write(gm, gpa, data + off, len);
	dst = gm_ram(gm, gpa, len);
	return dst ? read(ctx, dst, off, len) : -1;
}

int boot_copy_module(const struct guest_mem *gm, uint64_t gpa,
		     const struct boot_module *m)
{
	return copy_file(gm, gpa, m->data, m->read, m->ctx, 0, m->len);
}

int boot_copy_kernel(const struct guest_mem *gm, uint64_t gpa,
		     const struct boot_files *f, uint64_t off, uint64_t len)
{
	return copy_file(gm, gpa, f->kernel_read ? NULL : f->kernel,
			 f->kernel_read, f->kernel_ctx, off, len);
}
