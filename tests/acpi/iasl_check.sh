#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Validate kvmux's ACPI tables with iasl (Debian: acpica-tools) itself.
#
#   tests/acpi/iasl_check.sh build/tests/acpi-dump
#
# For each platform variant (1 and 8 vCPUs, 0 and 8 disks, a virtio
# console or not, and the largest machine) acpi-dump writes the tables to
# files.  Each of XSDT, FACP, APIC and DSDT must disassemble (iasl -d)
# without an error or warning, the checksum iasl reports must be the one
# in the table and make the table sum to zero, and the disassembly must
# compile back (iasl, name optimisation off) without an error or warning
# into the same bytes after the header.  iasl 20200925 cannot disassemble
# an RSDP, so the RSDP is checked the other way round: its fields are
# written as a data-table source, and what iasl compiles from it (iasl
# computes both checksums itself) must equal kvmux's RSDP byte for byte.
set -u
dump=$(realpath "$1")
if ! command -v iasl >/dev/null; then
	echo "acpi-iasl: iasl is missing: apt-get install acpica-tools" \
		"(or scripts/install-deps.sh)"
	exit 1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/kvmux-iasl.XXXXXX")
trap 'rm -rf "$work"' EXIT
TABLES_GPA=0xf2040
passed=0
failures=()

fail() {
	failures+=("$variant: $*")
}

# le FILE OFFSET COUNT: the little-endian number there, in hex.
le() {
	od -An -tx1 -j"$2" -N"$3" "$1" | tr -d ' \n' |
		sed 's/../& /g' | tr ' ' '\n' | tac | tr -d '\n' | tr a-f A-F
}

byte_sum_ok() {
	[ "$(od -An -tu1 -v "$1" | tr -s ' ' '\n' |
		awk '{ s += $1 } END { print s % 256 }')" -eq 0 ]
}

# The checksum as the disassembly reports it.
reported_checksum() {
	sed -n -e 's/^ \*     Checksum *0x\([0-9A-F]*\).*/\1/p' \
		-e 's/^\[009h 0009   1\] *Checksum : \([0-9A-F]*\).*/\1/p' "$1"
}

check_table() {
	local t=$1 out rebuilt
	if ! out=$(cd "$dir" && iasl -d "$t.dat" 2>&1) ||
		grep -Eiq 'warning|error|incorrect|invalid' <<<"$out"; then
		fail "iasl -d $t: $(grep -Ei 'warning|error|incorrect|invalid' <<<"$out")"
		return
	fi
	if grep -Eiq 'incorrect|invalid|\*\*\*\*' "$dir/$t.dsl"; then
		fail "$t.dsl: $(grep -Ei 'incorrect|invalid|\*\*\*\*' "$dir/$t.dsl")"
		return
	fi
	if [ "$(reported_checksum "$dir/$t.dsl")" != "$(le "$dir/$t.dat" 9 1)" ] ||
		! byte_sum_ok "$dir/$t.dat"; then
		fail "$t: checksum $(le "$dir/$t.dat" 9 1), iasl reports $(reported_checksum "$dir/$t.dsl")"
		return
	fi
	out=$(iasl -on -p "$dir/rebuilt-$t" "$dir/$t.dsl" 2>&1)
	if ! grep -q ' 0 Errors, 0 Warnings' <<<"$out"; then
		fail "$t.dsl does not compile cleanly: $(grep -Ei 'error|warning' <<<"$out")"
		return
	fi
	rebuilt="$dir/rebuilt-$t.aml"
	if ! cmp -s <(tail -c +37 "$rebuilt") <(tail -c +37 "$dir/$t.dat"); then
		fail "$t: iasl compiles its disassembly into other bytes"
		return
	fi
	passed=$((passed + 1))
}

check_rsdp() {
	local f="$dir/rsdp.dat" out
	cat >"$dir/rsdp-src.asl" <<-SRC
		[0008]                          Signature : "RSD PTR "
		[0001]                           Checksum : 00
		[0006]                             Oem ID : "$(dd if="$f" bs=1 skip=9 count=6 2>/dev/null)"
		[0001]                           Revision : $(le "$f" 15 1)
		[0004]                       RSDT Address : $(le "$f" 16 4)
		[0004]                             Length : $(le "$f" 20 4)
		[0008]                       XSDT Address : $(le "$f" 24 8)
		[0001]                  Extended Checksum : 00
		[0003]                           Reserved : 000000
	SRC
	out=$(iasl -p "$dir/rsdp-iasl" "$dir/rsdp-src.asl" 2>&1)
	if ! grep -q ' 0 Errors, 0 Warnings' <<<"$out"; then
		fail "rsdp source does not compile: $out"
	elif ! cmp -s "$dir/rsdp-iasl.aml" "$f"; then
		fail "rsdp: iasl builds other bytes from the same fields"
	elif [ "$((0x$(le "$f" 24 8)))" -ne "$((TABLES_GPA))" ]; then
		fail "rsdp: XSDT address $(le "$f" 24 8), tables at $TABLES_GPA"
	else
		passed=$((passed + 1))
	fi
}

run_variant() {
	variant="$*"
	dir="$work/$(tr -c 'a-z0-9\n' '_' <<<"$variant")"
	mkdir -p "$dir"
	if ! "$dump" "$@" --at "$TABLES_GPA" "$dir"; then
		fail "acpi-dump failed"
		return
	fi
	check_rsdp
	for t in xsdt facp apic dsdt; do
		check_table "$t"
	done
}

for cpus in 1 8; do
	for disks in 0 8; do
		run_variant --cpus "$cpus" --disks "$disks"
		run_variant --cpus "$cpus" --disks "$disks" --virtio-console
	done
done
run_variant --cpus 254 --disks 8 --virtio-console
run_variant --cpus 2 --no-acpi-devices

for f in "${failures[@]}"; do
	echo "FAIL $f"
done
echo "acpi-iasl: $passed passed, ${#failures[@]} failed"
[ ${#failures[@]} -eq 0 ]
