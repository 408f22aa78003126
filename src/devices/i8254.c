// SPDX-License-Identifier: GPL-2.0-only
/*
 * i8254.c - the PC's interval timer (kvmux/i8254.h).
 *
 * The counter logic (i8254_*()) takes the time as an argument, so the
 * unit tests drive it tick by tick; the device around it reads the host's
 * monotonic clock, takes a lock (vCPU threads write the ports, the VM's
 * owner thread takes channel 0's interrupts) and keeps one timerfd armed
 * for the next rising edge of OUT0.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "kvmux/bus.h"
#include "kvmux/config.h"
#include "kvmux/device.h"
#include "kvmux/error.h"
#include "kvmux/event_loop.h"
#include "kvmux/i8254.h"

#define NS_PER_S 1000000000ull
#define REFRESH_NS 15085 /* port B bit 4 toggles: DRAM refresh, 15.085 us */

#define CTRL_SC(v) ((v) >> 6) /* select counter; 3: read-back */
#define CTRL_RW(v) (((v) >> 4) & 3) /* 0: counter latch command */
#define CTRL_MODE(v) (((v) >> 1) & 7)
#define CTRL_BCD 0x01
#define READBACK_NO_COUNT 0x20 /* read-back bits are active low */
#define READBACK_NO_STATUS 0x10
#define STATUS_OUT 0x80
#define STATUS_NULL_COUNT 0x40

#define PORT_B_GATE2 0x01
#define PORT_B_WRITABLE 0x0f /* gate 2, speaker data, parity/IOCHK enables */
#define PORT_B_REFRESH 0x10
#define PORT_B_OUT2 0x20

static uint64_t ticks_of_ns(uint64_t ns)
{
	return (unsigned __int128)ns * I8254_HZ / NS_PER_S;
}

/* The first ns at which ticks_of_ns() reaches ticks. */
static uint64_t ns_of_ticks(uint64_t ticks)
{
	return ((unsigned __int128)ticks * NS_PER_S + I8254_HZ - 1) / I8254_HZ;
}

static uint32_t modulus(const struct i8254_channel *ch)
{
	return ch->bcd ? 10000 : 65536;
}

static uint32_t from_bcd(uint32_t v)
{
	uint32_t n = (v >> 12 & 0xf) * 1000 + (v >> 8 & 0xf) * 100 +
		     (v >> 4 & 0xf) * 10 + (v & 0xf);

	return n % 10000;
}

static uint16_t to_bcd(uint32_t n)
{
	return (n / 1000 % 10) << 12 | (n / 100 % 10) << 8 |
	       (n / 10 % 10) << 4 | n % 10;
}

/* Ticks since the count was loaded (or the gate last started it). */
static uint64_t elapsed(const struct i8254_channel *ch, uint64_t now_ns)
{
	if (!ch->running)
		return ch->held_ticks;
	return now_ns > ch->base_ns ? ticks_of_ns(now_ns - ch->base_ns) : 0;
}

static void hold(struct i8254_channel *ch, uint64_t now_ns)
{
	ch->held_ticks = elapsed(ch, now_ns);
	ch->running = false;
}

/* Count from tick `ticks` on (ticks already counted). */
static void run_from(struct i8254_channel *ch, uint64_t ticks, uint64_t now_ns)
{
	uint64_t back = ns_of_ticks(ticks);

	ch->base_ns = now_ns > back ? now_ns - back : 0;
	ch->running = true;
}

static uint32_t count_at(const struct i8254_channel *ch, uint64_t d)
{
	uint32_t n = ch->initial, m = modulus(ch);

	if (!n)
		return 0; /* never loaded */
	switch (ch->mode) {
	case 2:
		return n - d % n;
	case 3:
		return n - (2 * d) % n;
	default: /* 0, 1, 4, 5: down to 0, then on from the top */
		return (n + m - d % m) % m;
	}
}

static bool out_at(const struct i8254_channel *ch, uint64_t d)
{
	uint32_t n = ch->initial;

	/* Mode 0 sets OUT low at the control word, the others high. */
	if (!ch->loaded)
		return ch->mode != 0;
	switch (ch->mode) {
	case 0:
		return d >= n;
	case 1: /* high until triggered */
		return (!ch->running && !ch->held_ticks) || d >= n;
	case 2:
		return !ch->running || d % n != n - 1;
	case 3:
		return !ch->running || d % n < (n + 1) / 2;
	default: /* 4, 5: low for the one tick at the terminal count */
		return d != n;
	}
}

