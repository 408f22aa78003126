#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Run every cmocka unit-test binary given as an argument and sum up the
# results in one closing line ("N passed, N failed") that CI can read.
# A binary that hangs is stopped after UNIT_TIMEOUT seconds and fails.
set -u
UNIT_TIMEOUT=${UNIT_TIMEOUT:-600}
passed=0
failed=0
for bin in "$@"; do
	if out=$(timeout -k 5 "$UNIT_TIMEOUT" "$bin" 2>&1); then
		status=0
	else
		status=$?
	fi
	printf '%s\n' "$out"
	n_pass=$(printf '%s\n' "$out" | grep -c '^\[       OK \]' || true)
	n_fail=$(printf '%s\n' "$out" | grep -c '^\[  FAILED  \] [a-z_]' || true)
	passed=$((passed + n_pass))
	failed=$((failed + n_fail))
	if [ "$status" -ne 0 ] && [ "$n_fail" -eq 0 ]; then
		echo "unit: $bin exited with status $status"
		failed=$((failed + 1))
	fi
done
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
