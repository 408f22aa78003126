#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# bench/run.sh - run every kvmux benchmark and print its table (what
# `make bench` runs, after building kvmux, the floor VMM and the guest
# firmware):
#
#   1. boot-to-exit of hello and lean        bench/boot.py
#  1c. what the optional defaults cost       bench/defaults.py
#   2. virtio-blk read throughput            bench/disk.py
#   3. VM exits per 4 KiB disk request       bench/exits.py
#   4. the group scheduler's CPU shares      bench/sched.py
#   5. teardown after the guest's exit       bench/teardown.py
#   6. idle CPU per VM-second                bench/idle.py
#   7. 100 VMs started at once               bench/fleet.py
#   8. a group of 8 against 8 processes      bench/group.py
#   9. console log and --fail-on per line     bench/console.py
#  10. stop latency per cause                bench/stop.py
#
# Each table puts the floor VMM (bench/floor/), QEMU's microvm machine and
# kvmtool ($KVMTOOL, else lkvm on PATH, if any) beside kvmux where they
# have the feature.  Benchmarks are never pass/fail: this exits non-zero
# only when a benchmark could not run at all.  `bench/run.sh boot idle`
# runs a subset.
# Needs: scripts/install-deps.sh --bench (hyperfine, qemu-system-x86, time,
# strace, linux-perf).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
all=(boot defaults teardown idle fleet group disk exits sched console stop)

missing=()
for tool in hyperfine qemu-system-x86_64 python3 dd strace perf; do
	command -v "$tool" >/dev/null || missing+=("$tool")
done
[ -x /usr/bin/time ] || missing+=(/usr/bin/time)
if [ ${#missing[@]} -ne 0 ]; then
	echo "bench: missing ${missing[*]}: run scripts/install-deps.sh --bench" >&2
	exit 1
fi
for f in build/kvmux build/floorvmm guest-firmware/build/hello.elf \
	guest-firmware/build/lean.elf guest-firmware/build/idle.elf \
	guest-firmware/build/blk.elf guest-firmware/build/burn.elf \
	guest-firmware/build/flood.elf guest-firmware/build/reset.elf \
	guest-firmware/build/say.elf; do
	if [ ! -e "$root/$f" ]; then
		echo "bench: $f is missing: run make bench (or make and" \
			"make build/floorvmm) first" >&2
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
# kvmtool keeps a control socket per VM in $HOME/.lkvm: not the user's.
export HOME=$BENCH_WORK
KVMTOOL=${KVMTOOL:-$(command -v lkvm || true)}
export KVMTOOL

echo "kvmux benchmarks: $("$root/build/kvmux" --version 2>&1 | head -n 1)," \
	"$(nproc) CPUs, $(uname -r), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" \
	"(the benchmarks compete with everything else on the host)"
echo "QEMU: $(qemu-system-x86_64 --version | head -n 1)"
if [ -n "$KVMTOOL" ]; then
	echo "kvmtool: $KVMTOOL ($("$KVMTOOL" version 2>&1 | head -n 1))"
else
	echo "kvmtool: not found (set KVMTOOL or put lkvm on PATH): left out"
fi
start=$SECONDS
for b in "${which[@]}"; do
	t=$SECONDS
	python3 "$here/$b.py"
	echo "  ($b: $((SECONDS - t)) s)"
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "bench: done in $((SECONDS - start)) s"
