#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""defaults.py - benchmark 1c: what each of kvmux's optional defaults
costs a hello boot in CPU time, against the floor VMM: kvmux as it
starts by default (--irqchip split: KVM's local APICs, kvmux's IOAPIC,
PICs and PIT, no closer for a small guest), then with one default
turned off at a time (the system call filters, the PIT, the ACPI
tables), then with all three off, then with KVM's PICs, IOAPIC and PIT
(--irqchip kernel --pit kvm, the default before kvmux had its own
PICs and PIT: its "saves" is negative, the cost), and KVM's irqchip with kvmux's PIT.  The CPU time is that of every process a run
started (kvmux's closer included, benchlib.cpu_run), in interleaved rounds, the
order rotated every round: the table says which defaults stand between
kvmux and the floor, not whether to give them up."""

import statistics

import benchlib as b

ROUNDS = 40
RUNS = 5  # per variant per round
OFF = [("--seccomp off", ["--seccomp", "off"]),
       ("--pit off", ["--pit", "off"]),
       ("--acpi off", ["--acpi", "off"]),
       ("all three off", ["--seccomp", "off", "--pit", "off",
                          "--acpi", "off"]),
       ("--irqchip kernel --pit kvm", b.KVM_DEVICES),
       ("--irqchip kernel", ["--irqchip", "kernel"])]


def main():
    elf = b.fw("hello.elf")
    base = b.kvmux_argv(elf)
    variants = [b.Vmm("floor VMM", b.floor_argv(elf), 0),
                b.Vmm("kvmux (defaults)", base, 0)]
    variants += [b.Vmm("kvmux " + label, base + extra, 0)
                 for label, extra in OFF]
    cpu = b.cpu_rounds(variants, ROUNDS, RUNS)
    floor, full = cpu["floor VMM"], cpu["kvmux (defaults)"]
    rows = []
    for v in variants:
        c = cpu[v.label]
        saved = [f - x for f, x in zip(full, c)]
        rows.append([v.label, "%.2f" % statistics.median(c),
                     b.fmt_ratio(b.ratio(c, floor)),
                     "-" if v in variants[:2] else
                     "%.2f" % statistics.median(saved)])
    b.table("1c. What kvmux's optional defaults cost a hello boot (%d MiB, "
            "1 vCPU), %d interleaved rounds x %d runs" %
            (b.MEMORY_MIB, ROUNDS, RUNS),
            ["run", "CPU ms", "x floor", "saves ms"], rows,
            ["CPU: user + system of the run and of every process it "
             "started (the closer too), median of %d runs per "
             "round, median over rounds; x floor: median of the rounds' "
             "ratios; saves: median of the rounds' differences from "
             "kvmux with its defaults" % RUNS,
             "not optional, so not in the table: the capability drop, "
             "the output threads; below 8 MiB of guest RAM only "
             "--irqchip kernel starts a closer process"])


if __name__ == "__main__":
    main()
