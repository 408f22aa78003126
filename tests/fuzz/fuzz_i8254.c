// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_i8254.c - kvmux's 8254 PIT (src/devices/i8254.c) through its
 * counter logic, which takes the time as an argument: i8254_init(), reads
 * and writes of ports 0x40-0x43 and 0x61, i8254_next_irq_ns() and
 * i8254_take_irq(), on a clock the fuzzer moves forward by any amount
 * (nothing, nanoseconds, whole ticks, up to days, or to the next edge).
 *
 * Input: u40 start time (ns), then steps until the input ends: u8 opcode
 * (enum op) and its arguments.
 *
 * Properties, held against a model written from the Intel 8254 data sheet
 * (231164-005) as kvmux/i8254.h has it, besides ASan and UBSan:
 * - time: tick d of a count started at base is counted from the first ns
 *   >= base + ceil(d * 1e9 / 1193182); a gate that stops a count keeps its
 *   ticks, and one that lets it go on again starts the next tick a tick
 *   later;
 * - every byte read from a counter is the model's: the count (modes 0, 1,
 *   4, 5 down from the initial count and round from 0; mode 2 n..1; mode 3
 *   by two, an odd count as i8254.h has it), binary or BCD (whose
 *   digits are all 0-9), in the order the control word's RW gives with
 *   the read flip-flop, latched counts (a second latch ignored until
 *   read), read-back status bytes (OUT, null count, RW, mode, BCD) before
 *   latched counts; 0xff from the control word port;
 * - after every step, on copies of both, a read-back of every channel's
 *   status and count reads as the model says;
 * - OUT: mode 0 low from the control word until the terminal count;
 *   mode 1 low from the trigger to the terminal count; mode 2 low for the
 *   tick at count 1; mode 3 high for the first (n + 1) / 2 ticks of each
 *   period; modes 4 and 5 low for the tick at the terminal count; high
 *   in modes 2 and 3 while the gate is low;
 * - channels 0 and 1 have their gate high (modes 1 and 5 start at the
 *   load); channel 2's gate is port 0x61 bit 0: in modes 0 and 4 it
 *   pauses the count, in 1, 2, 3 and 5 a rising edge starts it from the
 *   initial count and in 2 and 3 a low gate stops it;
 * - a control word stops its counter until a count is written; in mode 0
 *   so does the first byte of a two-byte count; a new count in modes 2
 *   and 3 takes effect at once;
 * - port 0x61: bits 0-3 as written, bit 4 (now / 15085) & 1, bit 5 OUT2,
 *   bits 6 and 7 clear;
 * - i8254_next_irq_ns() is, after every step, the time of the first rising
 *   edge of OUT0 from counting not yet taken (0 when there is none to
 *   come); i8254_take_irq() is true exactly when such an edge has come by
 *   then, and takes every edge up to then.
 *
 * Where neither the data sheet nor i8254.h decides, the model does what
 * i8254.c does: a count is loaded at its write (tick 0, no load pulse);
 * power-on reads as mode 0, RW 3, binary, count 0, OUT low; after a
 * control word the old count and its ticks read in the new mode and code;
 * mode 3 from an odd n reads
 * n - (2d mod n); modes 2 and 3 with the illegal count 1 (OUT low in 2,
 * high in 3) raise IRQ 0 at every tick; BCD digits above 9 weigh as
 * their value; latched and live reads have flip-flops of their own; a
 * control word drops the latches; a gate that rises before the count is
 * written triggers nothing; only counting raises IRQ 0 (not OUT going
 * high at a control word or at a count written).
 *
 * The model follows the data sheet (enum strict, all set) where i8254.c
 * first differed; this target found each (their inputs are in
 * corpus/i8254/, named after them): the first byte of a mode 0 count sets
 * OUT low, null count is set by a count's last byte, channel 2's gate
 * does not restart a mode 0 count half written, a new count on channel 2
 * in modes 1 and 5 waits for the next trigger, and an edge of OUT0 not
 * taken before channel 0 is programmed again still raises IRQ 0.  Status
 * bytes give the mode bits as written (6 and 7 act as 2 and 3).  IRQ 0
 * comes at most every I8254_MIN_IRQ_NS: an edge before then waits.
 *
 * smoke runs: 50000
 */
#include <stdbool.h>

#include "fuzz.h"
#include "kvmux/i8254.h"

