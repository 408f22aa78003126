// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_ports.c - the PC's legacy devices on the port I/O bus, as a guest
 * drives them with in/out: the 16550A UART (src/devices/serial8250.c),
 * the i8042's reset line (i8042.c), debug-exit (debug_exit.c), pvpanic
 * (pvpanic.c) and the ACPI PM registers (acpi_pm.c), each opened and
 * attached through its struct device_kind on the fake VM of
 * tests/unit/device_test_util.h, with host input fed to the UART.
 *
 * Input: u8 setup (bit 0: the UART's sink is a pipe that stays full,
 * else one that discards; bit 1: ACPI; bit 2: debug-exit status=qemu),
 * u16 debug-exit port, u8 debug-exit size (any: open() decides), then
 * steps until the input ends: u8 opcode (enum op) and its arguments.
 *
 * Properties, held against a model written from the chips' documents
 * (the 16550A data sheet; the i8042's commands; QEMU's isa-debug-exit and
 * pvpanic; ACPI 6.5, 4.8.3.7 and 4.8.4.6), besides ASan and UBSan:
 * - open and attach fail exactly for a debug-exit window that is empty,
 *   past port 0xffff or over another device's ports;
 * - an access reaches a device exactly when all its ports are the
 *   device's; others read as all ones and change nothing;
 * - every byte read is the model's: UART registers (the divisor latch,
 *   IER, IIR with its priorities and FIFO bits, LCR, MCR, LSR, MSR in and
 *   out of loopback, scratch, received bytes in order), the i8042's status
 *   and answers, pvpanic's supported events, zeros from the PM registers;
 * - the UART's interrupt line changes exactly when the model's does, and
 *   is driven only on a change; the sink takes exactly the transmitted
 *   bytes; bytes held or lost are counted as undelivered; host input is
 *   taken while the receive FIFO has room, and the host hears once that
 *   there is room again after a refusal, once the FIFO is half empty;
 * - the VM is stopped (reset, guest exit with the status, panic, power
 *   off) exactly by the writes that mean it, and told of a crash kernel
 *   once however often it is written.
 *
 * smoke runs: 5000
 */
#include "console_test_util.h"
#include "device_test_util.h"
#include "fuzz.h"
#include "kvmux/acpi_hw.h"
#include "kvmux/acpi_pm.h"
#include "kvmux/debug_exit.h"
#include "kvmux/i8042.h"
#include "kvmux/pvpanic.h"
#include "kvmux/serial8250.h"

#define MAX_STEPS 4096
#define RX_FIFO 4096 /* serial8250.c's receive FIFO */

enum op { OP_OUT, OP_IN, OP_INPUT, OP_OUT_ANY, OP_IN_ANY, NR_OPS };

enum dev { DEV_UART, DEV_I8042, DEV_DEBUG_EXIT, DEV_PVPANIC, DEV_PM, NR_DEVS };

/* The port ranges the devices claim: the i8042 has two. */
enum range {
	R_UART,
	R_KBC_DATA,
	R_KBC_CMD,
	R_DEBUG_EXIT,
	R_PVPANIC,
	R_PM,
	NR_RANGES
};

static const enum dev dev_of[NR_RANGES] = { DEV_UART,	 DEV_I8042,
					    DEV_I8042,	 DEV_DEBUG_EXIT,
					    DEV_PVPANIC, DEV_PM };
static const enum range first_range[NR_DEVS] = { R_UART, R_KBC_DATA,
						 R_DEBUG_EXIT, R_PVPANIC,
						 R_PM };

/* The 16550A as its data sheet describes it. */
struct uart_model {
	uint8_t ier, fcr, lcr, mcr, scr, dll, dlm;
	bool overrun, thri, level, room_wanted;
	uint8_t rx[RX_FIFO];
	size_t rx_head, rx_count;
	unsigned int tx_held;
	uint64_t sent, lost, room_calls;
};

struct model {
	struct uart_model u;
	uint8_t kbc_status, kbc_config, kbc_out, kbc_pending;
	unsigned int stops, notes;
	enum vm_stop_reason reason;
	int value;
};

