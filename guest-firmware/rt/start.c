// SPDX-License-Identifier: GPL-2.0-only
/*
 * start.c - the C half of the runtime's startup: reach PVM native mode,
 * install the exception handlers, turn the boot protocol's structures into
 * a struct boot_info, run main(), and the exit/halt paths.
 */
#include "bootparam.h"
#include "irq.h"
#include "multiboot.h"
#include "rt.h"

/* The page PVM reads our virtual interrupt flag from (first 16 bytes). */
struct rt_vif {
	uint8_t if_; /* 1: interrupts enabled */
	uint8_t pending; /* an interrupt waits for if_ = 1 and an exit */
	uint8_t pad[6];
	uint64_t cr2; /* fault address of the last #PF */
};

/*
 * Registered by GPA = our address (identity map); a page of its own.
 * RT_NOINIT: go_native() zeroes the header, and .bss is cleared only after.
 */
static union {
	struct rt_vif vif;
	uint8_t page[4096];
} rt_vif_page RT_NOINIT __attribute__((aligned(4096)));

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type; /* 0x8e: present, DPL 0, 64-bit interrupt gate */
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t reserved;
} __attribute__((packed));

/* Pushed by entry.S's vector stubs, lowest address first. */
struct rt_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* the CPU's interrupt frame */
};

#define RT_VECTOR_STUB_SIZE 16

extern const char rt_vectors[];
extern char _bss_start[], _bss_end[];
extern const char rt_pvm_probe_insn[], rt_pvm_probe_done[];
uint64_t rt_pvm_probe(void);
void rt_start(unsigned long proto, unsigned long info);
void rt_exception(struct rt_frame *f);

/* RT_NOINIT: the #GP gate is set before .bss is cleared, the rest after. */
static struct idt_gate rt_idt[256] RT_NOINIT __attribute__((aligned(16)));
static bool rt_native;
static struct boot_info rt_boot_info;

static void idt_set_gate(unsigned int vec)
{
	uint64_t addr = (uintptr_t)rt_vectors + vec * RT_VECTOR_STUB_SIZE;
	struct idt_gate *g = &rt_idt[vec];

	g->off_lo = addr & 0xffff;
	g->sel = SEL_CODE64;
	g->ist = 0;
	g->type = 0x8e;
	g->off_mid = (addr >> 16) & 0xffff;
	g->off_hi = addr >> 32;
	g->reserved = 0;
}

static void idt_load(void)
{
	struct desc_ptr dp = {
		.limit = sizeof(rt_idt) - 1,
		.base = (uintptr_t)rt_idt,
	};

	lidt(&dp);
}

/* For the APs (rt/smp.c): they share the BSP's IDT. */
void rt_idt_load(void)
{
	idt_load();
}

bool rt_pvm_native(void)
{
	return rt_native;
}

const char *rt_boot_proto_name(int proto)
{
	switch (proto) {
	case RT_BOOT_PVH:
		return "pvh";
	case RT_BOOT_LINUX64:
		return "linux64";
	case RT_BOOT_MULTIBOOT:
		return "multiboot";
	case RT_BOOT_LINUX32:
		return "linux32";
	}
	return "unknown";
}

void rt_halt(void)
{
	rt_vif_page.vif.if_ = 0;
	asm volatile("cli" : : : "memory");
	/* HLT can return at once (e.g. the first after a VMM register write). */
	for (;;)
		asm volatile("hlt" : : : "memory");
}

/* As an AP parks (rt/smp.c): under PVM the HLT exit delivers. */
void rt_irq_wait(void)
{
	if (rt_native) {
		__atomic_store_n(&rt_vif_page.vif.if_, 1, __ATOMIC_SEQ_CST);
		asm volatile("hlt" : : : "memory");
		__atomic_store_n(&rt_vif_page.vif.if_, 0, __ATOMIC_SEQ_CST);
	} else {
		asm volatile("sti; hlt; cli" : : : "memory");
	}
}

void rt_idle(void)
{
	if (rt_native)
		rt_vif_page.vif.if_ = 1;
	/* STI's shadow makes STI;HLT atomic; PVM wakes HLT on a pending vIF. */
	for (;;)
		asm volatile("sti; hlt" : : : "memory");
}

void rt_exit(int status)
{
	outb(status & 0xff, PORT_DEBUG_EXIT);
	/*
	 * Still running: this VMM has no debug-exit port (kvmtool).  A reset
	 * through the i8042 ends kvmtool and QEMU -no-reboot; the status is
	 * lost, but the run ends instead of halting forever.
	 */
	outb(I8042_CMD_RESET, PORT_I8042_CMD);
	rt_halt();
}

void rt_exception(struct rt_frame *f)
{
	uint64_t cr2;

	/* The probe's #GP on a non-PVM host is expected; all else is fatal. */
	if (f->vector == 13 && f->rip == (uintptr_t)rt_pvm_probe_insn) {
		f->rip = (uintptr_t)rt_pvm_probe_done;
		return;
	}
	/* rt/smp.c's wake-up IPI and the LAPIC spurious vector. */
	if (rt_smp_interrupt(f->vector) || rt_irq_dispatch(f->vector))
		return;
	/*
	 * MOV from CR2 (emulated under PVM) rather than vif.cr2: this host
	 * leaves the latter 0 for a vIF page registered without flags.
	 */
	cr2 = read_cr2();
	rt_printf("exception %lu at 0x%lx\n", f->vector, f->rip);
	rt_printf("exception: error 0x%lx cr2 0x%lx rsp 0x%lx\n", f->error, cr2,
		  f->rsp);
	rt_exit(3);
}

