/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * i8254.h - the PC's programmable interval timer, emulated by kvmux
 * (devices/i8254.c): --pit on, with either irqchip.
 *
 * An Intel 8254 (datasheet 231164-005) at ports 0x40-0x43, clocked at
 * I8254_HZ, wired as on a PC: channels 0 and 1 have their gate tied high,
 * channel 0's output drives ISA IRQ 0 (GSI 0), and port 0x61 (system
 * control port B) holds channel 2's gate (bit 0) and the speaker's data
 * enable (bit 1), and reads back channel 2's output (bit 5) and the
 * refresh toggle (bit 4, every 15.09 us).
 *
 * Counts, outputs and status bytes are computed from the host's monotonic
 * clock when read, so a guest polling a count (Linux's and the runtime's
 * TSC calibration) sees it move at 1.193182 MHz with no thread behind it.
 * Only channel 0's interrupts need a timer: a timerfd the VM's owner
 * thread watches (device_env.watch), armed for the next rising edge of
 * OUT0 while the guest has programmed one.  Edges the host was late for
 * are merged into one interrupt (no catch-up, unlike KVM's PIT), and
 * interrupts are due at least I8254_MIN_IRQ_NS apart, as KVM keeps its
 * timers' periods (min_timer_period_us; after a late wake-up two may be
 * raised closer together, never more): whatever it programs, a guest
 * makes the owner thread wake about 5000 times a second at most.
 *
 * Not modelled: the load pulse (a count is loaded as its last byte is
 * written); a new count in modes 2 and 3 takes effect at once, not at the
 * end of the current period; mode 3 from an odd count n reads n - (2d mod
 * n) after d ticks (the chip's 5, 4, 2, 5, 2 reads 5, 3, 1, 4, 2), with
 * OUT high for the first (n + 1) / 2 ticks, as the chip's; the speaker
 * makes no sound.
 */
#ifndef KVMUX_I8254_H
#define KVMUX_I8254_H

#include <stdbool.h>
#include <stdint.h>

#define I8254_HZ 1193182u /* the PC's PIT clock: 14.31818 MHz / 12 */
#define I8254_PORT 0x40 /* counters 0-2 at +0..+2, control word at +3 */
#define I8254_NR_PORTS 4
#define I8254_PORT_B 0x61 /* system control port B */
#define I8254_GSI 0 /* channel 0's output: ISA IRQ 0 */
#define I8254_MIN_IRQ_NS 200000ull /* 200 us between interrupts */

/* One counter (datasheet: CR, CE, OL, status, the byte flip-flops). */
struct i8254_channel {
	uint8_t mode; /* 0-5 */
	uint8_t mode_bits; /* M2-M0 as written (6 and 7 act as 2 and 3) */
	uint8_t rw; /* 1: LSB only, 2: MSB only, 3: LSB then MSB */
	bool bcd; /* counts in four BCD digits (modulus 10000) */
	bool loaded; /* a count was written since the control word */
	bool null_count; /* status bit 6: a count written, not yet loaded */
	bool gate;
	bool running; /* counting (false: held at held_ticks) */
	uint32_t initial; /* the count loaded: 1..65536 (1..10000 BCD) */
	uint32_t next_initial; /* channel 2 in modes 1 and 5: a count
				* written during a one-shot, for the next
				* trigger; 0: none */
	uint64_t base_ns; /* when, counting, tick 0 was */
	uint64_t held_ticks; /* ticks since the load while not running */
	uint8_t lsb; /* first byte of a two-byte count write */
	bool write_msb; /* the next count byte written is the MSB */
	bool read_msb; /* the next count byte read is the MSB */
	bool count_latched; /* the latch holds a count (read in rw order) */
	bool latch_msb; /* the next latched byte read is the MSB */
	uint16_t latch;
	bool status_latched; /* the next read returns the status byte */
	uint8_t status;
	uint64_t irq_tick; /* channel 0: tick of the next rising edge to
			    * raise IRQ 0 at; 0: none */
};

struct i8254 {
	struct i8254_channel ch[3];
	uint8_t port_b; /* bits 0-3 as written */
	uint64_t last_irq_ns; /* when the last IRQ 0 raised was due (its
			       * edge, or the minimum); 0: never */
	bool irq_pending; /* an edge of OUT0 came and channel 0 was
			   * programmed again before it was taken */
};

/* Power-on state: every channel unprogrammed, channel 2's gate low. */
void i8254_init(struct i8254 *pit);

/* A guest's read or write of port I8254_PORT + off (off 0-3) at host
 * monotonic time now_ns. */
uint8_t i8254_read(struct i8254 *pit, unsigned int off, uint64_t now_ns);
void i8254_write(struct i8254 *pit, unsigned int off, uint8_t val,
		 uint64_t now_ns);

/* Port I8254_PORT_B. */
uint8_t i8254_read_port_b(struct i8254 *pit, uint64_t now_ns);
void i8254_write_port_b(struct i8254 *pit, uint8_t val, uint64_t now_ns);

/* When (monotonic ns) to raise IRQ 0 next: OUT0's next rising edge, or
 * I8254_MIN_IRQ_NS after the last interrupt if that is later; 0: never,
 * unless the guest programs channel 0 again. */
uint64_t i8254_next_irq_ns(const struct i8254 *pit);

/* Is IRQ 0 to be raised at now_ns: has OUT0 risen since the last call
 * that said so, at least I8254_MIN_IRQ_NS after that one was due?
 * Edges missed in between count as one; the next is then the first after
 * now_ns.  Call when the timer for i8254_next_irq_ns() fires. */
bool i8254_take_irq(struct i8254 *pit, uint64_t now_ns);

/* The device kind (kvmux/device.h): present with --pit on. */
extern const struct device_kind i8254_kind;

#endif