struct ports {
	struct fuzz_in in;
	struct test_vm vm;
	struct vm_config cfg;
	bool full; /* the UART's sink never has room */
	struct test_console tc;
	struct console_sink *sink;
	void *dev[NR_DEVS];
	uint64_t base[NR_RANGES], len[NR_RANGES];
	unsigned int levels_seen;
	uint64_t room_seen;
	struct model m;
};

static const struct device_kind *const kinds[NR_DEVS] = {
	&serial8250_kind, &i8042_kind,	 &debug_exit_kind,
	&pvpanic_kind,	  &acpi_pm_kind,
};

/* --- the UART ------------------------------------------------------------ */

static uint8_t uart_iir(const struct uart_model *u)
{
	if ((u->ier & 0x04) && u->overrun)
		return 0x06;
	if ((u->ier & 0x01) && u->rx_count)
		return 0x04;
	if ((u->ier & 0x02) && u->thri)
		return 0x02;
	return 0x01;
}

static void uart_rx(struct uart_model *u, uint8_t b)
{
	if (u->rx_count == RX_FIFO) {
		u->overrun = true;
		return;
	}
	u->rx[(u->rx_head + u->rx_count++) % RX_FIFO] = b;
}

/* The host waits for room: it hears once the FIFO is half empty. */
static void uart_room(struct uart_model *u)
{
	if (u->room_wanted && u->rx_count <= RX_FIFO / 2) {
		u->room_wanted = false;
		u->room_calls++;
	}
}

static void uart_tx(struct ports *p, uint8_t b)
{
	struct uart_model *u = &p->m.u;
	unsigned int fifo = u->fcr & 0x01 ? 16 : 1;

	if (u->mcr & 0x10) {
		uart_rx(u, b); /* loopback: THR empties into the receiver */
		u->thri = true;
		return;
	}
	if (u->tx_held >= fifo) {
		u->lost++;
		return;
	}
	if (p->full) {
		u->tx_held++;
		return;
	}
	u->sent++;
	u->thri = true;
}

static uint8_t uart_msr(const struct uart_model *u)
{
	uint8_t mcr = u->mcr;

	if (!(mcr & 0x10))
		return 0xb0; /* DCD, DSR, CTS: a cable, a host ready */
	return (mcr & 0x01 ? 0x20 : 0) | (mcr & 0x02 ? 0x10 : 0) |
	       (mcr & 0x04 ? 0x40 : 0) | (mcr & 0x08 ? 0x80 : 0);
}

static uint8_t uart_read(struct uart_model *u, unsigned int reg)
{
	bool dlab = u->lcr & 0x80;
	uint8_t x;

	switch (reg) {
	case 0:
		if (dlab)
			return u->dll;
		if (!u->rx_count)
			return 0;
		x = u->rx[u->rx_head];
		u->rx_head = (u->rx_head + 1) % RX_FIFO;
		u->rx_count--;
		uart_room(u);
		return x;
	case 1:
		return dlab ? u->dlm : u->ier;
	case 2:
		x = uart_iir(u);
		if (x == 0x02)
			u->thri = false;
		return x | (u->fcr & 0x01 ? 0xc0 : 0);
	case 3:
		return u->lcr;
	case 4:
		return u->mcr;
	case 5:
		x = (u->tx_held ? 0 : 0x60) | (u->rx_count ? 0x01 : 0) |
		    (u->overrun ? 0x02 : 0);
		u->overrun = false;
		return x;
	case 6:
		return uart_msr(u);
	default:
		return u->scr;
	}
}

static void uart_write(struct ports *p, unsigned int reg, uint8_t x)
{
	struct uart_model *u = &p->m.u;
	bool dlab = u->lcr & 0x80;

	if (reg == 0 && dlab) {
		u->dll = x;
	} else if (reg == 0) {
		u->thri = false;
		uart_tx(p, x);
	} else if (reg == 1 && dlab) {
		u->dlm = x;
	} else if (reg == 1) {
		if ((x & 0x02) && !(u->ier & 0x02) && !u->tx_held)
			u->thri = true;
		u->ier = x & 0x0f;
	} else if (reg == 2) {
		u->fcr = x;
		if (x & 0x02) {
			u->rx_count = 0;
			uart_room(u);
		}
		if ((x & 0x04) && u->tx_held) {
			u->lost += u->tx_held;
			u->tx_held = 0;
			u->thri = true;
		}
	} else if (reg == 3) {
		u->lcr = x;
	} else if (reg == 4) {
		u->mcr = x & 0x1f;
	} else if (reg == 7) {
		u->scr = x;
	}
}

