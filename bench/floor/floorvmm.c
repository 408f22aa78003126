// SPDX-License-Identifier: GPL-2.0-only
/*
 * floorvmm.c - the floor for bench/: the least a VMM does to boot one of
 * guest-firmware's PVH ELF kernels on /dev/kvm and see it exit.
 *
 *   floorvmm [-m MIB] [-c CMDLINE] KERNEL.elf
 *
 * One VM, one vCPU (CPUID from KVM_GET_SUPPORTED_CPUID, nothing else), no
 * in-kernel irqchip or PIT, RAM as one anonymous mapping.  The kernel's
 * PT_LOAD segments are copied to their physical addresses (the rest of a
 * segment is already zero: the mapping is fresh), and the vCPU starts at
 * the PVH entry (XEN_ELFNOTE_PHYS32_ENTRY) in 32-bit flat protected mode
 * with EBX = struct hvm_start_info (PVH boot ABI, version 1: command line
 * and memory map).  Decoded: the COM1 UART's THR (to stdout, buffered), LSR
 * (always THRE|TEMT), FCR and IIR (FIFOs reported once enabled), and the
 * debug-exit port 0x501.  Other ports read as all ones; MMIO reads as all
 * ones; writes to either are dropped.
 *
 * Exit status: the byte the guest wrote to port 0x501; 121 after a triple
 * fault; 122 after a failed entry or internal error; 125 when the VM cannot
 * be set up; 126 for a bad command line or kernel.  A vCPU that halts waits
 * for a signal: with no interrupt controller nothing could wake it (this is
 * what bench/ uses to idle).  Guest-controlled values are checked; this is
 * a measuring tool, not a product, so errors end the process at once.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define KVM_API 12
#define MIB (1024 * 1024ull)
#define MAX_RAM (3072 * MIB) /* stays below the 32-bit MMIO hole */
#define HIGH_RAM 0x100000ull /* 1 MiB: kernels load from here */
#define LOW_RAM_END 0x9fc00ull /* a PC's conventional memory */

/* Where the boot structures go, below 1 MiB (the runtime never writes there). */
#define START_INFO_ADDR 0x1000
#define MEMMAP_ADDR 0x1040
#define CMDLINE_ADDR 0x2000
#define CMDLINE_MAX 4096

#define HVM_START_MAGIC 0x336ec578
#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define E820_RAM 1

#define COM1 0x3f8
#define UART_THR 0
#define UART_IIR_FCR 2
#define UART_LSR 5
#define UART_IIR_NO_INT 0x01
#define UART_IIR_FIFOS 0xc0
#define UART_LSR_IDLE 0x60 /* THRE | TEMT: always ready */
#define DEBUG_EXIT_PORT 0x501

#define EXIT_TRIPLE_FAULT 121
#define EXIT_CRASH 122
#define EXIT_SETUP 125
#define EXIT_USAGE 126

struct hvm_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr;
	uint64_t memmap_paddr;
	uint32_t memmap_entries, reserved;
};

struct hvm_memmap_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
};

struct vm {
	int kvm, fd, vcpu;
	uint8_t *ram;
	uint64_t ram_size;
	struct kvm_run *run;
	size_t run_size;
	uint8_t fcr; /* the UART's FIFO control register */
};

static void die(int status, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("floorvmm: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

static int kvm_ioctl(int fd, unsigned long req, void *arg, const char *what)
{
	int ret = ioctl(fd, req, arg);

	if (ret < 0)
		die(EXIT_SETUP, "%s: %s", what, strerror(errno));
	return ret;
}

/* The guest-physical range [addr, addr + len) in RAM, or NULL. */
static void *gpa(const struct vm *vm, uint64_t addr, uint64_t len)
{
	if (addr > vm->ram_size || len > vm->ram_size - addr)
		return NULL;
	return vm->ram + addr;
}

static uint8_t *read_file(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0)
		die(EXIT_USAGE, "%s: %s", path, strerror(errno));
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf || read(fd, buf, st.st_size) != st.st_size)
		die(EXIT_USAGE, "%s: cannot read it", path);
	close(fd);
	*len = st.st_size;
	return buf;
}

