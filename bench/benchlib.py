# SPDX-License-Identifier: GPL-2.0-only
"""benchlib.py - what the benchmarks in bench/ share: paths, running a
command, finding out how QEMU can run here, the TSC rate, statistics and
aligned plain-text tables.  Imported by bench/*.py; not run by itself."""

import os
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KVMUX = os.path.join(ROOT, "build", "kvmux")
FIRMWARE = os.path.join(ROOT, "guest-firmware", "build")
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


def qemu_cmd(accel, kernel, append=None, extra=()):
    cmd = QEMU_BASE + ["-accel", accel, "-kernel", kernel]
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
