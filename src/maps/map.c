/* SPDX-License-Identifier: MIT */
/* Map objects: creation, references, info, ids, pins and the program path. */
#include "maps/map.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "maps/custom_map.h"
#include "maps/map_btf.h"
#include "maps/types.h"
#include "program/prog_stats_map.h"
#include "runtime/log.h"

static const struct {
	enum xbpf_map_type type;
	const char *name;
	const struct xbpf_map_ops *ops;
} builtin_types[] = {
	{ XBPF_MAP_TYPE_HASH, "hash", &xbpf_htab_ops },
	{ XBPF_MAP_TYPE_ARRAY, "array", &xbpf_array_ops },
	{ XBPF_MAP_TYPE_PROG_ARRAY, "prog_array", &xbpf_prog_array_ops },
	{ XBPF_MAP_TYPE_PERCPU_HASH, "percpu_hash", &xbpf_percpu_htab_ops },
	{ XBPF_MAP_TYPE_PERCPU_ARRAY, "percpu_array", &xbpf_percpu_array_ops },
	{ XBPF_MAP_TYPE_LRU_HASH, "lru_hash", &xbpf_lru_htab_ops },
	{ XBPF_MAP_TYPE_LRU_PERCPU_HASH, "lru_percpu_hash", &xbpf_lru_percpu_htab_ops },
	{ XBPF_MAP_TYPE_LPM_TRIE, "lpm_trie", &xbpf_lpm_trie_ops },
	{ XBPF_MAP_TYPE_ARRAY_OF_MAPS, "array_of_maps", &xbpf_array_of_maps_ops },
	{ XBPF_MAP_TYPE_HASH_OF_MAPS, "hash_of_maps", &xbpf_htab_of_maps_ops },
	{ XBPF_MAP_TYPE_QUEUE, "queue", &xbpf_queue_ops },
	{ XBPF_MAP_TYPE_STACK, "stack", &xbpf_stack_ops },
	{ XBPF_MAP_TYPE_RINGBUF, "ringbuf", &xbpf_ringbuf_ops },
	{ XBPF_MAP_TYPE_BLOOM_FILTER, "bloom_filter", &xbpf_bloom_ops },
};

const struct xbpf_map_ops *xbpf_map_type_ops(enum xbpf_map_type type)
{
	for (size_t i = 0; i < sizeof(builtin_types) / sizeof(builtin_types[0]); i++)
		if (builtin_types[i].type == type)
			return builtin_types[i].ops;
	return NULL;
}

const char *xbpf_map_type_name(enum xbpf_map_type type)
{
	for (size_t i = 0; i < sizeof(builtin_types) / sizeof(builtin_types[0]); i++)
		if (builtin_types[i].type == type)
			return builtin_types[i].name;
	return "unknown";
}

void xbpf_map_init(struct xbpf_map *map, const struct xbpf_map_attr *attr,
		   const struct xbpf_map_ops *ops)
{
	map->ops = ops;
	map->type = attr->type;
	map->key_size = attr->key_size;
	map->value_size = attr->value_size;
	map->max_entries = attr->max_entries;
	map->map_flags = attr->map_flags;
	map->map_extra = attr->map_extra;
	map->value_perm = XBPF_MEM_RW;
	if (attr->map_flags & XBPF_F_RDONLY_PROG)
		map->value_perm &= ~(uint32_t)XBPF_MEM_WRITE;
	if (attr->map_flags & XBPF_F_WRONLY_PROG)
		map->value_perm &= ~(uint32_t)XBPF_MEM_READ;
	map->percpu = false;
	map->inner_meta = NULL;
	atomic_init(&map->frozen, false);
	atomic_init(&map->btf, NULL);
}

static void map_object_free(struct xbpf_obj *obj)
{
	struct xbpf_map *map = xbpf_map_from_obj(obj);
	struct xbpf_map *inner_meta = map->inner_meta;

	xbpf_map_btf_release(map);
	map->ops->free(map);
	xbpf_map_unref(inner_meta);
}

static void map_object_release_uref(struct xbpf_obj *obj)
{
	struct xbpf_map *map = xbpf_map_from_obj(obj);

	if (map->ops->release_uref)
		map->ops->release_uref(map);
}

static const struct xbpf_obj_ops map_object_ops = {
	.free = map_object_free,
	.release_uref = map_object_release_uref,
};

/* Checks every type shares, as Linux's map_create does before the type's
 * own checks. */