static void create_vm(struct vm *vm, uint64_t ram_size)
{
	struct kvm_userspace_memory_region region = { 0 };

	vm->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm < 0)
		die(EXIT_SETUP, "/dev/kvm: %s", strerror(errno));
	if (ioctl(vm->kvm, KVM_GET_API_VERSION, 0) != KVM_API)
		die(EXIT_SETUP, "KVM API version is not %d", KVM_API);
	vm->fd = kvm_ioctl(vm->kvm, KVM_CREATE_VM, 0, "KVM_CREATE_VM");
	vm->ram_size = ram_size;
	vm->ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->ram == MAP_FAILED)
		die(EXIT_SETUP, "guest RAM: %s", strerror(errno));
	region.memory_size = ram_size;
	region.userspace_addr = (uintptr_t)vm->ram;
	kvm_ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region,
		  "KVM_SET_USER_MEMORY_REGION");
}

/*
 * The PVH entry from a PT_NOTE segment's notes, or 0.  Headers are copied
 * out: nothing in the file is necessarily aligned.
 */
static uint64_t pvh_entry(const uint8_t *note, uint64_t len)
{
	uint64_t off = 0, name, desc;
	uint32_t entry;
	Elf64_Nhdr nh;

	while (len - off >= sizeof(nh)) {
		memcpy(&nh, note + off, sizeof(nh));
		off += sizeof(nh);
		name = ((uint64_t)nh.n_namesz + 3) & ~3ull;
		desc = ((uint64_t)nh.n_descsz + 3) & ~3ull;
		if (name + desc > len - off)
			return 0;
		if (nh.n_type == XEN_ELFNOTE_PHYS32_ENTRY && nh.n_namesz == 4 &&
		    !memcmp(note + off, "Xen", 4) && nh.n_descsz >= 4) {
			memcpy(&entry, note + off + name, 4);
			return entry;
		}
		off += name + desc;
	}
	return 0;
}

/* Whether a segment's file bytes lie inside the file. */
static int in_file(const Elf64_Phdr *ph, size_t len)
{
	return ph->p_offset <= len && ph->p_filesz <= len - ph->p_offset;
}

static void load_segment(struct vm *vm, const uint8_t *elf, size_t len,
			 const Elf64_Phdr *ph)
{
	uint8_t *dst = gpa(vm, ph->p_paddr, ph->p_memsz);

	if (!in_file(ph, len) || ph->p_filesz > ph->p_memsz)
		die(EXIT_USAGE,
		    "kernel: a PT_LOAD segment lies outside the file");
	if (!dst || ph->p_paddr < HIGH_RAM)
		die(EXIT_USAGE, "kernel: a PT_LOAD segment lies outside RAM");
	memcpy(dst, elf + ph->p_offset, ph->p_filesz);
}

/* Loads the kernel; returns its PVH entry point. */
static uint64_t load_elf(struct vm *vm, const uint8_t *elf, size_t len)
{
	uint64_t entry = 0;
	unsigned int i;
	Elf64_Ehdr eh;
	Elf64_Phdr ph;

	if (len < sizeof(eh))
		die(EXIT_USAGE, "kernel: not an x86-64 ELF64 file");
	memcpy(&eh, elf, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64 ||
	    eh.e_phentsize != sizeof(ph) || eh.e_phoff > len ||
	    (uint64_t)eh.e_phnum * sizeof(ph) > len - eh.e_phoff)
		die(EXIT_USAGE, "kernel: not an x86-64 ELF64 file");
	for (i = 0; i < eh.e_phnum; i++) {
		memcpy(&ph, elf + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_LOAD && ph.p_memsz)
			load_segment(vm, elf, len, &ph);
		if (ph.p_type == PT_NOTE && !entry && in_file(&ph, len))
			entry = pvh_entry(elf + ph.p_offset, ph.p_filesz);
	}
	if (!entry)
		die(EXIT_USAGE, "kernel: no PVH entry note");
	return entry;
}

