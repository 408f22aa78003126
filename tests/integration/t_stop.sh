# SPDX-License-Identifier: GPL-2.0-only
# The stop path and the console's host side (docs/exit-status.md, "How a
# run ends"): no guest and no reader or file can make a run outlast its
# --timeout or ignore a signal, and console bytes are never dropped
# silently.
#
# No check is about time: a reader that never reads would hold a stop
# that waited for it for ever, so a run that ends at all (before the
# outer hang bound, OUTER_TIMEOUT, after which it is killed and counts as
# hung, status 999) with the right status did not wait for it.  The
# elapsed time is shown in the check's name, for the eye; bench/ measures
# how long a stop takes.

flood="$FIRMWARE/flood.elf"

# stuck_start ARGS...: kvmux with its stdout in a pipe that is never read
# (tests/integration/stuck_reader.py holds it), in the background.
stuck_start() {
	rm -f "$WORK/stuck.fifo" "$WORK/stuck.ready" "$WORK/stuck.pid"
	mkfifo "$WORK/stuck.fifo"
	python3 "$here/stuck_reader.py" "$WORK/stuck.fifo" "$WORK/stuck.ready" \
		"$WORK/stuck.pid" &
	READER=$!
	START_NS=$(date +%s%N)
	"$KVMUX" "$@" >"$WORK/stuck.fifo" 2>"$WORK/err" </dev/null &
	PID=$!
	echo "$PID" >"$WORK/stuck.pid"
}

# Wait until the reader saw the pipe fill up (kvmux is blocked on it).
stuck_wait_full() {
	local deadline=$((SECONDS + OUTER_TIMEOUT))
	while [ ! -e "$WORK/stuck.ready" ] && kill -0 "$PID" 2>/dev/null &&
		[ "$SECONDS" -lt "$deadline" ]; do
		sleep 0.05
	done
}

# Wait for kvmux (at most OUTER_TIMEOUT, then it is killed and "hung"):
# sets STATUS, ERR and ELAPSED_MS (from START_NS).
stuck_finish() {
	local deadline=$((SECONDS + OUTER_TIMEOUT))
	while kill -0 "$PID" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
		sleep 0.05
	done
	ELAPSED_MS=$((($(date +%s%N) - START_NS) / 1000000))
	STATUS=0
	if kill -0 "$PID" 2>/dev/null; then
		kill -9 "$PID"
		wait "$PID" 2>/dev/null
		STATUS=999 # hung
	else
		wait "$PID" || STATUS=$?
	fi
	kill "$READER" 2>/dev/null
	wait "$READER" 2>/dev/null
	OUT="" ERR=$(cat "$WORK/err")
}

for dev in uart virtio; do
	args=(run --kernel "$flood")
	[ "$dev" = virtio ] && args+=(--console virtio --cmdline dev=virtio)
	stuck_start "${args[@]}" --timeout 2
	stuck_finish
	check "stop: --timeout 2 with a reader that never reads ($dev): 124 in ${ELAPSED_MS} ms" \
		all_of 'status_is 124' 'err_has "--timeout"'

	stuck_start "${args[@]}"
	stuck_wait_full
	START_NS=$(date +%s%N)
	kill -TERM "$PID"
	stuck_finish
	check "stop: SIGTERM with a reader that never reads ($dev): 143 in ${ELAPSED_MS} ms, the rest counted" \
		all_of 'status_is 143' 'err_has "signal 15"' \
		'err_has "could not be delivered"'
done

