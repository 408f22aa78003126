# SPDX-License-Identifier: GPL-2.0-only
# The command line as other tools' users type it, through the real binary:
# kvmtool's short options, QEMU's --append, a bare --disk FILE, a comma in
# a disk's path, a kernel where a config file goes, and a config file line
# as long as a real kernel command line.

fw="$FIRMWARE"

# lkvm's short options: -k kernel, -p command line, -c CPUs, -m memory,
# -d disk (-i initrd is in t_boot.sh's initrd runs through --initrd).
truncate -s 1M "$WORK/cli.img"
kvmux_run run -k "$fw/exitcode.elf" -p exit=5 -c 2 -m 64 -d "$WORK/cli.img" \
	-t 60
check "cli: -k -p -c -m -d -t as kvmtool's users type them" all_of \
	'status_is 5' 'out_has "cmdline: exit=5"'
kvmux_run run --kernel "$fw/exitcode.elf" --append exit=6 --timeout 60
check "cli: --append is --cmdline" all_of 'status_is 6'

# A comma in a disk's path is written twice; a bare FILE is path=FILE.
truncate -s 1M "$WORK/a,b.img" "$WORK/plain.img"
printf 'first-disk-AAAA' | dd of="$WORK/a,b.img" conv=notrunc status=none
printf 'second-disk-BBB' | dd of="$WORK/plain.img" conv=notrunc status=none
kvmux_run run --kernel "$fw/multi_disk.elf" \
	--disk "path=$WORK/a,,b.img,readonly=on" --disk "$WORK/plain.img" \
	--timeout 60
check "cli: --disk path=a,,b.img is the file a,b.img; --disk FILE" all_of \
	'status_is 0' 'out_has "first-disk-AAAA"' 'out_has "second-disk-BBB"'

# A kernel image where a config file goes.
kvmux_run run "$fw/hello.elf"
check "cli: a kernel given as a config file says to use --kernel" all_of \
	'status_is 126' 'err_has "looks like a kernel image"' \
	"err_has \"use --kernel $fw/hello.elf\"" 'err_one_line'

# A 4 KiB command line on one config file line (libinih stopped at 199).
pad=$(printf 'x%.0s' $(seq 4000))
printf '[kernel]\npath = %s\ncmdline = pad=%s exit=9\n' \
	"$fw/exitcode.elf" "$pad" >"$WORK/long.conf"
kvmux_run run "$WORK/long.conf" --timeout 60
check "cli: a 4 KiB command line in a config file" all_of 'status_is 9' \
	"out_has \"pad=$pad exit=9\""

# --verbose says what the VM is built as; --quiet only what went wrong.
truncate -s 1M "$WORK/v.img"
kvmux_run run -k "$fw/hello.elf" -v -d "$WORK/v.img" -c 2 -t 60
check "cli: --verbose: memory map, devices, every port and MMIO range, boot structures, entry" all_of \
	'status_is 0' 'err_has "vm: memory map: 0x000000000-0x00009fbff RAM"' \
	"err_has \"vm: 2 vCPUs, ACPI on, irqchip split, PIT kvmux's, IRQ 0\"" \
	'err_has "MMIO: 0xfec00000-0xfec000ff ioapic"' \
	'err_has "MMIO: 0xfee00000-0xfee00fff the in-kernel local APIC (KVM)"' \
	'err_has "device 0: ioapic"' 'err_has "serial8250 (the console)"' \
	'err_has "virtio-mmio window: 0xd0000000-0xd00001ff, IRQ 5"' \
	'err_has "port I/O: 0x505-0x505 pvpanic"' \
	'err_has "port I/O: 0x40-0x43 i8254"' \
	'err_has "port I/O: 0x600-0x602 acpi-pm"' \
	'err_has "the ACPI RSDP"' \
	'err_has "entry: ELF kernel at 0x100000 in 32-bit flat protected mode"'
kvmux_run run -k "$fw/spin.elf" -q -t 1
check "cli: --quiet: a timeout says nothing, the status tells" all_of \
	'status_is 124' '[ -z "$ERR" ]'
