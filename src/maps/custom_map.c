/* SPDX-License-Identifier: MIT */
/*
 * Maps of extension-provided types (see custom_map.h).
 *
 * Host writers of a map whose provider has before_update or after_delete
 * are serialised by the map's write lock, so that "read the old stored
 * value, store the new one" is one step and every displaced value is
 * released exactly once. Callbacks run outside that lock (and outside the
 * registrar's): before_update before it is taken, after_delete after it is
 * dropped and after a grace period, so that no reader (host lookups run
 * after_find inside an epoch) still sees the released value.
 *
 * The provider is held busy (registrar) while its callbacks run, so an
 * unregister waits for them; programs never call the provider (the
 * registration rules keep callbacks away from program accesses).
 */
#include "maps/custom_map.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "maps/custom_map_none.h"
#include "maps/map_btf.h"
#include "maps/map_sized.h"
#include "maps/shared_mem.h"
#include "maps/types.h"
#include "runtime/epoch.h"
#include "runtime/log.h"
#include "runtime/registrar.h"
#include "runtime/runtime.h"

struct custom_map {
	struct xbpf_map map;
	struct xbpf_map *store; /* built-in hash or array of stored values */
	uint32_t stored_size;
	uint32_t base, properties;
	size_t state_size;
	void *state; /* the provider's, zeroed at creation, kept while orphaned */
	/* Under the registrar's lock (read without it on the program path):
	 * the provider serving the map, NULL while orphaned. */
	struct xbpf_provider *_Atomic prov;
	struct xbpf_provider *adopting; /* registered, adoption pending */
	struct xbpf_provider *orphaned_by; /* left, not yet logged */
	pthread_mutex_t write_lock;
	struct xbpf_client client;
};

static const struct xbpf_map_ops custom_map_ops;

static struct custom_map *custom_of(const struct xbpf_map *map)
{
	return (struct custom_map *)map;
}

static bool transforms(const struct custom_map *cm)
{
	return cm->properties & XBPF_MAP_TRANSFORMS_VALUES;
}

/* The provider, held busy, or NULL while the map is orphaned. */
static struct xbpf_provider *hold(struct custom_map *cm)
{
	struct xbpf_runtime *rt = cm->map.obj.rt;
	xbpf_registrar_lock(rt);
	struct xbpf_provider *p = atomic_load(&cm->prov);
	if (p && !p->leaving)
		p->busy++;
	else
		p = NULL;
	xbpf_registrar_unlock(rt);
	return p;
}

static bool attached(const struct custom_map *cm)
{
	return atomic_load_explicit(&((struct custom_map *)cm)->prov, memory_order_acquire) != NULL;
}

/* ------------------------------------------------------------------------ */
/* Base none: the provider's own operations (custom_map_none.c)             */
/* ------------------------------------------------------------------------ */

static bool is_none(const struct custom_map *cm)
{
	return cm->base == XBPF_MAP_BASE_NONE;
}

static int none_host_lookup(struct custom_map *cm, const void *key, void *value, uint32_t size)
{
	struct xbpf_provider *p = hold(cm);
	if (!p)
		return -XBPF_EDETACHED;
	int err = xbpf_none_map_lookup(&p->u.map_type, &cm->map, cm->state, key, value, size);
	xbpf_provider_release(p);
	return err;
}

static int none_host_update(struct custom_map *cm, const void *key, const void *value,
			    uint64_t flags)
{
	struct xbpf_provider *p = hold(cm);
	if (!p)
		return -XBPF_EDETACHED;
	int err = xbpf_none_map_update(&p->u.map_type, &cm->map, cm->state, key, value, flags);
	xbpf_provider_release(p);
	return err;
}

static int none_host_delete(struct custom_map *cm, const void *key)
{
	struct xbpf_provider *p = hold(cm);
	if (!p)
		return -XBPF_EDETACHED;
	int err = xbpf_none_map_delete(&p->u.map_type, &cm->map, cm->state, key);
	xbpf_provider_release(p);
	return err;
}

static int none_next_key(struct custom_map *cm, const void *key, void *next_key)
{
	struct xbpf_provider *p = hold(cm);
	if (!p)
		return -XBPF_EDETACHED;
	int err = xbpf_none_map_next_key(&p->u.map_type, &cm->map, cm->state, key, next_key);
	xbpf_provider_release(p);
	return err;
}

/* Programs run inside an epoch, and an unregistering provider waits for
 * the epoch after it let go of its maps: no busy count is needed, and
 * the program path takes no lock. */
