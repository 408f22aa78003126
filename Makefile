# SPDX-License-Identifier: GPL-2.0-only
#
# kvmux - build, test, install.
#
#   make            the kvmux binary and the guest-firmware test kernels
#   make run        boot the bundled demo guest
#   make test       unit tests and integration tests, the same again under
#                   ASan+UBSan and under ThreadSanitizer, the fuzz smoke
#                   run, then a real Linux boot
#   make unit | integration | test-tsan | fuzz-smoke | linux-test
#                   one part of make test
#   make fuzz       every fuzz target for FUZZ_SECONDS (tests/fuzz/README.md)
#   make fuzz-known the inputs of known, unfixed bugs: still failing?
#   make bench      benchmark tables (bench/; never part of make test)
#   make docs       docs/config.md's settings tables, from the settings table
#   make install    PREFIX=/usr/local DESTDIR= (make uninstall undoes it)
#
# Objects of a sanitized build go to build-san/ (SANITIZE=1: ASan+UBSan)
# or build-tsan/ (SANITIZE=thread: ThreadSanitizer), those of the fuzz
# targets (clang, libFuzzer) to build-fuzz/, so all can coexist.

VERSION := 0.1.0
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
DOCDIR = $(PREFIX)/share/doc/kvmux
COMPLETIONDIR = $(PREFIX)/share/bash-completion/completions
CC ?= cc

SANITIZE ?=
FUZZ ?=
ifeq ($(FUZZ),1)
BUILD ?= build-fuzz
CC := clang
SAN_FLAGS := -fsanitize=fuzzer-no-link,address,undefined \
	     -fno-sanitize-recover=all -fno-omit-frame-pointer
else ifeq ($(SANITIZE),1)
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

# "make -j2 clean all": clean must be done before anything is built, or
# its rm -rf races the compiler ("cannot remove 'build/src': Directory
# not empty", or objects deleted under the link).  Goals after clean then
# run one at a time; sub-makes (the firmware) stay parallel.
ifneq ($(filter clean,$(MAKECMDGOALS)),)
ifneq ($(filter-out clean,$(MAKECMDGOALS)),)
.NOTPARALLEL:
endif
endif

ifeq ($(filter clean help,$(MAKECMDGOALS)),)
$(call need_pkg,libcap-ng,libcap-ng-dev)
$(call need_pkg,jansson,libjansson-dev)
$(call need_pkg,libseccomp,libseccomp-dev)
$(call need_pkg,libpcre2-8,libpcre2-dev)
$(call need_hdr,libfdt.h,libfdt-dev)
$(call need_hdr,linux/kvm.h,linux-libc-dev)
endif

CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
	  -Iinclude -D_GNU_SOURCE -DKVMUX_VERSION='"$(VERSION)"' \
	  -MMD -MP $(SAN_FLAGS)
# Full RELRO: every symbol is bound at start and the GOT is then
# read-only, so a write through a bug cannot redirect a library call; it
# also spares the first call of each libc function the lazy lookup
# (~0.1 ms of a hello boot, bench/README.md, 2026-12-01).
LDFLAGS += $(SAN_FLAGS) -Wl,-z,relro,-z,now
# Debian's libraries are linked in from their -dev packages' archives:
# loading five shared objects took ~0.4 ms of CPU, 6% of a short guest's
# run (bench/README.md, "Linking").  SHARED_LIBS=1 links them as shared
# objects, as a distribution's package would (their security updates
# then reach kvmux without a rebuild).
SHARED_LIBS ?=
DEP_LIBS := -lfdt $(shell pkg-config --libs libcap-ng jansson libpcre2-8 \
	libseccomp 2>/dev/null)
ifeq ($(SHARED_LIBS),1)
LDLIBS := -lpthread $(DEP_LIBS)
else
LDLIBS := -lpthread -Wl,-Bstatic $(DEP_LIBS) -Wl,-Bdynamic
endif
# The link's flags, rewritten when they change: binaries depend on it,
# so switching SHARED_LIBS relinks them.
LINK_FLAGS := $(BUILD)/link-flags
# A binary's link: its prerequisites but the flags file, then the libraries.
LINK = $(CC) $(LDFLAGS) -o $@ $(filter-out $(LINK_FLAGS),$^) $(LDLIBS)

SRCS := $(sort $(wildcard src/*.c src/*/*.c src/*/*/*.c))
LIB_SRCS := $(filter-out src/main.c,$(SRCS))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)

UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
# Writes the ACPI tables to files, for iasl (tests/acpi/iasl_check.sh).
ACPI_DUMP := $(BUILD)/tests/acpi-dump
# Prints the settings table for the docs (make docs, tests/docs/check.sh).
SETTINGS_DOC := $(BUILD)/tools/settings-doc
# The system call filters, compiled with libseccomp at build time
# (tools/seccomp_gen.c) and linked into the kvmux binaries only.
SECCOMP_GEN := $(BUILD)/tools/seccomp-gen
SECCOMP_PREBUILT := $(BUILD)/gen/seccomp_prebuilt.o
# kvmux with test-only paths that environment variables switch on
# (KVMUX_TEST_*: src/host/seccomp.c, src/host/host_file.c, src/core/vcpu.c,
# src/core/vm.c, src/run.c, src/host/fd_release.c); never installed.
TEST_BUILD := $(BUILD)/tests/kvmux-test-build
TEST_BUILD_SRCS := src/host/seccomp.c src/host/host_file.c src/core/vcpu.c \
		   src/core/vm.c src/run.c src/host/fd_release.c
TEST_BUILD_OBJS := $(TEST_BUILD_SRCS:src/%.c=$(BUILD)/tests/test_build/%.o)

FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/fuzz_%.c=$(BUILD)/fuzz/%)
FUZZ_SECONDS ?= 180
FUZZ_SMOKE_SECONDS ?= 20

KVMUX := $(BUILD)/kvmux
FIRMWARE_DIR := guest-firmware/build
# bench/'s reference VMM: the floor kvmux is measured against.
FLOORVMM := $(BUILD)/floorvmm

.PHONY: all firmware run test unit integration test-plain test-sanitize \
	test-tsan bench install uninstall clean help linux-test format docs \
	fuzz fuzz-smoke fuzz-known fuzz-bins FORCE

all: $(KVMUX) firmware

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# Made afresh each time: ar would keep the objects of deleted or renamed
# sources, and it keeps one member per file name, so names must differ.
$(BUILD)/libkvmux.a: $(LIB_OBJS)
	@dups=$$(printf '%s\n' $(notdir $^) | sort | uniq -d); \
	if [ -n "$$dups" ]; then \
		echo "two sources share the name $$dups: rename one" >&2; \
		exit 1; \
	fi
	rm -f $@
	$(AR) rcs $@ $^

# Looked at by every make (FORCE), but only a change touches it: a rule,
# not a parse-time $(shell), so that "make clean all" has it too.
$(LINK_FLAGS): FORCE
	@mkdir -p $(dir $@)
	@echo '$(LDFLAGS) $(LDLIBS)' | cmp -s - $@ || \
		echo '$(LDFLAGS) $(LDLIBS)' >$@

FORCE:

$(KVMUX): $(BUILD)/src/main.o $(SECCOMP_PREBUILT) $(BUILD)/libkvmux.a \
		$(LINK_FLAGS)
	$(LINK)

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

# The same objects but those with test-only paths: the linker takes
# their symbols from these, not from libkvmux.a.
$(BUILD)/tests/test_build/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DKVMUX_TEST_BUILD -c -o $@ $<

$(TEST_BUILD): $(BUILD)/src/main.o $(TEST_BUILD_OBJS) $(SECCOMP_PREBUILT) \
		$(BUILD)/libkvmux.a $(LINK_FLAGS)
	$(LINK)

$(SECCOMP_GEN): tools/seccomp_gen.c $(BUILD)/libkvmux.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libkvmux.a $(LDLIBS)

$(BUILD)/gen/seccomp_prebuilt.c: $(SECCOMP_GEN)
	@mkdir -p $(dir $@)
	$(SECCOMP_GEN) >$@.tmp
	mv $@.tmp $@

$(SECCOMP_PREBUILT): $(BUILD)/gen/seccomp_prebuilt.c
	$(CC) $(CFLAGS) -c -o $@ $<

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

integration: $(KVMUX) $(TEST_BUILD) firmware
	@KVMUX=$(KVMUX) KVMUX_TEST_BUILD=$(TEST_BUILD) \
		FIRMWARE=$(FIRMWARE_DIR) tests/integration/run.sh

test-plain:
	$(call need_pkg,cmocka,libcmocka-dev)
	$(MAKE) unit integration

