/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * config_file.h - one VM described by an INI file (docs/config.md).
 *
 * The file fills the same struct vm_config as the command line, so the
 * rest of kvmux never knows where a setting came from.  Errors are one
 * line that names the file, the line and the key:
 *
 *   vm.conf:7: unknown key 'memroy' in [vm]
 */
#ifndef KVMUX_CONFIG_FILE_H
#define KVMUX_CONFIG_FILE_H

#include "kvmux/config.h"

/*
 * Read the file at path into cfg, which vm_config_init() prepared: keys
 * the file sets replace the defaults.  Paths in the file are relative to
 * its directory.  Strings the file gives are owned by cfg (free them with
 * vm_config_free(), also after an error).  Returns 0, or -1 with err_set().
 */
int config_file_load(const char *path, struct vm_config *cfg);

#endif
