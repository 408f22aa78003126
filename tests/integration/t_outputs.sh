# SPDX-License-Identifier: GPL-2.0-only
# Outputs that are another file of the run: an output kvmux truncates or
# replaces (--result, --console-output FILE, --console-log, %n expanded,
# in every VM of a group) may not be an input (kernel, disk, config
# file), another output that is not a console file, nor the file kvmux's
# stdout or stderr writes to.  Refused at the start (126, one line naming
# both), before anything is opened: the files are left as they were.

hello="$FIRMWARE/hello.elf"
o_disk="$WORK/o_d.img"
o_kernel="$WORK/o_k.elf"

# o_fresh: a disk and a kernel, and copies to compare them with.
o_fresh() {
	head -c 65536 /dev/urandom >"$o_disk"
	cp "$o_disk" "$WORK/o_d.orig"
	cp "$hello" "$o_kernel"
}
o_kept() {
	cmp -s "$o_disk" "$WORK/o_d.orig" && cmp -s "$o_kernel" "$hello"
}

o_fresh
kvmux_run run -k "$o_kernel" -d "$o_disk" --result "$o_disk"
check "outputs: --result naming the disk is refused, the disk kept" all_of \
	'status_is 126' 'err_has "--result $o_disk is the disk $o_disk of vm"' \
	'err_one_line' 'o_kept' '! out_has "Hello"'

for opt in --console-log --console-output; do
	o_fresh
	kvmux_run run -k "$o_kernel" -d "$o_disk" "$opt" "$o_disk"
	check "outputs: $opt naming the disk is refused, not truncated" \
		all_of 'status_is 126' \
		'err_has "$opt $o_disk is the disk $o_disk of vm"' \
		'err_one_line' 'o_kept'
	kvmux_run run -k "$o_kernel" "$opt" "$o_kernel"
	check "outputs: $opt naming the kernel is refused, not truncated" \
		all_of 'status_is 126' \
		'err_has "$opt $o_kernel is the kernel $o_kernel of vm"' \
		'err_one_line' 'o_kept'
done

echo "keep me" >"$WORK/same.txt"
kvmux_run run -k "$hello" --result "$WORK/same.txt" \
	--console-log "$WORK/same.txt"
check "outputs: --result and --console-log naming one file is refused" \
	all_of 'status_is 126' 'err_has "--result $WORK/same.txt is --console-log"' \
	'err_one_line' '[ "$(cat "$WORK/same.txt")" = "keep me" ]'

# The same when the file does not exist yet: one file by two paths (the
# same directory, the same name), and a dangling symbolic link, which
# open(O_CREAT) follows to make its target.  Nothing is written.
exitcode="$FIRMWARE/exitcode.elf"
o_new() { # NAME ERROR ARGS...: run in $WORK/new, check the refusal
	local name=$1 want=$2
	shift 2
	rm -rf "$WORK/new"
	mkdir -p "$WORK/new/d"
	ln -s d "$WORK/new/sd"
	ln -s d/t.log "$WORK/new/dl"
	pushd "$WORK/new" >/dev/null || exit 1
	kvmux_run run -k "$exitcode" -p exit=2 "$@"
	popd >/dev/null || exit 1
	check "outputs: $name, not there yet, is refused (126)" all_of \
		'status_is 126' 'err_has "$want"' 'err_one_line' \
		'[ -z "$(find "$WORK/new" -type f)" ]'
}
o_new "--result and --console-output naming one file" \
	"--result a.json is --console-output a.json" \
	--result a.json --console-output a.json
o_new "--result x.log and --console-log ./x.log" \
	"--result x.log is --console-log ./x.log" \
	--result x.log --console-log ./x.log
o_new "--result vm.log and --console-log %n.log" \
	"--result vm.log is --console-log vm.log" \
	--result vm.log --console-log %n.log
o_new "--dump-dtb and --result naming one file" \
	"--result c.dtb is --dump-dtb c.dtb" --dump-dtb c.dtb --result c.dtb
o_new "--result d/x.log and --console-log sd/x.log (sd: a link to d)" \
	"--result d/x.log is --console-log sd/x.log" \
	--result d/x.log --console-log sd/x.log
o_new "--dump-dtb d/t.log and --console-log dl, a dangling link to it" \
	"--dump-dtb d/t.log is --console-log dl" \
	--dump-dtb d/t.log --console-log dl
pushd "$WORK/new" >/dev/null || exit 1
kvmux_run run -k "$exitcode" -p exit=2 --result r.json --console-log r.log
popd >/dev/null || exit 1
check "outputs: two new files of different names are two files" all_of \
	'status_is 2' 'grep -q "\"status\": 2" "$WORK/new/r.json"' \
	'grep -q "exitcode: 2" "$WORK/new/r.log"'

# The caller's stderr file, appended to: kvmux's log would truncate it.
echo "earlier lines" >"$WORK/ci.log"
STATUS=0
"$KVMUX" run -k "$hello" --console-log /dev/stderr >"$WORK/out" \
	2>>"$WORK/ci.log" </dev/null || STATUS=$?
OUT=$(cat "$WORK/out")
ERR=$(cat "$WORK/ci.log")
check "outputs: --console-log /dev/stderr into stderr's file is refused, the file kept" \
	all_of 'status_is 126' '[ "$(head -n 1 "$WORK/ci.log")" = "earlier lines" ]' \
	'err_has "--console-log /dev/stderr is the file of kvmux'"'"'s standard error"'