# A group: one VM's console blocks stdout; the other's --timeout still
# ends it first, and the run ends.
vm_conf() {
	printf '[vm]\nname = %s\nmemory = 32M\ntimeout = %s\n[kernel]\npath = %s\ncmdline = %s\n' \
		"$2" "$3" "$4" "$5" >"$1"
}
vm_conf "$WORK/loud.conf" loud 4 "$flood" ""
vm_conf "$WORK/quiet.conf" quiet 2 "$FIRMWARE/spin.elf" ""
stuck_start run "$WORK/loud.conf" "$WORK/quiet.conf" --host-cpus 2
stuck_finish
wall() { awk -v vm="$1" '$1 == vm { print $4 }' <<<"$ERR"; }
check "stop: a group with a stuck stdout: each --timeout on its own (quiet $(wall quiet) s, loud $(wall loud) s; all in ${ELAPSED_MS} ms)" \
	all_of 'status_is 124' \
	'awk -v q="$(wall quiet)" -v l="$(wall loud)" "BEGIN { exit !(q != \"\" && q < l) }"'

# A held virtio-console request that names guest RAM many times over
# (128 buffers of 200 MiB, 25 GiB), with a log (the sink then looks at
# every byte): at the stop only what a stream can keep of it (1 MiB) is
# handed over, the rest counted lost in the device, so the end does not
# wait for all of it to be looked at (it did: seconds here, minutes
# with 4 GiB of RAM).  Every byte is in bytes or lost.
stuck_start run --kernel "$FIRMWARE/big_request.elf" --console virtio \
	--memory 256M --console-log /dev/null --timeout 2 \
	--result "$WORK/big.json"
stuck_finish
big_console() {
	python3 -c 'import json, sys
c = json.load(open(sys.argv[1]))["vms"][0]["console"]
print(c["lost"], c["bytes"])' "$WORK/big.json"
}
BIG=$(big_console) || BIG="none"
big=$((128 * 200 * 1048576))
check "stop: a held request of 25 GiB: 1 MiB of it handed over, the rest counted in the device (lost, bytes: $BIG; ${ELAPSED_MS} ms)" \
	all_of 'status_is 124' 'err_has "could not be delivered"' \
	'[ "${BIG% *}" -ge $((big - 2 * 1048576)) ]' \
	'[ $((${BIG% *} + ${BIG#* })) -eq "$big" ]'

# The parent left stdout non-blocking: all of a 320 KB burst arrives.
STATUS=0
OUT=$(python3 "$here/flood_check.py" nonblock 5000 -- "$KVMUX" run \
	--kernel "$flood" --console virtio --cmdline "dev=virtio lines=5000" \
	--timeout 60 2>"$WORK/err") || STATUS=$?
ERR=$(cat "$WORK/err")
check "console: a non-blocking stdout loses nothing (5000 lines, 320 KB)" \
	all_of 'status_is 0' 'out_has "lines - 5000"'

# A reader that reads only once the run stops (--timeout) gets all that
# was held back, what the console device held at the stop included (a
# virtio-console request, the UART's FIFO): every line in order, whole
# but for the UART's last (the stop may cut the guest's line), and no
# byte counted lost.  The pipe holds a page, so a UART fills it and
# kvmux's buffer within its --timeout (on a slow host it may not: then
# nothing is held, and the checks still hold).
for dev in virtio uart; do
	args=(--kernel "$flood" --timeout 2)
	[ "$dev" = virtio ] && args+=(--console virtio --cmdline dev=virtio)
	[ "$dev" = uart ] && args=(--kernel "$flood" --timeout 4)
	STATUS=0
	OUT=$(python3 "$here/flood_check.py" late - 64 -- "$KVMUX" run \
		"${args[@]}") || STATUS=$?
	want_cut='out_has "cut - no"'
	[ "$dev" = uart ] && want_cut=true
	check "console: a reader that starts at the stop gets what the device held ($dev, $(grep '^lines' <<<"$OUT"))" \
		all_of 'status_is 124' 'out_has "lines - "' "$want_cut" \
		'! out_has "could not be delivered"'
done
for n in a b; do
	vm_conf "$WORK/$n.conf" "$n" 3 "$flood" "dev=virtio"
	printf '[console]\ndevice = virtio\n' >>"$WORK/$n.conf"
done
STATUS=0
OUT=$(python3 "$here/flood_check.py" late a,b 64 -- "$KVMUX" run \
	"$WORK/a.conf" "$WORK/b.conf" --host-cpus 2) || STATUS=$?
