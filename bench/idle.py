#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""idle.py - benchmark 6: what an idle VM costs its host.  N VMs of each
VMM boot idle.elf (interrupts on, every source masked, HLT forever), and
once all have printed their line and settled, the CPU time of their
processes (the sum over threads, from /proc) is read before and after
SECONDS of idling.  Result: CPU milliseconds per VM-second."""

import os
import select
import signal
import subprocess
import time

import benchlib as b

N = 20
SECONDS = 10
SETTLE = 1.0  # after the last VM booted, before the first reading
MIB = 64
GREETING = b"idle: halting with interrupts on"


def start(v, n):
    return [subprocess.Popen(v.argv, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL)
            for _ in range(n)]


def wait_greetings(procs, timeout, want=1):
    """Wait until every process printed GREETING want times (a group: once
    per VM); returns the seconds it took, or raises SystemExit naming how
    many did not."""
    t0 = time.monotonic()
    seen = {p.stdout.fileno(): b"" for p in procs}
    left = set(seen)
    while left:
        rest = t0 + timeout - time.monotonic()
        if rest <= 0:
            stop(procs)
            raise SystemExit("bench: %d of %d VMs did not boot idle.elf "
                             "within %d s" % (len(left), len(procs), timeout))
        ready, _, _ = select.select(list(left), [], [], rest)
        for fd in ready:
            chunk = os.read(fd, 4096)
            seen[fd] += chunk
            if seen[fd].count(GREETING) >= want or not chunk:
                left.discard(fd)
    bad = [fd for fd, s in seen.items() if s.count(GREETING) < want]
    if bad:
        stop(procs)
        raise SystemExit("bench: %d VMs ended before idling" % len(bad))
    return time.monotonic() - t0


def stop(procs):
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 5
    for p in procs:
        try:
            p.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        p.stdout.close()


def cpu_ns(procs):
    return sum(b.process_cpu_ns(p.pid) for p in procs)


def measure(v, processes=N):
    """CPU ms per VM-second of N idle VMs of one VMM, in that many
    processes (1: a kvmux group)."""
    procs = start(v, processes)
    wait_greetings(procs, 60, N // processes)
    time.sleep(SETTLE)
    c0, t0 = cpu_ns(procs), time.monotonic()
    time.sleep(SECONDS)
    c1, t1 = cpu_ns(procs), time.monotonic()
    alive = sum(p.poll() is None for p in procs)
    stop(procs)
    if alive != processes:
        raise SystemExit("bench: %s: %d of %d idle VMMs ended early" %
                         (v.label, processes - alive, processes))
    return (c1 - c0) / 1e6 / (N * (t1 - t0))


def park_group():
    """The N VMs as one kvmux group whose parking scheduler runs: N vCPUs
    on 2 host CPUs."""
    confs = b.group_confs("idle", N, "idle.elf", MIB)
    argv = [b.KVMUX, "run"] + confs + ["--host-cpus", "2", "--overcommit",
                                       str(N), "--sched", "park"]
    return b.Vmm("kvmux group, --sched park", argv, 0)


def main():
    rows = []
    for v, processes in [(v, N) for v in b.vmms("idle", mib=MIB)] + \
            [(park_group(), 1)]:
        ms = measure(v, processes)
        rows.append([v.label, "%.4f" % ms, "%.1f%%" % (ms * 10),
                     "PASS" if ms < 0.05 else "MISS"])
    b.table("6. Idle: %d VMs of each VMM idle for %d s (idle.elf, %d MiB, "
            "1 vCPU)" % (N, SECONDS, MIB),
            ["VMM", "CPU ms per VM-second", "of a core per 100 VMs",
             "goal < 0.05 ms"],
            rows,
            ["CPU: the sum over the VMM processes' threads of the "
             "scheduler's runtime (/proc/PID/task/*/sched), read after "
             "all %d booted and %.0f s more, and %d s later" %
             (N, SETTLE, SECONDS),
             "idle.elf masks both 8259s and LVT0, enables interrupts and "
             "halts: no guest interrupt, so the cost is the VMM's own",
             "the floor VMM has no in-kernel irqchip: its vCPU thread "
             "leaves KVM at the HLT and sleeps in pause()",
             "kvmux group: the %d VMs in one process, --host-cpus 2 "
             "--overcommit %d --sched park (its scheduler thread counts)" %
             (N, N)]
            + b.vmm_notes(MIB))


if __name__ == "__main__":
    main()
