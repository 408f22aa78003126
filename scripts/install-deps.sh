#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Install the Debian 12 packages kvmux needs to build, test and benchmark.
#
#   scripts/install-deps.sh            build + test packages
#   scripts/install-deps.sh --linux    also what the real-Linux boot test needs
#   scripts/install-deps.sh --bench    also what `make bench` compares against
#   scripts/install-deps.sh --check    only report what is missing
#
# Run as root (or it uses sudo).  CI runs it through .ci/run.
set -euo pipefail

build_pkgs=(gcc make pkg-config linux-libc-dev libfdt-dev libcap-ng-dev
	libseccomp-dev libcmocka-dev libjansson-dev libpcre2-dev binutils)
# clang + libclang-rt-14-dev: the libFuzzer targets of make fuzz-smoke;
# llvm: llvm-symbolizer, for readable sanitizer reports.
# time: GNU time (/usr/bin/time), for the tests' peak-RSS bounds.
test_pkgs=(python3 coreutils util-linux procps device-tree-compiler acpica-tools
	qemu-utils clang libclang-rt-14-dev llvm time)
linux_pkgs=(linux-source-6.1 bc flex bison libelf-dev libssl-dev cpio lz4 perl
	xz-utils)
bench_pkgs=(hyperfine qemu-system-x86 time strace linux-perf)

want=("${build_pkgs[@]}" "${test_pkgs[@]}")
check_only=0
for arg in "$@"; do
	case "$arg" in
	--linux) want+=("${linux_pkgs[@]}") ;;
	--bench) want+=("${bench_pkgs[@]}") ;;
	--check) check_only=1 ;;
	*)
		echo "usage: $0 [--linux] [--bench] [--check]" >&2
		exit 2
		;;
	esac
done

missing=()
for pkg in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
		grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: everything is installed"
	exit 0
fi
if [ "$check_only" -eq 1 ]; then
	echo "install-deps: missing: ${missing[*]}"
	echo "install-deps: run: apt-get install ${missing[*]}"
	exit 1
fi
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
