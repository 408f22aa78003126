# SPDX-License-Identifier: GPL-2.0-only
# --result FILE: one JSON object however the run ends (an exit, a
# timeout, a signal, a mistake on the command line, a kernel that is not
# there, a group), valid JSON whatever the names hold, and written whole.

res="$WORK/result.json"
# jq_ok EXPR...: every Python expression on the result's JSON (d) holds.
jq_ok() {
	python3 - "$res" "$@" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for expr in sys.argv[2:]:
    if not eval(expr, {"d": d}):
        sys.exit("failed: " + expr + " in " + json.dumps(d))
PY
}

rm -f "$res"
kvmux_run run -k "$FIRMWARE/exitcode.elf" -p exit=5 -t 60 --result "$res"
bytes=$(wc -c <"$WORK/out")
check "result: a guest's exit" all_of 'status_is 5' 'jq_ok \
	"d[\"status\"] == 5" "d[\"error\"] is None" "d[\"group\"] is None" \
	"len(d[\"vms\"]) == 1" "d[\"vms\"][0][\"name\"] == \"vm\"" \
	"d[\"vms\"][0][\"status\"] == 5" "d[\"vms\"][0][\"reason\"] == \"exit\"" \
	"d[\"vms\"][0][\"started\"]" "d[\"vms\"][0][\"wall_seconds\"] > 0" \
	"d[\"vms\"][0][\"exits\"][\"kvmux\"] > 0" \
	"d[\"vms\"][0][\"console\"] == {\"bytes\": $bytes, \"lost\": 0}"' \
	'[ -z "$(ls -A "$WORK" | grep kvmux-result)" ]'

kvmux_run run -k "$FIRMWARE/spin.elf" -t 1 --result "$res"
check "result: a timeout" all_of 'status_is 124' 'jq_ok \
	"d[\"status\"] == 124" "d[\"vms\"][0][\"reason\"] == \"timeout\""'

rm -f "$WORK/out"
"$KVMUX" run -k "$FIRMWARE/spin.elf" --result "$res" >"$WORK/out" \
	2>"$WORK/err" </dev/null &
pid=$!
wait_for_output "$WORK/out" "spin: forever" "$pid"
kill -TERM "$pid"
STATUS=0
wait "$pid" || STATUS=$?
check "result: a signal" all_of 'status_is 143' 'jq_ok \
	"d[\"status\"] == 143" "d[\"vms\"][0][\"reason\"] == \"signal\"" \
	"\"signal 15\" in d[\"vms\"][0][\"detail\"]"'

kvmux_run run --result "$res" -k "$FIRMWARE/hello.elf" --cpus 0
check "result: a mistake on the command line" all_of 'status_is 126' \
	'jq_ok "d[\"status\"] == 126" "d[\"vms\"] == []" \
	"\"--cpus\" in d[\"error\"]"'

printf '[kernel]\npath = %s\n' "$WORK/missing.elf" >"$WORK/gone.conf"
printf '[vm]\nname = caf\xe9\n[kernel]\npath = %s\n' \
	"$FIRMWARE/hello.elf" >"$WORK/latin1.conf"
kvmux_run run "$WORK/latin1.conf" "$WORK/gone.conf" --result "$res"
check "result: a kernel that is not there, names not UTF-8" all_of \
	'status_is 126' 'jq_ok "d[\"status\"] == 126" \
	"\"missing.elf\" in d[\"error\"]" \
	"[v[\"name\"] for v in d[\"vms\"]] == [\"caf\ufffd\", \"gone\"]" \
	"not any(v[\"started\"] for v in d[\"vms\"])"'
kvmux_run plan "$WORK/latin1.conf" "$WORK/gone.conf" --json
printf '%s\n' "$OUT" >"$res"
check "plan --json: names not UTF-8 still give valid JSON" all_of \
	'status_is 0' 'jq_ok "d[\"vms\"][0][\"name\"] in (\"caf\ufffd\", \"gone\")"'

