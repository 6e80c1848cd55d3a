/* SPDX-License-Identifier: MIT */
/*
 * The hash map types over the shared table (htab.c): HASH, PERCPU_HASH,
 * LRU_HASH, LRU_PERCPU_HASH and HASH_OF_MAPS.
 */
#include <errno.h>
#include <string.h>

#include "maps/htab.h"
#include "maps/map_in_map.h"
#include "maps/types.h"
#include "runtime/epoch.h"
#include "runtime/log.h"

/* ---- HASH ---- */

static int hash_alloc(struct xbpf_runtime *rt, const struct xbpf_map_attr *attr,
		      struct xbpf_map **out)
{
	return htab_alloc(rt, attr, &xbpf_htab_ops, out);
}

static void *hash_lookup(struct xbpf_map *map, const void *key, unsigned cpu)
{
	struct htab *h = htab_of(map);
	struct htab_elem *e = htab_lookup_elem(h, key);
	return e ? htab_value(h, e) : NULL;
}

/* A lookup marks the element recently used (without a lock; only once, to
 * keep the cache line clean for other readers). */
static void touch(struct htab_elem *e)
{
	if (!atomic_load_explicit(&e->lru_ref, memory_order_relaxed))
		atomic_store_explicit(&e->lru_ref, 1, memory_order_relaxed);
}

/* Host lookups of every hash type except HASH_OF_MAPS (ids, not maps). */
static int host_lookup(struct xbpf_map *map, const void *key, void *value, bool lru)
{
	xbpf_epoch_enter();
	struct htab_elem *e = htab_read_consistent(htab_of(map), key, value);
	if (e && lru)
		touch(e);
	xbpf_epoch_exit();
	return e ? 0 : -ENOENT;
}

static int hash_host_lookup(struct xbpf_map *map, const void *key, void *value)
{
	return host_lookup(map, key, value, false);
}

static int lru_host_lookup(struct xbpf_map *map, const void *key, void *value)
{
	return host_lookup(map, key, value, true);
}

static long hash_update(struct xbpf_map *map, const void *key, const void *value, uint64_t flags,
			unsigned cpu)
{
	return htab_update(htab_of(map), key, value, flags, 0);
}

const struct xbpf_map_ops xbpf_htab_ops = {
	.alloc = hash_alloc,
	.free = htab_free,
	.lookup = hash_lookup,
	.update = hash_update,
	.delete = htab_delete,
	.for_each = htab_for_each,
	.host_lookup = hash_host_lookup,
	.host_lookup_and_delete = htab_lookup_and_delete,
	.get_next_key = htab_get_next_key,
	.value_region = htab_value_region,
	.count = htab_count,
};

/* ---- PERCPU_HASH ---- */

static int percpu_hash_alloc(struct xbpf_runtime *rt, const struct xbpf_map_attr *attr,
			     struct xbpf_map **out)
{
	return htab_alloc(rt, attr, &xbpf_percpu_htab_ops, out);
}

static void *percpu_lookup(struct xbpf_map *map, const void *key, unsigned cpu)
{
	struct htab *h = htab_of(map);
	if (cpu >= h->ncpus)
		return NULL;
	struct htab_elem *e = htab_lookup_elem(h, key);
	return e ? (char *)htab_value(h, e) + (size_t)cpu * h->value_slot : NULL;
}

static long percpu_update(struct xbpf_map *map, const void *key, const void *value,
			  uint64_t flags, unsigned cpu)
{
	return htab_update(htab_of(map), key, value, flags, (int)cpu);
}


static int percpu_host_update(struct xbpf_map *map, const void *key, const void *value,
			      uint64_t flags)
{
	xbpf_epoch_enter();
	int err = (int)htab_update(htab_of(map), key, value, flags, HTAB_ALL_CPUS);
	xbpf_epoch_exit();
	return err;
}

const struct xbpf_map_ops xbpf_percpu_htab_ops = {
	.alloc = percpu_hash_alloc,
	.free = htab_free,
	.lookup = percpu_lookup,
	.update = percpu_update,
	.delete = htab_delete,
	.for_each = htab_for_each,
	.host_lookup = hash_host_lookup,
	.host_update = percpu_host_update,
	.host_lookup_and_delete = htab_lookup_and_delete,
	.get_next_key = htab_get_next_key,
	.value_region = htab_value_region,
	.count = htab_count,
};

/* ---- LRU_HASH and LRU_PERCPU_HASH ---- */


