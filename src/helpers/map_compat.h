/* SPDX-License-Identifier: MIT */
/*
 * Which helpers may work on which map types: Linux's verifier refuses, at
 * load, a program that passes (say) a ring buffer to bpf_map_lookup_elem
 * or a hash map to bpf_ringbuf_output (check_map_func_compatibility).
 * Until our verifier does the same, map helpers check as they run and
 * stop the run the way the gate does.
 */
#ifndef XBPF_HELPERS_MAP_COMPAT_H
#define XBPF_HELPERS_MAP_COMPAT_H

#include <stdbool.h>

#include "maps/map.h"

/* May the helper `proto` use `map`? If not, records a fault (-EINVAL,
 * naming the helper and the map's type) and returns false. */
bool xbpf_helper_map_allowed(struct xbpf_exec *exec, const struct xbpf_helper *proto,
			     const struct xbpf_map *map);

#endif /* XBPF_HELPERS_MAP_COMPAT_H */
