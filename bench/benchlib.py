# SPDX-License-Identifier: GPL-2.0-only
"""benchlib.py - what the benchmarks in bench/ share: paths, running a
command, the VMMs compared (kvmux, the floor VMM, QEMU microvm, kvmtool)
and how to start each, hyperfine in interleaved rounds, CPU time from
/proc, water-filling shares, the TSC rate, statistics and aligned
plain-text tables.  Imported by bench/*.py; not run by itself."""

import json
import os
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KVMUX = os.path.join(ROOT, "build", "kvmux")
# bench/floor/floorvmm.c: the least a VMM does to boot our PVH kernels.
FLOOR = os.path.join(ROOT, "build", "floorvmm")
FIRMWARE = os.path.join(ROOT, "guest-firmware", "build")
# kvmtool's lkvm, if there is one: $KVMTOOL, else lkvm on PATH.
KVMTOOL = os.environ.get("KVMTOOL") or shutil.which("lkvm")
MEMORY_MIB = 256  # every VMM's guest RAM (kvmux's default)
# Scratch space made (and removed) by bench/run.sh.
WORK = os.environ.get("BENCH_WORK") or "/tmp"
QEMU = "qemu-system-x86_64"

# QEMU's microvm machine booting one of our PVH ELF kernels: no default
# devices, the UART on stdio, and the debug-exit port our kernels write
# (QEMU exits with (value << 1) | 1).  acpi=off makes microvm append
# virtio_mmio.device= entries to the command line (auto-kernel-cmdline),
# which is how our firmware finds devices when there is no device tree;
# force-legacy=false gives virtio-mmio version 2 (our driver needs 1.x).
QEMU_BASE = [QEMU, "-M", "microvm,acpi=off", "-m", "256M", "-nodefaults",
             "-no-user-config", "-nographic", "-serial", "stdio",
             "-global", "virtio-mmio.force-legacy=false",
             "-device", "isa-debug-exit,iobase=0x501,iosize=1"]


def fw(name):
    """Path of a guest-firmware kernel."""
    return os.path.join(FIRMWARE, name)


def run(cmd, timeout=120, cwd=None):
    """Run cmd; return (exit status, stdout, stderr) as text."""
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, errors="replace", timeout=timeout, cwd=cwd)
    return p.returncode, p.stdout, p.stderr


_qemu_accel = None


def qemu_accel():
    """How QEMU runs guests here: ("kvm", None), or ("tcg", why KVM is not
    usable), or (None, why QEMU cannot run at all).  Probed once by booting
    hello.elf, which must print its greeting and exit 0 (QEMU status 1)."""
    global _qemu_accel
    if _qemu_accel is not None:
        return _qemu_accel
    why = None
    for accel in ("kvm", "tcg"):
        try:
            st, out, err = run(qemu_cmd(accel, fw("hello.elf")), timeout=60)
        except FileNotFoundError:
            _qemu_accel = (None, QEMU + " is not installed")
            return _qemu_accel
        except subprocess.TimeoutExpired:
            st, out, err = -1, "", "no exit within 60 s"
        if st == 1 and "Hello from the kvmux guest!" in out:
            _qemu_accel = (accel, why)
            return _qemu_accel
        lines = [ln for ln in err.splitlines()
                 if ln.strip() and "warning" not in ln]
        msg = (lines[0] if lines else "exit status %d" % st).strip()
        if why is None:
            why = msg
        else:
            why += "; tcg: " + msg
    _qemu_accel = (None, why)
    return _qemu_accel


def qemu_cmd(accel, kernel, append=None, extra=(), mib=None):
    cmd = QEMU_BASE + ["-accel", accel, "-kernel", kernel]
    if mib:
        cmd[cmd.index("-m") + 1] = "%dM" % mib
    if append:
        cmd += ["-append", append]
    return cmd + list(extra)


def qemu_label():
    """The QEMU column's heading, saying which accelerator it used."""
    accel, _ = qemu_accel()
    if accel == "kvm":
        return "QEMU microvm (KVM)"
    if accel == "tcg":
        return "QEMU microvm (TCG, no KVM)"
    return "QEMU microvm"


def qemu_note():
    """A line to print under a table when QEMU could not use KVM."""
    accel, why = qemu_accel()
    if accel == "kvm":
        return None
    if accel == "tcg":
        return "QEMU microvm: KVM not usable here: %s; TCG used instead" % why
    return "QEMU microvm: cannot run here: %s" % why


_tsc_hz = None


