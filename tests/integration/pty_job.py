#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Stop kvmux as a job and continue it, as an interactive shell would.

A "shell" process leads a session on a pseudo-terminal and starts kvmux
as its foreground job (a process group of its own, whose parent is in
the same session: the kernel stops only such a group, never an orphaned
one).  Once the guest printed WAIT_FOR, the job is stopped with Ctrl-Z
typed on the terminal (HOW "key") or with SIGTSTP from the shell (HOW
"signal", kill -TSTP).  The shell reports the signal that stopped it and
whether the terminal had its own mode back meanwhile, then brings the
job back to the foreground as fg does (the terminal's foreground group,
SIGCONT), reports whether kvmux set its mode again, and types Ctrl-A x
to end it.  Last come kvmux's status and whether the terminal's mode at
the end is the one it had before.

With PTY_JOB_THEN set, the shell continues the stopped job in the
background instead (bg: SIGCONT, the terminal stays the shell's), then:
"term" ends it with SIGTERM there (kvmux must exit without touching the
terminal: a background job that sets its mode is stopped by SIGTTOU);
"read" types a line, which kvmux reads from the background, so that the
kernel stops it with SIGTTIN, and only then brings it to the foreground
(fg) as above; "fg" brings the running job to the foreground as bash's
fg does, which sends a running job no SIGCONT.

usage: pty_job.py HOW WAIT_FOR TIMEOUT -- KVMUX ARGS...
With PTY_WAIT_FILE set, WAIT_FOR is looked for in that file instead of
on the terminal (a console that goes to a file).  TIMEOUT (s) bounds
each wait; it only ends a test that has failed.
"""
import fcntl
import os
import select
import signal
import sys
import termios
import time

from pty_run import waited_text  # PTY_WAIT_FILE, as pty_run.py reads it


def start_job(tty, argv):
    pid = os.fork()
    if pid == 0:
        os.setpgid(0, 0)
        # Blocked, not ignored (an ignored one would stay so in kvmux):
        # a background group may then take the terminal.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTTOU})
        os.tcsetpgrp(tty, os.getpid())
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTTOU})
        # As a shell starts its jobs: what it ignores for itself (SIGTTOU
        # here, SIGPIPE in Python) is not ignored in the job.
        signal.signal(signal.SIGTTOU, signal.SIG_DFL)
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        for fd in (0, 1, 2):
            os.dup2(tty, fd)
        os.execvp(argv[0], argv)
    os.setpgid(pid, pid)  # whichever of the two comes first
    return pid


def wait_job(pid, timeout):
    """("stopped", sig) or ("exited", status) or ("hung", None)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        done, st = os.waitpid(pid, os.WNOHANG | os.WUNTRACED)
        if done and os.WIFSTOPPED(st):
            return "stopped", os.WSTOPSIG(st)
        if done:
            return "exited", os.waitstatus_to_exitcode(st)
        time.sleep(0.02)
    return "hung", None


def wait_mode_change(tty, mode, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if termios.tcgetattr(tty) != mode:
            return True
        time.sleep(0.02)
    return False


def continue_in_background(tty, pid, then, say, timeout):
    """bg, then what PTY_JOB_THEN says; False if the job is over."""
    os.killpg(pid, signal.SIGCONT)  # bg: the shell keeps the terminal
    say("bg")
    if then == "term":
        os.kill(pid, signal.SIGTERM)
        state, value = wait_job(pid, timeout)
        say("status after bg: %s %s" % (state, value))
        if state == "stopped":
            os.kill(pid, signal.SIGKILL)
        return False
    if then == "fg":
        return True
    state, value = wait_job(pid, timeout)  # the parent types a line
    say("stopped in bg by: %s %s" % (state, value))
    if state != "stopped":
        if state == "hung":
            os.kill(pid, signal.SIGKILL)
        return False
    return True


def shell(tty_name, inherited, how, ctl, report, timeout, argv):
    os.setsid()
    tty = os.open(tty_name, os.O_RDWR)
    # Closed only now: had no process held the terminal a moment, its
    # master would say so (poll: readable; a read: EIO), and a read
    # that then finds the terminal open again blocks until kvmux writes
    # to the terminal, which it need not do before Ctrl-Z.
    os.close(inherited)
    fcntl.ioctl(tty, termios.TIOCSCTTY, 0)
    signal.signal(signal.SIGTTOU, signal.SIG_IGN)  # as a shell does
    before = termios.tcgetattr(tty)

    def say(line):
        os.write(report, (line + "\n").encode())

    pid = start_job(tty, argv)
    if how == "signal":
        os.read(ctl, 1)
        os.kill(pid, signal.SIGTSTP)
    state, value = wait_job(pid, timeout)
    if state != "stopped":
        say("job: %s %s" % (state, value))
        return
    os.tcsetpgrp(tty, os.getpgrp())  # the shell takes the terminal
    say("stopped by: %d" % value)
    same = termios.tcgetattr(tty) == before
    say("mode while stopped: %s" % ("its own" if same else "kvmux's"))
    then = os.environ.get("PTY_JOB_THEN")
    if then and not continue_in_background(tty, pid, then, say, timeout):
        same = termios.tcgetattr(tty) == before
        say("terminal: %s" % ("restored" if same else "CHANGED"))
        return
    os.tcsetpgrp(tty, pid)  # fg
    if then != "fg":
        os.killpg(pid, signal.SIGCONT)
    changed = wait_mode_change(tty, before, timeout)
    say("mode after fg: %s" % ("kvmux's" if changed else "its own"))
    state, value = wait_job(pid, timeout)
    os.tcsetpgrp(tty, os.getpgrp())
    say("status: %s" % (value if state == "exited" else state))
    same = termios.tcgetattr(tty) == before
    say("terminal: %s" % ("restored" if same else "CHANGED"))
    if state != "exited":
        os.kill(pid, signal.SIGKILL)


def main():
    how, wait_for = sys.argv[1], sys.argv[2].encode()
    timeout = float(sys.argv[3])
    argv = sys.argv[sys.argv.index("--") + 1:]
    master, slave = os.openpty()
    tty_name = os.ttyname(slave)
    ctl_r, ctl_w = os.pipe()
    rep_r, rep_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(master)
        try:
            shell(tty_name, slave, how, ctl_r, rep_w, timeout, argv)
        finally:
            os._exit(0)
    os.close(slave)
    os.close(rep_w)
    # Non-blocking: until the shell opens the terminal, no process has
    # it open and the master polls readable (a hangup); a read after the
    # shell opened it would wait for output, which may never come.
    os.set_blocking(master, False)
    output, reports = b"", b""
    stopped = ended = typed = False
    deadline = time.time() + 4 * timeout
    while time.time() < deadline:
        ready, _, _ = select.select([master, rep_r], [], [], 0.05)
        if master in ready:
            try:
                output += os.read(master, 4096)
            except OSError:
                pass
        if rep_r in ready:
            chunk = os.read(rep_r, 4096)
            if not chunk:
                break  # the shell is done
            reports += chunk
        if not stopped and wait_for in waited_text(output):
            time.sleep(0.2)
            if how == "key":
                os.write(master, b"\x1a")  # Ctrl-Z
            else:
                os.write(ctl_w, b"s")
            stopped = True
        if not typed and b"bg\n" in reports and \
                os.environ.get("PTY_JOB_THEN") == "read":
            os.write(master, b"z\n")  # a whole line: read in any mode
            typed = True
        if not ended and b"mode after fg" in reports:
            os.write(master, b"\x01x")  # Ctrl-A x
            ended = True
    os.waitpid(pid, 0)
    sys.stdout.write(reports.decode())
    sys.stdout.write(output.decode("latin-1"))


if __name__ == "__main__":
    main()
