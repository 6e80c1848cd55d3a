/* SPDX-License-Identifier: MIT */
/*
 * Publishing control maps (see control_map.h).
 *
 * Lifecycle: the pin holds the map, not the provider. When the provider
 * leaves, the map is orphaned like every custom map (it stays pinned and
 * its operations fail with -XBPF_EDETACHED); when a provider of the type
 * registers again it adopts the map, and publishing the same name again
 * finds it there and keeps it, so readers holding it see it come back. A
 * map under the path that cannot serve the new provider (another shape, or
 * orphaned for good because the type changed) is replaced: its readers keep
 * the old, orphaned map until they let it go. The map goes when it is
 * unpinned and unreferenced, or with the runtime.
 */
#include "maps/control_map.h"

#include <errno.h>
#include <stdio.h>

#include "maps/custom_map.h"
#include "maps/map.h"
#include "runtime/log.h"
#include "runtime/registrar.h"
#include "runtime/runtime.h"

/* An existing map at the path: keep it (0), replace it (1), or refuse
 * (-EEXIST, logged). */
static int judge_existing(struct xbpf_runtime *rt, struct xbpf_provider *p, struct xbpf_map *map,
			  const char *path, uint32_t key_size, uint32_t value_size,
			  uint32_t max_entries)
{
	const struct xbpf_map_type_provider *t = &p->u.map_type;
	bool ours = xbpf_custom_map_state(map, p) != NULL;
	bool orphan_of_type = xbpf_custom_map_orphaned(map) && (uint32_t)map->type == t->type;
	bool same_shape = map->key_size == key_size && map->value_size == value_size &&
			  map->max_entries == max_entries;
	if (ours && same_shape)
		return 0;
	if (orphan_of_type) {
		xbpf_log(rt, XBPF_LOG_INFO, "control map '%s': replacing the orphaned map (id %u) "
			 "pinned there, which map type '%s' cannot adopt%s", path, map->obj.id,
			 t->name, same_shape ? "" : " (other key, value or entry sizes)");
		return 1;
	}
	xbpf_log(rt, XBPF_LOG_ERROR, "control map '%s': the path holds %s (id %u), not a map "
		 "of type '%s' (%u) of that shape", path, ours ? "a map of another shape" : "another map",
		 map->obj.id, t->name, t->type);
	return -EEXIST;
}

int xbpf_control_map_publish(struct xbpf_provider *p, const char *name, uint32_t key_size,
			     uint32_t value_size, uint32_t max_entries)
{
	if (!p || p->kind != XBPF_PROVIDER_MAP_TYPE)
		return -EINVAL;
	struct xbpf_runtime *rt = p->rt;
	const struct xbpf_map_type_provider *t = &p->u.map_type;
	if (t->base != XBPF_MAP_BASE_NONE) {
		xbpf_log(rt, XBPF_LOG_ERROR, "%s: control map '%s': map type '%s' is not "
			 "XBPF_MAP_BASE_NONE", xbpf_provider_owner(p), name ? name : "", t->name);
		return -EINVAL;
	}
	if (!name || !xbpf_obj_name_valid(name) || !*name) {
		xbpf_log(rt, XBPF_LOG_ERROR, "%s: control map name '%s': want letters, digits, '_' "
			 "or '.', under %d bytes", xbpf_provider_owner(p), name ? name : "",
			 XBPF_OBJ_NAME_LEN);
		return -EINVAL;
	}
	char path[XBPF_PIN_PATH_LEN];
	snprintf(path, sizeof(path), "ext/%s/%s", p->ext ? xbpf_extension_name(p->ext) : "core",
		 name);

	/* The object layer's lookup: xbpf_map_get_pinned would publish the
	 * core's own control maps, which come through here. */
	struct xbpf_obj *obj;
	int err = xbpf_obj_get_pinned(rt, path, XBPF_OBJ_MAP, &obj);
	if (!err) {
		struct xbpf_map *old = xbpf_map_from_obj(obj);
		int verdict = judge_existing(rt, p, old, path, key_size, value_size, max_entries);
		if (verdict == 1)
			err = xbpf_unpin(rt, path);
		xbpf_map_put(old);
		if (verdict <= 0)
			return verdict; /* kept (0) or refused */
		if (err)
			return err;
	} else if (err != -ENOENT) {
		return err;
	}

	struct xbpf_map *map;
	err = xbpf_map_create(rt, (enum xbpf_map_type)t->type, name, key_size, value_size,
			      max_entries, NULL, &map);
	if (err)
		return err;
	err = xbpf_obj_pin(&map->obj, path); /* the reserved "ext/" */
	xbpf_map_put(map); /* the pin holds it */
	if (!err)
		xbpf_log(rt, XBPF_LOG_DEBUG, "%s: published control map '%s'", xbpf_provider_owner(p),
			 path);
	return err;
}
