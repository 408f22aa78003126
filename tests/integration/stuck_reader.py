#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""stuck_reader.py FIFO READY PIDFILE - a reader that never reads.

Opens FIFO for reading (so a writer's open succeeds) and shrinks the pipe
to one page.  Then it waits until the writer, whose PID the test writes to
PIDFILE, has a thread asleep in the kernel's pipe write (its wchan), which
happens only when the pipe has no room for what it writes; then it
creates the file READY and holds the pipe open without ever reading,
until it is killed.  Tests use READY to act once kvmux is provably
blocked on its output, instead of sleeping and hoping.  (Counting bytes
in the pipe is not enough: a page need not fill up, since a write larger
than what is left of it waits for a free page rather than filling it.)
"""
import fcntl
import glob
import os
import sys
import time

F_SETPIPE_SZ = 1031  # fcntl.F_SETPIPE_SZ, Python 3.10+


def writer_pid(pidfile):
    while True:
        try:
            with open(pidfile) as f:
                text = f.read().strip()
            if text:
                return int(text)
        except FileNotFoundError:
            pass
        time.sleep(0.01)


def blocked_in_pipe_write(pid):
    for wchan in glob.glob("/proc/%d/task/*/wchan" % pid):
        try:
            with open(wchan) as f:
                if f.read().endswith("pipe_write"):
                    return True
        except OSError:
            pass
    return False


def main():
    fifo, ready, pidfile = sys.argv[1:4]
    fd = os.open(fifo, os.O_RDONLY)
    fcntl.fcntl(fd, F_SETPIPE_SZ, 4096)
    pid = writer_pid(pidfile)
    while not blocked_in_pipe_write(pid):
        if not os.path.exists("/proc/%d" % pid):
            return  # the writer ended: the test sees it and fails
        time.sleep(0.01)
    with open(ready, "w"):
        pass
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
