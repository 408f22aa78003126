#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""stuck_reader.py FIFO READY - a reader that never reads.

Opens FIFO for reading (so a writer's open succeeds), shrinks the pipe to
one page, waits until the writer has filled it (FIONREAD), then creates
the file READY and holds the pipe open without ever reading, until it is
killed.  Tests use READY to act once kvmux is provably blocked on its
output, instead of sleeping and hoping.
"""
import fcntl
import os
import struct
import sys
import termios
import time

F_SETPIPE_SZ = 1031  # fcntl.F_SETPIPE_SZ, Python 3.10+


def main():
    fifo, ready = sys.argv[1], sys.argv[2]
    fd = os.open(fifo, os.O_RDONLY)
    want = fcntl.fcntl(fd, F_SETPIPE_SZ, 4096)
    while True:
        buf = fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0")
        if struct.unpack("i", buf)[0] >= want:
            break
        time.sleep(0.01)
    with open(ready, "w"):
        pass
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
