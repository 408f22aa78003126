# SPDX-License-Identifier: GPL-2.0-only
# Disk images through the real binary: images of other formats refused
# with the command that converts them, and snapshot=on: private
# copy-on-write views of one golden image, several kvmux processes at
# once, the image unchanged, nothing left in $TMPDIR.

fw="$FIRMWARE"

# ---- images of other formats ----

# A raw disk whose first sector is a qcow2 header (made by hand, so this
# runs without qemu-img too): refused; with format=raw, served as bytes.
truncate -s 1M "$WORK/fake.qcow2" "$WORK/other.img"
printf 'QFI\373\0\0\0\3' | dd of="$WORK/fake.qcow2" conv=notrunc status=none
printf 'other-disk-OOOO' | dd of="$WORK/other.img" conv=notrunc status=none
kvmux_run run --kernel "$fw/blk.elf" --disk "$WORK/fake.qcow2" --timeout 30
check "a qcow2 header at 0 is refused, naming qemu-img convert" all_of \
	'status_is 126' 'err_has "is a qcow2 image"' \
	"err_has \"qemu-img convert -O raw $WORK/fake.qcow2 $WORK/fake.qcow2.raw\"" \
	'err_one_line'
# A path a shell would split: the command quotes it.
cp "$WORK/fake.qcow2" "$WORK/my disk,1.qcow2"
kvmux_run run --kernel "$fw/blk.elf" --disk "$WORK/my disk,,1.qcow2" \
	--timeout 30
check "the qemu-img command quotes a path with a blank" all_of \
	'status_is 126' \
	"err_has \"qemu-img convert -O raw '$WORK/my disk,1.qcow2' '$WORK/my disk,1.qcow2.raw'\""
kvmux_run run --kernel "$fw/multi_disk.elf" --timeout 30 \
	--disk "path=$WORK/fake.qcow2,format=raw" --disk "$WORK/other.img"
check "format=raw serves such a disk's bytes as they are" all_of \
	'status_is 0' 'out_has "multi_disk: disk0 QFI."'

# The same bytes in sector 1, and a VHD cookie in the last sector
# without the footer's fields: a raw disk, served.
truncate -s 1M "$WORK/inner.img"
printf 'QFI\373\0\0\0\3' | dd of="$WORK/inner.img" bs=512 seek=1 \
	conv=notrunc status=none
printf 'conectix' | dd of="$WORK/inner.img" bs=512 seek=2047 \
	conv=notrunc status=none
kvmux_run run --kernel "$fw/blk.elf" --disk "$WORK/inner.img" --timeout 60
check "magic bytes elsewhere in a raw disk are not a format" all_of \
	'status_is 0' 'out_has "blk: ok"'

if command -v qemu-img >/dev/null 2>&1; then
	for spec in qcow2:qcow2: qcow:qcow: qed:QED: vmdk:VMDK: \
		vmdk:VMDK:subformat=monolithicFlat \
		vmdk:VMDK:subformat=streamOptimized vpc:VHD: \
		vpc:VHD:subformat=fixed vhdx:VHDX: vdi:VDI:; do
		IFS=: read -r fmt name opt <<<"$spec"
		img="$WORK/made-$fmt${opt:+-${opt#subformat=}}.img"
		qemu-img create -q -f "$fmt" ${opt:+-o "$opt"} "$img" 4M
		kvmux_run run --kernel "$fw/blk.elf" --disk "$img" --timeout 30
		check "qemu-img's $fmt ${opt:-image} is refused as $name" \
			all_of 'status_is 126' "err_has \"is a $name image\"" \
			"err_has \"qemu-img convert -O raw $img $img.raw\"" \
			'err_one_line'
	done
	# The command it names makes a disk that works.
	img="$WORK/made-qcow2.img"
	qemu-img convert -O raw "$img" "$img.raw"
	kvmux_run run --kernel "$fw/blk.elf" --disk "$img.raw" --timeout 60
	check "the converted image is served" all_of 'status_is 0' \
		'out_has "blk: ok"'
else
	skip "images made by qemu-img" \
		"qemu-img is missing (qemu-utils: scripts/install-deps.sh)"
fi

# ---- snapshot=on ----

# A golden image that starts with a known line, the rest random.
head -c $((8 << 20)) /dev/urandom >"$WORK/golden.img"
printf 'golden-image-GGG' | dd of="$WORK/golden.img" conv=notrunc status=none
golden_sum=$(sha256sum <"$WORK/golden.img")
scratch="$WORK/tmpdir"
mkdir "$scratch"
golden_unchanged() { [ "$golden_sum" = "$(sha256sum <"$WORK/golden.img")" ]; }
scratch_empty() { [ -z "$(ls -A "$scratch")" ]; }

