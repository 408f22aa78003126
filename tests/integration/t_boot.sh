# SPDX-License-Identifier: GPL-2.0-only
# Booting each test kernel, in both image formats where it exists.

for fmt in elf bzImage; do
	kvmux_run run --kernel "$FIRMWARE/hello.$fmt" --timeout 30
	check "hello.$fmt prints and exits 0" all_of 'status_is 0' \
		'out_has "Hello from the kvmux guest!"' 'out_has "pvm: "'

	for value in 0 42 119; do
		kvmux_run run --kernel "$FIRMWARE/exitcode.$fmt" \
			--cmdline "quiet exit=$value tail" --timeout 30
		check "exitcode.$fmt exit=$value" all_of "status_is $value" \
			"out_has 'cmdline: quiet exit=$value tail'"
	done
done

# Guest RAM is no file to the user: a file-size limit (ulimit -f) below
# --memory neither kills kvmux (SIGXFSZ, 153) nor fails the run.
STATUS=0
timeout -k 5 "$OUTER_TIMEOUT" bash -c 'ulimit -f 1024 && exec "$@"' ulimit \
	"$KVMUX" run --kernel "$FIRMWARE/hello.elf" --memory 64M --timeout 30 \
	>"$WORK/out" 2>"$WORK/err" </dev/null || STATUS=$?
OUT=$(cat "$WORK/out") ERR=$(cat "$WORK/err")
check "ulimit -f 1 MiB, --memory 64M: boots and exits 0" all_of \
	'status_is 0' 'out_has "Hello from the kvmux guest!"'

# The guest sees the memory map kvmux built: total RAM is --memory less
# the legacy area [0x9fc00, 0x100000) described as reserved or absent.
legacy=$((0x100000 - 0x9fc00))
for mem in 64M 1G 3G 4G; do
	bytes=$(numfmt --from=iec "$mem")
	for fmt in elf bzImage; do
		kvmux_run run --kernel "$FIRMWARE/memmap.$fmt" --memory "$mem" \
			--timeout 30
		check "memmap.$fmt --memory $mem" all_of 'status_is 0' \
			"out_has 'memmap: ram=$((bytes - legacy)) '"
	done
done
kvmux_run run --kernel "$FIRMWARE/memmap.elf" --memory 4G --timeout 30
check "memmap 4G: RAM above 4 GiB after the MMIO gap" all_of 'status_is 0' \
	"out_has 'memmap: 0x0000000100000000 0x0000000040000000 1'" \
	"out_has 'memmap: 0x0000000000100000 0x00000000bff00000 1'"

# The initrd arrives intact (checksummed in the guest) in both formats.
head -c 300000 /dev/urandom >"$WORK/initrd.img"
crc=$(python3 -c 'import sys, zlib; print("%08x" % zlib.crc32(open(sys.argv[1], "rb").read()))' "$WORK/initrd.img")
for fmt in elf bzImage; do
	kvmux_run run --kernel "$FIRMWARE/initrd.$fmt" --initrd "$WORK/initrd.img" \
		--timeout 30
	check "initrd.$fmt checksum" all_of 'status_is 0' \
		"out_has 'initrd: size=300000 crc32=$crc'"
done
kvmux_run run --kernel "$FIRMWARE/initrd.elf" --timeout 30
check "initrd.elf without an initrd" all_of 'status_is 1' \
	"out_has 'initrd: none'"

# Resets are told apart from a clean stop.
for how in triple i8042; do
	kvmux_run run --kernel "$FIRMWARE/reset.elf" --cmdline "how=$how" \
		--timeout 30
	check "reset how=$how exits 121" all_of 'status_is 121' \
		"out_has 'reset: $how'" '! out_has "still alive"' \
		'err_has "reset"'
done
kvmux_run run --kernel "$FIRMWARE/halt.elf" --timeout 30
check "halt with interrupts off is a clean stop (120)" all_of \
	'status_is 120' 'out_has "halt: stopping"'

# Halted with interrupts on is not a stop (an interrupt may end it), however
# long: idle.elf runs until --timeout.  wake.elf halts with interrupts on
# until its LAPIC timer fires 2 s on, then halts for good: the idle watch,
# backed off by then, still sees it (on PVM through the guest's vIF page).
kvmux_run run --kernel "$FIRMWARE/idle.elf" --timeout 3
check "halted with interrupts on runs until --timeout (124)" all_of \
	'status_is 124' 'out_has "idle: halting with interrupts on"'
kvmux_run run --kernel "$FIRMWARE/wake.elf" --timeout 60
check "idle, woken, then halted for good: a clean stop (120)" all_of \
	'status_is 120' 'out_has "wake: woken, halting for good"'

