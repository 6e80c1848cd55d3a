/* SPDX-License-Identifier: MIT */
/* The clocks and the sort order every benchmark program times and takes
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

/* CPU time of the calling thread: unlike the clock above, it leaves out
 * the time the thread waited for a CPU, which on a shared machine can
 * dwarf what is measured. (The kernel's test-run timer does the same.) */
static inline double bench_thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* For qsort of doubles, ascending. */
static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

#endif /* XBPF_BENCH_TIME_H */