static int lru_hash_alloc(struct xbpf_runtime *rt, const struct xbpf_map_attr *attr,
			  struct xbpf_map **out)
{
	return htab_alloc(rt, attr, &xbpf_lru_htab_ops, out);
}

static void *lru_lookup(struct xbpf_map *map, const void *key, unsigned cpu)
{
	struct htab *h = htab_of(map);
	struct htab_elem *e = htab_lookup_elem(h, key);
	if (!e)
		return NULL;
	touch(e);
	return htab_value(h, e);
}

const struct xbpf_map_ops xbpf_lru_htab_ops = {
	.alloc = lru_hash_alloc,
	.free = htab_free,
	.lookup = lru_lookup,
	.update = hash_update,
	.delete = htab_delete,
	.for_each = htab_for_each,
	.host_lookup = lru_host_lookup,
	.host_lookup_and_delete = htab_lookup_and_delete,
	.get_next_key = htab_get_next_key,
	.value_region = htab_value_region,
	.count = htab_count,
};

static int lru_percpu_hash_alloc(struct xbpf_runtime *rt, const struct xbpf_map_attr *attr,
				 struct xbpf_map **out)
{
	return htab_alloc(rt, attr, &xbpf_lru_percpu_htab_ops, out);
}

static void *lru_percpu_lookup(struct xbpf_map *map, const void *key, unsigned cpu)
{
	struct htab *h = htab_of(map);
	if (cpu >= h->ncpus)
		return NULL;
	struct htab_elem *e = htab_lookup_elem(h, key);
	if (!e)
		return NULL;
	touch(e);
	return (char *)htab_value(h, e) + (size_t)cpu * h->value_slot;
}


const struct xbpf_map_ops xbpf_lru_percpu_htab_ops = {
	.alloc = lru_percpu_hash_alloc,
	.free = htab_free,
	.lookup = lru_percpu_lookup,
	.update = percpu_update,
	.delete = htab_delete,
	.for_each = htab_for_each,
	.host_lookup = lru_host_lookup,
	.host_update = percpu_host_update,
	.host_lookup_and_delete = htab_lookup_and_delete,
	.get_next_key = htab_get_next_key,
	.value_region = htab_value_region,
	.count = htab_count,
};

/* ---- HASH_OF_MAPS ---- */

static int hash_of_maps_alloc(struct xbpf_runtime *rt, const struct xbpf_map_attr *attr,
			      struct xbpf_map **out)
{
	int err = xbpf_map_in_map_check(rt, attr);
	if (err)
		return err;
	err = htab_alloc(rt, attr, &xbpf_htab_of_maps_ops, out);
	if (err)
		return err;
	xbpf_map_ref(attr->inner_map);
	(*out)->inner_meta = attr->inner_map;
	return 0;
}

/* Programs get the inner map itself. */
static void *hash_of_maps_lookup(struct xbpf_map *map, const void *key, unsigned cpu)
{
	struct htab *h = htab_of(map);
	struct htab_elem *e = htab_lookup_elem(h, key);
	return e ? (void *)__atomic_load_n((uintptr_t *)htab_value(h, e), __ATOMIC_ACQUIRE) : NULL;
}

static int hash_of_maps_host_lookup(struct xbpf_map *map, const void *key, void *value)
{
	struct htab *h = htab_of(map);
	int err = 0;
	xbpf_epoch_enter();
	struct htab_elem *e = htab_lookup_elem(h, key);
	if (e)
		htab_read_host_value(h, e, value);
	else
		err = -ENOENT;
	xbpf_epoch_exit();
	return err;
}

static int hash_of_maps_host_update(struct xbpf_map *map, const void *key, const void *value,
				    uint64_t flags)
{
	struct xbpf_map *inner;
	if (flags > XBPF_EXIST)
		return -EINVAL;
	int err = xbpf_map_in_map_resolve(map, value, &inner);
	if (err)
		return err;
	xbpf_epoch_enter();
	err = (int)htab_update(htab_of(map), key, &inner, flags, 0);
	xbpf_epoch_exit();
	if (err)
		xbpf_map_unref(inner);
	return err;
}

const struct xbpf_map_ops xbpf_htab_of_maps_ops = {
	.alloc = hash_of_maps_alloc,
	.free = htab_free,
	.lookup = hash_of_maps_lookup,
	.delete = htab_delete,
	.host_lookup = hash_of_maps_host_lookup,
	.host_update = hash_of_maps_host_update,
	.get_next_key = htab_get_next_key,
	.count = htab_count,
};