check "console: ... and so does each VM of a group sharing stdout ($(grep '^lines' <<<"$OUT" | tr '\n' ' '))" \
	all_of 'status_is 124' 'out_has "cut a no"' 'out_has "cut b no"' \
	'! out_has "could not be delivered"'
# A request of 512 KiB, held, with a log too: what the device hands over
# goes to stdout's overflow a span at a time, which grows past what its
# first allocation held (a realloc() there was an mremap(2), which the
# seccomp filter forbids: kvmux ended with 159).  Every line reaches
# stdout and the log.
rm -f "$WORK/flood.log"
STATUS=0
OUT=$(python3 "$here/flood_check.py" late - 64 -- "$KVMUX" run \
	--kernel "$flood" --timeout 2 --console virtio \
	--cmdline "dev=virtio chunk=524288" \
	--console-log "$WORK/flood.log") || STATUS=$?
LOG=$(python3 "$here/flood_check.py" check <"$WORK/flood.log") || true
check "console: ... also a large request, with a log ($(grep '^lines' <<<"$OUT"), log $LOG)" \
	all_of 'status_is 124' 'out_has "cut - no"' \
	'! out_has "could not be delivered"' \
	'[ "$LOG" = "$(grep "^lines" <<<"$OUT")" ]'

# The reader goes away: the run ends as a Unix filter would.
"$KVMUX" run --kernel "$flood" --timeout 60 2>"$WORK/err" </dev/null |
	head -1 >"$WORK/out"
STATUS=${PIPESTATUS[0]} OUT=$(cat "$WORK/out") ERR=$(cat "$WORK/err")
check "console: the reader goes away (| head -1): 141" \
	all_of 'status_is 141' 'out_has "flood 00000000"' 'err_has "EPIPE"'

# Input: more than the devices hold, from a pipe and from a file.
for i in $(seq 4000); do
	printf 'line %05d %s\n' "$i" xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
done >"$WORK/in200k"
echo quit >>"$WORK/in200k"
STATUS=0
OUT=$(timeout -k 5 "$OUTER_TIMEOUT" "$KVMUX" run --kernel "$FIRMWARE/console.elf" \
	--console virtio --timeout 60 <"$WORK/in200k" 2>"$WORK/err") || STATUS=$?
ERR=$(cat "$WORK/err")
check "console input: 192 KB from a file, all echoed (virtio)" \
	all_of 'status_is 0' '[ "$(grep -c "^echo: " <<<"$OUT")" -eq 4001 ]'
STATUS=0
OUT=$(cat "$WORK/in200k" | timeout -k 5 "$OUTER_TIMEOUT" "$KVMUX" run \
	--kernel "$FIRMWARE/console.elf" --console virtio --timeout 60 \
	2>"$WORK/err") || STATUS=$?
ERR=$(cat "$WORK/err")
check "console input: 192 KB from a pipe, all echoed (virtio)" \
	all_of 'status_is 0' '[ "$(grep -c "^echo: " <<<"$OUT")" -eq 4001 ]'
head -n 1000 "$WORK/in200k" >"$WORK/in-uart"
echo quit >>"$WORK/in-uart"
STATUS=0
OUT=$(cat "$WORK/in-uart" | timeout -k 5 "$OUTER_TIMEOUT" "$KVMUX" run \
	--kernel "$FIRMWARE/echo.elf" --timeout 100 2>"$WORK/err") || STATUS=$?
ERR=$(cat "$WORK/err")
check "console input: 48 KB from a pipe through the UART, all echoed" \
	all_of 'status_is 0' 'out_has "echo: bye 1001 lines 48005 bytes"'

# Files that would block or never end are refused at once.
mkfifo "$WORK/fifo"
expect_fifo() {
	kvmux_run "$@"
	check "files: a FIFO as $1 is refused" all_of 'status_is 126' \
		'err_has "is a FIFO"' 'err_one_line'
}
kvmux_run run --kernel "$WORK/fifo"
check "files: a FIFO as the kernel is refused (126)" all_of 'status_is 126' \
	'err_has "is a FIFO"' 'err_one_line'
