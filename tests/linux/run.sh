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
# The kernel has CONFIG_ACPI: it must list kvmux's ACPI tables (RSDP,
# XSDT, FACP, DSDT, APIC), take its CPUs from the MADT, and print no ACPI
# error or warning; with kvmux --acpi off it must find no RSDP and take its
# CPUs from the MP table, as before kvmux had ACPI.
#
# On this PVM host an unmodified Linux runs in KVM's instruction emulator,
# at a speed that depends on how busy the machine is: the PVH boot at 256M
# lists the ACPI tables within a few seconds and its CPUs within ~10 s on
# a quiet machine; with ACPI it goes on to "ACPI: Core revision" (~20-30 s)
# and a failed TSC calibration, then prints nothing more until stopped;
# with --acpi off it crashes at about 14 s (emulation failure at XRSTOR in
# fpu__init_system_xstate: kvmux says "guest crashed", status 122). The
# bzImage's decompressor alone takes 15-20 s, and at 4G Linux spends more
# than a minute here setting up its memory before it parses the MADT. On a
# VMX host Linux goes on and panics for want of a root file system, and
# panic=-1 turns that into a reset (121).
#
# So no check here depends on time: each boot runs until Linux has printed
# every line the checks need, and then the test stops kvmux with SIGTERM
# (which kvmux must honour at once, 143: no --shutdown-grace is given, and
# this early Linux has no power button driver yet), or until it ends by
# itself first. Only a boot still short of a checked line after
# $hard_limit seconds is given up on (a hang guard: a quiet machine needs
# about a minute for the bzImage, half that for the others).

# The kernel comes from scripts/build-linux.sh (built once, then cached).
#
# Environment:
#   KVMUX                      the kvmux binary (default: build/kvmux)
#   KVMUX_LINUX_PVH_SIZES      memory sizes for the vmlinux/PVH boots
#                              (default: "256M 4G"; "" for none)
#   KVMUX_LINUX_BZIMAGE_SIZES  the same for the bzImage boots (default: 256M)
#   KVMUX_LINUX_CPUS           vCPUs for every boot (default: 2)
#   KVMUX_LINUX_ACPI_OFF_PATHS boot paths (pvh, bzimage) also booted with
#                              --acpi off, at their first size
#                              (default: pvh; "" for none)
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
acpi_off_paths=${KVMUX_LINUX_ACPI_OFF_PATHS-pvh}

# A hang guard, not a timing check: a boot that has not shown every
# checked line by then is a failure (a quiet machine needs ~1 min at most).
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

# Did LOG print the fixed string $2?  grep reads all of the text: with
# pipefail, grep -q could leave cut to die of SIGPIPE and fail the test.
logged() { text "$1" | grep -F -- "$2" >/dev/null; }

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

# The tables Linux lists ("ACPI: <SIG> 0x<address> ...") when it found kvmux's.
acpi_tables="RSDP XSDT FACP DSDT APIC"
# What Linux says when it takes its CPUs from the MADT.
madt_smp="ACPI: Using ACPI (MADT) for SMP configuration information"
# What an ACPI kernel says on a machine without ACPI (kvmux --acpi off).
no_rsdp="ACPI BIOS Error (bug): A valid RSDP was not found"

# want_lines PATH RAM ACPI DEEP: the lines a boot must print before it
# is stopped.  DEEP: it must get as far as the SMP configuration (the
# first size of a path; at 4G Linux needs far longer to get there).
want_lines() {
	local path=$1 ram=$2 acpi=$3 deep=$4 sig
	echo "Linux version 6.1"
	echo "Command line:"
	expected_e820 "$path" "$ram" | tail -n 1
	if [[ $acpi == on ]]; then
		for sig in $acpi_tables; do echo "ACPI: $sig 0x"; done
	fi
	[[ $deep == 1 ]] || return 0
	if [[ $acpi == on ]]; then
		echo "$madt_smp"
		# The end of acpi_early_init(): its errors would come before.
		echo "ACPI: Core revision"
	else
		echo "Processors: $cpus"
	fi
	echo "smpboot: Allowing $cpus CPUs"
}

# check_acpi NAME LOG ACPI DEEP: the ACPI tables, where the CPUs came
# from, and no ACPI error or warning.
check_acpi() {
	local name=$1 log=$2 acpi=$3 deep=$4 sig missing="" errors
	if [[ $acpi == on ]]; then
		for sig in $acpi_tables; do
			logged "$log" "ACPI: $sig 0x" || missing+=" $sig"
		done
		if [[ -z $missing ]]; then
			pass "$name: lists the ACPI tables $acpi_tables (at $(when "$log" "ACPI: RSDP 0x")s)"
		else
			fail "$name: ACPI tables not listed:$missing"
		fi
	elif logged "$log" "$no_rsdp" &&
		! logged "$log" "ACPI: RSDP 0x"; then
		pass "$name: finds no RSDP ('$no_rsdp')"
	else
		fail "$name: --acpi off, yet Linux did not say '$no_rsdp'"
	fi
	errors=$(text "$log" | grep -E "ACPI (BIOS )?(Error|Warning)" |
		grep -v -F "$no_rsdp" || true)
	if [[ -z $errors && $acpi == off ]]; then
		pass "$name: no other ACPI errors or warnings"
	elif [[ -z $errors ]]; then
		pass "$name: no ACPI errors or warnings"
	else
		fail "$name: ACPI errors or warnings:"
		sed 's/^/    /' <<<"$errors"
	fi
	check_cpus "$name" "$log" "$acpi" "$deep"
}