static uint16_t count_now(const struct i8254_channel *ch, uint64_t now_ns)
{
	uint32_t c = count_at(ch, elapsed(ch, now_ns));

	return ch->bcd ? to_bcd(c) : (uint16_t)c;
}

static uint8_t status_now(const struct i8254_channel *ch, uint64_t now_ns)
{
	return (out_at(ch, elapsed(ch, now_ns)) ? STATUS_OUT : 0) |
	       (ch->null_count ? STATUS_NULL_COUNT : 0) | ch->rw << 4 |
	       ch->mode_bits << 1 | (ch->bcd ? CTRL_BCD : 0);
}

void i8254_init(struct i8254 *pit)
{
	unsigned int i;

	memset(pit, 0, sizeof(*pit));
	for (i = 0; i < 3; i++) {
		pit->ch[i].rw = 3;
		pit->ch[i].gate = i != 2; /* channel 2's is port B's bit 0 */
	}
}

/* Where OUT0 rises (modes 2 and 3: the first reload; 4 and 5: after the
 * tick at the terminal count). */
static uint64_t first_edge(const struct i8254_channel *ch)
{
	return ch->mode >= 4 ? ch->initial + 1ull : ch->initial;
}

/* Channel 2 in mode 1 or 5: a one-shot its gate triggers. */
static bool gate_triggered(const struct i8254_channel *ch, unsigned int idx)
{
	return idx == 2 && (ch->mode == 1 || ch->mode == 5);
}

static void load(struct i8254_channel *ch, unsigned int idx, uint32_t value,
		 uint64_t now_ns)
{
	uint32_t n = ch->bcd ? from_bcd(value) : value;

	n = n ? n : modulus(ch);
	/* A triggered one-shot's new count waits for the next trigger,
	 * with null count set until then; the one under way goes on. */
	if (gate_triggered(ch, idx) && ch->loaded && ch->running) {
		ch->next_initial = n;
		ch->null_count = true;
		return;
	}
	ch->initial = n;
	ch->loaded = true;
	ch->null_count = gate_triggered(ch, idx);
	ch->held_ticks = 0;
	ch->running = false;
	/* Modes 1 and 5 wait for a rising gate; channels 0 and 1 have
	 * theirs tied high, so they start at the load (as KVM's does). */
	if (ch->gate && !gate_triggered(ch, idx))
		run_from(ch, 0, now_ns);
	ch->irq_tick = idx == 0 ? first_edge(ch) : 0;
}

static void set_gate(struct i8254_channel *ch, bool gate, uint64_t now_ns)
{
	if (gate == ch->gate)
		return;
	ch->gate = gate;
	if (!ch->loaded)
		return;
	switch (ch->mode) {
	case 0:
	case 4: /* the gate pauses counting */
		if (gate)
			run_from(ch, ch->held_ticks, now_ns);
		else
			hold(ch, now_ns);
		break;
	default: /* 1, 2, 3, 5: a rising gate (re)starts the count; in
		  * modes 2 and 3 a low one stops it with OUT high */
		if (gate) {
			run_from(ch, 0, now_ns);
			if (ch->next_initial)
				ch->initial = ch->next_initial;
			ch->next_initial = 0;
			if (ch->mode == 1 || ch->mode == 5)
				ch->null_count = false;
		} else if (ch->mode == 2 || ch->mode == 3) {
			hold(ch, now_ns);
		}
		break;
	}
}

static void latch_count(struct i8254_channel *ch, uint64_t now_ns)
{
	if (ch->count_latched)
		return;
	ch->latch = count_now(ch, now_ns);
	ch->count_latched = true;
	ch->latch_msb = false;
}

static void latch_status(struct i8254_channel *ch, uint64_t now_ns)
{
	if (ch->status_latched)
		return;
	ch->status = status_now(ch, now_ns);
	ch->status_latched = true;
}

