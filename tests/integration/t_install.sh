# SPDX-License-Identifier: GPL-2.0-only
# make install and make uninstall into a scratch DESTDIR: the binary, the
# compressed man page, the docs and examples, and a bash completion that
# completes kvmux's options and their values.

root=$(realpath "$here/../..")
dest="$WORK/inst"
san=()
[[ $KVMUX == */build-san/* ]] && san=(SANITIZE=1)
STATUS=0
make --no-print-directory -s -C "$root" "${san[@]}" install \
	DESTDIR="$dest" PREFIX=/usr >"$WORK/out" 2>"$WORK/err" || STATUS=$?
OUT=$(cat "$WORK/out") ERR=$(cat "$WORK/err")
check "install: binary, man page, docs, examples, completion" all_of \
	'status_is 0' \
	'"$dest/usr/bin/kvmux" --version | grep -q "^kvmux "' \
	'zcat "$dest/usr/share/man/man1/kvmux.1.gz" | grep -q "^\.TH KVMUX 1"' \
	'test -f "$dest/usr/share/doc/kvmux/exit-status.md"' \
	'test -f "$dest/usr/share/doc/kvmux/examples/two-vms/a.conf"' \
	'test -f "$dest/usr/share/bash-completion/completions/kvmux"'

# complete WORD...: what the completion offers for the last word.
complete_words() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
		_kvmux; printf "%s\n" "${COMPREPLY[@]}"' _ \
		"$dest/usr/share/bash-completion/completions/kvmux" "$@"
}
OUT=$(complete_words kvmux run --con)
check "install: completion of an option" all_of 'out_has "--console"' \
	'out_has "--console-output"'
OUT=$(complete_words kvmux run --console "")
check "install: completion of a value" all_of 'out_has serial' \
	'out_has virtio'
OUT=$(complete_words kvmux plan --j)
check "install: plan's options for plan" all_of 'out_has "--json"'

STATUS=0
make --no-print-directory -s -C "$root" "${san[@]}" uninstall \
	DESTDIR="$dest" PREFIX=/usr >"$WORK/out" 2>"$WORK/err" || STATUS=$?
check "uninstall: every installed file is gone" all_of 'status_is 0' \
	'[ -z "$(find "$dest" -type f)" ]'

# "make clean all" builds from nothing: the link's flags file is made by
# a rule, not only when make reads the Makefile without "clean" asked.
# A dry run (-n) into a scratch build directory: nothing is removed.
STATUS=0
make --no-print-directory -s -n -C "$root" BUILD="$WORK/fresh" clean \
	"$WORK/fresh/kvmux" >"$WORK/out" 2>"$WORK/err" || STATUS=$?
ERR=$(cat "$WORK/err") OUT=""
check "make: clean and a build in one command" all_of 'status_is 0' \
	'! err_has "No rule"'

# With -j2 (as CI builds), clean's rm -rf raced the compiler: "cannot
# remove 'build/src': Directory not empty", 1 run in 2.  A dry run cannot
# show the race, so this looks at make's own database: clean beside
# other goals makes the run serial (.NOTPARALLEL).
STATUS=0
make --no-print-directory -s -n -p -j2 -C "$root" BUILD="$WORK/fresh" clean \
	"$WORK/fresh/kvmux" >"$WORK/out" 2>"$WORK/err" || STATUS=$?
OUT=$(grep -x '\.NOTPARALLEL:' "$WORK/out") ERR=""
check "make -j2: clean before a build in one command, not beside it" \
	all_of 'status_is 0' 'out_has ".NOTPARALLEL:"'
