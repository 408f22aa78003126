#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""group.py - benchmark 8: 8 VMs as one kvmux group (one process, one
run with 8 config files) against 8 separate kvmux processes started
together, each VM booting lean.elf, with the default (split) irqchip and
with KVM's (--irqchip kernel --pit kvm); the floor VMM x 8 for reference.
hyperfine (through a shell, whose start-up it subtracts) in interleaved
rounds: the wall time until all 8 are done."""

import shlex
import statistics

import benchlib as b

VMS = 8
ROUNDS = 6
RUNS = 5
MIB = 64
# 8 one-vCPU VMs on this host's 2 CPUs need an overcommit of 4.
GROUP_OPTS = ["--host-cpus", "2", "--overcommit", str(VMS // 2)]
KERNEL = b.KVM_DEVICES  # every VM: a closer


def parallel(argv):
    """A shell line starting VMS copies of argv and waiting for all; its
    status is 1 if any of them failed (a bare `wait` would say 0)."""
    one = shlex.join(argv) + ' >/dev/null & p="$p $!";'
    return (" ".join([one] * VMS) +
            " s=0; for i in $p; do wait $i || s=1; done; exit $s")


def main():
    confs = b.group_confs("group", VMS, "lean.elf", MIB)
    group = [b.KVMUX, "run"] + confs + GROUP_OPTS
    lean = b.fw("lean.elf")
    cmds = [b.Vmm("floor VMM x %d processes" % VMS,
                  parallel(b.floor_argv(lean, mib=MIB)), 0),
            b.Vmm("kvmux x %d processes" % VMS,
                  parallel(b.kvmux_argv(lean, mib=MIB)), 0),
            b.Vmm("kvmux, one group of %d" % VMS,
                  shlex.join(group) + " >/dev/null", 0),
            b.Vmm("kvmux --irqchip kernel x %d processes" % VMS,
                  parallel(b.kvmux_argv(lean, mib=MIB) + KERNEL), 0),
            b.Vmm("kvmux --irqchip kernel, one group of %d" % VMS,
                  shlex.join(group + KERNEL) + " >/dev/null", 0)]
    st, out, err = b.run(group, timeout=60)
    if st != 0 or out.count("lean") != VMS:
        raise SystemExit("bench: the kvmux group of %d failed (status %d):"
                         " %s" % (VMS, st, err.strip()[-300:]))
    res = b.interleaved("group", cmds, ROUNDS, RUNS, shell=True)
    base = res[cmds[1].label]
    rows = []
    for c in cmds:
        r = res[c.label]
        rows.append([c.label, b.median_range(r["times"], "%.1f"),
                     b.fmt_ratio(b.ratio(r["wall"], base["wall"])),
                     "%.1f" % statistics.median(r["cpu"])])
    b.table("8. A group of %d VMs against %d processes (lean.elf, %d MiB, "
            "1 vCPU each), %d interleaved rounds x %d runs" %
            (VMS, VMS, MIB, ROUNDS, RUNS),
            ["how", "wall ms med (min-max)", "x processes", "CPU ms"],
            rows,
            ["wall: until all %d are done (hyperfine through a shell, "
             "whose start-up it measures and subtracts); goal: the group "
             "within 1.1x of the separate processes" % VMS,
             "group: kvmux run with %d config files %s" %
             (VMS, " ".join(GROUP_OPTS)),
             "CPU: user + system of everything the command started, "
             "those that outlive it included, and of its shell (~1 ms, "
             "the same in every row) (benchlib.cpu_run), median"])


if __name__ == "__main__":
    main()