static void read_back(struct i8254 *pit, uint8_t val, uint64_t now_ns)
{
	unsigned int i;

	for (i = 0; i < 3; i++) {
		if (!(val & 2u << i))
			continue;
		if (!(val & READBACK_NO_COUNT))
			latch_count(&pit->ch[i], now_ns);
		if (!(val & READBACK_NO_STATUS))
			latch_status(&pit->ch[i], now_ns);
	}
}

static void control_word(struct i8254 *pit, uint8_t val, uint64_t now_ns)
{
	struct i8254_channel *ch;
	unsigned int mode = CTRL_MODE(val);

	if (CTRL_SC(val) == 3) {
		read_back(pit, val, now_ns);
		return;
	}
	ch = &pit->ch[CTRL_SC(val)];
	if (!CTRL_RW(val)) {
		latch_count(ch, now_ns);
		return;
	}
	/* Counting stops until the new count is written. */
	hold(ch, now_ns);
	ch->mode_bits = mode;
	ch->mode = mode > 5 ? mode - 4 : mode; /* 6 and 7 are 2 and 3 */
	ch->next_initial = 0;
	ch->rw = CTRL_RW(val);
	ch->bcd = val & CTRL_BCD;
	ch->loaded = false;
	ch->null_count = true;
	ch->write_msb = ch->read_msb = false;
	ch->count_latched = ch->status_latched = false;
	ch->irq_tick = 0;
}

static void write_count(struct i8254_channel *ch, unsigned int idx, uint8_t val,
			uint64_t now_ns)
{
	switch (ch->rw) {
	case 1:
		load(ch, idx, val, now_ns);
		break;
	case 2:
		load(ch, idx, (uint32_t)val << 8, now_ns);
		break;
	default:
		if (!ch->write_msb) {
			ch->lsb = val;
			ch->write_msb = true;
			/* The first byte stops mode 0 with OUT low, and the
			 * gate cannot start it again until the count is
			 * whole. */
			if (ch->mode == 0) {
				hold(ch, now_ns);
				ch->loaded = false;
			}
			break;
		}
		ch->write_msb = false;
		load(ch, idx, ch->lsb | (uint32_t)val << 8, now_ns);
		break;
	}
}

/* Byte `msb` of count c in the order the rw mode gives. */
static uint8_t count_byte(uint16_t c, bool msb)
{
	return msb ? c >> 8 : c & 0xff;
}

static uint8_t read_count(struct i8254_channel *ch, uint64_t now_ns)
{
	bool msb;

	if (ch->status_latched) {
		ch->status_latched = false;
		return ch->status;
	}
	if (ch->count_latched) {
		msb = ch->rw == 2 || (ch->rw == 3 && ch->latch_msb);
		if (ch->rw == 3 && !ch->latch_msb)
			ch->latch_msb = true;
		else
			ch->count_latched = false;
		return count_byte(ch->latch, msb);
	}
	msb = ch->rw == 2 || (ch->rw == 3 && ch->read_msb);
	if (ch->rw == 3)
		ch->read_msb = !ch->read_msb;
	return count_byte(count_now(ch, now_ns), msb);
}

uint8_t i8254_read(struct i8254 *pit, unsigned int off, uint64_t now_ns)
{
	if (off >= 3)
		return 0xff; /* the control word is write-only */
	return read_count(&pit->ch[off], now_ns);
}

/* Has channel 0's next edge to raise IRQ 0 for come by now_ns? */
static bool edge_due(const struct i8254_channel *ch, uint64_t now_ns)
{
	return ch->irq_tick && ch->running &&
	       elapsed(ch, now_ns) >= ch->irq_tick;
}

/* Before channel 0 is programmed again: an edge of OUT0 that has come
 * and was not yet taken still raises IRQ 0 (the interrupt controller
 * latched it). */
static void keep_due_edge(struct i8254 *pit, uint64_t now_ns)
{
	if (edge_due(&pit->ch[0], now_ns))
		pit->irq_pending = true;
}

void i8254_write(struct i8254 *pit, unsigned int off, uint8_t val,
		 uint64_t now_ns)
{
	const struct i8254_channel *ch0 = &pit->ch[0];

	/* A control word for it, or a count byte that loads or (mode 0's
	 * first) stops it. */
	if ((off == 3 && !CTRL_SC(val) && CTRL_RW(val)) ||
	    (off == 0 && (ch0->rw != 3 || ch0->write_msb || !ch0->mode)))
		keep_due_edge(pit, now_ns);
	if (off == 3)
		control_word(pit, val, now_ns);
	else if (off < 3)
		write_count(&pit->ch[off], off, val, now_ns);
}