static long none_prog_write(struct custom_map *cm, const void *key, const void *value,
			    uint64_t flags)
{
	struct xbpf_provider *p = atomic_load_explicit(&cm->prov, memory_order_acquire);
	if (!p)
		return -XBPF_EDETACHED;
	const struct xbpf_map_type_provider *t = &p->u.map_type;
	return value ? xbpf_none_map_prog_update(t, &cm->map, cm->state, key, value, flags)
		     : xbpf_none_map_prog_delete(t, &cm->map, cm->state, key);
}

static int custom_host_lookup_sized(struct xbpf_map *map, const void *key, void *value,
				    size_t value_size)
{
	if (!is_none(custom_of(map)))
		return xbpf_map_lookup_copy(map, key, value, value_size);
	if (value_size > UINT32_MAX)
		return -E2BIG;
	return none_host_lookup(custom_of(map), key, value, (uint32_t)value_size);
}

/* ------------------------------------------------------------------------ */
/* Host path                                                                */
/* ------------------------------------------------------------------------ */

static int custom_host_lookup(struct xbpf_map *map, const void *key, void *value)
{
	struct custom_map *cm = custom_of(map);
	if (is_none(cm))
		return none_host_lookup(cm, key, value, map->value_size);
	struct xbpf_provider *p = hold(cm);
	if (!p)
		return -XBPF_EDETACHED;
	const struct xbpf_map_type_provider *t = &p->u.map_type;
	int err = 0;
	if (!t->after_find) {
		xbpf_epoch_enter();
		const void *stored = cm->store->ops->lookup(cm->store, key, 0);
		if (stored)
			xbpf_shared_read(value, stored, map->value_size);
		else
			err = -ENOENT;
		xbpf_epoch_exit();
		xbpf_provider_release(p);
		return err;
	}
	/* A copy taken under the write lock is whole (array slots are
	 * rewritten in place); the epoch keeps what it refers to alive
	 * through after_find, since releases wait for a grace period. */
	char *copy = malloc(cm->stored_size);
	if (!copy) {
		xbpf_provider_release(p);
		return -ENOMEM;
	}
	xbpf_epoch_enter();
	pthread_mutex_lock(&cm->write_lock);
	const void *stored = cm->store->ops->lookup(cm->store, key, 0);
	if (stored)
		xbpf_shared_read(copy, stored, cm->stored_size);
	pthread_mutex_unlock(&cm->write_lock);
	if (!stored) {
		err = -ENOENT;
	} else {
		if (!transforms(cm))
			memcpy(value, copy, map->value_size);
		err = t->after_find(t->ctx, map, cm->state, key, copy, value, XBPF_MAP_FROM_HOST);
	}
	xbpf_epoch_exit();
	free(copy);
	xbpf_provider_release(p);
	return err;
}

/* Release a stored value that left the map (after readers are done). */
static void release_stored(struct custom_map *cm, const struct xbpf_map_type_provider *t,
			   const void *key, void *stored, uint32_t flags)
{
	if (!t->after_delete)
		return;
	if (!(flags & XBPF_MAP_UNDO))
		xbpf_epoch_synchronize();
	t->after_delete(t->ctx, &cm->map, cm->state, key, stored, flags | XBPF_MAP_FROM_HOST);
}

static int custom_host_update(struct xbpf_map *map, const void *key, const void *value,
			      uint64_t flags)
{
	struct custom_map *cm = custom_of(map);
	if (flags > XBPF_EXIST)
		return -EINVAL;
	if (is_none(cm))
		return none_host_update(cm, key, value, flags);
	struct xbpf_provider *p = hold(cm);
	if (!p)
		return -XBPF_EDETACHED;
	const struct xbpf_map_type_provider *t = &p->u.map_type;
	int err;
	if (!t->before_update && !t->after_delete) {
		xbpf_epoch_enter();
		err = (int)cm->store->ops->update(cm->store, key, value, flags, 0);
		xbpf_epoch_exit();
		xbpf_provider_release(p);
		return err;
	}

	char *fresh = calloc(2, cm->stored_size), *old = fresh + cm->stored_size;
	if (!fresh) {
		xbpf_provider_release(p);
		return -ENOMEM;
	}
	if (!transforms(cm))
		memcpy(fresh, value, map->value_size);
	if (t->before_update) {
		err = t->before_update(t->ctx, map, cm->state, key, value, fresh, XBPF_MAP_FROM_HOST);
		if (err)
			goto out;
	}
	pthread_mutex_lock(&cm->write_lock);
	xbpf_epoch_enter();
	const void *cur = cm->store->ops->lookup(cm->store, key, 0);
	bool had = cur != NULL;
	if (had)
		xbpf_shared_read(old, cur, cm->stored_size);
	err = (int)cm->store->ops->update(cm->store, key, fresh, flags, 0);
	xbpf_epoch_exit();
	pthread_mutex_unlock(&cm->write_lock);
	if (err)
		release_stored(cm, t, key, fresh, XBPF_MAP_UNDO);
	else if (had)
		release_stored(cm, t, key, old, XBPF_MAP_REPLACED);
out:
	free(fresh);
	xbpf_provider_release(p);
	return err;
}