/* After each access: the line follows IIR, gated by OUT2. */
static void uart_line(struct ports *p)
{
	struct uart_model *u = &p->m.u;
	bool level = uart_iir(u) != 0x01 && (u->mcr & 0x08);
	unsigned int i;

	if (level != u->level) {
		FUZZ_CHECK(p->vm.nr_levels == p->levels_seen + 1);
		i = p->levels_seen++;
		FUZZ_CHECK(p->vm.levels[i].gsi == SERIAL_COM1_IRQ &&
			   p->vm.levels[i].level == level);
		u->level = level;
	}
	FUZZ_CHECK(p->vm.nr_levels == p->levels_seen);
	if (p->levels_seen == TEST_MAX_LEVELS)
		p->vm.nr_levels = p->levels_seen = 0; /* room for more */
}

/* --- the others ------------------------------------------------------- */

static void stop(struct model *m, enum vm_stop_reason reason, int value)
{
	m->stops++;
	m->reason = reason;
	m->value = value;
}

static void kbc_command(struct model *m, uint8_t cmd)
{
	m->kbc_status |= 0x08;
	m->kbc_pending = 0;
	if (cmd >= 0xf0) {
		if (!(cmd & 0x01)) /* pulse the reset line */
			stop(m, VM_STOP_RESET, 0);
		return;
	}
	if (cmd == 0x20 || cmd == 0xaa || cmd == 0xab || cmd == 0xa9) {
		m->kbc_out = cmd == 0x20 ? m->kbc_config :
			     cmd == 0xaa ? 0x55 :
					   0;
		m->kbc_status |= 0x01;
	} else if (cmd == 0x60 || cmd == 0xd1) {
		m->kbc_pending = cmd;
	}
}

static void kbc_data(struct model *m, uint8_t b)
{
	m->kbc_status &= ~0x08;
	if (m->kbc_pending == 0x60)
		m->kbc_config = b;
	else if (m->kbc_pending == 0xd1 && !(b & 0x01))
		stop(m, VM_STOP_RESET, 0);
	m->kbc_pending = 0;
}

static void debug_exit_write(struct ports *p, uint64_t off, const uint8_t *b,
			     unsigned int len)
{
	const struct debug_exit_config *d = &p->cfg.debug_exit;
	uint32_t v = 0;
	unsigned int i;

	if (off >= d->size)
		return;
	for (i = 0; i < len && i < 4 && off + i < d->size; i++)
		v |= (uint32_t)b[i] << (8 * i);
	stop(&p->m, VM_STOP_GUEST_EXIT,
	     (int)((d->qemu_status ? v << 1 | 1 : v) & 0xff));
}

static void pm_write(struct model *m, uint64_t off, const uint8_t *b,
		     unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i++) {
		if (off + i == ACPI_PM_SLEEP_CONTROL_REG && (b[i] & 0x20) &&
		    (b[i] >> 2 & 7) == ACPI_SLP_TYP_S5) {
			stop(m, VM_STOP_POWER_OFF, 0);
			return;
		}
		if (off + i == ACPI_PM_RESET_REG && b[i] == ACPI_RESET_VALUE) {
			stop(m, VM_STOP_RESET, 0);
			return;
		}
	}
}

static void pvpanic_write(struct model *m, uint8_t b)
{
	if (b & PVPANIC_CRASH_LOADED)
		m->notes = 1; /* said once per run, however often written */
	if (b & PVPANIC_PANICKED)
		stop(m, VM_STOP_PANICKED, 0);
}

/* --- accesses ------------------------------------------------------------ */

