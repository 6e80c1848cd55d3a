/* SPDX-License-Identifier: MIT */
/*
 * Maps of extension-provided types (see custom_map.h).
 *
 * Writers of a map whose provider has before_update or after_delete, host
 * and program alike, are serialised by the map's write lock, so that "read
 * the old stored value, store the new one" is one step and every displaced
 * value is released exactly once, whoever races. The lock is the core's
 * short lock (runtime/lock.h, as hash buckets use): what it guards is a
 * lookup, a copy and a store into the built-in storage, which never waits
 * for anything (no callback, no grace period), so a program that meets it
 * held by a host thread waits only for those few instructions, as it would
 * for a bucket lock of a built-in hash.
 *
 * Callbacks run outside that lock (and outside the registrar's):
 * before_update before it is taken, after_delete after it is dropped and
 * after a grace period, so that no reader (host lookups run after_find
 * inside an epoch; programs read values in place) still sees the released
 * value. The host waits for the grace period; a program never does: its
 * releases are queued (epoch call, holding a map reference) and run on the
 * epoch thread, with XBPF_MAP_FROM_PROGRAM. Allocation for that record
 * happens before anything changes, so an update or delete either fails
 * whole (-ENOMEM) or releases what it displaced exactly once.
 *
 * The provider is held busy (registrar) while host callbacks run, so an
 * unregister waits for them. Program accesses read the provider without
 * holding it: an unregister clears it, waits for the runs in flight (a
 * grace period), then for the releases they queued, counted on the
 * provider each will call (xbpf_provider.queued), before the provider's
 * code may go. The provider serving the map changes only under the write
 * lock, and a program's write checks under it that the provider it began
 * with still serves the map: a displaced value is released by the
 * provider that served the map when it was displaced, even when another
 * provider of the type adopts the map while the write runs.
 *
 * A map freed while orphaned is buried: its storage and state stay on the
 * registrar's client list until a provider of the type registers again
 * (which then gets after_delete(CLEANUP) for each entry and destroy) or
 * the runtime ends (freed without callbacks, logged).
 */
#include "maps/custom_map.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maps/custom_map_none.h"
#include "maps/map_btf.h"
#include "maps/map_sized.h"
#include "maps/shared_mem.h"
#include "maps/types.h"
#include "runtime/epoch.h"
#include "runtime/lock.h"
#include "runtime/log.h"
#include "runtime/registrar.h"
#include "runtime/runtime.h"

struct prog_type_use {
	char *name;
	size_t programs;
};