/* Remove key; its stored value is copied to old (stored_size bytes). */
static int remove_locked(struct custom_map *cm, const void *key, void *old)
{
	xbpf_epoch_enter();
	const void *cur = cm->store->ops->lookup(cm->store, key, 0);
	int err = -ENOENT;
	if (cur) {
		xbpf_shared_read(old, cur, cm->stored_size);
		err = (int)cm->store->ops->delete(cm->store, key);
	}
	xbpf_epoch_exit();
	return err;
}

/* Deletes key; with value, also gives the caller the deleted value as a
 * lookup would (lookup-and-delete). */
static int remove_entry(struct xbpf_map *map, const void *key, void *value)
{
	struct custom_map *cm = custom_of(map);
	struct xbpf_provider *p = hold(cm);
	if (!p)
		return -XBPF_EDETACHED;
	const struct xbpf_map_type_provider *t = &p->u.map_type;
	char *old = malloc(cm->stored_size);
	int err = -ENOMEM;
	if (old) {
		pthread_mutex_lock(&cm->write_lock);
		err = remove_locked(cm, key, old);
		pthread_mutex_unlock(&cm->write_lock);
		if (!err) {
			if (value && !transforms(cm))
				memcpy(value, old, map->value_size);
			if (value && t->after_find)
				err = t->after_find(t->ctx, map, cm->state, key, old, value,
						    XBPF_MAP_FROM_HOST);
			release_stored(cm, t, key, old, 0);
		}
		free(old);
	}
	xbpf_provider_release(p);
	return err;
}

static int custom_host_delete(struct xbpf_map *map, const void *key)
{
	if (is_none(custom_of(map)))
		return none_host_delete(custom_of(map), key);
	return remove_entry(map, key, NULL);
}

static int custom_host_lookup_and_delete(struct xbpf_map *map, const void *key, void *value)
{
	/* Arrays, as their built-in kind; base none: the provider has no
	 * atomic lookup-and-delete. */
	if (!custom_of(map)->store || !custom_of(map)->store->ops->host_lookup_and_delete)
		return -EOPNOTSUPP;
	return remove_entry(map, key, value);
}

static int custom_get_next_key(struct xbpf_map *map, const void *key, void *next_key)
{
	struct custom_map *cm = custom_of(map);
	if (is_none(cm))
		return none_next_key(cm, key, next_key);
	if (!attached(cm))
		return -XBPF_EDETACHED;
	return cm->store->ops->get_next_key(cm->store, key, next_key);
}

/* ------------------------------------------------------------------------ */
/* Program path: values in place, without the provider                      */
/* ------------------------------------------------------------------------ */

static void *custom_lookup(struct xbpf_map *map, const void *key, unsigned cpu)
{
	struct custom_map *cm = custom_of(map);
	if (!(cm->properties & XBPF_MAP_PROG_LOOKUP) || transforms(cm) || !attached(cm))
		return NULL;
	return cm->store->ops->lookup(cm->store, key, cpu);
}

static long custom_update(struct xbpf_map *map, const void *key, const void *value, uint64_t flags,
			  unsigned cpu)
{
	struct custom_map *cm = custom_of(map);
	if (!(cm->properties & XBPF_MAP_PROG_UPDATE) || transforms(cm))
		return -EOPNOTSUPP;
	if (is_none(cm))
		return none_prog_write(cm, key, value, flags);
	if (!attached(cm))
		return -XBPF_EDETACHED;
	return cm->store->ops->update(cm->store, key, value, flags, cpu);
}