#define MAX_STEPS 4096
#define NS_PER_S 1000000000ull
#define REFRESH_NS 15085ull
#define NO_EDGE UINT64_MAX

enum op {
	OP_WAIT_NS, /* u8: that many ns */
	OP_WAIT_TICKS, /* u16: ns of that many ticks, rounded up */
	OP_WAIT_LONG, /* u32: that times 65536 ns (up to 3.3 days) */
	OP_WAIT_EDGE, /* u8: to the model's next IRQ time, -2..+2 ns */
	OP_WAIT_TICK, /* u8: to (around) a coming tick of a channel */
	OP_WRITE, /* u8 port (0-3), u8 value */
	OP_READ, /* u8 port (0-3) */
	OP_CONTROL, /* u8 control word */
	OP_PROGRAM, /* u8 control word, u16 count: the count's bytes by RW */
	OP_LATCH_READ, /* u8 channel: counter latch, then two reads */
	OP_PORT_B_WRITE, /* u8 */
	OP_PORT_B_READ,
	OP_TAKE_IRQ,
	NR_OPS
};

/* --- the model ----------------------------------------------------------- */

/* Where i8254.c first differed from the data sheet (fixed since; each
 * stays a switch of the model, all on, so that the model says what the
 * data sheet says in each place). */
enum strict {
	S_OUT = 1, /* "out": mode 0's first count byte sets OUT low */
	S_NULL = 2, /* "null": null count set by a count's last byte */
	S_GATE = 4, /* "gate": no count while a mode 0 count is half written */
	S_ONESHOT = 8, /* "oneshot": channel 2 in modes 1 and 5 keeps the
			* current count until the next trigger */
	S_IRQ = 16, /* "irq": an edge not taken survives reprogramming */
	S_ALL = 31
};

struct m_ch {
	unsigned int mode, rw;
	unsigned int mode_bits; /* M2-M0 as written: status reads them */
	bool bcd;
	bool loaded; /* a count was written since the control word */
	uint32_t n; /* the initial count (0 before any) */
	bool running; /* false: held at held ticks */
	uint64_t base, held;
	bool gate;
	bool null_count;
	bool lsb_written; /* the first of two count bytes is in */
	uint8_t lsb;
	bool read_msb;
	bool count_latched, latch_msb;
	uint16_t latch;
	bool status_latched;
	uint8_t status;
	bool out_forced_low; /* S_OUT: mode 0 after the first byte */
	bool cr_waiting; /* S_ONESHOT: cr waits for channel 2's trigger */
	uint32_t cr;
	/* channel 0: edges of OUT0 up to this tick of the count are taken */
	uint64_t taken;
	bool pending; /* S_IRQ: an edge not taken when reprogrammed */
};

struct model {
	struct m_ch ch[3];
	uint8_t port_b;
	uint64_t last_irq; /* when the last IRQ take_irq gave was due (its
			    * edge, or the minimum after the one before) */
	unsigned int strict; /* enum strict: the data sheet, not i8254.c */
};

/* The data sheet's clock at I8254_HZ, as i8254.h counts it from the
 * host's clock: tick d is counted from ceil(d * 1e9 / HZ) ns on. */
static uint64_t m_ticks_in(uint64_t ns)
{
	return (uint64_t)((unsigned __int128)ns * I8254_HZ / NS_PER_S);
}

static uint64_t m_tick_ns(uint64_t d)
{
	unsigned __int128 x = (unsigned __int128)d * NS_PER_S;

	return (uint64_t)((x + I8254_HZ - 1) / I8254_HZ);
}

static uint64_t m_elapsed(const struct m_ch *c, uint64_t now)
{
	if (!c->running)
		return c->held;
	FUZZ_CHECK(now >= c->base);
	return m_ticks_in(now - c->base);
}

/* Modulus of the counting element: four decades in BCD, 16 bits else. */
static uint32_t m_modulus(const struct m_ch *c)
{
	return c->bcd ? 10000 : 65536;
}

/* The count's value (not yet encoded) d ticks into the count. */
static uint32_t m_value(const struct m_ch *c, uint64_t d)
{
	uint32_t n = c->n, m = m_modulus(c);

	if (n == 0)
		return 0; /* power-on: no count ever written */
	switch (c->mode) {
	case 2: /* n, n - 1, ..., 1, then n again (the reload) */
		return n - (uint32_t)(d % n);
	case 3:
		if (n % 2 == 0) /* n, n - 2, ..., 2 in each half period */
			return n - 2 * (uint32_t)(d % (n / 2));
		/* odd: i8254.h's simplification, as i8254.c has it */
		return n - (uint32_t)((2 * (unsigned __int128)d) % n);
	default: /* down to 0, then on from the top of the modulus */
		return (uint32_t)(((uint64_t)n % m + m - d % m) % m);
	}
}

