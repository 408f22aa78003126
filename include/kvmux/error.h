/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * error.h - one line that says what went wrong, and whose fault it is.
 *
 * Code deep in kvmux (a loader, a device, an ioctl wrapper) records the
 * reason for a failure with one of the functions below and returns -1;
 * the caller that decides to give up prints err_msg() once and exits with
 * the status err_status() gives.  The message and its class are per
 * thread, so threads cannot clobber each other's reasons.
 *
 * The class travels with the message from where it is raised to the exit
 * status (kvmux/exit_status.h), whatever phase the failure came in:
 *
 *   ERR_INPUT  the user's input: an option, a config file, an unusable
 *              kernel, initrd or disk image (126)
 *   ERR_HOST   the host: KVM, memory, a system call, a thread (125)
 *
 * (What the guest does wrong is not an error of kvmux's: it is a stop
 * reason, kvmux/exit_status.h.)
 */
#ifndef KVMUX_ERROR_H
#define KVMUX_ERROR_H

#define ERR_MSG_MAX 512

enum err_class {
	ERR_INPUT,
	ERR_HOST,
};

/*
 * A message is kept as one line of printable text: control characters
 * (a newline in a path, a terminal's escape) become '?', and one longer
 * than ERR_MSG_MAX - 1 bytes keeps its start and its end around " [...] ".
 */

/* Record a message (printf format) of class ERR_INPUT; returns -1. */
int err_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Record a message of class ERR_HOST; returns -1. */
int err_host(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ERR_HOST, with ": strerror(errno)" appended (errno read first): a
 * system call failed. */
int err_set_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ERR_INPUT with ": strerror(errno)": a user's file cannot be opened. */
int err_input_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The last message recorded by this thread ("" if none), its class, and
 * the exit status for that class (125 or 126). */
const char *err_msg(void);
enum err_class err_class(void);
int err_status(void);

/* Make text one printable line in place: every control character
 * (iscntrl(): bytes below 0x20 and DEL, kvmux keeping the C locale)
 * becomes '?'. */
void err_printable(char *text);

/* A thread's reason, carried to the thread that reports it. */
struct err_state {
	enum err_class cls;
	char msg[ERR_MSG_MAX];
};

/* Copy this thread's last message and class into *st. */
void err_save(struct err_state *st);

/* Make *st this thread's last message and class; returns -1. */
int err_restore(const struct err_state *st);

#endif
