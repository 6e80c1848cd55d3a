/* SPDX-License-Identifier: MIT */
/* Helpers shared by the map unit tests. */
#ifndef XBPF_TESTS_MAP_TEST_H
#define XBPF_TESTS_MAP_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "xbpf/xbpf.h"

static inline struct xbpf_runtime *quiet_runtime(void)
{
	struct xbpf_runtime *rt;
	assert_int_equal(xbpf_runtime_create(&rt), 0);
	xbpf_runtime_set_log(rt, NULL, NULL, XBPF_LOG_ERROR);
	return rt;
}

static inline struct xbpf_map *make_map(struct xbpf_runtime *rt, enum xbpf_map_type type,
					uint32_t key_size, uint32_t value_size,
					uint32_t max_entries, uint32_t flags)
{
	struct xbpf_map_create_opts opts = { .sz = sizeof(opts), .map_flags = flags };
	struct xbpf_map *map = NULL;
	assert_int_equal(xbpf_map_create(rt, type, "m", key_size, value_size, max_entries, &opts,
					 &map),
			 0);
	return map;
}

static inline int try_create(struct xbpf_runtime *rt, enum xbpf_map_type type, uint32_t key_size,
			     uint32_t value_size, uint32_t max_entries, uint32_t flags)
{
	struct xbpf_map_create_opts opts = { .sz = sizeof(opts), .map_flags = flags };
	struct xbpf_map *map = NULL;
	int err = xbpf_map_create(rt, type, "m", key_size, value_size, max_entries, &opts, &map);
	if (!err)
		xbpf_map_put(map);
	return err;
}

#endif /* XBPF_TESTS_MAP_TEST_H */
