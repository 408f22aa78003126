/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * json_text.h - text for JSON output (RFC 8259 strings are UTF-8): names
 * and paths come from users and file systems and may hold any bytes.
 */
#ifndef KVMUX_JSON_TEXT_H
#define KVMUX_JSON_TEXT_H

#include <jansson.h>

/*
 * A JSON string of text (NULL: JSON null) in which every byte that is
 * not part of valid UTF-8 (RFC 3629) became U+FFFD, so the output is
 * always valid JSON.  NULL only when out of memory.
 */
json_t *json_text(const char *text);

#endif
