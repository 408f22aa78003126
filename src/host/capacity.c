// SPDX-License-Identifier: GPL-2.0-only
/*
 * capacity.c - the host's CPUs and spare memory, for the group options
 * the user left out (kvmux/alloc.h).
 *
 * MemAvailable, not MemFree: the kernel's estimate of what can be had
 * without swapping counts reclaimable page cache, which guest RAM can
 * take.  A reserve stays with the host (host_memory_reserve()).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kvmux/alloc.h"
#include "kvmux/error.h"

int meminfo_parse(FILE *meminfo, uint64_t *total, uint64_t *available)
{
	char line[256];
	unsigned long long kib;
	bool have_total = false, have_available = false;

	while (fgets(line, sizeof(line), meminfo)) {
		if (sscanf(line, "MemTotal: %llu kB", &kib) == 1) {
			*total = (uint64_t)kib << 10;
			have_total = true;
		} else if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1) {
			*available = (uint64_t)kib << 10;
			have_available = true;
		}
	}
	if (!have_total || !have_available)
		return err_host("/proc/meminfo has no MemTotal or MemAvailable "
			       "(use --host-memory)");
	return 0;
}

static int host_spare_memory(uint64_t *bytes)
{
	FILE *f = fopen("/proc/meminfo", "re");
	uint64_t total, available, reserve;
	int rc;

	if (!f)
		return err_set_errno("cannot read /proc/meminfo (use "
				     "--host-memory)");
	rc = meminfo_parse(f, &total, &available);
	fclose(f);
	if (rc < 0)
		return -1;
	reserve = host_memory_reserve(total);
	if (available <= reserve)
		return err_host("the host has %llu MiB available, no more than "
			       "the %llu MiB it keeps for itself (use "
			       "--host-memory)",
			       (unsigned long long)(available >> 20),
			       (unsigned long long)(reserve >> 20));
	*bytes = available - reserve;
	return 0;
}

int group_config_resolve_host(struct group_config *group)
{
	long cpus;

	if (!group->host_cpus) {
		cpus = sysconf(_SC_NPROCESSORS_ONLN);
		if (cpus < 1)
			return err_host("cannot count the host's CPUs (use "
				       "--host-cpus)");
		group->host_cpus =
			cpus > GROUP_MAX_HOST_CPUS ? GROUP_MAX_HOST_CPUS : cpus;
	}
	if (!group->host_memory)
		return host_spare_memory(&group->host_memory);
	return 0;
}
