// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_fdt.c - the device tree: a DTB built for 4 CPUs, the UART and 3
 * virtio devices on 4 GiB is read back with libfdt's read API and checked
 * against the platform list and the layout it came from; then its
 * hand-off to a bzImage (setup_data) and to a PVH kernel (module "dtb")
 * is checked in a fake guest.
 */
#include <asm/bootparam.h>
#include <libfdt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "boot_test_util.h"
#include "kvmux/boot.h"
#include "kvmux/error.h"
#include "kvmux/fdt.h"
#include "kvmux/pvh.h"

#define LAYOUT_RAM (4ULL << 30)
#define GUEST_RAM (64ULL << 20)
#define NR_CPUS 4
#define NR_VIRTIO 3
#define BOOTARGS \
	"console=ttyS0 root=/dev/vda virtio_mmio.device=512@0xd0000000:5"
#define INITRD_GPA 0x3f00000ULL
#define INITRD_SIZE 0x12345ULL

struct fixture {
	struct platform p;
	struct mem_layout l;
	struct fdt_info info;
	void *dtb;
	size_t len;
	struct fake_guest g;
	struct boot_entry entry;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	uint64_t base;
	uint8_t irq;
	int i;

	if (!fx || layout_build(&fx->l, LAYOUT_RAM) ||
	    fake_guest_init(&fx->g, GUEST_RAM))
		return -1;
	platform_init(&fx->p, NR_CPUS);
	if (platform_add_isa(&fx->p, "serial", 0x3f8, 8, 4))
		return -1;
	for (i = 0; i < NR_VIRTIO; i++)
		if (platform_add_virtio(&fx->p, &base, &irq))
			return -1;
	fx->info = (struct fdt_info){ .bootargs = BOOTARGS,
				      .initrd_gpa = INITRD_GPA,
				      .initrd_size = INITRD_SIZE };
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	fake_guest_free(&fx->g);
	free(fx->dtb);
	free(fx);
	return 0;
}

static void build(struct fixture *fx)
{
	assert_int_equal(
		fdt_build(&fx->p, &fx->l, &fx->info, &fx->dtb, &fx->len), 0);
	assert_int_equal(fdt_check_header(fx->dtb), 0);
	assert_int_equal(fdt_totalsize(fx->dtb), fx->len);
}

static int node(struct fixture *fx, const char *path)
{
	int off = fdt_path_offset(fx->dtb, path);

	if (off < 0)
		fail_msg("no node %s: %s", path, fdt_strerror(off));
	return off;
}

/* The property as 32-bit cells in host order; the count must be n. */
static void cells(struct fixture *fx, int off, const char *name, uint32_t *out,
		  int n)
{
	const fdt32_t *p;
	int len, i;

	p = fdt_getprop(fx->dtb, off, name, &len);
	if (!p)
		fail_msg("no property %s", name);
	assert_int_equal(len, n * 4);
	for (i = 0; i < n; i++)
		out[i] = fdt32_to_cpu(p[i]);
}

static uint32_t u32_prop(struct fixture *fx, int off, const char *name)
{
	uint32_t v;

	cells(fx, off, name, &v, 1);
	return v;
}

static uint64_t u64_prop(struct fixture *fx, int off, const char *name)
{
	uint32_t c[2];

	cells(fx, off, name, c, 2);
	return (uint64_t)c[0] << 32 | c[1];
}

static const char *str_prop(struct fixture *fx, int off, const char *name)
{
	const char *s = fdt_getprop(fx->dtb, off, name, NULL);

	if (!s)
		fail_msg("no property %s", name);
	return s;
}

/* reg = <addr size> with two cells each. */
static void reg64(struct fixture *fx, int off, uint64_t *addr, uint64_t *size)
{
	uint32_t c[4];

	cells(fx, off, "reg", c, 4);
	*addr = (uint64_t)c[0] << 32 | c[1];
	*size = (uint64_t)c[2] << 32 | c[3];
}

/* --- the tree ---------------------------------------------------------- */

static void test_root(void **state)
{
	struct fixture *fx = *state;
	int root, ioapic;

	build(fx);
	root = node(fx, "/");
	assert_int_equal(u32_prop(fx, root, "#address-cells"), 2);
	assert_int_equal(u32_prop(fx, root, "#size-cells"), 2);
	assert_string_equal(str_prop(fx, root, "compatible"), "kvmux,pc");
	assert_string_equal(str_prop(fx, root, "model"), "kvmux");
	ioapic = fdt_node_offset_by_compatible(fx->dtb, -1,
					       "intel,ce4100-ioapic");
	assert_true(ioapic >= 0);
	assert_int_equal(fdt_get_phandle(fx->dtb, ioapic),
			 u32_prop(fx, root, "interrupt-parent"));
	assert_non_null(
		fdt_getprop(fx->dtb, ioapic, "interrupt-controller", NULL));
	assert_int_equal(u32_prop(fx, ioapic, "#interrupt-cells"), 2);
}

