/* SPDX-License-Identifier: MIT */
/*
 * Reading a map's whole contents into a struct diff_map, the same way for
 * every runtime: each runner supplies the element operations of its own API
 * (libbpf's, xbpf's), with Linux's semantics and negative errnos.
 */
#ifndef XBPF_TESTS_DIFF_DUMP_H
#define XBPF_TESTS_DIFF_DUMP_H

#include <stdint.h>

#include "result.h"

struct diff_map_reader {
	void *map;
	/* key NULL: the first key. -ENOENT after the last. */
	int (*next_key)(void *map, const void *key, void *next);
	int (*lookup)(void *map, const void *key, void *value);
	/* QUEUE and STACK: take the next element out. -ENOENT when empty. */
	int (*pop)(void *map, void *value);
	/* PROG_ARRAY values are program ids: the name of the program. */
	int (*program_name)(void *map, uint32_t id, char name[DIFF_PROG_NAME_LEN]);
};

/* Reads every element of the map r reads into m (whose type and sizes are
 * set: value_size is what a host lookup fills). Keyed maps are walked with
 * next_key and lookup; QUEUE and STACK maps are emptied with pop. */
int diff_map_dump(struct diff_map *m, const struct diff_map_reader *r);

#endif /* XBPF_TESTS_DIFF_DUMP_H */
