# SPDX-License-Identifier: GPL-2.0-only
# Bad input: one clear line on stderr, a documented status, no crash or hang.

# expect_error NAME STATUS TEXT ARGS...: kvmux ARGS must fail with STATUS
# and a single stderr line containing TEXT.
expect_error() {
	local name=$1 status=$2 text=$3
	shift 3
	kvmux_run "$@"
	check "$name" all_of "status_is $status" "err_has '$text'" 'err_one_line'
}

hello="$FIRMWARE/hello.elf"
expect_error "nonexistent kernel" 126 "does not exist" \
	run --kernel "$WORK/nope"
expect_error "kernel is a directory" 126 "is a directory" \
	run --kernel "$WORK"
: >"$WORK/empty"
expect_error "empty kernel" 126 "is empty" run --kernel "$WORK/empty"
head -c 65536 /dev/urandom >"$WORK/random"
expect_error "random bytes" 126 "kernel $WORK/random: not a kernel image" \
	run --kernel "$WORK/random"
# A file that is no kernel is refused from its first 64 KiB, however
# large: a 3 GiB sparse file costs no more memory than the 64 KiB above
# (kvmux used to read it whole first, 3 GiB of RSS).  Relative to that,
# as a sanitizer's runtime weighs more than kvmux; timeout only guards
# against a hang.
if [ ! -x /usr/bin/time ]; then
	skip "a 3 GiB file that is no kernel" "no /usr/bin/time (scripts/install-deps.sh installs time)"
elif truncate -s 3G "$WORK/big-sparse"; then
	peak_rss run --kernel "$WORK/random"
	base_rss=$rss
	peak_rss run --kernel "$WORK/big-sparse"
	check "a 3 GiB file that is no kernel: 126 from its first 64 KiB (max RSS $rss KiB, $base_rss for 64 KiB)" \
		all_of 'status_is 126' 'err_one_line' \
		"err_has 'kernel $WORK/big-sparse: not a kernel image'" \
		'[ "$rss" -lt $((base_rss + 20480)) ]'
	rm -f "$WORK/big-sparse"
fi
expect_error "random bytes with --module: the kernel is what is wrong" 126 \
	"kernel $WORK/random: not a kernel image" \
	run --kernel "$WORK/random" --module "$WORK/random"
expect_error "--module with an ELF kernel: an ELF" 126 \
	"kernel $hello: --module is for multiboot kernels; this kernel is an ELF (use --initrd)" \
	run --kernel "$hello" --module "$WORK/random"
# What does not fit is not the kernel's fault: no "kernel PATH: " before
# the initrd's or a module's line (the loaders used to get it for all).
head -c 31M /dev/zero >"$WORK/big.img"
expect_error "an initrd that does not fit: said as the initrd's" 126 \
	"kvmux: initrd of 32505856 bytes does not fit in --memory 32M" \
	run --kernel "$FIRMWARE/initrd.elf" --initrd "$WORK/big.img" --memory 32M
expect_error "a module that does not fit: said as the module's" 126 \
	"kvmux: no room for multiboot module 0" \
	run --kernel "$FIRMWARE/exitcode.mb.elf" --module "$WORK/big.img" \
	--memory 32M
rm -f "$WORK/big.img"
head -c 100 "$hello" >"$WORK/trunc.elf"
expect_error "truncated ELF" 126 "kernel $WORK/trunc.elf: the image is truncated" \
	run --kernel "$WORK/trunc.elf"
head -c 1200 "$FIRMWARE/hello.bzImage" >"$WORK/trunc.bzImage"
expect_error "truncated bzImage" 126 \
	"kernel $WORK/trunc.bzImage: bzImage is truncated" \
	run --kernel "$WORK/trunc.bzImage"
# Cut inside the kernel: the numbers are the kernel's, the setup's, their
# sum and the file's, each named (as the setup header gives them).
head -c 5000 "$FIRMWARE/hello.bzImage" >"$WORK/trunc5000.bzImage"
setup=$(((1 + $(od -An -tu1 -j $((0x1f1)) -N1 "$FIRMWARE/hello.bzImage")) * 512))
kernel=$(($(od -An -tu4 -j $((0x1f4)) -N4 "$FIRMWARE/hello.bzImage") * 16))
expect_error "bzImage truncated in its kernel: the sizes named" 126 \
	"$(printf 'kernel %s: bzImage is truncated: its setup header promises %#x bytes of kernel after %#x bytes of setup, %#x in all; the file has 0x1388 bytes' \
		"$WORK/trunc5000.bzImage" "$kernel" "$setup" $((kernel + setup)))" \
	run --kernel "$WORK/trunc5000.bzImage"
objcopy --remove-section .note.Xen "$hello" "$WORK/nonote.elf"
expect_error "ELF without the PVH note" 126 "PVH" \
	run --kernel "$WORK/nonote.elf"
expect_error "a host program is not a kernel" 126 "ELF" \
	run --kernel "$(type -P true)"
