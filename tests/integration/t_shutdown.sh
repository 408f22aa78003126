# SPDX-License-Identifier: GPL-2.0-only
# Graceful shutdown: with --shutdown-grace, SIGTERM (and --timeout) press
# the ACPI power button; a guest that powers off exits 0 and kvmux says it
# was on request; one that ignores the button is stopped when its grace
# is over (143, 124); a second signal stops at once; without ACPI, or
# without a grace, SIGTERM stops at once as it always did.
#
# Every check acts on what the guest printed and on statuses and lines,
# never on elapsed time. Graces that must not run out are far longer than
# a guest needs (60 s); a grace that must not be waited for (600 s) is
# longer than the hang bound, so waiting for it fails the check.

# sd_start ARGS...: kvmux in the background; its pid in $PID.
sd_start() {
	rm -f "$WORK/out" "$WORK/err" # old ones must not satisfy a wait
	"$KVMUX" "$@" >"$WORK/out" 2>"$WORK/err" </dev/null &
	PID=$!
}

# sd_wait_for TEXT: until kvmux's stdout (a console) has TEXT.
sd_wait_for() {
	wait_for_output "$WORK/out" "$1" "$PID"
}

# sd_end: wait for kvmux (killed after $OUTER_TIMEOUT: a hang); sets
# $STATUS, $OUT and $ERR.
sd_end() {
	STATUS=0
	timeout "$OUTER_TIMEOUT" tail --pid="$PID" -f /dev/null ||
		kill -9 "$PID"
	wait "$PID" || STATUS=$?
	OUT=$(cat "$WORK/out") ERR=$(cat "$WORK/err")
}

waiting="pwrbtn: waiting for the power button"
for fmt in elf bzImage; do
	sd_start run --kernel "$FIRMWARE/pwrbtn.$fmt" --shutdown-grace 60
	sd_wait_for "$waiting"
	kill -TERM "$PID"
	sd_end
	check "pwrbtn.$fmt: SIGTERM presses the button, the guest powers off: 0" \
		all_of 'status_is 0' 'out_has "power button after"' \
		'out_has "powering off"' \
		'err_has "kvmux: vm: SIGTERM: power button pressed; the guest has 60 s to power off"' \
		'err_has "kvmux: vm: poweroff: powered off after the power button (SIGTERM)"'
done

# --quiet is errors only: neither the press nor the power-off after it is
# one, so both lines go (they went one by one before).
sd_start run --kernel "$FIRMWARE/pwrbtn.elf" --shutdown-grace 60 -q
sd_wait_for "$waiting"
kill -TERM "$PID"
sd_end
check "-q: SIGTERM, the guest powers off: 0, and stderr stays empty" \
	all_of 'status_is 0' 'out_has "powering off"' '[ -z "$ERR" ]'

sd_start run --kernel "$FIRMWARE/pwrbtn.elf" --cmdline ignore=1 \
	--shutdown-grace 0.5
sd_wait_for "$waiting"
kill -TERM "$PID"
sd_end
check "a guest that ignores the button is stopped when the grace ends: 143" \
	all_of 'status_is 143' \
	'err_has "kvmux: vm: signal: stopped by signal 15; the guest did not power off within its shutdown grace of 500 ms"' \
	'! err_has "powered off"'

# A second signal while the guest ignores the button: at once, with the
# second signal's status (128+N) and a line that says the grace was cut.
for sig in TERM INT; do
	sd_start run --kernel "$FIRMWARE/pwrbtn.elf" --cmdline ignore=1 \
		--shutdown-grace 600
	sd_wait_for "$waiting"
	kill -TERM "$PID"
	sd_wait_for "ignoring it"
	kill -s "$sig" "$PID"
	sd_end
	check "SIGTERM, then SIG$sig during the grace: stops at once with 128+N" \
		all_of "status_is $((128 + $(kill -l "$sig")))" \
		"err_has \"kvmux: vm: signal: stopped by signal $(kill -l "$sig"); it cut short the shutdown grace that SIGTERM began\""
