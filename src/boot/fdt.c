// SPDX-License-Identifier: GPL-2.0-only
/*
 * fdt.c - the flattened device tree, generated from the platform list and
 * the memory layout with libfdt's sequential-write API.
 *
 * The tree follows the x86 device-tree conventions Linux understands
 * (arch/x86/kernel/devicetree.c): CPUs by APIC ID under /cpus, the I/O
 * APIC as an "intel,ce4100-ioapic" interrupt controller whose two
 * interrupt cells are (pin, trigger type), and the legacy UART on an ISA
 * bus node whose first address cell selects I/O space.  virtio-mmio
 * devices sit at the root with 64-bit addresses like the memory nodes.
 *
 * The builder keeps the first libfdt error and skips every later step, so
 * the description below reads like the .dts it produces; a tree that does
 * not fit the buffer is simply built again in a bigger one.
 */
#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvmux/error.h"
#include "kvmux/fdt.h"

#define FDT_FIRST_SIZE 0x1000
#define FDT_MAX_SIZE 0x100000 /* far above any tree kvmux can describe */

#define IOAPIC_MMIO_SIZE 0x1000
#define ISA_SPACE_IO 1 /* first cell of an ISA address: 0 memory, 1 I/O */
#define UART_CLOCK_HZ 1843200 /* the PC's 1.8432 MHz UART crystal */

struct dt {
	void *fdt;
	int err; /* first libfdt error; once set, nothing more is written */
};

