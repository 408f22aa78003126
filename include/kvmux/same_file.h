/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * same_file.h - which of a run's files are one file (host/same_file.c),
 * so that no output kvmux truncates or replaces is an input of the run,
 * another output, or the file kvmux's own stdout or stderr writes to.
 */
#ifndef KVMUX_SAME_FILE_H
#define KVMUX_SAME_FILE_H

#include "kvmux/config.h"

/*
 * Check req's files before any output is opened: its outputs (--result,
 * --dump-dtb, each VM's --console-output FILE and --console-log, %n
 * expanded), its inputs (kernels, initrds, modules, disks, config files)
 * and kvmux's stdout and stderr when they are regular files.  Files are
 * compared by (st_dev, st_ino), symbolic links followed.  An output that
 * does not exist yet is its directory's (st_dev, st_ino) and its name
 * there ("x.log" is "./x.log"); a dangling symbolic link is its target,
 * which opening it would make.  Left out: an output that is not a
 * regular file (a FIFO, /dev/null: not truncated), or that could not be
 * made (no such directory), and an input that does not exist (it fails
 * to open, with its own error).
 *
 * Allowed: several VMs' console files that are one file (their lines are
 * prefixed), stdout and stderr that are one file (2>&1), inputs that are
 * one file.  Anything else that is one file (an output and an input, the
 * result file and a console file, a console file and stderr's file) is
 * refused: -1 with err_set() (126) naming both, "--console-log d.img is
 * the disk d.img of vm".  Returns 0 otherwise (-1 with err_host() when
 * out of memory).
 */
int same_file_check_run(const struct run_request *req);

/*
 * As same_file_check_run(), but only --result's file against the others:
 * after a refusal, 0 says the result file may still be written (with the
 * refusal in it).  Returns 0 without --result.
 */
int same_file_check_result(const struct run_request *req);

#endif
