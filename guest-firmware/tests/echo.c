// SPDX-License-Identifier: GPL-2.0-only
/*
 * echo.c - reads the UART (COM1, polled) and echoes each line it receives
 * as "echo: <line>" until the line "quit", then prints "echo: bye
 * <lines> lines <bytes> bytes" and exits 0.  Lines longer than 255 bytes
 * are cut.  A host that feeds more than the UART holds must wait for the
 * guest to read: this is how the tests see that no input is dropped.
 */
#include "rt.h"
#include "x86.h"

#define LSR_DR 0x01
#define LINE_MAX 256

static char getc_polled(void)
{
	while (!(inb(PORT_COM1_LSR) & LSR_DR))
		asm volatile("pause");
	return inb(PORT_COM1);
}

int main(const struct boot_info *bi)
{
	char line[LINE_MAX];
	uint64_t lines = 0, bytes = 0;
	size_t len = 0;
	char c;

	(void)bi;
	rt_printf("echo: ready\n");
	for (;;) {
		c = getc_polled();
		bytes++;
		if (c == '\r')
			continue;
		if (c != '\n') {
			if (len < LINE_MAX - 1)
				line[len++] = c;
			continue;
		}
		line[len] = '\0';
		lines++;
		rt_printf("echo: %s\n", line);
		if (!strcmp(line, "quit"))
			break;
		len = 0;
	}
	rt_printf("echo: bye %lu lines %lu bytes\n", (unsigned long)lines,
		  (unsigned long)bytes);
	return 0;
}