for vm in a:exit=3 b:exit=0; do
	printf '[vm]\nname = %s\nmemory = 32M\n[kernel]\npath = %s\ncmdline = %s\n' \
		"${vm%%:*}" "$FIRMWARE/exitcode.elf" "${vm#*:}" \
		>"$WORK/${vm%%:*}.conf"
done
kvmux_run run "$WORK/a.conf" "$WORK/b.conf" --host-cpus 2 --result "$res"
check "result: a group, with each VM's shares" all_of 'status_is 3' 'jq_ok \
	"d[\"status\"] == 3" "d[\"group\"][\"host_cpus\"] == 2" \
	"[v[\"status\"] for v in d[\"vms\"]] == [3, 0]" \
	"all(0 <= v[\"target_share\"] <= 1 for v in d[\"vms\"])" \
	"abs(sum(v[\"obtained_share\"] for v in d[\"vms\"]) - 1) < 1e-6"'

kvmux_run run -k "$FIRMWARE/hello.elf" --result "$WORK/no/such/dir/r.json"
check "result: a directory that is not there is refused first" all_of \
	'status_is 126' 'err_has "--result"' 'err_one_line' \
	'! out_has "Hello"'
kvmux_run run -k "$FIRMWARE/hello.elf" --result "$WORK"
check "result: a directory as the file is refused" all_of 'status_is 126' \
	'err_has "is a directory"' 'err_one_line'

# A symbolic link is refused: the rename would replace the link itself
# (--result /dev/stdout once made /dev/stdout a file).
echo "target" >"$WORK/r_target"
ln -sf "$WORK/r_target" "$WORK/r_link"
kvmux_run run -k "$FIRMWARE/hello.elf" --result "$WORK/r_link"
check "result: a symbolic link is refused, link and target kept" all_of \
	'status_is 126' 'err_has "is a symbolic link"' 'err_one_line' \
	'[ -L "$WORK/r_link" ]' '[ "$(cat "$WORK/r_target")" = "target" ]'

# A closed stdout or stderr is /dev/null: the JSON stays JSON.
rm -f "$res"
STATUS=0
"$KVMUX" run -k "$FIRMWARE/hello.elf" --result "$res" >&- 2>/dev/null \
	</dev/null || STATUS=$?
check "result: with stdout closed the console goes nowhere, not into the JSON" \
	all_of 'status_is 0' 'jq_ok "d[\"status\"] == 0"'
rm -f "$res"
STATUS=0
"$KVMUX" run -k "$WORK/missing.elf" --result "$res" 2>&- \
	>/dev/null </dev/null || STATUS=$?
check "result: with stderr closed kvmux's messages stay out of the JSON" \
	all_of 'status_is 126' 'jq_ok "d[\"status\"] == 126"'

# An existing file's mode is kept.
chmod 600 "$res"
kvmux_run run -k "$FIRMWARE/hello.elf" --result "$res"
check "result: an existing file keeps its mode (0600)" all_of 'status_is 0' \
	'[ "$(stat -c %a "$res")" = 600 ]' 'jq_ok "d[\"status\"] == 0"'

long=$(printf 'r%.0s' $(seq 256))
kvmux_run run -k "$FIRMWARE/hello.elf" --result "$WORK/$long"
check "result: a file name longer than NAME_MAX is refused first" all_of \
	'status_is 126' 'err_has "longer than 255"' 'err_one_line' \
	'! out_has "Hello"'

# The rename at the end is made without capabilities (the release
# helper): a directory only they could write to is refused at the start.
if [ "$(id -u)" -eq 0 ]; then
	mkdir -p "$WORK/r555" "$WORK/rnobody"
	chmod 555 "$WORK/r555"
	chown nobody "$WORK/rnobody"
	chmod 755 "$WORK/rnobody"
	for d in r555 rnobody; do
		kvmux_run run -k "$FIRMWARE/hello.elf" --result "$WORK/$d/r.json"
		check "result: root, a directory only capabilities can write to ($d) is refused first" \
			all_of 'status_is 126' 'err_has "without capabilities"' \
			'err_one_line' '! out_has "Hello"' \
			'[ -z "$(ls -A "$WORK/$d")" ]'
	done
	chmod 755 "$WORK/r555"
