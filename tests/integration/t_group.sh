# SPDX-License-Identifier: GPL-2.0-only
# Several VMs in one run: prefixed consoles, logs, independent ends, the
# summary, the exit status rule, and the weighted scheduler's shares.

# vm_conf FILE NAME KERNEL CMDLINE [KEY=VALUE...]: write a config file.
vm_conf() {
	local file=$1 name=$2 kernel=$3 cmdline=$4 kv
	shift 4
	{
		echo "[vm]"
		echo "name = $name"
		[[ " $* " == *" memory="* ]] || echo "memory = 32M"
		for kv in "$@"; do echo "${kv%%=*} = ${kv#*=}"; done
		echo "[kernel]"
		echo "path = $FIRMWARE/$kernel"
		echo "cmdline = $cmdline"
	} >"$file"
}

vm_conf "$WORK/a.conf" alpha exitcode.elf "exit=0"
vm_conf "$WORK/b.conf" beta hello.elf ""
kvmux_run run "$WORK/a.conf" "$WORK/b.conf" --host-cpus 2
check "group: both consoles, each line prefixed with the VM's name" all_of \
	'status_is 0' 'out_has "alpha| exitcode: 0"' \
	'out_has "beta| Hello from the kvmux guest!"' \
	'! grep -v "^alpha| \|^beta| " <<<"$OUT" | grep -q .'
check "group: a summary table names every VM" all_of \
	'err_has "group of 2 VMs"' 'grep -q "^alpha .* exit" <<<"$ERR"' \
	'grep -q "^beta .* exit" <<<"$ERR"'

# No VM starts before every output has its reader, so a console FIFO
# nobody reads holds the whole group back, but only until the run's
# earliest --timeout (spinner's 1 s, counted from the start), not until
# its own VM's (none here): 124, one line naming the FIFO, nothing
# started, and the other VM's console file, opened first, left as it
# was (never truncated).
rm -f "$WORK/gf_ok.fifo"
mkfifo "$WORK/gf_ok.fifo"
echo precious >"$WORK/gf_spinner.fifo" # %n.fifo: a regular file here
vm_conf "$WORK/gf_ok.conf" gf_ok exitcode.elf "exit=0"
vm_conf "$WORK/gf_spin.conf" gf_spinner spin.elf "" "timeout=1"
kvmux_run run "$WORK/gf_spin.conf" "$WORK/gf_ok.conf" --host-cpus 2 \
	--console-output "$WORK/%n.fifo" --result "$WORK/gf.json"
check "group: a FIFO without a reader waits only until the earliest --timeout (124)" \
	all_of 'status_is 124' \
	'err_has "gf_ok: the --timeout of gf_spinner, the run'"'"'s earliest, expired while waiting for a reader of FIFO $WORK/gf_ok.fifo: no VM started"' \
	'[ "$(grep -c "not started" "$WORK/gf.json")" -eq 2 ]' \
	'[ "$(cat "$WORK/gf_spinner.fifo")" = precious ]'
rm -f "$WORK/gf_ok.fifo" "$WORK/gf_spinner.fifo"

# A VM that resets does not stop the other; the status is the first
# failing VM's, in command-line order.
vm_conf "$WORK/r.conf" resetter reset.elf "how=triple"
vm_conf "$WORK/s.conf" survivor spin.elf "iters=300000000"
kvmux_run run "$WORK/s.conf" "$WORK/r.conf" "$WORK/a.conf" --host-cpus 2 \
	--overcommit 2
check "group: a reset VM ends alone, the others finish" all_of \
	'status_is 121' 'out_has "survivor| spin: done 300000000"' \
	'out_has "alpha| exitcode: 0"' 'grep -q "^resetter .*121 reset" <<<"$ERR"'
vm_conf "$WORK/e7.conf" seven exitcode.elf "exit=7"
vm_conf "$WORK/e9.conf" nine exitcode.elf "exit=9"
kvmux_run run "$WORK/a.conf" "$WORK/e9.conf" "$WORK/e7.conf" \
	--host-cpus 2 --overcommit 2
check "group: status is the first non-zero in command-line order" \
	status_is 9

