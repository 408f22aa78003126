#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Run kvmux on a pseudo-terminal, as a user at a shell would.

Types the given keys after the guest printed WAIT_FOR (if any), then
reports kvmux's exit status, what it printed, and whether the terminal
mode afterwards equals the mode before (raw mode must never leak).

usage: pty_run.py KEYS WAIT_FOR TIMEOUT -- KVMUX ARGS...
KEYS uses Python escapes: "\\x01x" is Ctrl-A x; "" types nothing.
With PTY_WAIT_FILE set, WAIT_FOR is looked for in that file instead of
on the terminal (a console that goes to a file).
"""
import os
import pty
import select
import sys
import termios
import time


def waited_text(output):
    path = os.environ.get("PTY_WAIT_FILE")
    if not path:
        return output
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def drain(fd):
    """What kvmux wrote before it exited and was not read yet: the
    terminal keeps it until read.  Once no process holds the terminal's
    other end, a read returns the rest and then fails (EIO)."""
    rest = b""
    deadline = time.time() + 10
    while time.time() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except BlockingIOError:
            continue
        except OSError:
            break
        if not chunk:
            break
        rest += chunk
    return rest


def main():
    keys = sys.argv[1].encode().decode("unicode_escape").encode("latin-1")
    wait_for = sys.argv[2].encode()
    timeout = float(sys.argv[3])
    argv = sys.argv[sys.argv.index("--") + 1:]

    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(argv[0], argv)
    before = termios.tcgetattr(fd)
    # Non-blocking: the master may poll readable (a hangup) before the
    # child has opened the terminal, and a read would then wait for
    # output, which a console that goes to a file may never give.
    os.set_blocking(fd, False)
    output = b""
    typed = not keys
    deadline = time.time() + timeout
    status = None
    while time.time() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                chunk = b""
            output += chunk
        if not typed and wait_for in waited_text(output):
            time.sleep(0.2)
            os.write(fd, keys)
            typed = True
        done, raw_status = os.waitpid(pid, os.WNOHANG)
        if done:
            status = os.waitstatus_to_exitcode(raw_status)
            break
    if status is None:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        print("status: hung")
    else:
        print("status: %d" % status)
    output += drain(fd)
    after = termios.tcgetattr(fd)
    print("terminal: %s" % ("restored" if after == before else "CHANGED"))
    sys.stdout.write(output.decode("latin-1"))


if __name__ == "__main__":
    main()
