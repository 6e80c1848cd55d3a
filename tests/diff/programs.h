/* SPDX-License-Identifier: MIT */
/*
 * The programs of the differential test (progs/NAME.bpf.c): which object and
 * entry program, what the host writes into their maps before the first
 * frame, and which verdicts the frame sequence must draw from them (so that
 * a change to the frames cannot quietly leave a program's branches
 * untested).
 */
#ifndef XBPF_TESTS_DIFF_PROGRAMS_H
#define XBPF_TESTS_DIFF_PROGRAMS_H

#include <stddef.h>
#include <stdint.h>

/* One element the host writes before the run. */
struct diff_map_init {
	const char *map;
	const void *key;
	uint32_t key_size;
	const void *value;
	uint32_t value_size;
};

struct diff_program {
	const char *object;   /* file name of the object, without ".bpf.o" */
	const char *name;     /* entry program */
	const char *covers;   /* what it exercises, for the summary */
	const struct diff_map_init *init;
	size_t n_init;
	uint32_t verdicts;    /* bit n: retval n must come up at least once */
};

extern const struct diff_program diff_programs[];
extern const size_t diff_n_programs;

#endif /* XBPF_TESTS_DIFF_PROGRAMS_H */
