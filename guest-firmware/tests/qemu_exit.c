// SPDX-License-Identifier: GPL-2.0-only
/*
 * qemu_exit.c - reports a result the way suites written for QEMU's
 * isa-debug-exit do: value=V written to port=P (default 0xf4) with an
 * out of width=W bytes (1, 2 or 4; default 4).  If the VM is still running
 * afterwards, nobody decoded the write: it says so and halts (status 120).
 */
#include "rt.h"

static void out(uint16_t port, uint32_t value, uint64_t width)
{
	if (width == 1)
		outb(value, port);
	else if (width == 2)
		asm volatile("outw %w0, %w1" : : "a"(value), "Nd"(port));
	else
		asm volatile("outl %0, %w1" : : "a"(value), "Nd"(port));
}

int main(const struct boot_info *bi)
{
	uint64_t port = 0xf4, width = 4, value = 0;

	rt_cmdline_u64(bi->cmdline, "port", &port);
	rt_cmdline_u64(bi->cmdline, "width", &width);
	rt_cmdline_u64(bi->cmdline, "value", &value);
	rt_printf("qemu_exit: out%c 0x%lx to port 0x%lx\n",
		  width == 1 ? 'b' :
		  width == 2 ? 'w' :
			       'l',
		  value, port);
	out(port, value, width);
	rt_printf("qemu_exit: still running\n");
	rt_halt();
}