# A vCPU halted with interrupts on and no timer armed inside KVM (quiet)
# can only be woken by an interrupt kvmux raises: the idle watch then
# sleeps (a safety net every 10 s), and the interrupt wakes it.  The test
# build's safety net is set past --timeout here, so a timer missed by the
# probe (wake.elf: the LAPIC's) or an interrupt that did not wake the
# watch (quiet.elf: COM1's, from stdin) would end the run with 124.
if [ -x "${KVMUX_TEST_BUILD:-}" ]; then
	STATUS=0
	KVMUX_TEST_QUIET_WATCH_MS=3600000 timeout -k 5 "$OUTER_TIMEOUT" \
		"$KVMUX_TEST_BUILD" run --kernel "$FIRMWARE/wake.elf" \
		--timeout 60 >"$WORK/out" 2>"$WORK/err" </dev/null || STATUS=$?
	OUT=$(cat "$WORK/out") ERR=$(cat "$WORK/err")
	check "idle watch: a LAPIC timer armed keeps a halted vCPU watched (120)" \
		all_of 'status_is 120' 'out_has "wake: woken, halting for good"'

	# The timer's other modes: armed once (one-shot, its current count
	# read through KVM_GET_LAPIC) and TSC-deadline (the deadline MSR).
	for mode in oneshot deadline; do
		STATUS=0
		KVMUX_TEST_QUIET_WATCH_MS=3600000 timeout -k 5 "$OUTER_TIMEOUT" \
			"$KVMUX_TEST_BUILD" run --kernel "$FIRMWARE/oneshot.elf" \
			--cmdline "mode=$mode" --timeout 60 \
			>"$WORK/out" 2>"$WORK/err" </dev/null || STATUS=$?
		OUT=$(cat "$WORK/out") ERR=$(cat "$WORK/err")
		check "idle watch: a $mode LAPIC timer keeps a halted vCPU watched (120)" \
			all_of 'status_is 120' \
			'out_has "oneshot: woken, halting for good"'
	done

	# COM1's edge: KVM's IOAPIC, or kvmux's (--irqchip split).
	for chip in kernel split; do
		rm -f "$WORK/out" "$WORK/quiet.in"
		mkfifo "$WORK/quiet.in"
		KVMUX_TEST_QUIET_WATCH_MS=3600000 timeout -k 5 "$OUTER_TIMEOUT" \
			"$KVMUX_TEST_BUILD" run --kernel "$FIRMWARE/quiet.elf" \
			--irqchip "$chip" --timeout 60 <"$WORK/quiet.in" \
			>"$WORK/out" 2>"$WORK/err" &
		pid=$!
		exec 7>"$WORK/quiet.in"
		wait_for_output "$WORK/out" "quiet: waiting for a byte" "$pid" &&
			echo x >&7
		STATUS=0
		wait "$pid" || STATUS=$?
		exec 7>&-
		OUT=$(cat "$WORK/out") ERR=$(cat "$WORK/err")
		check "idle watch: an interrupt kvmux raises wakes it for a quiet vCPU (120, --irqchip $chip)" \
			all_of 'status_is 120' \
			'out_has "quiet: woken, halting for good"'
	done
else
	skip "idle watch: quiet vCPUs" "set KVMUX_TEST_BUILD (make integration does)"
fi

