#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""flood_check.py - read and check the lines of guest-firmware's flood.

  flood_check.py check [PREFIXES] < OUTPUT
      every line is a whole flood line (or "flood: done N lines"), with
      an optional "name| " prefix from PREFIXES (comma-separated); each
      prefix's line numbers run 0, 1, 2, ... without a gap.  Prints
      "lines N" per prefix and exits 1 on the first bad line.

  flood_check.py late PREFIXES LEN -- KVMUX ARGS...
      runs KVMUX with its stdout a pipe (of 4 KiB) read only once its stderr
      says the run is stopping ("--timeout"), then to the end: the output
      held back meanwhile must all arrive.  Each prefix's lines (PREFIXES:
      "-" for none) run 0, 1, 2, ... without a gap, each LEN bytes with
      its "\n", but for the last, which the stop may cut (a UART's).
      Prints kvmux's stderr ("stderr: ..."), then "lines P N" and
      "cut P yes|no" per prefix.  Exit status: kvmux's, or 1 for a bad
      line.

  flood_check.py nonblock LINES -- KVMUX ARGS...
      runs KVMUX with its stdout a pipe whose write end is non-blocking
      (as some parents leave it), reads it slowly, and checks that all
      LINES flood lines arrived.  Exit status: kvmux's, or 1 if lines
      were lost.
"""
import fcntl
import os
import re
import subprocess
import sys
import time

LINE = re.compile(r"^(?:(\S+)\| )?flood (\d{8}) ([a-z])+$")
DONE = re.compile(r"^(?:(\S+)\| )?flood: done (\d+) lines$")


def check(lines, prefixes):
    next_no = {p: 0 for p in prefixes}
    for text in lines:
        m = LINE.match(text)
        if not m:
            if DONE.match(text):
                continue
            print("bad line: %r" % text[:120])
            return 1
        who, no = m.group(1) or "", int(m.group(2))
        body = text[text.index(m.group(2)) + 9:]
        if who not in next_no or no != next_no[who] or \
                body != chr(ord("a") + no % 26) * len(body):
            print("line out of order or torn: %r" % text[:120])
            return 1
        next_no[who] += 1
    for who in prefixes:
        print("lines %s %d" % (who or "-", next_no[who]))
    return 0


def nonblock(want, argv):
    r, w = os.pipe()
    fcntl.fcntl(w, fcntl.F_SETFL, fcntl.fcntl(w, fcntl.F_GETFL) | os.O_NONBLOCK)
    proc = subprocess.Popen(argv, stdout=w, stdin=subprocess.DEVNULL)
    os.close(w)
    data = b""
    while True:
        chunk = os.read(r, 4096)
        if not chunk:
            break
        data += chunk
        time.sleep(0.0005)  # slower than the guest writes
    status = proc.wait()
    lines = data.decode("ascii", "replace").splitlines()
    if check(lines, [""]) or sum(1 for t in lines if LINE.match(t)) != want:
        print("got %d bytes, %d lines of %d" % (len(data), len(lines), want))
        return 1
    return status


def read_to_end(fd):
    data = b""
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            return data
        data += chunk


def late_check(lines, prefixes, want_len):
    """Lines in order per prefix, each whole (want_len bytes with its
    "\n") but for a prefix's last, which may be cut; 0 or 1."""
    next_no = {p: 0 for p in prefixes}
    cut = {p: False for p in prefixes}
    for text in lines:
        m = re.match(r"^(?:(\S+)\| )?(.*)$", text)
        who, body = m.group(1) or "", m.group(2)
        if who not in next_no or cut[who]:
            print("line after the last: %r" % text[:120])
            return 1
        if DONE.match(text):
            continue
        no = next_no[who]
        full = "flood %08d " % no
        full += chr(ord("a") + no % 26) * (want_len - 1 - len(full))
        if body != full and not (body and full.startswith(body)):
            print("line out of order or torn: %r" % text[:120])
            return 1
        cut[who] = body != full
        next_no[who] += 1
    for who in prefixes:
        print("lines %s %d" % (who or "-", next_no[who]))
        print("cut %s %s" % (who or "-", "yes" if cut[who] else "no"))
    return 0


def late(prefixes, want_len, argv):
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    # A page: kvmux's buffer behind it fills sooner (a UART is slow).
    fcntl.fcntl(out_w, getattr(fcntl, "F_SETPIPE_SZ", 1031), 4096)
    proc = subprocess.Popen(argv, stdout=out_w, stderr=err_w,
                            stdin=subprocess.DEVNULL)
    os.close(out_w)
    os.close(err_w)
    err = b""
    while b"--timeout" not in err:
        chunk = os.read(err_r, 4096)
        if not chunk:
            break
        err += chunk
    data = read_to_end(out_r)
    err += read_to_end(err_r)
    status = proc.wait()
    for text in err.decode("ascii", "replace").splitlines():
        print("stderr: " + text)
    lines = data.decode("ascii", "replace").splitlines()
    return 1 if late_check(lines, prefixes, want_len) else status


def main():
    if sys.argv[1] == "check":
        prefixes = sys.argv[2].split(",") if len(sys.argv) > 2 else [""]
        return check(sys.stdin.read().splitlines(), prefixes)
    if sys.argv[1] == "late":
        prefixes = [""] if sys.argv[2] == "-" else sys.argv[2].split(",")
        return late(prefixes, int(sys.argv[3]), sys.argv[5:])
    return nonblock(int(sys.argv[2]), sys.argv[4:])


if __name__ == "__main__":
    sys.exit(main())
