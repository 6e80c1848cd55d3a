/* SPDX-License-Identifier: MIT */
/*
 * The header every runtime object embeds (maps now; programs, links and
 * extensions later): kind, runtime-wide id, name and two reference counts.
 *
 * refcnt counts every holder; the object is destroyed, after an epoch grace
 * period, when it drops to zero. usercnt counts the holders on the host's
 * side (handles and pins); when it drops to zero the object may release
 * what it holds of other objects (a PROG_ARRAY empties itself, as in Linux),
 * which breaks reference cycles such as a program that tail-calls through a
 * PROG_ARRAY holding that program.
 *
 * Ids: an object gets one when it is published and keeps it for life; ids
 * are allocated cyclically and not reused while the runtime lives (until
 * the 31-bit space wraps, as Linux's idr_alloc_cyclic).
 */
#ifndef XBPF_RUNTIME_OBJECT_H
#define XBPF_RUNTIME_OBJECT_H

#include "xbpf/xbpf.h"

#include <stdatomic.h>

#include "runtime/epoch.h"

struct xbpf_obj;

struct xbpf_obj_ops {
	/* Frees the object; runs after a grace period on the epoch thread. */
	void (*free)(struct xbpf_obj *obj);
	/* Optional: the last host-side holder has gone. */
	void (*release_uref)(struct xbpf_obj *obj);
};

struct xbpf_obj {
	const struct xbpf_obj_ops *ops;
	struct xbpf_runtime *rt;
	_Atomic uint64_t refcnt;
	_Atomic uint64_t usercnt;
	uint32_t id; /* 0 until published */
	enum xbpf_object_kind kind;
	char name[XBPF_OBJ_NAME_LEN];
	struct xbpf_epoch_head free_head;
};

/* Is name acceptable for an object (NULL is: no name)? Letters, digits, '_'
 * and '.', shorter than XBPF_OBJ_NAME_LEN, as Linux's object names. */
bool xbpf_obj_name_valid(const char *name);

/* Set up obj with one reference of each kind for the caller; takes a
 * runtime reference. The name must be valid. */
void xbpf_obj_init(struct xbpf_obj *obj, struct xbpf_runtime *rt, enum xbpf_object_kind kind,
		      const struct xbpf_obj_ops *ops, const char *name);
/* Give obj an id so that it can be found by id. -ENOSPC when no id is left. */
int xbpf_obj_publish(struct xbpf_obj *obj);

void xbpf_obj_get(struct xbpf_obj *obj);
void xbpf_obj_put(struct xbpf_obj *obj);
/* A host-side reference: counts in both usercnt and refcnt. */
void xbpf_obj_get_user(struct xbpf_obj *obj);
void xbpf_obj_put_user(struct xbpf_obj *obj);

/* The live object with this id and kind (0: any kind), with a new
 * reference (a host-side one if user). -ENOENT when there is none or it
 * is being destroyed, -EINVAL when it is of another kind. */
int xbpf_obj_get_by_id(struct xbpf_runtime *rt, uint32_t id, enum xbpf_object_kind kind,
			  bool user, struct xbpf_obj **out);
/* The smallest id of a live object of this kind above start_id. */
int xbpf_obj_next_id(struct xbpf_runtime *rt, enum xbpf_object_kind kind, uint32_t start_id,
			uint32_t *next_id);

/* Pins. A pin holds a host-side reference. Paths are "a/b/c": components
 * separated by single '/', none empty, "." or "..", no control characters,
 * shorter than XBPF_PIN_PATH_LEN; a pinned path cannot be a directory of
 * another (like files in bpffs). */
int xbpf_obj_pin(struct xbpf_obj *obj, const char *path);
/* A host's pin: as xbpf_obj_pin, but "ext" and "ext/..." are refused with
 * -EPERM, since extensions publish their control maps there. */
int xbpf_obj_pin_by_host(struct xbpf_obj *obj, const char *path);
int xbpf_obj_get_pinned(struct xbpf_runtime *rt, const char *path, enum xbpf_object_kind kind,
			   struct xbpf_obj **out);

#endif /* XBPF_RUNTIME_OBJECT_H */
