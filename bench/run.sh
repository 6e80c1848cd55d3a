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

section_maps() {
	echo "== maps: host-side ns per lookup and update, beside liburcu's cds_lfht"
	"$(dirname "$0")/maps/run.sh" "$build"
}

SECTIONS=(section_interp_alu section_maps)

status=0
for section in "${SECTIONS[@]}"; do
	"$section" || status=1
	echo
done
exit "$status"