kvmux_run run -k "$WORK/v.img" -q
check "cli: --quiet still says what went wrong" all_of 'status_is 126' \
	'err_one_line'
kvmux_run run -k "$fw/hello.elf" -q -v
check "cli: --quiet with --verbose is refused" all_of 'status_is 126' \
	'err_has "--quiet and --verbose"' 'err_one_line'

# Help that cannot be written is a host failure (125) with one line, not
# a silent 0.
STATUS=0
"$KVMUX" plan --help >/dev/full 2>"$WORK/err" || STATUS=$?
ERR=$(cat "$WORK/err")
check "cli: plan --help into a full disk: 125 and one line" all_of \
	'status_is 125' \
	'err_has "kvmux: cannot write the help to standard output: No space left on device"' \
	'err_one_line'
for args in "--help" "--version" "run --help"; do
	STATUS=0
	"$KVMUX" $args >/dev/full 2>"$WORK/err" || STATUS=$?
	ERR=$(cat "$WORK/err")
	check "cli: $args into a full disk: 125 and one line" all_of \
		'status_is 125' 'err_has "No space left on device"' \
		'err_one_line'
done
# So is a plan: a script reading it must not take an empty one.
printf '[kernel]\npath = %s\n' "$fw/exitcode.elf" >"$WORK/p.conf"
for json in "" "--json"; do
	STATUS=0
	"$KVMUX" plan $json "$WORK/p.conf" >/dev/full 2>"$WORK/err" ||
		STATUS=$?
	ERR=$(cat "$WORK/err")
	check "cli: plan ${json:+$json }into a full disk: 125 and one line" all_of \
		'status_is 125' \
		'err_has "cannot write the plan to standard output: No space left on device"' \
		'err_one_line'
done
STATUS=0
"$KVMUX" --version extra >"$WORK/out" 2>"$WORK/err" || STATUS=$?
OUT=$(cat "$WORK/out") ERR=$(cat "$WORK/err")
check "cli: --version takes no arguments (126, one line)" all_of \
	'status_is 126' '[ -z "$OUT" ]' 'err_one_line' \
	"err_has \"--version takes no arguments (got 'extra')\""
STATUS=0
"$KVMUX" bogus >"$WORK/out" 2>"$WORK/err" || STATUS=$?
ERR=$(cat "$WORK/err")
check "cli: an unknown command is named (126, one line)" all_of \
	'status_is 126' 'err_one_line' "err_has \"unknown command 'bogus'\""

# --dump-dtb in a group: refused as an option of one VM, in one line,
# before the VMs' files are compared (it named "dt.dtb is dt.dtb").
printf '[kernel]\npath = %s\n' "$fw/exitcode.elf" >"$WORK/ga.conf"
printf '[kernel]\npath = %s\n' "$fw/exitcode.elf" >"$WORK/gb.conf"
kvmux_run run "$WORK/ga.conf" "$WORK/gb.conf" --dump-dtb "$WORK/dt.dtb"
check "cli: --dump-dtb with two config files: one VM only" all_of \
	'status_is 126' 'err_one_line' \
	'err_has "kvmux: --dump-dtb works with one VM only: give one config file"' \
	'[ ! -e "$WORK/dt.dtb" ]'

# A multiboot kernel's line starts with its path and a blank: the limit of
# 65535 bytes counts them, the message says so and what --cmdline has.
mb="$fw/exitcode.mb.elf"
left=$((65535 - ${#mb} - 1))
pad=$(head -c $((left - 7)) /dev/zero | tr '\0' a)
kvmux_run run -k "$mb" -p "exit=4 $pad" --timeout 60
check "cli: multiboot: --cmdline of 65534 bytes less the path's boots" \
	all_of 'status_is 4'
kvmux_run run -k "$mb" -p "exit=4 ${pad}a" --timeout 60
check "cli: multiboot: one byte more names the path's share" all_of \
	'status_is 126' 'err_one_line' \
	"err_has \"kernel command line is too long: 65536 bytes, counting the kernel's path and a space ($((${#mb} + 1)) bytes) that kvmux puts first\"" \
	"err_has \"which leaves $left for --cmdline\""