# A group: %n expanded names another VM's disk; a config file as a log.
o_fresh
cp "$o_disk" "$WORK/ob.img"
cp "$o_disk" "$WORK/ob.orig"
for vm in oa:ob.img ob:o_d.img; do
	printf '[vm]\nname = %s\nmemory = 32M\n[kernel]\npath = %s\n[disk "d"]\npath = %s\n' \
		"${vm%%:*}" "$hello" "$WORK/${vm#*:}" >"$WORK/${vm%%:*}.conf"
done
kvmux_run run "$WORK/oa.conf" "$WORK/ob.conf" --host-cpus 2 \
	--console-log "$WORK/%n.img"
check "outputs: a group's --console-log with %n naming another VM's disk is refused" \
	all_of 'status_is 126' \
	'err_has "--console-log $WORK/ob.img is the disk $WORK/ob.img of oa"' \
	'err_one_line' 'cmp -s "$WORK/ob.img" "$WORK/ob.orig"'
kvmux_run run "$WORK/oa.conf" "$WORK/ob.conf" --host-cpus 2 \
	--console-output "$WORK/%n.conf"
check "outputs: --console-output naming a config file is refused" all_of \
	'status_is 126' 'err_has "is the config file $WORK/oa.conf"' \
	'grep -q "^name = oa" "$WORK/oa.conf"'

# Still allowed: stdout and stderr one file, VMs sharing a log.
STATUS=0
"$KVMUX" run -k "$hello" >"$WORK/both.txt" 2>&1 </dev/null || STATUS=$?
check "outputs: stdout and stderr may be one file (2>&1)" all_of \
	'status_is 0' 'grep -q "Hello from the kvmux guest!" "$WORK/both.txt"'

# A console FIFO without a reader is waited for only once every VM is
# ready: a kernel, disk or memory size refused (126) or a KVM device that
# is none (125) fails at once, not after the --timeout spent waiting
# (124), nor never without one.
rm -f "$WORK/ow.fifo"
mkfifo "$WORK/ow.fifo"
ow_refused() { # STATUS WHAT ARGS...: a run refused before any wait
	local want=$1 what=$2
	shift 2
	kvmux_run run "$@" --console-output "$WORK/ow.fifo" --timeout 10
	check "outputs: $what is refused at once ($want), not after waiting for a FIFO's reader" \
		all_of "status_is $want" 'err_one_line' '! err_has "waiting"' \
		'! err_has "FIFO"'
}
ow_refused 126 "a kernel that is not there" -k "$WORK/missing.elf"
ow_refused 126 "a kernel that is none" -k /etc/passwd
ow_refused 126 "a disk of 1221 bytes" -k "$hello" -d /etc/passwd
ow_refused 125 "a memory size beyond the host's" -k "$hello" -m 1000G
ow_refused 125 "a KVM device that is none" -k "$hello" \
	--kvm-device /dev/null
printf '[vm]\nname = owa\nmemory = 32M\n[kernel]\npath = %s\n' \
	"$WORK/missing.elf" >"$WORK/owa.conf"
printf '[vm]\nname = owb\nmemory = 32M\n[kernel]\npath = %s\n' "$hello" \
	>"$WORK/owb.conf"
kvmux_run run "$WORK/owb.conf" "$WORK/owa.conf" --host-cpus 2 \
	--console-output "$WORK/ow.fifo" --timeout 10
check "outputs: a group with a kernel not there is refused at once (126), not after waiting for a FIFO's reader" \
	all_of 'status_is 126' 'err_has "owa: "' '! err_has "waiting"'
rm -f "$WORK/ow.fifo"

# A console file truncation could not empty (append-only, chattr +a) is
# refused when opened, before the run's other files are emptied; with
# ,append it is written to.  tmpfs may have no such flag: /var/tmp then.
ow_dir=$WORK
ow_tmp=
echo "earlier lines" >"$WORK/ow_ap.log"
if ! chattr +a "$WORK/ow_ap.log" 2>/dev/null; then
	ow_tmp=$(mktemp -d /var/tmp/kvmux-it.XXXXXX)
	ow_dir=$ow_tmp
	echo "earlier lines" >"$ow_dir/ow_ap.log"
	chattr +a "$ow_dir/ow_ap.log" 2>/dev/null || ow_dir=
fi
if [ -n "$ow_dir" ]; then
	echo "earlier lines" >"$WORK/ow_first.log"
	kvmux_run run -k "$hello" --console-output "$WORK/ow_first.log" \
		--console-log "$ow_dir/ow_ap.log"
	check "outputs: an append-only console file is refused (126) before any file is emptied" \
		all_of 'status_is 126' 'err_one_line' \
		'err_has "console output $ow_dir/ow_ap.log is append-only"' \
		'[ "$(cat "$WORK/ow_first.log")" = "earlier lines" ]' \
		'[ "$(cat "$ow_dir/ow_ap.log")" = "earlier lines" ]'
	kvmux_run run -k "$hello" --console-log "$ow_dir/ow_ap.log,append"
	check "outputs: an append-only console file with ,append is appended to" \
		all_of 'status_is 0' \
		'[ "$(head -n 1 "$ow_dir/ow_ap.log")" = "earlier lines" ]' \
		'grep -q "Hello from the kvmux guest!" "$ow_dir/ow_ap.log"'
	chattr -a "$ow_dir/ow_ap.log"
else
	skip "outputs: an append-only console file is refused" \
		"chattr +a fails in $WORK and /var/tmp"
fi
chattr -a "$WORK/ow_ap.log" 2>/dev/null
rm -f "$WORK/ow_ap.log"
[ -z "$ow_tmp" ] || rm -rf "$ow_tmp"
