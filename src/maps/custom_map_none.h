/* SPDX-License-Identifier: MIT */
/*
 * Custom maps of base XBPF_MAP_BASE_NONE: the provider keeps the entries
 * and implements lookup, update, delete and next-key itself; the core
 * checks arguments, zero-fills what a lookup leaves and passes the
 * provider's answers on unchanged. custom_map.c dispatches here; the
 * caller holds the provider (busy on the host path, an epoch on the
 * program path) and no core lock.
 */
#ifndef XBPF_MAPS_CUSTOM_MAP_NONE_H
#define XBPF_MAPS_CUSTOM_MAP_NONE_H

#include "maps/map.h"

struct xbpf_map_type_provider;

/* At creation: the provider's BTF (if any) must describe keys of the map's
 * key size and values of its value size. 0 or -EINVAL (logged). */
int xbpf_none_map_check_btf(struct xbpf_runtime *rt, const struct xbpf_map_type_provider *t,
			    const struct xbpf_map_attr *attr);

/* Host operations (XBPF_MAP_FROM_HOST), after custom_map.c checked the
 * update flags. lookup zeroes value_size bytes and lets the provider fill
 * what it knows of them. */
int xbpf_none_map_lookup(const struct xbpf_map_type_provider *t, struct xbpf_map *map, void *state,
			 const void *key, void *value, uint32_t value_size);
int xbpf_none_map_update(const struct xbpf_map_type_provider *t, struct xbpf_map *map, void *state,
			 const void *key, const void *value, uint64_t flags);
int xbpf_none_map_delete(const struct xbpf_map_type_provider *t, struct xbpf_map *map, void *state,
			 const void *key);
int xbpf_none_map_next_key(const struct xbpf_map_type_provider *t, struct xbpf_map *map, void *state,
			   const void *key, void *next_key);

/* Program path (XBPF_MAP_FROM_PROGRAM), once custom_map.c found the
 * XBPF_MAP_PROG_UPDATE / _DELETE property that allows it. */
long xbpf_none_map_prog_update(const struct xbpf_map_type_provider *t, struct xbpf_map *map,
			       void *state, const void *key, const void *value, uint64_t flags);
long xbpf_none_map_prog_delete(const struct xbpf_map_type_provider *t, struct xbpf_map *map,
			       void *state, const void *key);

#endif /* XBPF_MAPS_CUSTOM_MAP_NONE_H */
