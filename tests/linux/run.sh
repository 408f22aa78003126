#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tests/linux/run.sh - boot a real Linux with kvmux and check what it says
# about the machine it found (`make linux-test`).
#
# Why: a real kernel is the judge of kvmux's boot paths. Early in its boot it
# prints its banner, the command line it received and the e820 map it was
# given; those must be exactly what kvmux put there. Two paths are checked:
# the vmlinux through its PVH entry (at 256M, and at 4G for the RAM above
# the 3 GiB MMIO gap) and the bzImage through its setup header (LZ4
# decompressor, then boot_params, whose e820 map Linux prints unchanged).
#
# On this PVM host an unmodified Linux runs in KVM's instruction emulator,
# at a speed that depends on how busy the machine is: the PVH boot prints
# all checked lines within a few seconds on a quiet machine and crashes
# at about 14 s (emulation failure at XRSTOR in fpu__init_system_xstate:
# kvmux says "guest crashed", status 122); the bzImage's decompressor alone
# takes 15-20 s. On a VMX host Linux goes on and panics for want of a root
# file system, and panic=-1 turns that into a reset (121).
#
# So no check here depends on time: each boot runs until Linux has printed
# every line the checks need, and then the test stops kvmux with SIGTERM
# (which kvmux must honour: 143), or until it ends by itself first. Only a
# boot still short of a checked line after $hard_limit seconds is given up
# on (a hang guard: a quiet machine needs about 20 s).

# The kernel comes from scripts/build-linux.sh (built once, then cached).
#
# Environment:
#   KVMUX                      the kvmux binary (default: build/kvmux)
#   KVMUX_LINUX_PVH_SIZES      memory sizes for the vmlinux/PVH boots
#                              (default: "256M 4G"; "" for none)
#   KVMUX_LINUX_BZIMAGE_SIZES  the same for the bzImage boots (default: 256M)
#   KVMUX_LINUX_CPUS           vCPUs for every boot (default: 2)
#   KVMUX_LINUX_KEEP           1: keep the boot logs even if all checks pass
#
# Output: one PASS/FAIL line per check, then "N passed, M failed"; the exit
# status is non-zero if any check failed.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
kvmux=${KVMUX:-$repo/build/kvmux}
pvh_sizes=${KVMUX_LINUX_PVH_SIZES-256M 4G}
cpus=${KVMUX_LINUX_CPUS:-2}
bzimage_sizes=${KVMUX_LINUX_BZIMAGE_SIZES-256M}

# A hang guard, not a timing check: a boot that has not shown every
# checked line by then is a failure (a quiet machine needs ~20 s at most).
hard_limit=${KVMUX_LINUX_HARD_LIMIT:-900}

die() {
	echo "linux-test: error: $*" >&2
	exit 1
}

[[ -x $kvmux ]] || die "kvmux binary '$kvmux' not found: run make first"
"$kvmux" run --help >/dev/null 2>&1 </dev/null ||
	die "'$kvmux run --help' does not work"

cache=$("$repo/scripts/build-linux.sh" --print-dir </dev/null) ||
	die "building the test kernel failed"

logdir=$(mktemp -d "${TMPDIR:-/tmp}/kvmux-linux-test.XXXXXX")
passed=0
failed=0

pass() {
	echo "PASS: $*"
	passed=$((passed + 1))
}
fail() {
	echo "FAIL: $*"
	failed=$((failed + 1))
}

