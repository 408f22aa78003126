#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""teardown.py - benchmark 5: how long each VMM takes to be gone once the
guest asked to stop: from the last return of KVM_RUN (the exit that
carried the guest's port 0x501 write; kvmtool's, the i8042 reset) to the
SIGCHLD the VMM's end sends its parent (what a shell, hyperfine or CI
waits for).  Both are kernel tracepoints (kvm:kvm_userspace_exit,
signal:signal_generate) recorded by perf on every CPU, which, unlike
strace, never stop the process they watch.  Processes the VMM started
(kvmux's closers, which destroy the VMs after kvmux has gone) are not
waited for: they are not in the window."""

import os
import re
import statistics

import benchlib as b

RUNS = 10  # per VMM, interleaved
TOUCH_MIB = 200  # of the 256 MiB guest, for table 5b
# -a: the SIGCHLD comes after the exiting process has left its own
# perf events behind.
PERF = ["perf", "record", "-a", "-q", "-e", "kvm:kvm_userspace_exit",
        "-e", "signal:signal_generate"]

# perf script -F pid,tid,time,event,trace: "PID/TID TIME: EVENT: TRACE"
# (the TID of a process's last moments is -1).
EVENT = re.compile(r"^\s*(\d+)/-?\d+\s+([0-9.]+):\s+([a-z_:]+):\s*(.*)$")
TO_PERF = re.compile(r"\bsig=17 .*\bcomm=perf\b")  # SIGCHLD to its parent


class Trace:
    """What one perf recording says about the end of the run, in seconds:
    the VMM is the process whose threads ran the vCPUs and whose end
    signalled perf.  perf -a records every VM on the host, and another
    one (a test run beside the bench) may leave KVM_RUN after ours
    ended: the latest exit alone is not ours."""

    def __init__(self):
        self.last_run_end = {}  # process ID -> its last KVM_RUN return
        self.gone = {}  # process ID -> its SIGCHLD to perf

    def vmm(self):
        ours = [pid for pid in self.last_run_end if pid in self.gone]
        return max(ours, key=self.last_run_end.get, default=None)


def parse(text):
    t = Trace()
    for ln in text.splitlines():
        m = EVENT.match(ln)
        if not m:
            continue
        pid, ts, event, trace = m.group(1), float(m.group(2)), \
            m.group(3), m.group(4)
        if event == "kvm:kvm_userspace_exit":
            t.last_run_end[pid] = ts
        elif event == "signal:signal_generate" and TO_PERF.search(trace):
            t.gone.setdefault(pid, ts)
    return t


def one_run(v, i):
    data = os.path.join(b.WORK, "teardown-%d.data" % i)
    st, out, err = b.run(PERF + ["-o", data, "--"] + v.argv, timeout=60)
    _, script, perr = b.run(["perf", "script", "-i", data,
                             "-F", "pid,tid,time,event,trace"], timeout=120)
    t = parse(script)
    vmm = t.vmm()
    if st != v.ok_status or vmm is None or vmm not in t.gone:
        raise SystemExit("bench: perf record of %s failed (status %d): %s" %
                         (v.label, st, (err + perr).strip()[-300:]))
    return (t.gone[vmm] - t.last_run_end[vmm]) * 1000


def one(kernel, cmdline, title):
    vmm_list = b.vmms(kernel, cmdline, kernel_irqchip=True)
    res = {v.label: [] for v in vmm_list}
    for i in range(RUNS):
        for v in vmm_list:
            res[v.label].append(one_run(v, i))
    floor = statistics.median(res["floor VMM"])
    rows = [[v.label, b.median_range(res[v.label], "%.2f"),
             b.fmt_ratio(statistics.median(res[v.label]) / floor)]
            for v in vmm_list]
    b.table(title % RUNS,
            ["VMM", "teardown ms med (min-max)", "x floor"], rows,
            ["teardown: perf record -a -e kvm:kvm_userspace_exit -e "
             "signal:signal_generate: the VMM's last return from KVM_RUN "
             "(the guest's exit) to the SIGCHLD its end sends its parent "
             "(what a caller waits for); tracepoints do not stop the "
             "process",
             "kvmux's closer, started at the VM's end, which destroys the "
             "VM and frees the guest's RAM after kvmux has gone "
             "(host/fd_release.c), is not in the window: nobody waits for "
             "it; with the default --irqchip split a VM closes in ~0.1 ms "
             "and gets a closer only if its RAM holds 8 MiB or more (else "
             "kvmux frees it itself); with KVM's irqchip always",
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
