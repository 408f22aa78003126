# SPDX-License-Identifier: GPL-2.0-only
#
# kvmux - build, test, install.
#
#   make            the kvmux binary and the guest-firmware test kernels
#   make run        boot the bundled demo guest
#   make test       unit tests and integration tests, the same again under
#                   ASan+UBSan and under ThreadSanitizer, then a real Linux
#                   boot (make linux-test)
#   make unit | integration | linux-test   one part of make test
#   make bench      benchmark tables (bench/; never part of make test)
#   make docs       docs/config.md's settings tables, from the settings table
#   make install    PREFIX=/usr/local DESTDIR=
#
# Objects of a sanitized build go to build-san/ (SANITIZE=1: ASan+UBSan)
# or build-tsan/ (SANITIZE=thread: ThreadSanitizer), so all can coexist.

VERSION := 0.1.0
PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc

SANITIZE ?=
ifeq ($(SANITIZE),1)
BUILD ?= build-san
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	     -fno-omit-frame-pointer
else ifeq ($(SANITIZE),thread)
BUILD ?= build-tsan
# -Wno-tsan: TSan cannot model fences (virtq.c fences against the guest,
# which TSan does not see anyway).
SAN_FLAGS := -fsanitize=thread -fno-omit-frame-pointer -Wno-tsan
else
BUILD ?= build
SAN_FLAGS :=
endif

# Library checks: a missing -dev package is named, with the way to get it.
need_pkg = $(if $(shell pkg-config --exists $(1) && echo y),,$(error \
	missing library $(1): apt-get install $(2), or run scripts/install-deps.sh))
need_hdr = $(if $(wildcard /usr/include/$(1)),,$(error \
	missing header $(1): apt-get install $(2), or run scripts/install-deps.sh))

ifeq ($(filter clean help,$(MAKECMDGOALS)),)
$(call need_pkg,libcap-ng,libcap-ng-dev)
$(call need_pkg,libseccomp,libseccomp-dev)
$(call need_hdr,libfdt.h,libfdt-dev)
$(call need_hdr,linux/kvm.h,linux-libc-dev)
endif

CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
	  -Iinclude -D_GNU_SOURCE -DKVMUX_VERSION='"$(VERSION)"' \
	  -MMD -MP $(SAN_FLAGS)
LDFLAGS += $(SAN_FLAGS)
LDLIBS := -lpthread -lfdt $(shell pkg-config --libs libcap-ng libseccomp \
	2>/dev/null)

SRCS := $(sort $(wildcard src/*.c src/*/*.c src/*/*/*.c))
LIB_SRCS := $(filter-out src/main.c,$(SRCS))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)

UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
# Writes the ACPI tables to files, for iasl (tests/acpi/iasl_check.sh).
ACPI_DUMP := $(BUILD)/tests/acpi-dump
# Prints the settings table for the docs (make docs, tests/docs/check.sh).
SETTINGS_DOC := $(BUILD)/tools/settings-doc
# kvmux whose thread named by $$KVMUX_TEST_SECCOMP_VIOLATION makes a
# forbidden system call (tests/integration/t_security.sh); never installed.
SECCOMP_VIOLATION := $(BUILD)/tests/kvmux-seccomp-violation

KVMUX := $(BUILD)/kvmux
FIRMWARE_DIR := guest-firmware/build
# bench/'s reference VMM: the floor kvmux is measured against.
FLOORVMM := $(BUILD)/floorvmm

.PHONY: all firmware run test unit integration test-plain test-sanitize \
	test-tsan \
	bench install clean help linux-test format docs

all: $(KVMUX) firmware

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/libkvmux.a: $(LIB_OBJS)
	$(AR) rcs $@ $^

$(KVMUX): $(BUILD)/src/main.o $(BUILD)/libkvmux.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

firmware:
	$(MAKE) -C guest-firmware

# The demo: a hello-world guest that prints a line and exits 0.
run: all
	$(KVMUX) run --kernel $(FIRMWARE_DIR)/hello.elf --timeout 30

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libkvmux.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(shell pkg-config --cflags cmocka) $(LDFLAGS) \
		-o $@ $< $(BUILD)/libkvmux.a $(shell pkg-config --libs cmocka) \
		$(LDLIBS)

$(ACPI_DUMP): tests/acpi/acpi_dump.c $(BUILD)/libkvmux.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libkvmux.a $(LDLIBS)

# The same objects but seccomp.c's, which gets the test-only path: the
# linker takes seccomp's symbols from it, not from libkvmux.a.
$(BUILD)/tests/seccomp_violation.o: src/host/seccomp.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DKVMUX_TEST_SECCOMP_VIOLATION -c -o $@ $<

$(SECCOMP_VIOLATION): $(BUILD)/src/main.o $(BUILD)/tests/seccomp_violation.o \
		$(BUILD)/libkvmux.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(SETTINGS_DOC): tools/settings_doc.c $(BUILD)/libkvmux.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libkvmux.a $(LDLIBS)

unit: $(UNIT_BINS) $(ACPI_DUMP) $(SETTINGS_DOC)
	@tests/unit/run.sh $(UNIT_BINS)
	@tests/acpi/iasl_check.sh $(ACPI_DUMP)
	@tests/docs/check.sh $(SETTINGS_DOC)

# The settings tables of docs/config.md, from src/cli/settings.c.
docs: $(SETTINGS_DOC)
	scripts/update-docs.sh $(SETTINGS_DOC) docs/config.md

integration: $(KVMUX) $(SECCOMP_VIOLATION) firmware
	@KVMUX=$(KVMUX) KVMUX_SECCOMP_VIOLATION=$(SECCOMP_VIOLATION) \
		FIRMWARE=$(FIRMWARE_DIR) tests/integration/run.sh

test-plain:
	$(call need_pkg,cmocka,libcmocka-dev)
	$(MAKE) unit integration

test-sanitize:
	$(MAKE) SANITIZE=1 unit integration

# ThreadSanitizer: any data race it sees fails the test that ran into it
# (status 66).  About 2 minutes on top of the build.
test-tsan:
	$(MAKE) SANITIZE=thread unit integration

test: test-plain test-sanitize test-tsan linux-test

# Boot a real Linux (built once from Debian's linux-source, cached in
# /var/cache/kvmux/linux: ~2 minutes the first time, then ~1 minute).
linux-test: $(KVMUX)
	@KVMUX=$(KVMUX) tests/linux/run.sh

$(FLOORVMM): bench/floor/floorvmm.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

# KVMTOOL=/path/to/lkvm adds kvmtool to the tables (else lkvm on PATH).
bench: all $(FLOORVMM)
	@KVMTOOL="$(KVMTOOL)" bench/run.sh

install: $(KVMUX)
	install -D -m 0755 $(KVMUX) $(DESTDIR)$(PREFIX)/bin/kvmux
	install -D -m 0644 docs/kvmux.1 $(DESTDIR)$(PREFIX)/share/man/man1/kvmux.1

format:
	clang-format -i $(SRCS) $(wildcard include/kvmux/*.h) $(UNIT_SRCS) \
		tests/acpi/acpi_dump.c tools/settings_doc.c

clean:
	rm -rf build build-san build-tsan
	$(MAKE) -C guest-firmware clean

help:
	@sed -n '3,16p' Makefile

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
