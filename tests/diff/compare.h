/* SPDX-License-Identifier: MIT */
/*
 * Comparison of two results of the same program over the same frames (the
 * kernel's and xbpf's): per frame the test run's error, return value and
 * output bytes; after the last frame every map's type, sizes, keys and
 * values. LRU maps may evict differently, so for them: both stay within
 * max_entries, keys present on both sides have equal values, and the
 * recently used keys are present on both sides (see compare.c).
 */
#ifndef XBPF_TESTS_DIFF_COMPARE_H
#define XBPF_TESTS_DIFF_COMPARE_H

#include <stdio.h>

#include "packets.h"
#include "result.h"

struct diff_side {
	const char *name; /* "kernel", "xbpf" */
	const struct diff_result *result;
};

/* Prints each difference to out (program, frame index and kind, both
 * results and a hex diff); returns how many there were. */
size_t diff_compare(const char *program, struct diff_side want, struct diff_side got,
		    const struct diff_packet *pkts, FILE *out);

#endif /* XBPF_TESTS_DIFF_COMPARE_H */
