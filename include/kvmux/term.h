/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * term.h - the host terminal kvmux's console is attached to.
 *
 * When stdin is a terminal it is put in raw mode so that every key goes to
 * the guest; the original mode comes back on the ways out the process can
 * act on (normal exit, fatal signal), so a crash never leaves the shell
 * unusable, and while a SIGTSTP (Ctrl-Z, kill -TSTP) stops the process
 * (term_job_stop()).  Not on SIGKILL, which no process sees
 * (docs/kvmux.1, CONSOLE).
 */
#ifndef KVMUX_TERM_H
#define KVMUX_TERM_H

#include <stdbool.h>

/* Raw mode on fd if it is a terminal; true if the mode was changed. */
bool term_raw_begin(int fd);

/*
 * Keys one at a time without echo, on fd if it is a terminal; its
 * signal keys (Ctrl-C, Ctrl-Z, Ctrl-\) keep working.  For the escape
 * keys when the console is not on the terminal.  True if the mode was
 * changed.
 */
bool term_keys_begin(int fd);

/* Restore the saved mode (idempotent, async-signal-safe). */
void term_restore(void);

/*
 * For a SIGTSTP that the caller read from a signalfd (it is blocked in
 * every thread, so no handler runs in a thread that cannot make these
 * calls): the terminal gets its own mode back, the process stops as the
 * signal's default action stops it (the shell sees a job stopped by
 * SIGTSTP; in an orphaned process group the kernel stops nothing, as for
 * any SIGTSTP), and once continued, kvmux's mode comes back if kvmux is
 * the terminal's foreground job again (fg; after bg it is not, and the
 * terminal is left alone).  The calling thread's mask must block
 * SIGTSTP; it does again on return.
 */
void term_job_stop(void);

/*
 * For a SIGCONT that the caller read from a signalfd: kvmux's mode again
 * if the terminal's mode was given back and kvmux is its foreground job
 * once more.  A stop by anything but term_job_stop() (SIGTTIN: a read of
 * the terminal from the background, after bg) ends with the SIGCONT of
 * fg, and only that says kvmux is back.
 */
void term_job_continued(void);

/*
 * Is kvmux's mode given back (it runs in the background after bg)?  Then
 * its caller calls term_job_continued() every so often: a shell's fg of
 * a job that is running sends it no signal.
 */
bool term_mode_given_back(void);

#endif
