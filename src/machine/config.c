// SPDX-License-Identifier: GPL-2.0-only
/*
 * config.c - the life of a struct vm_config and struct group_config
 * (kvmux/config.h): their defaults, the strings a config owns, and the
 * names of the scheduling modes.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kvmux/config.h"
#include "kvmux/error.h"

/* The defaults every VM starts from, before its file and options. */
void vm_config_init(struct vm_config *cfg)
{
	*cfg = (struct vm_config){
		.name = "vm",
		.cmdline = "",
		.memory = CONFIG_DEFAULT_MEMORY,
		.cpus = 1,
		.weight = 1,
		.debug_exit = DEBUG_EXIT_DEFAULT,
		.acpi = true,
		/* kvmux's IOAPIC, PICs and PIT: the VM's end costs no
		 * grace periods (docs/devices.md) */
		.irqchip = IRQCHIP_SPLIT,
	};
}

int vm_config_check(const struct vm_config *cfg)
{
	if (cfg->pit == PIT_KVM && cfg->irqchip == IRQCHIP_SPLIT)
		return err_set("--pit kvm needs --irqchip kernel: KVM's PIT "
			       "sends its interrupts through KVM's PIC and "
			       "IOAPIC, which --irqchip split leaves out "
			       "(--pit on is kvmux's, with either)");
	return 0;
}

enum pit_mode vm_config_pit(const struct vm_config *cfg)
{
	return cfg->pit == PIT_AUTO ? PIT_ON : cfg->pit;
}

void group_config_init(struct group_config *group)
{
	*group = (struct group_config){
		.overcommit_milli = 1000,
		.period_ns = GROUP_DEFAULT_PERIOD_NS,
		.sched = SCHED_MODE_AUTO,
	};
}

/* A string owned by a vm_config: a list the config frees in one go. */
struct config_strings {
	struct config_strings *next;
	char text[];
};

const char *config_keep(struct config_strings **list, const char *text,
			size_t len)
{
	struct config_strings *s = malloc(sizeof(*s) + len + 1);

	if (!s) {
		err_host("out of memory");
		return NULL;
	}
	memcpy(s->text, text, len);
	s->text[len] = '\0';
	s->next = *list;
	*list = s;
	return s->text;
}

static void free_strings(struct config_strings **list)
{
	struct config_strings *s, *next;

	for (s = *list; s; s = next) {
		next = s->next;
		free(s);
	}
	*list = NULL;
}

/* '/' would name another directory, a control character would break a
 * line or reach the terminal. */
int vm_config_check_name(const char *value)
{
	const char *p;

	if (!strcmp(value, ".") || !strcmp(value, ".."))
		return err_set("'%s' is not a name", value);
	for (p = value; *p; p++)
		if (*p == '/' || iscntrl((unsigned char)*p))
			return err_set("'%s': a name may not hold '/' or a "
				       "control character",
				       value);
	return 0;
}

const char *vm_config_keep(struct vm_config *cfg, const char *text, size_t len)
{
	return config_keep(&cfg->strings, text, len);
}

void vm_config_free(struct vm_config *cfg)
{
	free_strings(&cfg->strings);
}

void run_request_free(struct run_request *req)
{
	unsigned int i;

	for (i = 0; i < req->nr_vms; i++)
		vm_config_free(&req->vm[i]);
	free(req->vm);
	req->vm = NULL;
	req->nr_vms = 0;
	free_strings(&req->group.strings);
}

/* The names of --sched; "on" is accepted for auto, as before. */
static const struct {
	const char *name;
	enum sched_mode mode;
} sched_mode_names[] = {
	{ "off", SCHED_MODE_OFF },	 { "auto", SCHED_MODE_AUTO },
	{ "cgroup", SCHED_MODE_CGROUP }, { "park", SCHED_MODE_PARK },
	{ "on", SCHED_MODE_AUTO },
};

const char *sched_mode_name(enum sched_mode mode)
{
	size_t i;

	for (i = 0; i < sizeof(sched_mode_names) / sizeof(sched_mode_names[0]);
	     i++)
		if (sched_mode_names[i].mode == mode)
			return sched_mode_names[i].name;
	return "unknown";
}

int sched_mode_parse(const char *arg, enum sched_mode *mode)
{
	size_t i;

	for (i = 0; i < sizeof(sched_mode_names) / sizeof(sched_mode_names[0]);
	     i++) {
		/* Any case, as the settings' choices and booleans. */
		if (!strcasecmp(arg, sched_mode_names[i].name)) {
			*mode = sched_mode_names[i].mode;
			return 0;
		}
	}
	return err_set("'%s' is not auto, cgroup, park or off", arg);
}
