# SPDX-License-Identifier: GPL-2.0-only
# The console on a real terminal: raw mode while the guest runs, the
# original mode back on every way out, Ctrl-A x, and signals.

# pty_run NAME KEYS WAIT_FOR ARGS...: kvmux on a pseudo-terminal.
pty_run() {
	local keys=$1 wait_for=$2
	shift 2
	OUT=$(python3 "$here/pty_run.py" "$keys" "$wait_for" 60 -- "$KVMUX" "$@")
	ERR=""
	STATUS=0
}
pty_status_is() { out_has "status: $1"; }

pty_run "" "" run --kernel "$FIRMWARE/exitcode.elf" --cmdline exit=7
check "tty: guest exit restores the terminal" all_of 'pty_status_is 7' \
	'out_has "terminal: restored"'
pty_run "\\x01x" "spin: forever" run --kernel "$FIRMWARE/spin.elf"
check "tty: Ctrl-A x stops the VM (130)" all_of 'pty_status_is 130' \
	'out_has "terminal: restored"' 'out_has "Ctrl-A x"'
pty_run "" "" run --kernel "$FIRMWARE/spin.elf" --timeout 1
check "tty: timeout restores the terminal" all_of 'pty_status_is 124' \
	'out_has "terminal: restored"'
head -c 4096 /dev/urandom >"$WORK/garbage"
pty_run "" "" run --kernel "$WORK/garbage"
check "tty: a bad image restores the terminal" all_of 'pty_status_is 126' \
	'out_has "terminal: restored"'
pty_run "" "" run --kernel "$FIRMWARE/reset.elf" --cmdline how=triple
check "tty: a reset restores the terminal" all_of 'pty_status_is 121' \
	'out_has "terminal: restored"'

# Signals: a clean teardown and the shell's 128+N status.
for sig in TERM INT HUP; do
	"$KVMUX" run --kernel "$FIRMWARE/spin.elf" >"$WORK/out" 2>"$WORK/err" \
		</dev/null &
	pid=$!
	wait_for_output "$WORK/out" "spin: forever" "$pid"
	kill -s "$sig" "$pid"
	STATUS=0
	timeout 10 tail --pid="$pid" -f /dev/null || STATUS=hung
	wait "$pid" || STATUS=$?
	OUT=$(cat "$WORK/out") ERR=$(cat "$WORK/err")
	check "SIG$sig stops the VM with 128+N" all_of \
		"status_is $((128 + $(kill -l "$sig")))" 'err_has "signal"'
done
