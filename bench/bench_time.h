/* SPDX-License-Identifier: MIT */
/* The clock and the sort order every benchmark program times and takes
 * medians with. */
#ifndef XBPF_BENCH_TIME_H
#define XBPF_BENCH_TIME_H

#include <time.h>

static inline double bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* For qsort of doubles, ascending. */
static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

#endif /* XBPF_BENCH_TIME_H */