/* The range that holds all of [port, port + len), or NR_RANGES. */
static enum range owner(const struct ports *p, uint64_t port, unsigned int len,
			uint64_t *off)
{
	unsigned int i;

	for (i = 0; i < NR_RANGES; i++) {
		if (!p->dev[dev_of[i]] || port < p->base[i] ||
		    port - p->base[i] + len > p->len[i])
			continue;
		*off = port - p->base[i];
		return i;
	}
	return NR_RANGES;
}

/* What the model's devices answer; the others read as all ones. */
static void model_read(struct ports *p, enum range r, uint64_t off,
		       uint8_t *want, unsigned int len)
{
	unsigned int i;

	memset(want, r == R_PVPANIC || r == R_PM ? 0 : 0xff, len);
	if (r == R_UART) {
		for (i = 0; i < len; i++)
			want[i] = uart_read(&p->m.u, off + i);
	} else if (r == R_KBC_DATA) {
		want[0] = p->m.kbc_out;
		p->m.kbc_status &= ~0x01;
	} else if (r == R_KBC_CMD) {
		want[0] = p->m.kbc_status;
	} else if (r == R_PVPANIC) {
		want[0] = PVPANIC_SUPPORTED;
	}
}

static void model_write(struct ports *p, enum range r, uint64_t off,
			const uint8_t *b, unsigned int len)
{
	unsigned int i;

	if (r == R_UART)
		for (i = 0; i < len; i++)
			uart_write(p, off + i, b[i]);
	else if (r == R_KBC_DATA)
		kbc_data(&p->m, b[0]);
	else if (r == R_KBC_CMD)
		kbc_command(&p->m, b[0]);
	else if (r == R_DEBUG_EXIT)
		debug_exit_write(p, off, b, len);
	else if (r == R_PVPANIC)
		pvpanic_write(&p->m, b[0]);
	else if (r == R_PM)
		pm_write(&p->m, off, b, len);
}

static void check_vm(struct ports *p)
{
	struct test_vm *vm = &p->vm;

	FUZZ_CHECK(vm->stops == p->m.stops && vm->notes == p->m.notes);
	FUZZ_CHECK(!vm->stops ||
		   (vm->reason == p->m.reason && vm->value == p->m.value));
	FUZZ_CHECK(__atomic_load_n(&p->room_seen, __ATOMIC_SEQ_CST) ==
		   p->m.u.room_calls);
	if (!p->full)
		FUZZ_CHECK(console_sink_bytes(p->sink) == p->m.u.sent);
	FUZZ_CHECK(serial8250_kind.console->undelivered(p->dev[DEV_UART]) ==
		   p->m.u.tx_held + p->m.u.lost);
}

static void port_access(struct ports *p, uint64_t port, unsigned int len,
			bool is_write, uint32_t x)
{
	uint8_t b[4], want[4];
	uint64_t off = 0;
	enum range r = owner(p, port, len, &off);

	memcpy(b, &x, sizeof(b));
	if (is_write) {
		bus_access(&p->vm.pio, port, true, b, len);
		if (r != NR_RANGES)
			model_write(p, r, off, b, len);
	} else {
		memset(want, 0xff, len);
		if (r != NR_RANGES)
			model_read(p, r, off, want, len);
		memset(b, 0xee, sizeof(b));
		bus_access(&p->vm.pio, port, false, b, len);
		if (memcmp(b, want, len))
			fuzz_fail("in%c %#llx: %#x, the model says %#x",
				  "bw?l"[len - 1], (unsigned long long)port,
				  *(uint32_t *)b, *(uint32_t *)want);
	}
	if (r == R_UART)
		uart_line(p);
	check_vm(p);
}

/* Ports worth aiming at: each device's, and their neighbours; u8. */
static uint64_t port_arg(struct ports *p)
{
	static const uint16_t fixed[] = { 0x3f8, 0x3f9, 0x3fa, 0x3fb, 0x3fc,
					  0x3fd, 0x3fe, 0x3ff, 0x3f7, 0x400,
					  0x60,	 0x64,	0x61,  0x505, 0x504,
					  0x600, 0x601, 0x602, 0x603 };
	const unsigned int nr = sizeof(fixed) / sizeof(fixed[0]);
	uint8_t sel = fuzz_u8(&p->in);

	if (sel % 32 < nr)
		return fixed[sel % 32];
	/* the debug-exit window and the ports around it */
	return (uint16_t)(p->cfg.debug_exit.port + sel % 32 - nr - 2);
}

