/* SPDX-License-Identifier: MIT */
/*
 * Provider-implemented storage (see custom_map_none.h). The core adds the
 * checks every map gets (flags, sizes) and nothing else: no lock is taken
 * here, so a provider serialises its own entries as it needs.
 */
#include "maps/custom_map_none.h"

#include <errno.h>
#include <string.h>

#include "loader/btf_check.h"
#include "runtime/log.h"

int xbpf_none_map_check_btf(struct xbpf_runtime *rt, const struct xbpf_map_type_provider *t,
			    const struct xbpf_map_attr *attr)
{
	if (!t->btf)
		return 0;
	uint32_t key_size = 0, value_size = 0;
	const char *bad = "btf", *why = "";
	/* Checked at registration: this sizes the types again. */
	int err = xbpf_btf_check_key_value(t->btf, t->btf_size, t->btf_key_type_id,
					   t->btf_value_type_id, &key_size, &value_size, &bad, &why);
	const char *name = attr->name ? attr->name : "";
	if (!err && key_size != attr->key_size) {
		bad = "btf_key_type_id";
		err = -EINVAL;
	} else if (!err && value_size != attr->value_size) {
		bad = "btf_value_type_id";
		err = -EINVAL;
	}
	if (err)
		xbpf_log(rt, XBPF_LOG_ERROR,
			 "map '%s': map type '%s' describes %s with BTF of %u bytes, the map has "
			 "key_size %u and value_size %u", name, t->name,
			 strcmp(bad, "btf_key_type_id") == 0 ? "keys" : "values",
			 strcmp(bad, "btf_key_type_id") == 0 ? key_size : value_size, attr->key_size,
			 attr->value_size);
	return err;
}

int xbpf_none_map_lookup(const struct xbpf_map_type_provider *t, struct xbpf_map *map, void *state,
			 const void *key, void *value, uint32_t value_size)
{
	/* What the provider does not write reads as zero: a reader that
	 * knows a longer value than the provider gets zeros beyond it. */
	memset(value, 0, value_size);
	return t->lookup(t->ctx, map, state, key, value, value_size, XBPF_MAP_FROM_HOST);
}

int xbpf_none_map_update(const struct xbpf_map_type_provider *t, struct xbpf_map *map, void *state,
			 const void *key, const void *value, uint64_t flags)
{
	return t->update(t->ctx, map, state, key, value, map->value_size, flags, XBPF_MAP_FROM_HOST);
}

int xbpf_none_map_delete(const struct xbpf_map_type_provider *t, struct xbpf_map *map, void *state,
			 const void *key)
{
	return t->delete_elem(t->ctx, map, state, key, XBPF_MAP_FROM_HOST);
}

int xbpf_none_map_next_key(const struct xbpf_map_type_provider *t, struct xbpf_map *map, void *state,
			   const void *key, void *next_key)
{
	return t->next_key(t->ctx, map, state, key, next_key, XBPF_MAP_FROM_HOST);
}

long xbpf_none_map_prog_update(const struct xbpf_map_type_provider *t, struct xbpf_map *map,
			       void *state, const void *key, const void *value, uint64_t flags)
{
	if (flags > XBPF_EXIST)
		return -EINVAL;
	return t->update(t->ctx, map, state, key, value, map->value_size, flags,
			 XBPF_MAP_FROM_PROGRAM);
}

long xbpf_none_map_prog_delete(const struct xbpf_map_type_provider *t, struct xbpf_map *map,
			       void *state, const void *key)
{
	return t->delete_elem(t->ctx, map, state, key, XBPF_MAP_FROM_PROGRAM);
}