static uint16_t m_encode(const struct m_ch *c, uint32_t v)
{
	uint16_t r = 0;
	unsigned int i;

	if (!c->bcd)
		return (uint16_t)v;
	v %= 10000;
	for (i = 0; i < 4; i++, v /= 10)
		r |= (v % 10) << (4 * i);
	return r;
}

static uint16_t m_count(const struct m_ch *c, uint64_t now)
{
	return m_encode(c, m_value(c, m_elapsed(c, now)));
}

static bool m_out(const struct m_ch *c, uint64_t now)
{
	uint64_t d = m_elapsed(c, now);
	uint32_t n = c->n;

	if (!c->loaded) /* the control word: mode 0 low, others high */
		return c->mode != 0;
	if (c->out_forced_low)
		return false;
	switch (c->mode) {
	case 0:
		return d >= n;
	case 1: /* high until triggered, low until the terminal count */
		return !c->running || d >= n;
	case 2:
		if (!c->running)
			return true; /* gate low */
		return d % n != n - 1;
	case 3:
		if (!c->running)
			return true;
		return d % n < (n + 1) / 2;
	default: /* 4, 5: a strobe at the terminal count */
		return d != n;
	}
}

static uint8_t m_status(const struct m_ch *c, uint64_t now)
{
	return (m_out(c, now) ? 0x80 : 0) | (c->null_count ? 0x40 : 0) |
	       c->rw << 4 | c->mode_bits << 1 | (c->bcd ? 1 : 0);
}

/* The first rising edge of OUT0 from counting after tick t, or NO_EDGE.
 * Modes 2 and 3 with the illegal count 1 (the data sheet's minimum is
 * 2) reload at every tick: each reload is taken as an edge. */
static uint64_t m_edge_after(const struct m_ch *c, uint64_t t)
{
	uint64_t n = c->n;

	switch (c->mode) {
	case 0:
	case 1:
		return n > t ? n : NO_EDGE;
	case 2:
	case 3:
		return (t / n + 1) * n;
	default:
		return n + 1 > t ? n + 1 : NO_EDGE;
	}
}

static bool m_irq_counting(const struct m_ch *c)
{
	return c->loaded && c->running;
}

/* Channel 0 is programmed again: edges not taken by now are dropped
 * (i8254.c) or, strictly, still raise IRQ 0 once. */
static void m_reprogram_ch0(struct model *m, uint64_t now)
{
	struct m_ch *c = &m->ch[0];

	if (!(m->strict & S_IRQ) || !m_irq_counting(c))
		return;
	if (m_edge_after(c, c->taken) <= m_elapsed(c, now))
		c->pending = true;
}

static void m_hold(struct m_ch *c, uint64_t now)
{
	c->held = m_elapsed(c, now);
	c->running = false;
}

/* Count on from tick `ticks` at now: the next tick a tick later. */
static void m_run_from(struct m_ch *c, uint64_t ticks, uint64_t now)
{
	uint64_t back = m_tick_ns(ticks);

	FUZZ_CHECK(now >= back);
	c->base = now - back;
	c->running = true;
}

static void m_latch_count(struct m_ch *c, uint64_t now)
{
	if (c->count_latched)
		return; /* a second latch before the read is ignored */
	c->latch = m_count(c, now);
	c->count_latched = true;
	c->latch_msb = false;
}

static void m_latch_status(struct m_ch *c, uint64_t now)
{
	if (c->status_latched)
		return;
	c->status = m_status(c, now);
	c->status_latched = true;
}

static void m_init(struct model *m)
{
	unsigned int i;

	memset(m->ch, 0, sizeof(m->ch));
	m->port_b = 0;
	for (i = 0; i < 3; i++) {
		m->ch[i].rw = 3;
		m->ch[i].gate = i < 2; /* tied high; 2's is port B bit 0 */
	}
}