# check_cpus NAME LOG ACPI DEEP: the vCPUs kvmux gave, from the MADT (or
# with --acpi off from the MP table), and not from the other one.
check_cpus() {
	local name=$1 log=$2 acpi=$3 deep=$4 from=MADT
	local have="$madt_smp" other="Processors: "
	if [[ $acpi == off ]]; then
		from="MP table" have="Processors: $cpus" other="$madt_smp"
	fi
	if [[ $deep != 1 ]]; then
		if logged "$log" "smpboot: Allowing $cpus CPUs"; then
			echo "info: $name: reports $cpus CPUs"
		else
			echo "info: $name: stopped before reporting its CPUs"
		fi
	elif logged "$log" "$have" &&
		logged "$log" "smpboot: Allowing $cpus CPUs" &&
		! logged "$log" "$other"; then
		pass "$name: reports $cpus CPUs from the $from (at $(when "$log" "smpboot: Allowing")s)"
	else
		fail "$name: does not report $cpus CPUs from the $from ('$have', 'smpboot: Allowing $cpus CPUs', no '$other')"
	fi
}

# check_boot PATH MEM ACPI: boot the kernel through PATH (pvh: the vmlinux;
# bzimage: the bzImage) with MEM of RAM and kvmux --acpi ACPI, until it
# printed what is checked.
check_boot() {
	local path=$1 mem=$2 acpi=$3 name="$1-$2" image log marker ram rc t
	local want deep=0 sizes
	case $path in
	pvh) image=$cache/vmlinux sizes=$pvh_sizes ;;
	bzimage) image=$cache/bzImage sizes=$bzimage_sizes ;;
	esac
	[[ $mem == "${sizes%% *}" ]] && deep=1
	[[ $acpi == off ]] && name+="-acpi-off"
	log="$logdir/$name.log"
	want="$log.want"
	marker="kvmux_marker=$$_${RANDOM}_$mem"
	ram=$(size_bytes "$mem")
	want_lines "$path" "$ram" "$acpi" "$deep" >"$want"

	echo "== $name: $kvmux run --kernel $image --memory $mem --cpus $cpus --acpi $acpi"
	boot "$log" "$want" run --kernel "$image" --memory "$mem" \
		--cpus "$cpus" --acpi "$acpi" \
		--cmdline "console=ttyS0 earlyprintk=serial panic=-1 $marker"
	rc=$(cat "$log.rc")

	# 0. bzImage only: the decompressor stub ran and said so (its
	# "Decompressing Linux... " line is completed by "done." only after
	# the decompression, some 15-20 s later here: the start is checked).
	if [[ $path == bzimage ]]; then
		if logged "$log" "Decompressing Linux"; then
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
	local want_map got
	want_map=$(expected_e820 "$path" "$ram")
	got=$(text "$log" | grep -o 'BIOS-e820: \[mem [^]]*\] .*' |
		sed 's/[[:space:]]*$//' || true)
	if [[ -z $got ]]; then
		fail "$name: no 'BIOS-e820:' lines printed"
	elif [[ $got == "$want_map" ]]; then
		pass "$name: e820 map matches $mem ($(wc -l <<<"$got") entries, last at $(when "$log" "$(tail -n1 <<<"$want_map")")s)"
	else
		fail "$name: e820 map differs from the one for $mem"
		diff -u --label expected --label "printed by Linux" \
			<(echo "$want_map") <(echo "$got") | sed 's/^/    /' || true
	fi

	# 4. ACPI's tables (or none), no ACPI errors, and the vCPUs kvmux
	# gave, from the MADT or the MP table. Only the first size of a path
	# must get as far as the CPUs: at 4G Linux spends more than a minute
	# in its memory setup under the emulator first.
	check_acpi "$name" "$log" "$acpi" "$deep"

	# 5. It ended: by itself, or at once when told to (SIGTERM, 143);
	# how it ended is recorded.
	if [[ $rc == 137 ]]; then
		fail "$name: kvmux killed after $hard_limit s (it printed: $(tail -n 2 "$log" | tr '\n' ' '))"
	else
		pass "$name: boot ended after $(cat "$log.time")s, kvmux exit status $rc ($(status_name "$rc"))"
	fi
}

for mem in $pvh_sizes; do
	check_boot pvh "$mem" on
done
for mem in $bzimage_sizes; do
	check_boot bzimage "$mem" on
done
for path in $acpi_off_paths; do
	case $path in
	pvh) mem=${pvh_sizes%% *} ;;
	bzimage) mem=${bzimage_sizes%% *} ;;
	*) die "KVMUX_LINUX_ACPI_OFF_PATHS: unknown boot path '$path'" ;;
	esac
	if [[ -n $mem ]]; then
		check_boot "$path" "$mem" off
	fi
done

echo "$passed passed, $failed failed"
if ((failed)) || [[ ${KVMUX_LINUX_KEEP:-0} == 1 ]]; then
	echo "boot logs (timestamped): $logdir"
else
	rm -rf "$logdir"
fi
((failed == 0))