else
	skip "result: directories only capabilities can write to" "not root"
fi

# Two of the run's files that may not be one file (a disk both guests
# write): refused (126), yet written in the result, every VM not
# started; --result naming the disk itself writes nothing (t_outputs.sh).
truncate -s 1M "$WORK/rd.img"
for n in rp rq; do
	printf '[vm]\nname = %s\nmemory = 32M\n[kernel]\npath = %s\n[disk "d"]\npath = %s\n' \
		"$n" "$FIRMWARE/exitcode.elf" "$WORK/rd.img" >"$WORK/$n.conf"
done
rm -f "$res"
kvmux_run run "$WORK/rp.conf" "$WORK/rq.conf" --host-cpus 2 --result "$res"
check "result: a run refused for a disk two VMs write is still written (126)" \
	all_of 'status_is 126' 'err_one_line' 'jq_ok \
	"d[\"status\"] == 126" "\"rd.img\" in d[\"error\"]" \
	"[v[\"reason\"] for v in d[\"vms\"]] == [\"not started\"] * 2" \
	"[v[\"status\"] for v in d[\"vms\"]] == [126, 126]"'

# A rename that fails at the end: a run that would give 0 gives 125.  The
# directory is made read-only while kvmux waits for its FIFO's reader.
mkdir -p "$WORK/rlate"
mkfifo "$WORK/r_fifo"
rm -f "$WORK/r_err"
"$KVMUX" run -k "$FIRMWARE/hello.elf" --console-output "$WORK/r_fifo" \
	--result "$WORK/rlate/r.json" >/dev/null 2>"$WORK/r_err" </dev/null &
pid=$!
wait_for_output "$WORK/r_err" "waiting for one" "$pid"
chmod 555 "$WORK/rlate"
cat "$WORK/r_fifo" >/dev/null
STATUS=0
wait "$pid" || STATUS=$?
ERR=$(cat "$WORK/r_err")
chmod 755 "$WORK/rlate"
check "result: a rename that fails at the end gives 125, not 0" all_of \
	'status_is 125' 'err_has "--result: cannot rename"' \
	'[ ! -e "$WORK/rlate/r.json" ]'

# A run whose start() fails before any VM has started (a privilege drop
# or the base filter failing; the test build fails it on purpose) is
# the host's failure, 125, not the 0 of a VM that never set a status.
if [ -x "${KVMUX_TEST_BUILD:-}" ]; then
	rm -f "$WORK/sf.json"
	STATUS=0
	KVMUX_TEST_START_FAILS=1 "$KVMUX_TEST_BUILD" run \
		-k "$FIRMWARE/hello.elf" --result "$WORK/sf.json" \
		>"$WORK/out" 2>"$WORK/err" </dev/null || STATUS=$?
	OUT=$(cat "$WORK/out") ERR=$(cat "$WORK/err")
	check "result: a start that fails before any VM runs is 125, in the file too" \
		all_of 'status_is 125' 'err_one_line' '[ -z "$OUT" ]' \
		'err_has "start() fails"' \
		'grep -q "\"status\": *125" "$WORK/sf.json"' \
		'grep -q "\"reason\": *\"not started\"" "$WORK/sf.json"'
	for i in 1 2; do
		printf '[vm]\nname = sf%d\nmemory = 32M\n[kernel]\npath = %s\n' \
			"$i" "$FIRMWARE/hello.elf" >"$WORK/sf$i.conf"
	done
	STATUS=0
	KVMUX_TEST_START_FAILS=1 "$KVMUX_TEST_BUILD" run "$WORK/sf1.conf" \
		"$WORK/sf2.conf" >"$WORK/out" 2>"$WORK/err" </dev/null ||
		STATUS=$?
	OUT=$(cat "$WORK/out") ERR=$(cat "$WORK/err")
	check "result: a group whose start fails is 125" all_of \
		'status_is 125' 'err_has "start() fails"' \
		'! grep -q "Hello" "$WORK/out"'
else
	skip "result: a start that fails" "set KVMUX_TEST_BUILD (make integration does)"
fi
