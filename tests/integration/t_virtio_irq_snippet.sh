# SPDX-License-Identifier: GPL-2.0-only
# virtio-blk completions by interrupt: the device's irqfd through KVM's
# I/O APIC (--irqchip kernel) and through kvmux's (--irqchip split).  The
# guest waits for each of 8 reads until its handler has seen the
# completion, so a lost interrupt hangs it until --timeout (124).
# To be merged into t_irqchip.sh; not listed in run.sh.

truncate -s 1M "$WORK/irq.img"
for irqchip in kernel split; do
	kvmux_run run --irqchip "$irqchip" \
		--kernel "$FIRMWARE/virtio_irq.elf" \
		--disk "path=$WORK/irq.img" --timeout 30
	check "virtio_irq --irqchip $irqchip: completions by interrupt" \
		all_of 'status_is 0' \
		'out_has "virtio_irq: 8 completions by interrupt"'
done