uint8_t i8254_read_port_b(struct i8254 *pit, uint64_t now_ns)
{
	const struct i8254_channel *ch2 = &pit->ch[2];

	return pit->port_b | ((now_ns / REFRESH_NS) & 1 ? PORT_B_REFRESH : 0) |
	       (out_at(ch2, elapsed(ch2, now_ns)) ? PORT_B_OUT2 : 0);
}

void i8254_write_port_b(struct i8254 *pit, uint8_t val, uint64_t now_ns)
{
	pit->port_b = val & PORT_B_WRITABLE;
	set_gate(&pit->ch[2], val & PORT_B_GATE2, now_ns);
}

/* The earliest the next interrupt may be raised. */
static uint64_t irq_allowed_ns(const struct i8254 *pit)
{
	return pit->last_irq_ns ? pit->last_irq_ns + I8254_MIN_IRQ_NS : 0;
}

uint64_t i8254_next_irq_ns(const struct i8254 *pit)
{
	const struct i8254_channel *ch = &pit->ch[0];
	uint64_t edge, allowed = irq_allowed_ns(pit);

	if (pit->irq_pending)
		edge = 1; /* due already */
	else if (ch->irq_tick && ch->running)
		edge = ch->base_ns + ns_of_ticks(ch->irq_tick);
	else
		return 0;
	return edge > allowed ? edge : allowed;
}

/* Take channel 0's next edge if it came by now_ns; *edge_ns: when it came.
 * Then the one after now_ns is next (one edge per count written in modes
 * 0, 1, 4 and 5). */
static bool take_edge(struct i8254_channel *ch, uint64_t now_ns,
		      uint64_t *edge_ns)
{
	uint64_t d = elapsed(ch, now_ns);

	if (!edge_due(ch, now_ns))
		return false;
	*edge_ns = ch->base_ns + ns_of_ticks(ch->irq_tick);
	if (ch->mode == 2 || ch->mode == 3)
		ch->irq_tick = (d / ch->initial + 1) * ch->initial;
	else
		ch->irq_tick = 0; /* one edge per count written */
	return true;
}

bool i8254_take_irq(struct i8254 *pit, uint64_t now_ns)
{
	uint64_t allowed = irq_allowed_ns(pit), due = now_ns;
	bool edge;

	if (now_ns < allowed)
		return false;
	edge = take_edge(&pit->ch[0], now_ns, &due) || pit->irq_pending;
	if (!edge)
		return false;
	pit->irq_pending = false;
	/* The next may come I8254_MIN_IRQ_NS after this one was due, not
	 * after it was raised: a host that wakes late does not slow a
	 * guest's clock of ticks down. */
	pit->last_irq_ns = due > allowed ? due : allowed;
	return true;
}

/* ---- The device ---- */

