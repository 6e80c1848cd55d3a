#!/usr/bin/env bash
# Map benchmark section: `bench/maps/run.sh BUILD_DIR [OPS]`. Prints ns per
# lookup and update for each map type beside liburcu's cds_lfht.
set -euo pipefail
build=${1:-build}
"$build/bench/maps/map_bench" "${2:-1000000}"
