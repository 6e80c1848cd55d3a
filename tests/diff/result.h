/* SPDX-License-Identifier: MIT */
/*
 * What running one program over the frame sequence gives, in a form that
 * does not depend on who ran it (the kernel, xbpf's library or its CLI):
 * one run per frame, then the contents of every map of the object.
 *
 * Conventions, so that both sides are comparable byte for byte:
 * - Maps are named as in the object; global data maps by their section
 *   (".data", ".rodata", ".bss", ".data.stats"), whatever prefix the loader
 *   gave them.
 * - Per-CPU values hold every possible CPU's slot, each value_size rounded
 *   up to 8 bytes, as Linux's host lookups give them.
 * - QUEUE and STACK maps have no keys; their entries are in pop order.
 * - PROG_ARRAY values are the names of the programs (ids differ between
 *   runtimes), NUL-padded to DIFF_PROG_NAME_LEN bytes.
 */
#ifndef XBPF_TESTS_DIFF_RESULT_H
#define XBPF_TESTS_DIFF_RESULT_H

#include <stddef.h>
#include <stdint.h>

#define DIFF_MAP_NAME_LEN 64
#define DIFF_PROG_NAME_LEN 32

struct diff_run {
	int err;         /* 0, or the negative errno of the test run */
	uint32_t retval;
	uint32_t size;   /* bytes in data: the frame after the program */
	uint8_t *data;
	char *message;   /* why the run failed, when the runtime says; or NULL */
};

struct diff_entry {
	uint8_t *key; /* NULL in maps without keys */
	uint8_t *value;
};

struct diff_map {
	char name[DIFF_MAP_NAME_LEN];
	uint32_t type;
	uint32_t key_size;
	uint32_t value_size; /* as host lookups see it (all CPUs' slots) */
	uint32_t max_entries;
	size_t n_entries;
	struct diff_entry *entries;
};

struct diff_result {
	size_t n_runs;
	struct diff_run *runs;
	size_t n_maps;
	struct diff_map *maps;
};

/* Appends a run; data (size bytes) and message (may be NULL) are copied.
 * 0 or -ENOMEM. */
int diff_result_add_run(struct diff_result *r, int err, uint32_t retval, const void *data,
			uint32_t size, const char *message);

/* Appends an empty map with the name made canonical (see above); NULL when
 * out of memory. The pointer is valid until the next diff_result_add_map. */
struct diff_map *diff_result_add_map(struct diff_result *r, const char *name, uint32_t type,
				     uint32_t key_size, uint32_t value_size,
				     uint32_t max_entries);

/* Appends an entry (key may be NULL for maps without keys); copies both. */
int diff_map_add_entry(struct diff_map *m, const void *key, const void *value);

/* Sorts maps by name and entries by key bytes (except those of QUEUE and
 * STACK maps, whose order is their content). */
void diff_result_sort(struct diff_result *r);

const struct diff_map *diff_result_find_map(const struct diff_result *r, const char *name);

void diff_result_free(struct diff_result *r);

/* "XDP_PASS" for the XDP actions, NULL for other values. */
const char *diff_action_name(uint32_t retval);

#endif /* XBPF_TESTS_DIFF_RESULT_H */
