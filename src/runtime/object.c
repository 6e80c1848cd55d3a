/* SPDX-License-Identifier: MIT */
/* Object references and the runtime's id table. */
#include "runtime/object.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/log.h"
#include "runtime/runtime.h"

/* Ids are positive ints, as in Linux. */
#define ID_MAX 0x7fffffffU

bool xbpf_obj_name_valid(const char *name)
{
	if (!name)
		return true;
	size_t n = 0;
	for (; name[n]; n++) {
		char c = name[n];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '_' || c == '.';
		if (!ok || n + 1 >= XBPF_OBJ_NAME_LEN)
			return false;
	}
	return true;
}

void xbpf_obj_init(struct xbpf_obj *obj, struct xbpf_runtime *rt, enum xbpf_object_kind kind,
		      const struct xbpf_obj_ops *ops, const char *name)
{
	obj->ops = ops;
	obj->rt = rt;
	atomic_init(&obj->refcnt, 1);
	atomic_init(&obj->usercnt, 1);
	obj->id = 0;
	obj->kind = kind;
	memset(obj->name, 0, sizeof(obj->name));
	if (name)
		strncpy(obj->name, name, sizeof(obj->name) - 1);
	xbpf_runtime_get(rt);
}

/* Index of the first slot with an id >= id. */
static size_t id_lower_bound(const struct xbpf_runtime *rt, uint32_t id)
{
	size_t lo = 0, hi = rt->n_ids;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (rt->ids[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int xbpf_obj_publish(struct xbpf_obj *obj)
{
	struct xbpf_runtime *rt = obj->rt;
	int err = 0;

	pthread_mutex_lock(&rt->lock);
	if (rt->n_ids == ID_MAX) {
		err = -ENOSPC;
		goto out;
	}
	if (rt->n_ids == rt->cap_ids) {
		size_t cap = rt->cap_ids ? rt->cap_ids * 2 : 16;
		struct xbpf_id_slot *ids = realloc(rt->ids, cap * sizeof(*ids));
		if (!ids) {
			err = -ENOMEM;
			goto out;
		}
		rt->ids = ids;
		rt->cap_ids = cap;
	}
	/* Next id after the last one handed out, skipping live ones once
	 * the space has wrapped around. */
	uint32_t id = rt->next_id;
	size_t pos;
	for (;;) {
		if (id == 0 || id > ID_MAX)
			id = 1;
		pos = id_lower_bound(rt, id);
		if (pos == rt->n_ids || rt->ids[pos].id != id)
			break;
		id++;
	}
	memmove(&rt->ids[pos + 1], &rt->ids[pos], (rt->n_ids - pos) * sizeof(rt->ids[0]));
	rt->ids[pos] = (struct xbpf_id_slot){ .id = id, .obj = obj };
	rt->n_ids++;
	rt->next_id = id + 1;
	obj->id = id;
out:
	pthread_mutex_unlock(&rt->lock);
	if (err)
		xbpf_log(rt, XBPF_LOG_ERROR, "cannot give object '%s' an id: %s", obj->name,
			 err == -ENOSPC ? "no id left" : "out of memory");
	return err;
}

static void free_object(struct xbpf_epoch_head *head)
{
	struct xbpf_obj *obj = caa_container_of(head, struct xbpf_obj, free_head);
	struct xbpf_runtime *rt = obj->rt;

	obj->ops->free(obj);
	xbpf_runtime_put(rt);
}

void xbpf_obj_get(struct xbpf_obj *obj)
{
	atomic_fetch_add_explicit(&obj->refcnt, 1, memory_order_relaxed);
}

void xbpf_obj_put(struct xbpf_obj *obj)
{
	if (!obj || atomic_fetch_sub_explicit(&obj->refcnt, 1, memory_order_acq_rel) != 1)
		return;
	struct xbpf_runtime *rt = obj->rt;
	if (obj->id) {
		pthread_mutex_lock(&rt->lock);
		size_t pos = id_lower_bound(rt, obj->id);
		memmove(&rt->ids[pos], &rt->ids[pos + 1], (rt->n_ids - pos - 1) * sizeof(rt->ids[0]));
		rt->n_ids--;
		pthread_mutex_unlock(&rt->lock);
	}
	/* Programs and epoch readers may still see it (a map found in an
	 * outer map, a program in a PROG_ARRAY slot). */
	xbpf_epoch_call(&obj->free_head, free_object);
}

void xbpf_obj_get_user(struct xbpf_obj *obj)
{
	atomic_fetch_add_explicit(&obj->refcnt, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&obj->usercnt, 1, memory_order_relaxed);
}

void xbpf_obj_put_user(struct xbpf_obj *obj)
{
	if (!obj)
		return;
	if (atomic_fetch_sub_explicit(&obj->usercnt, 1, memory_order_acq_rel) == 1 &&
	    obj->ops->release_uref)
		obj->ops->release_uref(obj);
	xbpf_obj_put(obj);
}

int xbpf_obj_get_by_id(struct xbpf_runtime *rt, uint32_t id, enum xbpf_object_kind kind,
			  bool user, struct xbpf_obj **out)
{
	int err = -ENOENT;

	pthread_mutex_lock(&rt->lock);
	size_t pos = id_lower_bound(rt, id);
	if (id != 0 && pos < rt->n_ids && rt->ids[pos].id == id) {
		struct xbpf_obj *obj = rt->ids[pos].obj;
		uint64_t ref = atomic_load_explicit(&obj->refcnt, memory_order_relaxed);
		/* Take a reference only while it is still alive: the table
		 * entry goes away only after refcnt reached zero. */
		while (ref != 0 && !atomic_compare_exchange_weak_explicit(
					   &obj->refcnt, &ref, ref + 1, memory_order_acquire,
					   memory_order_relaxed))
			;
		if (ref != 0) {
			if (kind && obj->kind != kind) {
				pthread_mutex_unlock(&rt->lock);
				xbpf_obj_put(obj);
				return -EINVAL;
			}
			if (user)
				atomic_fetch_add_explicit(&obj->usercnt, 1, memory_order_relaxed);
			*out = obj;
			err = 0;
		}
	}
	pthread_mutex_unlock(&rt->lock);
	return err;
}

int xbpf_obj_next_id(struct xbpf_runtime *rt, enum xbpf_object_kind kind, uint32_t start_id,
			uint32_t *next_id)
{
	int err = -ENOENT;

	pthread_mutex_lock(&rt->lock);
	for (size_t pos = id_lower_bound(rt, start_id + 1); start_id < ID_MAX && pos < rt->n_ids;
	     pos++) {
		if (!kind || rt->ids[pos].obj->kind == kind) {
			*next_id = rt->ids[pos].id;
			err = 0;
			break;
		}
	}
	pthread_mutex_unlock(&rt->lock);
	return err;
}
