// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvm.c - open /dev/kvm and make sure it can run what kvmux builds.
 *
 * Every capability kvmux uses unconditionally is checked here, so a host
 * that lacks one fails at start with its name instead of halfway through
 * building a VM.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kvmux/error.h"
#include "kvmux/kvm.h"

#define KVM_CPUID_MAX_ENTRIES 256

static const struct {
	int cap;
	const char *name;
} required_caps[] = {
	{ KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP" },
	{ KVM_CAP_PIT2, "KVM_CAP_PIT2" },
	{ KVM_CAP_IOEVENTFD, "KVM_CAP_IOEVENTFD" },
	{ KVM_CAP_IRQFD, "KVM_CAP_IRQFD" },
	{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
	{ KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR" },
	{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
	{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
	{ KVM_CAP_MP_STATE, "KVM_CAP_MP_STATE" },
};

int kvm_sys_check(const struct kvm_sys *kvm, int cap)
{
	return ioctl(kvm->fd, KVM_CHECK_EXTENSION, cap);
}

static int open_device(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	if (errno == ENOENT)
		return err_host("%s does not exist: this host has no KVM "
				"(load kvm_intel, kvm_amd or kvm_pvm)",
				path);
	if (errno == EACCES || errno == EPERM)
		return err_host("no permission to open %s: add yourself to "
				"the kvm group or run as root",
				path);
	return err_set_errno("cannot open %s", path);
}

static int check_caps(struct kvm_sys *kvm, const char *path)
{
	size_t i;
	int version = ioctl(kvm->fd, KVM_GET_API_VERSION, 0);

	if (version < 0)
		return err_set_errno("%s is not a KVM device", path);
	if (version != KVM_API_VERSION)
		return err_host("%s speaks KVM API version %d; kvmux needs %d",
				path, version, KVM_API_VERSION);
	for (i = 0; i < sizeof(required_caps) / sizeof(required_caps[0]); i++)
		if (kvm_sys_check(kvm, required_caps[i].cap) <= 0)
			return err_host("%s lacks %s, which kvmux needs", path,
					required_caps[i].name);
	return 0;
}

/*
 * KVM_GET_SUPPORTED_CPUID's answer, kept for the process: every VM of a
 * group opening the same device gets a copy instead of asking again.
 * A group's boards are prepared in parallel threads (run.c): the lock
 * keeps them from racing on the cache.
 */
static struct {
	pthread_mutex_t lock;
	dev_t rdev; /* of the device it came from */
	struct kvm_cpuid2 *cpuid; /* NULL: none yet */
} cpuid_cache = { .lock = PTHREAD_MUTEX_INITIALIZER };

static size_t cpuid_size(unsigned int nent)
{
	return sizeof(struct kvm_cpuid2) +
	       nent * sizeof(struct kvm_cpuid_entry2);
}

static int load_cpuid(struct kvm_sys *kvm)
{
	struct stat st;
	int rc = 0;

	kvm->cpuid = calloc(1, cpuid_size(KVM_CPUID_MAX_ENTRIES));
	if (!kvm->cpuid)
		return err_host("out of memory");
	if (fstat(kvm->fd, &st) < 0)
		st.st_rdev = 0;
	pthread_mutex_lock(&cpuid_cache.lock);
	if (cpuid_cache.cpuid && cpuid_cache.rdev == st.st_rdev) {
		memcpy(kvm->cpuid, cpuid_cache.cpuid,
		       cpuid_size(cpuid_cache.cpuid->nent));
		goto out;
	}
	kvm->cpuid->nent = KVM_CPUID_MAX_ENTRIES;
	if (ioctl(kvm->fd, KVM_GET_SUPPORTED_CPUID, kvm->cpuid) < 0) {
		rc = err_set_errno("KVM_GET_SUPPORTED_CPUID failed");
		goto out;
	}
	free(cpuid_cache.cpuid);
	cpuid_cache.cpuid = malloc(cpuid_size(kvm->cpuid->nent));
	if (cpuid_cache.cpuid) {
		memcpy(cpuid_cache.cpuid, kvm->cpuid,
		       cpuid_size(kvm->cpuid->nent));
		cpuid_cache.rdev = st.st_rdev;
	}
out:
	pthread_mutex_unlock(&cpuid_cache.lock);
	return rc;
}

int kvm_sys_open(struct kvm_sys *kvm, const char *path)
{
	*kvm = (struct kvm_sys){ .fd = -1 };
	if (!path)
		path = getenv(KVM_PATH_ENV);
	if (!path || !*path)
		path = KVM_DEFAULT_PATH;
	kvm->fd = open_device(path);
	if (kvm->fd < 0)
		return -1;
	if (check_caps(kvm, path) < 0)
		goto fail;
	kvm->run_size = ioctl(kvm->fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (kvm->run_size <= 0) {
		err_set_errno("KVM_GET_VCPU_MMAP_SIZE failed");
		goto fail;
	}
	kvm->max_vcpus = kvm_sys_check(kvm, KVM_CAP_MAX_VCPUS);
	if (kvm->max_vcpus <= 0)
		kvm->max_vcpus = kvm_sys_check(kvm, KVM_CAP_NR_VCPUS);
	if (kvm->max_vcpus <= 0)
		kvm->max_vcpus = 1;
	if (load_cpuid(kvm) < 0)
		goto fail;
	return 0;
fail:
	kvm_sys_close(kvm);
	return -1;
}

void kvm_sys_close(struct kvm_sys *kvm)
{
	if (kvm->fd >= 0)
		close(kvm->fd);
	free(kvm->cpuid);
	*kvm = (struct kvm_sys){ .fd = -1 };
}
