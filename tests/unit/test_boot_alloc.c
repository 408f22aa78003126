// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_boot_alloc.c - placing boot structures around a kernel: preferred
 * addresses, the low / high / BIOS windows, claims that collide, and the
 * MP table (which must stay where guests scan for it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "boot_test_util.h"
#include "kvmux/boot_alloc.h"
#include "kvmux/error.h"
#include "kvmux/mptable.h"
#include "kvmux/platform.h"

#define RAM_SIZE (16ULL << 20)

struct fixture {
	struct mem_layout l;
	struct boot_alloc a;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx || layout_build(&fx->l, RAM_SIZE))
		return -1;
	boot_alloc_init(&fx->a, &fx->l);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

#define expect_msg(want) assert_error_contains(want)

static void test_claims(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(boot_alloc_claim(&fx->a, 0x100000, 0x1000, "k0"), 0);
	assert_int_equal(boot_alloc_claim(&fx->a, 0x101000, 0x1000, "k1"), 0);
	assert_int_equal(boot_alloc_claim(&fx->a, 0x5000, 0, "empty"), 0);
	assert_int_equal(fx->a.nr, 2);
	assert_int_equal(boot_alloc_claim(&fx->a, 0xfff00, 0x101, "k2"), -1);
	expect_msg("k2 at 0xfff00-0x100000 overlaps k0 at 0x100000-0x100fff");
	assert_int_equal(
		boot_alloc_claim(&fx->a, UINT64_MAX - 10, 100, "wraps"), -1);
	expect_msg("beyond guest memory");
	assert_int_equal(boot_alloc_claim(&fx->a, 0, UINT64_MAX, "huge"), -1);
}

static void test_preferred_then_low(void **state)
{
	struct fixture *fx = *state;
	uint64_t addr;

	assert_int_equal(
		boot_alloc_struct(&fx->a, 0x6000, 0x400, 8, "info", &addr), 0);
	assert_int_equal(addr, 0x6000);
	/* Taken now: the next one goes to the lowest free low address. */
	assert_int_equal(
		boot_alloc_struct(&fx->a, 0x6000, 0x10, 16, "gdt", &addr), 0);
	assert_int_equal(addr, BOOT_LOW_START);
	assert_int_equal(
		boot_alloc_struct(&fx->a, 0, 0x10, 4096, "aligned", &addr), 0);
	assert_int_equal(addr, 0x2000);
}

/* Low RAM full: above 1 MiB, past the kernel. */
static void test_high_fallback(void **state)
{
	struct fixture *fx = *state;
	uint64_t addr;

	assert_int_equal(boot_alloc_claim(&fx->a, 0, LAYOUT_EBDA_START,
					  "the kernel (program header 0)"),
			 0);
	assert_int_equal(boot_alloc_claim(&fx->a, 0x100000, 0x5000,
					  "the kernel (program header 1)"),
			 0);
	assert_int_equal(
		boot_alloc_struct(&fx->a, 0x6000, 0x400, 8, "info", &addr), 0);
	assert_int_equal(addr, 0x105000);
	/* More than all of RAM: the message names what fills low RAM. */
	assert_int_equal(
		boot_alloc_struct(&fx->a, 0, RAM_SIZE, 8, "big", &addr), -1);
	expect_msg(
		"no room for big (0x1000000 bytes) in 0x1000-0x9fbff: "
		"the kernel (program header 0) occupies 0-0x9fbff, nor above 1 MiB");
}

static void test_top_down(void **state)
{
	struct fixture *fx = *state;
	struct boot_request r = { .what = "initrd",
				  .size = 0x1800,
				  .align = 0x1000,
				  .start = 0x200000,
				  .end = 0x300000,
				  .top = true };
	uint64_t addr;

	assert_int_equal(boot_alloc_claim(&fx->a, 0x2ff000, 0x1000, "k"), 0);
	assert_int_equal(boot_alloc_in(&fx->a, &r, &addr), 0);
	assert_int_equal(addr, 0x2fd000);
	r.start = 0x2fe000; /* nothing fits below the kernel any more */
	assert_int_equal(boot_alloc_in(&fx->a, &r, &addr), -1);
	expect_msg("no room for initrd (0x1800 bytes) in 0x2fe000-0x2fffff: "
		   "k occupies 0x2ff000-0x2fffff");
}

/* Requests a caller got wrong never find a place, and never wrap. */
static void test_bad_requests(void **state)
{
	struct fixture *fx = *state;
	struct boot_request r = { .what = "x",
				  .size = 0x10,
				  .align = 3,
				  .start = 0x1000,
				  .end = 0x2000 };
	uint64_t addr;

	assert_int_equal(boot_alloc_in(&fx->a, &r, &addr), -1);
	r.align = 0;
	r.size = 0;
	assert_int_equal(boot_alloc_in(&fx->a, &r, &addr), -1);
	r.size = UINT64_MAX;
	assert_int_equal(boot_alloc_in(&fx->a, &r, &addr), -1);
	r.size = 0x10;
	r.start = UINT64_MAX - 0x8;
	r.end = UINT64_MAX;
	assert_int_equal(boot_alloc_in(&fx->a, &r, &addr), -1);
	r.top = true;
	assert_int_equal(boot_alloc_in(&fx->a, &r, &addr), -1);
	assert_int_equal(
		boot_alloc_struct(&fx->a, 0x9fbf0, 0x20, 8, "y", &addr), 0);
	assert_int_equal(addr, BOOT_LOW_START); /* preferred runs past */
}

static void test_table_full(void **state)
{
	struct fixture *fx = *state;
	unsigned int i;

	for (i = 0; i < BOOT_ALLOC_MAX; i++)
		assert_int_equal(boot_alloc_claim(&fx->a, 0x200000 + i * 0x1000,
						  0x10, "seg"),
				 0);
	assert_int_equal(boot_alloc_claim(&fx->a, 0x800000, 0x10, "seg"), -1);
	expect_msg("too many pieces");
}

static void test_bios_area(void **state)
{
	struct fixture *fx = *state;
	uint64_t rsdp;

	assert_int_equal(boot_alloc_claim(&fx->a, 0xff000, 0x1000, "headers"),
			 0);
	assert_int_equal(boot_alloc_bios(&fx->a, 36, 16, "the RSDP", &rsdp), 0);
	assert_int_equal(rsdp, 0xf0000);
	assert_int_equal(boot_alloc_bios(&fx->a, 0xf000, 16, "tables", &rsdp),
			 -1);
	expect_msg("headers occupies 0xff000-0xfffff");
}

/* --- the MP table ------------------------------------------------------ */

struct mp_fixture {
	struct fake_guest g;
	struct boot_alloc a;
	struct platform p;
};

static int mp_setup(void **state)
{
	struct mp_fixture *fx = calloc(1, sizeof(*fx));

	if (!fx || fake_guest_init(&fx->g, RAM_SIZE))
		return -1;
	boot_alloc_init(&fx->a, &fx->g.layout);
	platform_init(&fx->p, 4);
	*state = fx;
	return 0;
}

static int mp_teardown(void **state)
{
	struct mp_fixture *fx = *state;

	fake_guest_free(&fx->g);
	free(fx);
	return 0;
}

static uint32_t floating_config(struct mp_fixture *fx, uint64_t fp)
{
	const uint8_t *p = fake_guest_at(&fx->g, fp, 16);
	uint32_t config;

	assert_memory_equal(p, "_MP_", 4);
	memcpy(&config, p + 4, 4);
	assert_memory_equal(fake_guest_at(&fx->g, config, 4), "PCMP", 4);
	return config;
}

static void test_mptable_usual_place(void **state)
{
	struct mp_fixture *fx = *state;

	assert_int_equal(mptable_write(&fx->g.gm, &fx->p, &fx->a), 0);
	assert_int_equal(floating_config(fx, MPTABLE_ADDR), MPTABLE_ADDR + 16);
}

/* The local interrupt entries' types (MP spec 1.4, 4.3.5: entry 4,
 * byte 1), in order: 3 ExtINT, 1 NMI. */
static unsigned int local_interrupts(struct mp_fixture *fx, uint32_t config,
				     uint8_t *types)
{
	const uint8_t *c = fake_guest_at(&fx->g, config, 44);
	uint16_t len = c[4] | c[5] << 8, entries = c[34] | c[35] << 8;
	const uint8_t *e = fake_guest_at(&fx->g, config, len) + 44;
	unsigned int n = 0;

	while (entries--) {
		if (e[0] == 4)
			types[n++] = e[1];
		e += e[0] == 0 ? 20 : 8; /* a processor entry is 20 bytes */
	}
	return n;
}

/* KVM's 8259s are on LINT0 (ExtINT); with a split irqchip there are none
 * and only the NMI on LINT1 is listed. */
static void test_mptable_pic(void **state)
{
	struct mp_fixture *fx = *state;
	uint8_t types[8];

	assert_int_equal(mptable_write(&fx->g.gm, &fx->p, &fx->a), 0);
	assert_int_equal(
		local_interrupts(fx, floating_config(fx, MPTABLE_ADDR), types),
		2);
	assert_int_equal(types[0], 3);
	assert_int_equal(types[1], 1);
}

static void test_mptable_no_pic(void **state)
{
	struct mp_fixture *fx = *state;
	uint8_t types[8];

	fx->p.pic = false;
	assert_int_equal(mptable_write(&fx->g.gm, &fx->p, &fx->a), 0);
	assert_int_equal(
		local_interrupts(fx, floating_config(fx, MPTABLE_ADDR), types),
		1);
	assert_int_equal(types[0], 1);
}

/* The BIOS area taken: the floating pointer goes to the EBDA. */
static void test_mptable_ebda(void **state)
{
	struct mp_fixture *fx = *state;
	uint32_t config;

	assert_int_equal(boot_alloc_claim(&fx->a, LAYOUT_BIOS_START, 0x10000,
					  "the kernel (program header 0)"),
			 0);
	assert_int_equal(mptable_write(&fx->g.gm, &fx->p, &fx->a), 0);
	config = floating_config(fx, LAYOUT_EBDA_START);
	assert_true(config >= BOOT_LOW_START && config < LAYOUT_EBDA_START);
}

static void test_mptable_nowhere(void **state)
{
	struct mp_fixture *fx = *state;

	assert_int_equal(boot_alloc_claim(&fx->a, LAYOUT_EBDA_START,
					  LAYOUT_HIGH_START - LAYOUT_EBDA_START,
					  "the kernel (program header 3)"),
			 0);
	assert_int_equal(mptable_write(&fx->g.gm, &fx->p, &fx->a), -1);
	expect_msg("no room for the MP floating pointer where guests look "
		   "for it: the kernel (program header 3) occupies");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define M(fn) cmocka_unit_test_setup_teardown(fn, mp_setup, mp_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_claims),	       T(test_preferred_then_low),
		T(test_high_fallback), T(test_top_down),
		T(test_bad_requests),  T(test_table_full),
		T(test_bios_area),     M(test_mptable_usual_place),
		M(test_mptable_ebda),  M(test_mptable_nowhere),
		M(test_mptable_pic),   M(test_mptable_no_pic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
