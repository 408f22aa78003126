#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# build-linux.sh - build (once) the small real Linux that tests/linux/run.sh
# boots with kvmux.
#
# Why: our own guest-firmware kernels test kvmux's devices, but only a real
# Linux proves that the boot paths (PVH entry of a vmlinux, bzImage setup
# header, command line, e820 map) agree with what Linux expects.
#
# What: Debian's linux-source-6.1 package, `make tinyconfig` plus the
# fragment tests/linux/kernel.config, built to vmlinux and an LZ4 bzImage.
#
# Cache: everything lives outside the git tree, in
#   ${KVMUX_LINUX_CACHE:-/var/cache/kvmux/linux}/
#     vmlinux bzImage config   the outputs
#     stamp                    what they were built from
#     build.log                the log of the last build
#     work/linux-source-6.1/   the unpacked source (kept)
#     work/build/              the object tree, O= (kept)
# The stamp holds the source package version, a hash of this script and of
# the fragment, and the compiler version; when it matches, nothing is
# rebuilt. The source and object trees are kept on purpose (about 1.5 GB):
# a changed fragment then rebuilds incrementally in seconds to a minute
# instead of a full unpack and build. Delete work/ to reclaim the space; the
# outputs stay usable.
#
# Usage: scripts/build-linux.sh [--print-dir]
#   --print-dir  print only the cache directory on stdout (after building
#                if needed), so that callers can do DIR=$(... --print-dir).
# All messages go to stderr. Needs no stdin; safe under CI=true.

set -euo pipefail

usage() {
	echo "usage: $0 [--print-dir]" >&2
	exit 2
}

print_dir=0
case $# in
0) ;;
1) [[ $1 == --print-dir ]] || usage; print_dir=1 ;;
*) usage ;;
esac

