/* SPDX-License-Identifier: MIT */
/* Size-negotiated host lookups: the generic part of
 * xbpf_map_lookup_elem_sized (map_host.c). */
#ifndef XBPF_MAPS_MAP_SIZED_H
#define XBPF_MAPS_MAP_SIZED_H

#include "maps/map.h"

/* A whole host lookup into a temporary value, then its first value_size
 * bytes to value, zeros beyond the map's value. */
int xbpf_map_lookup_copy(struct xbpf_map *map, const void *key, void *value, size_t value_size);

#endif /* XBPF_MAPS_MAP_SIZED_H */