# A holds the image: it writes its pattern (seed 1), reads it back, and
# waits for a line on its console before reading it back once more.
rm -f "$WORK/a.out" "$WORK/a.in"
mkfifo "$WORK/a.in"
TMPDIR="$scratch" timeout -k 5 "$OUTER_TIMEOUT" "$KVMUX" run \
	--kernel "$fw/blk.elf" --cmdline "seed=1 hold=1" \
	--disk "path=$WORK/golden.img,snapshot=on" \
	<"$WORK/a.in" >"$WORK/a.out" 2>&1 &
a_pid=$!
exec {a_in}>"$WORK/a.in"
wait_for_output "$WORK/a.out" "blk: holding" "$a_pid"
OUT=$(cat "$WORK/a.out") ERR="" STATUS=0
check "snapshot A: wrote and read back its pattern, holds the image" \
	out_has "blk: holding"
check "snapshot A: its store has no name in \$TMPDIR" scratch_empty

# While A runs: B, another process, on the same image (seed 2).
TMPDIR="$scratch" kvmux_run run --kernel "$fw/blk.elf" --cmdline seed=2 \
	--disk "path=$WORK/golden.img,snapshot=on,serial=b" --timeout 60
check "snapshot B at the same time: its own writes read back" all_of \
	'status_is 0' 'out_has "blk: serial=b capacity=16384 ro=0"' \
	'out_has "blk: ok"' '[ -z "$ERR" ]'
kvmux_run run --kernel "$fw/blk.elf" --disk "path=$WORK/golden.img" \
	--timeout 30
check "a writer is refused while snapshots use the image (125)" all_of \
	'status_is 125' 'err_has "in use"' 'err_one_line'
TMPDIR="$WORK/nonexistent" kvmux_run run --kernel "$fw/blk_ro.elf" \
	--disk "path=$WORK/golden.img,readonly=on,snapshot=on" --timeout 60
check "readonly=on,snapshot=on: a read-only disk, no store needed" all_of \
	'status_is 0' 'out_has "blk_ro: ro=1"' 'out_has "blk_ro: ok"'

echo go >&"$a_in"
exec {a_in}>&-
status=0
wait "$a_pid" || status=$?
OUT=$(cat "$WORK/a.out") ERR="" STATUS=$status
check "snapshot A: still reads its own pattern after B, ends 0" all_of \
	'status_is 0' 'out_has "blk: still mine"'
check "snapshots: the golden image is unchanged" golden_unchanged
check "snapshots: nothing left in \$TMPDIR" scratch_empty

# A new run sees the image, not what earlier snapshots wrote to sector 0.
TMPDIR="$scratch" kvmux_run run --kernel "$fw/multi_disk.elf" --timeout 30 \
	--disk "path=$WORK/golden.img,snapshot=on" --disk "$WORK/other.img"
check "unwritten sectors come from the image; old writes are gone" all_of \
	'status_is 0' 'out_has "multi_disk: disk0 golden-image-GGG"'

# Two VMs of one run, from config files, on the same image.
for v in 1 2; do
	cat >"$WORK/snap$v.conf" <<EOF
[vm]
name = snap$v
memory = 32M
[kernel]
path = $fw/blk.elf
cmdline = seed=1$v
[disk "root"]
path = $WORK/golden.img
snapshot = on
EOF
done
TMPDIR="$scratch" kvmux_run run "$WORK/snap1.conf" "$WORK/snap2.conf" \
	--host-cpus 2
check "group: two VMs with snapshot = on share one image" all_of \
	'status_is 0' 'out_has "snap1| blk: ok"' 'out_has "snap2| blk: ok"'
check "group: the image unchanged, \$TMPDIR empty" all_of golden_unchanged \
	scratch_empty

# A full $TMPDIR: the guest's write fails, kvmux says why, once.
mkdir "$WORK/full"
if unshare -m sh -c 'mount -t tmpfs -o size=32k kvmux-full "$0"' \
	"$WORK/full" 2>/dev/null; then
	status=0
	timeout -k 5 "$OUTER_TIMEOUT" unshare -m sh -c \
		'mount -t tmpfs -o size=32k kvmux-full "$0" &&
		TMPDIR="$0" exec "$@"' "$WORK/full" "$KVMUX" run \
		--kernel "$fw/blk.elf" --timeout 60 \
		--disk "path=$WORK/golden.img,snapshot=on" \
		>"$WORK/out" 2>"$WORK/err" </dev/null || status=$?
	OUT=$(cat "$WORK/out") ERR=$(cat "$WORK/err") STATUS=$status
	check "a full \$TMPDIR: the guest gets IOERR, kvmux one line" all_of \
		'status_is 1' 'out_has "(IOERR)"' 'out_has "blk: FAIL write"' \
		"err_has \"snapshot store in $WORK/full: write failed: No space left\"" \
		'err_one_line'
	check "a full \$TMPDIR: the golden image is unchanged" golden_unchanged
