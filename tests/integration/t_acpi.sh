# SPDX-License-Identifier: GPL-2.0-only
# ACPI: the tables as a guest reads them, power-off (0), the ACPI reset
# register (121), pvpanic (123), the power button's wait, and --acpi off.

for n in 1 8; do
	for fmt in elf bzImage; do
		kvmux_run run --kernel "$FIRMWARE/acpi.$fmt" --cpus "$n" \
			--cmdline "cpus=$n" --timeout 30
		check "acpi.$fmt --cpus $n: tables check out, power-off exits 0" \
			all_of 'status_is 0' \
			"out_has 'acpi: madt lists $n cpus, ioapic $n at 0xfec00000; cpuid counts $n'" \
			'out_has "acpi: DSDT at 0x"' 'out_has "powering off"' \
			'! out_has FAIL' '[ -z "$ERR" ]'
	done
done

# The DSDT grows with the virtio devices; the checksums still hold.
truncate -s 1M "$WORK/acpi-d1.img" "$WORK/acpi-d2.img"
kvmux_run run --kernel "$FIRMWARE/acpi.elf" --cpus 2 --console virtio \
	--disk "path=$WORK/acpi-d1.img" --disk "path=$WORK/acpi-d2.img" \
	--timeout 30
check "acpi with a virtio console and 2 disks: power-off exits 0" all_of \
	'status_is 0' 'out_has "powering off"' '! out_has FAIL' \
	'out_has "acpi: 3 virtio-mmio windows, the same in the DSDT and on the command line"'

kvmux_run run --kernel "$FIRMWARE/acpi.elf" --acpi off --timeout 30
check "--acpi off: no RSDP for the guest to find" all_of 'status_is 2' \
	'out_has "acpi: no RSDP"'

for fmt in elf bzImage; do
	kvmux_run run --kernel "$FIRMWARE/reset.$fmt" --cmdline how=acpi \
		--timeout 30
	check "reset.$fmt how=acpi: the ACPI reset register exits 121" all_of \
		'status_is 121' 'out_has "reset: acpi reset register 0x602"' \
		'! out_has "still alive"' \
		'err_has "reset: guest reset through the ACPI reset register"'

	kvmux_run run --kernel "$FIRMWARE/pvpanic.$fmt" --timeout 30
	check "pvpanic.$fmt: panicked exits 123 with one stderr line" all_of \
		'status_is 123' 'out_has "pvpanic: QEMU0001 in the DSDT"' \
		'out_has "pvpanic: port 0x505 supports 0x3"' \
		'! out_has "still running"' \
		'err_has "kvmux: vm: panicked: guest panicked (pvpanic)"' \
		'err_one_line'
done
kvmux_run run --kernel "$FIRMWARE/reset.elf" --cmdline how=acpi --acpi off \
	--timeout 30
check "--acpi off: no ACPI reset register" all_of 'status_is 1' \
	'out_has "reset: no ACPI"'

kvmux_run run --kernel "$FIRMWARE/pvpanic.elf" --cmdline crash=1 --timeout 30
check "pvpanic crash loaded is reported and the run goes on" all_of \
	'status_is 123' 'out_has "crash loaded reported, still running"' \
	'out_has "pvpanic: panicked"' \
	'err_has "kvmux: vm: guest reports a crash kernel loaded (pvpanic)"'
kvmux_run run --kernel "$FIRMWARE/pvpanic.elf" --acpi off --timeout 30
check "pvpanic without ACPI: still at port 0x505" all_of 'status_is 123' \
	'out_has "no ACPI description, default port"'

# Waits for the power button without a spurious event (kvmux presses it
# on SIGTERM with --shutdown-grace: t_shutdown.sh).
kvmux_run run --kernel "$FIRMWARE/pwrbtn.elf" --timeout 2
check "pwrbtn: finds the GED and waits for the power button" all_of \
	'status_is 124' \
	'out_has "pwrbtn: waiting for the power button (gsi 16 edge, event port 0x604)"' \
	'! out_has "power button after"'
kvmux_run run --kernel "$FIRMWARE/pwrbtn.bzImage" --acpi off --timeout 30
check "pwrbtn with --acpi off: no RSDP" all_of 'status_is 1' \
	'out_has "pwrbtn: FAIL no RSDP"'

# In a group: each ending under its own name; the config key acpi = off.
acpi_conf() {
	printf '[vm]\nname = %s\nmemory = 32M\n%s\n[kernel]\npath = %s\n' \
		"$1" "$3" "$FIRMWARE/$2" >"$WORK/$1.conf"
}
acpi_conf poweroff acpi.elf ""
acpi_conf panics pvpanic.elf ""
acpi_conf noacpi acpi.elf "acpi = off"
kvmux_run run "$WORK/poweroff.conf" "$WORK/panics.conf" "$WORK/noacpi.conf" \
	--host-cpus 2 --overcommit 2
check "group: power-off, panic and acpi = off, each in the summary" all_of \
	'status_is 123' 'grep -q "^poweroff .* 0 poweroff" <<<"$ERR"' \
	'grep -q "^panics .*123 panicked" <<<"$ERR"' \
	'grep -q "^noacpi .* 2 exit" <<<"$ERR"' \
	'out_has "noacpi| acpi: no RSDP"'
