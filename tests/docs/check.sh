#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The docs agree with the settings table (src/cli/settings.c):
#  - docs/config.md's settings tables are what `make docs` writes now;
#  - every option of the table has a heading in the man page's OPTIONS,
#    with the same short option and value, and every heading there is an
#    option of the table (or --help, --version).
#
#   tests/docs/check.sh build/tools/settings-doc
set -u
tool=$(realpath "$1")
cd "$(dirname "$0")/../.."
passed=0
failed=0
result() {
	if [ "$1" -eq 0 ]; then
		echo "PASS docs: $2"
		passed=$((passed + 1))
	else
		echo "FAIL docs: $2"
		failed=$((failed + 1))
	fi
}

copy=$(mktemp)
trap 'rm -f "$copy"' EXIT
cp docs/config.md "$copy"
scripts/update-docs.sh "$tool" "$copy" &&
	diff -u docs/config.md "$copy" >&2
result $? "docs/config.md tables match the settings table (else: make docs)"

"$tool" options | python3 -c '
import re, sys
table = {}
for line in sys.stdin:
    short, long, value = line.rstrip("\n").split("\t")
    table[long] = (short, value)
man = open("docs/kvmux.1").read()
options = man.split("\n.SH OPTIONS\n", 1)[1].split("\n.SH ", 1)[0]
found = {}
lines = options.split("\n")
for i, line in enumerate(lines):
    if i == 0 or lines[i - 1] != ".TP" or "\\-\\-" not in line:
        continue
    text = re.sub(r"^\.(BI|BR|B|IR|I) ", "", line)
    text = re.sub(r"\\f[BIPR]", "", text).replace("\\-", "-")
    words = text.replace("\"", " ").split()
    short = "-"
    if not words[0].startswith("--"):
        short = words[0][1:]
        words = [w for w in words[1:2] if w != ","] + words[2:]
    found[words[0][2:]] = (short, " ".join(words[1:]))
bad = []
for opt in ("help", "version"):
    found.pop(opt, None)
for opt, want in table.items():
    if opt not in found:
        bad.append("--%s is not in the man page" % opt)
    elif found[opt] != want:
        bad.append("--%s: man page has %s, the table %s" % (opt, found[opt], want))
for opt in found:
    if opt not in table:
        bad.append("--%s is in the man page, not in the table" % opt)
for b in bad:
    print("docs: " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
'
result $? "the man page lists the options of the table, as the table has them"

echo "docs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
