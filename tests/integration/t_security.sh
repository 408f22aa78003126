# SPDX-License-Identifier: GPL-2.0-only
# Defence in depth (docs/architecture.md, "Security"): every thread of a
# running kvmux is under its seccomp filter, a forbidden call ends kvmux
# with one line and 159, --user leaves root, inherited descriptors are
# closed, and kernels kvmux cannot run are refused before they run.
#
# The forbidden calls come from build/tests/kvmux-test-build
# ($KVMUX_TEST_BUILD), a test build in which the thread named by
# $KVMUX_TEST_SECCOMP_VIOLATION makes a socket; the shipped kvmux has no
# such path.

idle="$FIRMWARE/idle.elf"
truncate -s 1M "$WORK/sec.img"

# bg_start ARGS...: kvmux in the background until its guest has spoken.
bg_start() {
	rm -f "$WORK/bg.out"
	"$KVMUX" "$@" >"$WORK/bg.out" 2>"$WORK/bg.err" </dev/null &
	PID=$!
	wait_for_output "$WORK/bg.out" "idle: halting" "$PID"
}

# bg_stop: SIGTERM; sets STATUS, OUT and ERR.
bg_stop() {
	STATUS=0
	kill -TERM "$PID" 2>/dev/null
	wait "$PID" || STATUS=$?
	OUT=$(cat "$WORK/bg.out") ERR=$(cat "$WORK/bg.err")
}

