# SPDX-License-Identifier: GPL-2.0-only
# --irqchip: KVM's local APICs with kvmux's own IOAPIC and 8259s (split,
# the default: devices/ioapic.c, devices/i8259.c), or KVM's interrupt
# controllers (kernel).  Guests
# that take interrupts run under both: a level line that stays asserted
# (EOIs reported by KVM and answered by kvmux), the power button's edge,
# virtio-blk completions through the device's irqfd (the pin's GSI route),
# the IPIs that start APs.  (COM1's edge from stdin: t_boot.sh.)  A lost
# interrupt hangs the guest until --timeout (124).

truncate -s 1M "$WORK/irq.img"
for chip in kernel split; do
	kvmux_run run --kernel "$FIRMWARE/level.elf" --irqchip "$chip" \
		--timeout 60
	check "level --irqchip $chip: an asserted line returns after each EOI, not after it drops" \
		all_of 'status_is 0' \
		'out_has "level: 4 deliveries while asserted, none after"'
	kvmux_run run --kernel "$FIRMWARE/pwrbtn.elf" --irqchip "$chip" \
		--timeout 1 --shutdown-grace 60
	check "pwrbtn --irqchip $chip: the power button's edge reaches the guest" \
		all_of 'status_is 0' 'out_has "powering off"'
	kvmux_run run --kernel "$FIRMWARE/virtio_irq.elf" --irqchip "$chip" \
		--disk "path=$WORK/irq.img" --timeout 60
	check "virtio_irq --irqchip $chip: 8 completions by interrupt (irqfd)" \
		all_of 'status_is 0' \
		'out_has "virtio_irq: 8 completions by interrupt"'
	kvmux_run run --kernel "$FIRMWARE/smp.elf" --irqchip "$chip" \
		--cpus 4 --cmdline "n=100000" --timeout 60
	check "smp --cpus 4 --irqchip $chip: every AP starts and reports" \
		all_of 'status_is 0' 'out_has "smp: 4 cpus reported"'
done

kvmux_run run --kernel "$FIRMWARE/hello.elf" --verbose
check "--irqchip split (the default): --verbose names it; kvmux's IOAPIC, PICs and PIT" \
	all_of 'status_is 0' "err_has \"irqchip split, PIT kvmux's\"" \
	'err_has "device 0: ioapic"' 'err_has "device 1: i8259"' \
	'err_has "0x20-0x21 i8259 master"' 'err_has "0xa0-0xa1 i8259 slave"' \
	'err_has "0x4d0-0x4d1 i8259 ELCR"' '! err_has "in-kernel PIC"' \
	'! err_has "in-kernel PIT"' 'err_has "0x40-0x43 i8254"' \
	'err_has "0x61-0x61 i8254 port B"'
kvmux_run run --kernel "$FIRMWARE/hello.elf" --irqchip kernel --verbose
check "--irqchip kernel: KVM's PIC and IOAPIC, kvmux's PIT" \
	all_of 'status_is 0' "err_has \"irqchip kernel, PIT kvmux's\"" \
	'err_has "in-kernel PIC"' '! err_has ": ioapic"' \
	'! err_has "in-kernel PIT"' 'err_has "0x40-0x43 i8254"'
kvmux_run run --kernel "$FIRMWARE/hello.elf" --irqchip kernel --pit kvm \
	--verbose
check "--pit kvm: KVM's PIT and its speaker port, no i8254 of kvmux's" \
	all_of 'status_is 0' "err_has \"irqchip kernel, PIT KVM's\"" \
	'err_has "0x40-0x43 the in-kernel PIT (KVM)"' \
	'! err_has "i8254"'

# A guest that takes its interrupts through the 8259s (pic.elf: the PIT
# on IRQ 0, masking, the UART on IRQ 4; virtio_irq.elf via=pic:
# virtio-blk's irqfd, which only KVM's PICs see in the kernel: kvmux
# pulses its own as the device writes it): KVM's PICs, or kvmux's, which the boot vCPU
# takes as external interrupts (KVM_INTERRUPT).
for a in "" "--irqchip kernel" "--irqchip kernel --pit kvm"; do
	# shellcheck disable=SC2086 # a: options, split on purpose
	kvmux_run run --kernel "$FIRMWARE/pic.elf" $a --timeout 60
	check "8259 interrupts (${a:-defaults}): IRQ 0, masked, IRQ 4" all_of \
		'status_is 0' \
		'out_has "pic: 20 timer interrupts, ISR 0x1, none while masked, COM1 on vector 0x44"'
done
for a in "" "--irqchip kernel"; do
	# shellcheck disable=SC2086 # a: options, split on purpose
	kvmux_run run --kernel "$FIRMWARE/virtio_irq.elf" $a \
		--cmdline via=pic --disk "path=$WORK/irq.img" --timeout 60
	check "virtio_irq via=pic (${a:-defaults}): 8 completions through the 8259s" \
		all_of 'status_is 0' \
		'out_has "virtio_irq: 8 completions by interrupt (gsi 5, pic)"'
done

kvmux_run run --kernel "$FIRMWARE/hello.elf" --irqchip split --pit kvm
check "--pit kvm with --irqchip split is refused (126)" all_of \
	'status_is 126' 'err_has "--pit kvm needs --irqchip kernel"' \
	'err_one_line'
