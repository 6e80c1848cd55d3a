/* SPDX-License-Identifier: MIT */
/*
 * Maps of types that extensions provide (struct xbpf_map_type_provider).
 * The core owns the map: with base hash or array, entries live in a
 * built-in hash or array map (the storage) with the value size the provider
 * chose; with base none the provider keeps them (custom_map_none.h). The
 * provider's per-map state is core memory. The provider's callbacks run
 * around host operations, never under a core lock.
 *
 * When the provider unregisters, its maps are orphaned: entries and state
 * are kept, and every operation fails with -XBPF_EDETACHED (programs'
 * lookups return NULL) until a provider of the same type, base, properties
 * and state size registers and adopts them.
 */
#ifndef XBPF_MAPS_CUSTOM_MAP_H
#define XBPF_MAPS_CUSTOM_MAP_H

#include "maps/map.h"

struct xbpf_provider;

/* A map of a type no built-in ops serve: -EOPNOTSUPP when no provider has
 * registered the type, else the provider's create error unchanged. */
int xbpf_custom_map_alloc(struct xbpf_runtime *rt, const struct xbpf_map_attr *attr,
			  struct xbpf_map **out);

/* May a program of program_type use map? 0 for built-in maps and for
 * orphaned ones (there is no provider to ask); else the provider's
 * associate answer (a positive refusal becomes -EPERM). */
int xbpf_custom_map_associate(struct xbpf_map *map, const char *program_type);

/* Core services (include/xbpf/extension.h). */
void *xbpf_custom_map_state(struct xbpf_map *map, const struct xbpf_provider *provider);
const void *xbpf_custom_map_raw_lookup(struct xbpf_map *map, const struct xbpf_provider *provider,
				       const void *key);
uint32_t xbpf_custom_map_type(const struct xbpf_map *map);

/* Is map a custom map whose provider has left? */
bool xbpf_custom_map_orphaned(const struct xbpf_map *map);

#endif /* XBPF_MAPS_CUSTOM_MAP_H */
