/* SPDX-License-Identifier: MIT */
/*
 * The xbpf side of the differential test: runs a program through xbpf's
 * host API (include/xbpf/xbpf.h) exactly as kernel_runner.h does through
 * libbpf, and collects the same results (result.h).
 */
#ifndef XBPF_TESTS_DIFF_XBPF_RUNNER_H
#define XBPF_TESTS_DIFF_XBPF_RUNNER_H

#include <stddef.h>

#include "packets.h"
#include "programs.h"
#include "result.h"

/* Creates a runtime with the xdp extension, opens and loads object_path,
 * writes prog->init into its maps, runs the entry program over every frame
 * and dumps every map into *out. Returns 0 or a negative errno with the
 * reason (xbpf's log included) in why. */
int diff_xbpf_run(const char *object_path, const struct diff_program *prog,
		  const struct diff_packet *pkts, size_t n_pkts, struct diff_result *out, char *why,
		  size_t why_size);

#endif /* XBPF_TESTS_DIFF_XBPF_RUNNER_H */
