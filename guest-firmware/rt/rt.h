/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rt.h - the runtime API every test kernel is written against.
 *
 * A test kernel only defines main(); the runtime has already put the CPU in
 * long mode on its own page tables, installed the exception handlers, reached
 * PVM native mode when the host offers it, and parsed whichever boot protocol
 * was used into a struct boot_info.  Returning from main() exits the VM with
 * main's return value through the debug-exit port.
 */
#ifndef RT_RT_H
#define RT_RT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "x86.h"

#define RT_MEM_RAM 1
#define RT_MEM_RESERVED 2
#define RT_MAX_MEM 128 /* as many as the zero page can hold */
#define RT_MAX_MODULES 32

struct rt_mem_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type; /* RT_MEM_RAM, RT_MEM_RESERVED, or what the VMM said */
};

struct rt_module {
	uint64_t addr;
	uint64_t size;
	const char *string; /* never NULL */
};

/*
 * Everything a kernel needs from the boot protocol, copied out of the VMM's
 * boot structures before main() runs.  cmdline still points into the VMM's
 * buffer (the runtime never writes below 1 MiB, so it stays valid).
 */
struct boot_info {
	int proto; /* RT_BOOT_PVH, RT_BOOT_LINUX64, _LINUX32 or _MULTIBOOT */
	const char *cmdline; /* never NULL; "" when there is none */
	unsigned int nr_mem;
	struct rt_mem_entry mem[RT_MAX_MEM];
	bool has_initrd;
	uint64_t initrd_addr;
	uint64_t initrd_size;
	/* Multiboot only: its module list (module 0 is the initrd), the
	 * information flags, lower/upper memory and the loader's name. */
	unsigned int nr_modules;
	struct rt_module module[RT_MAX_MODULES];
	uint32_t mb_flags;
	uint32_t mem_lower_kb, mem_upper_kb;
	const char *loader_name; /* NULL: not given */
	/* The ACPI RSDP if the boot protocol gave it (hvm_start_info's
	 * rsdp_paddr, boot_params.acpi_rsdp_addr); 0: scan for it. */
	uint64_t acpi_rsdp;
	/* Flattened device tree from the VMM, header checked (rt/fdt.c). */
	bool has_dtb;
	uint64_t dtb_addr;
	uint64_t dtb_size;
};

/*
 * Called by rt_start() after the boot structure is parsed: find the DTB in
 * the PVH module list ("dtb") or the bzImage setup_data list (SETUP_DTB).
 */
void rt_fdt_find(struct boot_info *bi, unsigned long info);

/* Fill bi from the multiboot information at info (rt/multiboot.c). */
void rt_parse_multiboot(struct boot_info *bi, unsigned long info);

/*
 * For what the runtime writes before .bss is cleared (rt_start() clears it
 * natively on the Linux boot paths), and for large buffers it initialises
 * itself before use: never cleared, so it costs no start-up time.
 */
#define RT_NOINIT __attribute__((section(".noinit")))

/* Provided by each test kernel. */
int main(const struct boot_info *bi);

/* Name of the boot protocol, for messages. */
const char *rt_boot_proto_name(int proto);

/* True when the vIF page is registered and the kernel runs natively. */
bool rt_pvm_native(void);

/*
 * Write the low byte of status to the debug-exit port; if the VMM lets the
 * guest run on (no such port), reset through the i8042, then halt.
 */
__attribute__((noreturn)) void rt_exit(int status);

/* Mask interrupts (vIF and IF) and halt forever: kvmux's "clean stop". */
__attribute__((noreturn)) void rt_halt(void);

/*
 * Enable interrupts (vIF and IF) and halt forever: an idle machine, not a
 * stopped one.  Interrupts go to the exception handlers, so the caller
 * masks every source it does not handle first.
 */
__attribute__((noreturn)) void rt_idle(void);

/* Serial console (COM1). */
void rt_putc(char c);
void rt_puts(const char *s); /* no newline added */
__attribute__((format(printf, 1, 2))) int rt_printf(const char *fmt, ...);

/* The TSC's rate in Hz and how it was found (tsc.c); 0 if unknown. */
uint64_t rt_tsc_hz(const char **source);
int rt_vprintf(const char *fmt, va_list ap);
__attribute__((format(printf, 3, 4))) int rt_snprintf(char *buf, size_t size,
						      const char *fmt, ...);

/*
 * Command line: whitespace-separated tokens; "key=value" ones are looked up
 * by key.  rt_cmdline_find returns the value (len set to its length) or NULL.
 * rt_cmdline_u64 accepts decimal or 0x-prefixed hex and fails on anything
 * else.  rt_cmdline_str fails when the key is absent or the value does not
 * fit in buf with its NUL.
 */
const char *rt_cmdline_find(const char *cmdline, const char *key, size_t *len);
bool rt_cmdline_u64(const char *cmdline, const char *key, uint64_t *val);
bool rt_cmdline_str(const char *cmdline, const char *key, char *buf,
		    size_t size);

/* IEEE 802.3 CRC-32, zlib convention: pass 0 first, then the last result. */
uint32_t rt_crc32(uint32_t crc, const void *buf, size_t len);

/* The freestanding C library subset (the compiler may also call these). */
void *memset(void *s, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/* CPUs, AP start-up, per-CPU work, spinlocks and atomics. */
#include "smp.h"

#endif