static void test_ioapic_reg(void **state)
{
	struct fixture *fx = *state;
	uint64_t addr, size;

	build(fx);
	reg64(fx, node(fx, "/interrupt-controller@fec00000"), &addr, &size);
	assert_int_equal(addr, IOAPIC_ADDR);
	assert_true(size >= 0x100);
}

/* Exactly the layout's RAM ranges, one node each. */
static void test_memory(void **state)
{
	struct fixture *fx = *state;
	unsigned int i, nr_ram = 0, nr_nodes = 0;
	uint64_t addr, size;
	const char *type;
	char path[64];
	int off;

	build(fx);
	for (i = 0; i < fx->l.nr_ranges; i++) {
		if (fx->l.range[i].type != MEM_RAM)
			continue;
		nr_ram++;
		snprintf(path, sizeof(path), "/memory@%llx",
			 (unsigned long long)fx->l.range[i].addr);
		off = node(fx, path);
		assert_string_equal(str_prop(fx, off, "device_type"), "memory");
		reg64(fx, off, &addr, &size);
		assert_int_equal(addr, fx->l.range[i].addr);
		assert_int_equal(size, fx->l.range[i].size);
	}
	fdt_for_each_subnode(off, fx->dtb, 0)
	{
		type = fdt_getprop(fx->dtb, off, "device_type", NULL);
		if (type && !strcmp(type, "memory"))
			nr_nodes++;
	}
	assert_int_equal(nr_ram, 3); /* low, 1 MiB..3 GiB, above 4 GiB */
	assert_int_equal(nr_nodes, nr_ram);
}

static void test_cpus(void **state)
{
	struct fixture *fx = *state;
	unsigned int n = 0;
	int cpus, off;

	build(fx);
	cpus = node(fx, "/cpus");
	assert_int_equal(u32_prop(fx, cpus, "#address-cells"), 1);
	assert_int_equal(u32_prop(fx, cpus, "#size-cells"), 0);
	fdt_for_each_subnode(off, fx->dtb, cpus)
	{
		assert_string_equal(str_prop(fx, off, "device_type"), "cpu");
		assert_string_equal(str_prop(fx, off, "status"), "okay");
		assert_int_equal(u32_prop(fx, off, "reg"), n);
		n++;
	}
	assert_int_equal(n, NR_CPUS);
	node(fx, "/cpus/cpu@3");
}

static void test_uart(void **state)
{
	struct fixture *fx = *state;
	uint32_t c[3];
	int isa, uart;

	build(fx);
	isa = node(fx, "/isa");
	assert_string_equal(str_prop(fx, isa, "compatible"), "isa");
	assert_int_equal(u32_prop(fx, isa, "#address-cells"), 2);
	assert_int_equal(u32_prop(fx, isa, "#size-cells"), 1);
	uart = node(fx, "/isa/serial@i3f8");
	assert_int_equal(
		uart, fdt_node_offset_by_compatible(fx->dtb, -1, "ns16550a"));
	cells(fx, uart, "reg", c, 3);
	assert_int_equal(c[0], 1);
	assert_int_equal(c[1], 0x3f8);
	assert_int_equal(c[2], 8);
	cells(fx, uart, "interrupts", c, 2);
	assert_int_equal(c[0], 4);
	assert_int_equal(c[1], FDT_IRQ_EDGE_RISING);
	assert_int_equal(u32_prop(fx, uart, "clock-frequency"), 1843200);
}

/* In platform order, with the platform's windows and lines. */
static void test_virtio(void **state)
{
	struct fixture *fx = *state;
	unsigned int n = 0;
	uint64_t addr, size;
	uint32_t irq[2];
	char name[32];
	int off;

	build(fx);
	for (off = fdt_node_offset_by_compatible(fx->dtb, -1, "virtio,mmio");
	     off >= 0;
	     off = fdt_node_offset_by_compatible(fx->dtb, off, "virtio,mmio")) {
		assert_true(n < NR_VIRTIO);
		snprintf(name, sizeof(name), "virtio_mmio@%llx",
			 (unsigned long long)fx->p.virtio[n].base);
		assert_string_equal(fdt_get_name(fx->dtb, off, NULL), name);
		reg64(fx, off, &addr, &size);
		assert_int_equal(addr, fx->p.virtio[n].base);
		assert_int_equal(size, fx->p.virtio[n].size);
		cells(fx, off, "interrupts", irq, 2);
		assert_int_equal(irq[0], fx->p.virtio[n].irq);
		assert_int_equal(irq[1], FDT_IRQ_EDGE_RISING);
		n++;
	}
	assert_int_equal(n, NR_VIRTIO);
}

