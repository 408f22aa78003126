#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""stop.py - benchmark 10: how long each cause of a stop takes to end the
VMM process (docs/exit-status.md, "How a run ends, and how long it
takes").  The guest's own stops (the debug-exit port, a reset) are timed
with strace from the return of the KVM_RUN that carried them, as in
teardown.py; the host's (a signal, Ctrl-A x on a terminal, --timeout,
a --fail-on line, the console's reader going away) from outside: from
the moment the benchmark causes it, or sees it on kvmux's stdout, to the
return of waitpid().  Every case runs once per round, the order rotated
round by round; the table gives the median (min-max) over the rounds."""

import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import subprocess
import termios
import time

import benchlib as b
import teardown

ROUNDS = 9
TIMEOUT_S = 1.0  # the --timeout case
SETTLE = 0.2  # after the guest's line, before the cause
PIPE_BYTES = 4096  # the never-read pipe's size (one page)
IDLE = b"idle: halting with interrupts on"
FLOOD = b"flood 00000000 "
MIB = 64
GROUP = 3


def wait_for(fd, text, proc, count=1, timeout=30):
    """Read fd until text appeared count times; returns the time
    (monotonic) it did."""
    seen = b""
    deadline = time.monotonic() + timeout
    while seen.count(text) < count:
        rest = deadline - time.monotonic()
        ready = select.select([fd], [], [], max(rest, 0))[0] if rest > 0 \
            else []
        if not ready:
            proc.kill()
            raise SystemExit("bench: no %r from %s within %d s" %
                             (text, " ".join(proc.args), timeout))
        chunk = os.read(fd, 65536)
        if not chunk:
            raise SystemExit("bench: %s ended before printing %r" %
                             (" ".join(proc.args), text))
        seen += chunk
    return time.monotonic()


def finish(proc, t0):
    """Wait for proc; returns (ms since t0, exit status)."""
    st = proc.wait(timeout=30)
    return (time.monotonic() - t0) * 1000, st


def popen(argv):
    return subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)


# ---- the ways to cause a stop ----

def by_strace(argv):
    """The guest's own stop: last KVM_RUN's return to the process's end."""
    def go(i):
        log = os.path.join(b.WORK, "stop-strace-%d.txt" % i)
        st, _, err = b.run(teardown.STRACE + ["-o", log, "--"] + argv,
                           timeout=60)
        t = teardown.parse(log)
        if t.last_run_end is None or t.exit_time is None:
            raise SystemExit("bench: strace of %s failed (status %d): %s" %
                             (argv[0], st, err.strip()[-300:]))
        return (t.exit_time - t.last_run_end) * 1000, st
    return go


def by_signal(argv, sig, text=IDLE, lines=1):
    """sig sent once the guest printed text `lines` times (a group)."""
    def go(i):
        p = popen(argv)
        wait_for(p.stdout.fileno(), text, p, count=lines)
        time.sleep(SETTLE)
        t0 = time.monotonic()
        p.send_signal(sig)
        r = finish(p, t0)
        p.stdout.close()
        return r
    return go


def by_line(argv, text):
    """A --fail-on line: from reading it on kvmux's stdout to the end."""
    def go(i):
        p = popen(argv)
        t0 = wait_for(p.stdout.fileno(), text, p)
        r = finish(p, t0)
        p.stdout.close()
        return r
    return go


def by_timeout(argv):
    """--timeout TIMEOUT_S: the process's wall time less the timeout."""
    def go(i):
        t0 = time.monotonic()
        p = popen(argv)
        ms, st = finish(p, t0)
        p.stdout.close()
        return ms - TIMEOUT_S * 1000, st
    return go


def by_reader_gone(argv):
    """As `| head -1`: the reader closes the pipe after the first line."""
    def go(i):
        p = popen(argv)
        wait_for(p.stdout.fileno(), FLOOD, p)
        t0 = time.monotonic()
        p.stdout.close()
        return finish(p, t0)
    return go


def by_stuck_reader(argv):
    """A reader that never reads, then SIGTERM once the pipe (shrunk to
    one page, so that the UART fills it in a fraction of a second) is
    full and kvmux holds output it cannot write."""
    def go(i):
        r, w = os.pipe()
        fcntl.fcntl(r, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=w,
                             stderr=subprocess.DEVNULL)
        os.close(w)
        deadline = time.monotonic() + 30
        # Full: more than half of it used and not growing for 50 ms (a
        # write that does not fit whole may leave a few bytes free).
        last = -1
        while last < PIPE_BYTES // 2 or queued(r) != last:
            if time.monotonic() > deadline or p.poll() is not None:
                p.kill()
                raise SystemExit("bench: %s did not fill its pipe" %
                                 argv[0])
            last = queued(r)
            time.sleep(0.05)
        time.sleep(SETTLE)
        t0 = time.monotonic()
        p.send_signal(signal.SIGTERM)
        res = finish(p, t0)
        os.close(r)
        return res
    return go


def queued(fd):
    """Bytes waiting in a pipe (FIONREAD)."""
    n = fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0")
    return struct.unpack("i", n)[0]


def by_keys(argv, keys):
    """keys typed on kvmux's terminal (a pty) once the guest idles."""
    def go(i):
        pid, fd = pty.fork()
        if pid == 0:
            try:
                os.execvp(argv[0], argv)
            finally:
                os._exit(127)
        try:
            wait_for(fd, IDLE, _Pid(pid, argv))
            time.sleep(SETTLE)
            t0 = time.monotonic()
            os.write(fd, keys)
            while True:  # keep the terminal drained until the end
                if select.select([fd], [], [], 0.01)[0]:
                    try:
                        os.read(fd, 4096)
                    except OSError:
                        pass
                done, raw = os.waitpid(pid, os.WNOHANG)
                if done:
                    ms = (time.monotonic() - t0) * 1000
                    return ms, os.waitstatus_to_exitcode(raw)
        finally:
            os.close(fd)
    return go


class _Pid:
    """What wait_for() needs of a process started by pty.fork()."""

    def __init__(self, pid, argv):
        self.pid, self.args = pid, argv

    def kill(self):
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)


