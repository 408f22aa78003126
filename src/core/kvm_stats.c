// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvm_stats.c - a vCPU's count of exits from its KVM binary statistics
 * (KVM_GET_STATS_FD, Documentation/virt/kvm/api.rst 4.133), including the
 * exits KVM handles without waking kvmux: for --stats, and for the idle
 * watch, which reads it from another thread without stopping the vCPU.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kvmux/vcpu.h"

/* Where the value of the statistic name is in fd; 0 if it is not there. */
static uint64_t stat_offset(int fd, const char *name)
{
	struct kvm_stats_header hdr;
	size_t desc_size;
	uint64_t offset = 0;
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

		if (!strncmp(d->name, name, hdr.name_size)) {
			offset = hdr.data_offset + d->offset;
			break;
		}
	}
out:
	free(descs);
	return offset;
}

void vcpu_stats_open(struct vcpu *vcpu)
{
	vcpu->stats_fd = ioctl(vcpu->fd, KVM_GET_STATS_FD, NULL);
	if (vcpu->stats_fd < 0)
		return;
	vcpu->exits_offset = stat_offset(vcpu->stats_fd, "exits");
	if (!vcpu->exits_offset) {
		close(vcpu->stats_fd);
		vcpu->stats_fd = -1;
	}
}

uint64_t vcpu_kvm_exits(const struct vcpu *vcpu)
{
	uint64_t exits;

	if (vcpu->stats_fd < 0 || pread(vcpu->stats_fd, &exits, sizeof(exits),
					vcpu->exits_offset) != sizeof(exits))
		return 0;
	return exits;
}
