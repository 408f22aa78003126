/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * acpi_hw.h - where kvmux's ACPI hardware sits and what its registers
 * mean: the one place both the devices (devices/acpi_pm.c, acpi_ged.c,
 * pvpanic.c) and the tables that describe them (boot/acpi.c) read, so the
 * two cannot disagree.
 *
 * The machine is hardware-reduced ACPI (spec 6.3, section 4.1): no PM1
 * blocks, no GPEs, no SCI.  The OS powers off through the FADT's sleep
 * control register, resets through its reset register, and learns of the
 * power button from a Generic Event Device (ACPI0013) whose interrupt runs
 * an AML method that notifies the power button device (PNP0C0C).
 *
 * Ports: 0x600-0x604 are unused by everything else kvmux or KVM decodes
 * (PIT 0x40-0x43, PIC 0x20/0xa0, ELCR 0x4d0, i8042 0x60/0x64, debug exit
 * 0x501-0x504, UART 0x3f8-0x3ff) and by the ports Linux probes on a PC
 * without PCI (0x70 RTC, 0x80 delay, 0x2f8/0x3e8/0x2e8 UARTs, 0x3c0 VGA,
 * 0xcf8 PCI).  pvpanic keeps QEMU's default port, which guests expect.
 */
#ifndef KVMUX_ACPI_HW_H
#define KVMUX_ACPI_HW_H

/*
 * Sleep control and status registers and the reset register, one byte
 * each (spec 6.3, 4.8.3.7 and 4.8.3.6): the "ACPI PM" device.
 */
#define ACPI_PM_BASE 0x600
#define ACPI_PM_SLEEP_CONTROL_REG 0 /* offsets from ACPI_PM_BASE */
#define ACPI_PM_SLEEP_STATUS_REG 1
#define ACPI_PM_RESET_REG 2
#define ACPI_PM_LEN 3

/* Sleep control register: SLP_TYP in bits 4:2, SLP_EN in bit 5. */
#define ACPI_SLP_TYP_SHIFT 2
#define ACPI_SLP_TYP_MASK 0x1c
#define ACPI_SLP_EN 0x20
/* Sleep status register: WAK_STS.  kvmux never wakes, so it reads 0. */
#define ACPI_WAK_STS 0x80
/* The SLP_TYP value \_S5 names (soft off); kvmux offers no other state. */
#define ACPI_SLP_TYP_S5 5
/* What the FADT tells the OS to write to the reset register. */
#define ACPI_RESET_VALUE 0x01

/*
 * Generic Event Device: one interrupt (edge, active high) and one event
 * register the guest's _EVT method reads.  A read returns the pending
 * events and clears them; writes are ignored.  GSI 16 is an I/O APIC pin
 * above the ISA lines, so it takes nothing from the ISA IRQs the virtio
 * devices use, and it does not also arrive through the 8259.
 */
#define ACPI_GED_PORT 0x604
#define ACPI_GED_LEN 1
#define ACPI_GED_GSI 16
#define ACPI_GED_EVT_POWER_BUTTON 0x01

/*
 * QEMU's pvpanic device (docs/specs/pvpanic.rst in QEMU), described in the
 * DSDT as QEMU0001.  A read returns the events the device supports; a
 * write reports them.
 */
#define PVPANIC_PORT 0x505
#define PVPANIC_LEN 1
#define PVPANIC_PANICKED 0x01
#define PVPANIC_CRASH_LOADED 0x02
#define PVPANIC_SUPPORTED (PVPANIC_PANICKED | PVPANIC_CRASH_LOADED)

#endif