static const unsigned int widths[4] = { 1, 2, 4, 1 };

/* out: u8 port (port_arg), u8 width, u32 value. */
static void op_out(struct ports *p, bool any)
{
	uint64_t port = any ? fuzz_u16(&p->in) : port_arg(p);
	unsigned int len = widths[fuzz_u8(&p->in) & 3];

	port_access(p, port, len, true, fuzz_u32(&p->in));
}

/* in: u8 port (port_arg), u8 width. */
static void op_in(struct ports *p, bool any)
{
	uint64_t port = any ? fuzz_u16(&p->in) : port_arg(p);

	port_access(p, port, widths[fuzz_u8(&p->in) & 3], false, 0);
}

/* Host input for the UART: u8 length, the bytes, u8 repeats (1 + n). */
static void op_input(struct ports *p)
{
	static uint8_t buf[255 * 256];
	struct uart_model *u = &p->m.u;
	size_t len, i, total, room, took;
	const uint8_t *b = fuzz_bytes(&p->in, fuzz_u8(&p->in), &len);
	unsigned int times = 1 + fuzz_u8(&p->in);

	for (i = 0, total = 0; i < times; i++, total += len)
		memcpy(buf + total, b, len);
	room = RX_FIFO - u->rx_count;
	took = total < room ? total : room;
	if (total > room)
		u->room_wanted = true;
	for (i = 0; i < took; i++)
		uart_rx(u, buf[i]);
	FUZZ_CHECK(serial8250_kind.console->input(p->dev[DEV_UART], buf,
						  total) == took);
	uart_line(p);
	check_vm(p);
}

static void room(void *opaque)
{
	struct ports *p = opaque;

	__atomic_add_fetch(&p->room_seen, 1, __ATOMIC_SEQ_CST);
}

/* --- one input ---------------------------------------------------------- */

/* Does [base, base + len) share a port with a device attached before? */
static bool clashes(const struct ports *p, enum range r)
{
	unsigned int i;

	for (i = 0; i < NR_RANGES; i++)
		if (p->dev[dev_of[i]] && p->base[r] < p->base[i] + p->len[i] &&
		    p->base[i] < p->base[r] + p->len[r])
			return true;
	return false;
}

/* Where each device decodes: debug-exit at least an outl's worth from
 * its first port, up to the end of the port space. */
static void ranges(struct ports *p)
{
	static const uint64_t fixed[NR_RANGES][2] = {
		[R_UART] = { SERIAL_COM1_BASE, 8 },
		[R_KBC_DATA] = { I8042_DATA_PORT, 1 },
		[R_KBC_CMD] = { I8042_CMD_PORT, 1 },
		[R_PVPANIC] = { PVPANIC_PORT, PVPANIC_LEN },
		[R_PM] = { ACPI_PM_BASE, ACPI_PM_LEN },
	};
	const struct debug_exit_config *d = &p->cfg.debug_exit;
	unsigned int i;

	for (i = 0; i < NR_RANGES; i++) {
		p->base[i] = fixed[i][0];
		p->len[i] = fixed[i][1];
	}
	p->base[R_DEBUG_EXIT] = d->port;
	p->len[R_DEBUG_EXIT] = d->size < 4 ? 4 : d->size;
	if (p->len[R_DEBUG_EXIT] > DEBUG_EXIT_PORT_LIMIT - d->port)
		p->len[R_DEBUG_EXIT] = DEBUG_EXIT_PORT_LIMIT - d->port;
}

/* debug-exit clashes only where its window (size ports) does. */
static void debug_exit_window(struct ports *p)
{
	p->len[R_DEBUG_EXIT] = p->cfg.debug_exit.size;
}

