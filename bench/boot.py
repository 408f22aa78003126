#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""boot.py - benchmark 1: boot-to-exit time of guest-firmware's hello
kernel (PVH ELF) under kvmux and under QEMU's microvm machine: hyperfine
(warm-up runs, then timed runs, no shell) for the wall time, and GNU time's
%M for the peak RSS of the VMM process."""

import json
import os
import statistics

import benchlib as b

RUNS = 20
WARMUP = 3
RSS_RUNS = 5


def hyperfine(name, cmd, expect_status):
    """Mean, sd, min, max (ms) of cmd; every run must end with
    expect_status (hyperfine -i lets non-zero through, we check)."""
    out = os.path.join(b.WORK, "hyperfine-%s.json" % name)
    st, _, err = b.run(["hyperfine", "-N", "-i", "--style", "none",
                        "--warmup", str(WARMUP), "--runs", str(RUNS),
                        "--export-json", out, "--", " ".join(cmd)],
                       timeout=300)
    if st != 0:
        raise SystemExit("bench: hyperfine failed: " + err.strip())
    with open(out) as f:
        res = json.load(f)["results"][0]
    bad = [c for c in res["exit_codes"] if c != expect_status]
    if bad:
        raise SystemExit("bench: %s exited %s, expected %d" %
                         (name, bad[0], expect_status))
    t = [x * 1000 for x in res["times"]]
    return statistics.mean(t), statistics.stdev(t), min(t), max(t)


def max_rss_kib(cmd):
    """The largest peak RSS (KiB) of RSS_RUNS runs, from /usr/bin/time."""
    rss = []
    for _ in range(RSS_RUNS):
        _, _, err = b.run(["/usr/bin/time", "-f", "rss=%M"] + cmd)
        rss += [int(v) for v in
                [ln[4:] for ln in err.splitlines() if ln.startswith("rss=")]]
    return max(rss)


def main():
    hello = b.fw("hello.elf")
    # Both VMMs give the guest 256 MiB (kvmux's default; -m 256M).
    kvmux = [b.KVMUX, "run", "--kernel", hello, "--memory", "256M"]
    st, out, err = b.run(kvmux)
    if st != 0 or "Hello from the kvmux guest!" not in out:
        raise SystemExit("bench: kvmux cannot boot hello.elf (status %d): %s"
                         % (st, err.strip()))
    rows = []
    mean, sd, lo, hi = hyperfine("kvmux", kvmux, 0)
    rows.append(["kvmux", "%.1f ± %.1f" % (mean, sd),
                 "%.1f-%.1f" % (lo, hi),
                 "%.1f" % (max_rss_kib(kvmux) / 1024)])
    accel, _ = b.qemu_accel()
    if accel:
        qemu = b.qemu_cmd(accel, hello)
        mean, sd, lo, hi = hyperfine("qemu", qemu, 1)
        rows.append([b.qemu_label(), "%.1f ± %.1f" % (mean, sd),
                     "%.1f-%.1f" % (lo, hi),
                     "%.1f" % (max_rss_kib(qemu) / 1024)])
    else:
        rows.append([b.qemu_label(), "n/a", "n/a", "n/a"])
    b.table("1. Boot to exit: hello.elf (PVH ELF, 256 MiB, 1 vCPU), "
            "%d runs after %d warm-up" % (RUNS, WARMUP),
            ["VMM", "mean ± sd (ms)", "min-max (ms)", "max RSS (MiB)"],
            rows,
            ["wall time of the whole process (start, boot, guest prints, "
             "exit through port 0x501, teardown), by hyperfine",
             "max RSS: largest of %d runs of /usr/bin/time -f %%M" % RSS_RUNS,
             "QEMU: " + " ".join(b.QEMU_BASE[1:]) + " -accel " +
             (accel or "-") + " -kernel hello.elf (exit status 1 = guest 0)",
             b.qemu_note()])


if __name__ == "__main__":
    main()