head -c $((3 * 1024 * 1024)) /dev/urandom >"$WORK/big.initrd"
expect_error "--memory too small for the initrd" 126 "initrd" \
	run --kernel "$hello" --initrd "$WORK/big.initrd" --memory 4M
expect_error "--memory below the minimum" 126 "too small" \
	run --kernel "$hello" --memory 1M
expect_error "--memory larger than the host" 125 "more than this host" \
	run --kernel "$hello" --memory 1000G
expect_error "--memory not a size" 126 "not a size" \
	run --kernel "$hello" --memory lots
expect_error "--memory not 4K aligned" 126 "multiple of 4 KiB" \
	run --kernel "$hello" --memory 1000001b
expect_error "nonexistent initrd" 126 "initrd" \
	run --kernel "$hello" --initrd "$WORK/nope"
expect_error "--cpus 0" 126 "--cpus" run --kernel "$hello" --cpus 0
expect_error "--cpus not a number" 126 "--cpus" run --kernel "$hello" --cpus x
expect_error "--timeout not a duration" 126 "--timeout" \
	run --kernel "$hello" --timeout soon
expect_error "unknown option" 126 "unknown option" \
	run --kernel "$hello" --frobnicate
expect_error "no kernel" 126 "no kernel" run
expect_error "no command" 126 "no command"
expect_error "unknown command" 126 "unknown command" fly

# A missing or unusable KVM device (the variable points kvmux elsewhere).
KVMUX_KVM_DEVICE="$WORK/nokvm" kvmux_run run --kernel "$hello"
check "missing /dev/kvm" all_of 'status_is 125' 'err_has "does not exist"' \
	'err_one_line'
kvmux_run run --kernel "$hello" --kvm-device /dev/null
check "a device that is not KVM" all_of 'status_is 125' \
	'err_has "not a KVM device"' 'err_one_line'
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	# Without permission: drop root for the run.
	status=0
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$KVMUX" run --kernel "$hello" >"$WORK/out" 2>"$WORK/err" ||
		status=$?
	STATUS=$status OUT=$(cat "$WORK/out") ERR=$(cat "$WORK/err")
	check "no permission on /dev/kvm" all_of 'status_is 125' \
		'err_has "no permission"' 'err_one_line'
fi

# An input file that changes while kvmux reads it (a build rewriting the
# kernel or initrd as a test boots it: cp truncates, then writes) is
# refused in one line naming it (126), with its result file; it never
# kills kvmux (a mapped file that shrinks raised SIGBUS, 135).  The test
# build waits, the file open and its size taken but nothing read, while
# $KVMUX_TEST_INPUT_GATE (WHAT:FIFO) has a writer: opening the FIFO to
# write returns once kvmux is there, and the file is changed before the
# writer closes it.
# input_gate_run WHAT CHANGE ARGS...: kvmux run ARGS with --result, the
# input WHAT changed by the command CHANGE at the gate.
input_gate_run() {
	local what=$1 change=$2 pid opener
	shift 2
	rm -f "$WORK/gate" "$WORK/result.json" "$WORK/changed"
	mkfifo "$WORK/gate"
	KVMUX_TEST_INPUT_GATE="$what:$WORK/gate" timeout -k 5 \
		"$OUTER_TIMEOUT" "$KVMUX_TEST_BUILD" run "$@" \
		--result "$WORK/result.json" >"$WORK/out" 2>"$WORK/err" \
		</dev/null &
	pid=$!
	(exec 3>"$WORK/gate" && eval "$change" && : >"$WORK/changed") &
	opener=$!
	STATUS=0
	wait "$pid" || STATUS=$?
	kill "$opener" 2>/dev/null # kvmux never came to the gate
	wait "$opener" 2>/dev/null
	OUT=$(cat "$WORK/out")
	ERR=$(cat "$WORK/err")
}
# changed_while_read NAME WHAT FILE BYTES: FILE (the input WHAT) of BYTES
# bytes was cut to 100 at the gate.
changed_while_read() {
	check "$1" all_of 'status_is 126' 'err_one_line' \
		"err_has 'kvmux: $2 $3 changed while being read: it ends at byte 100, before the $4 bytes it had when opened'" \
		'[ -e "$WORK/changed" ]' \
		'grep -q "\"status\": *126" "$WORK/result.json"' \
		"grep -qF '$2 $3 changed while being read' \"\$WORK/result.json\""
}
if [ -x "${KVMUX_TEST_BUILD:-}" ]; then
	head -c 1M /dev/urandom >"$WORK/cut.initrd"
	input_gate_run initrd 'truncate -s 100 "$WORK/cut.initrd"' \
		--kernel "$hello" --initrd "$WORK/cut.initrd"
	changed_while_read "an initrd cut short while kvmux reads it: 126, one line" \
		initrd "$WORK/cut.initrd" 1048576
	cp "$hello" "$WORK/cut.elf"
	size=$(stat -c %s "$WORK/cut.elf")
	input_gate_run kernel 'truncate -s 100 "$WORK/cut.elf"' \
		--kernel "$WORK/cut.elf"
	changed_while_read "a kernel cut short while kvmux reads it: 126, one line" \
		kernel "$WORK/cut.elf" "$size"
	head -c 1M /dev/urandom >"$WORK/cut.mod"
	input_gate_run module 'truncate -s 100 "$WORK/cut.mod"' \
		--kernel "$FIRMWARE/exitcode.mb.elf" --module "$WORK/cut.mod"
	changed_while_read "a module cut short while kvmux reads it: 126, one line" \
		module "$WORK/cut.mod" 1048576
	# One that grows is read to the size it had when opened.
	head -c 300000 /dev/urandom >"$WORK/grow.initrd"
	crc=$(python3 -c 'import sys, zlib; print("%08x" % zlib.crc32(open(sys.argv[1], "rb").read()))' "$WORK/grow.initrd")
	input_gate_run initrd 'head -c 5000 /dev/urandom >>"$WORK/grow.initrd"' \
		--kernel "$FIRMWARE/initrd.elf" --initrd "$WORK/grow.initrd" \
		--timeout 30
	check "an initrd that grows while kvmux reads it: the bytes it had when opened" \
		all_of 'status_is 0' '[ -e "$WORK/changed" ]' \
		"out_has 'initrd: size=300000 crc32=$crc'"
	rm -f "$WORK/cut.initrd" "$WORK/cut.mod" "$WORK/grow.initrd"