static long custom_delete(struct xbpf_map *map, const void *key)
{
	struct custom_map *cm = custom_of(map);
	if (!(cm->properties & XBPF_MAP_PROG_DELETE) || transforms(cm))
		return -EOPNOTSUPP;
	if (is_none(cm))
		return none_prog_write(cm, key, NULL, 0);
	if (!attached(cm))
		return -XBPF_EDETACHED;
	return cm->store->ops->delete(cm->store, key);
}

static bool custom_value_region(const struct xbpf_map *map, uintptr_t addr, size_t size,
				struct xbpf_region *out)
{
	const struct custom_map *cm = custom_of(map);
	if (transforms(cm) || !cm->store || !cm->store->ops->value_region)
		return false;
	return cm->store->ops->value_region(cm->store, addr, size, out);
}

static int64_t custom_count(const struct xbpf_map *map)
{
	const struct custom_map *cm = custom_of(map);
	return cm->store && cm->store->ops->count ? cm->store->ops->count(cm->store) : -1;
}

/* ------------------------------------------------------------------------ */
/* Life: creation, orphaning, adoption, free                                */
/* ------------------------------------------------------------------------ */

static struct custom_map *of_client(struct xbpf_client *c)
{
	return (struct custom_map *)((char *)c - offsetof(struct custom_map, client));
}

static bool serves(const struct xbpf_provider *p, const struct custom_map *cm)
{
	return p->kind == XBPF_PROVIDER_MAP_TYPE && p->u.map_type.type == (uint32_t)cm->map.type;
}

static void client_added(struct xbpf_client *c, struct xbpf_provider *p)
{
	struct custom_map *cm = of_client(c);
	if (serves(p, cm) && !atomic_load(&cm->prov) && !cm->adopting)
		cm->adopting = p;
}

static void client_removed(struct xbpf_client *c, struct xbpf_provider *p)
{
	struct custom_map *cm = of_client(c);
	if (cm->adopting == p)
		cm->adopting = NULL;
	if (atomic_load(&cm->prov) == p) {
		atomic_store_explicit(&cm->prov, NULL, memory_order_release);
		cm->orphaned_by = p; /* logged by the slow step, without the lock */
	}
}

/* Takes the reference the slow step runs with, unless the map is dying. */
static bool client_pending(struct xbpf_client *c, struct xbpf_provider *p, bool adding)
{
	struct custom_map *cm = of_client(c);
	if (adding ? cm->adopting != p : cm->orphaned_by != p)
		return false;
	uint64_t refs = atomic_load(&cm->map.obj.refcnt);
	do {
		if (refs == 0)
			return false;
	} while (!atomic_compare_exchange_weak(&cm->map.obj.refcnt, &refs, refs + 1));
	return true;
}

static void client_slow(struct xbpf_client *c, struct xbpf_provider *p, bool adding)
{
	struct custom_map *cm = of_client(c);
	struct xbpf_runtime *rt = cm->map.obj.rt;
	const struct xbpf_map_type_provider *t = &p->u.map_type;
	if (!adding) {
		xbpf_log(rt, XBPF_LOG_INFO, "map '%s' (id %u) orphaned: its map type provider '%s' (%s) left",
			 cm->map.obj.name, cm->map.obj.id, t->name, xbpf_provider_owner(p));
		xbpf_registrar_lock(rt);
		if (cm->orphaned_by == p)
			cm->orphaned_by = NULL;
		xbpf_registrar_unlock(rt);
		return;
	}
	bool fits = t->base == cm->base && t->properties == cm->properties &&
		    t->state_size == cm->state_size;

	if (!fits)
		xbpf_log(rt, XBPF_LOG_ERROR,
			 "map '%s' (id %u) stays orphaned: map type %u of %s has another base, "
			 "properties or state_size than the provider that created the map",
			 cm->map.obj.name, cm->map.obj.id, t->type, xbpf_provider_owner(p));
	else if (t->adopt)
		t->adopt(t->ctx, &cm->map, cm->state);
	xbpf_registrar_lock(rt);
	if (cm->adopting == p) {
		cm->adopting = NULL;
		if (fits)
			atomic_store_explicit(&cm->prov, p, memory_order_release);
	}
	xbpf_registrar_unlock(rt);
	if (fits)
		xbpf_log(rt, XBPF_LOG_INFO, "map '%s' (id %u) adopted by map type '%s' (%s)",
			 cm->map.obj.name, cm->map.obj.id, t->name, xbpf_provider_owner(p));
}

static void client_get(struct xbpf_client *c)
{
	/* client_pending took the reference. */
}