def tsc_hz():
    """The TSC rate in Hz, as burn.elf calibrates it against the PIT under
    kvmux.  On this host the guest TSC is the host TSC (PVM cannot scale
    it), so the rate converts any guest's TSC cycles, QEMU's included."""
    global _tsc_hz
    if _tsc_hz is None:
        st, out, err = run([KVMUX, "run", "--kernel", fw("burn.elf"),
                            "--cmdline", "seconds=0 report=0"], timeout=60)
        m = re.search(r"burn: tsc_hz=(\d+) \(([^)]*)\)", out)
        if st != 0 or not m or int(m.group(1)) == 0:
            sys.exit("bench: cannot measure the TSC rate with burn.elf "
                     "(status %d): %s" % (st, (err or out).strip()))
        _tsc_hz = (int(m.group(1)), m.group(2))
    return _tsc_hz


def median_range(values, fmt="%.0f"):
    """"median (min-max)" of a list of numbers."""
    if not values:
        return "-"
    med = statistics.median(values)
    if len(values) == 1:
        return fmt % med
    return (fmt + " (" + fmt + "-" + fmt + ")") % (med, min(values),
                                                   max(values))


def table(title, header, rows, notes=()):
    """Print an aligned plain-text table: a title, the header, a rule, the
    rows (numbers right-aligned, text left-aligned), then notes."""
    cells = [header] + [[str(c) for c in r] for r in rows]
    width = [max(len(r[i]) for r in cells) for i in range(len(header))]

    def numeric(s):
        return bool(re.match(r"^[-+]?[0-9.]+( |%|$)", s))

    def fmt(row, is_header=False):
        out = []
        for i, c in enumerate(row):
            if not is_header and numeric(c) and i > 0:
                out.append(c.rjust(width[i]))
            else:
                out.append(c.ljust(width[i]))
        return "  ".join(out).rstrip()

    print()
    print(title)
    print(fmt(header, True))
    print("  ".join("-" * w for w in width))
    for r in cells[1:]:
        print(fmt(r))
    for n in notes:
        if n:
            print("  " + n)
    sys.stdout.flush()


# ---- the VMMs compared ----

class Vmm:
    """One VMM booting one of our kernels: its label, its command line,
    and the exit status that means "the guest wrote 0 to port 0x501"."""

    def __init__(self, label, argv, ok_status):
        self.label = label
        self.argv = argv
        self.ok_status = ok_status


def kvmux_argv(kernel, cmdline=None, mib=MEMORY_MIB):
    argv = [KVMUX, "run", "--kernel", kernel, "--memory", "%dM" % mib]
    return argv + (["--cmdline", cmdline] if cmdline else [])


def floor_argv(kernel, cmdline=None, mib=MEMORY_MIB):
    return [FLOOR, "-m", str(mib)] + (["-c", cmdline] if cmdline else []) + \
        [kernel]


def group_confs(tag, n, kernel, mib):
    """Write n config files for one kvmux group, VMs vm0 ... of mib MiB
    and one vCPU booting guest-firmware kernel `kernel`, in WORK; returns
    their paths."""
    paths = []
    for i in range(n):
        path = os.path.join(WORK, "%s-%d.conf" % (tag, i))
        with open(path, "w") as f:
            f.write("[vm]\nname = vm%d\nmemory = %dM\ncpus = 1\n\n"
                    "[kernel]\npath = %s\n" % (i, mib, fw(kernel)))
        paths.append(path)
    return paths


def kvmtool_argv(bzimage, cmdline=None, mib=MEMORY_MIB):
    """lkvm run with no default devices and no network (--nodefaults
    still adds a virtio-net device).  kvmtool has no ELF loader on
    x86 (a non-bzImage becomes a flat real-mode binary at 0x1000:0), so it
    boots the kernel's bzImage through the 16-bit setup entry.  It has no
    debug-exit port either: rt_exit() falls back to an i8042 reset, which
    ends lkvm with status 0 (the guest's status is lost)."""
    argv = [KVMTOOL, "run", "--nodefaults", "-n", "mode=none",
            "-m", str(mib), "-c", "1", "-k", bzimage]
    return argv + (["-p", cmdline] if cmdline else [])


# KVM's PICs, IOAPIC and PIT: kvmux's default before it had its own.
KVM_DEVICES = ["--irqchip", "kernel", "--pit", "kvm"]


