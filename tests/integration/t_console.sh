# SPDX-License-Identifier: GPL-2.0-only
# Logs CI keeps and fail-fast patterns (issue 14): --console-log (a copy
# of the console, truncated or appended, one per VM with %n),
# --console-output -, --timestamps, the escape keys whatever the output,
# and --fail-on.  The guest is guest-firmware's say, which prints what
# its command line says (say=TEXT, %XX for a byte).

say="$FIRMWARE/say.elf"
flood="$FIRMWARE/flood.elf"
hello="$FIRMWARE/hello.elf"

# enc TEXT: TEXT as say= takes it.
enc() {
	python3 -c 'import sys, urllib.parse
print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"
}

# say_conf FILE NAME CMDLINE: a VM of a group running say.
say_conf() {
	printf '[vm]\nname = %s\nmemory = 32M\n[kernel]\npath = %s\ncmdline = %s\n' \
		"$2" "$say" "$3" >"$1"
}

# ---- --console-log: the same bytes as stdout ----
for dev in uart virtio; do
	args=(run --kernel "$flood" --timeout 60 --console-log "$WORK/tee.log")
	if [ "$dev" = virtio ]; then
		args+=(--console virtio --cmdline "dev=virtio lines=3000")
	else
		args+=(--cmdline "lines=300")
	fi
	kvmux_run "${args[@]}"
	check "log: --console-log holds exactly what stdout got ($dev, $(wc -c <"$WORK/tee.log") bytes)" \
		all_of 'status_is 0' 'out_has "flood: done"' \
		'cmp -s "$WORK/out" "$WORK/tee.log"'
done

# Truncated unless ,append; --console-output FILE follows the same rule.
for opt in --console-log --console-output; do
	for i in 1 2; do
		kvmux_run run --kernel "$say" --cmdline "say=run%20$i%0a" \
			"$opt" "$WORK/runs.txt"
	done
	check "log: $opt FILE is truncated: two runs leave the second's" \
		all_of 'status_is 0' '[ "$(cat "$WORK/runs.txt")" = "run 2" ]'
	kvmux_run run --kernel "$say" --cmdline "say=run%203%0a" \
		"$opt" "$WORK/runs.txt,append"
	check "log: $opt FILE,append keeps what was there" all_of \
		'status_is 0' \
		'[ "$(cat "$WORK/runs.txt")" = "$(printf "run 2\nrun 3")" ]'
	rm -f "$WORK/runs.txt"
done

# Truncated only when the VMs start: a run that fails before (not a
# kernel: 126; a KVM device that is not one: 125; in a group, one VM's
# bad kernel) leaves the last run's file as it was.  The next good run
# truncates it.
echo "not a kernel" >"$WORK/text.txt"
say_conf "$WORK/kg.conf" kg "say=good%0a"
say_conf "$WORK/kb.conf" kb "say=bad%0a"
sed -i "s|^path = .*|path = $WORK/text.txt|" "$WORK/kb.conf"
for opt in --console-log --console-output; do
	echo precious >"$WORK/keep.log"
	kvmux_run run --kernel "$WORK/text.txt" "$opt" "$WORK/keep.log"
	check "log: $opt FILE is kept when the kernel is refused (126)" \
		all_of 'status_is 126' '[ "$(cat "$WORK/keep.log")" = precious ]'
	kvmux_run run --kernel "$say" --kvm-device /dev/null \
		"$opt" "$WORK/keep.log"
	check "log: $opt FILE is kept when KVM cannot be used (125)" \
		all_of 'status_is 125' '[ "$(cat "$WORK/keep.log")" = precious ]'
	kvmux_run run "$WORK/kg.conf" "$WORK/kb.conf" --host-cpus 2 \
		"$opt" "$WORK/keep.log"
	check "log: a group's shared $opt FILE is kept when one VM's kernel is refused (126)" \
		all_of 'status_is 126' '[ "$(cat "$WORK/keep.log")" = precious ]'
	kvmux_run run --kernel "$say" --cmdline "say=new%0a" \
		"$opt" "$WORK/keep.log"
	check "log: ... and the next run that starts truncates it" all_of \
		'status_is 0' '[ "$(cat "$WORK/keep.log")" = new ]'
