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
pty_run "\\x01x" "ignoring it" run --kernel "$FIRMWARE/pwrbtn.elf" \
	--cmdline ignore=1 --timeout 1 --shutdown-grace 30
check "tty: Ctrl-A x in a shutdown grace says it cut the grace short (130)" \
	all_of 'pty_status_is 130' 'out_has "terminal: restored"' \
	'out_has "(Ctrl-A x); it cut short the shutdown grace that --timeout began"'
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

# Job control (pty_job.py: a shell that runs kvmux as its foreground
# job): while kvmux is stopped by SIGTSTP the terminal has the shell's
# mode; fg gives kvmux its own again; Ctrl-A x then ends the run.
# job_run HOW ARGS...: HOW is key (Ctrl-Z, where the terminal keeps its
# signal keys: the console goes to a file) or signal (kill -TSTP, as in
# raw mode, where Ctrl-Z is a key for the guest).
job_run() {
	local how=$1 file=
	shift
	if [ "$how" = key ]; then
		file="$WORK/job.out"
		rm -f "$file"
		set -- "$@" --console-output "$file"
	fi
	OUT=$(PTY_WAIT_FILE=$file python3 "$here/pty_job.py" "$how" \
		"spin: forever" 60 -- "$KVMUX" "$@")
	ERR=""
	STATUS=0
}
for how in key signal; do
	job_run "$how" run --kernel "$FIRMWARE/spin.elf"
	check "tty: a stop by SIGTSTP ($how) gives the shell its mode; fg gives kvmux its own" \
		all_of 'out_has "stopped by: 20"' \
		'out_has "mode while stopped: its own"' \
		"out_has \"mode after fg: kvmux's\"" 'pty_status_is 130' \
		'out_has "terminal: restored"'
done

# After bg (SIGCONT; the shell keeps the terminal) the terminal is the
# shell's: SIGTERM ends kvmux there (143) without setting the terminal's
# mode on its way out, which would stop it by SIGTTOU (a background job)
# before it could exit; and a line kvmux reads from the background stops
# it by SIGTTIN (the kernel's job control), after which fg, whose
# SIGCONT is all kvmux hears, gives kvmux its mode back all the same.
for how in key signal; do
	PTY_JOB_THEN=term job_run "$how" run --kernel "$FIRMWARE/spin.elf"
	check "tty: after a stop by SIGTSTP ($how) and bg, SIGTERM ends kvmux (143) and leaves the terminal alone" \
		all_of 'out_has "status after bg: exited 143"' \
		'out_has "terminal: restored"'
	PTY_JOB_THEN=fg job_run "$how" run --kernel "$FIRMWARE/spin.elf"
	check "tty: after a stop by SIGTSTP ($how) and bg, fg without a signal gives kvmux its mode" \
		all_of 'out_has "bg"' "out_has \"mode after fg: kvmux's\"" \
		'pty_status_is 130' 'out_has "terminal: restored"'
	PTY_JOB_THEN=read job_run "$how" run --kernel "$FIRMWARE/spin.elf"
	check "tty: after bg, a stop by SIGTTIN ($how), then fg gives kvmux its mode" \
		all_of 'out_has "stopped in bg by: stopped 21"' \
		"out_has \"mode after fg: kvmux's\"" 'pty_status_is 130' \
		'out_has "terminal: restored"'
done