struct custom_map {
	struct xbpf_map map;
	struct xbpf_map *store; /* built-in hash or array of stored values */
	/* Transforming with PROG_LOOKUP: what programs' lookups of a present
	 * key return, value_size zeroed bytes in no region a program may
	 * access (a read or write through it fails the run). */
	void *opaque;
	uint32_t stored_size;
	uint32_t base, properties;
	size_t state_size;
	void *state; /* the provider's, zeroed at creation, kept while orphaned */
	/* Under the registrar's lock (read without it on the program path):
	 * the provider serving the map, NULL while orphaned. */
	struct xbpf_provider *_Atomic prov;
	struct xbpf_provider *adopting; /* registered, adoption pending */
	struct xbpf_provider *orphaned_by; /* left, not yet logged */
	/* Under the registrar's lock: the program types of the programs that
	 * use the map, with how many (asked again when a provider adopts it). */
	struct prog_type_use *prog_types;
	size_t n_prog_types;
	bool buried;  /* freed while orphaned: kept for a provider to clean */
	bool reaped;  /* buried, then cleaned by a provider: free it */
	xbpf_lock_t write_lock; /* also taken to change prov */
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

/* ------------------------------------------------------------------------ */
/* Indexed maps: keys are __u32 indexes below max_entries, stored sparsely   */
/* in the hash, with the results of Linux's DEVMAP and XSKMAP               */
/* ------------------------------------------------------------------------ */

static bool indexed(const struct custom_map *cm)
{
	return cm->properties & XBPF_MAP_INDEXED;
}

static bool index_in_range(const struct custom_map *cm, const void *key)
{
	uint32_t index;
	memcpy(&index, key, sizeof(index)); /* key_size 4, checked at creation */
	return index < cm->map.max_entries;
}

/* As an array: a missing or out-of-range key gives index 0, the last
 * index has no next; every index counts, set or not. */
static int indexed_next_key(const struct custom_map *cm, const void *key, void *next_key)
{
	uint32_t index = UINT32_MAX, next;
	if (cm->map.max_entries == 0)
		return -ENOENT;
	if (key)
		memcpy(&index, key, sizeof(index));
	if (index >= cm->map.max_entries)
		next = 0;
	else if (index + 1 == cm->map.max_entries)
		return -ENOENT;
	else
		next = index + 1;
	memcpy(next_key, &next, sizeof(next));
	return 0;
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
	xbpf_lock(&cm->write_lock);
	const void *stored = cm->store->ops->lookup(cm->store, key, 0);
	if (stored)
		xbpf_shared_read(copy, stored, cm->stored_size);
	xbpf_unlock(&cm->write_lock);
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
	if (indexed(cm) && !index_in_range(cm, key))
		return -E2BIG;
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
	xbpf_lock(&cm->write_lock);
	xbpf_epoch_enter();
	const void *cur = cm->store->ops->lookup(cm->store, key, 0);
	bool had = cur != NULL;
	if (had)
		xbpf_shared_read(old, cur, cm->stored_size);
	err = (int)cm->store->ops->update(cm->store, key, fresh, flags, 0);
	xbpf_epoch_exit();
	xbpf_unlock(&cm->write_lock);
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
		xbpf_lock(&cm->write_lock);
		err = remove_locked(cm, key, old);
		xbpf_unlock(&cm->write_lock);
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
	struct custom_map *cm = custom_of(map);
	if (is_none(cm))
		return none_host_delete(cm, key);
	if (!indexed(cm))
		return remove_entry(map, key, NULL);
	/* Linux clears the slot: an index without an entry is no error. */
	if (!index_in_range(cm, key))
		return -EINVAL;
	int err = remove_entry(map, key, NULL);
	return err == -ENOENT ? 0 : err;
}

static int custom_host_lookup_and_delete(struct xbpf_map *map, const void *key, void *value)
{
	/* Arrays, as their built-in kind; base none: the provider has no
	 * atomic lookup-and-delete; indexed maps, as Linux's DEVMAP and
	 * XSKMAP. */
	struct custom_map *cm = custom_of(map);
	if (!cm->store || !cm->store->ops->host_lookup_and_delete || indexed(cm))
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
	if (indexed(cm))
		return indexed_next_key(cm, key, next_key);
	return cm->store->ops->get_next_key(cm->store, key, next_key);
}

/* ------------------------------------------------------------------------ */
/* Program path: values in place; writes call the provider, never waiting   */
/* ------------------------------------------------------------------------ */

/* A program's write, allocated before it changes anything: the key, the
 * new stored value and room for the one it displaces, which is released
 * after a grace period on the epoch thread. */
struct prog_release {
	struct xbpf_epoch_head head;
	struct custom_map *cm;
	struct xbpf_provider *p;
	uint32_t flags;
	char *fresh, *old; /* stored_size bytes each, after the key */
	char key[];
};

static struct prog_release *prog_release_new(struct custom_map *cm, struct xbpf_provider *p,
					     const void *key)
{
	size_t key_size = xbpf_round8(cm->map.key_size);
	struct prog_release *r = malloc(sizeof(*r) + key_size + 2 * (size_t)cm->stored_size);
	if (!r)
		return NULL;
	r->cm = cm;
	r->p = p;
	r->flags = 0;
	memcpy(r->key, key, cm->map.key_size);
	r->fresh = r->key + key_size;
	r->old = r->fresh + cm->stored_size;
	return r;
}

static void prog_release_run(struct xbpf_epoch_head *head)
{
	struct prog_release *r = caa_container_of(head, struct prog_release, head);
	struct custom_map *cm = r->cm;
	struct xbpf_provider *p = r->p;
	const struct xbpf_map_type_provider *t = &p->u.map_type;
	t->after_delete(t->ctx, &cm->map, cm->state, r->key, r->old,
			r->flags | XBPF_MAP_FROM_PROGRAM);
	free(r);
	xbpf_obj_put(&cm->map.obj);
	/* Last: once the count is zero, an unregistering p may be freed. */
	atomic_fetch_sub_explicit(&p->queued, 1, memory_order_release);
}

/* Releases r->old after a grace period; the map stays until then, and the
 * provider r->p too (its unregister waits for its queued count). Called
 * inside the run's epoch, while r->p serves the map: an unregister of
 * r->p, which clears it from the map and then waits for a grace period,
 * reads the count only after this. */
static void prog_release_defer(struct prog_release *r, uint32_t flags)
{
	r->flags = flags;
	xbpf_obj_get(&r->cm->map.obj);
	atomic_fetch_add_explicit(&r->p->queued, 1, memory_order_relaxed);
	xbpf_epoch_call(&r->head, prog_release_run);
}

/* Under the write lock: does p, which the program's write began with,
 * still serve the map? If not (it left, and maybe another provider of the
 * type adopted the map since), the write gives up as it would have, had
 * it begun a moment later. */
static bool still_serves(struct custom_map *cm, const struct xbpf_provider *p)
{
	return atomic_load_explicit(&cm->prov, memory_order_relaxed) == p;
}

/* Changes the provider serving the map (registrar's lock held). */
static void set_provider(struct custom_map *cm, struct xbpf_provider *p)
{
	xbpf_lock(&cm->write_lock);
	atomic_store_explicit(&cm->prov, p, memory_order_release);
	xbpf_unlock(&cm->write_lock);
}

/* The provider serving the map, for a program's access (inside the run's
 * epoch, which an unregister waits for), or NULL while orphaned. */
static struct xbpf_provider *prog_provider(struct custom_map *cm)
{
	return atomic_load_explicit(&cm->prov, memory_order_acquire);
}

static void *custom_lookup(struct xbpf_map *map, const void *key, unsigned cpu)
{
	struct custom_map *cm = custom_of(map);
	if (!(cm->properties & XBPF_MAP_PROG_LOOKUP) || !attached(cm))
		return NULL;
	void *stored = cm->store->ops->lookup(cm->store, key, cpu);
	/* A transformed value means nothing to programs: they learn only
	 * that the key is there. */
	return stored && transforms(cm) ? cm->opaque : stored;
}

static long custom_update(struct xbpf_map *map, const void *key, const void *value, uint64_t flags,
			  unsigned cpu)
{
	struct custom_map *cm = custom_of(map);
	if (!(cm->properties & XBPF_MAP_PROG_UPDATE) || transforms(cm))
		return -EOPNOTSUPP;
	if (is_none(cm))
		return none_prog_write(cm, key, value, flags);
	if (indexed(cm) && !index_in_range(cm, key))
		return -E2BIG;
	struct xbpf_provider *p = prog_provider(cm);
	if (!p)
		return -XBPF_EDETACHED;
	const struct xbpf_map_type_provider *t = &p->u.map_type;
	if (!t->before_update && !t->after_delete)
		return cm->store->ops->update(cm->store, key, value, flags, cpu);

	struct prog_release *r = prog_release_new(cm, p, key);
	if (!r)
		return -ENOMEM;
	memcpy(r->fresh, value, map->value_size);
	long err = 0;
	if (t->before_update) {
		err = t->before_update(t->ctx, map, cm->state, key, value, r->fresh,
				       XBPF_MAP_FROM_PROGRAM);
		if (err) {
			free(r);
			return err;
		}
	}
	xbpf_lock(&cm->write_lock);
	bool had = false;
	if (!still_serves(cm, p)) {
		err = -XBPF_EDETACHED;
	} else {
		const void *cur = cm->store->ops->lookup(cm->store, key, cpu);
		had = cur != NULL;
		if (had)
			xbpf_shared_read(r->old, cur, cm->stored_size);
		err = cm->store->ops->update(cm->store, key, r->fresh, flags, cpu);
	}
	xbpf_unlock(&cm->write_lock);
	if (err) {
		/* Nobody saw the new value: undone at once. */
		if (t->after_delete)
			t->after_delete(t->ctx, map, cm->state, key, r->fresh,
					XBPF_MAP_UNDO | XBPF_MAP_FROM_PROGRAM);
		free(r);
	} else if (had && t->after_delete) {
		prog_release_defer(r, XBPF_MAP_REPLACED);
	} else {
		free(r);
	}
	return err;
}

static long custom_delete(struct xbpf_map *map, const void *key)
{
	struct custom_map *cm = custom_of(map);
	if (!(cm->properties & XBPF_MAP_PROG_DELETE) || transforms(cm))
		return -EOPNOTSUPP;
	if (is_none(cm))
		return none_prog_write(cm, key, NULL, 0);
	if (indexed(cm) && !index_in_range(cm, key))
		return -EINVAL;
	struct xbpf_provider *p = prog_provider(cm);
	if (!p)
		return -XBPF_EDETACHED;
	long err;
	if (!p->u.map_type.after_delete) {
		err = cm->store->ops->delete(cm->store, key);
	} else {
		struct prog_release *r = prog_release_new(cm, p, key);
		if (!r)
			return -ENOMEM;
		xbpf_lock(&cm->write_lock);
		err = still_serves(cm, p) ? remove_locked(cm, key, r->old) : -XBPF_EDETACHED;
		xbpf_unlock(&cm->write_lock);
		if (err)
			free(r);
		else
			prog_release_defer(r, 0);
	}
	/* Linux clears an indexed map's slot, set or not. */
	return err == -ENOENT && indexed(cm) ? 0 : err;
}

/* bpf_for_each_map_elem: the program's callback sees the custom map, not
 * its storage. Values are lent in place, so, as lookups, only on maps
 * whose values programs may read. */
struct foreach_visit {
	struct xbpf_map *map;
	xbpf_map_foreach_fn fn;
	void *user;
};

static long foreach_one(void *user, struct xbpf_map *store, const void *key, void *value)
{
	struct foreach_visit *v = user;
	return v->fn(v->user, v->map, key, value);
}

static long custom_for_each(struct xbpf_map *map, xbpf_map_foreach_fn fn, void *user, unsigned cpu)
{
	struct custom_map *cm = custom_of(map);
	if (!(cm->properties & XBPF_MAP_PROG_LOOKUP) || transforms(cm))
		return -EOPNOTSUPP;
	if (!attached(cm))
		return -XBPF_EDETACHED;
	struct foreach_visit v = {map, fn, user};
	return cm->store->ops->for_each(cm->store, foreach_one, &v, cpu);
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

/* Can p take over a map another provider of its type created? */
static bool fits(const struct xbpf_provider *p, const struct custom_map *cm)
{
	const struct xbpf_map_type_provider *t = &p->u.map_type;
	return t->base == cm->base && t->properties == cm->properties &&
	       t->state_size == cm->state_size;
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
		set_provider(cm, NULL);
		cm->orphaned_by = p; /* logged by the slow step, without the lock */
	}
}

/* Takes the reference the slow step runs with, unless the map is dying.
 * A buried map (freed while orphaned) has no references: its slow step
 * cleans it up and frees it (in client_put). */
static bool client_pending(struct xbpf_client *c, struct xbpf_provider *p, bool adding)
{
	struct custom_map *cm = of_client(c);
	if (adding ? cm->adopting != p : cm->orphaned_by != p)
		return false;
	if (cm->buried)
		return adding;
	uint64_t refs = atomic_load(&cm->map.obj.refcnt);
	do {
		if (refs == 0)
			return false;
	} while (!atomic_compare_exchange_weak(&cm->map.obj.refcnt, &refs, refs + 1));
	return true;
}

struct cleanup {
	struct custom_map *cm;
	const struct xbpf_map_type_provider *t;
};

static long cleanup_one(void *user, struct xbpf_map *store, const void *key, void *stored)
{
	struct cleanup *c = user;
	c->t->after_delete(c->t->ctx, &c->cm->map, c->cm->state, key, stored,
			   XBPF_MAP_CLEANUP | XBPF_MAP_FROM_HOST);
	return 0;
}

/* The map goes: every entry released as a cleanup, then destroy. */
static void release_all(struct custom_map *cm, const struct xbpf_map_type_provider *t)
{
	struct cleanup c = {cm, t};
	if (t->after_delete)
		cm->store->ops->for_each(cm->store, cleanup_one, &c, 0);
	t->destroy(t->ctx, &cm->map, cm->state);
}

/* A buried map meets a provider of its type: it releases what the map
 * held, and the map is freed (client_put, once the registrar is done with
 * the client). */
static void reap_buried(struct custom_map *cm, struct xbpf_provider *p)
{
	struct xbpf_runtime *rt = cm->map.obj.rt;
	const struct xbpf_map_type_provider *t = &p->u.map_type;
	if (!fits(p, cm)) {
		xbpf_log(rt, XBPF_LOG_ERROR,
			 "map '%s' (freed while orphaned) stays buried: map type %u of %s has another "
			 "base, properties or state_size than the provider that created the map",
			 cm->map.obj.name, t->type, xbpf_provider_owner(p));
		xbpf_registrar_lock(rt);
		if (cm->adopting == p)
			cm->adopting = NULL;
		xbpf_registrar_unlock(rt);
		return;
	}
	int64_t n = custom_count(&cm->map);
	release_all(cm, t);
	xbpf_registrar_remove_client(rt, &cm->client);
	cm->reaped = true; /* client_put frees it */
	xbpf_log(rt, XBPF_LOG_INFO, "map '%s' (freed while orphaned): map type '%s' (%s) released "
		 "its %lld entries and state", cm->map.obj.name, t->name, xbpf_provider_owner(p),
		 (long long)n);
}

/* Programs of these types use the map: the adopting provider must accept
 * them all. Returns false with the name of
 * the type it refuses in vetoed. */
static bool accepts_program_types(struct custom_map *cm, const struct xbpf_map_type_provider *t,
				  char *vetoed, size_t size)
{
	if (!t->associate)
		return true;
	struct xbpf_runtime *rt = cm->map.obj.rt;
	for (size_t i = 0;; i++) {
		char type[128];
		xbpf_registrar_lock(rt);
		bool more = i < cm->n_prog_types;
		if (more)
			snprintf(type, sizeof(type), "%s", cm->prog_types[i].name);
		xbpf_registrar_unlock(rt);
		if (!more)
			return true;
		if (t->associate(t->ctx, &cm->map, cm->state, type)) {
			snprintf(vetoed, size, "%s", type);
			return false;
		}
	}
}

static void client_slow(struct xbpf_client *c, struct xbpf_provider *p, bool adding)
{
	struct custom_map *cm = of_client(c);
	struct xbpf_runtime *rt = cm->map.obj.rt;
	const struct xbpf_map_type_provider *t = &p->u.map_type;
	if (!adding) {
		xbpf_log(rt, XBPF_LOG_INFO, "map '%s' (id %u) orphaned: its map type provider '%s' (%s) left",
			 cm->map.obj.name, cm->map.obj.id, t->name, xbpf_provider_owner(p));
		/* The releases that programs' writes queued for p have run
		 * (the registrar waited for p's queued count). */
		xbpf_registrar_lock(rt);
		if (cm->orphaned_by == p)
			cm->orphaned_by = NULL;
		xbpf_registrar_unlock(rt);
		return;
	}
	if (cm->buried) {
		reap_buried(cm, p);
		return;
	}
	bool ok = fits(p, cm);
	char vetoed[128];
	if (!ok)
		xbpf_log(rt, XBPF_LOG_ERROR,
			 "map '%s' (id %u) stays orphaned: map type %u of %s has another base, "
			 "properties or state_size than the provider that created the map",
			 cm->map.obj.name, cm->map.obj.id, t->type, xbpf_provider_owner(p));
	else if (!(ok = accepts_program_types(cm, t, vetoed, sizeof(vetoed))))
		xbpf_log(rt, XBPF_LOG_ERROR,
			 "map '%s' (id %u) stays orphaned: map type '%s' (%s) refuses programs of type "
			 "'%s', which use the map", cm->map.obj.name, cm->map.obj.id,
			 t->name, xbpf_provider_owner(p), vetoed);
	if (ok && t->adopt)
		t->adopt(t->ctx, &cm->map, cm->state);
	xbpf_registrar_lock(rt);
	if (cm->adopting == p) {
		cm->adopting = NULL;
		if (ok)
			set_provider(cm, p);
	}
	xbpf_registrar_unlock(rt);
	if (ok)
		xbpf_log(rt, XBPF_LOG_INFO, "map '%s' (id %u) adopted by map type '%s' (%s)",
			 cm->map.obj.name, cm->map.obj.id, t->name, xbpf_provider_owner(p));
}

static void client_get(struct xbpf_client *c)
{
	/* client_pending took the reference. */
}

static void free_parts(struct custom_map *cm);

static void client_put(struct xbpf_client *c)
{
	struct custom_map *cm = of_client(c);
	if (cm->reaped)
		free_parts(cm);
	else if (!cm->buried) /* a buried map had no reference taken */
		xbpf_obj_put(&cm->map.obj);
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
	for (size_t i = 0; i < cm->n_prog_types; i++)
		free(cm->prog_types[i].name);
	free(cm->prog_types);
	free(cm->opaque);
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
	/* Hash and array storage check sizes as their built-in kinds; a
	 * provider's own storage gets the same floor from the core. */
	if (t->base == XBPF_MAP_BASE_NONE && (!attr->key_size || !attr->value_size)) {
		xbpf_log(rt, XBPF_LOG_ERROR, "map '%s': map type '%s' (%s): key and value sizes "
			 "must not be 0 (key %u, value %u)", name, t->name, xbpf_provider_owner(p),
			 attr->key_size, attr->value_size);
		xbpf_provider_release(p);
		return -EINVAL;
	}
	int err;
	struct custom_map *cm = calloc(1, sizeof(*cm));
	if (!cm) {
		xbpf_provider_release(p);
		return -ENOMEM;
	}
	xbpf_map_init(&cm->map, attr, &custom_map_ops);
	xbpf_lock_init(&cm->write_lock);
	cm->base = t->base;
	cm->properties = t->properties;
	/* Programs may test a transformed map's lookups, never read or
	 * write through them (the run fails). (Without PROG_LOOKUP they
	 * get no pointer, and their writes are refused as unsupported.) */
	if (transforms(cm) && (cm->properties & XBPF_MAP_PROG_LOOKUP))
		cm->map.value_perm = 0;
	cm->state_size = t->state_size;
	cm->state = calloc(1, t->state_size ? t->state_size : 1);
	if (!cm->state) {
		free_parts(cm);
		xbpf_provider_release(p);
		return -ENOMEM;
	}
	err = xbpf_none_map_check_btf(rt, t, attr);
	if (!err && indexed(cm) && attr->key_size != sizeof(uint32_t)) {
		xbpf_log(rt, XBPF_LOG_ERROR, "map '%s': map type '%s' (%s) is indexed: key_size must "
			 "be 4 (a __u32 index), not %u", name, t->name, xbpf_provider_owner(p),
			 attr->key_size);
		err = -EINVAL;
	}
	if (!err && transforms(cm) && (cm->properties & XBPF_MAP_PROG_LOOKUP) &&
	    !(cm->opaque = calloc(1, attr->value_size ? attr->value_size : 1)))
		err = -ENOMEM;
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

/* After a grace period with no holder left (object free). A map freed
 * while orphaned is buried, not freed: its values may hold what only a
 * provider can release, and its provider's code may be gone. A provider
 * that is registered but has not adopted it yet (its slow step found the
 * map dying) cleans it up here. */
static void custom_free(struct xbpf_map *map)
{
	struct custom_map *cm = custom_of(map);
	struct xbpf_runtime *rt = map->obj.rt;

	xbpf_registrar_lock(rt);
	struct xbpf_provider *p = atomic_load(&cm->prov);
	if (!p || p->leaving)
		p = cm->adopting && !cm->adopting->leaving && fits(cm->adopting, cm) ? cm->adopting
										     : NULL;
	if (p)
		p->busy++;
	else
		cm->buried = true;
	xbpf_registrar_unlock(rt);
	if (!p) {
		xbpf_log(rt, XBPF_LOG_INFO, "map '%s' (id %u) freed while orphaned: its entries and "
			 "state are kept until a provider of map type %u releases them",
			 map->obj.name, map->obj.id, (unsigned)map->type);
		return;
	}
	xbpf_registrar_remove_client(rt, &cm->client);
	release_all(cm, &p->u.map_type);
	xbpf_provider_release(p);
	free_parts(cm);
}

void xbpf_custom_maps_free_buried(struct xbpf_runtime *rt)
{
	for (;;) {
		struct custom_map *cm = NULL;
		xbpf_registrar_lock(rt);
		for (struct xbpf_client *c = rt->reg.clients.next; c != &rt->reg.clients; c = c->next)
			if (c->ops == &custom_client_ops && of_client(c)->buried) {
				cm = of_client(c);
				c->prev->next = c->next;
				c->next->prev = c->prev;
				c->prev = c->next = c;
				break;
			}
		xbpf_registrar_unlock(rt);
		if (!cm)
			return;
		xbpf_log(rt, XBPF_LOG_INFO, "map '%s' (type %u) freed with the runtime while orphaned: "
			 "no provider released its %lld entries and state", cm->map.obj.name,
			 (unsigned)cm->map.type, (long long)custom_count(&cm->map));
		free_parts(cm);
	}
}

static const struct xbpf_map_ops custom_map_ops = {
	.free = custom_free,
	.lookup = custom_lookup,
	.update = custom_update,
	.delete = custom_delete,
	.for_each = custom_for_each,
	.host_lookup = custom_host_lookup,
	.host_update = custom_host_update,
	.host_delete = custom_host_delete,
	.host_lookup_and_delete = custom_host_lookup_and_delete,
	.host_lookup_sized = custom_host_lookup_sized,
	.get_next_key = custom_get_next_key,
	.value_region = custom_value_region,
	.count = custom_count,
};

/* Registrar's lock held. */
static struct prog_type_use *find_prog_type(struct custom_map *cm, const char *program_type)
{
	for (size_t i = 0; i < cm->n_prog_types; i++)
		if (strcmp(cm->prog_types[i].name, program_type) == 0)
			return &cm->prog_types[i];
	return NULL;
}

/* Registrar's lock held. */
static int add_prog_type_use(struct custom_map *cm, const char *program_type)
{
	struct prog_type_use *use = find_prog_type(cm, program_type);
	if (use) {
		use->programs++;
		return 0;
	}
	struct prog_type_use *uses = realloc(cm->prog_types, (cm->n_prog_types + 1) * sizeof(*uses));
	if (!uses)
		return -ENOMEM;
	cm->prog_types = uses;
	char *name = strdup(program_type);
	if (!name)
		return -ENOMEM;
	uses[cm->n_prog_types++] = (struct prog_type_use){name, 1};
	return 0;
}

/* Registrar's lock held. */
static void drop_prog_type_use(struct custom_map *cm, const char *program_type)
{
	struct prog_type_use *use = find_prog_type(cm, program_type);
	if (!use || --use->programs)
		return;
	free(use->name);
	*use = cm->prog_types[--cm->n_prog_types];
}

/* The program is counted among the map's users before the provider is
 * asked, so that an adoption racing the load asks the new provider too; a
 * refusal takes it back out. */
int xbpf_custom_map_associate(struct xbpf_map *map, const char *program_type)
{
	if (map->ops != &custom_map_ops)
		return 0;
	struct custom_map *cm = custom_of(map);
	struct xbpf_runtime *rt = map->obj.rt;
	xbpf_registrar_lock(rt);
	int err = add_prog_type_use(cm, program_type);
	struct xbpf_provider *p = atomic_load(&cm->prov);
	if (p && !p->leaving && !err)
		p->busy++;
	else
		p = NULL;
	xbpf_registrar_unlock(rt);
	if (!p)
		return err; /* orphaned: the adopting provider will be asked */
	const struct xbpf_map_type_provider *t = &p->u.map_type;
	err = t->associate ? t->associate(t->ctx, map, cm->state, program_type) : 0;
	xbpf_provider_release(p);
	if (err)
		xbpf_custom_map_disassociate(map, program_type);
	return err > 0 ? -EPERM : err;
}

void xbpf_custom_map_disassociate(struct xbpf_map *map, const char *program_type)
{
	if (map->ops != &custom_map_ops)
		return;
	struct custom_map *cm = custom_of(map);
	xbpf_registrar_lock(map->obj.rt);
	drop_prog_type_use(cm, program_type);
	xbpf_registrar_unlock(map->obj.rt);
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
