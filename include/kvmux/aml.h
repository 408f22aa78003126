/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * aml.h - a small encoder for ACPI Machine Language (ACPI 6.3, chapter
 * 20), enough for kvmux's DSDT: names, integers, strings, EISA IDs,
 * packages, devices, scopes, methods with If/Store/And/Notify, operation
 * regions with fields, and resource templates (chapter 6.4).
 *
 * Objects that carry a PkgLength are opened and closed: aml_device() ...
 * aml_end().  The encoder works out each PkgLength when the object is
 * closed, so callers never count bytes.  With a NULL buffer (or one too
 * small) it only counts: aml_finish() then reports the size needed, which
 * is how callers size their buffers.  Names come from kvmux's own code,
 * never from a guest; a malformed one makes aml_finish() fail.
 */
#ifndef KVMUX_AML_H
#define KVMUX_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AML_MAX_DEPTH 8

/* One-byte opcodes and operands the callers combine themselves. */
enum {
	AML_ZERO_OP = 0x00,
	AML_ONE_OP = 0x01,
	AML_NULL_NAME = 0x00, /* "no target" */
	AML_LOCAL0 = 0x60,
	AML_ARG0 = 0x68,
	AML_STORE_OP = 0x70, /* Store (source, target) */
	AML_AND_OP = 0x7b, /* And (operand, operand, target) */
	AML_NOTIFY_OP = 0x86, /* Notify (object, value) */
	AML_LEQUAL_OP = 0x93,
};

/* Operation region spaces (20.2.5.2). */
enum { AML_SYSTEM_MEMORY = 0x00, AML_SYSTEM_IO = 0x01 };

/* Field flags (19.6.48): access type | update rule, lock rule NoLock. */
enum {
	AML_FIELD_BYTE_ACC = 0x01,
	AML_FIELD_PRESERVE = 0x00,
	AML_FIELD_WRITE_AS_ZEROS = 0x40,
};

/* Extended interrupt descriptor flags (6.4.3.6). */
enum {
	AML_IRQ_CONSUMER = 0x01,
	AML_IRQ_EDGE = 0x02,
	AML_IRQ_ACTIVE_LOW = 0x04,
	AML_IRQ_SHARED = 0x08,
};

enum aml_kind { AML_PKG, AML_BUFFER };

struct aml {
	uint8_t *buf; /* NULL: count only */
	size_t cap;
	size_t len; /* bytes produced, even those that did not fit */
	bool bad; /* a malformed name, or opens and ends that do not pair */
	unsigned int depth;
	struct {
		size_t start; /* where the PkgLength goes */
		enum aml_kind kind;
	} open[AML_MAX_DEPTH];
};

void aml_init(struct aml *a, void *buf, size_t cap);

/*
 * Check the result: returns the number of bytes, or -1 with err_set() if
 * the buffer was too small (a->len is then the size needed), a name was
 * malformed or an object was left open.
 */
long aml_finish(struct aml *a);

void aml_byte(struct aml *a, uint8_t b);

/* Data objects: the shortest encoding, as iasl chooses (20.2.3). */
void aml_integer(struct aml *a, uint64_t value);
void aml_string(struct aml *a, const char *s); /* ASCII 0x01-0x7f */
/* "PNP0501": three letters and four hex digits, compressed (6.1.5). */
void aml_eisaid(struct aml *a, const char *id);

/*
 * A NameString (20.2.2): an optional root '\' or parent '^' prefixes, then
 * segments separated by '.', each of 1 to 4 characters from [A-Z0-9_]
 * (not starting with a digit), padded with '_': "\\_SB.PWRB", "_HID".
 */
void aml_name_string(struct aml *a, const char *path);

/* Name (name, <data object the caller emits next>) */
void aml_name(struct aml *a, const char *name);

/* Objects that contain others; each is closed by aml_end(). */
void aml_scope(struct aml *a, const char *path);
void aml_device(struct aml *a, const char *name);
void aml_method(struct aml *a, const char *name, unsigned int nargs,
		bool serialized);
void aml_package(struct aml *a, unsigned int nelems); /* elements follow */
void aml_if(struct aml *a); /* the predicate, then the body, follow */
void aml_buffer(struct aml *a); /* bytes follow; the size is added */
void aml_end(struct aml *a);

/* OperationRegion (name, space, offset, length) */
void aml_operation_region(struct aml *a, const char *name, uint8_t space,
			  uint64_t offset, uint64_t len);
/* Field (region, flags) { ... }: aml_field_unit()s, then aml_end(). */
void aml_field(struct aml *a, const char *region, uint8_t flags);
void aml_field_unit(struct aml *a, const char *name, unsigned int bits);

/*
 * Resource templates (6.4): aml_resource_template() opens a Buffer, the
 * descriptors follow, aml_resource_end() adds the end tag and closes it.
 */
void aml_resource_template(struct aml *a);
/* IO (Decode16, port, port, 1, len): a fixed range of I/O ports. */
void aml_res_io(struct aml *a, uint16_t port, uint8_t len);
/* IRQNoFlags () {irq}: an ISA line, edge, active high; irq 0-15. */
void aml_res_irq_noflags(struct aml *a, unsigned int irq);
/* Memory32Fixed (ReadWrite, base, len) */
void aml_res_memory32_fixed(struct aml *a, uint32_t base, uint32_t len);
/* Interrupt (...) {gsi}: flags from AML_IRQ_*. */
void aml_res_interrupt(struct aml *a, uint32_t gsi, uint8_t flags);
void aml_resource_end(struct aml *a);

#endif
