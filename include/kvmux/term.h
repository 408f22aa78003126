/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * term.h - the host terminal kvmux's console is attached to.
 *
 * When stdin is a terminal it is put in raw mode so that every key goes to
 * the guest; the original mode comes back on the ways out the process can
 * act on (normal exit, fatal signal), so a crash never leaves the shell
 * unusable.  Not on SIGKILL, which no process sees, nor on SIGTSTP: a
 * handler for it would run in whichever thread the kernel picks, so every
 * thread's seccomp list and every blocking call would have to allow for
 * it (docs/kvmux.1, CONSOLE).
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

#endif