struct i8254_dev {
	struct device_env env;
	pthread_mutex_t lock;
	struct i8254 pit;
	int timer_fd; /* armed for i8254_next_irq_ns() */
	uint64_t armed_ns; /* what it is armed for; 0: disarmed */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

/* With the lock held: arm the timer for OUT0's next rising edge. */
static void rearm(struct i8254_dev *dev)
{
	uint64_t next = i8254_next_irq_ns(&dev->pit);
	struct itimerspec its = {
		.it_value = { .tv_sec = next / NS_PER_S,
			      .tv_nsec = next % NS_PER_S },
	};

	if (next == dev->armed_ns)
		return;
	/* A time already past fires at once (an all-zero one disarms). */
	if (timerfd_settime(dev->timer_fd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		dev->env.stop(dev->env.ctx, VM_STOP_HOST_FAILURE, 0,
			      "i8254: cannot arm the timer");
	dev->armed_ns = next;
}

/* The owner thread: the timer fired; raise IRQ 0 if OUT0 rose. */
static void timer_fired(void *opaque)
{
	struct i8254_dev *dev = opaque;
	bool edge;

	event_fd_drain(dev->timer_fd);
	pthread_mutex_lock(&dev->lock);
	edge = i8254_take_irq(&dev->pit, now_ns());
	dev->armed_ns = 0; /* it fired: nothing is armed */
	rearm(dev);
	pthread_mutex_unlock(&dev->lock);
	if (edge && (dev->env.irq_line(dev->env.ctx, I8254_GSI, true) < 0 ||
		     dev->env.irq_line(dev->env.ctx, I8254_GSI, false) < 0))
		dev->env.stop(dev->env.ctx, VM_STOP_HOST_FAILURE, 0, err_msg());
}

static void pit_read(void *opaque, uint64_t off, void *buf, unsigned int len)
{
	struct i8254_dev *dev = opaque;
	uint64_t now = now_ns();
	uint8_t *b = buf;
	unsigned int i;

	memset(buf, 0xff, len);
	pthread_mutex_lock(&dev->lock);
	/* A wider access is byte cycles on the ISA bus, port after port
	 * (a word at counter 0 reads counter 0, then counter 1). */
	for (i = 0; i < len && off + i < I8254_NR_PORTS; i++)
		b[i] = i8254_read(&dev->pit, off + i, now);
	pthread_mutex_unlock(&dev->lock);
}

static void pit_write(void *opaque, uint64_t off, const void *buf,
		      unsigned int len)
{
	struct i8254_dev *dev = opaque;
	uint64_t now = now_ns();
	const uint8_t *b = buf;
	unsigned int i;

	pthread_mutex_lock(&dev->lock);
	/* Port after port, as pit_read(). */
	for (i = 0; i < len && off + i < I8254_NR_PORTS; i++)
		i8254_write(&dev->pit, off + i, b[i], now);
	rearm(dev);
	pthread_mutex_unlock(&dev->lock);
}

static void port_b_read(void *opaque, uint64_t off, void *buf, unsigned int len)
{
	struct i8254_dev *dev = opaque;

	memset(buf, 0xff, len);
	pthread_mutex_lock(&dev->lock);
	*(uint8_t *)buf = i8254_read_port_b(&dev->pit, now_ns());
	pthread_mutex_unlock(&dev->lock);
}

static void port_b_write(void *opaque, uint64_t off, const void *buf,
			 unsigned int len)
{
	struct i8254_dev *dev = opaque;

	pthread_mutex_lock(&dev->lock);
	i8254_write_port_b(&dev->pit, *(const uint8_t *)buf, now_ns());
	pthread_mutex_unlock(&dev->lock);
}

static const struct bus_ops pit_ops = { .read = pit_read, .write = pit_write };
static const struct bus_ops port_b_ops = { .read = port_b_read,
					   .write = port_b_write };

static unsigned int i8254_count(const struct vm_config *cfg)
{
	return vm_config_pit(cfg) == PIT_ON;
}

static void *i8254_open(const struct vm_config *cfg, unsigned int i)
{
	struct i8254_dev *dev = calloc(1, sizeof(*dev));

	(void)cfg;
	(void)i;
	if (!dev) {
		err_host("out of memory");
		return NULL;
	}
	pthread_mutex_init(&dev->lock, NULL);
	i8254_init(&dev->pit);
	dev->timer_fd =
		timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (dev->timer_fd < 0) {
		err_set_errno("i8254: cannot create its timer");
		pthread_mutex_destroy(&dev->lock);
		free(dev);
		return NULL;
	}
	return dev;
}

static int i8254_attach(void *opaque, const struct device_env *env)
{
	struct i8254_dev *dev = opaque;

	dev->env = *env;
	if (bus_register(env->pio, I8254_PORT, I8254_NR_PORTS, &pit_ops, dev,
			 "i8254") < 0 ||
	    bus_register(env->pio, I8254_PORT_B, 1, &port_b_ops, dev,
			 "i8254 port B") < 0)
		return -1;
	return env->watch(env->ctx, dev->timer_fd, timer_fired, dev);
}

static void i8254_destroy(void *opaque)
{
	struct i8254_dev *dev = opaque;

	close(dev->timer_fd);
	pthread_mutex_destroy(&dev->lock);
	free(dev);
}

const struct device_kind i8254_kind = {
	.name = "i8254",
	.count = i8254_count,
	.open = i8254_open,
	.attach = i8254_attach,
	.destroy = i8254_destroy,
};