/* Once attached it also has the spare ports past its window, up to what
 * ranges() gave, that no device attached before it has
 * (devices/debug_exit.c): the longest such run. */
static void debug_exit_spare(struct ports *p)
{
	uint64_t size = p->cfg.debug_exit.size, len;

	ranges(p);
	for (len = p->len[R_DEBUG_EXIT]; len > size; len--) {
		p->len[R_DEBUG_EXIT] = len;
		if (!clashes(p, R_DEBUG_EXIT))
			return;
	}
	p->len[R_DEBUG_EXIT] = size;
}

/* In device.h's table order: a device whose ports one attached before
 * it took fails to attach; debug-exit fails to open without a window. */
static void attach_all(struct ports *p)
{
	const struct debug_exit_config *d = &p->cfg.debug_exit;
	bool fits = d->size && d->size <= DEBUG_EXIT_PORT_LIMIT - d->port;
	unsigned int i;
	bool clash;
	void *dev;

	ranges(p);
	for (i = 0; i < NR_DEVS; i++) {
		if (i == DEV_PM && !p->cfg.acpi)
			continue;
		if (i == DEV_DEBUG_EXIT)
			debug_exit_window(p);
		clash = clashes(p, first_range[i]) ||
			(i == DEV_I8042 && clashes(p, R_KBC_CMD));
		err_set("%s", "");
		dev = test_attach(&p->vm, kinds[i], &p->cfg, 0);
		if (i == DEV_DEBUG_EXIT && !fits) {
			FUZZ_CHECK(!dev && err_msg()[0]);
			continue;
		}
		if (i == DEV_DEBUG_EXIT && dev)
			debug_exit_spare(p);
		FUZZ_CHECK(!dev == clash && (dev || err_msg()[0]));
		p->dev[i] = dev;
	}
	FUZZ_CHECK(p->dev[DEV_UART] && p->dev[DEV_I8042]);
	serial8250_kind.console->on_input_room(p->dev[DEV_UART], room, p);
}

static void sink_open(struct ports *p)
{
	if (!p->full) {
		p->sink = console_sink_new();
		FUZZ_CHECK(p->sink != NULL);
		return;
	}
	FUZZ_CHECK(tc_init(&p->tc) == 0);
	FUZZ_CHECK(tc_make_full(&p->tc) == 0);
	p->sink = p->tc.sink;
}

static void teardown(struct ports *p)
{
	unsigned int i;

	/* The stream's thread may call the UART until tc_finish(). */
	if (p->full)
		tc_finish(&p->tc);
	for (i = 0; i < NR_DEVS; i++)
		if (p->dev[i])
			kinds[i]->destroy(p->dev[i]);
	test_vm_free(&p->vm);
	if (p->full)
		tc_free(&p->tc);
	else
		console_sink_destroy(p->sink);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ports p;
	unsigned int steps = 0;
	uint8_t setup;

	memset(&p, 0, sizeof(p));
	p.in = fuzz_in(data, size);
	setup = fuzz_u8(&p.in);
	p.full = setup & 1;
	vm_config_init(&p.cfg);
	p.cfg.acpi = setup >> 1 & 1;
	p.cfg.debug_exit.qemu_status = setup >> 2 & 1;
	p.cfg.debug_exit.port = fuzz_u16(&p.in);
	p.cfg.debug_exit.size = fuzz_u8(&p.in);
	p.m.u.lcr = 0x03; /* 8N1, as firmware leaves it */
	p.m.kbc_status = 0x04; /* self-test passed */
	sink_open(&p);
	test_vm_init(&p.vm, NULL, 1);
	p.vm.env.console = p.sink;
	attach_all(&p);
	while (p.in.left && steps++ < MAX_STEPS) {
		uint8_t op = fuzz_u8(&p.in) % NR_OPS;

		if (op == OP_OUT || op == OP_OUT_ANY)
			op_out(&p, op == OP_OUT_ANY);
		else if (op == OP_IN || op == OP_IN_ANY)
			op_in(&p, op == OP_IN_ANY);
		else
			op_input(&p);
	}
	teardown(&p);
	return 0;
}