# A console log file gets the VM's output without prefixes.
vm_conf "$WORK/log.conf" logged hello.elf ""
printf '[console]\noutput = %s\n' "$WORK/logged.log" >>"$WORK/log.conf"
kvmux_run run "$WORK/log.conf" "$WORK/a.conf" --host-cpus 2
check "group: console output to a log file" all_of 'status_is 0' \
	'! out_has "Hello from"' \
	'grep -qx "Hello from the kvmux guest!" "$WORK/logged.log"'

# More vCPUs than the capacity allows, without overcommit: refused.
kvmux_run run "$WORK/a.conf" "$WORK/b.conf" "$WORK/e7.conf" --host-cpus 2
check "group: minimums that do not fit are refused" all_of \
	'status_is 126' 'err_has "at least one vCPU each"' 'err_one_line'

# The VMs are prepared side by side (threads), yet a failure reads as if
# one after another: the first failing VM in command-line order is named
# once, with its status, and no VM starts.
printf '[vm]\nname = missing\nmemory = 32M\n[kernel]\npath = %s\n' \
	"$WORK/no-such-kernel.elf" >"$WORK/missing.conf"
head -c 8192 /dev/zero >"$WORK/junk.bin"
printf '[vm]\nname = junk\nmemory = 32M\n[kernel]\npath = %s\n' \
	"$WORK/junk.bin" >"$WORK/junk.conf"
res="$WORK/prepare-result.json"
kvmux_run run "$WORK/a.conf" "$WORK/missing.conf" "$WORK/b.conf" \
	"$WORK/junk.conf" --host-cpus 2 --overcommit 2 --result "$res"
