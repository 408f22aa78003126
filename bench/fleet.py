#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""fleet.py - benchmark 7: 100 VMs started at once.  For each VMM, 100
processes booting idle.elf are started back to back; the start rate is
100 over the time until the last has printed its line, and once all idle
the memory each costs is its proportional set size (PSS, which splits
shared pages such as the VMM's binary and libraries among their users)."""

import statistics
import time

import benchlib as b
import idle

N = 100
MIB = 64


def measure(v):
    t0 = time.monotonic()
    procs = idle.start(v, N)
    try:
        idle.wait_greetings(procs, 120)
        elapsed = time.monotonic() - t0
        pss = [b.pss_kib(p.pid) / 1024 for p in procs]
    finally:
        idle.stop(procs)
    return N / elapsed, elapsed, pss


def main():
    rows = []
    for v in b.vmms("idle", mib=MIB):
        rate, elapsed, pss = measure(v)
        rows.append([v.label, "%.1f" % rate, "%.2f" % elapsed,
                     "%.2f" % statistics.mean(pss),
                     "%.0f" % sum(pss)])
    b.table("7. %d VMs started at once (idle.elf, %d MiB, 1 vCPU each)" %
            (N, MIB),
            ["VMM", "VMs/s", "all up (s)", "PSS per VM (MiB)",
             "PSS all (MiB)"],
            rows,
            ["all up: from the first start to the last VM's line "
             "\"idle: halting with interrupts on\" on its stdout",
             "PSS: Pss of /proc/PID/smaps_rollup once all %d idle "
             "(guest RAM the guest touched included)" % N,
             "one VMM at a time; the VMs of each are stopped (SIGTERM) "
             "before the next starts"]
            + b.vmm_notes(MIB))


if __name__ == "__main__":
    main()
