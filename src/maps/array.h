/* SPDX-License-Identifier: MIT */
/* Checks and iteration shared by the array map types (array.c, fd_array.c). */
#ifndef XBPF_MAPS_ARRAY_H
#define XBPF_MAPS_ARRAY_H

#include "maps/map.h"

/* Linux's array_map_alloc_check: 4-byte keys, non-zero values and
 * entries, the flags arrays accept. */
int xbpf_array_check_attr(struct xbpf_runtime *rt, const struct xbpf_map_attr *attr);
/* Next index after *key (NULL or out of range: 0); -ENOENT at the end. */
int xbpf_array_get_next_key(struct xbpf_map *map, const void *key, void *next_key);

#endif /* XBPF_MAPS_ARRAY_H */
