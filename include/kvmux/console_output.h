/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * console_output.h - where the consoles of a run go on the host: stdout
 * and console files, one out_stream (kvmux/out_stream.h) per distinct
 * destination, however many VMs share it.
 *
 * A console file (--console-output FILE, --console-log FILE) is named by
 * a template: %n is the VM's name, %% a %.  A file (or stdout's file or
 * pipe) that a destination writes to already is that destination, never
 * opened twice.  Opening never truncates (a file that is not there is
 * made): console_outputs_truncate() does, when the VMs are about to
 * start, so that a run that fails before leaves the files as they were.
 *
 * Files are opened without blocking: a FIFO without a reader is waited
 * for by console_outputs_wait(), once the run's inputs are checked, but
 * only while no stop signal came (signal_fd) and until the deadline of
 * console_outputs_set_deadline().  Anything but a regular file, a FIFO,
 * a terminal or a character device like /dev/null is refused, and so is
 * a regular file to be truncated that is append-only or immutable.
 *
 * What a destination's reader or file does is said once: EPIPE (the
 * reader went away) calls on_gone, so the run can end as a Unix filter
 * would (status 141); any other write error is one line on stderr naming
 * the file and errno, after which that destination's output is dropped
 * (the run goes on).
 */
#ifndef KVMUX_CONSOLE_OUTPUT_H
#define KVMUX_CONSOLE_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>

#include "kvmux/config.h"

struct console_outputs;
struct out_stream;

/* on_gone(opaque): a reader went away (on a stream's thread). */
struct console_outputs *console_outputs_create(void (*on_gone)(void *opaque),
					       void *opaque);

/*
 * Every wait for a FIFO's reader ends at deadline_ns (CLOCK_MONOTONIC,
 * as out_stream_now_ns(); UINT64_MAX, the default: none): one deadline
 * for all the files of a run, the earliest --timeout of its VMs, so
 * that no reader keeps a VM from its --timeout.  vm names the VM whose
 * --timeout it is, for the error (NULL: a run of one VM; kept, not
 * copied).
 */
void console_outputs_set_deadline(struct console_outputs *set,
				  uint64_t deadline_ns, const char *vm);

/*
 * Open where cfg's console goes (stdout, its file, or nowhere) and return
 * its index (>= 0).  A FIFO without a reader is not waited for: its
 * stream writes to /dev/null until console_outputs_wait().  Returns -1
 * with err_set() and *status set to the exit status: 126 for a file
 * that cannot be used (one without ,append that is append-only or
 * immutable, chattr(1), too), or that another VM truncates while cfg's
 * appends to it (or the other way round).
 */
int console_outputs_open(struct console_outputs *set,
			 const struct vm_config *cfg, int *status);

/*
 * Open cfg's --console-log (cfg->console_log set), as above.  The index
 * may be that of another destination of the run (stdout's file, another
 * VM's file), even that of cfg's own console: the caller decides.
 */
int console_outputs_open_log(struct console_outputs *set,
			     const struct vm_config *cfg, int *status);

/*
 * Destination i is a FIFO opened without a reader: wait for one (looked
 * for every 50 ms) and write there from now on.  Called once the VMs are
 * ready, before any starts.  Returns 0 at once for any other
 * destination, or -1 with err_set() and *status: 124 when the deadline
 * passed, 128+N for stop signal N (read from signal_fd, -1: none), 126
 * when the FIFO cannot be opened.
 */
int console_outputs_wait(struct console_outputs *set, int i, int signal_fd,
			 int *status);

/*
 * The file name tmpl stands for in VM vm_name, into *path (malloc'd):
 * %n is vm_name, %% a %.  Returns 0, or -1 with err_set() for any other
 * % (err_host() when out of memory).
 */
int console_file_name(const char *tmpl, const char *vm_name, char **path);

/*
 * The VMs are about to start: empty every regular file opened without
 * append (once, however many VMs use it; stdout's file never: the
 * shell's > or >> decided).  Returns 0, or -1 with err_input_errno()
 * (an append-only file, EPERM; an I/O error).
 */
int console_outputs_truncate(struct console_outputs *set);

/*
 * Let loop (the run's, on the thread that will call
 * console_outputs_finish()) serve the destinations whose streams write
 * at once (out_stream_attach()), once console_outputs_wait() has put
 * each FIFO in its place.  Returns 0, or -1 with err_set().
 */
struct event_loop;
int console_outputs_attach(struct console_outputs *set,
			   struct event_loop *loop);

/* The stream of destination i (NULL: nowhere) and how many VMs use it. */
struct out_stream *console_outputs_stream(struct console_outputs *set, int i);
unsigned int console_outputs_users(struct console_outputs *set, int i);

/*
 * The run is over: give every stream until deadline_ns (CLOCK_MONOTONIC)
 * to write what it holds, unless signal_fd (>= 0) becomes readable, then
 * say on stderr how many bytes of each could not be delivered, and close.
 * undelivered[i] (may be NULL) adds bytes held elsewhere for destination
 * i (a device's FIFO, a line that never ended).
 */
void console_outputs_finish(struct console_outputs *set, uint64_t deadline_ns,
			    int signal_fd, const uint64_t *undelivered);

void console_outputs_free(struct console_outputs *set);

#endif
