// SPDX-License-Identifier: GPL-2.0-only
/*
 * garbage.c - a hostile guest: programs random values into every device
 * register kvmux emulates (virtio-mmio windows, the UART, the i8042 data
 * port), including queue setups with random ring addresses and random
 * notifications, then reports that it is still alive.  The host test
 * checks that kvmux neither crashed nor hung and that devices the guest
 * broke said so once.
 *
 * Command line: rounds=N (default 20000), seed=S.
 */
#include "rt.h"
#include "x86.h"

#define VIRTIO_BASE 0xd0000000ULL
#define VIRTIO_WINDOW 0x200
#define VIRTIO_WINDOWS 4 /* the first few windows, present or not */
#define UART 0x3f8
#define I8042_DATA 0x60

static uint64_t state = 88172645463325252ULL;

static uint64_t next_random(void)
{
	/* xorshift64: cheap, and enough to be unpredictable to a device */
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

static void mmio_write32(uint64_t addr, uint32_t value)
{
	*(volatile uint32_t *)addr = value;
}

static uint32_t mmio_read32(uint64_t addr)
{
	return *(volatile uint32_t *)addr;
}

/* One random access to a virtio window: aligned or not, any register. */
static void poke_virtio(void)
{
	uint64_t r = next_random();
	uint64_t window = VIRTIO_BASE + (r % VIRTIO_WINDOWS) * VIRTIO_WINDOW;
	uint64_t off = (r >> 8) % (VIRTIO_WINDOW - 4);

	if (r & (1ULL << 40))
		off &= ~3ULL;
	if (r & (1ULL << 41))
		mmio_write32(window + off, (uint32_t)next_random());
	else
		(void)mmio_read32(window + off);
}

/* The UART's registers other than THR (which would print noise). */
static void poke_uart(void)
{
	uint64_t r = next_random();
	unsigned int reg = 1 + r % 7;

	if (r & 0x100)
		outb((uint8_t)(r >> 16), UART + reg);
	else
		(void)inb(UART + reg);
}

int main(const struct boot_info *bi)
{
	uint64_t rounds = 20000, seed = 0, i;

	rt_cmdline_u64(bi->cmdline, "rounds", &rounds);
	if (rt_cmdline_u64(bi->cmdline, "seed", &seed) && seed)
		state = seed;
	for (i = 0; i < rounds; i++) {
		switch (next_random() % 8) {
		case 0:
			poke_uart();
			break;
		case 1:
			outb((uint8_t)next_random(), I8042_DATA);
			break;
		default:
			poke_virtio();
			break;
		}
	}
	/* Undo what the noise did to the UART, or nothing reaches the host:
	 * DLAB off (LCR 8N1), loopback off (MCR), no interrupts. */
	outb(0x03, UART + 3);
	outb(0x03, UART + 4);
	outb(0x00, UART + 1);
	rt_printf("garbage: survived %lu rounds\n", (unsigned long)rounds);
	return 0;
}
