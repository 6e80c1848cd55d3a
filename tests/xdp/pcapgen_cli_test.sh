#!/bin/sh
# SPDX-License-Identifier: MIT
# pcapgen from the command line: the same seed writes the same file, another
# seed another one, and bad arguments exit with status 2.
# Usage: pcapgen_cli_test.sh PCAPGEN
set -eu
pcapgen=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

fail() {
	echo "pcapgen_cli_test: $*" >&2
	exit 1
}

"$pcapgen" -n 200 -s 3 "$dir/a.pcap"
"$pcapgen" -n 200 -s 3 "$dir/b.pcap"
"$pcapgen" -n 200 -s 4 "$dir/c.pcap"
cmp -s "$dir/a.pcap" "$dir/b.pcap" || fail "the same seed gave different files"
cmp -s "$dir/a.pcap" "$dir/c.pcap" && fail "different seeds gave the same file"
summary=$("$pcapgen" -v -n 50 "$dir/d.pcap")
case $summary in
"50 frames written to $dir/d.pcap (seed 1):"*) ;;
*) fail "unexpected -v summary: $summary" ;;
esac
for args in "" "-n" "-n x $dir/e.pcap" "-n -1 $dir/e.pcap" "-s 1 a b" "-q $dir/e.pcap"; do
	status=0
	# shellcheck disable=SC2086 # the arguments are split on purpose
	"$pcapgen" $args >/dev/null 2>&1 || status=$?
	[ "$status" = 2 ] || fail "'pcapgen $args' exited with $status, not 2"
done
status=0
"$pcapgen" "$dir/no/such/dir/f.pcap" 2>"$dir/err" || status=$?
[ "$status" = 1 ] || fail "writing into a missing folder exited with $status, not 1"
grep -q "no/such/dir/f.pcap" "$dir/err" || fail "the error does not name the file"
echo "pcapgen_cli_test: all checks passed"