static void m_control(struct model *m, uint8_t v, uint64_t now)
{
	unsigned int sc = v >> 6, rw = v >> 4 & 3, mode = v >> 1 & 7, i;
	struct m_ch *c;

	if (sc == 3) { /* read-back: bits 5 and 4 are active low */
		for (i = 0; i < 3; i++) {
			if (!(v & 2u << i))
				continue;
			if (!(v & 0x20))
				m_latch_count(&m->ch[i], now);
			if (!(v & 0x10))
				m_latch_status(&m->ch[i], now);
		}
		return;
	}
	c = &m->ch[sc];
	if (rw == 0) {
		m_latch_count(c, now);
		return;
	}
	if (sc == 0)
		m_reprogram_ch0(m, now);
	m_hold(c, now);
	c->mode = mode >= 6 ? mode - 4 : mode; /* X10 is 2, X11 is 3 */
	c->mode_bits = mode;
	c->rw = rw;
	c->bcd = v & 1;
	c->loaded = false;
	c->null_count = true;
	c->lsb_written = false;
	c->read_msb = false;
	c->count_latched = false;
	c->status_latched = false;
	c->out_forced_low = false;
	c->cr_waiting = false;
}

/* The count's digits as written: BCD digits weighted by their decade,
 * whatever they are; 0 is the modulus. */
static void m_load(struct model *m, unsigned int idx, uint16_t raw,
		   uint64_t now)
{
	struct m_ch *c = &m->ch[idx];
	uint32_t n = raw;

	if (c->bcd)
		n = ((raw >> 12 & 15) * 1000 + (raw >> 8 & 15) * 100 +
		     (raw >> 4 & 15) * 10 + (raw & 15)) %
		    10000;
	if (idx == 0)
		m_reprogram_ch0(m, now);
	if (!n)
		n = m_modulus(c);
	if ((m->strict & S_ONESHOT) && idx == 2 &&
	    (c->mode == 1 || c->mode == 5)) {
		/* the count goes to CE at the next trigger: null count
		 * until then; a one-shot under way goes on */
		c->null_count = true;
		if (c->loaded && c->running) {
			c->cr = n;
			c->cr_waiting = true;
			return;
		}
	}
	c->n = n;
	c->loaded = true;
	if (!((m->strict & S_ONESHOT) && idx == 2 &&
	      (c->mode == 1 || c->mode == 5)))
		c->null_count = false;
	c->out_forced_low = false;
	c->running = false;
	c->held = 0;
	c->taken = 0;
	/* channel 2 in modes 1 and 5 waits for its gate to rise */
	if (c->gate && !(idx == 2 && (c->mode == 1 || c->mode == 5)))
		m_run_from(c, 0, now);
}

static void m_write_count(struct model *m, unsigned int idx, uint8_t v,
			  uint64_t now)
{
	struct m_ch *c = &m->ch[idx];

	switch (c->rw) {
	case 1:
		m_load(m, idx, v, now);
		return;
	case 2:
		m_load(m, idx, (uint16_t)(v << 8), now);
		return;
	}
	if (c->lsb_written) {
		c->lsb_written = false;
		m_load(m, idx, (uint16_t)(c->lsb | v << 8), now);
		return;
	}
	c->lsb = v;
	c->lsb_written = true;
	if (!(m->strict & S_NULL))
		c->null_count = true;
	if (c->mode == 0) { /* the first byte stops the count */
		if (idx == 0)
			m_reprogram_ch0(m, now);
		m_hold(c, now);
		if ((m->strict & S_OUT) && c->loaded)
			c->out_forced_low = true;
	}
}

static uint8_t m_byte(uint16_t v, bool msb)
{
	return msb ? v >> 8 : v & 0xff;
}

static uint8_t m_read(struct model *m, unsigned int off, uint64_t now,
		      bool *is_count)
{
	struct m_ch *c = &m->ch[off];
	bool msb;

	*is_count = false;
	if (off == 3)
		return 0xff; /* the control word cannot be read */
	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	*is_count = true;
	if (c->count_latched) {
		if (c->rw == 3 && !c->latch_msb) {
			c->latch_msb = true;
			return m_byte(c->latch, false);
		}
		c->count_latched = false;
		return m_byte(c->latch, c->rw == 2 || c->rw == 3);
	}
	msb = c->rw == 2 || (c->rw == 3 && c->read_msb);
	if (c->rw == 3)
		c->read_msb = !c->read_msb;
	return m_byte(m_count(c, now), msb);
}

