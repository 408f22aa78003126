# SPDX-License-Identifier: GPL-2.0-only
# virtio-blk and virtio-console through the real binary: the guest's report,
# then the image files checked from the host side.

fw="$FIRMWARE"

# blk: pattern written, flushed, read back; serial and capacity reported.
truncate -s 64M "$WORK/disk.img"
for fmt in elf bzImage; do
	kvmux_run run --kernel "$fw/blk.$fmt" --cmdline seed=7 \
		--disk "path=$WORK/disk.img,serial=kvmux-disk-0" --timeout 60
	check "blk.$fmt: pattern, flush, read back" all_of 'status_is 0' \
		'out_has "blk: serial=kvmux-disk-0 capacity=131072 ro=0"' \
		'out_has "blk: ok"'
done
# From the host: the guest's first sector is no longer zeros.
check "blk: the image file holds what the guest wrote" \
	test "$(head -c 512 "$WORK/disk.img" | tr -d '\0' | wc -c)" -gt 0

# Read-only: writes fail with IOERR, reads work, the file is unchanged.
head -c $((4 << 20)) /dev/urandom >"$WORK/ro.img"
sum_before=$(sha256sum <"$WORK/ro.img")
kvmux_run run --kernel "$fw/blk_ro.elf" \
	--disk "path=$WORK/ro.img,readonly=on" --timeout 60
check "blk_ro: writes rejected, reads work" all_of 'status_is 0' \
	'out_has "blk_ro: ro=1"' 'out_has "blk_ro: ok"'
check "blk_ro: the image is unchanged" \
	test "$sum_before" = "$(sha256sum <"$WORK/ro.img")"

# Two disks, distinct contents.
truncate -s 1M "$WORK/a.img" "$WORK/b.img"
printf 'first-disk-AAAA' | dd of="$WORK/a.img" conv=notrunc status=none
printf 'second-disk-BBB' | dd of="$WORK/b.img" conv=notrunc status=none
kvmux_run run --kernel "$fw/multi_disk.elf" --disk "path=$WORK/a.img" \
	--disk "path=$WORK/b.img" --timeout 60
check "multi_disk: two disks in order" all_of 'status_is 0' \
	'out_has "first-disk-AAAA"' 'out_has "second-disk-BBB"'

# Data written and flushed survives SIGKILL right after the flush.
truncate -s 16M "$WORK/crash.img"
sectors=2048
"$KVMUX" run --kernel "$fw/blk.elf" \
	--cmdline "mode=write-flush sectors=$sectors seed=9" \
	--disk "path=$WORK/crash.img" >"$WORK/crash.out" 2>&1 </dev/null &
pid=$!
wait_for_output "$WORK/crash.out" "blk: flushed" "$pid"
kill -9 "$pid"
wait "$pid" 2>/dev/null
OUT=$(cat "$WORK/crash.out") ERR="" STATUS=0
check "kill -9 after flush: the guest had flushed" out_has "blk: flushed"
expected=$(python3 "$here/blk_pattern.py" 9 "$sectors" | sha256sum)
got=$(head -c $((sectors * 512)) "$WORK/crash.img" | sha256sum)
check "kill -9 after flush: every flushed byte is in the file" \
	test "$expected" = "$got"

# A locked image is refused rather than shared: kvmux cannot start the VM
# now (125), though nothing is wrong with the command (126).
exec {lockfd}<>"$WORK/disk.img"
flock -x "$lockfd"
kvmux_run run --kernel "$fw/blk.elf" --disk "path=$WORK/disk.img" --timeout 30
check "a disk locked by another process is refused (125)" all_of \
	'status_is 125' \
	"err_has \"disk $WORK/disk.img is in use by another process\"" \
	'err_one_line'
exec {lockfd}>&-

head -c 1000 /dev/zero >"$WORK/odd.img"
kvmux_run run --kernel "$fw/blk.elf" --disk "path=$WORK/odd.img" --timeout 30
check "a disk of partial sectors is refused" all_of 'status_is 126' \
	'err_has "512-byte sectors"' 'err_one_line'
kvmux_run run --kernel "$fw/blk.elf" --disk "path=$WORK/nope.img" --timeout 30
check "a missing disk is refused" all_of 'status_is 126' \
	'err_has "does not exist"' 'err_one_line'
kvmux_run run --kernel "$fw/blk.elf" --disk "readonly=on" --timeout 30
check "--disk without path=" all_of 'status_is 126' 'err_has "--disk"' \
	'err_one_line'
kvmux_run run --kernel "$fw/blk.elf" --disk "path=$WORK/disk.img,color=red"
check "--disk with an unknown key" all_of 'status_is 126' \
	'err_has "color"' 'err_one_line'

# virtio-console: output (including one line over 4 KiB) and echoed input.
status=0
printf 'hello console\nquit\n' | timeout 60 "$KVMUX" run \
	--kernel "$fw/console.elf" --console virtio >"$WORK/out" \
	2>"$WORK/err" || status=$?
STATUS=$status OUT=$(cat "$WORK/out") ERR=$(cat "$WORK/err")
check "console: output over virtio" all_of 'status_is 0' \
	'out_has "console: hello over virtio"'
check "console: input echoed back" out_has "echo: hello console"
check "console: a 4 KiB+ line arrives whole" \
	test "$(awk 'length > 4096' "$WORK/out" | wc -l)" -ge 1

# A hostile guest: random values in every register, random queue setups
# and notifications.  kvmux survives, and says at most once per device
# that the guest broke it.
truncate -s 8M "$WORK/g1.img" "$WORK/g2.img"
for seed in 1 2 3; do
	kvmux_run run --kernel "$fw/garbage.elf" --cmdline "seed=$seed" \
		--disk "path=$WORK/g1.img" --disk "path=$WORK/g2.img" \
		--console virtio --timeout 60
	check "garbage seed=$seed: the guest survives its own garbage" all_of \
		'status_is 0' 'out_has "garbage: survived"' \
		'test "$(printf "%s\n" "$ERR" | grep -c .)" -le 3'
done
kvmux_run run --kernel "$fw/blk.elf" --cmdline mode=bad-desc \
	--disk "path=$WORK/disk.img" --timeout 60
check "a descriptor outside RAM: DEVICE_NEEDS_RESET, then a clean restart" \
	all_of 'status_is 0' 'err_has "needs reset"' 'err_one_line'

# With VIRTIO_F_EVENT_IDX (as Linux negotiates it), nothing stalls.
status=0
printf 'idx line\nquit\n' | timeout 60 "$KVMUX" run --kernel "$fw/console.elf" \
	--console virtio --cmdline event_idx=1 >"$WORK/out" 2>"$WORK/err" ||
	status=$?
STATUS=$status OUT=$(cat "$WORK/out") ERR=$(cat "$WORK/err")
check "console with EVENT_IDX: output and echo" all_of 'status_is 0' \
	'out_has "console: hello over virtio"' 'out_has "echo: idx line"'
kvmux_run run --kernel "$fw/blk.elf" --cmdline "event_idx=1 seed=3" \
	--disk "path=$WORK/disk.img" --timeout 60
check "blk with EVENT_IDX" all_of 'status_is 0' 'out_has "blk: ok"'
