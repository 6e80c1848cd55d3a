# SPDX-License-Identifier: MIT
# Sourced by the CLI test scripts: a scratch folder ($work), the check
# `expect`, and the summary that sets the script's exit status.

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
checks=0

# expect NAME STATUS STDOUT STDERR CMD...: runs CMD with $input on standard
# input; STDOUT and STDERR are bash patterns the whole outputs must match.
input=
expect() {
	local name=$1 status=$2 want_out=$3 want_err=$4
	shift 4
	local out err rc
	out=$(printf '%s' "$input" | "$@" 2>"$work/stderr")
	rc=$?
	err=$(cat "$work/stderr")
	checks=$((checks + 1))
	if [[ $rc != "$status" || $out != $want_out || $err != $want_err ]]; then
		failures=$((failures + 1))
		printf 'FAIL: %s\n  status %s (want %s)\n  stdout: %s\n  stderr: %s\n' \
			"$name" "$rc" "$status" "$out" "$err"
	fi
}

# A pattern that matches text literally.
literal() { printf '%s' "$1" | sed 's/[][*?\\]/\\&/g'; }

# The last command of a test script: how many checks passed, and its status.
finish_checks() {
	echo "$((checks - failures)) of $checks checks passed"
	[ "$failures" -eq 0 ]
}
