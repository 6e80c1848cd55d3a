/* SPDX-License-Identifier: MIT */
/*
 * Maps inside xbpf: the map object, the ops table every map type
 * implements (like Linux's bpf_map_ops), and the program path that helpers
 * call.
 *
 * Two entry paths reach a map:
 *  - the host API (include/xbpf/xbpf.h): copies in and out, checks sizes,
 *    flags and the RDONLY/WRONLY/frozen permissions, may block;
 *  - the program path (below): called by helpers while a program runs,
 *    always inside an epoch, never blocking on anything a reader holds and
 *    (for preallocated maps) never allocating. Lookups return a pointer to
 *    the value in place, valid until the epoch ends.
 */
#ifndef XBPF_MAPS_MAP_H
#define XBPF_MAPS_MAP_H

#include "xbpf/xbpf.h"

#include <stdatomic.h>

#include "runtime/object.h"
#include "vm/vm.h"

/* What xbpf_map_create was asked for. */
struct xbpf_map_attr {
	enum xbpf_map_type type;
	const char *name;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	uint32_t numa_node;
	uint64_t map_extra;
	struct xbpf_map *inner_map;
};

/* Linux's ACCESS_MASK: who may read and write. */
#define XBPF_F_ACCESS_MASK (XBPF_F_RDONLY | XBPF_F_WRONLY | XBPF_F_RDONLY_PROG | XBPF_F_WRONLY_PROG)

/* Per-element callback of for_each: 0 continues, 1 stops. */
typedef long (*xbpf_map_foreach_fn)(void *user, struct xbpf_map *map, const void *key, void *value);

struct xbpf_map_ops {
	/* Validates attr with Linux's error codes (logging why) and
	 * allocates the map; xbpf_map_init fills the common part. */
	int (*alloc)(struct xbpf_runtime *rt, const struct xbpf_map_attr *attr, struct xbpf_map **out);
	void (*free)(struct xbpf_map *map);
	/* Optional: the last host-side reference has gone. */
	void (*release_uref)(struct xbpf_map *map);

	/* Program path. cpu is the run's CPU slot (< xbpf_num_possible_cpus()).
	 * Missing ops mean the type lacks the operation. */
	void *(*lookup)(struct xbpf_map *map, const void *key, unsigned cpu);
	long (*update)(struct xbpf_map *map, const void *key, const void *value, uint64_t flags,
		       unsigned cpu);
	long (*delete)(struct xbpf_map *map, const void *key);
	long (*push)(struct xbpf_map *map, const void *value, uint64_t flags);
	long (*pop)(struct xbpf_map *map, void *value);
	long (*peek)(struct xbpf_map *map, void *value);
	long (*for_each)(struct xbpf_map *map, xbpf_map_foreach_fn fn, void *user, unsigned cpu);

	/* Host path, where it differs from the program path (per-CPU values,
	 * object ids): value has xbpf_map_host_value_size() bytes. Missing
	 * host ops fall back to lookup/update on CPU 0 with copies. */
	int (*host_lookup)(struct xbpf_map *map, const void *key, void *value);
	int (*host_update)(struct xbpf_map *map, const void *key, const void *value, uint64_t flags);
	int (*host_lookup_and_delete)(struct xbpf_map *map, const void *key, void *value);
	/* Optional: a host delete that differs from the program's (extension
	 * map types call their provider on the host path only). */
	int (*host_delete)(struct xbpf_map *map, const void *key);
	/* key NULL or absent: the first key. Called outside any epoch. */
	int (*get_next_key)(struct xbpf_map *map, const void *key, void *next_key);

	/* Engine: if [addr, addr+size) lies inside one value slot, its region. */
	bool (*value_region)(const struct xbpf_map *map, uintptr_t addr, size_t size,
			     struct xbpf_region *out);
	/* Entries for xbpf_map_get_info, when cheap to know. */
	int64_t (*count)(const struct xbpf_map *map);
	/* Optional: a host lookup into a buffer of the caller's value size
	 * (xbpf_map_lookup_elem_sized); without it the core copies. */
	int (*host_lookup_sized)(struct xbpf_map *map, const void *key, void *value, size_t value_size);
};

struct xbpf_map {
	struct xbpf_obj obj;
	const struct xbpf_map_ops *ops;
	enum xbpf_map_type type;
	uint32_t key_size;
	uint32_t value_size;  /* as the user sees it; per CPU for per-CPU maps */
	uint32_t max_entries;
	uint32_t map_flags;
	uint64_t map_extra;
	uint32_t value_perm;  /* XBPF_MEM_* that programs have on values */
	bool percpu;          /* host values are one 8-byte-rounded slot per CPU */
	/* Map-in-map: the template inner maps must match (a reference). */
	struct xbpf_map *inner_meta;
	atomic_bool frozen;
	/* BTF of key and value, set at most once (maps/map_btf.h). */
	struct xbpf_map_btf *_Atomic btf;
};

