# SPDX-License-Identifier: GPL-2.0-only
# Config files through the real binary: booting from a file, the command
# line overriding it, paths relative to the file, one-line errors with the
# file and line, and "kvmux plan" in both its table and its JSON.

conf="$WORK/conf"
mkdir -p "$conf/vms" "$conf/images"
cp "$FIRMWARE/exitcode.elf" "$conf/images/"

# exit.conf: a kernel found relative to the file, not to the cwd.
cat >"$conf/vms/exit.conf" <<'EOF'
; exits with 5 unless the command line says otherwise
[vm]
memory = 64M
timeout = 30

[kernel]
path = ../images/exitcode.elf
cmdline = exit=5
EOF

# in_dir DIR ARGS...: kvmux_run ARGS in DIR (in this shell, to keep $OUT).
in_dir() {
	local back=$PWD
	cd "$1" || return 1
	shift
	kvmux_run "$@"
	cd "$back" || return 1
}

kvmux_run run "$conf/vms/exit.conf"
check "config: boot from a file" all_of 'status_is 5' \
	"out_has 'cmdline: exit=5'"
in_dir / run "$conf/vms/exit.conf"
check "config: kernel path relative to the file (run from /)" all_of \
	'status_is 5'
in_dir "$conf" run vms/exit.conf
check "config: kernel path relative to the file (a relative file)" \
	all_of 'status_is 5'
kvmux_run run "$conf/vms/exit.conf" --cmdline exit=9
check "config: --cmdline overrides the file" all_of 'status_is 9' \
	"out_has 'cmdline: exit=9'"
kvmux_run run --cmdline exit=7 "$conf/vms/exit.conf"
check "config: options before the file override it too" all_of \
	'status_is 7'
kvmux_run run "$conf/vms/exit.conf" --kernel "$FIRMWARE/hello.elf"
check "config: --kernel overrides the file" all_of 'status_is 0' \
	'out_has "Hello from the kvmux guest!"'

# config_error NAME TEXT FILE-CONTENT: the one stderr line is exactly
# "bad.conf:..." + TEXT, status 126.
config_error() {
	local name=$1
	EXPECT="kvmux: bad.conf$2"
	printf '%b' "$3" >"$conf/bad.conf"
	in_dir "$conf" run bad.conf
	check "config error: $name" all_of 'status_is 126' \
		'err_has "$EXPECT"' 'err_one_line'
}
config_error "unknown key" ":4: unknown key 'memroy' in [vm]" \
	'[kernel]\npath = x\n[vm]\nmemroy = 1G\n'
config_error "not a size" \
	":2: [vm] memory: 'lots' is not a size (examples: 512M, 2G)" \
	'[vm]\nmemory = lots\n'
config_error "duplicate key" \
	":5: duplicate key 'cpus' in [vm] (first on line 2)" \
	'[vm]\ncpus = 1\nname = a\n\ncpus = 2\n'
config_error "no kernel" ": no kernel: [kernel] path is required" \
	'[vm]\ncpus = 1\n'
config_error "unknown section" ":3: unknown section [disks]" \
	'[kernel]\npath = x\n[disks]\npath = d\n'
config_error "duplicate section" \
	':5: duplicate section [disk "root"] (first on line 3)' \
	'[kernel]\npath = x\n[disk "root"]\npath = a\n[disk "root"]\npath = b\n'
config_error "not INI" ":2: not valid INI" '[vm]\njust words\n'
config_error "bad cap" ":2: [vm] cap: 'maybe' is not on or off" \
	'[vm]\ncap = maybe\n'

kvmux_run run "$conf/nope.conf"
check "config error: no such file" all_of 'status_is 126' \
	"err_has 'config file $conf/nope.conf does not exist'" 'err_one_line'
mkdir -p "$conf/dir.conf"
kvmux_run run "$conf/dir.conf"
check "config error: a directory" all_of 'status_is 126' \
	"err_has 'is a directory'" 'err_one_line'
