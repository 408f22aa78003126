/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioapic.h - the I/O APIC kvmux emulates with --irqchip split
 * (devices/ioapic.c), where KVM keeps the local APICs only.
 *
 * An Intel 82093AA (datasheet 290566-001) as KVM's own: version 0x11,
 * VM_IOAPIC_PINS pins, at IOAPIC_ADDR, its ID the one the MP table and
 * the MADT give it.  The guest reaches its registers through IOREGSEL
 * (+0x00) and IOWIN (+0x10), 32 bits at a time.  Each pin's redirection
 * entry becomes an MSI: sent by kvmux when a device drives the pin
 * (env->irq_line), and installed as the pin's GSI route so that an
 * irqfd on the pin (virtio) sends it without kvmux, and so that KVM
 * reports the EOI of a level-triggered vector (a masked pin has a route
 * only while it awaits that EOI).  Edge pins send on a
 * rising edge while unmasked; level pins send while asserted, unmasked
 * and not awaiting an EOI (remote IRR), and again at the EOI if still
 * asserted.  Lines are driven as asserted or not: the polarity bit is
 * kept for the guest to read back, not applied.  The delivery status
 * bit reads 0: a message is sent at once.
 */
#ifndef KVMUX_IOAPIC_H
#define KVMUX_IOAPIC_H

/* A device kind (kvmux/device.h), present with --irqchip split. */
extern const struct device_kind ioapic_kind;

#endif