def vmms(name, cmdline=None, mib=MEMORY_MIB, bzimage=False,
         kernel_irqchip=False):
    """The VMMs that can boot guest-firmware kernel `name` here, the floor
    first: floor VMM, kvmux, (kvmux --irqchip kernel --pit kvm: KVM's
    devices, kvmux's default before it had its own PICs and PIT,) (kvmux on the bzImage,) QEMU
    microvm, kvmtool.  QEMU and kvmtool are left out when they cannot
    run."""
    elf, bz = fw(name + ".elf"), fw(name + ".bzImage")
    out = [Vmm("floor VMM", floor_argv(elf, cmdline, mib), 0),
           Vmm("kvmux", kvmux_argv(elf, cmdline, mib), 0)]
    if kernel_irqchip:
        out.append(Vmm("kvmux --irqchip kernel --pit kvm",
                       kvmux_argv(elf, cmdline, mib) + KVM_DEVICES, 0))
    if bzimage:
        out.append(Vmm("kvmux (bzImage)", kvmux_argv(bz, cmdline, mib), 0))
    accel, _ = qemu_accel()
    if accel:
        qemu = qemu_cmd(accel, elf, cmdline, mib=mib)
        out.append(Vmm(qemu_label(), qemu, 1))
    if KVMTOOL:
        out.append(Vmm("kvmtool (bzImage)", kvmtool_argv(bz, cmdline, mib),
                       0))
    return out


def vmm_notes(mib=MEMORY_MIB):
    """Lines for under a table: what QEMU and kvmtool ran, or why not."""
    accel, _ = qemu_accel()
    qemu = qemu_cmd(accel or "-", "X.elf", mib=mib)
    notes = ["QEMU: " + " ".join(qemu[1:]) + " (exit status 1 = guest 0)",
             qemu_note()]
    if KVMTOOL:
        notes.append("kvmtool: %s run --nodefaults -n mode=none -m %d "
                     "-c 1 -k X.bzImage (16-bit setup entry; i8042 reset "
                     "to end)" % (KVMTOOL, mib))
    else:
        notes.append("kvmtool: not found (set $KVMTOOL or put lkvm on "
                     "PATH; see bench/README.md)")
    return notes


# ---- hyperfine in interleaved rounds ----

def hyperfine_round(tag, vmm_list, runs, warmup, shell=False):
    """One hyperfine invocation over every VMM; returns per VMM label
    (run times in ms, mean CPU time user+system in ms).  Every run must
    end with the VMM's ok_status (hyperfine -i lets others through)."""
    out = os.path.join(WORK, "hyperfine-%s.json" % tag)
    cmd = ["hyperfine", "-i", "--style", "none", "--warmup", str(warmup),
           "--runs", str(runs), "--export-json", out]
    if not shell:
        cmd.append("-N")
    for v in vmm_list:
        cmd += ["-n", v.label, v.argv if shell else shlex.join(v.argv)]
    st, _, err = run(cmd, timeout=600)
    if st != 0:
        raise SystemExit("bench: hyperfine failed: " + err.strip())
    with open(out) as f:
        results = json.load(f)["results"]
    res = {}
    for v, r in zip(vmm_list, results):
        bad = [c for c in r["exit_codes"] if c != v.ok_status]
        if bad:
            raise SystemExit("bench: %s exited %s, expected %d: %s" %
                             (v.label, bad[0], v.ok_status,
                              " ".join(v.argv) if not shell else v.argv))
        res[v.label] = ([t * 1000 for t in r["times"]],
                        (r["user"] + r["system"]) * 1000)
    return res


PR_SET_CHILD_SUBREAPER = 36
REAP_TIMEOUT_S = 30  # for what a VMM leaves running after its exit


def _subreaper(on):
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1 if on else 0, 0, 0, 0) != 0:
        raise SystemExit("bench: prctl(PR_SET_CHILD_SUBREAPER): %s" %
                         os.strerror(ctypes.get_errno()))


class _ReapTimeout(Exception):
    pass


def _reap_timeout(signum, frame):
    raise _ReapTimeout()


