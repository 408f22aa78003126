// SPDX-License-Identifier: GPL-2.0-only
/*
 * settings_doc.c - print what the docs and the shell take from the
 * settings table (kvmux/settings.h):
 *
 *   settings-doc markdown   the tables of docs/config.md (make docs)
 *   settings-doc options    one line per option, for tests/docs/check.sh
 *   settings-doc bash       the bash completion script (make install)
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "kvmux/settings.h"

/* The options of run (plan = false) or plan, as "--a --b -c". */
static void print_option_words(bool plan)
{
	const struct setting *s;

	printf("--help");
	if (!plan)
		printf(" --version");
	for (s = settings; s->key || s->option; s++) {
		if (!s->option || (s->flags & SETTING_HIDDEN))
			continue;
		if (plan ? !(s->flags & SETTING_PLAN) :
			   (s->flags & SETTING_PLAN_ONLY))
			continue;
		printf(" --%s", s->option);
		if (s->alias)
			printf(" --%s", s->alias);
		if (s->short_option)
			printf(" -%c", s->short_option);
	}
}

/* The lower-case words of a value shape: "stdio|none|FILE" -> stdio none. */
static void print_choice_words(const char *shape)
{
	const char *p = shape;

	while (*p) {
		size_t len = strcspn(p, "|");
		bool word = len > 0;
		size_t i;

		for (i = 0; i < len; i++)
			word &= (p[i] >= 'a' && p[i] <= 'z') || p[i] == '-';
		if (word)
			printf(" %.*s", (int)len, p);
		p += len + (p[len] == '|');
	}
}

/* One "case" arm: what the value of s completes to. */
static void print_value_case(const struct setting *s)
{
	bool files = s->type == SETTING_PATH || s->type == SETTING_SECTION ||
		     strstr(s->value, "FILE");
	bool choices = strchr(s->value, '|') && !strchr(s->value, '=');

	if (!files && !choices)
		return;
	printf("\t--%s", s->option);
	if (s->alias)
		printf("|--%s", s->alias);
	if (s->short_option)
		printf("|-%c", s->short_option);
	printf(")\n\t\tCOMPREPLY=($(compgen");
	if (files)
		printf(" -f");
	if (choices) {
		printf(" -W '");
		print_choice_words(s->value);
		printf(" '");
	}
	printf(" -- \"$cur\"))\n\t\treturn ;;\n");
}

static void print_bash(void)
{
	const struct setting *s;

	printf("# bash completion for kvmux, made from its settings table\n"
	       "# (src/cli/settings.c) by tools/settings_doc.c.\n"
	       "_kvmux()\n{\n"
	       "\tlocal cur=${COMP_WORDS[COMP_CWORD]}\n"
	       "\tlocal prev=${COMP_WORDS[COMP_CWORD - 1]}\n"
	       "\tCOMPREPLY=()\n"
	       "\tif [ \"$COMP_CWORD\" -eq 1 ]; then\n"
	       "\t\tCOMPREPLY=($(compgen -W 'run plan --help --version' "
	       "-- \"$cur\"))\n"
	       "\t\treturn\n\tfi\n"
	       "\tcase $prev in\n");
	for (s = settings; s->key || s->option; s++)
		if (s->option && s->value && s->type != SETTING_FLAG &&
		    !(s->flags & SETTING_HIDDEN))
			print_value_case(s);
	printf("\tesac\n"
	       "\tif [[ $cur == -* ]]; then\n"
	       "\t\tif [ \"${COMP_WORDS[1]}\" = plan ]; then\n"
	       "\t\t\tCOMPREPLY=($(compgen -W '");
	print_option_words(true);
	printf("' -- \"$cur\"))\n\t\telse\n"
	       "\t\t\tCOMPREPLY=($(compgen -W '");
	print_option_words(false);
	printf("' -- \"$cur\"))\n\t\tfi\n"
	       "\t\treturn\n\tfi\n"
	       "\tCOMPREPLY=($(compgen -f -- \"$cur\")) # config files\n"
	       "}\n"
	       "complete -o filenames -F _kvmux kvmux\n");
}

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
	if (argc == 2 && !strcmp(argv[1], "bash")) {
		print_bash();
		return 0;
	}
	fprintf(stderr, "usage: settings-doc markdown|options|bash\n");
	return 2;
}