static int check_common(struct xbpf_runtime *rt, const struct xbpf_map_attr *attr)
{
	const char *tname = xbpf_map_type_name(attr->type);

	if (!xbpf_obj_name_valid(attr->name)) {
		xbpf_log(rt, XBPF_LOG_ERROR,
			 "map name '%.*s': want letters, digits, '_' or '.', under %d bytes",
			 XBPF_OBJ_NAME_LEN, attr->name, XBPF_OBJ_NAME_LEN);
		return -EINVAL;
	}
	if ((attr->map_flags & XBPF_F_RDONLY) && (attr->map_flags & XBPF_F_WRONLY)) {
		xbpf_log(rt, XBPF_LOG_ERROR, "map '%s': BPF_F_RDONLY and BPF_F_WRONLY together",
			 attr->name ? attr->name : "");
		return -EINVAL;
	}
	if ((attr->map_flags & XBPF_F_RDONLY_PROG) && (attr->map_flags & XBPF_F_WRONLY_PROG)) {
		xbpf_log(rt, XBPF_LOG_ERROR,
			 "map '%s': BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG together",
			 attr->name ? attr->name : "");
		return -EINVAL;
	}
	if (attr->map_extra && attr->type != XBPF_MAP_TYPE_BLOOM_FILTER) {
		xbpf_log(rt, XBPF_LOG_ERROR, "map '%s': map_extra is for bloom filters, not %s maps",
			 attr->name ? attr->name : "", tname);
		return -EINVAL;
	}
	if (attr->inner_map && attr->type != XBPF_MAP_TYPE_ARRAY_OF_MAPS &&
	    attr->type != XBPF_MAP_TYPE_HASH_OF_MAPS) {
		xbpf_log(rt, XBPF_LOG_ERROR, "map '%s': inner_map is for map-in-map types, not %s",
			 attr->name ? attr->name : "", tname);
		return -EINVAL;
	}
	return 0;
}

int xbpf_map_create(struct xbpf_runtime *rt, enum xbpf_map_type type, const char *name,
		    uint32_t key_size, uint32_t value_size, uint32_t max_entries,
		    const struct xbpf_map_create_opts *opts, struct xbpf_map **out)
{
	if (!rt || !out)
		return -EINVAL;

	/* Take the part of opts both sides know; an opts struct from a newer
	 * header is fine as long as what we do not know is zero. */
	struct xbpf_map_create_opts o = { 0 };
	if (opts) {
		size_t sz = opts->sz < sizeof(o) ? opts->sz : sizeof(o);
		if (sz < sizeof(o.sz)) {
			xbpf_log(rt, XBPF_LOG_ERROR, "map create opts: sz %zu is too small", opts->sz);
			return -EINVAL;
		}
		for (size_t i = sizeof(o); i < opts->sz; i++) {
			if (((const unsigned char *)opts)[i]) {
				xbpf_log(rt, XBPF_LOG_ERROR,
					 "map create opts: fields beyond byte %zu are unknown to this xbpf",
					 sizeof(o));
				return -EINVAL;
			}
		}
		memcpy(&o, opts, sz);
	}

	struct xbpf_map_attr attr = {
		.type = type,
		.name = name,
		.key_size = key_size,
		.value_size = value_size,
		.max_entries = max_entries,
		.map_flags = o.map_flags,
		.numa_node = o.numa_node,
		.map_extra = o.map_extra,
		.inner_map = o.inner_map,
	};
	int err = check_common(rt, &attr);
	if (err)
		return err;

	/* Types no built-in ops serve may come from an extension. */
	const struct xbpf_map_ops *ops = xbpf_map_type_ops(type);
	struct xbpf_map *map;
	err = ops ? ops->alloc(rt, &attr, &map) : xbpf_custom_map_alloc(rt, &attr, &map);
	if (err)
		return err;
	xbpf_obj_init(&map->obj, rt, XBPF_OBJ_MAP, &map_object_ops, name);
	err = xbpf_obj_publish(&map->obj);
	if (err) {
		xbpf_map_put(map);
		return err;
	}
	*out = map;
	return 0;
}

void xbpf_map_get(struct xbpf_map *map)
{
	xbpf_obj_get_user(&map->obj);
}

void xbpf_map_put(struct xbpf_map *map)
{
	if (map)
		xbpf_obj_put_user(&map->obj);
}

uint32_t xbpf_map_id(const struct xbpf_map *map)
{
	return map->obj.id;
}

const char *xbpf_map_name(const struct xbpf_map *map)
{
	return map->obj.name;
}

size_t xbpf_map_host_value_size(const struct xbpf_map *map)
{
	if (map->percpu)
		return (size_t)xbpf_round8(map->value_size) * xbpf_num_possible_cpus();
	return map->value_size;
}

