#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""sched.py - benchmark 4: kvmux's group scheduler.  Three CPU-bound VMs
(burn.elf, 1 vCPU each, weights 1, 2 and 5; bench/sched/*.conf) share 2
host CPUs for 10 s as one group.  kvmux's summary table (stderr) gives each
VM's target share and the CPU time of its vCPU threads; from it: the
measured share and its error against targets computed on the CPU the
group actually obtained (its vCPU threads' CPU time / wall, water-filled
with the weights, each VM capped at its one vCPU), Jain's fairness index
of measured/target, and the scheduler thread's CPU time as a fraction of
the group's CPU time.  Runs: equal priorities, mixed priorities
(bench/sched/prio/), --sched off (the host scheduler alone), and both
again beside a foreign CPU hog (a busy loop in another process, which
takes what Linux gives it).  The guests' own progress reports (iterations
per second against a solo run) are a second, independent view of the CPU
each VM got."""

import os
import re
import resource
import signal
import subprocess
import sys

import benchlib as b

HOST_CPUS = 2
SECONDS = 10
# Three 1-vCPU VMs on 2 CPUs need an overcommit of 1.5 (the default, 1,
# refuses more vCPUs than host CPUs).
GROUP = ["--host-cpus", str(HOST_CPUS), "--overcommit", "1.5"]
GOAL_PP = 2.0  # every share within 2 percentage points of its target
GOAL_OVERHEAD = 1.0  # scheduler CPU time under 1% of the group's
VMS = ["w1", "w2", "w5"]

HEAD = re.compile(r"on (\d+) host CPUs, period (\d+) ms, scheduler (.+?) "
                  r"\(its CPU time: ([0-9.]+) ms\)")
ROW = re.compile(r"^(\S+)\s+(-?\d+)\s+(\S+)\s+([0-9.]+)\s+([0-9.]+)\s+"
                 r"([0-9.]+)%\s+([0-9.]+)%\s*$", re.M)
REPORT = re.compile(r"^(\S+)\| burn: (\d+) iterations at (\d+) ms$", re.M)


def conf_value(path, key):
    with open(path) as f:
        m = re.search(r"^\s*%s\s*=\s*(\S+)" % key, f.read(), re.M)
    return m.group(1) if m else "0"


def solo_rate():
    """Loop iterations per second of burn.elf alone (the best of 2 runs of
    1 s, as other load on the host can only lower it)."""
    best = 0.0
    for _ in range(2):
        st, out, err = b.run([b.KVMUX, "run", "--kernel", b.fw("burn.elf"),
                              "--cmdline", "seconds=1 report=0"])
        m = re.search(r"burn: done (\d+) iterations in (\d+) ms", out)
        if st != 0 or not m:
            raise SystemExit("bench: burn.elf alone failed (status %d): %s"
                             % (st, err.strip()))
        best = max(best, int(m.group(1)) / (int(m.group(2)) / 1000))
    return best


def host_busy_s():
    """CPU-seconds all host CPUs have been busy since boot (/proc/stat:
    everything but idle and iowait)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    return (sum(v) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")


def children_cpu_s():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def start_hog():
    """A foreign CPU hog: one busy-looping process, not in the group."""
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def stop_hog(hog):
    """Stops the hog; returns the CPU-seconds it used."""
    hog.send_signal(signal.SIGTERM)
    _, _, ru = os.wait4(hog.pid, 0)  # for its rusage
    hog.returncode = -signal.SIGTERM  # reaped: Popen must not wait again
    return ru.ru_utime + ru.ru_stime


def run_group(confdir, extra, hog):
    confs = [os.path.join(confdir, v + ".conf") for v in VMS]
    hog_proc = start_hog() if hog else None
    busy0, own0 = host_busy_s(), children_cpu_s()
    st, out, err = b.run([b.KVMUX, "run"] + confs + GROUP + extra,
                         timeout=SECONDS + 60)
    others = (host_busy_s() - busy0) - (children_cpu_s() - own0)
    hog_s = stop_hog(hog_proc) if hog else 0.0
    head = HEAD.search(err)
    rows = {m.group(1): m for m in ROW.finditer(err)}
    if not head or set(rows) != set(VMS):
        raise SystemExit("bench: no summary table from kvmux (status %d):\n%s"
                         % (st, err.strip()))
    for name, m in rows.items():
        if m.group(3) != "timeout":
            raise SystemExit("bench: %s stopped early: %s" %
                             (name, m.group(0)))
    last = {}
    for m in REPORT.finditer(out):
        last[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    return confs, head, rows, last, max(others, 0.0), hog_s


def available_targets(confs, total, wall):
    """Targets (%) on the CPU the group obtained: total CPU-seconds over
    wall seconds, water-filled with the weights, 1 CPU (one vCPU) at
    most per VM; and that capacity in CPUs."""
    capacity = total / wall
    weights = [float(conf_value(c, "weight")) for c in confs]
    alloc = b.waterfill(capacity, weights, [1.0] * len(weights))
    return [100 * a / capacity for a in alloc], capacity


def one(title, confdir, extra, rate, note, hog=False):
    confs, head, rows, last, others, hog_s = run_group(confdir, extra, hog)
    cpu = {v: float(rows[v].group(5)) for v in VMS}
    wall = max(float(rows[v].group(4)) for v in VMS)
    total = sum(cpu.values())
    avail, capacity = available_targets(confs, total, wall)
    table_rows, ratios = [], []
    for v, conf, target in zip(VMS, confs, avail):
        got = 100 * cpu[v] / total
        err = got - target
        ratios.append(got / target)
        if v in last and last[v][1]:
            guest = "%.1f%%" % (100 * last[v][0] / rate /
                                (last[v][1] / 1000))
        else:
            guest = "-"
        table_rows.append([v, conf_value(conf, "weight"),
                           conf_value(conf, "priority"),
                           "%.1f%%" % float(rows[v].group(6)),
                           "%.1f%%" % target, "%.1f%%" % got,
                           "%+.1f" % (round(err, 1) or 0.0),
                           "PASS" if abs(err) <= GOAL_PP else "MISS",
                           "%.3f" % cpu[v], guest, "n/a"])
    jain = sum(ratios) ** 2 / (len(ratios) * sum(r * r for r in ratios))
    sched_ms = float(head.group(4))
    overhead = 100 * sched_ms / 1000 / (SECONDS * HOST_CPUS)
    used = 100 * total / (wall * HOST_CPUS)
    b.table(title,
            ["VM", "weight", "prio", "kvmux target", "target",
             "measured", "error (pp)",
             "goal ±%.0fpp" % GOAL_PP, "CPU (s)", "guest view",
             "QEMU"],
            table_rows,
            ["target: water-filled on the %.2f CPUs the group obtained "
             "(its CPU-seconds / %.1f s wall); kvmux target: what kvmux "
             "aimed for (its TARGET, computed on %d CPUs)%s" %
             (capacity, wall, HOST_CPUS,
              "; the hog used %.2f CPU-seconds" % hog_s if hog else ""),
             "Jain's fairness index of measured/target: %.4f (1 = every VM "
             "got its target)" % jain,
             "scheduler thread CPU time: %.3f ms = %.3f%% of %d s x %d CPUs "
             "(goal < %.0f%%: %s)" %
             (sched_ms, overhead, SECONDS, HOST_CPUS, GOAL_OVERHEAD,
              "PASS" if overhead < GOAL_OVERHEAD else "MISS"),
             "vCPU threads used %.2f of %.2f CPU-seconds (%.1f%%); "
             "scheduler %s, period %s ms; other processes on the host: "
             "%.2f CPU-seconds" %
             (total, wall * HOST_CPUS, used, head.group(3), head.group(2),
              others),
             note])


def main():
    rate = solo_rate()
    here = os.path.dirname(os.path.abspath(__file__))
    base = os.path.join(here, "sched")
    common = ("measured = CPU time of the VM's vCPU threads / all VMs' "
              "(kvmux's GOT); guest view = burn.elf's iterations per second "
              "/ its solo rate (%.2fG/s), in %% of one CPU; QEMU: n/a, no "
              "group scheduler" % (rate / 1e9))
    one("4a. Scheduler: weights 1:2:5, equal priority, %d x 1-vCPU VMs on "
        "%d host CPUs, %d s" % (len(VMS), HOST_CPUS, SECONDS),
        base, [], rate,
        "kvmux target: weighted shares of 2 CPUs, each capped at 1 CPU "
        "(50%) and the excess shared by weight (w5 asks 62.5%, can use "
        "50%); " + common)
    one("4b. Scheduler: weights 1:2:5, priorities w1 9, w2 4, w5 0 "
        "(lightest first)", os.path.join(base, "prio"), [], rate,
        "priority only orders dispatch within a period: the targets are "
        "as in 4a")
    one("4c. Host scheduler alone: --sched off, weights 1:2:5 as in 4a",
        base, ["--sched", "off"], rate,
        "the contrast: Linux's CFS gives each busy vCPU thread the same "
        "share; kvmux target: what kvmux would aim for")
    one("4d. Scheduler beside a foreign CPU hog: weights 1:2:5 as in 4a, "
        "and one busy-looping process outside the group",
        base, [], rate,
        "the hog takes what CFS gives it; the group's shares must follow "
        "the weights within what is left", hog=True)
    one("4e. Host scheduler alone beside the hog: --sched off", base,
        ["--sched", "off"], rate,
        "the contrast for 4d", hog=True)


if __name__ == "__main__":
    main()