kvmux_run run --kernel "$FIRMWARE/hello.elf" --initrd "$WORK/fifo"
check "files: a FIFO as the initrd is refused (126)" all_of 'status_is 126' \
	'err_has "is a FIFO"' 'err_one_line'
kvmux_run run /dev/zero
check "files: /dev/zero as a config file is refused (126)" all_of \
	'status_is 126' 'err_has "character device"' 'err_one_line'
kvmux_run plan /dev/zero
check "files: kvmux plan /dev/zero is refused (126)" all_of \
	'status_is 126' 'err_has "character device"'
truncate -s 1G "$WORK/big.conf"
kvmux_run run "$WORK/big.conf"
check "files: a 1 GiB file as a config file is refused (126)" all_of \
	'status_is 126' 'err_has "big.conf:1"' 'err_one_line'
if [ -x /usr/bin/time ]; then
	STATUS=0
	/usr/bin/time -f %M -o "$WORK/rss" "$KVMUX" run "$WORK/big.conf" \
		>/dev/null 2>&1 || STATUS=$?
	rss=$(tail -n 1 "$WORK/rss")
	check "files: ... having read only its first line (max RSS $rss KiB)" \
		test "$rss" -lt 65536
fi

# A FIFO as console output waits for its reader, and only while signals
# and --timeout still work.
rm -f "$WORK/err" # an old one must not satisfy wait_for_output
"$KVMUX" run --kernel "$FIRMWARE/hello.elf" --console-output "$WORK/fifo" \
	>"$WORK/out" 2>"$WORK/err" </dev/null &
PID=$!
wait_for_output "$WORK/err" "waiting for one" "$PID"
kill -TERM "$PID"
STATUS=0
timeout 30 tail --pid="$PID" -f /dev/null || STATUS=hung
wait "$PID" || STATUS=$?
ERR=$(cat "$WORK/err")
check "files: a FIFO without a reader as console output; SIGTERM ends the wait (143)" \
	all_of 'status_is 143' 'err_has "stopped by signal 15 while waiting"'
# SIGTSTP stops kvmux in that wait at once (Ctrl-Z, bg, then start the
# reader), as its default action: the loop that reads it later does not
# run yet.  Continued with a reader there, the VM runs.
OUT=$(timeout 60 python3 "$here/fifo_job_stop.py" "$WORK/fifo" \
	"$WORK/err" -- "$KVMUX" run --kernel "$FIRMWARE/hello.elf" \
	--console-output "$WORK/fifo" --timeout 60)
ERR=$(cat "$WORK/err")
STATUS=0
check "files: ... SIGTSTP stops kvmux in the wait; continued with a reader, the VM runs (0)" \
	all_of 'out_has "stopped by: 20"' 'out_has "status: 0"' \
	'out_has "Hello from"'
kvmux_run run --kernel "$FIRMWARE/hello.elf" --console-output "$WORK/fifo" \
	--timeout 1
check "files: ... and --timeout ends it (124)" all_of 'status_is 124' \
	'err_has "--timeout expired while waiting"'
cat "$WORK/fifo" >"$WORK/fifo.out" &
kvmux_run run --kernel "$FIRMWARE/hello.elf" --console-output "$WORK/fifo" \
	--timeout 30
wait
check "files: ... and with a reader it is written (0)" all_of 'status_is 0' \
	'grep -q "Hello from" "$WORK/fifo.out"'

# Two VMs, one console file: whole lines, each with its VM's name.
for n in a b; do
	vm_conf "$WORK/$n.conf" "$n" 60 "$flood" "dev=virtio lines=3000"
	printf '[console]\ndevice = virtio\noutput = %s\n' "$WORK/shared.log" \
		>>"$WORK/$n.conf"