def _reap_all(timeout_s):
    """wait4() every process left to us (the run's own, and orphans
    reparented to this subreaper) until none is left; returns their CPU
    time (s).  Stops the bench if one still runs after timeout_s (a VMM
    that leaves a process behind for good)."""
    cpu = 0.0
    old = signal.signal(signal.SIGALRM, _reap_timeout)
    signal.setitimer(signal.ITIMER_REAL, timeout_s)
    try:
        while True:
            _, _, ru = os.wait4(-1, 0)
            cpu += ru.ru_utime + ru.ru_stime
    except ChildProcessError:
        return cpu
    except _ReapTimeout:
        raise SystemExit("bench: a process a VMM left behind is still "
                         "running after %d s" % timeout_s)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def cpu_run(argv, ok_status, shell=False):
    """CPU time (ms, user + system) of one run of argv and of every
    process it started, those that outlive it included (kvmux's closer,
    which destroys the VM after kvmux has exited: the floor VMM
    and QEMU destroy theirs in their own exit).  This process is their
    subreaper, so wait4()'s rusage, what /usr/bin/time reports, covers
    them all."""
    null = os.open(os.devnull, os.O_RDWR)
    argv = ["/bin/sh", "-c", argv] if shell else argv
    # posix_spawn (a vfork): the child costs nothing before the exec.
    pid = os.posix_spawnp(argv[0], argv, os.environ,
                          file_actions=[(os.POSIX_SPAWN_DUP2, null, fd)
                                        for fd in (0, 1, 2)])
    os.close(null)
    _, status, ru = os.wait4(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != ok_status:
        raise SystemExit("bench: %s exited %d, expected %d" %
                         (" ".join(argv), code, ok_status))
    cpu = ru.ru_utime + ru.ru_stime
    return (cpu + _reap_all(REAP_TIMEOUT_S)) * 1000


def cpu_rounds(vmm_list, rounds, runs, shell=False):
    """{label: per-round median of cpu_run()} over `rounds` rounds of
    `runs` runs of each VMM in turn, the order rotated every round."""
    acc = {v.label: [] for v in vmm_list}
    _subreaper(True)
    try:
        for r in range(rounds):
            k = r % len(vmm_list)
            for v in vmm_list[k:] + vmm_list[:k]:
                acc[v.label].append(statistics.median(
                    [cpu_run(v.argv, v.ok_status, shell)
                     for _ in range(runs)]))
    finally:
        _subreaper(False)
    return acc


def interleaved(tag, vmm_list, rounds, runs, warmup=1, shell=False):
    """hyperfine `rounds` times over all VMMs, the order rotated each
    round so no VMM always runs first or after the same one, for the wall
    time; then cpu_rounds() for the CPU time of everything each run
    started.  Returns {label: {"times": all run times (ms), "wall":
    per-round median (ms), "cpu": per-round median CPU (ms)}}."""
    acc = {v.label: {"times": [], "wall": []} for v in vmm_list}
    for r in range(rounds):
        k = r % len(vmm_list)
        order = vmm_list[k:] + vmm_list[:k]
        res = hyperfine_round("%s-%d" % (tag, r), order, runs, warmup, shell)
        for label, (times, _) in res.items():
            acc[label]["times"] += times
            acc[label]["wall"].append(statistics.median(times))
    for label, cpu in cpu_rounds(vmm_list, rounds, runs, shell).items():
        acc[label]["cpu"] = cpu
    return acc


def ratio(values, base):
    """Median over rounds of values[i] / base[i] (paired by round)."""
    r = [v / b for v, b in zip(values, base) if b > 0]
    return statistics.median(r) if r else float("nan")


# ---- CPU time of running processes ----

def _task_ns(pid, tid):
    """CPU time (ns) of one thread: the scheduler's sum_exec_runtime
    (/proc/PID/task/TID/sched, ms with 6 decimals), else utime + stime
    from .../stat in clock ticks."""
    base = "/proc/%d/task/%s/" % (pid, tid)
    try:
        with open(base + "sched") as f:
            m = re.search(r"se\.sum_exec_runtime\s*:\s*([0-9.]+)", f.read())
        if m:
            return float(m.group(1)) * 1e6
        with open(base + "stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])
        return ticks * 1e9 / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def process_cpu_ns(pid):
    """CPU time (ns) of a live process: the sum over its threads."""
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return 0.0
    return sum(_task_ns(pid, t) for t in tids)


def pss_kib(pid):
    """Proportional set size (KiB) from /proc/PID/smaps_rollup."""
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            m = re.search(r"^Pss:\s+(\d+) kB", f.read(), re.M)
        return int(m.group(1)) if m else 0
    except OSError:
        return 0


# ---- shares ----

def waterfill(capacity, weights, caps):
    """Split capacity (CPUs) by weight, no share above its cap (CPUs);
    what a capped share cannot use goes to the others by weight.  Returns
    the allocations in CPUs, in the order given."""
    alloc = [0.0] * len(weights)
    free = set(range(len(weights)))
    left = capacity
    while free and left > 1e-12:
        wsum = sum(weights[i] for i in free)
        over = [i for i in free if left * weights[i] / wsum >= caps[i]]
        if not over:
            for i in free:
                alloc[i] = left * weights[i] / wsum
            break
        for i in over:
            alloc[i] = caps[i]
            left -= caps[i]
            free.discard(i)
    return alloc


def fmt_ratio(x):
    return "-" if x != x else "%.2f" % x