# While its vCPUs are quiet, an idle VM costs no wake-ups: kvmux's threads
# make no context switch for 3 s in a row (they did every second before).
# Bounded by 60 s: a machine however busy gives a sleeping process no
# reason to switch.
switches() {
	cat /proc/"$1"/task/*/status 2>/dev/null |
		awk '/ctxt_switches/ { n += $2 } END { print n + 0 }'
}
rm -f "$WORK/out"
timeout -k 5 "$OUTER_TIMEOUT" "$KVMUX" run --kernel "$FIRMWARE/idle.elf" \
	--timeout 90 >"$WORK/out" 2>"$WORK/err" </dev/null &
pid=$!
quiet_for=0
if wait_for_output "$WORK/out" "idle: halting with interrupts on" "$pid"; then
	vmm=$(run_pid "$pid")
	last=$(switches "$vmm")
	for _ in $(seq 60); do
		sleep 1
		now=$(switches "$vmm")
		if [ "$now" = "$last" ]; then
			quiet_for=$((quiet_for + 1))
			[ "$quiet_for" -ge 3 ] && break
		else
			quiet_for=0
		fi
		last=$now
	done
fi
kill -TERM "$pid" 2>/dev/null
STATUS=0
wait "$pid" || STATUS=$?
OUT=$(cat "$WORK/out") ERR=$(cat "$WORK/err")
check "idle watch: a quiet idle VM makes no wake-ups for 3 s (then SIGTERM: 143)" \
	all_of '[ "$quiet_for" -ge 3 ]' 'status_is 143'

# The PIT: kvmux's by default, with either irqchip; KVM's with --pit kvm;
# none with --pit off (ports 0x40-0x43 unclaimed: they read 0xff).
kvmux_run run --kernel "$FIRMWARE/pit.elf" --timeout 30
check "--pit auto (the default): a counting PIT" all_of \
	'status_is 0' 'out_has "pit: present"'
kvmux_run run --kernel "$FIRMWARE/pit.elf" --pit off --timeout 30
check "--pit off: no PIT" all_of 'status_is 0' 'out_has "pit: absent"'
kvmux_run run --kernel "$FIRMWARE/pit.elf" --irqchip kernel --timeout 30
check "--pit auto with --irqchip kernel: a counting PIT" all_of \
	'status_is 0' 'out_has "pit: present"'
# Channel 0's interrupts through the I/O APIC: repeated in mode 2, once in
# mode 0, from each PIT with each irqchip (guest-firmware/tests/pit_irq.c).
for a in "--pit on" "--pit on --irqchip kernel" "--pit kvm --irqchip kernel"; do
	kvmux_run run --kernel "$FIRMWARE/pit_irq.elf" $a --timeout 60
	check "$a: IRQ 0 in mode 2 repeats, in mode 0 comes once" all_of \
		'status_is 0' 'out_has "pit_irq: 20 periodic, 1 one-shot"'
done

# The helper that publishes --result and closes the VM's descriptors
# (host/fd_release.c) holds no output of kvmux's and ends once it has
# closed them.
"$KVMUX" run --kernel "$FIRMWARE/spin.elf" --result "$WORK/spin.json" \
	>"$WORK/out" 2>"$WORK/err" </dev/null &
pid=$!
wait_for_output "$WORK/out" "spin: forever" "$pid"
# (pgrep, not awk over /proc/*/stat: awk gives up at the first process
# that ends while it reads, which a busy machine makes likely.)
helper=$(pgrep -P "$pid" | head -1)
kill -TERM "$pid"
wait "$pid"
gone() { ! kill -0 "$helper" 2>/dev/null; }
for _ in $(seq 200); do gone && break; sleep 0.05; done
check "the release helper (pid ${helper:-none}) ends after kvmux" all_of \
	'[ -n "$helper" ]' gone \
	'! ls -l /proc/$helper/fd 2>/dev/null | grep -q "$WORK"'

# The processes that end a VM after kvmux (host/fd_release.c: a closer;
# with --result, the helper, once it has renamed the file by its relative
# name) have left kvmux's working directory by the time kvmux exits: a
# file system unmounted right after the run is not busy.
mkdir -p "$WORK/mnt"
for result in "" --result; do
	if [ "$(id -u)" != 0 ] || ! mount -t tmpfs tmpfs "$WORK/mnt" 2>/dev/null; then
		skip "a working directory unmounted right after the run" \
			"needs root and tmpfs"
		continue
	fi
	STATUS=0
	(cd "$WORK/mnt" && exec timeout -k 5 "$OUTER_TIMEOUT" "$KVMUX" run \
		--kernel "$FIRMWARE/touch.elf" --cmdline mib=64 --memory 128M \
		${result:+--result r.json}) \
		>"$WORK/out" 2>"$WORK/err" </dev/null || STATUS=$?
	published=no
	grep -q '"status": 0' "$WORK/mnt/r.json" 2>/dev/null && published=yes
	unmounted=0
	umount "$WORK/mnt" 2>"$WORK/umount.err" || unmounted=$?
	[ "$unmounted" = 0 ] || umount -l "$WORK/mnt"
	check "a working directory unmounted right after the run${result:+ with --result} is not busy" \
		all_of 'status_is 0' '[ "$unmounted" = 0 ]' \
		"[ -z '$result' ] || [ '$published' = yes ]"
done

kvmux_run run --kernel "$FIRMWARE/panic.elf" --timeout 30
check "guest exception handler reports and exits 3" all_of 'status_is 3' \
	'out_has "exception"'

# Timeouts: a guest that spins forever is stopped with 124 by kvmux's own
# timer (its line says so; the outer hang bound would say nothing).
kvmux_run run --kernel "$FIRMWARE/spin.elf" --timeout 1.5
check "spin --timeout 1.5 exits 124" all_of 'status_is 124' \
	'err_has "--timeout of 1500 ms expired"' 'err_one_line'

# A long CPU loop completes (it runs natively where the host allows).
kvmux_run run --kernel "$FIRMWARE/spin.elf" --cmdline iters=1000000000 \
	--timeout 100
check "spin iters=1e9 completes" all_of 'status_is 0' \
	'out_has "spin: done 1000000000"'

kvmux_run --version
check "--version" all_of 'status_is 0' 'out_has "kvmux "'
kvmux_run run --help
check "run --help documents the exit statuses" all_of 'status_is 0' \
	'out_has "--kernel"' 'out_has "124"' 'out_has "0x501"'