static void write_start_info(struct vm *vm, const char *cmdline)
{
	struct hvm_start_info *si = gpa(vm, START_INFO_ADDR, sizeof(*si));
	struct hvm_memmap_entry *map = gpa(vm, MEMMAP_ADDR, 2 * sizeof(*map));
	size_t n = strlen(cmdline);

	if (n >= CMDLINE_MAX)
		die(EXIT_USAGE, "command line longer than %d bytes",
		    CMDLINE_MAX);
	memcpy(gpa(vm, CMDLINE_ADDR, n + 1), cmdline, n + 1);
	map[0] = (struct hvm_memmap_entry){ 0, LOW_RAM_END, E820_RAM, 0 };
	map[1] = (struct hvm_memmap_entry){ HIGH_RAM, vm->ram_size - HIGH_RAM,
					    E820_RAM, 0 };
	*si = (struct hvm_start_info){
		.magic = HVM_START_MAGIC,
		.version = 1,
		.cmdline_paddr = CMDLINE_ADDR,
		.memmap_paddr = MEMMAP_ADDR,
		.memmap_entries = 2,
	};
}

/*
 * One KVM_GET_SUPPORTED_CPUID with room for every entry KVM can return
 * (256 in every kernel so far), as kvmux asks: each call executes CPUID
 * for every leaf, which traps when this host is itself a VM, so a retry
 * from a smaller guess would cost the floor a second round of them.
 */
#define CPUID_MAX_ENTRIES 256

static void set_cpuid(struct vm *vm)
{
	struct kvm_cpuid2 *cpuid;

	cpuid = calloc(1, sizeof(*cpuid) + CPUID_MAX_ENTRIES *
						   sizeof(cpuid->entries[0]));
	if (!cpuid)
		die(EXIT_SETUP, "out of memory");
	cpuid->nent = CPUID_MAX_ENTRIES;
	if (ioctl(vm->kvm, KVM_GET_SUPPORTED_CPUID, cpuid) < 0)
		die(EXIT_SETUP, "KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
	kvm_ioctl(vm->vcpu, KVM_SET_CPUID2, cpuid, "KVM_SET_CPUID2");
	free(cpuid);
}

static struct kvm_segment flat32(uint16_t selector, uint8_t type)
{
	return (struct kvm_segment){ .limit = 0xffffffff,
				     .selector = selector,
				     .type = type,
				     .present = 1,
				     .s = 1,
				     .db = 1,
				     .g = 1 };
}

/* PVH: 32-bit flat protected mode, paging off, EBX = start info. */
static void set_entry_state(struct vm *vm, uint64_t entry)
{
	struct kvm_regs regs = { .rip = entry,
				 .rbx = START_INFO_ADDR,
				 .rflags = 2 };
	struct kvm_sregs sregs;

	kvm_ioctl(vm->vcpu, KVM_GET_SREGS, &sregs, "KVM_GET_SREGS");
	sregs.cs = flat32(0x08, 0xb); /* execute/read, accessed */
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss =
		flat32(0x10, 0x3); /* read/write, accessed */
	sregs.cr0 = 0x11; /* PE | ET */
	sregs.cr4 = 0;
	sregs.efer = 0;
	kvm_ioctl(vm->vcpu, KVM_SET_SREGS, &sregs, "KVM_SET_SREGS");
	kvm_ioctl(vm->vcpu, KVM_SET_REGS, &regs, "KVM_SET_REGS");
}

static void create_vcpu(struct vm *vm, uint64_t entry)
{
	int size;

	vm->vcpu = kvm_ioctl(vm->fd, KVM_CREATE_VCPU, 0, "KVM_CREATE_VCPU");
	size = kvm_ioctl(vm->kvm, KVM_GET_VCPU_MMAP_SIZE, 0,
			 "KVM_GET_VCPU_MMAP_SIZE");
	vm->run_size = size;
	vm->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu,
		       0);
	if (vm->run == MAP_FAILED)
		die(EXIT_SETUP, "kvm_run: %s", strerror(errno));
	set_cpuid(vm);
	set_entry_state(vm, entry);
}