static void m_set_gate2(struct model *m, bool gate, uint64_t now)
{
	struct m_ch *c = &m->ch[2];

	if (gate == c->gate)
		return;
	c->gate = gate;
	if (!c->loaded)
		return; /* nothing to start: a count is still to come */
	switch (c->mode) {
	case 0:
	case 4: /* the gate enables counting */
		if (!gate)
			m_hold(c, now);
		else if (!((m->strict & S_GATE) && c->mode == 0 &&
			   c->lsb_written))
			m_run_from(c, c->held, now);
		break;
	default: /* a trigger: from the initial count again */
		if (gate) {
			m_run_from(c, 0, now);
			if ((m->strict & S_ONESHOT) &&
			    (c->mode == 1 || c->mode == 5)) {
				if (c->cr_waiting)
					c->n = c->cr;
				c->cr_waiting = false;
				c->null_count = false;
			}
		} else if (c->mode == 2 || c->mode == 3)
			m_hold(c, now);
		break;
	}
}

static uint8_t m_port_b(const struct model *m, uint64_t now)
{
	return m->port_b | ((now / REFRESH_NS) & 1 ? 0x10 : 0) |
	       (m_out(&m->ch[2], now) ? 0x20 : 0);
}

/* The earliest IRQ 0 may come again: I8254_MIN_IRQ_NS after the last. */
static uint64_t m_allowed(const struct model *m)
{
	return m->last_irq ? m->last_irq + I8254_MIN_IRQ_NS : 0;
}

static uint64_t m_next_irq(const struct model *m, uint64_t now)
{
	const struct m_ch *c = &m->ch[0];
	uint64_t e;

	if (c->pending) {
		e = now; /* S_IRQ: due already */
	} else {
		if (!m_irq_counting(c))
			return 0;
		e = m_edge_after(c, c->taken);
		if (e == NO_EDGE)
			return 0;
		e = c->base + m_tick_ns(e);
	}
	return e > m_allowed(m) ? e : m_allowed(m);
}

static bool m_take_irq(struct model *m, uint64_t now)
{
	struct m_ch *c = &m->ch[0];
	bool edge = c->pending;
	uint64_t d, e, due = now;

	if (now < m_allowed(m))
		return false; /* nothing taken: the edges wait */
	c->pending = false;
	if (m_irq_counting(c)) {
		d = m_elapsed(c, now);
		e = m_edge_after(c, c->taken);
		if (e <= d) {
			due = c->base + m_tick_ns(e);
			c->taken = d;
			edge = true;
		}
	}
	if (edge) /* the next no sooner than the minimum after this one was
		   * due */
		m->last_irq = due > m_allowed(m) ? due : m_allowed(m);
	return edge;
}

/* --- the harness --------------------------------------------------------- */

struct fio {
	struct fuzz_in in;
	uint64_t now;
	struct i8254 pit;
	struct model m;
};

static bool bcd_digits(uint8_t b)
{
	return (b & 0x0f) <= 9 && (b >> 4) <= 9;
}

static void check_read(struct i8254 *pit, struct model *m, unsigned int off,
		       uint64_t now, const char *what)
{
	bool is_count;
	uint8_t want = m_read(m, off, now, &is_count);
	uint8_t got = i8254_read(pit, off, now);

	if (got != want)
		fuzz_fail("%s: port 0x%x at %llu ns reads 0x%02x, the model "
			  "0x%02x",
			  what, I8254_PORT + off, (unsigned long long)now, got,
			  want);
	if (off < 3 && is_count && m->ch[off].bcd && !bcd_digits(got))
		fuzz_fail("port 0x%x reads 0x%02x in BCD", I8254_PORT + off,
			  got);
}

/* A read-back of every channel's status and count, on copies. */
static void check_all(const struct fio *f)
{
	struct i8254 pit = f->pit;
	struct model m = f->m;
	unsigned int i;

	i8254_write(&pit, 3, 0xce, f->now);
	m_control(&m, 0xce, f->now);
	for (i = 0; i < 3; i++) {
		check_read(&pit, &m, i, f->now, "after the step, status");
		check_read(&pit, &m, i, f->now, "after the step, count");
		if (m.ch[i].rw == 3)
			check_read(&pit, &m, i, f->now,
				   "after the step, count MSB");
	}
	if (i8254_next_irq_ns(&f->pit) != m_next_irq(&f->m, f->now) &&
	    !(f->m.ch[0].pending && i8254_next_irq_ns(&f->pit) &&
	      i8254_next_irq_ns(&f->pit) <= f->now))
		fuzz_fail("next IRQ at %llu ns, the model's at %llu ns "
			  "(now %llu)",
			  (unsigned long long)i8254_next_irq_ns(&f->pit),
			  (unsigned long long)m_next_irq(&f->m, f->now),
			  (unsigned long long)f->now);
}

