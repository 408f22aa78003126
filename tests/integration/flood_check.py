#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""flood_check.py - read and check the lines of guest-firmware's flood.

  flood_check.py check [PREFIXES] < OUTPUT
      every line is a whole flood line (or "flood: done N lines"), with
      an optional "name| " prefix from PREFIXES (comma-separated); each
      prefix's line numbers run 0, 1, 2, ... without a gap.  Prints
      "lines N" per prefix and exits 1 on the first bad line.

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


def main():
    if sys.argv[1] == "check":
        prefixes = sys.argv[2].split(",") if len(sys.argv) > 2 else [""]
        return check(sys.stdin.read().splitlines(), prefixes)
    return nonblock(int(sys.argv[2]), sys.argv[4:])


if __name__ == "__main__":
    sys.exit(main())