static uint8_t port_in(struct vm *vm, uint16_t port)
{
	if (port == COM1 + UART_LSR)
		return UART_LSR_IDLE;
	if (port == COM1 + UART_IIR_FCR)
		return UART_IIR_NO_INT | (vm->fcr & 1 ? UART_IIR_FIFOS : 0);
	if (port >= COM1 && port < COM1 + 8)
		return 0;
	return 0xff;
}

/* Returns the guest's exit status, or -1 to go on. */
static int port_out(struct vm *vm, uint16_t port, uint8_t val)
{
	if (port == COM1 + UART_THR)
		putchar(val);
	else if (port == COM1 + UART_IIR_FCR)
		vm->fcr = val;
	else if (port == DEBUG_EXIT_PORT)
		return val;
	return -1;
}

static int handle_io(struct vm *vm)
{
	struct kvm_run *run = vm->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	unsigned int i;
	int status = -1;

	if (run->io.data_offset + (uint64_t)run->io.size * run->io.count >
	    vm->run_size)
		die(EXIT_CRASH, "KVM_EXIT_IO data beyond kvm_run");
	/* Only the low byte of wider accesses means anything here. */
	for (i = 0; i < run->io.count && status < 0;
	     i++, data += run->io.size) {
		if (run->io.direction == KVM_EXIT_IO_OUT)
			status = port_out(vm, run->io.port, *data);
		else
			memset(data, port_in(vm, run->io.port), run->io.size);
	}
	return status;
}

static void handle_mmio(struct vm *vm)
{
	if (!vm->run->mmio.is_write)
		memset(vm->run->mmio.data, 0xff, sizeof(vm->run->mmio.data));
}

/* Runs the vCPU until the guest exits; returns the exit status. */
static int run_vcpu(struct vm *vm)
{
	int status;

	for (;;) {
		if (ioctl(vm->vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			die(EXIT_CRASH, "KVM_RUN: %s", strerror(errno));
		}
		switch (vm->run->exit_reason) {
		case KVM_EXIT_IO:
			status = handle_io(vm);
			if (status >= 0)
				return status;
			break;
		case KVM_EXIT_MMIO:
			handle_mmio(vm);
			break;
		case KVM_EXIT_HLT:
			fflush(stdout);
			for (;;) /* nothing can wake it: wait to be killed */
				pause();
		case KVM_EXIT_SHUTDOWN:
			return EXIT_TRIPLE_FAULT;
		default:
			die(EXIT_CRASH, "vCPU stopped: exit reason %u",
			    vm->run->exit_reason);
		}
	}
}

static void destroy_vm(struct vm *vm)
{
	munmap(vm->run, vm->run_size);
	close(vm->vcpu);
	munmap(vm->ram, vm->ram_size);
	close(vm->fd);
	close(vm->kvm);
}

static void usage(void)
{
	fputs("usage: floorvmm [-m MIB] [-c CMDLINE] KERNEL.elf\n", stderr);
	exit(EXIT_USAGE);
}

int main(int argc, char **argv)
{
	const char *cmdline = "";
	unsigned long mib = 256;
	struct vm vm = { 0 };
	uint64_t entry;
	uint8_t *elf;
	size_t len;
	char *end;
	int opt, status;

	while ((opt = getopt(argc, argv, "m:c:h")) != -1) {
		if (opt == 'm') {
			errno = 0;
			mib = strtoul(optarg, &end, 10);
			if (errno || *end || mib < 2 || mib * MIB > MAX_RAM)
				die(EXIT_USAGE, "-m: 2 to %llu MiB",
				    MAX_RAM / MIB);
		} else if (opt == 'c') {
			cmdline = optarg;
		} else {
			usage();
		}
	}
	if (optind != argc - 1)
		usage();
	elf = read_file(argv[optind], &len);
	create_vm(&vm, mib * MIB);
	entry = load_elf(&vm, elf, len);
	free(elf);
	write_start_info(&vm, cmdline);
	create_vcpu(&vm, entry);
	status = run_vcpu(&vm);
	fflush(stdout);
	destroy_vm(&vm);
	return status;
}