# One line per thread of process $1: "COMM SECCOMP FILTERS".
threads() {
	local t
	for t in /proc/"$1"/task/*; do
		awk -v comm="$(cat "$t/comm" 2>/dev/null)" '
			/^Seccomp:/ { s = $2 } /^Seccomp_filters:/ { f = $2 }
			END { if (s != "") print comm, s, f }' "$t/status" 2>/dev/null
	done
}

# Every thread of process $1 as "MODE FILTERS", the distinct ones.
filter_states() { threads "$1" | awk '{ print $2, $3 }' | sort -u | paste -sd' '; }

# kvmux's own threads of $1 as "COMM FILTERSxCOUNT", sorted, on one line
# ("kvmux-vcpu 2x4": 4 vCPU threads with 2 filters each); empty unless
# every thread (KVM's own worker too) is in seccomp mode 2.
filtered_kinds() {
	threads "$1" | awk '$2 != 2 { bad = 1 } $1 ~ /^kvmux/ { n[$1 " " $3]++ }
		END { if (!bad) for (k in n) print k "x" n[k] }' | sort | paste -sd' '
}

# wait_until WANT COMMAND...: run COMMAND until it prints WANT (the main
# thread adds its own filter just after it started the others; a child
# installs its filter as it starts): bounded, not timed.  Sets GOT.
wait_until() {
	local want=$1 deadline=$((SECONDS + OUTER_TIMEOUT))
	shift
	GOT=$("$@")
	while [ "$GOT" != "$want" ] && [ "$SECONDS" -lt "$deadline" ]; do
		sleep 0.05
		GOT=$("$@")
	done
}

# child_named NAME: the child of $PID called NAME, once it has named
# itself (bounded, not timed; empty if it never does).
child_named() {
	local deadline=$((SECONDS + OUTER_TIMEOUT)) pid=""
	until pid=$(pgrep -P "$PID" -x "$1") || [ "$SECONDS" -ge "$deadline" ]; do
		sleep 0.05
	done
	echo "$pid"
}

# --- seccomp ---------------------------------------------------------------

bg_start run --kernel "$idle" --cpus 2 --console virtio \
	--disk "path=$WORK/sec.img"
want="kvmux 2x1 kvmux-io 2x2 kvmux-output 1x2 kvmux-vcpu 2x2"
wait_until "$want" filtered_kinds "$PID"
bg_stop
check "seccomp: every thread is filtered, each kind with its own list ($GOT)" \
	test "$GOT" = "$want"

vm_sec() {
	printf '[vm]\nname = %s\nmemory = 32M\n%s\n[kernel]\npath = %s\n' \
		"$2" "$3" "$idle" >"$1"
}
vm_sec "$WORK/s1.conf" s1 ""
vm_sec "$WORK/s2.conf" s2 ""
bg_start run "$WORK/s1.conf" "$WORK/s2.conf" --host-cpus 1 --overcommit 2 \
	--sched park
want="kvmux 2x1 kvmux-output 1x2 kvmux-sched 2x1 kvmux-vcpu 2x2"
wait_until "$want" filtered_kinds "$PID"
bg_stop
check "seccomp: the parking scheduler's thread too ($GOT)" test "$GOT" = "$want"

if cgroup_cpu_writable; then
	bg_start run "$WORK/s1.conf" "$WORK/s2.conf" --host-cpus 1 \
		--overcommit 2 --sched cgroup
	reaper=$(child_named kvmux-reaper)
	wait_until "2 1" filter_states "$reaper"
	bg_stop
	# (A ThreadSanitizer build has its background thread there too.)
	check "seccomp: the cgroup reaper, a child, has its own list, in every thread ($GOT)" \
		all_of '[ -n "$reaper" ]' 'test "$GOT" = "2 1"'
else
	skip "seccomp: the cgroup reaper" "no writable cgroup v1 cpu controller"
fi

bg_start run --kernel "$idle" --result "$WORK/release-list.json"
release=$(child_named kvmux-release)
wait_until "2 1" filter_states "$release"
bg_stop
# (A ThreadSanitizer build has its background thread there too.)
check "seccomp: the release helper, a child, has its own list, in every thread ($GOT)" \
	all_of '[ -n "$release" ]' 'test "$GOT" = "2 1"'

bg_start run --kernel "$idle" --seccomp off
got=$(threads "$PID" | awk '{ print $2 }' | sort -u | paste -sd' ')
bg_stop
check "seccomp: --seccomp off: no thread is filtered" test "$got" = "0"

# A forbidden call, in each kind of thread: one line, status 159.
if [ ! -x "${KVMUX_TEST_BUILD:-}" ]; then
	skip "seccomp: forbidden calls" "set KVMUX_TEST_BUILD (make integration does)"
	KVMUX_TEST_BUILD=true # every check below fails loudly
fi
violate() {
	local kind=$1
	shift
	STATUS=0
	KVMUX_TEST_SECCOMP_VIOLATION=$kind timeout -k 5 "$OUTER_TIMEOUT" \
		"$KVMUX_TEST_BUILD" "$@" >"$WORK/out" 2>"$WORK/err" \
		</dev/null || STATUS=$?
	OUT=$(cat "$WORK/out") ERR=$(cat "$WORK/err")
}
exitcode=(run --kernel "$FIRMWARE/exitcode.elf" --cmdline exit=0 --timeout 60)
line() {
	echo "kvmux: seccomp: $1 made system call socket, which its allowlist forbids (exit status 159)"
}
violate main "${exitcode[@]}"
check "seccomp: the main thread's forbidden call: one line, 159" all_of \
	'status_is 159' '[ "$ERR" = "$(line "the main thread")" ]'
violate vcpu "${exitcode[@]}"
check "seccomp: a vCPU thread's forbidden call: one line, 159" all_of \
	'status_is 159' '[ "$ERR" = "$(line "a vCPU thread")" ]'
violate io "${exitcode[@]}" --disk "path=$WORK/sec.img"
check "seccomp: a device I/O thread's forbidden call: one line, 159" all_of \
	'status_is 159' '[ "$ERR" = "$(line "a device I/O thread")" ]'
violate output "${exitcode[@]}"
check "seccomp: an output thread's forbidden call: one line, 159" all_of \
	'status_is 159' '[ "$ERR" = "$(line "an output thread")" ]'
for vm in e1 e2; do
	printf '[vm]\nname = %s\nmemory = 32M\ntimeout = 60\n[kernel]\npath = %s\ncmdline = exit=0\n' \
		"$vm" "$FIRMWARE/exitcode.elf" >"$WORK/$vm.conf"
done
violate sched run "$WORK/e1.conf" "$WORK/e2.conf" --host-cpus 1 \
	--overcommit 2 --sched park
check "seccomp: the scheduler thread's forbidden call: one line, 159" all_of \
	'status_is 159' '[ "$ERR" = "$(line "the scheduler thread")" ]'
if cgroup_cpu_writable; then
	# A child: the run goes on; its cgroups wait for the next group run.
	violate reaper run "$WORK/e1.conf" "$WORK/e2.conf" --host-cpus 1 \
		--overcommit 2 --sched cgroup
	check "seccomp: the reaper's forbidden call: its line, the run goes on" \
		all_of 'status_is 0' 'err_has "$(line "the cgroup reaper")"' \
		'err_has "the cgroup reaper failed (status 159)"'
	kvmux_run run "$WORK/e1.conf" "$WORK/e2.conf" --host-cpus 1 \
		--overcommit 2 --sched cgroup
	check "seccomp: the next group run removes what the reaper left" \
		all_of 'status_is 0' '[ -z "$(cgroup_cpu_runs)" ]'
fi

# A child too, which keeps no descriptor but its socket (so no one waits
# for it), so its line goes nowhere: kvmux closes the VM's descriptors
# itself and goes on; only --result, which the helper renames, is lost,
# which turns the run's 0 into 125.
violate release "${exitcode[@]}" --result "$WORK/release.json"
check "seccomp: the release helper's forbidden call: the run goes on, 125 without its result" \
	all_of 'status_is 125' 'out_has "exitcode: 0"' \
	'err_has "--result: cannot rename"' '[ ! -e "$WORK/release.json" ]'
rm -f "$WORK"/.kvmux-result-*

violate vcpu "${exitcode[@]}" --seccomp log
check "seccomp: --seccomp log lets the forbidden call through" all_of \
	'status_is 0' 'out_has "exitcode: 0"' '! err_has seccomp'

vm_sec "$WORK/on.conf" on ""
vm_sec "$WORK/off.conf" off "seccomp = off"
kvmux_run run "$WORK/on.conf" "$WORK/off.conf" --host-cpus 2 --timeout 1
check "seccomp: one value for a run: VMs that differ are refused" all_of \
	'status_is 126' 'err_one_line' \
	'err_has "[vm] seccomp is on in VM on but off in VM off: it is one value for the whole run"'

# --- --user ----------------------------------------------------------------

ids() { awk -v k="$2:" '$1 == k { $1 = ""; print substr($0, 2) }' \
	"/proc/$1/status"; }
bg_start run --kernel "$idle" --user nobody
uid=$(ids "$PID" Uid) gid=$(ids "$PID" Gid) cap=$(ids "$PID" CapEff)
all_uids=$(awk '$1 == "Uid:" { print $2 }' /proc/"$PID"/task/*/status |
	sort -u)
