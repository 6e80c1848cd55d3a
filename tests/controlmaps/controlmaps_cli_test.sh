#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Control maps through `xbpf map dump`: ext/xdp/interfaces is there as soon
# as the xdp extension is loaded, and ext/core/programs counts the runs of
# --run.
#
# Usage: controlmaps_cli_test.sh XBPF BPF_OBJECT_DIR
set -uo pipefail

xbpf=$1
obj=$2/dump_maps.bpf.o
source "$(dirname "$0")/../cli/expect.sh"

expect "xdp interfaces, no traffic yet" 0 \
	"map interfaces (xdp_if_counters), id *, pinned at ext/xdp/interfaces, key __u32, value struct xdp_if_counters" \
	"" "$xbpf" map dump ext/xdp/interfaces

expect "core programs after two runs" 0 \
	'map programs (core_programs), id *, pinned at ext/core/programs, key __u32, value struct xbpf_prog_run_stats
  {"key": *, "value": {"run_cnt": 2, "run_time_ns": 0}}' \
	"" "$xbpf" map dump ext/core/programs --obj "$obj" --run fill --run fill

finish_checks