done

# A signal during a grace that --timeout began: at once too, 143.
sd_start run --kernel "$FIRMWARE/spin.elf" --timeout 1 --shutdown-grace 600
wait_for_output "$WORK/err" "vm: --timeout: power button pressed" "$PID"
kill -TERM "$PID"
sd_end
check "SIGTERM during the grace --timeout began: stops at once with 143" \
	all_of 'status_is 143' \
	'err_has "kvmux: vm: signal: stopped by signal 15; it cut short the shutdown grace that --timeout began"'

# --timeout with a grace: the button too, and 124 if it is ignored.
kvmux_run run --kernel "$FIRMWARE/pwrbtn.elf" --timeout 1 --shutdown-grace 60
check "--timeout with a grace presses the button; the guest powers off: 0" \
	all_of 'status_is 0' 'out_has "powering off"' \
	'err_has "kvmux: vm: --timeout: power button pressed"' \
	'err_has "kvmux: vm: poweroff: powered off after the power button (--timeout)"'
kvmux_run run --kernel "$FIRMWARE/pwrbtn.elf" --cmdline ignore=1 \
	--timeout 1 --shutdown-grace 0.5
check "--timeout with a grace, the button ignored: 124 when the grace ends" \
	all_of 'status_is 124' \
	'err_has "kvmux: vm: timeout: --timeout of 1000 ms expired; the guest did not power off within its shutdown grace of 500 ms"'

# No button to press: SIGTERM stops at once, whatever the grace.
sd_start run --kernel "$FIRMWARE/spin.elf" --acpi off --shutdown-grace 600
sd_wait_for "spin: forever"
kill -TERM "$PID"
sd_end
check "--acpi off: SIGTERM stops at once despite a grace (143)" all_of \
	'status_is 143' 'err_has "kvmux: vm: signal: stopped by signal 15"' \
	'! err_has "power button"'
# No grace (the default): as always, SIGTERM stops at once.
sd_start run --kernel "$FIRMWARE/pwrbtn.elf"
sd_wait_for "$waiting"
kill -TERM "$PID"
sd_end
check "no --shutdown-grace: SIGTERM stops at once (143), no button" all_of \
	'status_is 143' '! out_has "power button after"' \
	'! err_has "power button"'

# A group: each VM its own treatment and grace (config key
# shutdown-grace); each ending in the summary under its own name.
sd_conf() {
	printf '[vm]\nname = %s\nmemory = 32M\n%s\n[kernel]\npath = %s\ncmdline = %s\n' \
		"$1" "$3" "$FIRMWARE/$2" "$4" >"$WORK/$1.conf"
}
sd_conf obeys pwrbtn.elf "shutdown-grace = 60" ""
sd_conf ignores pwrbtn.elf "shutdown-grace = 0.5" "ignore=1"
sd_conf nobutton spin.elf $'shutdown-grace = 600\nacpi = off' ""
sd_start run "$WORK/obeys.conf" "$WORK/ignores.conf" "$WORK/nobutton.conf" \
	--host-cpus 2 --overcommit 2
sd_wait_for "obeys| $waiting"
sd_wait_for "ignores| $waiting"
sd_wait_for "nobutton| spin: forever"
kill -TERM "$PID"
sd_end
check "group: SIGTERM gives each VM its button and its own grace" all_of \
	'status_is 143' \
	'grep -q "^obeys .* 0 poweroff/SIGTERM " <<<"$ERR"' \
	'grep -q "^ignores .*143 signal " <<<"$ERR"' \
	'grep -q "^nobutton .*143 signal " <<<"$ERR"' \
	'err_has "kvmux: obeys: poweroff: powered off after the power button (SIGTERM)"' \
	'err_has "kvmux: ignores: SIGTERM: power button pressed; the guest has 500 ms"' \
	'err_has "within its shutdown grace of 500 ms"' \
	'! err_has "nobutton: SIGTERM: power button"'
