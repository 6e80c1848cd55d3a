/* SPDX-License-Identifier: MIT */
/*
 * Arrays of object references: PROG_ARRAY (programs, for tail calls) and
 * ARRAY_OF_MAPS. The host reads and writes object ids; programs see the
 * objects. A slot holds a reference, released after a grace period when
 * the slot is cleared or replaced (readers may still be using it).
 *
 * A PROG_ARRAY empties itself when the host's last handle or pin on it
 * goes, as in Linux: that breaks the cycle of a program tail-calling
 * through an array that holds the program.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "maps/array.h"
#include "maps/map_in_map.h"
#include "maps/types.h"
#include "runtime/epoch.h"
#include "runtime/lock.h"
#include "runtime/log.h"

struct fd_array {
	struct xbpf_map map;
	/* Serializes updates, so that PROG_ARRAY's owner is claimed once. */
	xbpf_lock_t update_lock;
	struct xbpf_prog_array_owner owner;
	_Atomic(struct xbpf_obj *) slots[];
};

static struct fd_array *fd_array_of(const struct xbpf_map *map)
{
	return (struct fd_array *)map;
}

static _Atomic(xbpf_prog_array_compat_fn) prog_array_compat;

void xbpf_prog_array_set_compat(xbpf_prog_array_compat_fn fn)
{
	atomic_store(&prog_array_compat, fn);
}

static int fd_array_alloc(struct xbpf_runtime *rt, const struct xbpf_map_attr *attr,
			  const struct xbpf_map_ops *ops, struct xbpf_map **out)
{
	const char *name = attr->name ? attr->name : "";
	bool of_maps = attr->type == XBPF_MAP_TYPE_ARRAY_OF_MAPS;
	int err;

	if (of_maps) {
		err = xbpf_map_in_map_check(rt, attr);
		if (err)
			return err;
	} else if (attr->value_size != sizeof(uint32_t)) {
		xbpf_log(rt, XBPF_LOG_ERROR,
			 "prog_array '%s': value_size %u, want 4 (values are program ids)", name,
			 attr->value_size);
		return -EINVAL;
	}
	if (attr->map_flags & (XBPF_F_RDONLY_PROG | XBPF_F_WRONLY_PROG)) {
		xbpf_log(rt, XBPF_LOG_ERROR,
			 "%s '%s': BPF_F_RDONLY_PROG/WRONLY_PROG do not apply to object arrays",
			 xbpf_map_type_name(attr->type), name);
		return -EINVAL;
	}
	err = xbpf_array_check_attr(rt, attr);
	if (err)
		return err;

	struct fd_array *a = calloc(1, sizeof(*a) + (size_t)attr->max_entries * sizeof(a->slots[0]));
	if (!a) {
		xbpf_log(rt, XBPF_LOG_ERROR, "%s '%s': out of memory for %u entries",
			 xbpf_map_type_name(attr->type), name, attr->max_entries);
		return -ENOMEM;
	}
	xbpf_map_init(&a->map, attr, ops);
	xbpf_lock_init(&a->update_lock);
	if (of_maps) {
		xbpf_map_ref(attr->inner_map);
		a->map.inner_meta = attr->inner_map;
	}
	*out = &a->map;
	return 0;
}

static int prog_array_alloc(struct xbpf_runtime *rt, const struct xbpf_map_attr *attr,
			    struct xbpf_map **out)
{
	return fd_array_alloc(rt, attr, &xbpf_prog_array_ops, out);
}

static int array_of_maps_alloc(struct xbpf_runtime *rt, const struct xbpf_map_attr *attr,
			       struct xbpf_map **out)
{
	return fd_array_alloc(rt, attr, &xbpf_array_of_maps_ops, out);
}

static void fd_array_free(struct xbpf_map *map)
{
	struct fd_array *a = fd_array_of(map);
	for (uint32_t i = 0; i < map->max_entries; i++)
		xbpf_obj_put(atomic_load_explicit(&a->slots[i], memory_order_relaxed));
	free(a);
}

static uint32_t index_of(const void *key)
{
	uint32_t index;
	memcpy(&index, key, sizeof(index));
	return index;
}

/* Put obj (a reference the caller passes on) at index; releases what was
 * there. */
static void store_slot(struct fd_array *a, uint32_t index, struct xbpf_obj *obj)
{
	struct xbpf_obj *old =
		atomic_exchange_explicit(&a->slots[index], obj, memory_order_acq_rel);
	xbpf_obj_put(old);
}