done
kvmux_run run "$WORK/a.conf" "$WORK/b.conf" --host-cpus 2
OUT=$(python3 "$here/flood_check.py" check a,b <"$WORK/shared.log")
check "console: two VMs sharing one file write whole prefixed lines" \
	all_of 'status_is 0' 'out_has "lines a 3000"' 'out_has "lines b 3000"'

# A full file system: one line that says so, and nothing else changes.
mkdir -p "$WORK/tiny"
if mount -t tmpfs -o size=1m tmpfs "$WORK/tiny" 2>/dev/null; then
	kvmux_run run --kernel "$flood" --console virtio \
		--cmdline "dev=virtio lines=40000" \
		--console-output "$WORK/tiny/console.log" --timeout 60
	check "files: console log on a full file system: one line, status unchanged" \
		all_of 'status_is 0' 'err_has "No space left on device"' \
		'err_has "tiny/console.log"' \
		'[ "$(grep -c "write failed" <<<"$ERR")" -eq 1 ]'
	rm -f "$WORK/tiny/console.log"
	truncate -s 8M "$WORK/tiny/disk.img"
	kvmux_run run --kernel "$FIRMWARE/blk.elf" \
		--disk "path=$WORK/tiny/disk.img" \
		--cmdline "mode=write-flush sectors=4096" --timeout 60
	check "files: disk image on a full file system: the guest gets an I/O error, the host one line" \
		all_of 'out_has "FAIL"' 'err_has "No space left on device"' \
		'err_has "tiny/disk.img"' \
		'[ "$(grep -c "failed" <<<"$ERR")" -eq 1 ]'
	rm -f "$WORK/tiny/disk.img"
	head -c 2M /dev/zero >"$WORK/tiny/fill" 2>/dev/null
	kvmux_run run --kernel "$FIRMWARE/exitcode.elf" --cmdline "exit=5" \
		--result "$WORK/tiny/r.json" --timeout 60
	check "files: --result on a full file system: one line, the guest's status, no file left" \
		all_of 'status_is 5' 'err_has "--result: cannot write"' \
		'! err_has "seccomp"' \
		'[ -z "$(ls "$WORK/tiny" | grep -v "^fill$")" ]'
	umount "$WORK/tiny"
else
	skip "files: a full file system" "cannot mount a tmpfs here"
fi

# Past ulimit -f a write fails with EFBIG (SIGXFSZ is ignored): one line
# for the console file, and the run goes on to its own status.
STATUS=0
(ulimit -f 10 && exec timeout -k 5 "$OUTER_TIMEOUT" "$KVMUX" run \
	--kernel "$flood" --cmdline "lines=3000" \
	--console-output "$WORK/fsize.out" --timeout 60) \
	>"$WORK/out" 2>"$WORK/err" </dev/null || STATUS=$?
ERR=$(cat "$WORK/err")
check "files: past ulimit -f, a console file fails with one line, status unchanged (0)" \
	all_of 'status_is 0' 'err_has "File too large"' \
	'[ "$(grep -c "write failed" <<<"$ERR")" -eq 1 ]'
rm -f "$WORK/fsize.out"

# A hostile driver: rings that share bytes are refused, the devices work
# again after a reset, and the run ends.
truncate -s 1M "$WORK/ra.img"
kvmux_run run --kernel "$FIRMWARE/ring_alias.elf" --console virtio \
	--disk "path=$WORK/ra.img" --timeout 60
check "virtio: overlapping and aliased rings are refused (NEEDS_RESET), then the devices work" \
	all_of 'status_is 0' '! out_has "NOT refused"' \
	'[ "$(grep -c ": refused" <<<"$OUT")" -eq 9 ]' \
	'out_has "console works"' 'out_has "blk works"' 'err_has "overlaps"'

# A hostile driver's requests of tens of GiB each (1022 times the same
# 32 MiB buffer through one indirect table, 256 such requests, a sparse
# disk to hold them): the disk's I/O thread looks for a stop between two
# system calls of a request, so none is left running at the end.
truncate -s 64G "$WORK/storm.img"
rm -f "$WORK/out"
"$KVMUX" run --kernel "$FIRMWARE/blk_storm.elf" \
	--disk "path=$WORK/storm.img" >"$WORK/out" 2>"$WORK/err" </dev/null &