test-sanitize:
	$(MAKE) SANITIZE=1 unit integration

test: test-plain test-sanitize test-tsan fuzz-smoke linux-test

# libFuzzer targets (tests/fuzz/README.md): built with clang into
# build-fuzz/ against the library compiled the same way; a target's own
# linker flags sit in its source, on a line " * Link flags: ...".
$(BUILD)/fuzz/%: tests/fuzz/fuzz_%.c $(BUILD)/libkvmux.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -fsanitize=fuzzer $(LDFLAGS) -o $@ $< \
		$(BUILD)/libkvmux.a $(LDLIBS) \
		$(shell sed -n 's/^ \* Link flags: //p' $<)

fuzz-bins: $(FUZZ_BINS)

# clang and its libFuzzer runtime, or a line that says what to install.
define fuzz_toolchain
	@printf 'int LLVMFuzzerTestOneInput(void) { return 0; }\n' | \
		clang -fsanitize=fuzzer -x c - -o /dev/null 2>/dev/null || \
		{ echo "fuzz: clang with libFuzzer is missing: apt-get install" \
			"clang libclang-rt-14-dev, or run scripts/install-deps.sh"; \
		  exit 1; }
	$(MAKE) FUZZ=1 fuzz-bins
endef

fuzz:
	$(fuzz_toolchain)
	@tests/fuzz/run.sh --seconds $(FUZZ_SECONDS) build-fuzz/fuzz

# Each target's whole corpus as a regression set, then each briefly.
fuzz-smoke:
	$(fuzz_toolchain)
	@tests/fuzz/run.sh --smoke --seconds $(FUZZ_SMOKE_SECONDS) build-fuzz/fuzz

# Inputs of bugs not fixed yet (tests/fuzz/known/): which still fail.
fuzz-known:
	$(fuzz_toolchain)
	@tests/fuzz/run.sh --known build-fuzz/fuzz

# ThreadSanitizer: any data race it sees fails the test that ran into it
# (status 66).  About 12 minutes on a busy 2-CPU machine, build included.
test-tsan:
	$(MAKE) SANITIZE=thread unit integration

# Boot a real Linux (built once from Debian's linux-source, cached in
# /var/cache/kvmux/linux: ~10 minutes the first time on 2 CPUs, rebuilt
# when tests/linux/kernel.config changes; the boots take ~2 minutes).
linux-test: $(KVMUX)
	@KVMUX=$(KVMUX) tests/linux/run.sh

$(FLOORVMM): bench/floor/floorvmm.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

# KVMTOOL=/path/to/lkvm adds kvmtool to the tables (else lkvm on PATH).
bench: all $(FLOORVMM)
	@KVMTOOL="$(KVMTOOL)" bench/run.sh

# The bash completion, made from the settings table like the docs.
BASH_COMPLETION := $(BUILD)/kvmux.bash

$(BASH_COMPLETION): $(SETTINGS_DOC)
	$(SETTINGS_DOC) bash >$@

# What make install puts where (make uninstall removes the same list).
INSTALLED = $(BINDIR)/kvmux $(MANDIR)/man1/kvmux.1.gz \
	$(COMPLETIONDIR)/kvmux $(DOCDIR)

install: $(KVMUX) $(BASH_COMPLETION)
	install -D -m 0755 $(KVMUX) $(DESTDIR)$(BINDIR)/kvmux
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DOCDIR)/examples
	gzip -9n <docs/kvmux.1 >$(DESTDIR)$(MANDIR)/man1/kvmux.1.gz
	install -D -m 0644 $(BASH_COMPLETION) $(DESTDIR)$(COMPLETIONDIR)/kvmux
	install -m 0644 README.md docs/*.md $(DESTDIR)$(DOCDIR)/
	cp -R examples/. $(DESTDIR)$(DOCDIR)/examples/

uninstall:
	rm -rf $(addprefix $(DESTDIR),$(INSTALLED))

format:
	clang-format -i $(SRCS) $(wildcard include/kvmux/*.h) $(UNIT_SRCS) \
		tests/acpi/acpi_dump.c tools/settings_doc.c tools/seccomp_gen.c $(FUZZ_SRCS) \
		$(wildcard tests/fuzz/*.h)

clean:
	rm -rf build build-san build-tsan build-fuzz build-fuzz-cov
	$(MAKE) -C guest-firmware clean

help:
	@sed -n '3,16p' Makefile

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
