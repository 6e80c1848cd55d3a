/* SPDX-License-Identifier: MIT */
/*
 * The BTF of a map: raw .BTF bytes and the ids of its key and value types,
 * as Linux keeps btf, btf_key_type_id and btf_value_type_id with a map. Only
 * tools that print maps read it (xbpf map dump); nothing in the core
 * depends on it.
 *
 * The bytes are a refcounted blob, so that the maps of one object share one
 * copy that outlives the object (a pinned map stays printable after the
 * object that created it is closed). A map's BTF is set at most once, before
 * or after the map is published: readers see either none or all of it.
 */
#ifndef XBPF_MAPS_MAP_BTF_H
#define XBPF_MAPS_MAP_BTF_H

#include <stddef.h>
#include <stdint.h>

struct btf; /* libbpf */
struct xbpf_map;
struct xbpf_runtime;

/* Raw BTF bytes parsed once (libbpf), shared by reference. */
struct xbpf_btf_blob;

/* Copies and parses size bytes of raw BTF. -EINVAL (logged on rt when not
 * NULL) when libbpf cannot parse them, -ENOMEM. One reference. */
int xbpf_btf_blob_new(struct xbpf_runtime *rt, const void *data, size_t size,
		      struct xbpf_btf_blob **out);
void xbpf_btf_blob_get(struct xbpf_btf_blob *blob);
void xbpf_btf_blob_put(struct xbpf_btf_blob *blob);
const struct btf *xbpf_btf_blob_btf(const struct xbpf_btf_blob *blob);

/*
 * Gives map the BTF btf/size (copied) with these key and value type ids
 * (0: no type, as for the key of a data map). Checks, logging why on the
 * map's runtime: the bytes parse (-EINVAL); each non-zero id exists and has
 * a size equal to the map's key_size / value_size (value size per CPU for
 * per-CPU maps), as Linux's map_check_btf does (-EINVAL). -EEXIST when the
 * map has BTF already (it keeps it).
 */
int xbpf_map_set_btf(struct xbpf_map *map, const void *btf, size_t size, uint32_t key_type_id,
		     uint32_t value_type_id);
/* The same with a shared blob (the map takes its own reference). */
int xbpf_map_set_btf_blob(struct xbpf_map *map, struct xbpf_btf_blob *blob, uint32_t key_type_id,
			  uint32_t value_type_id);

/* The map's BTF, or NULL (ids then untouched). Valid while the map lives. */
const struct xbpf_btf_blob *xbpf_map_btf_of(const struct xbpf_map *map, uint32_t *key_type_id,
					    uint32_t *value_type_id);

/* Called when the map is freed. */
void xbpf_map_btf_release(struct xbpf_map *map);

#endif /* XBPF_MAPS_MAP_BTF_H */