done
rm -f "$WORK/keep.log"

# One file, two VMs, only one of them appending: refused (126) rather
# than one VM's ,append ignored; the file is left as it was.
for key in output log; do
	say_conf "$WORK/ap.conf" ap "say=p%0a"
	say_conf "$WORK/aq.conf" aq "say=q%0a"
	printf '[console]\noutput = %s\n' "$WORK/shared.log" >>"$WORK/ap.conf"
	printf '[console]\n%s = %s,append\n' "$key" "$WORK/shared.log" \
		>>"$WORK/aq.conf"
	echo precious >"$WORK/shared.log"
	kvmux_run run "$WORK/ap.conf" "$WORK/aq.conf" --host-cpus 2
	check "log: one file, vm ap's output truncating it and vm aq's $key appending: 126" \
		all_of 'status_is 126' 'err_one_line' \
		'err_has "console file $WORK/shared.log: vm ap truncates it, vm aq appends to it (,append): give both the same"' \
		'[ "$(cat "$WORK/shared.log")" = precious ]'
done
sed -i "s|^output = .*|output = $WORK/shared.log,append|" "$WORK/ap.conf"
echo precious >"$WORK/shared.log"
kvmux_run run "$WORK/ap.conf" "$WORK/aq.conf" --host-cpus 2
check "log: ... both appending is one file appended to" all_of \
	'status_is 0' '[ "$(head -n 1 "$WORK/shared.log")" = precious ]' \
	'grep -qx "ap| p" "$WORK/shared.log"'
rm -f "$WORK/shared.log"

# A new log or output file gets 0666 less the umask, as a shell's ">"
# makes it (with umask 002: 664); --dump-dtb's file too.
for opt in --console-log --console-output --dump-dtb; do
	rm -f "$WORK/mode.out"
	STATUS=0
	(umask 002 && exec timeout -k 5 "$OUTER_TIMEOUT" "$KVMUX" run \
		--kernel "$say" --cmdline "say=x%0a" "$opt" "$WORK/mode.out") \
		>"$WORK/out" 2>"$WORK/err" </dev/null || STATUS=$?
	ERR=$(cat "$WORK/err")
	check "log: $opt makes its file with 0666 less the umask (664)" \
		all_of 'status_is 0' '[ "$(stat -c %a "$WORK/mode.out")" = 664 ]'
done
rm -f "$WORK/mode.out"

# A group: %n is the VM's name; without it one file, prefixed lines.
say_conf "$WORK/sa.conf" sa "say=$(enc "I am sa")%0a"
say_conf "$WORK/sb.conf" sb "say=$(enc "I am sb")%0a exit=5"
kvmux_run run "$WORK/sa.conf" "$WORK/sb.conf" --host-cpus 2 \
	--console-log "$WORK/%n.log"
check "log: %n gives each VM of a group its own file, without prefixes" \
	all_of 'status_is 5' '[ "$(cat "$WORK/sa.log")" = "I am sa" ]' \
	'[ "$(cat "$WORK/sb.log")" = "I am sb" ]' 'out_has "sb| I am sb"'
kvmux_run run "$WORK/sa.conf" "$WORK/sb.conf" --host-cpus 2 \
	--console-output none --console-log "$WORK/both.log" --timestamps
check "log: without %n a group shares one file, timed prefixed lines" \
	all_of 'status_is 5' '[ -z "$OUT" ]' \
	'[ "$(wc -l <"$WORK/both.log")" -eq 2 ]' \
	'grep -qE "^\[[ 0-9]{5}\.[0-9]{6}\] sa\| I am sa$" "$WORK/both.log"' \
	'grep -qE "^\[[ 0-9]{5}\.[0-9]{6}\] sb\| I am sb$" "$WORK/both.log"'

# A group whose stdout is a pipe (or a file) shares one output stream
# for it: a stream per VM on the same descriptor mixed lines in the
# middle.  Counted while the VMs run: a stream on a pipe writes through
# a non-blocking description of its own on that pipe, so kvmux holds
# the pipe twice (stdout and one stream's), not once per VM more.
for n in 1 2 3; do
	say_conf "$WORK/p$n.conf" "p$n" "say=up%0a spin=1"
