#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Which lines of the code under test each target's corpus reaches:
# source-based coverage (clang -fprofile-instr-generate, llvm-cov) of the
# tree's corpus plus what make fuzz kept in build-fuzz/corpus/.
#
#   tests/fuzz/coverage.sh [TARGET...]
#
# Builds into build-fuzz-cov/ (no sanitizers), prints llvm-cov's report
# per target for the files that target is about, and leaves line-by-line
# listings in build-fuzz-cov/html/TARGET/index.html.
set -euo pipefail
cd "$(dirname "$0")/../.."

out=build-fuzz-cov
declare -A files=(
	[virtq]="src/devices/virtio/virtq.c src/core/guest_mem.c"
	[bzimage]="src/boot/bzimage.c src/boot/boot_common.c src/boot/dtb_handoff.c src/boot/fdt.c src/boot/mptable.c src/machine/platform.c"
	[pvh]="src/boot/elf_load.c src/boot/elf_pvh.c src/boot/pvh.c src/boot/boot_common.c src/boot/dtb_handoff.c"
	[multiboot]="src/boot/multiboot.c src/boot/elf_load.c src/boot/boot_alloc.c src/boot/dtb_handoff.c"
	[config_file]="src/cli/config_file.c src/cli/parse.c src/cli/settings.c"
	[cli]="src/cli/options.c src/cli/request.c src/cli/settings.c"
	[parse]="src/cli/parse.c src/cli/settings.c src/cli/request.c"
	[plan]="src/host/alloc.c src/host/sched_policy.c"
	[bus]="src/core/bus.c"
	[console_sink]="src/util/console_sink.c src/util/iov.c"
	[virtio_blk]="src/devices/virtio/virtio_blk.c src/devices/virtio/virtio_mmio.c src/devices/virtio/virtq.c"
	[virtio_console]="src/devices/virtio/virtio_console.c src/devices/virtio/virtio_mmio.c src/devices/virtio/virtq.c"
	[ports]="src/devices/serial8250.c src/devices/i8042.c src/devices/debug_exit.c src/devices/pvpanic.c src/devices/acpi_pm.c"
	[ioapic]="src/devices/ioapic.c"
	[i8259]="src/devices/i8259.c"
	[i8254]="src/devices/i8254.c"
)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${!files[@]}")

make -s FUZZ=1 BUILD=$out \
	SAN_FLAGS="-fsanitize=fuzzer-no-link -fprofile-instr-generate -fcoverage-mapping" \
	fuzz-bins
mkdir -p "$out/prof" "$out/html"
for t in "${targets[@]}"; do
	dirs=("tests/fuzz/corpus/$t")
	[ -d "build-fuzz/corpus/$t" ] && dirs+=("build-fuzz/corpus/$t")
	rm -f "$out/prof/$t".*
	LLVM_PROFILE_FILE="$out/prof/$t.profraw" \
		"$out/fuzz/$t" -runs=0 "${dirs[@]}" >"$out/prof/$t.log" 2>&1 ||
		true
	llvm-profdata merge -sparse "$out/prof/$t.profraw" \
		-o "$out/prof/$t.profdata"
	echo "== $t"
	# shellcheck disable=SC2086
	llvm-cov report "$out/fuzz/$t" -instr-profile="$out/prof/$t.profdata" \
		${files[$t]} | sed -n '3,$p'
	# shellcheck disable=SC2086
	llvm-cov show -format=html -output-dir="$out/html/$t" \
		"$out/fuzz/$t" -instr-profile="$out/prof/$t.profdata" ${files[$t]}
done
