/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kvm.h - the KVM system handle: /dev/kvm, its API version and the
 * capabilities kvmux relies on, checked once at start.
 */
#ifndef KVMUX_KVM_H
#define KVMUX_KVM_H

#include <linux/kvm.h>

#define KVM_DEFAULT_PATH "/dev/kvm"
/* Environment variable that points kvmux at another device node. */
#define KVM_PATH_ENV "KVMUX_KVM_DEVICE"

struct kvm_sys {
	int fd;
	int run_size; /* bytes to mmap for a vCPU's kvm_run */
	int max_vcpus; /* KVM_CAP_MAX_VCPUS */
	struct kvm_cpuid2 *cpuid; /* KVM_GET_SUPPORTED_CPUID, for every vCPU */
};

/*
 * Open the KVM device (path, or $KVMUX_KVM_DEVICE, or /dev/kvm), check the
 * API version and required capabilities.  Returns 0, or -1 with err_set()
 * naming what is missing.
 */
int kvm_sys_open(struct kvm_sys *kvm, const char *path);
void kvm_sys_close(struct kvm_sys *kvm);

/* KVM_CHECK_EXTENSION on the system fd: > 0 when supported. */
int kvm_sys_check(const struct kvm_sys *kvm, int cap);

#endif