# ---- the cases ----

def kvmux(name, cmdline=None, extra=()):
    return b.kvmux_argv(b.fw(name), cmdline, mib=MIB) + list(extra)


def kvmux_cases():
    """(cause, how it is timed, go, the status the docs promise)."""
    say = "say=FAILNOW%0a spin=1"
    confs = b.group_confs("stop-group", GROUP, "idle.elf", MIB)
    group = [b.KVMUX, "run"] + confs + ["--host-cpus", "2",
                                        "--overcommit", "2"]
    return [
        ("exit port: lean.elf", "strace", by_strace(kvmux("lean.elf")), 0),
        ("exit port: flood.elf dev=virtio lines=1000", "strace",
         by_strace(kvmux("flood.elf", "dev=virtio lines=1000",
                         ["--console", "virtio"])), 0),
        ("reset: i8042", "strace",
         by_strace(kvmux("reset.elf", "how=i8042")), 121),
        ("reset: triple fault", "strace",
         by_strace(kvmux("reset.elf", "how=triple")), 121),
        ("--fail-on line (say.elf)", "line on stdout",
         by_line(kvmux("say.elf", say, ["--fail-on", "FAILNOW"]),
                 b"FAILNOW"), 123),
        ("--timeout %g (idle.elf)" % TIMEOUT_S, "wall - T",
         by_timeout(kvmux("idle.elf", None,
                          ["--timeout", "%g" % TIMEOUT_S])), 124),
        ("SIGTERM (idle.elf)", "signal", by_signal(kvmux("idle.elf"),
                                                   signal.SIGTERM), 143),
        ("SIGINT (idle.elf)", "signal", by_signal(kvmux("idle.elf"),
                                                  signal.SIGINT), 130),
        ("Ctrl-A x on a pty (idle.elf)", "keys",
         by_keys(kvmux("idle.elf"), b"\x01x"), 130),
        ("reader gone (flood.elf | head -1)", "close",
         by_reader_gone(kvmux("flood.elf")), 141),
        ("reader never reads + SIGTERM (flood.elf)", "signal",
         by_stuck_reader(kvmux("flood.elf")), 143),
        ("group of %d idle.elf + SIGTERM" % GROUP, "signal",
         by_signal(group, signal.SIGTERM, lines=GROUP), 143),
        ("the same, --sched off", "signal",
         by_signal(group + ["--sched", "off"], signal.SIGTERM,
                   lines=GROUP), 143),
    ]