static void test_chosen(void **state)
{
	struct fixture *fx = *state;
	int chosen;

	build(fx);
	chosen = node(fx, "/chosen");
	assert_string_equal(str_prop(fx, chosen, "bootargs"), BOOTARGS);
	assert_int_equal(u64_prop(fx, chosen, "linux,initrd-start"),
			 INITRD_GPA);
	assert_int_equal(u64_prop(fx, chosen, "linux,initrd-end"),
			 INITRD_GPA + INITRD_SIZE);
	assert_int_equal(node(fx, str_prop(fx, chosen, "stdout-path")),
			 node(fx, "/isa/serial@i3f8"));
}

static void test_chosen_no_initrd(void **state)
{
	struct fixture *fx = *state;
	int chosen;

	fx->info.initrd_gpa = fx->info.initrd_size = 0;
	build(fx);
	chosen = node(fx, "/chosen");
	assert_null(fdt_getprop(fx->dtb, chosen, "linux,initrd-start", NULL));
	assert_null(fdt_getprop(fx->dtb, chosen, "linux,initrd-end", NULL));
}

/* The most CPUs and devices the platform allows: the buffer grows. */
static void test_large(void **state)
{
	struct fixture *fx = *state;
	uint64_t base;
	uint8_t irq;

	fx->p.nr_cpus = PLATFORM_MAX_CPUS;
	while (!platform_add_virtio(&fx->p, &base, &irq))
		;
	build(fx);
	assert_true(fx->len > 0x1000);
	node(fx, "/cpus/cpu@fd");
}

static void test_no_cpus(void **state)
{
	struct fixture *fx = *state;

	fx->p.nr_cpus = 0;
	assert_int_equal(
		fdt_build(&fx->p, &fx->l, &fx->info, &fx->dtb, &fx->len), -1);
	assert_non_null(strstr(err_msg(), "CPUs"));
	assert_null(fx->dtb);
}

/* --- hand-off ---------------------------------------------------------- */

static void *at(struct fixture *fx, uint64_t gpa, uint64_t len)
{
	return fake_guest_at(&fx->g, gpa, len);
}

static void test_bzimage_setup_data(void **state)
{
	struct fixture *fx = *state;
	const uint64_t old_list = 0x12000;
	struct boot_params *bp;
	struct setup_data *sd;

	build(fx);
	bp = at(fx, BOOT_ZERO_PAGE_ADDR, sizeof(*bp));
	bp->hdr.setup_data = old_list;
	fx->entry.kind = IMAGE_BZIMAGE;
	fx->entry.cpu.rsi = BOOT_ZERO_PAGE_ADDR; /* where bzimage_load() put it */
	assert_int_equal(
		boot_attach_dtb(&fx->g.gm, &fx->entry, fx->dtb, fx->len), 0);
	assert_int_equal(bp->hdr.setup_data, BOOT_DTB_ADDR);
	sd = at(fx, BOOT_DTB_ADDR, sizeof(*sd) + fx->len);
	assert_int_equal(sd->type, SETUP_DTB);
	assert_int_equal(sd->len, fx->len);
	assert_int_equal(sd->next, old_list);
	assert_memory_equal(sd->data, fx->dtb, fx->len);
	assert_int_equal(fdt_check_header(sd->data), 0);
}

/* A start info as pvh_load() leaves it, with nr_modules modules. */
static struct hvm_start_info *pvh_start_info(struct fixture *fx,
					     unsigned int nr_modules)
{
	struct hvm_start_info *si = at(fx, BOOT_PVH_INFO_ADDR, sizeof(*si));
	struct hvm_modlist_entry *mod = at(fx, PVH_MODLIST_ADDR, sizeof(*mod));

	si->magic = HVM_START_MAGIC;
	si->version = HVM_START_VERSION;
	si->nr_modules = nr_modules;
	if (nr_modules) {
		si->modlist_paddr = PVH_MODLIST_ADDR;
		*mod = (struct hvm_modlist_entry){ .paddr = INITRD_GPA,
						   .size = INITRD_SIZE };
	}
	fx->entry.kind = IMAGE_ELF;
	fx->entry.cpu.rbx = BOOT_PVH_INFO_ADDR; /* where pvh_load() put it */
	return si;
}

static void check_dtb_module(struct fixture *fx,
			     const struct hvm_modlist_entry *mod)
{
	assert_int_equal(mod->paddr, BOOT_DTB_ADDR);
	assert_int_equal(mod->size, fx->len);
	assert_string_equal(at(fx, mod->cmdline_paddr, 4), "dtb");
	assert_memory_equal(at(fx, mod->paddr, fx->len), fx->dtb, fx->len);
	assert_int_equal(fdt_check_header(at(fx, mod->paddr, fx->len)), 0);
}

