#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Integration tests: boot the guest-firmware test kernels with the real
# kvmux binary on /dev/kvm and check output and exit status.  Each t_*.sh
# file beside this one is a group of checks; the last line sums them up.
#
#   KVMUX=build/kvmux FIRMWARE=guest-firmware/build tests/integration/run.sh [GROUP...]
# (t_security.sh and t_stop.sh also want KVMUX_TEST_BUILD=build/tests/kvmux-test-build)
set -u
here=$(dirname "$(realpath "$0")")
# shellcheck source=lib.sh
. "$here/lib.sh"

if [ ! -c /dev/kvm ]; then
	echo "integration: /dev/kvm is missing; these tests need KVM"
	exit 1
fi
groups=("$@")
[ ${#groups[@]} -eq 0 ] && groups=(boot bad_input terminal smp virtio disk dtb config group stop
	multiboot elf_layout debug_exit acpi shutdown console outputs cli install result
	security irqchip)
for group in "${groups[@]}"; do
	echo "== $group"
	# shellcheck source=/dev/null
	. "$here/t_$group.sh"
done
summary
