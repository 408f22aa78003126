# SPDX-License-Identifier: GPL-2.0-only
# The device tree: --dump-dtb writes the blob the guest would get, dtc
# (device-tree-compiler) must read it, and the guests find it in both boot
# formats (the test kernels locate virtio devices through it).

dts_has() { grep -qF -- "$1" "$WORK/x.dts"; }
dtc_reads() {
	dtc -I dtb -O dts -o "$WORK/x.dts" "$1" 2>"$WORK/dtc.err"
}

kvmux_run run --kernel "$FIRMWARE/hello.elf" --cpus 2 \
	--cmdline "console=ttyS0 dtb-check" --dump-dtb "$WORK/x.dtb"
# shellcheck disable=SC2016 # all_of evaluates its conditions later
check "--dump-dtb exits 0, prints nothing, runs no guest" all_of \
	'status_is 0' '[ -z "$OUT" ]' '[ -z "$ERR" ]' '[ -s "$WORK/x.dtb" ]'
check "dtc decompiles the DTB" dtc_reads "$WORK/x.dtb"
check "the DTB has 2 CPUs, memory, the UART and the bootargs" all_of \
	'dts_has "cpu@0 {"' 'dts_has "cpu@1 {"' '! dts_has "cpu@2 {"' \
	'dts_has "memory@0 {"' 'dts_has "memory@100000 {"' \
	'dts_has "serial@i3f8 {"' 'dts_has "compatible = \"ns16550a\";"' \
	'dts_has "bootargs = \"console=ttyS0 dtb-check\";"' \
	'dts_has "stdout-path = \"/isa/serial@i3f8\";"'

# An initrd and a disk show up in /chosen and as a virtio-mmio node.
head -c 5000 /dev/urandom >"$WORK/dtb-initrd.img"
truncate -s 1M "$WORK/dtb-disk.img"
kvmux_run run --kernel "$FIRMWARE/hello.bzImage" \
	--initrd "$WORK/dtb-initrd.img" --disk "path=$WORK/dtb-disk.img" \
	--dump-dtb "$WORK/y.dtb"
check "--dump-dtb with a bzImage, an initrd and a disk" all_of \
	'status_is 0' "dtc_reads '$WORK/y.dtb'" \
	'dts_has "linux,initrd-start"' 'dts_has "linux,initrd-end"' \
	'dts_has "virtio_mmio@d0000000 {"' \
	'dts_has "compatible = \"virtio,mmio\";"'

kvmux_run run --kernel "$FIRMWARE/hello.elf" \
	--dump-dtb "$WORK/no-such-dir/x.dtb"
check "--dump-dtb into a missing directory: 126, one line" all_of \
	'status_is 126' 'err_has "--dump-dtb"' 'err_one_line'

# A FIFO nobody reads is refused at once (it used to wait for a reader,
# and no signal but SIGKILL ended that); with a reader it gets the tree.
rm -f "$WORK/dtb.fifo"
mkfifo "$WORK/dtb.fifo"
kvmux_run run --kernel "$FIRMWARE/hello.elf" --dump-dtb "$WORK/dtb.fifo"
check "--dump-dtb into a FIFO without a reader: 126, one line" all_of \
	'status_is 126' 'err_one_line' \
	'err_has "--dump-dtb $WORK/dtb.fifo is a FIFO without a reader"'
exec 9<>"$WORK/dtb.fifo" # the reader, there before kvmux opens it
kvmux_run run --kernel "$FIRMWARE/hello.elf" --dump-dtb "$WORK/dtb.fifo"
MAGIC=$(head -c 4 <&9 | od -An -tx1 | tr -d " \n")
exec 9<&-
check "--dump-dtb into a FIFO with a reader: 0, the tree" all_of \
	'status_is 0' '[ "$MAGIC" = d00dfeed ]'

# The guest finds the tree: PVH module "dtb", bzImage SETUP_DTB.  (Only
# discovery is checked here; t_virtio.sh checks the disk works.)
for fmt in elf bzImage; do
	kvmux_run run --kernel "$FIRMWARE/blk.$fmt" \
		--disk "path=$WORK/dtb-disk.img" --timeout 60
	check "blk.$fmt finds its disk through the DTB" \
		out_has "blk: device at 0xd0000000 irq 5 (dtb)"
done
