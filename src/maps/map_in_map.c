/* SPDX-License-Identifier: MIT */
/* Checks shared by the map-in-map types. */
#include "maps/map_in_map.h"

#include <errno.h>
#include <string.h>

#include "maps/types.h"
#include "runtime/log.h"

int xbpf_map_in_map_check(struct xbpf_runtime *rt, const struct xbpf_map_attr *attr)
{
	const char *name = attr->name ? attr->name : "";

	if (attr->value_size != sizeof(uint32_t)) {
		xbpf_log(rt, XBPF_LOG_ERROR,
			 "map-in-map '%s': value_size %u, want 4 (values are inner map ids)", name,
			 attr->value_size);
		return -EINVAL;
	}
	if (!attr->inner_map) {
		xbpf_log(rt, XBPF_LOG_ERROR, "map-in-map '%s': needs an inner map template", name);
		return -EINVAL;
	}
	if (attr->inner_map->inner_meta) {
		xbpf_log(rt, XBPF_LOG_ERROR,
			 "map-in-map '%s': the inner map template is a map-in-map itself "
			 "(one level only)",
			 name);
		return -EINVAL;
	}
	return 0;
}

int xbpf_map_in_map_resolve(struct xbpf_map *outer, const void *value, struct xbpf_map **inner)
{
	uint32_t id;
	struct xbpf_obj *obj;

	memcpy(&id, value, sizeof(id));
	if (xbpf_obj_get_by_id(outer->obj.rt, id, XBPF_OBJ_MAP, false, &obj) != 0) {
		xbpf_map_log(outer, XBPF_LOG_ERROR, "map-in-map '%s': no map with id %u",
			     outer->obj.name, id);
		return -EBADF;
	}
	struct xbpf_map *map = xbpf_map_from_obj(obj);
	const struct xbpf_map *meta = outer->inner_meta;
	if (!xbpf_map_meta_equal(meta, map)) {
		xbpf_map_log(outer, XBPF_LOG_ERROR,
			     "map-in-map '%s': map %u (%s, key %u, value %u, max_entries %u, "
			     "flags 0x%x) does not match the template (%s, key %u, value %u, "
			     "max_entries %u, flags 0x%x)",
			     outer->obj.name, id, xbpf_map_type_name(map->type), map->key_size,
			     map->value_size, map->max_entries, map->map_flags,
			     xbpf_map_type_name(meta->type), meta->key_size, meta->value_size,
			     meta->max_entries, meta->map_flags);
		xbpf_map_unref(map);
		return -EINVAL;
	}
	*inner = map;
	return 0;
}