msg() { echo "build-linux: $*" >&2; }
die() {
	msg "error: $*"
	exit 1
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
script="$here/$(basename "${BASH_SOURCE[0]}")"
fragment="$repo/tests/linux/kernel.config"

src_pkg=linux-source-6.1
src_tarball=${KVMUX_LINUX_SOURCE:-/usr/src/$src_pkg.tar.xz}
cache=${KVMUX_LINUX_CACHE:-/var/cache/kvmux/linux}

[[ -f $fragment ]] || die "config fragment $fragment is missing"
if [[ ! -f $src_tarball ]]; then
	msg "error: $src_tarball not found"
	msg "install the kernel source with: apt-get install $src_pkg"
	exit 1
fi

# Tools the kernel build needs, each with the Debian package providing it.
missing=()
need_cmd() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }
need_file() { [[ -e $1 ]] || missing+=("$2"); }
need_cmd make make
need_cmd gcc gcc
need_cmd ld binutils
need_cmd bc bc
need_cmd flex flex
need_cmd bison bison
need_cmd perl perl
need_cmd tar tar
need_cmd xz xz-utils
need_cmd lz4 lz4
need_cmd sha256sum coreutils
need_file /usr/include/gelf.h libelf-dev
need_file /usr/include/openssl/opensslv.h libssl-dev
if ((${#missing[@]})); then
	# Sorted and unique: several tools can come from one package.
	mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
	die "missing build tools; install them with: apt-get install ${missing[*]}"
fi

# What the outputs depend on.
if command -v dpkg-query >/dev/null 2>&1 &&
	src_version=$(dpkg-query -W -f='${Version}' "$src_pkg" 2>/dev/null) &&
	[[ -n $src_version && $src_tarball == /usr/src/$src_pkg.tar.xz ]]; then
	src_id="$src_pkg $src_version"
else
	src_id="$src_tarball sha256 $(sha256sum <"$src_tarball" | cut -d' ' -f1)"
fi
inputs_hash=$(cat "$script" "$fragment" | sha256sum | cut -d' ' -f1)
cc_version=$(gcc --version | head -n1)
stamp_want=$(printf 'source: %s\ninputs: %s\ncompiler: %s\n' \
	"$src_id" "$inputs_hash" "$cc_version")

mkdir -p "$cache" 2>/dev/null ||
	die "cannot create $cache: set KVMUX_LINUX_CACHE to a writable directory"

# One build at a time per cache directory.
exec 9>"$cache/.lock"
flock 9

outputs=(vmlinux bzImage config)

up_to_date() {
	local f
	[[ -f $cache/stamp ]] || return 1
	[[ $(cat "$cache/stamp") == "$stamp_want" ]] || return 1
	for f in "${outputs[@]}"; do
		[[ -s $cache/$f ]] || return 1
	done
}

report() {
	local f
	for f in "${outputs[@]}"; do
		msg "  $cache/$f ($(stat -c %s "$cache/$f") bytes)"
	done
}

if up_to_date; then
	msg "up to date ($src_id), cached in $cache:"
	report
	((print_dir)) && echo "$cache"
	exit 0
fi

start=$SECONDS
work="$cache/work"
srcdir="$work/$src_pkg"
objdir="$work/build"
log="$cache/build.log"
mkdir -p "$work"
rm -f "$cache/stamp"
: >"$log"

# Unpack the source unless the same version is already there.
if [[ ! -f $work/source-id || $(cat "$work/source-id") != "$src_id" ||
	! -f $srcdir/Makefile ]]; then
	msg "unpacking $src_tarball into $work (about 1.3 GB)"
	rm -rf "$srcdir" "$objdir" "$work/source-id" "$work/unpack.tmp"
	mkdir -p "$work/unpack.tmp"
	tar -xJf "$src_tarball" -C "$work/unpack.tmp" </dev/null
	[[ -f $work/unpack.tmp/$src_pkg/Makefile ]] ||
		die "$src_tarball does not contain $src_pkg/Makefile"
	mv "$work/unpack.tmp/$src_pkg" "$srcdir"
	rmdir "$work/unpack.tmp"
	echo "$src_id" >"$work/source-id"
fi
mkdir -p "$objdir"

jobs=$(nproc 2>/dev/null || echo 2)
kmake() {
	make -C "$srcdir" O="$objdir" ARCH=x86_64 "$@" </dev/null >>"$log" 2>&1
}
fail() {
	msg "error: $1; last lines of $log:"
	tail -n 40 "$log" >&2
	exit 1
}

msg "configuring: tinyconfig + ${fragment#"$repo"/}"
kmake tinyconfig || fail "make tinyconfig failed"
"$srcdir/scripts/kconfig/merge_config.sh" -m -O "$objdir" \
	"$objdir/.config" "$fragment" </dev/null >>"$log" 2>&1 ||
	fail "merging the config fragment failed"
kmake olddefconfig || fail "make olddefconfig failed"

# Every setting of the fragment must have survived olddefconfig (a symbol
# whose dependencies are not met is silently dropped by kconfig).
lost=()
while IFS= read -r line; do
	if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
		grep -qxF "$line" "$objdir/.config" || lost+=("${BASH_REMATCH[1]}=${BASH_REMATCH[2]}")
	elif [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
		! grep -q "^${BASH_REMATCH[1]}=" "$objdir/.config" ||
			lost+=("${BASH_REMATCH[1]} off")
	fi
done <"$fragment"
for sym in CONFIG_PVH CONFIG_SERIAL_8250_CONSOLE CONFIG_KERNEL_LZ4; do
	grep -qx "$sym=y" "$objdir/.config" || lost+=("$sym=y")
done
if ((${#lost[@]})); then
	die "these settings did not stick after olddefconfig: ${lost[*]}" \
		"(see $objdir/.config)"
fi

msg "building vmlinux bzImage with -j$jobs (log: $log)"
kmake -j"$jobs" vmlinux bzImage || fail "the kernel build failed"

# Install the outputs, stamp last: an interrupted run leaves no stamp.
for f in vmlinux arch/x86/boot/bzImage .config; do
	[[ -s $objdir/$f ]] || die "the build did not produce $objdir/$f"
done
cp "$objdir/vmlinux" "$cache/vmlinux.tmp"
cp "$objdir/arch/x86/boot/bzImage" "$cache/bzImage.tmp"
cp "$objdir/.config" "$cache/config.tmp"
for f in "${outputs[@]}"; do
	mv -f "$cache/$f.tmp" "$cache/$f"
done
echo "$stamp_want" >"$cache/stamp"

elapsed=$((SECONDS - start))
msg "built $src_id in $((elapsed / 60))m$((elapsed % 60))s, cached in $cache:"
report
((print_dir)) && echo "$cache"
exit 0