# Microseconds since the epoch.
now_us() {
	local t=${EPOCHREALTIME/./}
	echo $((10#$t))
}

# Prefix every line read with the seconds elapsed since $1 (microseconds),
# dropping the serial port's carriage returns.
timestamp_lines() {
	local t0=$1 line dt
	while IFS= read -r line || [[ -n $line ]]; do
		dt=$(($(now_us) - t0))
		printf '%d.%03d %s\n' $((dt / 1000000)) $((dt % 1000000 / 1000)) \
			"${line//$'\r'/}"
	done
}

# Has LOG printed every fixed string of the file WANT?
has_all() {
	local line
	while IFS= read -r line; do
		grep -q -F -- "$line" "$1" || return 1
	done <"$2"
}

# boot LOG WANT ARGS...: run kvmux with ARGS, stdout and stderr into LOG
# with timestamps.  Once LOG has every line of the file WANT, kvmux is
# stopped with SIGTERM; after $hard_limit s it is killed.  Its exit status
# goes into LOG.rc, the wall time into LOG.time.
boot() {
	local log=$1 want=$2 t0 pid deadline
	shift 2
	t0=$(now_us)
	{
		"$kvmux" "$@" </dev/null 2>&1 &
		echo $! >"$log.pid"
		wait $! && echo 0 >"$log.rc" || echo $? >"$log.rc"
	} | timestamp_lines "$t0" >"$log" &
	deadline=$((SECONDS + hard_limit))
	while [[ ! -s $log.pid ]]; do sleep 0.1; done
	pid=$(cat "$log.pid")
	while kill -0 "$pid" 2>/dev/null; do
		if has_all "$log" "$want"; then
			kill -TERM "$pid" 2>/dev/null || true
			break
		fi
		if ((SECONDS >= deadline)); then
			kill -KILL "$pid" 2>/dev/null || true
			break
		fi
		sleep 0.2
	done
	wait
	t0=$(($(now_us) - t0))
	printf '%d.%01d\n' $((t0 / 1000000)) $((t0 % 1000000 / 100000)) \
		>"$log.time"
}

# The text of LOG without the timestamps.
text() { cut -d' ' -f2- "$1"; }

# The timestamp of the first line of LOG matching the fixed string $2.
when() { grep -F -m1 -- "$2" "$1" | cut -d' ' -f1; }

# A size as kvmux --memory takes it (256M, 4G; a bare number is MiB), in bytes.
size_bytes() {
	local s=$1
	case $s in
	*[mM]) echo $((${s%?} << 20)) ;;
	*[gG]) echo $((${s%?} << 30)) ;;
	*[!0-9]* | '') die "bad memory size '$s'" ;;
	*) echo $((s << 20)) ;;
	esac
}

# The e820 map Linux prints ("BIOS-e820: [mem FIRST-LAST] TYPE", LAST
# inclusive) when kvmux gives it $2 bytes of RAM through boot path $1.
#
# kvmux's map (include/kvmux/layout.h): RAM from 0 with the EBDA at 0x9fc00
# and the BIOS area at 0xf0000 reserved, the VGA hole at 0xa0000 not
# described; RAM from 1 MiB up to the size asked for or the MMIO gap at
# 3 GiB, and what did not fit below the gap from 4 GiB on.
#
# The bzImage path hands that map to Linux as it is (boot_params e820). The
# PVH entry converts the PVH memory map to e820 itself and adds the ISA range
# [0xa0000, 0x100000) as reserved (arch/x86/platform/pvh/enlighten.c); its
# sanitizer then merges the overlapping and adjacent reserved ranges, so
# [0x9fc00, 0x100000) is printed as one. That merge is modelled here.
expected_e820() {
	local path=$1 ram=$2 gap=$((0xc0000000)) high=$((0x100000000))
	local -a map=()
	map+=("0 $((0x9fc00)) usable")
	map+=("$((0x9fc00)) $((0xa0000)) reserved")
	[[ $path == pvh ]] && map+=("$((0xa0000)) $((0x100000)) reserved")
	map+=("$((0xf0000)) $((0x100000)) reserved")
	if ((ram <= gap)); then
		map+=("$((0x100000)) $ram usable")
	else
		map+=("$((0x100000)) $gap usable")
		map+=("$high $((high + ram - gap)) usable")
	fi

	# Merge ranges of one type that touch or overlap (the list is sorted
	# by start address and ranges of different types do not overlap).
	local start=-1 end=0 type="" s e t
	for r in "${map[@]}" "-1 -1 end"; do
		read -r s e t <<<"$r"
		if [[ $t == "$type" ]] && ((s <= end)); then
			((e > end)) && end=$e
			continue
		fi
		((start >= 0)) && printf 'BIOS-e820: [mem 0x%016x-0x%016x] %s\n' \
			"$start" $((end - 1)) "$type"
		start=$s end=$e type=$t
	done
}

# What kvmux's exit status means (kvmux --help), for the record.
status_name() {
	case $1 in
	120) echo "guest stopped cleanly" ;;
	121) echo "guest reset the machine" ;;
	122) echo "guest crashed" ;;
	124) echo "kvmux --timeout expired" ;;
	143) echo "stopped by this test with SIGTERM once it had printed every checked line" ;;
	125) echo "kvmux could not run the VM" ;;
	126) echo "bad usage or unusable kernel" ;;
	137) echo "killed by this test after $hard_limit s" ;;
	*) if (($1 < 120)); then echo "guest wrote $1 to port 0x501"; else echo "signal $(($1 - 128))"; fi ;;
	esac
}

