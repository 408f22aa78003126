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
