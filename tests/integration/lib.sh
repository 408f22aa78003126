# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the integration tests: run the real kvmux binary on the real
# /dev/kvm, capture its output and status, and record named checks.
#
# Every kvmux run is bounded by an outer timeout(1), so a hung kvmux fails
# its test instead of hanging the suite.

: "${KVMUX:?set KVMUX to the kvmux binary}"
: "${FIRMWARE:?set FIRMWARE to the guest-firmware build directory}"
KVMUX=$(realpath "$KVMUX")
FIRMWARE=$(realpath "$FIRMWARE")
OUTER_TIMEOUT=${OUTER_TIMEOUT:-120}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kvmux-it.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

PASSED=0
FAILED=0
FAILURES=()

# kvmux_run ARGS...: runs kvmux; sets $OUT, $ERR (file contents) and $STATUS.
kvmux_run() {
	local status=0
	timeout -k 5 "$OUTER_TIMEOUT" "$KVMUX" "$@" \
		>"$WORK/out" 2>"$WORK/err" </dev/null || status=$?
	OUT=$(cat "$WORK/out")
	ERR=$(cat "$WORK/err")
	STATUS=$status
}

# test_build_run ARGS...: kvmux_run with the test build
# ($KVMUX_TEST_BUILD), whose hooks a caller sets in the environment
# (KVMUX_TEST_...=1 test_build_run run ...).
test_build_run() {
	local KVMUX=$KVMUX_TEST_BUILD
	kvmux_run "$@"
}

# run_pid PID: the process that `timeout` (PID) runs: kvmux's own, whose
# threads a test looks at (PID itself if it has no child).
run_pid() {
	pgrep -P "$1" | head -n 1 | grep . || echo "$1"
}

# wait_for_output FILE TEXT PID: wait until FILE has TEXT (or PID ended, or
# the outer timeout passed).  Tests act on what the guest said, never on a
# guess of how long it takes: a busy machine can be slow by seconds.
# FILE must be new: remove it before starting PID, whose redirection may
# run after this starts reading.
wait_for_output() {
	local file=$1 text=$2 pid=$3 deadline=$((SECONDS + OUTER_TIMEOUT))
	while ! grep -qF -- "$text" "$file" 2>/dev/null; do
		kill -0 "$pid" 2>/dev/null || return 1
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.05
	done
}

# check NAME CONDITION-COMMAND...: records PASS or FAIL for NAME.
check() {
	local name=$1
	shift
	if "$@"; then
		PASSED=$((PASSED + 1))
		echo "PASS $name"
	else
		FAILED=$((FAILED + 1))
		FAILURES+=("$name")
		echo "FAIL $name"
		echo "  status: $STATUS"
		echo "  stdout: $(printf '%s' "$OUT" | head -c 600)"
		echo "  stderr: $(printf '%s' "$ERR" | head -c 600)"
	fi
}

# skip NAME REASON: a check that cannot run here, said aloud.
skip() {
	echo "SKIP $1: $2"
}

# peak_rss ARGS...: kvmux ARGS under GNU time (/usr/bin/time, the time
# package: check it is there first); sets STATUS, OUT, ERR and rss, the
# peak RSS in KiB.  GNU time puts "Command exited with non-zero status
# N" before the figure when the status is not 0: the figure is the last
# line.
peak_rss() {
	STATUS=0
	timeout -k 5 "$OUTER_TIMEOUT" /usr/bin/time -f %M -o "$WORK/rss" \
		"$KVMUX" "$@" >"$WORK/out" 2>"$WORK/err" </dev/null || STATUS=$?
	OUT=$(cat "$WORK/out") ERR=$(cat "$WORK/err")
	rss=$(tail -n 1 "$WORK/rss")
}

# The directory of this shell's cgroup of the v1 cpu controller, as
# kvmux finds its own (empty if there is none).
cgroup_cpu_dir() {
	local mount path
	mount=$(awk '{ split($0, a, " - "); split(a[2], b, " ");
		if (b[1] == "cgroup" && b[3] ~ /(^|,)cpu(,|$)/) { print $4, $5; exit } }' \
		/proc/self/mountinfo)
	path=$(awk -F: '$2 ~ /(^|,)cpu(,|$)/ { print $3; exit }' /proc/self/cgroup)
	[ -n "$mount" ] || return 0
	set -- $mount
	[ "$1" != / ] && path=${path#"$1"}
	echo "$2$path"
}

# Can kvmux make cgroups of the v1 cpu controller here (root, cgroup v1)?
cgroup_cpu_writable() {
	local dir
	dir=$(cgroup_cpu_dir)
	[ -n "$dir" ] && [ "$(id -u)" -eq 0 ] && [ -w "$dir" ]
}

# The cgroup of the run of kvmux process $1 (of this PID namespace):
# kvmux.<inode of the PID namespace>.<pid>.
run_cgroup() {
	echo "$(cgroup_cpu_dir)/kvmux.$(stat -L -c %i /proc/self/ns/pid).$1"
}

# Run cgroups that ended kvmux processes of this PID namespace left
# behind (those of running ones, of other tests say, do not count; nor
# do old kvmux.<pid> names, which kvmux no longer removes).
cgroup_cpu_runs() {
	local dir run
	dir=$(cgroup_cpu_dir)
	[ -n "$dir" ] || return 0
	for run in "$dir"/kvmux."$(stat -L -c %i /proc/self/ns/pid)".*; do
		[ -d "$run" ] && ! kill -0 "${run##*.}" 2>/dev/null && echo "$run"
	done
	return 0
}

status_is() { [ "$STATUS" -eq "$1" ]; }
out_has() { grep -qF -- "$1" <<<"$OUT"; }
err_has() { grep -qF -- "$1" <<<"$ERR"; }
# Exactly one line on stderr: the one clear error.
err_one_line() { [ "$(printf '%s\n' "$ERR" | grep -c .)" -eq 1 ]; }
all_of() {
	local cond
	for cond in "$@"; do
		eval "$cond" || return 1
	done
}

summary() {
	echo "integration: $PASSED passed, $FAILED failed"
	if [ "$FAILED" -ne 0 ]; then
		printf 'failed: %s\n' "${FAILURES[@]}"
		return 1
	fi
}