PID=$!
wait_for_output "$WORK/out" "blk_storm: busy" "$PID" && kill -TERM "$PID"
timeout "$OUTER_TIMEOUT" tail --pid="$PID" -f /dev/null || kill -9 "$PID"
STATUS=0
wait "$PID" || STATUS=$?
OUT=$(cat "$WORK/out") ERR=$(cat "$WORK/err")
check "virtio: disk requests of tens of GiB do not hold up SIGTERM (143), no thread is left running" \
	all_of 'status_is 143' 'out_has "blk_storm: busy"' \
	'! err_has "did not stop"' '! err_has "failed"'
rm -f "$WORK/storm.img"

# A stop that comes from another thread before vCPU 0's creator went on
# (a host that descheduled it right after pthread_create()): the test
# build's creator waits for the stop, so every kick comes first, and the
# vCPU, already in KVM_RUN, must still be pulled out.
if [ -x "${KVMUX_TEST_BUILD:-}" ]; then
	STATUS=0
	KVMUX_TEST_LATE_VCPU_START=1 timeout -k 5 "$OUTER_TIMEOUT" \
		"$KVMUX_TEST_BUILD" run --kernel "$FIRMWARE/say.elf" \
		--console virtio --fail-on '^PANIC$' --timeout 60 \
		--cmdline "say=PANIC%0a dev=virtio spin=1" \
		>"$WORK/out" 2>"$WORK/err" </dev/null || STATUS=$?
	ERR=$(cat "$WORK/err")
	check "stop: a kick made before the vCPU thread's creator went on reaches it (123)" \
		all_of 'status_is 123' 'err_has "matched: PANIC"' \
		'! err_has "did not stop"'
else
	skip "stop: a kick before the creator went on" \
		"set KVMUX_TEST_BUILD (make integration does)"
fi

# KVM_RUN failing with EAGAIN again and again (KVM cannot start its
# worker thread, under RLIMIT_NPROC; the test build makes every KVM_RUN
# fail so) ends the run as a host failure, not with a vCPU spinning until
# --timeout (124).
if [ -x "${KVMUX_TEST_BUILD:-}" ]; then
	KVMUX_TEST_KVM_RUN_EAGAIN=1 test_build_run run \
		--kernel "$FIRMWARE/exitcode.elf" --cmdline exit=0 --timeout 60
	check "stop: KVM_RUN's EAGAIN without end is a host failure (125, one line)" \
		all_of 'status_is 125' err_one_line \
		'err_has "vCPU 0: KVM_RUN failed: Resource temporarily unavailable (KVM could not start its worker thread: a process limit, RLIMIT_NPROC?)"'
else
	skip "stop: KVM_RUN's EAGAIN" "set KVMUX_TEST_BUILD (make integration does)"
fi

# A vCPU thread that cannot start (a process limit too low for the user
# kvmux runs as) is said once, with the likely cause: one line, 125.
if [ "$(id -u)" = 0 ] && command -v prlimit >/dev/null; then
	STATUS=0
	# (LeakSanitizer's check at the end needs a thread of its own,
	# which the limit forbids: an ASan build skips it here.)
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		timeout -k 5 "$OUTER_TIMEOUT" prlimit --nproc=1 "$KVMUX" run \
		--kernel "$FIRMWARE/hello.elf" --user 54321 --timeout 60 \
		>"$WORK/out" 2>"$WORK/err" </dev/null || STATUS=$?
	ERR=$(cat "$WORK/err")
	check "stop: a vCPU thread that cannot start is one line (125)" \
		all_of 'status_is 125' err_one_line \
		'err_has "cannot start vCPU 0 thread (a process limit, RLIMIT_NPROC?)"'
else
	skip "stop: a vCPU thread that cannot start" "needs root and prlimit"
fi