done
rm -f "$WORK/piped.out"
timeout -k 5 "$OUTER_TIMEOUT" "$KVMUX" run "$WORK/p1.conf" "$WORK/p2.conf" \
	"$WORK/p3.conf" --host-cpus 2 --overcommit 1.5 --timeout 60 \
	2>"$WORK/err" </dev/null | cat >"$WORK/piped.out" &
pipeline=$!
holds=-1
for _ in $(seq 600); do
	[ "$(grep -c "| up" "$WORK/piped.out" 2>/dev/null)" -eq 3 ] && break
	sleep 0.1
done
pid=
for p in $(pgrep -x kvmux); do
	grep -qF "$WORK/p1.conf" /proc/"$p"/cmdline 2>/dev/null && pid=$p
done
if [ -n "$pid" ]; then
	stdout_pipe=$(readlink /proc/"$pid"/fd/1)
	holds=0
	for fd in /proc/"$pid"/fd/*; do
		[ "$(readlink "$fd")" = "$stdout_pipe" ] && holds=$((holds + 1))
	done
	kill -TERM "$pid"
fi
wait "$pipeline"
check "output: a group on a piped stdout shares one stream (the pipe held $holds times)" \
	all_of '[ "$holds" -eq 2 ]' \
	'[ "$(grep -c "| up" "$WORK/piped.out")" -eq 3 ]'

# --console-output - is stdout, not a file named "-".
pushd "$WORK" >/dev/null || exit 1
kvmux_run run --kernel "$hello" --console-output -
popd >/dev/null || exit 1
check "output: --console-output - is standard output" all_of 'status_is 0' \
	'out_has "Hello from the kvmux guest!"' '[ ! -e "$WORK/-" ]'

# The log may not be where the console goes already (nor truncate it).
kvmux_run run --kernel "$hello" --console-output "$WORK/o.txt" \
	--console-log "$WORK/o.txt"
check "log: the console's own file as its log is refused (126)" all_of \
	'status_is 126' 'err_has "the console goes there already"' \
	'err_one_line'
kvmux_run run --kernel "$hello" --console-log "$WORK/out"
check "log: stdout's own file as the log is refused (126)" all_of \
	'status_is 126' \
	'err_has "--console-log $WORK/out is the file of kvmux'"'"'s standard output"'

# ---- --timestamps ----
kvmux_run run --kernel "$hello" --console-log "$WORK/ts.log" --timestamps
check "timestamps: every line of the log starts with [SSSSS.UUUUUU], stdout has none" \
	all_of 'status_is 0' '[ -s "$WORK/ts.log" ]' \
	'! grep -qvE "^\[[ 0-9]{5}\.[0-9]{6}\] " "$WORK/ts.log"' \
	'[ "$(sed -E "s/^\[[ 0-9]{5}\.[0-9]{6}\] //" "$WORK/ts.log")" = "$OUT" ]' \
	'! grep -q "^\[" "$WORK/out"'
kvmux_run run --kernel "$hello" --console-output "$WORK/ts.txt" --timestamps
check "timestamps: --console-output FILE gets them too" all_of \
	'status_is 0' 'grep -qE "^\[[ 0-9]{5}\.[0-9]{6}\] pvm: " "$WORK/ts.txt"'

# ---- the escape keys on a terminal, whatever the output ----
# keys_run KEYS WAIT_FILE WAIT_FOR ARGS...: kvmux on a pseudo-terminal,
# KEYS typed once WAIT_FILE (the console's file) has WAIT_FOR.
keys_run() {
	local keys=$1 file=$2 wait_for=$3
	shift 3
	rm -f "$file"
	OUT=$(PTY_WAIT_FILE=$file python3 "$here/pty_run.py" "$keys" \
		"$wait_for" 60 -- "$KVMUX" "$@")
	ERR=""
	STATUS=0
}
pty_status_is() { out_has "status: $1"; }

keys_run "\\x01h\\x01x" "$WORK/keys.log" "spin: forever" run \
	--kernel "$FIRMWARE/spin.elf" --console-output none \
	--console-log "$WORK/keys.log"
check "keys: Ctrl-A h, then Ctrl-A x with --console-output none (130)" \
	all_of 'pty_status_is 130' 'out_has "console keys: Ctrl-A x stops"' \
	'out_has "stopped from the console (Ctrl-A x)"' \
	'! out_has "spin: forever"' 'out_has "terminal: restored"'
keys_run "\\x01x" "$WORK/keys.txt" "spin: forever" run \
	--kernel "$FIRMWARE/spin.elf" --console-output "$WORK/keys.txt"
check "keys: Ctrl-A x with --console-output FILE (130)" all_of \
	'pty_status_is 130' 'out_has "(Ctrl-A x)"' 'out_has "terminal: restored"'
keys_run "\\x03" "$WORK/keys.txt" "spin: forever" run \
	--kernel "$FIRMWARE/spin.elf" --console-output "$WORK/keys.txt"
check "keys: Ctrl-C is still SIGINT when the console is not on the terminal (130)" \
	all_of 'pty_status_is 130' 'out_has "signal 2"' \
	'out_has "terminal: restored"'
say_conf "$WORK/k1.conf" k1 "say=k1%20ready%0a spin=1"
say_conf "$WORK/k2.conf" k2 "spin=1"
keys_run "\\x01x" "$WORK/k1.log" "k1 ready" run "$WORK/k1.conf" \
	"$WORK/k2.conf" --host-cpus 2 --console-output none \
	--console-log "$WORK/%n.log"
check "keys: Ctrl-A x stops every VM of a group (130)" all_of \
	'pty_status_is 130' 'grep -q "^k1 .*130 signal" <<<"$OUT"' \
	'grep -q "^k2 .*130 signal" <<<"$OUT"' 'out_has "terminal: restored"'
OUT=$(python3 "$here/pty_run.py" "\\x01h\\x01x" "spin: forever" 60 -- \
	"$KVMUX" run --kernel "$FIRMWARE/spin.elf")
check "keys: Ctrl-A h on the guest's own terminal" all_of \
	'pty_status_is 130' 'out_has "Ctrl-A Ctrl-A sends Ctrl-A"'

# ---- --fail-on ----
panic_line="Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000009"
for dev in uart virtio; do
	args=(run --kernel "$say" --timeout 60 --fail-on linux)
	line="say=booting%0a$(enc "$panic_line")%0a spin=1"
	[ "$dev" = virtio ] && args+=(--console virtio) && line+=" dev=virtio"
	kvmux_run "${args[@]}" --cmdline "$line"
	check "fail-on: a kernel panic ends the run at once with 123, the line on stderr ($dev)" \
		all_of 'status_is 123' 'out_has "$panic_line"' \
		'err_has "matched: $panic_line"' 'err_one_line'
done

# Whole lines, however the console hands them over.
kvmux_run run --kernel "$say" --console virtio --timeout 60 \
	--fail-on '^FAILMARK here$' \
	--cmdline "say=ok%0aFAILMARK%20here%0a dev=virtio split=3 spin=1"
check "fail-on: a line sent in 3-byte pieces is matched whole (virtio)" \
	all_of 'status_is 123' 'err_has "matched: FAILMARK here"'
kvmux_run run --kernel "$say" --timeout 60 --fail-on '^FAILMARK here$' \
	--cmdline "say=ok%0d%0aFAILMARK%20here%0d%0a spin=1"
check "fail-on: \\r\\n lines from the UART are matched without their line end" \
	all_of 'status_is 123' 'err_has "matched: FAILMARK here"'

# A last line without its newline is matched when the console ends, and
# the match replaces the guest's own ending (its bytes came first).
for dev in uart virtio; do
	args=(run --kernel "$say" --timeout 60 --fail-on '^FAILMARK here$')
	[ "$dev" = virtio ] && args+=(--console virtio)
	kvmux_run "${args[@]}" --cmdline "say=ok%0aFAILMARK%20here exit=0 dev=$dev"
	check "fail-on: a last line without its newline is matched; 123, not the guest's 0 ($dev)" \
		all_of 'status_is 123' 'err_has "matched: FAILMARK here"' \
		'err_one_line' 'out_has "FAILMARK here"'
done

# kvmux's line after a guest's last line without its newline starts a line
# of its own when both go to one file (2>&1, a terminal), on either
# console; with stderr elsewhere, nothing is added.  The run is stopped
# (SIGTERM) once the guest's bytes are in the file, never by a timer: on a
# busy machine the guest may not have printed within any fixed time.  (If
# kvmux's line came out before the guest's bytes, it would pass wrongly,
# never fail wrongly.)
# partial_run DEV OUT [ERR]: say.elf printing "abc" on DEV, stdout to
# OUT, stderr to ERR (none: 2>&1; "by-path": stderr into a FIFO that cat
# copies to OUT, stdout to /dev/null, the console to --console-output
# /dev/stderr: a second description of stderr's pipe, as on a terminal;
# stderr's regular file is refused as a console file); stopped with
# SIGTERM.
partial_run() {
	local dev=$1 out=$2 err=${3:-} pid cat_pid=
	local args=(run --kernel "$say" --cmdline "say=abc spin=1 dev=$dev")
	[ "$dev" = virtio ] && args+=(--console virtio)
	rm -f "$out" "$WORK/err_fifo"
	if [ "$err" = by-path ]; then
		mkfifo "$WORK/err_fifo"
		cat "$WORK/err_fifo" >"$out" &
		cat_pid=$!
		"$KVMUX" "${args[@]}" --console-output /dev/stderr \
			>/dev/null 2>"$WORK/err_fifo" </dev/null &
	elif [ -n "$err" ]; then
		rm -f "$err"
		"$KVMUX" "${args[@]}" >"$out" 2>"$err" </dev/null &
	else
		"$KVMUX" "${args[@]}" >"$out" 2>&1 </dev/null &
	fi
	pid=$!
	wait_for_output "$out" abc "$pid" && kill -TERM "$pid"
	timeout "$OUTER_TIMEOUT" tail --pid="$pid" -f /dev/null || kill -9 "$pid"
	STATUS=0
	wait "$pid" || STATUS=$?
	[ -z "$cat_pid" ] || wait "$cat_pid" # kvmux's end is its end of file
}
for dev in uart virtio; do
	partial_run "$dev" "$WORK/both"
	check "a message after a guest's partial last line starts its own line on a shared file ($dev)" \
		all_of 'status_is 143' 'grep -qx "abc" "$WORK/both"' \
		'grep -q "^kvmux: vm: signal: " "$WORK/both"'
	partial_run "$dev" "$WORK/both" by-path
	check "the same, the console reaching stderr's file by a path ($dev)" \
		all_of 'status_is 143' 'grep -qx "abc" "$WORK/both"' \
		'grep -q "^kvmux: vm: signal: " "$WORK/both"'
	partial_run "$dev" "$WORK/out" "$WORK/err"
	OUT=$(cat "$WORK/out") ERR=$(cat "$WORK/err")
	check "the same, with stderr on its own file: nothing added ($dev)" \
		all_of 'status_is 143' '[ "$OUT" = abc ]' 'err_one_line' \
		'[ "${ERR#kvmux: vm: signal: }" != "$ERR" ]' \
		'[ "$(head -c 1 "$WORK/err")" = k ]'
done

# No match: the guest's own ending.
kvmux_run run --kernel "$say" --fail-on linux --fail-on '^FAILMARK' \
	--cmdline "say=$(enc "Linux version 6.1.0
Run /init as init process
not FAILMARK at the start")%0a exit=7"
check "fail-on: no line matches: the guest's own status (7)" all_of \
	'status_is 7' '! err_has "fail-on"'
# A test's own words are not the kernel's: the set's phrases start at a
# word boundary and end as Linux ends them.
kvmux_run run --kernel "$say" --fail-on linux --timeout 60 \
	--cmdline "say=$(enc "DEBUG: hello
ok 1 - test general protection fault handling")%0a exit=7"
check "fail-on linux: 'DEBUG: hello' and a test named for a #GP pass (7)" \
	all_of 'status_is 7' '! err_has "fail-on"' 'out_has "DEBUG: hello"'

# The Linux set, one line of each kind (tests/unit/test_line_match.c
# has them all).
for text in "BUG: kernel NULL pointer dereference, address: 0000000000000000" \
	"[    1.234567] Oops: 0000 [#1] SMP" \
	"general protection fault: 0000 [#1] PREEMPT SMP" \
	"[   1.234] BUG: unable to handle page fault for address: 0000000000000008" \
	"general protection fault, probably for non-canonical address 0xdffffc0000000001: 0000 [#1] SMP" \
	"BUG: KASAN: use-after-free in f+0x1/0x2" \
	"INFO: task init:1 blocked for more than 120 seconds."; do
	kvmux_run run --kernel "$say" --fail-on linux --timeout 60 \
		--cmdline "say=$(enc "$text")%0a spin=1"
	check "fail-on linux: '$text' (123)" all_of 'status_is 123' \
		'err_has "matched: $text"'
done

# A group: each VM is matched on its own.
say_conf "$WORK/fa.conf" fa "say=$(enc "BUG: soft lockup - CPU#0 stuck for 22s!")%0a spin=1"
say_conf "$WORK/fb.conf" fb "say=fine%0a exit=0"
kvmux_run run "$WORK/fa.conf" "$WORK/fb.conf" --host-cpus 2 --fail-on linux \
	--timeout 60
check "fail-on: in a group the VM that matched ends with 123, the other its own way" \
	all_of 'status_is 123' 'grep -q "^fa .*123 fail-on" <<<"$ERR"' \
	'grep -q "^fb .* 0 exit" <<<"$ERR"' 'out_has "fb| fine"'

# A bad pattern is one clear line, on the command line and in a file.
kvmux_run run --kernel "$hello" --fail-on 'a(b'
check "fail-on: a bad regular expression is refused (126)" all_of \
	'status_is 126' 'err_has "is not a regular expression"' \
	'err_one_line'
printf '[kernel]\npath = %s\n[console]\nfail-on = linux\nfail-on = [x\n' \
	"$hello" >"$WORK/badre.conf"
kvmux_run run "$WORK/badre.conf"
check "fail-on: ... and in a config file, with its line (126)" all_of \
	'status_is 126' 'err_has "badre.conf:5: [console] fail-on:"' \
	'err_one_line'

# A line that never ends: matched on its first 4 KiB, memory bounded,
# and the next line is matched again.  64 MiB through virtio, 20 KB
# through the UART.
# The bound is on what the line adds to the same run without it: a
# sanitizer's runtime (ThreadSanitizer's shadow memory) weighs more than
# kvmux itself.
if [ ! -x /usr/bin/time ]; then
	skip "fail-on: a 64 MiB line without a newline" "no /usr/bin/time (scripts/install-deps.sh installs time)"
else
	endless_run() {
		peak_rss run --kernel "$say" --console virtio --memory 32M \
			--console-output none --fail-on MARK --timeout 100 \
			--cmdline "dev=virtio $1say=MARK%0aMARK%20again%0a spin=1"
	}
	endless_run ""
	base_rss=$rss
	endless_run "endless=67108864 "
	check "fail-on: a 64 MiB line without a newline is not matched past 4 KiB (max RSS $rss KiB, $base_rss without it)" \
		all_of 'status_is 123' 'err_has "matched: MARK again"' \
		'[ "$rss" -lt $((base_rss + 8192)) ]'
fi
kvmux_run run --kernel "$say" --fail-on MARK --timeout 100 \
	--console-log "$WORK/endless.log" \
	--cmdline "endless=20000 say=MARK%0aMARK%20again%0a spin=1"
check "fail-on: ... nor a 20 KB one through the UART, which the log keeps whole" \
	all_of 'status_is 123' 'err_has "matched: MARK again"' \
	'[ "$(head -n 1 "$WORK/endless.log" | wc -c)" -eq 20005 ]'
