#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Entry point of `make bench`: runs every benchmark family against the build
# in BUILD_DIR, one section each. Add a family by writing a section_* function
# and listing it in SECTIONS.
#
# Usage: bench/run.sh BUILD_DIR [SAMPLES]
set -euo pipefail

build=${1:?usage: bench/run.sh BUILD_DIR [SAMPLES]}
samples=${2:-7}

section_interp_alu() {
	echo "== interpreter: ALU micro-benchmarks (median of $samples samples)"
	"$build/bench/xbpf_bench_alu" "$samples"
}

section_named_call() {
	echo "== interpreter: a named helper call against a numeric one (median of $samples samples)"
	"$build/bench/xbpf_bench_named_call" "$build/extensions/sample.so" "$build/bench/named_call.bpf.o" "$samples"
}

SECTIONS=(section_interp_alu section_named_call)

status=0
for section in "${SECTIONS[@]}"; do
	"$section" || status=1
	echo
done
exit "$status"