else
	skip "input files that change while read" "set KVMUX_TEST_BUILD (make integration does)"
fi

# /dev/fd/N and /proc/self/fd/N above stderr: kvmux closed what it
# inherited there and reuses the numbers, so such a name reaches a file of
# kvmux's own (the kernel as the initrd, the console log as a disk):
# refused, 126, for every N, also through a symbolic link; /dev/stdin
# stays the caller's.  Which N kvmux holds depends on what it opened, so
# every N from 3 to 14 is tried: none may boot, and some must be named.
head -c 4096 /dev/urandom >"$WORK/fd.img"
exec 17<"$WORK/fd.img"
: >"$WORK/fd.log"
cp "$hello" "$WORK/fd.elf"
fd_statuses="" fd_named=0
for n in 3 4 5 6 7 8 9 10 11 12 13 14; do
	ln -sfn "/proc/self/fd/$n" "$WORK/fd.link"
	for args in "--kernel $FIRMWARE/initrd.elf --initrd /dev/fd/$n" \
		"--kernel $FIRMWARE/blk.elf --disk $WORK/fd.link --console-log $WORK/fd.log,append" \
		"--kernel $WORK/fd.elf --dump-dtb $WORK/fd.link" \
		"--kernel $hello --console-output /dev/fd/$n"; do
		# shellcheck disable=SC2086 # the words of $args
		kvmux_run run $args --timeout 30
		fd_statuses="$fd_statuses $STATUS"
		! err_has "leads through /proc" ||
			fd_named=$((fd_named + 1))
	done
done
exec 17<&-
check "/dev/fd/N, /proc/self/fd/N and links to them: never a file of kvmux's own (126 every time)" \
	all_of '[ -z "$(tr " " "\n" <<<"$fd_statuses" | grep . | grep -vx 126)" ]' \
	'[ "$fd_named" -ge 4 ]' '[ ! -s "$WORK/fd.log" ]' \
	'cmp -s "$hello" "$WORK/fd.elf"'
STATUS=0
timeout -k 5 "$OUTER_TIMEOUT" "$KVMUX" run --kernel "$FIRMWARE/initrd.elf" \
	--initrd /dev/stdin --timeout 30 <"$WORK/fd.img" >"$WORK/out" \
	2>"$WORK/err" || STATUS=$?
OUT=$(cat "$WORK/out") ERR=$(cat "$WORK/err")
check "--initrd /dev/stdin (a file): the caller's, read" all_of 'status_is 0' \
	'out_has "initrd: size=4096"'
# A path that only passes through /proc to a file of its own is the
# file's: the same image twice through /proc/self/root (a container's
# files are named so) is read-only shared, as by its plain path.
kvmux_run run --kernel "$FIRMWARE/initrd.elf" \
	--initrd "/proc/self/root$(realpath "$WORK/fd.img")" \
	--disk "path=/proc/self/root$(realpath "$WORK/fd.img"),readonly=on" \
	--timeout 30
check "/proc/self/root/...: a path through /proc to a file kvmux also holds is not refused" \
	all_of 'status_is 0' 'out_has "initrd: size=4096"'
expect_error "a /proc file as a disk: no size, 126" 126 \
	"disk /proc/self/status has no size" \
	run --kernel "$FIRMWARE/blk.elf" --disk /proc/self/status
rm -f "$WORK/fd.img" "$WORK/fd.log" "$WORK/fd.elf" "$WORK/fd.link"
