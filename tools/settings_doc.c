// SPDX-License-Identifier: GPL-2.0-only
/*
 * settings_doc.c - print what the docs take from the settings table
 * (kvmux/settings.h):
 *
 *   settings-doc markdown   the tables of docs/config.md (make docs)
 *   settings-doc options    one line per option, for tests/docs/check.sh
 */
#include <stdio.h>
#include <string.h>

#include "kvmux/settings.h"

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "markdown")) {
		settings_print_markdown(stdout);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "options")) {
		settings_print_options(stdout);
		return 0;
	}
	fprintf(stderr, "usage: settings-doc markdown|options\n");
	return 2;
}
