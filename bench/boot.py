#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""boot.py - benchmark 1: boot-to-exit of two guests, hello (two lines)
and lean (one line), under the floor VMM, kvmux (PVH ELF, also with
KVM's PICs, IOAPIC and PIT, and bzImage),
QEMU microvm and kvmtool, side by side as ratios to the floor.  hyperfine
runs all VMMs in interleaved rounds (wall time of each run); a second
interleaved pass takes each run's CPU time with every process it started
(benchlib.cpu_run: wait4's rusage, as a subreaper); GNU time's %M gives
the peak RSS, also interleaved."""

import statistics

import benchlib as b

ROUNDS = 8
RUNS = 5  # per VMM per round, after one warm-up run
RSS_RUNS = 3
KERNELS = [("hello", "Hello from the kvmux guest!"), ("lean", "lean")]


def check_boots(vmm_list, greeting):
    """Each VMM boots the kernel once and prints its line, or we stop."""
    for v in vmm_list:
        st, out, err = b.run(v.argv, timeout=60)
        if st != v.ok_status or greeting not in out:
            raise SystemExit("bench: %s cannot boot %s (status %d): %s" %
                             (v.label, v.argv[-1], st,
                              (err or out).strip()[-300:]))


def peak_rss_mib(vmm_list):
    """Median over RSS_RUNS interleaved runs of GNU time's %M, in MiB."""
    rss = {v.label: [] for v in vmm_list}
    for _ in range(RSS_RUNS):
        for v in vmm_list:
            _, _, err = b.run(["/usr/bin/time", "-f", "rss=%M"] + v.argv)
            rss[v.label] += [int(ln[4:]) / 1024 for ln in err.splitlines()
                             if ln.startswith("rss=")]
    return {k: statistics.median(x) if x else float("nan")
            for k, x in rss.items()}


def one(name, greeting, letter):
    vmm_list = b.vmms(name, bzimage=True, kernel_irqchip=True)
    check_boots(vmm_list, greeting)
    res = b.interleaved("boot-" + name, vmm_list, ROUNDS, RUNS)
    rss = peak_rss_mib(vmm_list)
    floor = res["floor VMM"]
    rows = []
    for v in vmm_list:
        r = res[v.label]
        rows.append([v.label,
                     b.median_range(r["times"], "%.1f"),
                     b.fmt_ratio(b.ratio(r["wall"], floor["wall"])),
                     "%.1f" % statistics.median(r["cpu"]),
                     b.fmt_ratio(b.ratio(r["cpu"], floor["cpu"])),
                     "%.1f" % rss[v.label],
                     b.fmt_ratio(rss[v.label] / rss["floor VMM"])])
    b.table("1%s. Boot to exit: %s (%d MiB, 1 vCPU), %d interleaved rounds "
            "x %d runs" % (letter, name, b.MEMORY_MIB, ROUNDS, RUNS),
            ["VMM", "wall ms med (min-max)", "x floor", "CPU ms",
             "x floor", "peak RSS MiB", "x floor"],
            rows,
            ["wall: the whole process (start, boot, the guest's UART "
             "output, the exit through port 0x501, teardown), hyperfine -N;"
             " x floor: median over rounds of the round's ratio",
             "CPU: user + system of the process and of every process it "
             "started, those that outlive it included (kvmux's closer "
             "destroys the VM after kvmux's exit; the others destroy "
             "it in their own), median of %d runs per round, median over "
             "rounds" % RUNS,
             "peak RSS: GNU time %%M, median of %d interleaved runs" %
             RSS_RUNS] + b.vmm_notes())


def main():
    for (name, greeting), letter in zip(KERNELS, "ab"):
        one(name, greeting, letter)


if __name__ == "__main__":
    main()