printf '[kernel]\npath = missing.elf\n' >"$conf/missing.conf"
kvmux_run run "$conf/missing.conf"
check "config error: the kernel it names is missing" all_of \
	'status_is 126' "err_has 'kernel $conf/missing.elf does not exist'" \
	'err_one_line'
kvmux_run run "$conf/vms/exit.conf" --memory lots
check "config: a bad override is still a usage error" all_of \
	'status_is 126' "err_has 'not a size'" 'err_one_line'

# The worked example of docs/config.md: 2 CPUs, 4 GiB; A (1 vCPU, 1 GiB,
# priority 1) and B (1 vCPU, 3 GiB).
cat >"$conf/A.conf" <<'EOF'
[vm]
name = A
memory = 1G
cpus = 1
priority = 1
[kernel]
path = images/exitcode.elf
EOF
cat >"$conf/B.conf" <<'EOF'
[vm]
name = B
memory = 3G
cpus = 1
[kernel]
path = images/exitcode.elf
EOF
kvmux_run plan "$conf/B.conf" "$conf/A.conf" --host-cpus 2 --host-memory 4G
row_a=$(grep -E '^1 +A ' <<<"$OUT")
row_b=$(grep -E '^2 +B ' <<<"$OUT")
check "plan: worked example, table" all_of 'status_is 0' \
	"out_has 'capacity: 2 vCPUs (2 host CPUs x overcommit 1.000), 4 GiB'" \
	"grep -qE '^1 +A +1 +1 +1 GiB +1 GiB +1 +1 +off +50.0% 100 ms$' <<<\"\$row_a\"" \
	"grep -qE '^2 +B +1 +1 +3 GiB +3 GiB +0 +1 +off +50.0% 100 ms$' <<<\"\$row_b\""

kvmux_run plan "$conf/B.conf" "$conf/A.conf" --host-cpus 2 \
	--host-memory 4G --json
printf '%s\n' "$OUT" >"$WORK/plan.json"
check "plan: worked example, JSON" all_of 'status_is 0' \
	"python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))