/* An object id from the host into an object reference fit for this array. */
static int resolve(struct fd_array *a, const void *value, struct xbpf_obj **out)
{
	struct xbpf_map *map = &a->map;
	if (map->type == XBPF_MAP_TYPE_ARRAY_OF_MAPS) {
		struct xbpf_map *inner;
		int err = xbpf_map_in_map_resolve(map, value, &inner);
		if (!err)
			*out = &inner->obj;
		return err;
	}

	uint32_t id;
	memcpy(&id, value, sizeof(id));
	struct xbpf_obj *prog;
	int err = xbpf_obj_get_by_id(map->obj.rt, id, XBPF_OBJ_PROGRAM, false, &prog);
	if (err) {
		xbpf_map_log(map, XBPF_LOG_ERROR, "prog_array '%s': %s %u", map->obj.name,
			     err == -EINVAL ? "not a program: object" : "no program with id", id);
		return err == -EINVAL ? -EINVAL : -EBADF;
	}
	xbpf_prog_array_compat_fn compat = atomic_load(&prog_array_compat);
	if (compat) {
		xbpf_lock(&a->update_lock);
		err = compat(map, &a->owner, prog);
		xbpf_unlock(&a->update_lock);
		if (err) {
			xbpf_map_log(map, XBPF_LOG_ERROR,
				     "prog_array '%s': program %u cannot join this array", map->obj.name,
				     id);
			xbpf_obj_put(prog);
			return err;
		}
	}
	*out = prog;
	return 0;
}

static int fd_array_host_update(struct xbpf_map *map, const void *key, const void *value,
				uint64_t flags)
{
	struct fd_array *a = fd_array_of(map);
	uint32_t index = index_of(key);
	if (flags != XBPF_ANY)
		return -EINVAL;
	if (index >= map->max_entries)
		return -E2BIG;
	struct xbpf_obj *obj;
	int err = resolve(a, value, &obj);
	if (err)
		return err;
	store_slot(a, index, obj);
	return 0;
}

static long fd_array_delete(struct xbpf_map *map, const void *key)
{
	struct fd_array *a = fd_array_of(map);
	uint32_t index = index_of(key);
	if (index >= map->max_entries)
		return -E2BIG;
	struct xbpf_obj *old = atomic_exchange_explicit(&a->slots[index], NULL,
							   memory_order_acq_rel);
	if (!old)
		return -ENOENT;
	xbpf_obj_put(old);
	return 0;
}

/* The host reads the id of the object in a slot. */
static int fd_array_host_lookup(struct xbpf_map *map, const void *key, void *value)
{
	struct fd_array *a = fd_array_of(map);
	uint32_t index = index_of(key);
	if (index >= map->max_entries)
		return -ENOENT;
	int err = 0;
	xbpf_epoch_enter();
	struct xbpf_obj *obj = atomic_load_explicit(&a->slots[index], memory_order_acquire);
	if (obj)
		memcpy(value, &obj->id, sizeof(obj->id));
	else
		err = -ENOENT;
	xbpf_epoch_exit();
	return err;
}

static void prog_array_release_uref(struct xbpf_map *map)
{
	struct fd_array *a = fd_array_of(map);
	for (uint32_t i = 0; i < map->max_entries; i++)
		store_slot(a, i, NULL);
}

struct xbpf_obj *xbpf_prog_array_lookup(struct xbpf_map *map, uint32_t index)
{
	if (map->type != XBPF_MAP_TYPE_PROG_ARRAY || index >= map->max_entries)
		return NULL;
	return atomic_load_explicit(&fd_array_of(map)->slots[index], memory_order_acquire);
}

/* Programs get the inner map itself. */
static void *array_of_maps_lookup(struct xbpf_map *map, const void *key, unsigned cpu)
{
	uint32_t index = index_of(key);
	if (index >= map->max_entries)
		return NULL;
	return atomic_load_explicit(&fd_array_of(map)->slots[index], memory_order_acquire);
}

static int64_t fd_array_count(const struct xbpf_map *map)
{
	return map->max_entries;
}

const struct xbpf_map_ops xbpf_prog_array_ops = {
	.alloc = prog_array_alloc,
	.free = fd_array_free,
	.release_uref = prog_array_release_uref,
	.delete = fd_array_delete,
	.host_lookup = fd_array_host_lookup,
	.host_update = fd_array_host_update,
	.get_next_key = xbpf_array_get_next_key,
	.count = fd_array_count,
};

const struct xbpf_map_ops xbpf_array_of_maps_ops = {
	.alloc = array_of_maps_alloc,
	.free = fd_array_free,
	.lookup = array_of_maps_lookup,
	.delete = fd_array_delete,
	.host_lookup = fd_array_host_lookup,
	.host_update = fd_array_host_update,
	.get_next_key = xbpf_array_get_next_key,
	.count = fd_array_count,
};
