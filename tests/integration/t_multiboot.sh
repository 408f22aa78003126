# SPDX-License-Identifier: GPL-2.0-only
# Multiboot (version 1) kernels as QEMU's -kernel boots them: an ELF and a
# flat image (address fields), with the initrd as module 0, more modules,
# the command line as QEMU builds it, and the device tree for virtio.

crc32() {
	python3 -c 'import sys, zlib; print("%08x" % zlib.crc32(open(sys.argv[1], "rb").read()))' "$1"
}
out_line() { grep -qxF -- "$1" <<<"$OUT"; }

head -c 10000 /dev/urandom >"$WORK/mb.initrd"
printf 'module one\n' >"$WORK/mb.mod"
initrd_crc=$(crc32 "$WORK/mb.initrd")
mod_crc=$(crc32 "$WORK/mb.mod")
# RAM below 640 KiB and from 1 MiB to 256 MiB, as in the e820 map.
mem_lower=$((0x9fc00 / 1024))
mem_upper=$((256 * 1024 - 1024))

for fmt in elf bin; do
	k="$FIRMWARE/mbinfo.mb.$fmt"
	kvmux_run run --kernel "$k" --cmdline "exit=7 suite-arg" \
		--initrd "$WORK/mb.initrd" \
		--module "$WORK/mb.mod,cmdline=x=1,y" --timeout 60
	check "multiboot $fmt: entered by multiboot, status from the line" \
		all_of 'status_is 7' 'out_has "mbinfo: proto=multiboot"' \
		'out_has "mbinfo: ok"'
	check "multiboot $fmt: file name, then --cmdline, nothing appended" \
		out_line "mbinfo: cmdline=$k exit=7 suite-arg"
	check "multiboot $fmt: --initrd is module 0, page-aligned, named" \
		out_line "mbinfo: module 0 size=10000 crc32=$initrd_crc page_aligned=1 string=$WORK/mb.initrd"
	check "multiboot $fmt: --module is module 1 with its string" \
		out_line "mbinfo: module 1 size=11 crc32=$mod_crc page_aligned=1 string=$WORK/mb.mod x=1,y"
	check "multiboot $fmt: memory info, memory map and loader name" \
		all_of "out_line 'mbinfo: loader=kvmux mem_lower=$mem_lower mem_upper=$mem_upper'" \
		"out_line 'mbinfo: mmap entries=4 ram=$((0x9fc00 + (255 << 20)))'" \
		"out_line 'mbinfo: proto=multiboot flags=0x24d'"
done

# Virtio devices: no virtio_mmio.device= on the line; the device tree is
# the last module, and a multiboot kernel drives a disk through it.
truncate -s 1M "$WORK/mb.disk"
kvmux_run run --kernel "$FIRMWARE/mbinfo.mb.elf" --cmdline "a b" \
	--disk "path=$WORK/mb.disk" --timeout 60
check "multiboot with a disk: the line as given, the DTB as a module" \
	all_of 'status_is 0' \
	"out_line 'mbinfo: cmdline=$FIRMWARE/mbinfo.mb.elf a b'" \
	'out_has "string=dtb"' '! out_has "virtio_mmio"'
kvmux_run run --kernel "$FIRMWARE/mbinfo.mb.bin" --timeout 60
check "multiboot without devices: no modules, QEMU's trailing space" \
	all_of 'status_is 0' '! out_has "mbinfo: module"' \
	"out_line 'mbinfo: cmdline=$FIRMWARE/mbinfo.mb.bin '"
for fmt in elf bin; do
	kvmux_run run --kernel "$FIRMWARE/blk.mb.$fmt" \
		--disk "path=$WORK/mb.disk" --timeout 60
	check "multiboot $fmt: virtio-blk found through the device tree" \
		all_of 'status_is 0' \
		'out_has "blk: device at 0xd0000000 irq 5 (dtb)"' \
		'out_has "blk: ok"'
done

# A config file: [module "NAME"] sections, paths relative to the file.
mkdir -p "$WORK/mbconf"
cp "$WORK/mb.mod" "$WORK/mbconf/one.bin"
cat >"$WORK/mbconf/mb.conf" <<EOF2
[vm]
timeout = 60
[kernel]
path = $FIRMWARE/mbinfo.mb.bin
cmdline = exit=3
[module "one"]
path = one.bin
cmdline = from the file
EOF2
kvmux_run run "$WORK/mbconf/mb.conf"
check "multiboot config: [module] with its path and cmdline" all_of \
	'status_is 3' \
	"out_line 'mbinfo: module 0 size=11 crc32=$mod_crc page_aligned=1 string=$WORK/mbconf/one.bin from the file'"

# What is refused, in one line.
kvmux_run run --kernel "$FIRMWARE/hello.elf" --module "$WORK/mb.mod"
check "--module with a PVH kernel is refused" all_of 'status_is 126' \
	'err_has "--module is for multiboot kernels"' 'err_one_line'
python3 - "$FIRMWARE/mbinfo.mb.bin" "$WORK/badsum.bin" <<'EOF2'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
off = data.find(b"\x02\xb0\xad\x1b")
data[off + 8] ^= 0xff
open(sys.argv[2], "wb").write(data)
EOF2
kvmux_run run --kernel "$WORK/badsum.bin"
check "multiboot header with a bad checksum is named" all_of \
	'status_is 126' 'err_has "has a bad checksum"' 'err_one_line'
kvmux_run run --kernel "$FIRMWARE/mbinfo.mb.bin" --memory 2M
check "multiboot .bss beyond RAM" all_of 'status_is 126' \
	'err_has "--memory 2M is too small: the kernel needs"' 'err_one_line'
kvmux_run run --kernel "$FIRMWARE/mbinfo.mb.elf" \
	--module "$WORK/mb.mod,cmdline=" --timeout 60
check "--module with an empty cmdline: the file name, no blank" \
	out_line "mbinfo: module 0 size=11 crc32=$mod_crc page_aligned=1 string=$WORK/mb.mod"
