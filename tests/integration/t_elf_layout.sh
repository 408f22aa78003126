# SPDX-License-Identifier: GPL-2.0-only
# ELF kernels as real toolchains lay them out: segments below 1 MiB, files
# larger than guest RAM, a huge .bss, and Linux's command-line limit.

# patch_elf IN OUT PYTHON: OUT is IN with program headers changed by
# PYTHON, which sees ph (a list of [type, flags, offset, vaddr, paddr,
# filesz, memsz, align]) of an ELF64 file.
patch_elf() {
	python3 - "$1" "$2" "$3" <<'EOF2'
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
phoff, = struct.unpack_from("<Q", data, 0x20)
phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
fmt = "<IIQQQQQQ"
ph = [list(struct.unpack_from(fmt, data, phoff + i * phentsize))
      for i in range(phnum)]
exec(sys.argv[3])
for i, p in enumerate(ph):
    struct.pack_into(fmt, data, phoff + i * phentsize, *p)
open(sys.argv[2], "wb").write(data)
EOF2
}

# GNU ld's default script: the headers in a read-only PT_LOAD at 0xff000.
stock="$FIRMWARE/hello.stock.elf"
first_load=$(readelf -lW "$stock" | awk '$1 == "LOAD" { print $4; exit }')
kvmux_run run --kernel "$stock" --timeout 30
check "ld -Ttext=0x100000 kernel (headers at 0xff000) boots" all_of \
	'[ "$first_load" = 0x00000000000ff000 ]' 'status_is 0' \
	'out_has "Hello from the kvmux guest!"'

# A PT_LOAD (.bss only) over low memory, where the start info, command
# line, GDT and device tree usually go: they move, and the kernel finds
# them (the PVH note through the section headers now).
low_bss='ph[2] = [1, 4, 0, 0x1000, 0x1000, 0, 0x9e000, 0x1000]'
patch_elf "$FIRMWARE/initrd.elf" "$WORK/initrd-low.elf" "$low_bss"
patch_elf "$FIRMWARE/blk.elf" "$WORK/blk-low.elf" "$low_bss"
head -c 300000 /dev/urandom >"$WORK/low.initrd"
crc=$(python3 -c 'import sys, zlib; print("%08x" % zlib.crc32(open(sys.argv[1], "rb").read()))' "$WORK/low.initrd")
kvmux_run run --kernel "$WORK/initrd-low.elf" --initrd "$WORK/low.initrd" \
	--timeout 30
check "boot structures move out of a segment over low memory" all_of \
	'status_is 0' "out_has 'initrd: size=300000 crc32=$crc'"
truncate -s 1M "$WORK/low.disk"
kvmux_run run --kernel "$WORK/blk-low.elf" --disk "path=$WORK/low.disk" \
	--timeout 60
check "the device tree moves out of it too, and is found" all_of \
	'status_is 0' 'out_has "(dtb)"' 'out_has "blk: ok"'
patch_elf "$FIRMWARE/hello.elf" "$WORK/overlap.elf" \
	'ph[2] = [1, 4, 0, ph[0][3], ph[0][4] + 0x1000, 0, 0x1000, 0x1000]'
kvmux_run run --kernel "$WORK/overlap.elf"
check "overlapping segments are refused, naming both" all_of \
	'status_is 126' 'err_has "the kernel (program header 2) at 0x101000-0x101fff overlaps the kernel (program header 0) at 0x100000-"' \
	'err_one_line'

# Only loadable segments must fit: debug sections larger than guest RAM.
truncate -s 40M "$WORK/debug.bin"
objcopy --add-section .debug_big="$WORK/debug.bin" "$FIRMWARE/hello.elf" \
	"$WORK/hello-debug.elf"
size=$(stat -c %s "$WORK/hello-debug.elf")
kvmux_run run --kernel "$WORK/hello-debug.elf" --memory 32M --timeout 30
check "a kernel file larger than guest RAM boots" all_of \
	"[ $size -gt $((32 << 20)) ]" 'status_is 0' \
	'out_has "Hello from the kvmux guest!"'
# And its debug section is never read: kvmux's peak RSS is that of the
# same kernel without it (bounded by what it adds, as a sanitizer's
# runtime weighs more than kvmux).
if [ ! -x /usr/bin/time ]; then
	skip "a 40 MiB debug section is not read" "no /usr/bin/time (scripts/install-deps.sh installs time)"
else
	peak_rss run --kernel "$FIRMWARE/hello.elf" --memory 32M --timeout 30
	base_rss=$rss
	peak_rss run --kernel "$WORK/hello-debug.elf" --memory 32M --timeout 30
	check "a 40 MiB debug section is not read (max RSS $rss KiB, $base_rss without it)" \
		all_of 'status_is 0' '[ "$rss" -lt $((base_rss + 8192)) ]'
fi
rm -f "$WORK/debug.bin" "$WORK/hello-debug.elf"

# A 2.75 GiB .bss is not written: while the guest runs, kvmux's peak RSS
# since exec (VmHWM, which covers loading) stays far below it.
patch_elf "$FIRMWARE/spin.elf" "$WORK/bigbss.elf" 'ph[1][6] += 0xb0000000'
hwm_kib=$(timeout -k 5 "$OUTER_TIMEOUT" python3 - "$KVMUX" "$WORK/bigbss.elf" <<'EOF2'
import subprocess, sys
p = subprocess.Popen([sys.argv[1], "run", "--kernel", sys.argv[2],
                      "--memory", "3G", "--timeout", "60"],
                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
hwm = "none"
for line in p.stdout:
    if line.startswith(b"spin: forever"):
        with open("/proc/%d/status" % p.pid) as f:
            hwm = [l.split()[1] for l in f if l.startswith("VmHWM:")][0]
        break
p.kill()
p.wait()
print(hwm)
EOF2
)
check "2.75 GiB .bss: peak RSS ${hwm_kib} KiB while it runs (< 64 MiB)" \
	all_of '[ "$hwm_kib" != none ]' "[ ${hwm_kib:-999999999} -lt 65536 ]"

# Linux keeps 2047 bytes of command line: counted with what kvmux adds.
python3 - "$WORK/linux.note" <<'EOF2'
import struct, sys
name, desc = b"Linux\0", b"\0\0\0\0"
open(sys.argv[1], "wb").write(struct.pack("<III", len(name), len(desc), 0x100)
                               + name + b"\0\0" + desc)
EOF2
objcopy --add-section .note.linux="$WORK/linux.note" "$FIRMWARE/hello.elf" \
	"$WORK/vmlinux-like.elf"
truncate -s 1M "$WORK/cmd.disk"
line2012=$(printf 'x%.0s' $(seq 2012))
line2010=$(printf 'x%.0s' $(seq 2010))
kvmux_run run --kernel "$WORK/vmlinux-like.elf" --cmdline "$line2012" \
	--disk "path=$WORK/cmd.disk"
check "Linux PVH: 2012 bytes plus a disk's entry is refused" all_of \
	'status_is 126' \
	'err_has "kernel command line is too long: 2048 bytes, this kernel accepts at most 2047"' \
	'err_one_line'
kvmux_run run --kernel "$WORK/vmlinux-like.elf" --cmdline "$line2010" \
	--disk "path=$WORK/cmd.disk" --timeout 30
check "Linux PVH: 2046 bytes with the entry fit" status_is 0
kvmux_run run --kernel "$FIRMWARE/hello.elf" --cmdline "$line2012$line2012" \
	--disk "path=$WORK/cmd.disk" --timeout 30
check "other PVH kernels take longer lines" status_is 0