check "group: a VM that cannot be prepared is named once; none starts" \
	all_of 'status_is 126' 'err_one_line' \
	'err_has "kvmux: missing: kernel $WORK/no-such-kernel.elf does not exist"' \
	'[ -z "$OUT" ]' "python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(not (d[\"error\"].startswith(\"missing: \") and
	not any(v[\"started\"] for v in d[\"vms\"]) and
	[v[\"status\"] for v in d[\"vms\"]] == [126] * 4))' \"$res\""
kvmux_run run "$WORK/a.conf" "$WORK/b.conf" "$WORK/junk.conf" \
	--host-cpus 2 --overcommit 2
check "group: the last VM's failure is reported alone too" all_of \
	'status_is 126' 'err_one_line' \
	'err_has "kvmux: junk: kernel $WORK/junk.bin: not a kernel image"' \
	'[ -z "$OUT" ]'

# Shares: three CPU-bound VMs, weights 1:2:5, one vCPU each, on 2 CPUs,
# with the kernel's cgroup cpu controller.  What kvmux controls, and what
# is checked, is what it tells the kernel: each VM's cpu.shares in the
# weights' ratio, read while they run.  How the CPU time then comes out
# depends on what else the host runs (even the order can turn under
# load), so it is only shown here; bench/sched.py measures it.
# (10 s: time for the moves into the cgroups, which come after the
# guests start, even on a loaded host.)
for w in 1 2 5; do
	vm_conf "$WORK/w$w.conf" "w$w" spin.elf "" "weight=$w" "timeout=10"
done
column() { awk -v vm="$1" -v col="$2" '$1 == vm { sub("%", "", $col); print $col }' <<<"$ERR"; }
got() { column "$1" 7; }
if cgroup_cpu_writable; then
	rm -f "$WORK/out"
	"$KVMUX" run "$WORK/w1.conf" "$WORK/w2.conf" "$WORK/w5.conf" \
		--host-cpus 2 --overcommit 2 --sched cgroup \
		>"$WORK/out" 2>"$WORK/err" </dev/null &
	pid=$!
	for w in 1 2 5; do
		wait_for_output "$WORK/out" "w$w| spin: forever" "$pid"
	done
	shares=$(cat "$(run_cgroup "$pid")"/vm{0,1,2}/cpu.shares \
		2>/dev/null | tr '\n' ' ')
	# One vCPU each: its thread is all a VM's cgroup holds (KVM's worker
	# thread of the VM, which outlives kvmux, is started outside it).
	# The threads are moved in while the guests run (host/cgroup_join.c):
	# wait for each move.
	for v in 0 1 2; do
		wait_for_output "$(run_cgroup "$pid")/vm$v/tasks" "" \
			"$pid"
	done
	run=$(cd "$(cgroup_cpu_dir)" && ls -d kvmux.*."$pid")
	tasks=$(for v in 0 1 2; do
		wc -l <"$(run_cgroup "$pid")/vm$v/tasks"
	done 2>/dev/null | tr '\n' ' ')
	STATUS=0
	wait "$pid" || STATUS=$?
	OUT=$(cat "$WORK/out") ERR=$(cat "$WORK/err")
	check "sched cgroup: cpu.shares in the weights' ratio 1:2:5 ($shares; got $(got w1)/$(got w2)/$(got w5) %)" \
		all_of 'status_is 124' 'err_has "scheduler on (cgroup)"' \
		"awk -v s='$shares' 'BEGIN { n = split(s, v, \" \");
			exit !(n == 3 && v[1] > 0 && v[2] == 2 * v[1] &&
			       v[3] == 5 * v[1]) }'"
	check "sched cgroup: the run's cgroup is named kvmux.<PID namespace>.<pid> ($run)" \
		test "$run" = "$(basename "$(run_cgroup "$pid")")"
	check "sched cgroup: the run's cgroups are gone when it ends" \
		test -z "$(cgroup_cpu_runs)"
	check "sched cgroup: a VM's cgroup holds its vCPU thread only ($tasks)" \
		test "$tasks" = "1 1 1 "
else
	skip "sched cgroup: shares" "no writable cgroup v1 cpu controller"
fi

# A hard cap is what the scheduler guarantees whatever the load (a busy
# host only lowers what a VM gets): weight 1 of 4 on one CPU is 25 ms of
# every 100 ms, so the capped VM's CPU time stays near 25 % of its wall
# time, with both mechanisms.
vm_conf "$WORK/capped.conf" capped spin.elf "" "cap=on" "timeout=3"
vm_conf "$WORK/free.conf" free spin.elf "" "weight=3" "timeout=3"
cpu_per_wall() {
	awk -v vm="$1" '$1 == vm { printf "%d", 100 * $5 / $4 }' <<<"$ERR"
}
for mode in park cgroup; do
	[ "$mode" = cgroup ] && ! cgroup_cpu_writable && continue
	kvmux_run run "$WORK/capped.conf" "$WORK/free.conf" --host-cpus 1 \
		--overcommit 2 --sched "$mode"
	check "sched $mode: cap holds a VM to its budget ($(cpu_per_wall capped) % of a CPU, budget 25 %)" \
		all_of 'status_is 124' "err_has \"scheduler on ($mode\"" \
		'[ "$(cpu_per_wall capped)" -le 33 ]' \
		'[ "$(cpu_per_wall free)" -gt 0 ]'
done
# A cap whose budget per period is under the kernel's least quota (1 ms):
# weight 1 of 21 on one CPU every 10 ms is 0.476 ms.  Quota and period
# grow together (1 ms of 21 ms, 4.8 %), not the quota alone (1 ms of 10).
vm_conf "$WORK/c1.conf" c1 spin.elf "" "cap=on" "timeout=10"
vm_conf "$WORK/w20.conf" w20 spin.elf "" "weight=20" "timeout=10"
if cgroup_cpu_writable; then
	rm -f "$WORK/out"
	"$KVMUX" run "$WORK/c1.conf" "$WORK/w20.conf" --host-cpus 1 \
		--overcommit 2 --period 0.01 --sched cgroup \
		>"$WORK/out" 2>"$WORK/err" </dev/null &
	pid=$!
	wait_for_output "$WORK/out" "c1| spin: forever" "$pid"
	cfs=$(cat "$(run_cgroup "$pid")"/vm0/cpu.cfs_{quota,period}_us \
		2>/dev/null | tr '\n' ' ')
	kill "$pid" 2>/dev/null
	wait "$pid" || true
	check "sched cgroup: a cap under 1 ms per period keeps its ratio (quota, period: $cfs)" \
		test "$cfs" = "1000 21000 "
fi
# plan says whether the group needs a scheduler, as run will: not for a
# vCPU per host CPU without cap, for more vCPUs than CPUs or a cap.
kvmux_run plan "$WORK/c1.conf" --host-cpus 2 --json
needed_alone=$(python3 -c 'import json, sys
print(json.load(sys.stdin)["capacity"]["sched_needed"])' <<<"$OUT")
kvmux_run plan "$WORK/w20.conf" "$WORK/w1.conf" --host-cpus 2
text_alone=$(grep "^scheduler:" <<<"$OUT")
kvmux_run plan "$WORK/w20.conf" "$WORK/w1.conf" --host-cpus 1 \
	--overcommit 2 --json
needed_over=$(python3 -c 'import json, sys
c = json.load(sys.stdin)["capacity"]
print(c["sched"], c["sched_needed"])' <<<"$OUT")
check "plan: sched_needed as run decides (cap: $needed_alone; 2 on 2: $text_alone; 2 on 1: $needed_over)" \
	all_of '[ "$needed_alone" = True ]' '[ "$needed_over" = "True True" ]' \
	'[ "$text_alone" = "scheduler: not needed (a CPU per vCPU, no cap)" ]'
for w in 1 2 5; do
	vm_conf "$WORK/o$w.conf" "w$w" spin.elf "" "weight=$w" "timeout=3"
done
kvmux_run run "$WORK/o1.conf" "$WORK/o2.conf" "$WORK/o5.conf" \
	--host-cpus 2 --overcommit 2 --sched off
check "sched: --sched off leaves it to the host (no scheduler)" all_of \
	'status_is 124' 'err_has "scheduler off"'

# While every VM of a parking group idles, its scheduler backs off (up to
# a decision a second) instead of looking every period / 10: its thread
# switched ~100 times a second.  A busier host only makes it switch less.
vm_conf "$WORK/i1.conf" i1 idle.elf ""
vm_conf "$WORK/i2.conf" i2 idle.elf ""
rm -f "$WORK/out"
timeout -k 5 "$OUTER_TIMEOUT" "$KVMUX" run "$WORK/i1.conf" "$WORK/i2.conf" \
	--host-cpus 1 --overcommit 2 --sched park --timeout 90 \
	>"$WORK/out" 2>"$WORK/err" </dev/null &
pid=$!
sched_switches=-1
if wait_for_output "$WORK/out" "i1| idle: halting" "$pid" &&
	wait_for_output "$WORK/out" "i2| idle: halting" "$pid"; then
	sleep 2 # the back-off grows
	task=$(grep -lx kvmux-sched /proc/"$(run_pid "$pid")"/task/*/comm |
		head -n 1)
	task=${task%/comm}
	before=$(awk '/ctxt_switches/ { n += $2 } END { print n + 0 }' \
		"$task/status")
	sleep 3
	sched_switches=$(($(awk '/ctxt_switches/ { n += $2 } END { print n + 0 }' \
		"$task/status") - before))
fi
kill -TERM "$pid" 2>/dev/null
STATUS=0
wait "$pid" || STATUS=$?
ERR=$(cat "$WORK/err")
check "sched park: an idle group's scheduler backs off ($sched_switches switches in 3 s)" \
	all_of '[ "$sched_switches" -ge 0 ]' '[ "$sched_switches" -lt 10 ]' \
	'status_is 143' 'err_has "scheduler on (park)"'

# After the back-off, VMs that wake are parked to their shares again:
# both idle 2 s (the scheduler's interval grows toward 1 s), then burn
# with weights 1:3 on one host CPU, where only parking can hold the
# lighter one to a quarter (at most one busy VM runs at a time).
vm_conf "$WORK/ib1.conf" ib1 burn.elf "idle=2000 report=0" "weight=1" \
	"timeout=8"
vm_conf "$WORK/ib3.conf" ib3 burn.elf "idle=2000 report=0" "weight=3" \
	"timeout=8"
kvmux_run run "$WORK/ib1.conf" "$WORK/ib3.conf" --host-cpus 1 \
	--overcommit 2 --sched park
check "sched park: shares hold after an idle start ($(cpu_per_wall ib1) % and $(cpu_per_wall ib3) % of a CPU, weights 1:3)" \
	all_of 'status_is 124' 'out_has "ib1| burn: idled 2000 ms"' \
	'out_has "ib3| burn: idled 2000 ms"' \
	'[ "$(cpu_per_wall ib1)" -lt "$(cpu_per_wall ib3)" ]' \
	'[ "$(cpu_per_wall ib1)" -le 33 ]' \
	'err_has "group of 2 VMs on 1 host CPU, period"'

# The guest sees what it was allocated: two VMs asking 2 GiB and 2 vCPUs
# each, on a 2 GiB / 2 CPU capacity, get 1 GiB and 1 vCPU each.
legacy=$((0x100000 - 0x9fc00))
for n in 1 2; do
	vm_conf "$WORK/m$n.conf" "mem$n" memmap.elf "" "memory=2G"
	vm_conf "$WORK/c$n.conf" "cpu$n" smp.elf "n=100000" "cpus=2"
done
kvmux_run run "$WORK/m1.conf" "$WORK/m2.conf" --host-memory 2G --host-cpus 2
check "group: scaled memory is what the guest's memory map shows" all_of \
	'status_is 0' "out_has 'mem1| memmap: ram=$(((1 << 30) - legacy)) '" \
	"out_has 'mem2| memmap: ram=$(((1 << 30) - legacy)) '"
kvmux_run run "$WORK/c1.conf" "$WORK/c2.conf" --host-cpus 2
check "group: scaled vCPUs are what the guest's MP table lists" all_of \
	'status_is 0' "out_has 'cpu1| smp: mp table lists 1 cpus'" \
	"out_has 'cpu2| smp: 1 cpus reported'"

# The idle watch skips a parked VM; while the other VMs' vCPUs are quiet
# (quiet.elf: nothing inside KVM can wake it) it sleeps until kvmux raises
# an interrupt, so it must still come back for the parked VM once the
# scheduler releases it.  The test build's safety net is set past the
# outer timeout: a capped VM that halts for good after it was parked at
# a watch would then never be seen halted.
if [ -x "${KVMUX_TEST_BUILD:-}" ]; then
	vm_conf "$WORK/quiet.conf" quiet quiet.elf "" "timeout=5"
	vm_conf "$WORK/sh.conf" spinner spinhalt.elf "iters=2000000000" \
		"cap=on"
	STATUS=0
	KVMUX_TEST_QUIET_WATCH_MS=3600000 timeout -k 5 "$OUTER_TIMEOUT" \
		"$KVMUX_TEST_BUILD" run "$WORK/quiet.conf" "$WORK/sh.conf" \
		--host-cpus 1 --overcommit 2 --sched park \
		>"$WORK/out" 2>"$WORK/err" </dev/null || STATUS=$?
	OUT=$(cat "$WORK/out") ERR=$(cat "$WORK/err")
	check "idle watch: a parked VM that halts beside a quiet one is seen (124, 120)" \
		all_of 'status_is 124' 'out_has "spinner| spinhalt: halting"' \
		'grep -q "^spinner .*120 halted" <<<"$ERR"'
else
	skip "idle watch: parked VMs" "set KVMUX_TEST_BUILD (make integration does)"
fi

# The descriptor table is sized before the first thread: growing it with
# threads running waits for an RCU grace period at every doubling (ms on
# a busy host).  A group of 8 holds more than 64 descriptors, and so does
# one VM of 32 vCPUs.  kvmux is started by a parent with no descriptor
# above 2, whose children's tables start at 64 (a table's size survives
# exec).
fd_table_same() {
	local line
	line=$(grep "^kvmux-test: fd table" <<<"$ERR") || return 1
	[[ "$line" =~ table\ ([0-9]+)\ before.*,\ ([0-9]+)\ at ]] &&
		[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] &&
		[ "${BASH_REMATCH[1]}" -gt 64 ]
}
low_fds_run() {
	STATUS=0
	KVMUX_TEST_FD_TABLE=1 timeout -k 5 "$OUTER_TIMEOUT" python3 -c \
		'import os, subprocess, sys
os.closerange(3, 1 << 16)
sys.exit(subprocess.call(sys.argv[1:]))' "$KVMUX_TEST_BUILD" run "$@" \
		>"$WORK/out" 2>"$WORK/err" </dev/null || STATUS=$?
	OUT=$(cat "$WORK/out") ERR=$(cat "$WORK/err")
}
if [ -x "${KVMUX_TEST_BUILD:-}" ]; then
	confs=()
	for i in 0 1 2 3 4 5 6 7; do
		vm_conf "$WORK/fd$i.conf" "fd$i" exitcode.elf "exit=0"
		confs+=("$WORK/fd$i.conf")
	done
	low_fds_run "${confs[@]}" --host-cpus 2 --overcommit 4
	check "group: 8 VMs never grow the descriptor table once threads run" \
		all_of 'status_is 0' '[ "$(grep -c "| exitcode: 0" <<<"$OUT")" -eq 8 ]' \
		fd_table_same
	low_fds_run --kernel "$FIRMWARE/exitcode.elf" --cmdline exit=0 --cpus 32
	check "descriptors: a VM of 32 vCPUs never grows the table once threads run" \
		all_of 'status_is 0' fd_table_same
else
	skip "descriptor table: groups" "set KVMUX_TEST_BUILD (make integration does)"
fi

# A soft descriptor limit below what a group needs (8 VMs hold about 80)
# is raised toward the hard one; a hard limit too low gives one line that
# names the limit.
for i in 0 1 2 3 4 5 6 7; do
	vm_conf "$WORK/nf$i.conf" "nf$i" exitcode.elf "exit=0"
done
STATUS=0
(ulimit -Sn 64 && exec timeout -k 5 "$OUTER_TIMEOUT" "$KVMUX" run \
	"$WORK"/nf[0-7].conf --host-cpus 2 --overcommit 4) \
	>"$WORK/out" 2>"$WORK/err" </dev/null || STATUS=$?
OUT=$(cat "$WORK/out") ERR=$(cat "$WORK/err")
check "group: a soft descriptor limit of 64 is raised for 8 VMs (0)" \
	all_of 'status_is 0' '[ "$(grep -c "| exitcode: 0" <<<"$OUT")" -eq 8 ]'
STATUS=0
(ulimit -n 40 && exec timeout -k 5 "$OUTER_TIMEOUT" "$KVMUX" run \
	--kernel "$FIRMWARE/smp.elf" --cpus 32) \
	>"$WORK/out" 2>"$WORK/err" </dev/null || STATUS=$?
OUT=$(cat "$WORK/out") ERR=$(cat "$WORK/err")
check "descriptors: a hard limit too low is one line naming it (125)" \
	all_of 'status_is 125' err_one_line \
	'err_has "Too many open files (the descriptor limit: ulimit -n)"'

# A disk one VM writes is no other VM's disk: refused before anything
# opens (126), not left to the lock the second VM cannot take (125,
# contention); read-only copies of one image are shared.
truncate -s 1M "$WORK/shared.img"
vm_conf "$WORK/dw.conf" dw exitcode.elf "exit=0"
vm_conf "$WORK/dr.conf" dr exitcode.elf "exit=0"
printf '[disk "d"]\npath = %s\n' "$WORK/shared.img" >>"$WORK/dw.conf"
printf '[disk "d"]\npath = %s\nreadonly = on\n' "$WORK/shared.img" \
	>>"$WORK/dr.conf"
kvmux_run run "$WORK/dw.conf" "$WORK/dr.conf"
check "group: a disk one VM writes is refused to another VM (126, one line)" \
	all_of 'status_is 126' 'err_one_line' \
	'err_has "of dr is the disk $WORK/shared.img of dw, which its guest writes"'
# Both write it: the line says both do, not that one readonly=on shares it.
sed '/^readonly = on$/d' "$WORK/dr.conf" >"$WORK/dw2.conf"
kvmux_run run "$WORK/dw.conf" "$WORK/dw2.conf"
check "group: a disk two VMs write says both guests write it (126, one line)" \
	all_of 'status_is 126' 'err_one_line' \
	'err_has "and both guests write it (every VM using it needs readonly=on or snapshot=on)"'
sed -i 's/^path = .*shared.img$/&\nreadonly = on/' "$WORK/dw.conf"
kvmux_run run "$WORK/dw.conf" "$WORK/dr.conf"
check "group: one image read-only in two VMs is shared" status_is 0