# check_boot PATH MEM: boot the kernel through PATH (pvh: the vmlinux;
# bzimage: the bzImage) with MEM of RAM, until it printed what is checked.
check_boot() {
	local path=$1 mem=$2 name="$1-$2" image log marker ram rc t want
	case $path in
	pvh) image=$cache/vmlinux ;;
	bzimage) image=$cache/bzImage ;;
	esac
	log="$logdir/$name.log"
	want="$log.want"
	marker="kvmux_marker=$$_${RANDOM}_$mem"
	ram=$(size_bytes "$mem")
	{
		echo "Linux version 6.1"
		echo "Command line:"
		expected_e820 "$path" "$ram" | tail -n 1
		if [[ $path == pvh && $mem == "${pvh_sizes%% *}" ]]; then
			echo "Processors: $cpus"
			echo "smpboot: Allowing $cpus CPUs"
		fi
	} >"$want"

	echo "== $name: $kvmux run --kernel $image --memory $mem --cpus $cpus"
	boot "$log" "$want" run --kernel "$image" --memory "$mem" \
		--cpus "$cpus" --cmdline "console=ttyS0 earlyprintk=serial panic=-1 $marker"
	rc=$(cat "$log.rc")

	# 0. bzImage only: the decompressor stub ran and said so (its
	# "Decompressing Linux... " line is completed by "done." only after
	# the decompression, some 15-20 s later here: the start is checked).
	if [[ $path == bzimage ]]; then
		if text "$log" | grep -q -F "Decompressing Linux"; then
			pass "$name: decompressor started (at $(when "$log" "early console in extract_kernel")s), 'Parsing ELF... done.' at $(when "$log" "Parsing ELF... done" || echo never)s"
		else
			fail "$name: no 'Decompressing Linux' from the bzImage stub"
		fi
	fi

	# 1. The banner.
	if t=$(when "$log" "Linux version 6.1") && [[ -n $t ]]; then
		pass "$name: banner 'Linux version 6.1' (at ${t}s)"
	else
		fail "$name: banner 'Linux version 6.1' not printed"
	fi

	# 2. The command line arrived intact.
	local cmdline
	cmdline=$(text "$log" | grep -m1 -F "Command line:" || true)
	t=$(when "$log" "Command line:" || true)
	if [[ -z $cmdline ]]; then
		fail "$name: no 'Command line:' line"
	elif [[ " ${cmdline#*Command line: } " == *" $marker "* ]]; then
		pass "$name: command line carries $marker (at ${t}s)"
	else
		fail "$name: command line lacks $marker: '$cmdline'"
	fi

	# 3. The e820 map is exactly ours.
	local want got
	want=$(expected_e820 "$path" "$ram")
	got=$(text "$log" | grep -o 'BIOS-e820: \[mem [^]]*\] .*' |
		sed 's/[[:space:]]*$//' || true)
	if [[ -z $got ]]; then
		fail "$name: no 'BIOS-e820:' lines printed"
	elif [[ $got == "$want" ]]; then
		pass "$name: e820 map matches $mem ($(wc -l <<<"$got") entries, last at $(when "$log" "$(tail -n1 <<<"$want")")s)"
	else
		fail "$name: e820 map differs from the one for $mem"
		diff -u --label expected --label "printed by Linux" \
			<(echo "$want") <(echo "$got") | sed 's/^/    /' || true
	fi

	# 4. It sees the vCPUs kvmux gave it (from kvmux's MP table).  Only
	# the first PVH boot must get that far: with more RAM, or after the
	# bzImage's decompressor, the emulator may give up before Linux
	# parses the MP table (it prints it ~4 s in at 256M here).
	if [[ $path != pvh || $mem != "${pvh_sizes%% *}" ]]; then
		if text "$log" | grep -q -F "Processors: $cpus"; then
			echo "info: $name: reports $cpus CPUs"
		else
			echo "info: $name: stopped before reporting its CPUs"
		fi
	elif text "$log" | grep -q -F "Processors: $cpus" &&
		text "$log" | grep -q -F "smpboot: Allowing $cpus CPUs"; then
		pass "$name: reports $cpus CPUs from the MP table (at $(when "$log" "Processors: $cpus")s)"
	else
		fail "$name: does not report $cpus CPUs ('Processors: $cpus', 'smpboot: Allowing $cpus CPUs')"
	fi

	# 5. It ended: by itself, or at once when told to (SIGTERM, 143);
	# how it ended is recorded.
	if [[ $rc == 137 ]]; then
		fail "$name: kvmux killed after $hard_limit s (it printed: $(tail -n 2 "$log" | tr '\n' ' '))"
	else
		pass "$name: boot ended after $(cat "$log.time")s, kvmux exit status $rc ($(status_name "$rc"))"
	fi
}

for mem in $pvh_sizes; do
	check_boot pvh "$mem"
done
for mem in $bzimage_sizes; do
	check_boot bzimage "$mem"
done

echo "$passed passed, $failed failed"
if ((failed)) || [[ ${KVMUX_LINUX_KEEP:-0} == 1 ]]; then
	echo "boot logs (timestamped): $logdir"
else
	rm -rf "$logdir"
fi
((failed == 0))
