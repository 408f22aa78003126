// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_aml.c - the AML encoder against byte sequences worked out from
 * ACPI 6.3 chapter 20 (and checked against what iasl compiles for the
 * same ASL): integers, names, EISA IDs, PkgLength at each size boundary,
 * resource descriptors, and the errors (too small a buffer, bad names,
 * unbalanced objects).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kvmux/aml.h"

#define BUF 8192

static uint8_t buf[BUF];

static long encode_ok(struct aml *a)
{
	long n = aml_finish(a);

	assert_true(n >= 0);
	return n;
}

#define assert_bytes(a, ...)                                       \
	do {                                                       \
		static const uint8_t want[] = { __VA_ARGS__ };     \
		assert_int_equal(encode_ok(a), sizeof(want));      \
		assert_memory_equal((a)->buf, want, sizeof(want)); \
	} while (0)

static void integers_take_the_shortest_form(void **state)
{
	struct aml a;

	aml_init(&a, buf, BUF);
	aml_integer(&a, 0);
	aml_integer(&a, 1);
	aml_integer(&a, 2);
	aml_integer(&a, 0x100);
	aml_integer(&a, 0x10000);
	aml_integer(&a, 0x100000000ULL);
	aml_integer(&a, UINT64_MAX);
	assert_bytes(&a, 0x00, 0x01, 0x0a, 0x02, 0x0b, 0x00, 0x01, 0x0c, 0x00,
		     0x00, 0x01, 0x00, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
		     0x00, 0x00, 0xff);
}

static void names_strings_and_eisa_ids(void **state)
{
	struct aml a;

	aml_init(&a, buf, BUF);
	aml_name(&a, "_HID");
	aml_eisaid(&a, "PNP0501");
	aml_name_string(&a, "\\_SB.PWRB");
	aml_name_string(&a, "^A.B.C");
	aml_string(&a, "ok");
	assert_bytes(&a, 0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x05, 0x01,
		     '\\', 0x2e, '_', 'S', 'B', '_', 'P', 'W', 'R', 'B', '^',
		     0x2f, 3, 'A', '_', '_', '_', 'B', '_', '_', '_', 'C', '_',
		     '_', '_', 0x0d, 'o', 'k', 0);
}

static void bad_names_fail(void **state)
{
	static const char *const bad[] = { "_hid", "1ABC", "ABCDE", "A..B",
					   "A-B" };
	struct aml a;
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		aml_init(&a, buf, BUF);
		aml_name_string(&a, bad[i]);
		assert_int_equal(aml_finish(&a), -1);
	}
	aml_init(&a, buf, BUF);
	aml_eisaid(&a, "PNP05G1");
	assert_int_equal(aml_finish(&a), -1);
}

/* A scope whose body is n bytes long: the PkgLength counts itself. */
static size_t scope_with_body(struct aml *a, size_t body)
{
	size_t i;

	aml_init(a, buf, BUF);
	aml_scope(a, "");
	for (i = 1; i < body; i++) /* the NullName is the first byte */
		aml_byte(a, 0xa5);
	aml_end(a);
	return encode_ok(a);
}

static void package_lengths_at_each_boundary(void **state)
{
	struct aml a;

	/* 62 bytes + 1 of PkgLength = 63: the one-byte form. */
	assert_int_equal(scope_with_body(&a, 62), 64);
	assert_int_equal(buf[1], 63);
	/* 63 + 1 would be 64: two bytes, value 65 = 0x41. */
	assert_int_equal(scope_with_body(&a, 63), 66);
	assert_int_equal(buf[1], 0x41);
	assert_int_equal(buf[2], 0x04);
	assert_int_equal(buf[3], 0x00);
	/* 4093 + 2 = 4095, the largest two-byte value. */
	assert_int_equal(scope_with_body(&a, 4093), 4096);
	assert_int_equal(buf[1], 0x4f);
	assert_int_equal(buf[2], 0xff);
	/* 4094: three bytes, 4097 = 0x1001. */
	assert_int_equal(scope_with_body(&a, 4094), 4098);
	assert_int_equal(buf[1], 0x81);
	assert_int_equal(buf[2], 0x00);
	assert_int_equal(buf[3], 0x01);
}

