#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""console.py - benchmark 9: what a console log and --fail-on cost.
flood.elf writes LINES lines of 64 bytes through virtio-console (the
fast console: a line costs no VM exit of its own), and kvmux passes them
to /dev/null (stdout), plus to a log file (--console-log), through the
Linux patterns (--fail-on linux), or both with --timestamps.  hyperfine
runs the variants interleaved (wall), then benchlib.cpu_rounds (CPU); the
extra CPU time per line, over the
plain run, is the cost of each feature."""

import os

import benchlib as b

LINES = 100000
ROUNDS = 4
RUNS = 3


def variants():
    base = b.kvmux_argv(b.fw("flood.elf"), "dev=virtio lines=%d" % LINES,
                        mib=64) + ["--console", "virtio"]
    log = os.path.join(b.WORK, "console-bench.log")
    return [
        b.Vmm("plain", base, 0),
        b.Vmm("console-log", base + ["--console-log", log], 0),
        b.Vmm("fail-on linux", base + ["--fail-on", "linux"], 0),
        b.Vmm("log, timestamps, fail-on", base + [
            "--console-log", log, "--timestamps", "--fail-on", "linux"], 0),
    ]


def main():
    vs = variants()
    # hyperfine -N sends stdout to /dev/null: the plain run writes there.
    acc = b.interleaved("console", vs, ROUNDS, RUNS)
    base = acc["plain"]
    rows = []
    for v in vs:
        a = acc[v.label]
        extra = [(c - p) * 1000 / LINES for c, p in zip(a["cpu"],
                                                         base["cpu"])]
        rows.append([v.label, b.median_range(a["times"]),
                     b.median_range(a["cpu"]),
                     "-" if v.label == "plain" else
                     b.median_range(extra, "%.2f")])
    b.table("9. Console log and --fail-on: %d lines of 64 bytes through "
            "virtio-console (flood.elf)" % LINES,
            ["kvmux", "wall ms", "CPU ms", "extra CPU us/line"], rows,
            ["CPU = user + system of the whole process and of what it "
             "leaves behind (benchlib.cpu_run); extra "
             "= (CPU - plain's CPU) / lines, paired by round",
             "stdout is /dev/null; the log a file in $BENCH_WORK"])


if __name__ == "__main__":
    main()