static void client_put(struct xbpf_client *c)
{
	xbpf_obj_put(&of_client(c)->map.obj);
}

static const struct xbpf_client_ops custom_client_ops = {
	.added = client_added,
	.removed = client_removed,
	.pending = client_pending,
	.slow = client_slow,
	.get = client_get,
	.put = client_put,
};

/* The provider of a map type id, held busy, or NULL. */
static struct xbpf_provider *find_type(struct xbpf_runtime *rt, uint32_t type)
{
	struct xbpf_provider *p;
	xbpf_registrar_lock(rt);
	for (p = xbpf_registrar_next(rt, XBPF_PROVIDER_MAP_TYPE, NULL); p;
	     p = xbpf_registrar_next(rt, XBPF_PROVIDER_MAP_TYPE, p))
		if (p->u.map_type.type == type) {
			p->busy++;
			break;
		}
	xbpf_registrar_unlock(rt);
	return p;
}

static void free_parts(struct custom_map *cm)
{
	if (cm->store)
		cm->store->ops->free(cm->store);
	pthread_mutex_destroy(&cm->write_lock);
	free(cm->state);
	free(cm);
}

int xbpf_custom_map_alloc(struct xbpf_runtime *rt, const struct xbpf_map_attr *attr,
			  struct xbpf_map **out)
{
	const char *name = attr->name ? attr->name : "";
	struct xbpf_provider *p = find_type(rt, attr->type);
	if (!p) {
		xbpf_log(rt, XBPF_LOG_ERROR, "map '%s': no provider for map type %u", name,
			 (unsigned)attr->type);
		return -EOPNOTSUPP;
	}
	const struct xbpf_map_type_provider *t = &p->u.map_type;
	int err;
	struct custom_map *cm = calloc(1, sizeof(*cm));
	if (!cm) {
		xbpf_provider_release(p);
		return -ENOMEM;
	}
	xbpf_map_init(&cm->map, attr, &custom_map_ops);
	pthread_mutex_init(&cm->write_lock, NULL);
	cm->base = t->base;
	cm->properties = t->properties;
	cm->state_size = t->state_size;
	cm->state = calloc(1, t->state_size ? t->state_size : 1);
	if (!cm->state) {
		free_parts(cm);
		xbpf_provider_release(p);
		return -ENOMEM;
	}
	err = xbpf_none_map_check_btf(rt, t, attr);
	if (err) {
		free_parts(cm);
		xbpf_provider_release(p);
		return err;
	}

	struct xbpf_map_params params = {
		.hdr = XBPF_ABI_HEADER(struct xbpf_map_params),
		.type = attr->type,
		.key_size = attr->key_size,
		.value_size = attr->value_size,
		.max_entries = attr->max_entries,
		.map_flags = attr->map_flags,
		.name = name,
	};
	uint32_t stored = attr->value_size;
	err = t->create(t->ctx, &cm->map, &params, cm->state, &stored);
	if (err) {
		xbpf_log(rt, XBPF_LOG_ERROR, "map '%s': map type '%s' (%s) refused it: error %d", name,
			 t->name, xbpf_provider_owner(p), err);
		free_parts(cm);
		xbpf_provider_release(p);
		return err;
	}
	if (stored == 0 || (!transforms(cm) && stored != attr->value_size)) {
		xbpf_log(rt, XBPF_LOG_ERROR, "map '%s': map type '%s' (%s) chose stored value size %u: %s",
			 name, t->name, xbpf_provider_owner(p), stored,
			 stored ? "only a provider that transforms values may change it"
				: "it must not be 0");
		err = -EINVAL;
		goto destroy;
	}
	cm->stored_size = stored;
	struct xbpf_map_attr store_attr = *attr;
	store_attr.type = t->base == XBPF_MAP_BASE_HASH ? XBPF_MAP_TYPE_HASH : XBPF_MAP_TYPE_ARRAY;
	store_attr.value_size = stored;
	/* A transforming hash never reuses an element before a grace period,
	 * so a provider's raw lookup reads a stored value that stays whole. */
	if (transforms(cm) && t->base == XBPF_MAP_BASE_HASH)
		store_attr.map_flags |= XBPF_F_NO_PREALLOC;
	if (!is_none(cm))
		err = xbpf_map_type_ops(store_attr.type)->alloc(rt, &store_attr, &cm->store);
	if (err)
		goto destroy;

