#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""teardown.py - benchmark 5: how long each VMM takes to be gone once the
guest asked to stop: from the return of the KVM_RUN that carried the
guest's exit (the port 0x501 write; kvmtool: the i8042 reset) to the end
of the VMM's process (the one its caller waits for), measured from
outside with strace timestamps.  The largest close() of that process in
that window (the VM file descriptor's release, with whatever in-kernel
devices it holds) says where the time goes.  Processes the VMM forked
(kvmux's fd release helper, which destroys the VMs after kvmux has gone)
are followed too, but only reported: how long they linger after it."""

import os
import re
import statistics

import benchlib as b

RUNS = 10  # per VMM, interleaved
TOUCH_MIB = 200  # of the 256 MiB guest, for table 5b
# Only these stop the traced process (seccomp-bpf): the KVM_RUN returns we
# need, the closes we explain with, the clones that tell threads from
# child processes, and the end.
STRACE = ["strace", "-f", "-q", "-ttt", "-T", "--seccomp-bpf",
          "-e", "trace=ioctl,close,exit_group,clone,clone3,fork,vfork"]

LINE = re.compile(r"^(\d+)\s+([0-9.]+)\s+(.*)$")
DURATION = re.compile(r"<([0-9.]+)>\s*$")
RESULT = re.compile(r"\)\s+=\s+(\d+)(\s+<[0-9.]+>)?\s*$")


class Trace:
    """What one strace log says about the end of the run (seconds).  strace
    -f names threads by their thread ID: the first one is the VMM's main
    thread, and a clone with CLONE_THREAD adds a thread to the process of
    the thread that made it; any other clone starts a child process."""

    def __init__(self):
        self.leader = None  # the VMM's main thread (= its process ID)
        self.process = {}  # thread ID -> its process's leader
        self.last_run_end = None  # the last KVM_RUN's return
        self.exit_time = None  # the VMM process's "+++ exited"
        self.last_exit = None  # the last "+++ exited" of any process
        self.closes = []  # (end time, duration) of the VMM's close()s
        self.pending = {}  # thread ID -> the call it left unfinished

    def in_vmm(self, tid):
        return self.process.get(tid) == self.leader


def note_clone(t, tid, call, rest):
    m = RESULT.search(rest)
    if not m or int(m.group(1)) == 0:
        return
    child = m.group(1)
    t.process[child] = t.process.get(tid) if "CLONE_THREAD" in call \
        else child


def note_exit(t, tid, ts):
    t.last_exit = ts
    if tid == t.leader:
        t.exit_time = ts


def parse_line(t, tid, ts, rest):
    if t.leader is None:
        t.leader = tid
        t.process[tid] = tid
    if rest.startswith("+++ exited") or rest.startswith("+++ killed"):
        note_exit(t, tid, ts)
        return
    if rest.endswith("<unfinished ...>"):
        t.pending[tid] = rest
        return
    call, end = rest, ts
    m = DURATION.search(rest)
    if rest.startswith("<... "):  # resumed: ts is the return
        call = t.pending.pop(tid, "")
    elif m:
        end = ts + float(m.group(1))
    if call.startswith(("clone", "fork", "vfork")):
        note_clone(t, tid, call, rest)
    elif "KVM_RUN" in call:
        t.last_run_end = end
    elif call.startswith("close(") and m and t.in_vmm(tid):
        t.closes.append((end, float(m.group(1))))


def parse(path):
    t = Trace()
    with open(path) as f:
        for ln in f:
            m = LINE.match(ln.rstrip("\n"))
            if m:
                parse_line(t, m.group(1), float(m.group(2)), m.group(3))
    return t


def one_run(v, i):
    log = os.path.join(b.WORK, "strace-%d.txt" % i)
    st, out, err = b.run(STRACE + ["-o", log, "--"] + v.argv, timeout=60)
    t = parse(log)
    if st != v.ok_status or t.last_run_end is None or t.exit_time is None:
        raise SystemExit("bench: strace of %s failed (status %d): %s" %
                         (v.label, st, err.strip()[-300:]))
    window = [d for end, d in t.closes
              if t.last_run_end < end <= t.exit_time]
    return ((t.exit_time - t.last_run_end) * 1000,
            max(window, default=0.0) * 1000, len(window),
            (t.last_exit - t.exit_time) * 1000)


def one(kernel, cmdline, title):
    vmm_list = b.vmms(kernel, cmdline)
    res = {v.label: [] for v in vmm_list}
    for i in range(RUNS):
        for v in vmm_list:
            res[v.label].append(one_run(v, i))
    floor = statistics.median(x[0] for x in res["floor VMM"])
    rows = []
    for v in vmm_list:
        tear = [x[0] for x in res[v.label]]
        rows.append([v.label, b.median_range(tear, "%.2f"),
                     b.fmt_ratio(statistics.median(tear) / floor),
                     "%.2f" % statistics.median(x[1] for x in res[v.label]),
                     "%d" % statistics.median(x[2] for x in res[v.label]),
                     "%.2f" % statistics.median(x[3] for x in res[v.label])])
    b.table(title % RUNS,
            ["VMM", "teardown ms med (min-max)", "x floor",
             "largest close() ms", "closes", "children after ms"],
            rows,
            ["teardown: strace -f -ttt -T: the return of the last KVM_RUN "
             "(the guest's exit) to the \"+++ exited\" of the VMM's own "
             "process (what its caller waits for); strace stops the process "
             "at each ioctl, close and clone (seccomp-bpf), which adds "
             "some microseconds per traced call",
             "largest close(): the longest close() of the VMM's process in "
             "that window, usually the VM fd: its release destroys the VM "
             "and its in-kernel devices (irqchip, PIT) unless an exit_group "
             "or another process does it",
             "children after: how much later the last process the VMM "
             "forked ended (kvmux's fd release helper, which destroys the "
             "VM and frees the guest's RAM: host/fd_release.c); nobody "
             "waits for it",
             "the floor VMM creates no irqchip and no PIT"]
            + b.vmm_notes())


def main():
    one("lean", None, "5a. Teardown: lean.elf, from the guest's exit to the "
        "end of the process, %d interleaved runs")
    one("touch", "mib=%d" % TOUCH_MIB,
        "5b. Teardown after the guest used its RAM: touch.elf wrote to "
        "every page of " + str(TOUCH_MIB) + " MiB, %d interleaved runs")


if __name__ == "__main__":
    main()