static void test_pvh_module_no_initrd(void **state)
{
	struct fixture *fx = *state;
	struct hvm_start_info *si = pvh_start_info(fx, 0);
	struct hvm_modlist_entry *mod;

	build(fx);
	assert_int_equal(
		boot_attach_dtb(&fx->g.gm, &fx->entry, fx->dtb, fx->len), 0);
	assert_int_equal(si->nr_modules, 2);
	assert_int_equal(si->modlist_paddr, PVH_MODLIST_ADDR);
	mod = at(fx, si->modlist_paddr, 2 * sizeof(*mod));
	assert_int_equal(mod[0].paddr, 0);
	assert_int_equal(mod[0].size, 0);
	assert_int_equal(mod[0].cmdline_paddr, 0);
	check_dtb_module(fx, &mod[1]);
}

static void test_pvh_module_after_initrd(void **state)
{
	struct fixture *fx = *state;
	struct hvm_start_info *si = pvh_start_info(fx, 1);
	struct hvm_modlist_entry *mod;

	build(fx);
	assert_int_equal(
		boot_attach_dtb(&fx->g.gm, &fx->entry, fx->dtb, fx->len), 0);
	assert_int_equal(si->nr_modules, 2);
	mod = at(fx, si->modlist_paddr, 2 * sizeof(*mod));
	assert_int_equal(mod[0].paddr, INITRD_GPA);
	assert_int_equal(mod[0].size, INITRD_SIZE);
	check_dtb_module(fx, &mod[1]);
}

static void test_too_large(void **state)
{
	struct fixture *fx = *state;
	size_t len = BOOT_DTB_MAX + 1;
	void *big = calloc(1, len);

	assert_non_null(big);
	pvh_start_info(fx, 0);
	assert_int_equal(boot_attach_dtb(&fx->g.gm, &fx->entry, big, len), -1);
	assert_non_null(strstr(err_msg(), "device tree is 65537 bytes"));
	fx->entry.kind = IMAGE_BZIMAGE;
	/* The setup_data header takes room too. */
	len = BOOT_DTB_MAX - sizeof(struct setup_data) + 1;
	assert_int_equal(boot_attach_dtb(&fx->g.gm, &fx->entry, big, len), -1);
	assert_non_null(strstr(err_msg(), "device tree is"));
	free(big);
}

/*
 * The longest command line kvmux takes (65535 bytes) makes the tree too
 * large: the message is about the line, and the length it gives fits.
 */
static void test_cmdline_too_long_for_tree(void **state)
{
	struct fixture *fx = *state;
	const size_t max = 65535;
	char *line = malloc(max + 1);
	unsigned long fit;
	const char *at_most;

	assert_non_null(line);
	memset(line, 'x', max);
	line[max] = '\0';
	fx->info.bootargs = line;
	build(fx);
	pvh_start_info(fx, 0);
	assert_int_equal(
		boot_attach_dtb(&fx->g.gm, &fx->entry, fx->dtb, fx->len), -1);
	assert_non_null(strstr(err_msg(), "the kernel command line is too long "
					  "for the device tree"));
	assert_non_null(strstr(err_msg(), "65535 bytes, at most "));
	at_most = strstr(err_msg(), "at most ") + strlen("at most ");
	fit = strtoul(at_most, NULL, 10);
	assert_true(fit > 60000 && fit < max);
	free(fx->dtb);
	fx->dtb = NULL;
	line[fit + 1] = '\0'; /* one byte more than it said */
	build(fx);
	assert_int_equal(
		boot_attach_dtb(&fx->g.gm, &fx->entry, fx->dtb, fx->len), -1);
	free(fx->dtb);
	fx->dtb = NULL;
	line[fit] = '\0';
	build(fx);
	assert_int_equal(
		boot_attach_dtb(&fx->g.gm, &fx->entry, fx->dtb, fx->len), 0);
	free(line);
}

static void test_no_kernel(void **state)
{
	struct fixture *fx = *state;

	build(fx);
	fx->entry.kind = IMAGE_UNKNOWN;
	assert_int_equal(
		boot_attach_dtb(&fx->g.gm, &fx->entry, fx->dtb, fx->len), -1);
	/* PVH without a start info (the loader did not run). */
	fx->entry.kind = IMAGE_ELF;
	assert_int_equal(
		boot_attach_dtb(&fx->g.gm, &fx->entry, fx->dtb, fx->len), -1);
	assert_non_null(strstr(err_msg(), "no PVH start info"));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_root),
		T(test_ioapic_reg),
		T(test_memory),
		T(test_cpus),
		T(test_uart),
		T(test_virtio),
		T(test_chosen),
		T(test_chosen_no_initrd),
		T(test_large),
		T(test_no_cpus),
		T(test_bzimage_setup_data),
		T(test_pvh_module_no_initrd),
		T(test_pvh_module_after_initrd),
		T(test_too_large),
		T(test_cmdline_too_long_for_tree),
		T(test_no_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
