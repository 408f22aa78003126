#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Run the libFuzzer targets built in BINDIR (make fuzz, make fuzz-smoke;
# tests/fuzz/README.md).
#
#   run.sh [--smoke] [--seconds N] BINDIR [TARGET...]
#       --smoke: first every input of tests/fuzz/corpus/TARGET, one by one
#       (the regression set); then a fixed number of runs from a fixed
#       seed, from the tree's corpus only (the target's "smoke runs:"
#       line, else 50000; at most 3 x N seconds): the same code gives the
#       same result on every machine, so make test cannot flake.
#   run.sh [--seconds N] BINDIR [TARGET...]   each target fuzzes for N
#       seconds (default 180) from a random seed, from the tree's corpus
#       plus build-fuzz/corpus/TARGET, where what it finds stays.
#   run.sh --known BINDIR      the inputs of tests/fuzz/known/ (bugs not yet
#       fixed, KVMUX_FUZZ_STRICT=1): says which still fail; exits 0.
#   run.sh --merge BINDIR [TARGET...]   fold build-fuzz/corpus/TARGET into
#       the tree's corpus: inputs that add coverage, except those of known
#       bugs (the ones failing with KVMUX_FUZZ_STRICT=1).
#
# A crash, a failed check, a leak, a timeout (-timeout=10 s per input) or
# more than 2 GiB RSS fails the run: the input is saved in
# build-fuzz/artifacts/ and the script exits 1.  One line per target sums
# up runs and coverage (libFuzzer's cov: and ft:).
set -u
cd "$(dirname "$0")/../.." || exit 2

mode=fuzz
seconds=180
while [ $# -gt 0 ]; do
	case "$1" in
	--smoke) mode=smoke ;;
	--known) mode=known ;;
	--merge) mode=merge ;;
	--seconds)
		seconds=$2
		shift
		;;
	*) break ;;
	esac
	shift
done
if [ $# -lt 1 ]; then
	sed -n '3,20p' "$0" >&2
	exit 2
fi
bindir=$1
shift
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for src in tests/fuzz/fuzz_*.c; do
		t=${src#tests/fuzz/fuzz_}
		targets+=("${t%.c}")
	done
fi

out=build-fuzz
mkdir -p "$out/artifacts" "$out/logs"
failed=0

# The target's own libFuzzer flags: a "libFuzzer flags:" line in its source.
flags_of() {
	local t=$1
	local f=(-timeout=10 -rss_limit_mb=2048
		-artifact_prefix="$out/artifacts/$t-")
	[ -f "tests/fuzz/dict/$t.dict" ] && f+=(-dict="tests/fuzz/dict/$t.dict")
	# shellcheck disable=SC2207
	f+=($(sed -n 's/^ \* libFuzzer flags: //p' "tests/fuzz/fuzz_$t.c"))
	printf '%s\n' "${f[@]}"
}

fail() {
	local t=$1 log=$2 what=$3
	echo "fuzz: $t: FAILED ($what); log: $log"
	grep -E '^(fuzz: |SUMMARY|==[0-9]+==ERROR|artifact_prefix|Test unit)' \
		"$log" | head -n 8 | sed 's/^/    /'
	failed=1
}

# Every input of the tree's corpus, one by one.
regression() {
	local t=$1 n
	local log="$out/logs/$t.regression.log" files=()
	mapfile -t files < <(find "tests/fuzz/corpus/$t" -type f | sort)
	n=${#files[@]}
	if [ "$n" -eq 0 ]; then
		fail "$t" /dev/null "no corpus in tests/fuzz/corpus/$t"
		return
	fi
	if "$bindir/$t" "${flags[@]}" "${files[@]}" >"$log" 2>&1; then
		echo "fuzz: $t: $n corpus inputs pass"
	else
		fail "$t" "$log" "a corpus input"
	fi
}

# Fuzz T from the tree's corpus and WORK with libFuzzer's extra FLAGS.
fuzz() {
	local t=$1 work=$2 what=$3 summary
	local log="$out/logs/$t.log"
	shift 3
	mkdir -p "$work"
	if ! "$bindir/$t" "${flags[@]}" "$@" -print_final_stats=1 "$work" \
		"tests/fuzz/corpus/$t" >"$log" 2>&1; then
		fail "$t" "$log" "fuzzing"
		return
	fi
	summary=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1)
	echo "fuzz: $t: $what: $(sed -E \
		's/^#([0-9]+).*cov: ([0-9]+) ft: ([0-9]+) corp: ([0-9]+).*exec\/s: ([0-9]+).*/\1 runs (\5\/s), cov \2, ft \3, corpus \4/' \
		<<<"$summary")"
}

known() {
	local t=$1 f
	[ -d "tests/fuzz/known/$t" ] || return
	for f in "tests/fuzz/known/$t"/*; do
		[ -f "$f" ] || continue
		if KVMUX_FUZZ_STRICT=1 "$bindir/$t" "${flags[@]}" "$f" \
			>"$out/logs/$t.known.log" 2>&1; then
			echo "fuzz: $t: $f passes now: move it to tests/fuzz/corpus/$t"
		else
			echo "fuzz: $t: $f still fails: $(grep -m1 '^fuzz: ' \
				"$out/logs/$t.known.log")"
		fi
	done
}

# New inputs that add coverage go into the tree's corpus; those of known,
# unfixed bugs (failing with KVMUX_FUZZ_STRICT=1) stay out of it.
merge() {
	local t=$1 before after f
	local log="$out/logs/$t.merge.log" list="$out/logs/$t.merge.list"
	find "tests/fuzz/corpus/$t" -type f | sort >"$list"
	before=$(wc -l <"$list")
	mkdir -p "$out/corpus/$t"
	if ! "$bindir/$t" "${flags[@]}" -merge=1 "tests/fuzz/corpus/$t" \
		"$out/corpus/$t" >"$log" 2>&1; then
		fail "$t" "$log" "merge"
		return
	fi
	find "tests/fuzz/corpus/$t" -type f | sort | comm -13 "$list" - |
		while read -r f; do
			KVMUX_FUZZ_STRICT=1 "$bindir/$t" "${flags[@]}" "$f" \
				>/dev/null 2>&1 || rm "$f"
		done
	after=$(find "tests/fuzz/corpus/$t" -type f | wc -l)
	echo "fuzz: $t: corpus $before -> $after inputs"
}

for t in "${targets[@]}"; do
	if [ ! -x "$bindir/$t" ]; then
		fail "$t" /dev/null "no binary $bindir/$t"
		continue
	fi
	mapfile -t flags < <(flags_of "$t")
	case $mode in
	smoke)
		regression "$t"
		runs=$(sed -n 's/^ \* smoke runs: //p' "tests/fuzz/fuzz_$t.c")
		rm -rf "$out/smoke/$t"
		fuzz "$t" "$out/smoke/$t" "seed 1, ${runs:-50000} runs" \
			-seed=1 -runs="${runs:-50000}" \
			-max_total_time=$((3 * seconds))
		;;
	fuzz)
		fuzz "$t" "$out/corpus/$t" "$seconds s" \
			-max_total_time="$seconds"
		;;
	known) known "$t" ;;
	merge) merge "$t" ;;
	esac
done
[ "$mode" = known ] && exit 0
exit $failed