/* Fill the common part of a map a type allocated. */
void xbpf_map_init(struct xbpf_map *map, const struct xbpf_map_attr *attr,
		   const struct xbpf_map_ops *ops);

static inline struct xbpf_map *xbpf_map_from_obj(struct xbpf_obj *obj)
{
	return (struct xbpf_map *)obj;
}

/* Internal references (programs, outer maps): unlike xbpf_map_get/put they
 * do not count as host-side holders. */
static inline void xbpf_map_ref(struct xbpf_map *map)
{
	xbpf_obj_get(&map->obj);
}

static inline void xbpf_map_unref(struct xbpf_map *map)
{
	if (map)
		xbpf_obj_put(&map->obj);
}

/* Round up to 8 bytes, as per-CPU slots and array strides are. */
static inline uint64_t xbpf_round8(uint64_t n)
{
	return (n + 7) & ~(uint64_t)7;
}

/* Is a map of this type, key, value and flags a valid inner map for an
 * outer map created with template meta? (Linux's bpf_map_meta_equal.) */
bool xbpf_map_meta_equal(const struct xbpf_map *meta, const struct xbpf_map *inner);

/* ------------------------------------------------------------------------ */
/* Program path                                                             */
/* ------------------------------------------------------------------------ */

/* A pointer to the value (per-CPU maps: cpu's slot; map-in-map: the inner
 * struct xbpf_map *; NULL when absent). */
static inline void *xbpf_map_lookup_prog(struct xbpf_map *map, const void *key, unsigned cpu)
{
	return map->ops->lookup ? map->ops->lookup(map, key, cpu) : NULL;
}

long xbpf_map_update_prog(struct xbpf_map *map, const void *key, const void *value, uint64_t flags,
			  unsigned cpu);
long xbpf_map_delete_prog(struct xbpf_map *map, const void *key);
long xbpf_map_push_prog(struct xbpf_map *map, const void *value, uint64_t flags);
long xbpf_map_pop_prog(struct xbpf_map *map, void *value);
long xbpf_map_peek_prog(struct xbpf_map *map, void *value);
/* bpf_for_each_map_elem: calls fn for each element with the value in place
 * (cpu's slot for per-CPU maps) until it returns non-zero; returns the
 * number of elements visited, or -EINVAL for flags, -EOPNOTSUPP for a type
 * without iteration. */
long xbpf_map_for_each_prog(struct xbpf_map *map, xbpf_map_foreach_fn fn, void *user,
			    uint64_t flags, unsigned cpu);

/* PROG_ARRAY: the program object at index (NULL if none), for tail calls.
 * Inside an epoch; the object stays valid until the epoch ends. */
struct xbpf_obj *xbpf_prog_array_lookup(struct xbpf_map *map, uint32_t index);

/* PROG_ARRAY compatibility check, set by the program layer: may a program
 * go into this array? The first program inserted may claim the array for
 * its kind of programs through owner (zeroed at creation; the array's
 * update lock is held during the call). NULL: any program object. */
struct xbpf_prog_array_owner {
	bool claimed;
	uint32_t prog_type;
	uint32_t flags;
};
typedef int (*xbpf_prog_array_compat_fn)(struct xbpf_map *array, struct xbpf_prog_array_owner *owner,
					 struct xbpf_obj *prog);
void xbpf_prog_array_set_compat(xbpf_prog_array_compat_fn fn);

/* ------------------------------------------------------------------------ */
/* Engine: run-time memory checks                                           */
/* ------------------------------------------------------------------------ */

/* If [addr, addr+size) lies inside one value slot of map, its region with
 * the program's permission (BPF_F_RDONLY_PROG: read only). Values of maps
 * whose storage is allocated per element (BPF_F_NO_PREALLOC hashes, LPM
 * tries, queues) are not found here: the call gate records them when a
 * helper returns them. An array with one entry (global data) gives its
 * whole value as one region. */
bool xbpf_map_value_region(const struct xbpf_map *map, uintptr_t addr, size_t size,
			   struct xbpf_region *out);

/* Shape of the map for the engine's checks. */
void xbpf_map_shape_of(const struct xbpf_map *map, struct xbpf_map_shape *shape);

/* Logging with the map's runtime. */
#define xbpf_map_log(map, level, ...) xbpf_log((map)->obj.rt, level, __VA_ARGS__)

#endif /* XBPF_MAPS_MAP_H */