kvmux_run run --kernel "$FIRMWARE/hello.elf" --irqchip user
check "--irqchip takes kernel or split" all_of 'status_is 126' \
	'err_has "--irqchip"' 'err_one_line'
for v in A B; do
	cat >"$WORK/$v.conf" <<CONF
[vm]
name = $v
memory = 64M
irqchip = split
$([ "$v" = B ] && echo "pit = kvm")
[kernel]
path = $FIRMWARE/hello.elf
CONF
done
kvmux_run run "$WORK/A.conf" "$WORK/B.conf"
check "a group's VM with pit = kvm and irqchip = split is refused, by file" \
	all_of 'status_is 126' \
	"err_has 'VM B ($WORK/B.conf and the options): --pit kvm needs --irqchip kernel'" \
	'err_one_line'
kvmux_run plan "$WORK/A.conf" "$WORK/B.conf"
check "kvmux plan refuses it too" all_of 'status_is 126' \
	"err_has 'VM B ($WORK/B.conf and the options): --pit kvm needs'" \
	'err_one_line'
kvmux_run run "$WORK/B.conf" --pit auto --timeout 30
check "--pit auto on the command line settles it" all_of 'status_is 0' \
	'out_has "Hello from"'
kvmux_run run "$WORK/A.conf" --timeout 30
check "irqchip = split in a config file" all_of 'status_is 0' \
	'out_has "Hello from"'

# The release helper is for --result only: without it kvmux forks no
# child while the guest runs, with either irqchip (a kernel VM's slow end
# goes to a closer started then).
spin_children() {
	rm -f "$WORK/out"
	"$KVMUX" run --kernel "$FIRMWARE/spin.elf" "$@" >"$WORK/out" \
		2>"$WORK/err" </dev/null &
	pid=$!
	children=-1
	wait_for_output "$WORK/out" "spin: forever" "$pid" &&
		children=$(pgrep -c -P "$pid")
	kill -TERM "$pid"
	STATUS=0
	wait "$pid" || STATUS=$?
}
spin_children --irqchip split
check "--irqchip split: no release helper ($children children)" all_of \
	'[ "$children" -eq 0 ]' 'status_is 143'
spin_children
check "--irqchip kernel: no release helper either ($children children)" \
	all_of '[ "$children" -eq 0 ]' 'status_is 143'
spin_children --result "$WORK/spin.json"
check "--result: the release helper ($children child)" all_of \
	'[ "$children" -eq 1 ]' 'status_is 143'
rm -f "$WORK/spin.json"
rm -f "$WORK/result.json"
kvmux_run run --kernel "$FIRMWARE/exitcode.elf" --cmdline exit=5 \
	--irqchip split --result "$WORK/result.json" --timeout 30
check "--irqchip split with --result: the file is published" all_of \
	'status_is 5' 'grep -q "\"status\": 5" "$WORK/result.json"'

# Without the helper, a kernel VM (KVM's slow end), or a split VM whose
# RAM holds 8 MiB or more, goes to a closer started at its end, which
# runs under the main thread's filter without stderr (a forbidden call
# would end it with 159, unseen): the test build waits for it and says
# how it ended.  (Its descriptors: test_fd_release.c.)
if [ -x "${KVMUX_TEST_BUILD:-}" ]; then
	KVMUX_TEST_WAIT_CLOSER=1 test_build_run run \
		--kernel "$FIRMWARE/touch.elf" --cmdline "mib=1" --memory 128M \
		--irqchip kernel --timeout 60
	check "--irqchip kernel, 1 MiB written: a closer ends the VM, under the filter (exit 0)" \
		all_of 'status_is 0' 'out_has "touch: 1 MiB"' \
		'err_has "test build: closer exited with 0"' err_one_line
	for mib in 64 1; do
		KVMUX_TEST_WAIT_CLOSER=1 test_build_run run \
			--kernel "$FIRMWARE/touch.elf" --cmdline "mib=$mib" \
			--memory 128M --irqchip split --timeout 60
		if [ "$mib" = 64 ]; then
			check "--irqchip split, 64 MiB written: a closer frees it, under the filter (exit 0)" \
				all_of 'status_is 0' 'out_has "touch: 64 MiB"' \
				'err_has "test build: closer exited with 0"' \
				err_one_line
		elif grep -qE '\[(always|force)\]' \
			/sys/kernel/mm/transparent_hugepage/shmem_enabled \
			2>/dev/null; then
			skip "--irqchip split, 1 MiB written: no closer" \
				"shmem THP always: a memfd takes 2 MiB pages"
		else
			check "--irqchip split, 1 MiB written: freed by kvmux, no closer" \
				all_of 'status_is 0' 'out_has "touch: 1 MiB"' \
				'[ -z "$ERR" ]'
		fi
	done
else
	skip "a split VM's closer" "set KVMUX_TEST_BUILD (make integration does)"
fi

# A group may mix them: each VM gets what it asked for.
for v in K S; do
	cat >"$WORK/$v.conf" <<CONF
[vm]
name = $v
memory = 64M
irqchip = $([ "$v" = K ] && echo kernel || echo split)
[kernel]
path = $FIRMWARE/level.elf
CONF
done
kvmux_run run "$WORK/K.conf" "$WORK/S.conf" --timeout 60
check "a group of a kernel VM and a split VM: both take their interrupts" \
	all_of 'status_is 0' \
	"[ \$(grep -c 'level: 4 deliveries while asserted, none after' <<<\"\$OUT\") -eq 2 ]"
