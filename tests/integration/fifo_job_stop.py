#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Stop kvmux with SIGTSTP while it waits for a FIFO's reader.

kvmux runs in a process group of its own whose parent (this script) is
in the same session: the kernel stops such a group, never an orphaned
one, whatever runs the tests.  Once kvmux says it waits for a reader
(its stderr, ERR_FILE), it gets SIGTSTP; the stop is waited for (no
timer: a kvmux that does not stop hangs this, and the caller's timeout
fails it, and kvmux is killed).  Then the FIFO gets a reader, kvmux SIGCONT, and the reader
reads to the end.  Prints "stopped by: N", "status: N" and what was read.

usage: fifo_job_stop.py FIFO ERR_FILE -- KVMUX ARGS...
"""
import os
import select
import signal
import sys
import time


def main():
    fifo, err_file = sys.argv[1], sys.argv[2]
    argv = sys.argv[sys.argv.index("--") + 1:]
    open(err_file, "wb").close()  # before the child: read from now on
    pid = os.fork()
    if pid == 0:
        os.setpgid(0, 0)
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        err = os.open(err_file, os.O_WRONLY | os.O_TRUNC)
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)
        os.dup2(null, 1)
        os.dup2(err, 2)
        os.execv(argv[0], argv)
    try:
        os.setpgid(pid, pid)  # whichever of the two comes first
    except OSError:
        pass  # the child has exec'd: its own call came first

    def give_up(sig, frame):  # the caller's timeout: no kvmux left over
        os.kill(pid, signal.SIGKILL)
        print("hung")
        sys.exit(1)

    signal.signal(signal.SIGTERM, give_up)
    while b"waiting for one" not in open(err_file, "rb").read():
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            print("status before the stop: %d" % os.waitstatus_to_exitcode(st))
            return
        time.sleep(0.05)  # polls for an event; no assert rests on it
    os.kill(pid, signal.SIGTSTP)
    _, st = os.waitpid(pid, os.WUNTRACED)
    if not os.WIFSTOPPED(st):
        print("status instead of a stop: %d" % os.waitstatus_to_exitcode(st))
        return
    print("stopped by: %d" % os.WSTOPSIG(st))
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    os.set_blocking(reader, True)
    os.kill(pid, signal.SIGCONT)
    text = b""
    # Until kvmux opened the FIFO, a read would find no writer (the
    # end); poll(2) waits for its bytes, or for it to have come and gone.
    select.select([reader], [], [])
    while True:
        chunk = os.read(reader, 4096)
        if not chunk:
            break
        text += chunk
    _, st = os.waitpid(pid, 0)
    print("status: %d" % os.waitstatus_to_exitcode(st))
    sys.stdout.write(text.decode("latin-1"))


if __name__ == "__main__":
    main()
