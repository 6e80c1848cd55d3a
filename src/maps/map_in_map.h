/* SPDX-License-Identifier: MIT */
/*
 * Map-in-map (ARRAY_OF_MAPS, HASH_OF_MAPS): the host names inner maps by
 * id; the outer map holds a reference to each inner map it contains and to
 * the template they must match.
 */
#ifndef XBPF_MAPS_MAP_IN_MAP_H
#define XBPF_MAPS_MAP_IN_MAP_H

#include "maps/map.h"

/* Creation checks common to both outer types: 4-byte values (map ids) and
 * a template that is not itself a map-in-map. */
int xbpf_map_in_map_check(struct xbpf_runtime *rt, const struct xbpf_map_attr *attr);
/* The inner map named by the 4-byte id in value, with a reference, if it
 * matches outer's template: -EBADF (no such map) or -EINVAL (mismatch). */
int xbpf_map_in_map_resolve(struct xbpf_map *outer, const void *value, struct xbpf_map **inner);

#endif /* XBPF_MAPS_MAP_IN_MAP_H */