	cm->client.ops = &custom_client_ops;
	xbpf_registrar_add_client(rt, &cm->client);
	xbpf_registrar_lock(rt);
	/* Held busy: an unregister waits, then orphans the map as a client. */
	atomic_store(&cm->prov, p);
	xbpf_registrar_unlock(rt);
	/* The provider's BTF, kept with the map (orphaned or not) for dumps
	 * (xbpf_map_btf). Its sizes were checked above: only memory can fail,
	 * and the map then works without. */
	if (t->btf && xbpf_map_set_btf(&cm->map, t->btf, t->btf_size, t->btf_key_type_id,
				       t->btf_value_type_id))
		xbpf_log(rt, XBPF_LOG_WARN, "map '%s': its map type's BTF could not be kept", name);
	xbpf_provider_release(p);
	*out = &cm->map;
	return 0;

destroy:
	t->destroy(t->ctx, &cm->map, cm->state);
	free_parts(cm);
	xbpf_provider_release(p);
	return err;
}

static long cleanup_one(void *user, struct xbpf_map *store, const void *key, void *stored)
{
	struct custom_map *cm = user;
	struct xbpf_provider *p = atomic_load(&cm->prov);
	const struct xbpf_map_type_provider *t = &p->u.map_type;
	t->after_delete(t->ctx, &cm->map, cm->state, key, stored,
			XBPF_MAP_CLEANUP | XBPF_MAP_FROM_HOST);
	return 0;
}

/* After a grace period with no holder left (object free). Orphaned maps
 * go without callbacks: their provider's code may be gone. */
static void custom_free(struct xbpf_map *map)
{
	struct custom_map *cm = custom_of(map);
	struct xbpf_runtime *rt = map->obj.rt;
	struct xbpf_provider *p = hold(cm);

	xbpf_registrar_remove_client(rt, &cm->client);
	if (p) {
		const struct xbpf_map_type_provider *t = &p->u.map_type;
		if (t->after_delete)
			cm->store->ops->for_each(cm->store, cleanup_one, cm, 0);
		t->destroy(t->ctx, map, cm->state);
		xbpf_provider_release(p);
	}
	free_parts(cm);
}

static const struct xbpf_map_ops custom_map_ops = {
	.free = custom_free,
	.lookup = custom_lookup,
	.update = custom_update,
	.delete = custom_delete,
	.host_lookup = custom_host_lookup,
	.host_update = custom_host_update,
	.host_delete = custom_host_delete,
	.host_lookup_and_delete = custom_host_lookup_and_delete,
	.host_lookup_sized = custom_host_lookup_sized,
	.get_next_key = custom_get_next_key,
	.value_region = custom_value_region,
	.count = custom_count,
};

int xbpf_custom_map_associate(struct xbpf_map *map, const char *program_type)
{
	if (map->ops != &custom_map_ops)
		return 0;
	struct xbpf_provider *p = hold(custom_of(map));
	if (!p)
		return 0;
	const struct xbpf_map_type_provider *t = &p->u.map_type;
	int err = t->associate ? t->associate(t->ctx, map, custom_of(map)->state, program_type) : 0;
	xbpf_provider_release(p);
	return err > 0 ? -EPERM : err;
}

/* ------------------------------------------------------------------------ */
/* Core services                                                            */
/* ------------------------------------------------------------------------ */

/* The map, if it is served by provider (a helper handed another
 * provider's map, or a built-in one, gets NULL). */
static struct custom_map *served_by(struct xbpf_map *map, const struct xbpf_provider *provider)
{
	if (!map || !provider || map->ops != &custom_map_ops)
		return NULL;
	struct custom_map *cm = custom_of(map);
	return atomic_load_explicit(&cm->prov, memory_order_acquire) == provider ? cm : NULL;
}

void *xbpf_custom_map_state(struct xbpf_map *map, const struct xbpf_provider *provider)
{
	struct custom_map *cm = served_by(map, provider);
	return cm ? cm->state : NULL;
}

const void *xbpf_custom_map_raw_lookup(struct xbpf_map *map, const struct xbpf_provider *provider,
				       const void *key)
{
	struct custom_map *cm = served_by(map, provider);
	if (!cm || !key || !cm->store)
		return NULL;
	return cm->store->ops->lookup(cm->store, key, 0);
}

uint32_t xbpf_custom_map_type(const struct xbpf_map *map)
{
	return map ? (uint32_t)map->type : 0;
}

bool xbpf_custom_map_orphaned(const struct xbpf_map *map)
{
	return map && map->ops == &custom_map_ops && !attached(custom_of(map));
}