static void add_mem(struct boot_info *bi, uint64_t addr, uint64_t size,
		    uint32_t type)
{
	if (bi->nr_mem < RT_MAX_MEM)
		bi->mem[bi->nr_mem++] = (struct rt_mem_entry){
			.addr = addr,
			.size = size,
			.type = type,
		};
}

static void parse_pvh(struct boot_info *bi, uintptr_t info)
{
	const struct hvm_start_info *si = (const void *)info;
	const struct hvm_memmap_entry *map;
	const struct hvm_modlist_entry *mod;
	unsigned int i;

	if (si->magic != HVM_START_MAGIC) {
		rt_printf("rt: bad hvm_start_info magic 0x%x at 0x%lx\n",
			  si->magic, (unsigned long)info);
		rt_exit(4);
	}
	if (si->cmdline_paddr)
		bi->cmdline = (const char *)(uintptr_t)si->cmdline_paddr;
	bi->acpi_rsdp = si->rsdp_paddr;
	/* The memory map fields exist from version 1 on. */
	if (si->version >= 1 && si->memmap_paddr) {
		map = (const void *)(uintptr_t)si->memmap_paddr;
		for (i = 0; i < si->memmap_entries; i++)
			add_mem(bi, map[i].addr, map[i].size, map[i].type);
	}
	if (si->nr_modules && si->modlist_paddr) {
		mod = (const void *)(uintptr_t)si->modlist_paddr;
		bi->initrd_addr = mod[0].paddr;
		bi->initrd_size = mod[0].size;
	}
}

static uint32_t zp32(uintptr_t zp, unsigned int off)
{
	return *(const volatile uint32_t *)(zp + off);
}

static void parse_linux64(struct boot_info *bi, uintptr_t zp)
{
	const uint8_t *e;
	uint64_t addr, size, cmdline;
	unsigned int i, n;

	cmdline = zp32(zp, HDR_CMD_LINE_PTR) |
		  (uint64_t)zp32(zp, BP_EXT_CMD_LINE_PTR) << 32;
	if (cmdline)
		bi->cmdline = (const char *)(uintptr_t)cmdline;
	n = *(const uint8_t *)(zp + BP_E820_ENTRIES);
	if (n > BP_E820_MAX)
		n = BP_E820_MAX;
	for (i = 0; i < n; i++) {
		/* Packed 20-byte entries: copy out instead of casting. */
		e = (const uint8_t *)zp + BP_E820_TABLE +
		    i * BP_E820_ENTRY_SIZE;
		memcpy(&addr, e, 8);
		memcpy(&size, e + 8, 8);
		add_mem(bi, addr, size, *(const uint32_t *)(e + 16));
	}
	bi->initrd_addr = zp32(zp, HDR_RAMDISK_IMAGE) |
			  (uint64_t)zp32(zp, BP_EXT_RAMDISK_IMAGE) << 32;
	bi->initrd_size = zp32(zp, HDR_RAMDISK_SIZE) |
			  (uint64_t)zp32(zp, BP_EXT_RAMDISK_SIZE) << 32;
	bi->acpi_rsdp = zp32(zp, BP_ACPI_RSDP_ADDR) |
			(uint64_t)zp32(zp, BP_ACPI_RSDP_ADDR + 4) << 32;
}

/*
 * Reach PVM native mode if the host is PVM; returns whether it did.  Until
 * the wrmsr this runs in KVM's instruction emulator (~5 M instructions/s),
 * so it does the minimum and no loops, and it must not rely on .bss, which
 * is not cleared yet.  The probe needs a #GP handler: just that one gate.
 */
static bool go_native(void)
{
	idt_set_gate(13);
	idt_load();
	rt_smp_early(); /* KVM's CPUID: native CPUID may be the host's */
	if (rt_pvm_probe() != PVM_SIGNATURE)
		return false;
	rt_vif_page.vif = (struct rt_vif){ 0 }; /* interrupts masked */
	wrmsr(MSR_PVM_VIF, (uintptr_t)&rt_vif_page);
	return true;
}

/*
 * Which loaders zero .bss: an ELF loader must (the ELF gABI defines the
 * bytes of a segment between p_filesz and p_memsz as 0), so PVH needs
 * nothing; the Linux boot protocols load syssize bytes and promise nothing
 * about the memory after them (Linux clears its own .bss), so clear it.
 */
static void clear_bss(int proto)
{
	if (proto != RT_BOOT_PVH)
		memset(_bss_start, 0, _bss_end - _bss_start);
}

/* Called once by entry.S, on our page tables and stack. */
void rt_start(unsigned long proto, unsigned long info)
{
	struct boot_info *bi = &rt_boot_info;
	unsigned int vec;
	bool native = go_native();

	clear_bss(proto); /* natively, where it costs microseconds */
	rt_native = native;
	for (vec = 0; vec < 256; vec++)
		idt_set_gate(vec);
	idt_load();

	/* The multiboot entry goes on through the PVH one (multiboot_entry.S). */
	if (proto == RT_BOOT_PVH && rt_mb_magic)
		proto = RT_BOOT_MULTIBOOT;
	bi->proto = proto;
	bi->cmdline = "";
	if (proto == RT_BOOT_MULTIBOOT)
		rt_parse_multiboot(bi, info);
	else if (proto == RT_BOOT_PVH)
		parse_pvh(bi, info);
	else
		parse_linux64(bi, info);
	/* An empty initrd is treated as none, as Linux does. */
	bi->has_initrd = bi->initrd_size != 0;
	if (!bi->has_initrd)
		bi->initrd_addr = 0;
	rt_fdt_find(bi, info);

	rt_exit(main(bi));
}