static void wait_until(struct fio *f, uint64_t t)
{
	if (t > f->now)
		f->now = t;
}

static void do_write(struct fio *f, unsigned int off, uint8_t v)
{
	i8254_write(&f->pit, off, v, f->now);
	if (off == 3)
		m_control(&f->m, v, f->now);
	else
		m_write_count(&f->m, off, v, f->now);
}

static void step(struct fio *f, unsigned int op)
{
	struct m_ch *c;
	uint64_t t;
	uint8_t v, got, want;
	unsigned int i;
	bool irq, m_irq;

	switch (op) {
	case OP_WAIT_NS:
		wait_until(f, f->now + fuzz_u8(&f->in));
		break;
	case OP_WAIT_TICKS:
		wait_until(f, f->now + m_tick_ns(fuzz_u16(&f->in)));
		break;
	case OP_WAIT_LONG:
		wait_until(f, f->now + ((uint64_t)fuzz_u32(&f->in) << 16));
		break;
	case OP_WAIT_EDGE:
		v = fuzz_u8(&f->in);
		t = m_next_irq(&f->m, f->now);
		if (t && t + v % 5 >= 2)
			wait_until(f, t + v % 5 - 2);
		break;
	case OP_WAIT_TICK: /* ch = v % 3, (v / 3) % 32 ticks on, 1 ns less */
		v = fuzz_u8(&f->in);
		c = &f->m.ch[v % 3];
		if (c->running)
			wait_until(f, c->base +
					      m_tick_ns(m_elapsed(c, f->now) +
							1 + v / 3 % 32) -
					      (v / 96 & 1));
		break;
	case OP_WRITE:
		i = fuzz_u8(&f->in) & 3;
		do_write(f, i, fuzz_u8(&f->in));
		break;
	case OP_READ:
		check_read(&f->pit, &f->m, fuzz_u8(&f->in) & 3, f->now, "read");
		break;
	case OP_CONTROL:
		do_write(f, 3, fuzz_u8(&f->in));
		break;
	case OP_PROGRAM:
		v = fuzz_u8(&f->in);
		t = fuzz_u16(&f->in);
		i = v >> 6;
		do_write(f, 3, v);
		if (i == 3 || !(v >> 4 & 3))
			break;
		if ((v >> 4 & 3) != 2)
			do_write(f, i, t & 0xff);
		if ((v >> 4 & 3) != 1)
			do_write(f, i, t >> 8);
		break;
	case OP_LATCH_READ:
		i = fuzz_u8(&f->in) % 3;
		do_write(f, 3, i << 6);
		check_read(&f->pit, &f->m, i, f->now, "latched");
		check_read(&f->pit, &f->m, i, f->now, "latched");
		break;
	case OP_PORT_B_WRITE:
		v = fuzz_u8(&f->in);
		i8254_write_port_b(&f->pit, v, f->now);
		f->m.port_b = v & 0x0f;
		m_set_gate2(&f->m, v & 1, f->now);
		break;
	case OP_PORT_B_READ:
		got = i8254_read_port_b(&f->pit, f->now);
		want = m_port_b(&f->m, f->now);
		if (got != want)
			fuzz_fail("port 0x61 at %llu ns reads 0x%02x, the "
				  "model 0x%02x",
				  (unsigned long long)f->now, got, want);
		break;
	case OP_TAKE_IRQ:
		irq = i8254_take_irq(&f->pit, f->now);
		m_irq = m_take_irq(&f->m, f->now);
		if (irq != m_irq)
			fuzz_fail("take_irq at %llu ns says %d, the model %d",
				  (unsigned long long)f->now, irq, m_irq);
		break;
	}
	fuzz_note("op %u: now %llu", op, (unsigned long long)f->now);
	check_all(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fio f;
	unsigned int n;

	memset(&f, 0, sizeof(f));
	f.in = fuzz_in(data, size);
	f.m.strict = S_ALL;
	f.now = fuzz_uint(&f.in, 5);
	i8254_init(&f.pit);
	m_init(&f.m);
	check_all(&f);
	for (n = 0; n < MAX_STEPS && f.in.left; n++)
		step(&f, fuzz_u8(&f.in) % NR_OPS);
	return 0;
}
