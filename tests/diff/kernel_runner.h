/* SPDX-License-Identifier: MIT */
/*
 * The oracle side of the differential test: runs a program in the Linux
 * kernel through libbpf and BPF_PROG_TEST_RUN (what `bpftool prog run`
 * does) and collects its results (result.h).
 */
#ifndef XBPF_TESTS_DIFF_KERNEL_RUNNER_H
#define XBPF_TESTS_DIFF_KERNEL_RUNNER_H

#include <stddef.h>

#include "packets.h"
#include "programs.h"
#include "result.h"

/* Returned when the kernel refuses something (why says what). */
#define DIFF_REFUSED 1

/* 0 when this process may load and test-run XDP programs, else
 * DIFF_REFUSED with the reason in why. */
int diff_kernel_usable(char *why, size_t why_size);

/* Opens and loads object_path, writes prog->init into its maps, runs the
 * entry program over every frame (maps keep their contents between frames)
 * and dumps every map into *out. Returns 0, DIFF_REFUSED when the kernel
 * would not load the object (the verifier's last words in why), or a
 * negative errno with the reason in why. */
int diff_kernel_run(const char *object_path, const struct diff_program *prog,
		    const struct diff_packet *pkts, size_t n_pkts, struct diff_result *out,
		    char *why, size_t why_size);

/* Per-CPU map slots are compared byte for byte, so every run of both sides
 * (and of child processes, which inherit the mask) must happen on one CPU:
 * pins this process to the first CPU it may use. 0 or a negative errno. */
int diff_pin_to_one_cpu(void);

#endif /* XBPF_TESTS_DIFF_KERNEL_RUNNER_H */
