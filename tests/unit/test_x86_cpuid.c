// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_x86_cpuid.c - the timing leaf kvmux adds to the guest's CPUID
 * (x86_cpuid_add_timing(), core/x86_cpu.c): 0x40000010 with the TSC's
 * and the local APIC timer's rates in kHz, listed by KVM's signature
 * leaf, and nothing when KVM gave no rate or no signature leaf.
 */
#include <linux/kvm.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kvmux/exit.h"

#define ROOM 8

/* The list and room for its entries (a struct with a flexible array
 * member cannot be another struct's first field in ISO C). */
union cpuid {
	struct kvm_cpuid2 head;
	char room[sizeof(struct kvm_cpuid2) +
		  ROOM * sizeof(struct kvm_cpuid_entry2)];
};

/* KVM's answer in small: a basic leaf and its two hypervisor leaves. */
static void kvm_like(union cpuid *c, uint32_t max_hv)
{
	memset(c, 0, sizeof(*c));
	c->head.nent = 3;
	c->head.entries[0] =
		(struct kvm_cpuid_entry2){ .function = 0, .eax = 0xd };
	c->head.entries[1] = (struct kvm_cpuid_entry2){ .function = 0x40000000,
							.eax = max_hv,
							.ebx = 0x4b4d564b };
	c->head.entries[2] = (struct kvm_cpuid_entry2){ .function = 0x40000001,
							.eax = 0x1007efb };
}

static void added_with_the_rates(void **state)
{
	union cpuid c;

	kvm_like(&c, 0x40000001);
	x86_cpuid_add_timing(&c.head, 2596122);
	assert_int_equal(c.head.nent, 4);
	assert_int_equal(c.head.entries[1].eax, 0x40000010);
	assert_int_equal(c.head.entries[1].ebx, 0x4b4d564b); /* kept */
	assert_int_equal(c.head.entries[3].function, 0x40000010);
	assert_int_equal(c.head.entries[3].index, 0);
	assert_int_equal(c.head.entries[3].eax, 2596122);
	assert_int_equal(c.head.entries[3].ebx, 1000000);
	assert_int_equal(c.head.entries[3].ecx, 0);
	assert_int_equal(c.head.entries[3].edx, 0);
}

/* A signature leaf that lists more already keeps its maximum. */
static void higher_maximum_kept(void **state)
{
	union cpuid c;

	kvm_like(&c, 0x40000020);
	x86_cpuid_add_timing(&c.head, 1000);
	assert_int_equal(c.head.nent, 4);
	assert_int_equal(c.head.entries[1].eax, 0x40000020);
}

static void nothing_without_a_rate_or_a_signature(void **state)
{
	union cpuid c;

	kvm_like(&c, 0x40000001);
	x86_cpuid_add_timing(&c.head, 0);
	x86_cpuid_add_timing(&c.head, -1);
	assert_int_equal(c.head.nent, 3);
	assert_int_equal(c.head.entries[1].eax, 0x40000001);
	kvm_like(&c, 0x40000001);
	c.head.entries[1].function = 0x7; /* no hypervisor leaves */
	x86_cpuid_add_timing(&c.head, 1000);
	assert_int_equal(c.head.nent, 3);
}

/* Once only: a leaf KVM (or a second call) gave is left alone. */
static void never_twice(void **state)
{
	union cpuid c;

	kvm_like(&c, 0x40000001);
	x86_cpuid_add_timing(&c.head, 1000);
	x86_cpuid_add_timing(&c.head, 2000);
	assert_int_equal(c.head.nent, 4);
	assert_int_equal(c.head.entries[3].eax, 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(added_with_the_rates),
		cmocka_unit_test(higher_maximum_kept),
		cmocka_unit_test(nothing_without_a_rate_or_a_signature),
		cmocka_unit_test(never_twice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
