// SPDX-License-Identifier: GPL-2.0-only
/*
 * pit.c - is there an 8254 PIT?  Starts channel 0 counting down from
 * 0xffff (mode 2) and reads its count twice, latched: a PIT's count
 * moves at 1.193182 MHz, and each read is an exit of microseconds, while
 * ports nothing decodes read 0xff every time.  Prints "pit: present" or
 * "pit: absent" (kvmux's --pit on|off).
 */
#include "rt.h"

#define PIT_CH0 0x40
#define PIT_MODE 0x43

static uint16_t pit_read(void)
{
	uint16_t lo;

	outb(0x00, PIT_MODE); /* latch channel 0 */
	lo = inb(PIT_CH0);
	return lo | inb(PIT_CH0) << 8;
}

int main(const struct boot_info *bi)
{
	uint16_t a, b;
	unsigned int i;

	(void)bi;
	outb(0x34, PIT_MODE); /* channel 0, lo/hi byte, mode 2, binary */
	outb(0xff, PIT_CH0);
	outb(0xff, PIT_CH0);
	a = pit_read();
	for (i = 0; i < 1000 && (b = pit_read()) == a; i++)
		;
	rt_printf("pit: %s\n", a == b ? "absent" : "present");
	return 0;
}