static void dt_begin(struct dt *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void dt_begin(struct dt *w, const char *fmt, ...)
{
	char name[64];
	va_list ap;

	if (w->err)
		return;
	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	w->err = fdt_begin_node(w->fdt, name);
}

static void dt_end(struct dt *w)
{
	if (!w->err)
		w->err = fdt_end_node(w->fdt);
}

static void dt_str(struct dt *w, const char *name, const char *value)
{
	if (!w->err)
		w->err = fdt_property_string(w->fdt, name, value);
}

static void dt_u32(struct dt *w, const char *name, uint32_t value)
{
	if (!w->err)
		w->err = fdt_property_u32(w->fdt, name, value);
}

static void dt_u64(struct dt *w, const char *name, uint64_t value)
{
	if (!w->err)
		w->err = fdt_property_u64(w->fdt, name, value);
}

static void dt_empty(struct dt *w, const char *name)
{
	if (!w->err)
		w->err = fdt_property(w->fdt, name, NULL, 0);
}

/* A property of n 32-bit cells given as unsigned int arguments. */
static void dt_cells(struct dt *w, const char *name, unsigned int n, ...)
{
	fdt32_t cells[4];
	unsigned int i;
	va_list ap;

	if (w->err)
		return;
	va_start(ap, n);
	for (i = 0; i < n && i < 4; i++)
		cells[i] = cpu_to_fdt32(va_arg(ap, unsigned int));
	va_end(ap);
	w->err = fdt_property(w->fdt, name, cells, i * sizeof(cells[0]));
}

/* reg = <addr size> in the root's two-cell addresses and sizes. */
static void dt_reg64(struct dt *w, uint64_t addr, uint64_t size)
{
	dt_cells(w, "reg", 4, (unsigned int)(addr >> 32), (unsigned int)addr,
		 (unsigned int)(size >> 32), (unsigned int)size);
}

/* The ISA devices kvmux knows a binding for, by platform name. */
static const char *isa_compatible(const char *name)
{
	if (!strcmp(name, "serial"))
		return "ns16550a";
	return NULL;
}

/* The console: the first ISA UART, as a path for stdout-path. */
static const struct platform_isa_dev *console_uart(const struct platform *p)
{
	unsigned int i;

	for (i = 0; i < p->nr_isa; i++)
		if (!strcmp(p->isa[i].name, "serial"))
			return &p->isa[i];
	return NULL;
}

static void add_chosen(struct dt *w, const struct platform *p,
		       const struct fdt_info *info)
{
	const struct platform_isa_dev *uart = console_uart(p);
	char path[64];

	dt_begin(w, "chosen");
	if (info->bootargs)
		dt_str(w, "bootargs", info->bootargs);
	if (info->initrd_size) {
		dt_u64(w, "linux,initrd-start", info->initrd_gpa);
		dt_u64(w, "linux,initrd-end",
		       info->initrd_gpa + info->initrd_size);
	}
	if (uart) {
		snprintf(path, sizeof(path), "/isa/%s@i%x", uart->name,
			 uart->port);
		dt_str(w, "stdout-path", path);
	}
	dt_end(w);
}

/* One node per RAM range; reserved ranges and holes are not memory. */
static void add_memory(struct dt *w, const struct mem_layout *l)
{
	const struct mem_range *r;
	unsigned int i;

	for (i = 0; i < l->nr_ranges; i++) {
		r = &l->range[i];
		if (r->type != MEM_RAM)
			continue;
		dt_begin(w, "memory@%llx", (unsigned long long)r->addr);
		dt_str(w, "device_type", "memory");
		dt_reg64(w, r->addr, r->size);
		dt_end(w);
	}
}

/* CPU n has APIC ID n, as in the MP table and CPUID. */
static void add_cpus(struct dt *w, const struct platform *p)
{
	unsigned int i;

	dt_begin(w, "cpus");
	dt_u32(w, "#address-cells", 1);
	dt_u32(w, "#size-cells", 0);
	for (i = 0; i < p->nr_cpus; i++) {
		dt_begin(w, "cpu@%x", i);
		dt_str(w, "device_type", "cpu");
		dt_str(w, "compatible", "intel,x86");
		dt_u32(w, "reg", i);
		dt_str(w, "status", "okay");
		dt_end(w);
	}
	dt_end(w);
}

static void add_ioapic(struct dt *w)
{
	dt_begin(w, "interrupt-controller@%llx",
		 (unsigned long long)IOAPIC_ADDR);
	dt_str(w, "compatible", "intel,ce4100-ioapic");
	dt_reg64(w, IOAPIC_ADDR, IOAPIC_MMIO_SIZE);
	dt_empty(w, "interrupt-controller");
	dt_u32(w, "#interrupt-cells", 2);
	dt_u32(w, "#address-cells", 0); /* no interrupt-map needs more */
	dt_u32(w, "phandle", FDT_IOAPIC_PHANDLE);
	dt_end(w);
}

/* ISA IRQ n is I/O APIC pin n (see mptable.c); ISA lines are edge. */
static void add_isa(struct dt *w, const struct platform *p)
{
	const struct platform_isa_dev *d;
	const char *compatible;
	unsigned int i;

	dt_begin(w, "isa");
	dt_str(w, "compatible", "isa");
	dt_u32(w, "#address-cells", 2);
	dt_u32(w, "#size-cells", 1);
	for (i = 0; i < p->nr_isa; i++) {
		d = &p->isa[i];
		compatible = isa_compatible(d->name);
		dt_begin(w, "%s@i%x", d->name, d->port);
		if (compatible)
			dt_str(w, "compatible", compatible);
		dt_cells(w, "reg", 3, ISA_SPACE_IO, d->port, d->nr_ports);
		if (compatible && !strcmp(compatible, "ns16550a"))
			dt_u32(w, "clock-frequency", UART_CLOCK_HZ);
		dt_cells(w, "interrupts", 2, d->irq, FDT_IRQ_EDGE_RISING);
		dt_end(w);
	}
	dt_end(w);
}

static void add_virtio(struct dt *w, const struct platform *p)
{
	const struct platform_virtio_dev *d;
	unsigned int i;

	for (i = 0; i < p->nr_virtio; i++) {
		d = &p->virtio[i];
		dt_begin(w, "virtio_mmio@%llx", (unsigned long long)d->base);
		dt_str(w, "compatible", "virtio,mmio");
		dt_reg64(w, d->base, d->size);
		dt_cells(w, "interrupts", 2, d->irq, FDT_IRQ_EDGE_RISING);
		dt_end(w);
	}
}

/* The whole tree into buf; 0 or a negative libfdt error. */
static int write_tree(void *buf, int size, const struct platform *p,
		      const struct mem_layout *l, const struct fdt_info *info)
{
	struct dt w = { .fdt = buf };

	w.err = fdt_create(buf, size);
	if (!w.err)
		w.err = fdt_finish_reservemap(buf);
	if (!w.err)
		w.err = fdt_begin_node(buf, ""); /* the root */
	dt_u32(&w, "#address-cells", 2);
	dt_u32(&w, "#size-cells", 2);
	dt_str(&w, "compatible", "kvmux,pc");
	dt_str(&w, "model", "kvmux");
	dt_u32(&w, "interrupt-parent", FDT_IOAPIC_PHANDLE);
	add_chosen(&w, p, info);
	add_memory(&w, l);
	add_cpus(&w, p);
	add_ioapic(&w);
	add_isa(&w, p);
	add_virtio(&w, p);
	dt_end(&w);
	if (!w.err)
		w.err = fdt_finish(buf);
	if (!w.err)
		w.err = fdt_pack(buf);
	return w.err;
}

int fdt_build(const struct platform *p, const struct mem_layout *l,
	      const struct fdt_info *info, void **dtb, size_t *len)
{
	int size = FDT_FIRST_SIZE, err;
	void *buf;

	*dtb = NULL;
	if (p->nr_cpus == 0 || p->nr_cpus > PLATFORM_MAX_CPUS)
		return err_set("the device tree describes 1 to %d CPUs, not %u",
			       PLATFORM_MAX_CPUS, p->nr_cpus);
	for (;;) {
		buf = malloc(size);
		if (!buf)
			return err_host("out of memory for the device tree");
		err = write_tree(buf, size, p, l, info);
		if (err != -FDT_ERR_NOSPACE || size >= FDT_MAX_SIZE)
			break;
		free(buf);
		size *= 2;
	}
	if (err) {
		free(buf);
		return err_set("cannot build the device tree: %s",
			       fdt_strerror(err));
	}
	*dtb = buf;
	*len = fdt_totalsize(buf);
	return 0;
}
