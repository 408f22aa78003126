// SPDX-License-Identifier: GPL-2.0-only
/*
 * platform.c - the list of what the guest is told about, and the kernel
 * command line generated from it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvmux/error.h"
#include "kvmux/platform.h"

/*
 * ISA interrupt lines free for virtio devices: not the PIT (0), keyboard
 * (1), cascade (2), COM2/COM1 (3, 4), RTC (8) or FPU/IDE (13).
 */
static const uint8_t virtio_irqs[] = { 5, 6, 7, 9, 10, 11, 12, 14, 15 };

void platform_init(struct platform *p, unsigned int nr_cpus)
{
	*p = (struct platform){ .nr_cpus = nr_cpus, .pic = true };
}

int platform_add_isa(struct platform *p, const char *name, uint16_t port,
		     uint16_t nr_ports, uint8_t irq)
{
	if (p->nr_isa == PLATFORM_MAX_ISA_DEVS)
		return err_set("too many legacy devices");
	p->isa[p->nr_isa++] = (struct platform_isa_dev){
		.name = name,
		.port = port,
		.nr_ports = nr_ports,
		.irq = irq,
	};
	return 0;
}

int platform_add_virtio(struct platform *p, uint64_t *base, uint8_t *irq)
{
	unsigned int i = p->nr_virtio;

	if (i == sizeof(virtio_irqs) || i == PLATFORM_MAX_VIRTIO)
		return err_set("too many virtio devices: at most %zu",
			       sizeof(virtio_irqs));
	*base = VIRTIO_MMIO_BASE + i * VIRTIO_MMIO_SIZE;
	*irq = virtio_irqs[i];
	p->virtio[i] = (struct platform_virtio_dev){
		.base = *base,
		.size = VIRTIO_MMIO_SIZE,
		.irq = *irq,
	};
	p->nr_virtio++;
	return 0;
}

void platform_add_pvpanic(struct platform *p, uint16_t port)
{
	p->pvpanic_port = port;
}

void platform_add_ged(struct platform *p, uint16_t port, uint8_t gsi)
{
	p->ged_port = port;
	p->ged_gsi = gsi;
}

int platform_cmdline(const struct platform *p, const char *base_cmdline,
		     char **cmdline)
{
	size_t len = strlen(base_cmdline) + 1 + p->nr_virtio * 64;
	char *out = malloc(len);
	size_t used;
	unsigned int i;

	if (!out)
		return err_host("out of memory");
	used = snprintf(out, len, "%s", base_cmdline);
	for (i = 0; i < p->nr_virtio; i++)
		used += snprintf(out + used, len - used,
				 "%svirtio_mmio.device=%llu@%#llx:%u",
				 used ? " " : "",
				 (unsigned long long)p->virtio[i].size,
				 (unsigned long long)p->virtio[i].base,
				 p->virtio[i].irq);
	*cmdline = out;
	return 0;
}