# Signals: a clean teardown and the shell's 128+N status.
# signal_run IGNORED SIG...: spin.elf with the signals IGNORED ignored
# from the start (as bash does for a script's background jobs, or nohup),
# then each SIG sent in turn once it runs.
# The dispositions are set with env(1), not trap: a shell cannot undo a
# signal it was started with ignored (a test run under nohup).
signal_run() {
	local ignored=$1 sig
	shift
	rm -f "$WORK/out" # the old one must not satisfy wait_for_output
	env --default-signal=HUP,INT,QUIT,TERM \
		${ignored:+--ignore-signal=${ignored// /,}} \
		"$KVMUX" run --kernel "$FIRMWARE/spin.elf" \
		>"$WORK/out" 2>"$WORK/err" </dev/null &
	pid=$!
	wait_for_output "$WORK/out" "spin: forever" "$pid"
	for sig in "$@"; do
		kill -s "$sig" "$pid"
	done
	STATUS=0
	timeout 10 tail --pid="$pid" -f /dev/null || kill -9 "$pid"
	wait "$pid" || STATUS=$?
	OUT=$(cat "$WORK/out") ERR=$(cat "$WORK/err")
}
# USR1, USR2 and ALRM too: caught, not left to their default action (an
# end without a word or a result) nor taken for kvmux's own vCPU kick.
for sig in TERM INT HUP USR1 USR2 ALRM; do
	signal_run "" "$sig"
	check "SIG$sig stops the VM with 128+N" all_of \
		"status_is $((128 + $(kill -l "$sig")))" 'err_has "signal"'
done
# Two at once (as a second Ctrl-C): the first decides, and kvmux still
# says why the run ended, though the second cuts the console's grace.
signal_run "" INT TERM
check "two signals at once: the first one's status and line" \
	all_of 'status_is 130' 'err_has "signal 2"'
signal_run "INT QUIT" INT
check "SIGINT stops a run that started with it ignored (a background job)" \
	all_of 'status_is 130' 'err_has "signal"'
# HUP comes first off the queue: were it not ignored, the status is 129.
signal_run HUP HUP TERM
check "SIGHUP ignored from the start stays ignored (nohup)" \
	all_of 'status_is 143' 'err_has "signal"'
# So do the others that a caller ignores (but INT, QUIT and TERM).
signal_run "USR2 ALRM" USR2 ALRM TERM
check "SIGUSR2 and SIGALRM ignored from the start stay ignored" \
	all_of 'status_is 143' 'err_has "signal 15"'

# A signal that comes while kvmux starts, before any file, thread or
# helper exists, waits for the run and stops it properly: the test build
# holds at its start (signals blocked) while $KVMUX_TEST_START_GATE, a
# FIFO, has a writer.  SIGINT ignored from the start, as in a background
# job: a blocked signal is queued all the same.
# sigblk_has PID SIG: is SIG in the thread's blocked set?
sigblk_has() {
	local mask
	mask=$(awk '/^SigBlk:/ { print $2 }' "/proc/$1/status" 2>/dev/null)
	[ -n "$mask" ] && (((0x$mask >> ($(kill -l "$2") - 1)) & 1))
}
# holds PID FILE: has the process FILE open?  kvmux opens the gate after
# it blocked the signals: closing the gate's last writer before that
# open would leave the open waiting for a writer forever (a loaded host
# once let the test get there first).
holds() {
	local fd
	for fd in /proc/"$1"/fd/*; do
		[ "$(readlink "$fd" 2>/dev/null)" = "$2" ] && return 0
	done
	return 1
}
if [ -x "${KVMUX_TEST_BUILD:-}" ]; then
	rm -f "$WORK/gate" "$WORK/result.json"
	mkfifo "$WORK/gate"
	exec 8<>"$WORK/gate" # a writer: kvmux waits until it closes
	env --default-signal=HUP,INT,QUIT,TERM --ignore-signal=INT \
		KVMUX_TEST_START_GATE="$WORK/gate" "$KVMUX_TEST_BUILD" run \
		--kernel "$FIRMWARE/spin.elf" --result "$WORK/result.json" \
		>"$WORK/out" 2>"$WORK/err" </dev/null &
	pid=$!
	deadline=$((SECONDS + OUTER_TIMEOUT))
	while ! { sigblk_has "$pid" INT && holds "$pid" "$(readlink -f "$WORK/gate")"; } &&
		kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
		sleep 0.05
	done
	kill -s INT "$pid"
	exec 8>&-
	STATUS=0
	timeout "$OUTER_TIMEOUT" tail --pid="$pid" -f /dev/null || kill -9 "$pid"
	wait "$pid" || STATUS=$?
	OUT=$(cat "$WORK/out") ERR=$(cat "$WORK/err")
	check "a signal while kvmux starts stops the run once it runs, with its result (130)" \
		all_of 'status_is 130' 'err_has "signal 2"' \
		'grep -q "\"reason\": *\"signal\"" "$WORK/result.json"' \
		'! ls -A "$WORK" | grep -q "^\.kvmux-"'
else
	skip "signals while kvmux starts" "set KVMUX_TEST_BUILD (make integration does)"
fi
