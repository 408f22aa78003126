#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# bench/run.sh - run every kvmux benchmark and print its table (what
# `make bench` runs, after building kvmux and the guest firmware):
#
#   1. boot-to-exit time of hello.elf        bench/boot.py
#   2. virtio-blk read throughput            bench/disk.py
#   3. VM exits per 4 KiB disk request       bench/exits.py
#   4. the group scheduler's CPU shares      bench/sched.py
#
# Each table puts QEMU's microvm machine beside kvmux where QEMU has the
# feature.  Benchmarks are never pass/fail: this exits non-zero only when a
# benchmark could not run at all.  `bench/run.sh boot disk` runs a subset.
# Needs: scripts/install-deps.sh --bench (hyperfine, qemu-system-x86, time).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
all=(boot disk exits sched)

missing=()
for tool in hyperfine qemu-system-x86_64 python3 dd; do
	command -v "$tool" >/dev/null || missing+=("$tool")
done
[ -x /usr/bin/time ] || missing+=(/usr/bin/time)
if [ ${#missing[@]} -ne 0 ]; then
	echo "bench: missing ${missing[*]}: run scripts/install-deps.sh --bench" >&2
	exit 1
fi
for f in build/kvmux guest-firmware/build/hello.elf \
	guest-firmware/build/blk.elf guest-firmware/build/burn.elf; do
	if [ ! -e "$root/$f" ]; then
		echo "bench: $f is missing: run make first" >&2
		exit 1
	fi
done

if [ $# -gt 0 ]; then
	which=("$@")
else
	which=("${all[@]}")
fi
for b in "${which[@]}"; do
	if [ ! -f "$here/$b.py" ]; then
		echo "bench: no benchmark '$b' (have: ${all[*]})" >&2
		exit 2
	fi
done

BENCH_WORK=$(mktemp -d "${TMPDIR:-/tmp}/kvmux-bench.XXXXXX")
export BENCH_WORK
# No __pycache__ in the source tree.
export PYTHONDONTWRITEBYTECODE=1
trap 'rm -rf "$BENCH_WORK"' EXIT

echo "kvmux benchmarks: $("$root/build/kvmux" --version 2>&1 | head -n 1)," \
	"$(nproc) CPUs, $(uname -r), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "QEMU: $(qemu-system-x86_64 --version | head -n 1)"
start=$SECONDS
for b in "${which[@]}"; do
	t=$SECONDS
	python3 "$here/$b.py"
	echo "  ($b: $((SECONDS - t)) s)"
done
echo
echo "bench: done in $((SECONDS - start)) s"