int xbpf_map_get_info(const struct xbpf_map *map, struct xbpf_map_info *info)
{
	if (!map || !info)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	info->id = map->obj.id;
	info->type = map->type;
	info->key_size = map->key_size;
	info->value_size = map->value_size;
	info->max_entries = map->max_entries;
	info->map_flags = map->map_flags;
	info->map_extra = map->map_extra;
	info->inner_map_id = map->inner_meta ? map->inner_meta->obj.id : 0;
	info->frozen = atomic_load(&map->frozen);
	info->entries = map->ops->count ? map->ops->count(map) : -1;
	memcpy(info->name, map->obj.name, sizeof(info->name));
	return 0;
}

bool xbpf_map_meta_equal(const struct xbpf_map *meta, const struct xbpf_map *inner)
{
	return meta->type == inner->type && meta->key_size == inner->key_size &&
	       meta->value_size == inner->value_size && meta->map_flags == inner->map_flags &&
	       ((meta->map_flags & XBPF_F_INNER_MAP) || meta->max_entries == inner->max_entries);
}

int xbpf_map_get_by_id(struct xbpf_runtime *rt, uint32_t id, struct xbpf_map **out)
{
	if (!rt || !out)
		return -EINVAL;
	struct xbpf_obj *obj;
	int err = xbpf_obj_get_by_id(rt, id, XBPF_OBJ_MAP, true, &obj);
	if (err)
		return err == -EINVAL ? -ENOENT : err;
	*out = xbpf_map_from_obj(obj);
	return 0;
}

int xbpf_map_get_next_id(struct xbpf_runtime *rt, uint32_t start_id, uint32_t *next_id)
{
	if (!rt || !next_id)
		return -EINVAL;
	return xbpf_obj_next_id(rt, XBPF_OBJ_MAP, start_id, next_id);
}

int xbpf_map_pin(struct xbpf_map *map, const char *path)
{
	if (!map)
		return -EINVAL;
	return xbpf_obj_pin_by_host(&map->obj, path);
}

int xbpf_map_get_pinned(struct xbpf_runtime *rt, const char *path, struct xbpf_map **out)
{
	if (!rt || !out)
		return -EINVAL;
	struct xbpf_obj *obj;
	int err = xbpf_obj_get_pinned(rt, path, XBPF_OBJ_MAP, &obj);
	/* The core's control maps appear on first open. */
	if (err == -ENOENT && xbpf_core_control_map_open(rt, path) == 0)
		err = xbpf_obj_get_pinned(rt, path, XBPF_OBJ_MAP, &obj);
	if (err)
		return err;
	*out = xbpf_map_from_obj(obj);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Program path                                                             */
/* ------------------------------------------------------------------------ */

long xbpf_map_update_prog(struct xbpf_map *map, const void *key, const void *value, uint64_t flags,
			  unsigned cpu)
{
	if (!(map->value_perm & XBPF_MEM_WRITE))
		return -EPERM;
	if (!map->ops->update)
		return -EOPNOTSUPP;
	return map->ops->update(map, key, value, flags, cpu);
}

long xbpf_map_delete_prog(struct xbpf_map *map, const void *key)
{
	if (!(map->value_perm & XBPF_MEM_WRITE))
		return -EPERM;
	if (!map->ops->delete)
		return -EOPNOTSUPP;
	return map->ops->delete(map, key);
}

long xbpf_map_push_prog(struct xbpf_map *map, const void *value, uint64_t flags)
{
	if (!(map->value_perm & XBPF_MEM_WRITE))
		return -EPERM;
	if (!map->ops->push)
		return -EOPNOTSUPP;
	return map->ops->push(map, value, flags);
}

long xbpf_map_pop_prog(struct xbpf_map *map, void *value)
{
	if (map->value_perm != XBPF_MEM_RW)
		return -EPERM;
	if (!map->ops->pop)
		return -EOPNOTSUPP;
	return map->ops->pop(map, value);
}

long xbpf_map_peek_prog(struct xbpf_map *map, void *value)
{
	if (!(map->value_perm & XBPF_MEM_READ))
		return -EPERM;
	if (!map->ops->peek)
		return -EOPNOTSUPP;
	return map->ops->peek(map, value);
}

long xbpf_map_for_each_prog(struct xbpf_map *map, xbpf_map_foreach_fn fn, void *user,
			    uint64_t flags, unsigned cpu)
{
	if (flags)
		return -EINVAL;
	if (!map->ops->for_each)
		return -EOPNOTSUPP;
	return map->ops->for_each(map, fn, user, cpu);
}

bool xbpf_map_value_region(const struct xbpf_map *map, uintptr_t addr, size_t size,
			   struct xbpf_region *out)
{
	if (!map->ops->value_region || !map->ops->value_region(map, addr, size, out))
		return false;
	out->perm = map->value_perm;
	return true;
}

void xbpf_map_shape_of(const struct xbpf_map *map, struct xbpf_map_shape *shape)
{
	shape->key_size = map->key_size;
	shape->value_size = map->value_size;
	shape->value_perm = map->value_perm;
}
