# SPDX-License-Identifier: GPL-2.0-only
# QEMU's isa-debug-exit convention (--debug-exit): the port and width kvmux
# decodes, and the status (V << 1) | 1 a suite written for QEMU expects.

qemu_exit="$FIRMWARE/qemu_exit.elf"
qemu_style=port=0xf4,size=4,status=qemu

kvmux_run run --kernel "$qemu_exit" --cmdline "value=16" \
	--debug-exit "$qemu_style" --timeout 30
check "debug-exit qemu: outl 16 to 0xf4 gives 33" all_of 'status_is 33' \
	'out_has "qemu_exit: outl 0x10 to port 0xf4"' '! out_has "still"'
kvmux_run run --kernel "$qemu_exit" --cmdline "value=16 width=1" \
	--debug-exit "$qemu_style" --timeout 30
check "debug-exit qemu: an outb inside the window counts" status_is 33
kvmux_run run --kernel "$qemu_exit" --cmdline "value=0x7f width=2" \
	--debug-exit "$qemu_style" --timeout 30
check "debug-exit qemu: (0x7f << 1) | 1 = 255" status_is 255
kvmux_run run --kernel "$qemu_exit" --cmdline "value=0" \
	--debug-exit "$qemu_style" --timeout 30
check "debug-exit qemu: 0 gives 1" status_is 1
kvmux_run run --kernel "$qemu_exit" --cmdline "value=5 port=0x700" \
	--debug-exit port=0x700,size=2 --timeout 30
check "debug-exit raw on another port" status_is 5

# The default is kvmux's own port, one byte, raw; 0xf4 is not decoded.
kvmux_run run --kernel "$qemu_exit" --cmdline "value=9 port=0x501 width=1" \
	--timeout 30
check "debug-exit default: port 0x501, raw" status_is 9
kvmux_run run --kernel "$qemu_exit" --cmdline "value=16" --timeout 30
check "debug-exit default: 0xf4 is nobody's" all_of 'status_is 120' \
	'out_has "qemu_exit: still running"'

cat >"$WORK/qemu-exit.conf" <<EOF2
[vm]
debug-exit = $qemu_style
timeout = 30
[kernel]
path = $qemu_exit
cmdline = value=3
EOF2
kvmux_run run "$WORK/qemu-exit.conf"
check "debug-exit from a config file" status_is 7
kvmux_run run --kernel "$qemu_exit" --debug-exit port=0xf4,size=3
check "--debug-exit size=3 is refused" all_of 'status_is 126' \
	'err_has "--debug-exit: size=3"' 'err_one_line'

# Ports KVM's in-kernel devices take never reach kvmux: a window there
# could never fire, so it is refused (126) naming what it overlaps; so is
# one over a device of kvmux's.  KVM's PIT only with --pit kvm, the PICs
# KVM's with --irqchip kernel and kvmux's with split (the default), the
# PIT kvmux's otherwise (--pit on or auto).
for w in "0x40:the in-kernel PIT (KVM):--irqchip kernel --pit kvm" \
	"0x20:the in-kernel PIC (KVM):--irqchip kernel" \
	"0x61:the in-kernel PIT's speaker port (KVM):--irqchip kernel --pit kvm" \
	"0x4d0:the in-kernel PIC's ELCR (KVM):--irqchip kernel" \
	"0x40:i8254:" "0x61:i8254 port B:" "0x20:i8259 master:" \
	"0xa1:i8259 slave:" "0x4d1:i8259 ELCR:"; do
	p=${w%%:*} what=${w#*:} args=${w##*:}
	what=${what%:*}
	# shellcheck disable=SC2086 # args: options, split on purpose
	kvmux_run run --kernel "$qemu_exit" --debug-exit "port=$p" $args \
		--cmdline "value=3 port=$p width=1" --timeout 30
	# The PIT's ports are the only ones an option frees: the line says so.
	hint='! err_has "--pit off"'
	case $what in *PIT* | i8254*) hint='err_has "(--pit off frees ports 0x40-0x43 and 0x61)"' ;; esac
	check "debug-exit: a window at $p is refused (${args:-defaults})" \
		all_of 'status_is 126' 'err_has "overlaps $what"' "$hint" \
		'err_one_line' '! out_has "qemu_exit"'
done
kvmux_run run --kernel "$qemu_exit" --debug-exit port=0x40 --pit off \
	--cmdline "value=3 port=0x40 width=1" --timeout 30
check "debug-exit: with --pit off a window at 0x40 works" all_of \
	'status_is 3' 'out_has "qemu_exit: outb 0x3 to port 0x40"'
# Beside them (or the UART) a window is fine: the spare ports kvmux takes
# past it stop where another device's begin.
for p in 0x3f 0x3f7; do
	kvmux_run run --kernel "$qemu_exit" --debug-exit "port=$p" \
		--cmdline "value=3 port=$p width=1" --timeout 30
	check "debug-exit: a window at $p, just below a device, works" \
		status_is 3
done