bg_stop
check "--user nobody: uid and gid 65534 (real, effective, saved, fs), no capabilities, in every thread" \
	all_of '[ "$uid" = "65534 65534 65534 65534" ]' \
	'[ "$gid" = "65534 65534 65534 65534" ]' \
	'[ "$cap" = "0000000000000000" ]' '[ "$all_uids" = 65534 ]' \
	'out_has "idle: halting"'

# Started as root without --user: every thread of kvmux and of the
# release helper ends with no capability in any set but the bounding set
# (no_new_privs: an execve could not grant one) and with no_new_privs.
# kvmux's threads: each process's first and those named kvmux-*.  A
# ThreadSanitizer build has a background thread of TSan's own, made when
# TSan decides (sometimes after a kvmux thread named itself), which keeps
# the capabilities its creator had then: there only the first thread of
# each process is checked.
own_task_status() {
	local pid=$1 t
	for t in /proc/"$pid"/task/*; do
		if [ "${t##*/}" = "$pid" ] || { [ -z "$tsan_build" ] &&
			grep -q '^kvmux-' "$t/comm" 2>/dev/null; }; then
			echo "$t/status"
		fi
	done
}
tsan_build=$(grep -aqF __tsan_init "$KVMUX" && echo yes)
if [ "$(id -u)" = 0 ]; then
	bg_start run --kernel "$idle" --cpus 2 --result "$WORK/caps.json"
	helper=$(child_named kvmux-release)
	caps=$(for f in $(own_task_status "$PID") $(own_task_status "$helper"); do
		awk '/^Cap(Inh|Prm|Eff|Amb):|^NoNewPrivs:/ { printf "%s%s ", $1, $2 }
			END { print "" }' "$f"
	done | sort -u)
	nthreads=$(own_task_status "$PID" | wc -l)
	# What every task had, for the log if the check fails.
	all_caps=$(for t in /proc/"$PID"/task/* /proc/"$helper"/task/*; do
		echo "${t#/proc/} $(cat "$t/comm") $(awk '/^Cap(Inh|Prm|Eff|Amb):|^NoNewPrivs:/ { printf "%s ", $2 }' "$t/status")"
	done 2>&1)
	bg_stop
	ERR="tasks: $all_caps
$ERR"
	check "root without --user: no capabilities and no_new_privs in every thread and the release helper" \
		all_of '[ "$caps" = "CapInh:0000000000000000 CapPrm:0000000000000000 CapEff:0000000000000000 CapAmb:0000000000000000 NoNewPrivs:1 " ]' \
		'[ "$nthreads" -ge 4 ] || [ -n "$tsan_build" ]' '[ -n "$helper" ]' \
		'out_has "idle: halting"'
fi

# What kvmux opens before it leaves root works after: the console log, a
# snapshot's store, and --result, which the release helper (still root)
# renames into $WORK (root's alone: nobody could not).
rm -f "$WORK/user.json" "$WORK/user.log"
truncate -s 8M "$WORK/user.img"
kvmux_run run --kernel "$FIRMWARE/blk.elf" --cmdline seed=3 --user nobody \
	--disk "path=$WORK/user.img,snapshot=on" --console-log "$WORK/user.log" \
	--result "$WORK/user.json" --timeout 60
check "--user: the console log, a snapshot disk and --result work" all_of \
	'status_is 0' 'out_has "blk: ok"' 'grep -qF "blk: ok" "$WORK/user.log"' \
	'python3 -c "import json, sys; sys.exit(json.load(open(sys.argv[1]))[\"status\"])" "$WORK/user.json"' \
	'[ -z "$(ls -A "$WORK" | grep kvmux-result)" ]' '[ -z "$ERR" ]'

daemon_gid=$(getent group daemon | cut -d: -f3)
if [ -n "$daemon_gid" ]; then
	bg_start run --kernel "$idle" --user nobody:daemon
	gid=$(ids "$PID" Gid) groups=$(ids "$PID" Groups)
	bg_stop
	check "--user nobody:daemon: the group and nobody's groups" all_of \
		'[ "$gid" = "$daemon_gid $daemon_gid $daemon_gid $daemon_gid" ]' \
		'[ "$groups" = "$daemon_gid" ]'
fi

# A number without a passwd (group) entry is the uid (gid) itself; such a
# uid's group is its own number, and it has no supplementary groups.
if ! getent passwd 12345 >/dev/null && ! getent group 4444 >/dev/null; then
	bg_start run --kernel "$idle" --user 12345
	uid=$(ids "$PID" Uid) gid=$(ids "$PID" Gid) groups=$(ids "$PID" Groups)
	bg_stop
	check "--user 12345 (no passwd entry): uid and gid 12345, no groups" \
		all_of '[ "$uid" = "12345 12345 12345 12345" ]' \
		'[ "$gid" = "12345 12345 12345 12345" ]' '[ -z "$groups" ]' \
		'out_has "idle: halting"'
	bg_start run --kernel "$idle" --user 12345:4444
	uid=$(ids "$PID" Uid) gid=$(ids "$PID" Gid)
	bg_stop
	check "--user 12345:4444 (no entries): uid 12345, gid 4444" all_of \
		'[ "$uid" = "12345 12345 12345 12345" ]' \
		'[ "$gid" = "4444 4444 4444 4444" ]' 'out_has "idle: halting"'
fi

kvmux_run run --kernel "$idle" --user kvmux-no-such-user --timeout 1
check "--user with a user that does not exist: 126, one line" all_of \
	'status_is 126' 'err_one_line' \
	'err_has "there is no user '\''kvmux-no-such-user'\''"'
kvmux_run run --kernel "$idle" --user nobody:kvmux-no-such-group --timeout 1
check "--user with a group that does not exist: 126, one line" all_of \
	'status_is 126' 'err_one_line' 'err_has "there is no group"'
STATUS=0
ERR=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$KVMUX" run \
	--kernel "$idle" --user root 2>&1 >/dev/null) || STATUS=$?
check "--user without root: 126, one line" all_of 'status_is 126' \
	'err_one_line' 'err_has "only root can change user"'

if cgroup_cpu_writable; then
	kvmux_run run "$WORK/e1.conf" "$WORK/e2.conf" --host-cpus 1 \
		--overcommit 2 --sched cgroup --user nobody
	check "--user with the cgroup scheduler: vCPUs join, the reaper cleans up" \
		all_of 'status_is 0' 'err_has "scheduler on (cgroup)"' \
		'[ -z "$(cgroup_cpu_runs)" ]'
fi

# No root at all: a user with group access to a KVM device node (as the
# kvm group gives to /dev/kvm on most distributions).
if [ -c /dev/kvm ] && mkdir -p "$WORK/nonroot" &&
	mknod "$WORK/nonroot/kvm" c "$((0x$(stat -c %t /dev/kvm)))" \
		"$((0x$(stat -c %T /dev/kvm)))" 2>/dev/null; then
	chgrp "$(id -g nobody)" "$WORK/nonroot/kvm"
	chmod 660 "$WORK/nonroot/kvm"
	cp "$FIRMWARE/hello.elf" "$WORK/nonroot/"
	chmod 755 "$WORK" "$WORK/nonroot"
	chmod 644 "$WORK/nonroot/hello.elf"
	STATUS=0
	OUT=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$KVMUX" run \
		--kernel "$WORK/nonroot/hello.elf" \
		--kvm-device "$WORK/nonroot/kvm" --timeout 60 2>"$WORK/err") ||
		STATUS=$?
	ERR=$(cat "$WORK/err")
	check "no root: a user in the KVM device's group runs a guest" all_of \
		'status_is 0' 'out_has "Hello from the kvmux guest!"'
else
	skip "no root" "cannot make a KVM device node here"
fi

# --- inherited descriptors -------------------------------------------------

echo secret >"$WORK/secret"
rm -f "$WORK/bg.out"
"$KVMUX" run --kernel "$idle" >"$WORK/bg.out" 2>"$WORK/bg.err" </dev/null \
	3<"$WORK/secret" 9<"$WORK/secret" &
PID=$!
wait_for_output "$WORK/bg.out" "idle: halting" "$PID"
leaked=$(for fd in /proc/"$PID"/fd/*; do readlink "$fd"; done |
	grep -c -- "$WORK/secret")
bg_stop
check "inherited descriptors above 2 are closed at the start" all_of \
	'[ "$leaked" -eq 0 ]' 'out_has "idle: halting"'

# --- kernels kvmux cannot run ----------------------------------------------

for entry in 0 0xfee00000 0x7ffff000; do
	python3 "$here/patch_kernel.py" pvh-entry "$FIRMWARE/hello.elf" \
		"$WORK/bad.elf" "$entry"
	kvmux_run run --kernel "$WORK/bad.elf" --timeout 30
	check "a PVH entry $entry outside the loaded code is refused: 126" \
		all_of 'status_is 126' 'err_one_line' \
		'err_has "the PVH entry point $(printf %#x "$entry") is outside the kernel'\''s loaded code (0x"'
done
python3 "$here/patch_kernel.py" bz-syssize "$FIRMWARE/hello.bzImage" \
	"$WORK/bad.bzImage" 1
kvmux_run run --kernel "$WORK/bad.bzImage" --timeout 30
check "a bzImage whose 64-bit entry is past its code (syssize 1): 126" all_of \
	'status_is 126' 'err_one_line' \
	'err_has "is past its protected-mode code"' 'err_has "(syssize 1)"'

# --- messages --------------------------------------------------------------

kvmux_run run --kernel "$FIRMWARE/hello.elf" --disk "path=$WORK/sec.img" \
	--disk "path=$WORK/sec.img" --timeout 30
check "the same disk twice in one VM: given twice, not in use" all_of \
	'status_is 126' 'err_one_line' 'err_has "is given twice"'
long=$(head -c 65535 /dev/zero | tr '\0' x)
kvmux_run run --kernel "$FIRMWARE/hello.elf" --cmdline "$long" --timeout 30
check "a 65535-byte --cmdline: the message is about the command line" all_of \
	'status_is 126' 'err_one_line' \
	'err_has "the kernel command line is too long for the device tree"'

# glibc opens /proc/sys/vm/overcommit_memory the first time it gives
# back the top of a thread's heap; a group of 8 or more VMs on
# virtio-console freed enough at its end to make it, under the main
# thread's filter (159 with every guest passed).  kvmux never trims.
for i in $(seq 12); do
	printf '[vm]\nname = h%d\nmemory = 32M\n[kernel]\npath = %s\n' "$i" \
		"$FIRMWARE/hello.elf" >"$WORK/h$i.conf"
done
kvmux_run run "$WORK"/h{1,2,3,4,5,6,7,8,9,10,11,12}.conf --overcommit 20 \
	--console virtio -q
check "seccomp: a group of 12 VMs on virtio-console ends 0, no forbidden call at its end" \
	all_of 'status_is 0' '[ -z "$ERR" ]' \
	'[ "$(grep -c "Hello from the kvmux guest" <<<"$OUT")" = 12 ]'
