# SPDX-License-Identifier: GPL-2.0-only
# SMP guests: every vCPU started by the guest (INIT-SIPI-SIPI) reports in
# and computes a slice of a shared sum; more vCPUs than host CPUs work.

for n in 1 2 4 8; do
	for fmt in elf bzImage; do
		kvmux_run run --kernel "$FIRMWARE/smp.$fmt" --cpus "$n" \
			--cmdline "n=100000" --timeout 60
		check "smp.$fmt --cpus $n: all report, sum right" all_of \
			'status_is 0' "out_has 'smp: mp table lists $n cpus'" \
			"out_has 'smp: $n cpus reported, result 333328333350000 (expected 333328333350000)'" \
			"test \$(grep -c 'smp: cpu [0-9]* apic [0-9]* online' <<<\"\$OUT\") -eq $n"
	done
done
kvmux_run run --kernel "$FIRMWARE/smp.elf" --cpus 8 --timeout 60
check "smp --cpus 8 with the default 1e8 sum" all_of 'status_is 0' \
	"out_has 'result 662921401752298880 (expected 662921401752298880)'"

# A vCPU left waiting for SIPI, or parked in HLT, does not hold up the end.
kvmux_run run --kernel "$FIRMWARE/hello.elf" --cpus 8 --timeout 30
check "8 vCPUs, APs never started: exit is prompt" all_of 'status_is 0' \
	'out_has "Hello from"'
kvmux_run run --kernel "$FIRMWARE/halt.elf" --cpus 4 --timeout 30
check "BSP halted, APs never started: clean stop (120)" status_is 120
kvmux_run run --kernel "$FIRMWARE/smp.elf" --cpus 4 --cmdline ud2=3 \
	--timeout 30
check "an exception on an AP ends the run (3)" all_of 'status_is 3' \
	'out_has "exception 6"'
kvmux_run run --kernel "$FIRMWARE/smp.elf" --cpus 4 \
	--cmdline "n=100000 rounds=200" --timeout 60
check "APs idling in HLT between rounds are stopped and joined" \
	status_is 0

kvmux_run run --kernel "$FIRMWARE/hello.elf" --cpus 255
check "--cpus above the MP table's limit" all_of 'status_is 126' \
	'err_has "--cpus"' 'err_one_line'

# An AP the guest never started fails KVM_RUN with EAGAIN each time an
# NMI (or a SIPI without INIT) wakes it, as often as the guest sends
# them: the guest's doing, not KVM unable to start its worker thread
# (125 after 100 EAGAINs in a row, t_stop.sh).
kvmux_run run --kernel "$FIRMWARE/ap_nmi.elf" --cpus 2 --timeout 60
check "300 NMIs to an AP never started: not a host failure" all_of \
	'status_is 0' 'out_has "ap_nmi: 300 IPIs sent"'
kvmux_run run --kernel "$FIRMWARE/ap_nmi.elf" --cpus 2 --timeout 60 \
	--cmdline "mode=0x4600 count=1000"
check "1000 SIPIs to an AP never given its INIT: not a host failure" \
	all_of 'status_is 0' 'out_has "ap_nmi: 1000 IPIs sent"'
