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
 * and state size registers, accepts the program type of every program
 * using the map, and adopts it. A map freed while orphaned is kept (buried) until
 * such a provider releases its entries, or the runtime ends.
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
 * orphaned ones (there is no provider to ask: the type is recorded, and a
 * provider adopting the map is asked then); else the provider's associate
 * answer (a positive refusal becomes -EPERM). */
int xbpf_custom_map_associate(struct xbpf_map *map, const char *program_type);
/* A program of program_type that xbpf_custom_map_associate accepted no
 * longer uses map (it is freed, or its load failed later). */
void xbpf_custom_map_disassociate(struct xbpf_map *map, const char *program_type);

/* The runtime ends: frees the maps still buried (freed while orphaned,
 * never cleaned up by a provider of their type), without callbacks. */
void xbpf_custom_maps_free_buried(struct xbpf_runtime *rt);

/* Core services (include/xbpf/extension.h). */
void *xbpf_custom_map_state(struct xbpf_map *map, const struct xbpf_provider *provider);
const void *xbpf_custom_map_raw_lookup(struct xbpf_map *map, const struct xbpf_provider *provider,
				       const void *key);
uint32_t xbpf_custom_map_type(const struct xbpf_map *map);

/* Is map a custom map whose provider has left? */
bool xbpf_custom_map_orphaned(const struct xbpf_map *map);

#endif /* XBPF_MAPS_CUSTOM_MAP_H */
