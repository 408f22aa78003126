// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvm_stats.c - read a counter from a vCPU's KVM binary statistics
 * (KVM_GET_STATS_FD): how exits are measured per operation, including the
 * ones KVM handles without waking kvmux.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kvmux/vcpu.h"

static uint64_t read_stat(int fd, const char *name)
{
	struct kvm_stats_header hdr;
	size_t desc_size;
	uint64_t value = 0;
	char *descs;
	uint32_t i;

	if (pread(fd, &hdr, sizeof(hdr), 0) != sizeof(hdr))
		return 0;
	desc_size = sizeof(struct kvm_stats_desc) + hdr.name_size;
	descs = calloc(hdr.num_desc, desc_size);
	if (!descs)
		return 0;
	if (pread(fd, descs, desc_size * hdr.num_desc, hdr.desc_offset) !=
	    (ssize_t)(desc_size * hdr.num_desc))
		goto out;
	for (i = 0; i < hdr.num_desc; i++) {
		struct kvm_stats_desc *d = (void *)(descs + i * desc_size);

		if (strncmp(d->name, name, hdr.name_size))
			continue;
		if (pread(fd, &value, sizeof(value),
			  hdr.data_offset + d->offset) != sizeof(value))
			value = 0;
		break;
	}
out:
	free(descs);
	return value;
}

uint64_t vcpu_kvm_exits(const struct vcpu *vcpu)
{
	int fd = ioctl(vcpu->fd, KVM_GET_STATS_FD, NULL);
	uint64_t exits;

	if (fd < 0)
		return 0;
	exits = read_stat(fd, "exits");
	close(fd);
	return exits;
}