def qemu_cases(accel):
    """QEMU microvm where it has the cause, by kvmux's row's cause."""
    def q(name, cmdline=None, extra=()):
        return b.qemu_cmd(accel, b.fw(name), cmdline, list(extra), mib=MIB)

    mon = q("idle.elf")
    mon[mon.index("-serial") + 1] = "mon:stdio"
    idle = q("idle.elf")
    return {
        "exit port: lean.elf": (by_strace(q("lean.elf")), 1),
        "reset: triple fault": (by_strace(q("reset.elf", "how=triple",
                                            ["-no-reboot"])), 0),
        "SIGTERM (idle.elf)": (by_signal(idle, signal.SIGTERM), None),
        "SIGINT (idle.elf)": (by_signal(idle, signal.SIGINT), None),
        "Ctrl-A x on a pty (idle.elf)": (by_keys(mon, b"\x01x"), None),
    }


def floor_cases():
    """The floor VMM: the debug-exit port, and a signal's default action
    (it sleeps in pause() once the guest halts)."""
    idle = b.floor_argv(b.fw("idle.elf"), mib=MIB)
    return {
        "exit port: lean.elf": (by_strace(b.floor_argv(b.fw("lean.elf"),
                                                       mib=MIB)), 0),
        "SIGTERM (idle.elf)": (by_signal(idle, signal.SIGTERM), -15),
        "SIGINT (idle.elf)": (by_signal(idle, signal.SIGINT), -2),
    }


def measure_all(runs):
    """runs: [(key, go)]; each once per round, rotated; returns
    {key: [(ms, status)]}."""
    res = {k: [] for k, _ in runs}
    for r in range(ROUNDS):
        k = (r * 3) % len(runs)
        for i, (key, go) in enumerate(runs[k:] + runs[:k]):
            res[key].append(go(r * len(runs) + i))
    return res


def cell(results, want):
    if not results:
        return "n/a", ""
    ms = [x[0] for x in results]
    sts = sorted({x[1] for x in results})
    st = ",".join(str(s) for s in sts)
    if want is not None and sts != [want]:
        st += " (want %d)" % want
    return b.median_range(ms, "%.1f" if statistics.median(ms) < 100
                          else "%.0f"), st


def main():
    accel, _ = b.qemu_accel()
    kcases = kvmux_cases()
    qcases = qemu_cases(accel) if accel else {}
    fcases = floor_cases()
    runs = [(("kvmux", c[0]), c[2]) for c in kcases]
    runs += [(("floor", k), v[0]) for k, v in fcases.items()]
    runs += [(("qemu", k), v[0]) for k, v in qcases.items()]
    res = measure_all(runs)
    rows = []
    for cause, how, _, want in kcases:
        row = [cause, how] + list(cell(res[("kvmux", cause)], want))
        for tag, cases in (("floor", fcases), ("qemu", qcases)):
            want_o = cases[cause][1] if cause in cases else None
            row += list(cell(res.get((tag, cause)), want_o))
        rows.append(row)
    b.table("10. Stop latency per cause: from the cause to the end of the "
            "process, ms median (min-max) of %d interleaved rounds" %
            ROUNDS,
            ["cause", "from", "kvmux ms", "status", "floor VMM ms",
             "status", b.qemu_label() + " ms", "status"], rows,
            ["strace: the return of the last KVM_RUN (the one that carried "
             "the port write or the reset) to the last \"+++ exited\" "
             "(strace -f -ttt -T, as table 5; it adds a few us per traced "
             "call)",
             "line on stdout: from the benchmark reading the matching line "
             "on kvmux's stdout (a pipe) to waitpid()'s return; signal, "
             "keys, close: from kill(), the write of Ctrl-A x to the pty "
             "master, or the close of the pipe's read end (as head -1 "
             "does) to waitpid()'s return",
             "wall - T: from fork to waitpid() less the timeout, so it "
             "includes the start and the boot (kvmux counts the timeout "
             "from the VM's start)",
             "signals and keys are sent %.1f s after the guest's line (the "
             "reader that never reads: after its pipe, %d bytes, is full); "
             "all guests %d MiB" % (SETTLE, PIPE_BYTES, MIB),
             "QEMU: isa-debug-exit for the port (status 1 = guest 0), "
             "-no-reboot for the triple fault (microvm has no i8042), "
             "-serial mon:stdio for Ctrl-A x; "
             "it has no --timeout, --fail-on or group; signal statuses "
             "as QEMU gives them; the floor VMM only has the port and "
             "signals' default actions (negative: killed by the signal)",
             "kvmux has no crash (status 122) row: no firmware kernel "
             "makes KVM fail the vCPU",
             b.qemu_note()])


if __name__ == "__main__":
    main()
