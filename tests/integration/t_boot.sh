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

# The PIT only when asked for: --pit off leaves ports 0x40-0x43 unclaimed.
kvmux_run run --kernel "$FIRMWARE/pit.elf" --timeout 30
check "--pit on (the default): the guest finds a counting PIT" all_of \
	'status_is 0' 'out_has "pit: present"'
kvmux_run run --kernel "$FIRMWARE/pit.elf" --pit off --timeout 30
check "--pit off: no PIT" all_of 'status_is 0' 'out_has "pit: absent"'

# The helper that closes the VM's descriptors (host/fd_release.c) holds
# no output of kvmux's and ends once it has closed them.
"$KVMUX" run --kernel "$FIRMWARE/spin.elf" >"$WORK/out" 2>"$WORK/err" \
	</dev/null &
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