static void method_if_and_field(void **state)
{
	struct aml a;

	aml_init(&a, buf, BUF);
	aml_method(&a, "_EVT", 1, true);
	aml_if(&a);
	aml_byte(&a, AML_ARG0);
	aml_end(&a);
	aml_end(&a);
	aml_operation_region(&a, "EREG", AML_SYSTEM_IO, 0x604, 1);
	aml_field(&a, "EREG", AML_FIELD_BYTE_ACC | AML_FIELD_WRITE_AS_ZEROS);
	aml_field_unit(&a, "EVTS", 8);
	aml_end(&a);
	assert_bytes(&a, 0x14, 0x09, '_', 'E', 'V', 'T', 0x09, 0xa0, 0x02, 0x68,
		     0x5b, 0x80, 'E', 'R', 'E', 'G', 0x01, 0x0b, 0x04, 0x06,
		     0x01, 0x5b, 0x81, 0x0b, 'E', 'R', 'E', 'G', 0x41, 'E', 'V',
		     'T', 'S', 0x08);
}

static void resource_template_gets_size_and_end_tag(void **state)
{
	struct aml a;

	aml_init(&a, buf, BUF);
	aml_resource_template(&a);
	aml_res_io(&a, 0x3f8, 8);
	aml_res_irq_noflags(&a, 4);
	aml_res_memory32_fixed(&a, 0xd0000000, 0x200);
	aml_res_interrupt(&a, 5, AML_IRQ_CONSUMER | AML_IRQ_EDGE);
	aml_resource_end(&a);
	/* Buffer, PkgLength 37, size 34: 8 + 3 + 12 + 9 + 2 bytes. */
	assert_bytes(&a, 0x11, 37, 0x0a, 34, 0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03,
		     0x01, 0x08, 0x22, 0x10, 0x00, 0x86, 0x09, 0x00, 0x01, 0x00,
		     0x00, 0x00, 0xd0, 0x00, 0x02, 0x00, 0x00, 0x89, 0x06, 0x00,
		     0x03, 0x01, 0x05, 0x00, 0x00, 0x00, 0x79, 0x00);
}

static void package_of_integers(void **state)
{
	struct aml a;

	aml_init(&a, buf, BUF);
	aml_name(&a, "\\_S5");
	aml_package(&a, 2);
	aml_integer(&a, 5);
	aml_integer(&a, 0);
	aml_end(&a);
	assert_bytes(&a, 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0a,
		     0x05, 0x00);
}

static void counting_gives_the_size_to_allocate(void **state)
{
	struct aml count, real;

	aml_init(&count, NULL, 0);
	aml_device(&count, "VR00");
	aml_name(&count, "_HID");
	aml_string(&count, "LNRO0005");
	aml_end(&count);
	assert_int_equal(aml_finish(&count), -1);

	aml_init(&real, buf, count.len);
	aml_device(&real, "VR00");
	aml_name(&real, "_HID");
	aml_string(&real, "LNRO0005");
	aml_end(&real);
	assert_int_equal(aml_finish(&real), count.len);

	aml_init(&real, buf, count.len - 1);
	aml_device(&real, "VR00");
	aml_name(&real, "_HID");
	aml_string(&real, "LNRO0005");
	aml_end(&real);
	assert_int_equal(aml_finish(&real), -1);
	assert_int_equal(real.len, count.len);
}

static void unbalanced_objects_fail(void **state)
{
	struct aml a;
	unsigned int i;

	aml_init(&a, buf, BUF);
	aml_device(&a, "DEV0");
	assert_int_equal(aml_finish(&a), -1);

	aml_init(&a, buf, BUF);
	aml_end(&a);
	assert_int_equal(aml_finish(&a), -1);

	aml_init(&a, buf, BUF);
	for (i = 0; i <= AML_MAX_DEPTH; i++)
		aml_scope(&a, "S");
	for (i = 0; i <= AML_MAX_DEPTH; i++)
		aml_end(&a);
	assert_int_equal(aml_finish(&a), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(integers_take_the_shortest_form),
		cmocka_unit_test(names_strings_and_eisa_ids),
		cmocka_unit_test(bad_names_fail),
		cmocka_unit_test(package_lengths_at_each_boundary),
		cmocka_unit_test(method_if_and_field),
		cmocka_unit_test(resource_template_gets_size_and_end_tag),
		cmocka_unit_test(package_of_integers),
		cmocka_unit_test(counting_gives_the_size_to_allocate),
		cmocka_unit_test(unbalanced_objects_fail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