else
	skip "a full \$TMPDIR" "cannot mount a tmpfs here (unshare -m)"
fi

TMPDIR="$WORK/nonexistent" kvmux_run run --kernel "$fw/blk.elf" \
	--disk "path=$WORK/golden.img,snapshot=on" --timeout 30
check "a \$TMPDIR where no store can be made: 125, one line" all_of \
	'status_is 125' 'err_has "snapshot store"' \
	"err_has \"$WORK/nonexistent\"" 'err_one_line'

# ---- what cannot be a disk, and disks the host will not let us write ----

# Whatever the open(2) error (a socket gives ENXIO, a directory opened to
# write EISDIR), the line says what the path is.
mkdir "$WORK/dir.img"
mkfifo "$WORK/fifo.img"
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
	"$WORK/sock.img"
for t in dir:directory fifo:FIFO sock:socket; do
	for ro in off on; do
		kvmux_run run --kernel "$fw/blk.elf" --timeout 30 \
			--disk "path=$WORK/${t%%:*}.img,readonly=$ro"
		check "a ${t#*:} as a disk (readonly=$ro): named, 126" all_of \
			'status_is 126' 'err_one_line' \
			"err_has \"kvmux: disk $WORK/${t%%:*}.img is a ${t#*:}, not a file or a block device\""
	done
done

# A read-only file system: refused at the start, pointing at readonly=on.
mkdir -p "$WORK/rofs"
truncate -s 1M "$WORK/rofs/disk.img"
if unshare -m sh -c 'mount -o bind,ro "$0" "$0"' "$WORK/rofs" 2>/dev/null; then
	status=0
	timeout -k 5 "$OUTER_TIMEOUT" unshare -m sh -c \
		'mount -o bind,ro "$0" "$0" && exec "$@"' "$WORK/rofs" \
		"$KVMUX" run --kernel "$fw/blk.elf" --timeout 30 \
		--disk "path=$WORK/rofs/disk.img" \
		>"$WORK/out" 2>"$WORK/err" </dev/null || status=$?
	OUT=$(cat "$WORK/out") ERR=$(cat "$WORK/err") STATUS=$status
	check "a disk on a read-only file system: 126, use readonly=on" \
		all_of 'status_is 126' 'err_one_line' \
		"err_has \"cannot open disk $WORK/rofs/disk.img: Read-only file system (use readonly=on)\""
else
	skip "a disk on a read-only file system" "cannot bind-mount here (unshare -m)"
fi

# A read-only block device (a loop device set up with -r): open(O_RDWR)
# succeeds, so kvmux asks the kernel (BLKROGET) and refuses it the same
# way; with readonly=on the guest gets a read-only disk.  The loop device
# is detached however this ends.
truncate -s 1M "$WORK/loop.img"
loopdev="" why="no losetup here"
if command -v losetup >/dev/null 2>&1; then
	loopdev=$(losetup -r -f --show "$WORK/loop.img" 2>"$WORK/losetup.err") ||
		loopdev="" why="losetup -r: $(head -n 1 "$WORK/losetup.err")"
fi
if [ -n "$loopdev" ]; then
	detach_loop() { losetup -d "$loopdev" 2>/dev/null; }
	trap 'detach_loop; rm -rf "$WORK"' EXIT
	trap 'detach_loop; exit 129' HUP
	trap 'detach_loop; exit 130' INT
	trap 'detach_loop; exit 143' TERM
	kvmux_run run --kernel "$fw/blk_ro.elf" --disk "$loopdev" --timeout 30
	check "a read-only block device: 126, use readonly=on" all_of \
		'status_is 126' 'err_one_line' \
		"err_has \"kvmux: cannot open disk $loopdev: Read-only block device (use readonly=on)\""
	kvmux_run run --kernel "$fw/blk_ro.elf" --timeout 60 \
		--disk "path=$loopdev,readonly=on"
	check "a read-only block device with readonly=on: RO offered" all_of \
		'status_is 0' 'out_has "blk_ro: ro=1"' 'out_has "blk_ro: ok"'
	kvmux_run run --kernel "$fw/blk.elf" --timeout 60 \
		--disk "path=$loopdev,snapshot=on"
	check "a read-only block device as a snapshot: writes go to the store" \
		all_of 'status_is 0' 'out_has "blk: ok"'
	detach_loop
	trap 'rm -rf "$WORK"' EXIT
	trap - HUP INT TERM
	check "the loop device is detached" \
		eval '! losetup -a | grep -qF -- "$WORK/loop.img"'
else
	skip "a read-only block device" "$why"
fi
