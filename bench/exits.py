#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""exits.py - benchmark 3: VM exits per 4 KiB virtio-blk request under
kvmux.  blk.elf mode=count does n=0 and n=10000 reads; kvmux --stats counts
exits per vCPU (those it handles itself, and all of them as KVM sees them),
so the difference divided by 10000 is the cost of one request."""

import os
import re

import benchlib as b

N = 10000
STATS = re.compile(r"vCPU \d+ exits to kvmux: io (\d+) mmio (\d+) intr (\d+)"
                   r" other (\d+); exits in all \(KVM\): (\d+)")


def count(img, n):
    """[io, mmio, intr, other, exits to kvmux, exits in all], summed over
    the vCPUs."""
    st, out, err = b.run([b.KVMUX, "run", "--kernel", b.fw("blk.elf"),
                          "--cmdline", "mode=count n=%d" % n,
                          "--disk", "path=" + img, "--stats"])
    lines = STATS.findall(err)
    if st != 0 or "blk: count done n=%d" % n not in out or not lines:
        raise SystemExit("bench: blk.elf mode=count n=%d failed (status "
                         "%d): %s" % (n, st, err.strip()))
    c = [sum(int(ln[i]) for ln in lines) for i in range(5)]
    return c[:4] + [sum(c[:4]), c[4]]


def main():
    img = os.path.join(b.WORK, "disk16.img")
    with open(img, "wb") as f:
        f.truncate(16 << 20)
    c0 = count(img, 0)
    c1 = count(img, N)
    names = ["  of which io", "  of which mmio", "  of which intr",
             "  of which other", "exits to kvmux", "exits in all (KVM)"]
    order = [4, 0, 1, 2, 3, 5]
    rows = [[names[i], c0[i], c1[i], "%.4f" % ((c1[i] - c0[i]) / N), "n/a"]
            for i in order]
    b.table("3. Exits per 4 KiB disk request (blk.elf mode=count, "
            "kvmux --stats)",
            ["exits", "n=0", "n=%d" % N, "per request", b.qemu_label()],
            rows,
            ["per request = (n=%d - n=0) / %d; the guest polls the used "
             "ring, so a request should cost one QueueNotify" % (N, N),
             "QEMU: n/a, it has no per-VM exit counters of its own "
             "(only host tracing: perf kvm stat)"])


if __name__ == "__main__":
    main()
