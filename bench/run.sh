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

section_maps() {
	echo "== maps: host-side ns per lookup and update, beside liburcu's cds_lfht"
	"$(dirname "$0")/maps/run.sh" "$build"
}

# The shared suite lives outside the repository, where the CMake cache
# variable XBPF_SHARED_DIR says.
section_shared_suite() {
	local shared suite="$build/bench/suite/xbpf_bench_suite"
	shared=$(sed -n 's/^XBPF_SHARED_DIR:[A-Z]*=//p' "$build/CMakeCache.txt")
	echo "== shared benchmark suite ($shared/bench): every engine, the kernel, native C"
	if [ ! -x "$suite" ] || [ ! -d "$shared/bench" ]; then
		echo "skipped: the shared benchmark folder ${shared:-?}/bench is absent" \
			"(set XBPF_SHARED_DIR when configuring)"
		return 0
	fi
	"$suite" "$shared" "$build/bench/suite/bpf" "$samples"
}

section_custom_map() {
	local dir="$build/bench/custom_map"
	echo "== custom map: a program's lookup in the sample extension's map type against HASH (median of $samples samples)"
	"$dir/xbpf_bench_custom_map" "$build/extensions/sample.so" "$dir/lookups_hash.bpf.o" \
		"$dir/lookups_custom.bpf.o" "$samples"
}

SECTIONS=(section_interp_alu section_maps section_shared_suite section_named_call section_custom_map)

status=0
for section in "${SECTIONS[@]}"; do
	"$section" || status=1
	echo
done
exit "$status"