c = p[\"capacity\"]
assert c[\"host_cpus\"] == 2 and c[\"vcpus\"] == 2, c
assert c[\"memory_bytes\"] == 4 << 30 and c[\"cpu_time_ns\"] == 200000000, c
a, b = p[\"vms\"]
assert (a[\"name\"], a[\"dispatch\"], b[\"name\"]) == (\"A\", 1, \"B\"), p
assert a[\"vcpus\"] == 1 and a[\"memory_bytes\"] == 1 << 30, a
assert b[\"vcpus\"] == 1 and b[\"memory_bytes\"] == 3 << 30, b
assert abs(a[\"share\"] - 0.5) < 1e-9 and b[\"budget_ns\"] == 100000000, b
' '$WORK/plan.json'"

# Oversubscribed: 2G, 2G and 4G of a 4G host get 1G, 1G and 2G.
for vm in x:2G y:2G z:4G; do
	printf '[vm]\nmemory = %s\n[kernel]\npath = images/exitcode.elf\n' \
		"${vm#*:}" >"$conf/${vm%%:*}.conf"
done
kvmux_run plan "$conf/x.conf" "$conf/y.conf" "$conf/z.conf" \
	--host-cpus 4 --host-memory 4G --json
printf '%s\n' "$OUT" >"$WORK/plan.json"
check "plan: memory scaled in proportion" all_of 'status_is 0' \
	"python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))
got = [(v[\"name\"], v[\"memory_bytes\"] >> 20) for v in p[\"vms\"]]
assert got == [(\"x\", 1024), (\"y\", 1024), (\"z\", 2048)], got
assert p[\"capacity\"][\"memory_scaled\"] is True
' '$WORK/plan.json'"

kvmux_run plan "$conf/x.conf" "$conf/y.conf" "$conf/z.conf" \
	--host-cpus 2 --host-memory 4G
check "plan: more VMs than vCPUs is refused" all_of 'status_is 126' \
	"err_has 'need at least one vCPU each'" 'err_one_line'
mkdir -p "$conf/other"
cp "$conf/x.conf" "$conf/other/x.conf"
kvmux_run plan "$conf/x.conf" "$conf/other/x.conf"
check "plan: two VMs with one name" all_of 'status_is 126' \
	"err_has \"both name a VM 'x'\"" 'err_one_line'
kvmux_run plan "$conf/x.conf" "$conf/x.conf"
check "plan: one file given twice is said to be that" all_of \
	'status_is 126' \
	"err_has 'kvmux: $conf/x.conf is given twice: one config file is one VM'" \
	'err_one_line'
kvmux_run run "$conf/x.conf" "$conf/./x.conf"
check "run: one file under two paths is given twice too" all_of \
	'status_is 126' "err_has 'are one config file, given twice'" \
	'err_one_line'
# A symbolic link gives the file another default name: still one file.
ln -sf x.conf "$conf/x-link.conf"
kvmux_run plan "$conf/x.conf" "$conf/x-link.conf"
check "plan: one file under a link of another name is given twice" all_of \
	'status_is 126' \
	"err_has 'kvmux: $conf/x.conf and $conf/x-link.conf are one config file, given twice'" \
	'err_one_line'

# --period's range holds at its low end: below 1 ms is refused, as above
# 10 s, not taken as 1 ms.
for period in 0.0001 10.001; do
	kvmux_run plan "$conf/x.conf" "$conf/y.conf" --period "$period" --json
	check "plan: --period $period is out of range" all_of 'status_is 126' \
		"err_has 'kvmux: --period: $period is out of range (0.001 to 10 seconds'" \
		'err_one_line'
done
kvmux_run plan "$conf/x.conf" "$conf/y.conf" --period 0.001 --json
check "plan: --period 0.001 is 1 ms" all_of 'status_is 0' \
	"out_has '\"period_ns\": 1000000,'"

# One VM on one host CPU: singular words.
kvmux_run plan "$conf/x.conf" --host-cpus 1 --host-memory 4G
check "plan: 1 vCPU (1 host CPU ...)" all_of 'status_is 0' \
	"out_has 'capacity: 1 vCPU (1 host CPU x overcommit 1.000)'"
kvmux_run plan "$conf/x.conf" --host-cpus 1 --overcommit 0.5
check "plan: the 1 VM needs ... (1 host CPU" all_of 'status_is 126' \
	'err_has "the 1 VM needs at least one vCPU, more than the group'"'"'s 0 (1 host CPU, overcommit 0.500)"' \
	'err_one_line'

# --fail-on: 32 patterns at most, the file's and the command line's
# together, and the message says so.
{
	printf '[kernel]\npath = images/exitcode.elf\n[console]\n'
	for i in $(seq 31); do printf 'fail-on = p%d\n' "$i"; done
} >"$conf/many.conf"
kvmux_run run "$conf/many.conf" --fail-on last --fail-on more
check "config: a 33rd --fail-on pattern, counting the file's" all_of \
	'status_is 126' \
	'err_has "kvmux: --fail-on: more than 32 values in all (--fail-on and the fail-on lines of a config file, if any, count together)"' \
	'err_one_line'

# A config file reached through a symbolic link: its paths are relative
# to the link's directory (the path as given), as docs/config.md says.
mkdir -p "$conf/sub" "$conf/link"
printf '[kernel]\npath = k.elf\ncmdline = exit=3\n' >"$conf/sub/rel.conf"
ln -sf ../sub/rel.conf "$conf/link/rel.conf"
cp "$FIRMWARE/exitcode.elf" "$conf/link/k.elf"
kvmux_run run "$conf/link/rel.conf" --timeout 60
check "config: paths from the link's directory, not the target's" all_of \
	'status_is 3'
kvmux_run plan "$conf/x.conf" --overcommit lots
check "plan: a bad group option" all_of 'status_is 126' \
	"err_has '--overcommit: '" 'err_one_line'
kvmux_run plan "$conf/x.conf"
check "plan: host defaults" all_of 'status_is 0' "out_has 'capacity: '"
kvmux_run plan
check "plan: no config files" all_of 'status_is 126' \
	"err_has 'no config files'" 'err_one_line'
