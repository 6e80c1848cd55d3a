/* SPDX-License-Identifier: MIT */
/*
 * ARRAY and PERCPU_ARRAY: every index exists, values are zeroed at
 * creation and updated in place; entries cannot be deleted. Values are
 * 8-byte aligned (stride rounded up to 8); per-CPU arrays store an entry's
 * CPU slots side by side.
 */
#include "maps/array.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "maps/shared_mem.h"
#include "maps/types.h"
#include "runtime/log.h"

#define PCPU_MIN_UNIT_SIZE 32768

struct array {
	struct xbpf_map map;
	uint32_t stride;  /* value_size rounded up to 8 */
	unsigned ncpus;   /* slots per entry: 1, or the possible CPUs */
	char *values;
};

static struct array *array_of(const struct xbpf_map *map)
{
	return (struct array *)map;
}

#define ARRAY_CREATE_FLAGS (XBPF_F_NUMA_NODE | XBPF_F_MMAPABLE | XBPF_F_ACCESS_MASK | XBPF_F_INNER_MAP)

int xbpf_array_check_attr(struct xbpf_runtime *rt, const struct xbpf_map_attr *attr)
{
	const char *name = attr->name ? attr->name : "";
	bool percpu = attr->type == XBPF_MAP_TYPE_PERCPU_ARRAY;

	if (attr->max_entries == 0 || attr->key_size != 4 || attr->value_size == 0) {
		xbpf_log(rt, XBPF_LOG_ERROR,
			 "array map '%s': key_size %u (want 4), value_size %u and max_entries %u "
			 "(want non-zero)",
			 name, attr->key_size, attr->value_size, attr->max_entries);
		return -EINVAL;
	}
	if ((attr->map_flags & ~ARRAY_CREATE_FLAGS) ||
	    (percpu && (attr->map_flags & XBPF_F_NUMA_NODE)) ||
	    (attr->type != XBPF_MAP_TYPE_ARRAY &&
	     (attr->map_flags & (XBPF_F_MMAPABLE | XBPF_F_INNER_MAP)))) {
		xbpf_log(rt, XBPF_LOG_ERROR, "%s map '%s': flags 0x%x not accepted",
			 xbpf_map_type_name(attr->type), name, attr->map_flags);
		return -EINVAL;
	}
	if (attr->value_size > INT_MAX ||
	    (percpu && xbpf_round8(attr->value_size) > PCPU_MIN_UNIT_SIZE)) {
		xbpf_log(rt, XBPF_LOG_ERROR, "array map '%s': value_size %u too large", name,
			 attr->value_size);
		return -E2BIG;
	}
	return 0;
}

int xbpf_array_get_next_key(struct xbpf_map *map, const void *key, void *next_key)
{
	uint32_t index, next;
	if (key)
		memcpy(&index, key, sizeof(index));
	if (!key || index >= map->max_entries)
		next = 0;
	else if (index == map->max_entries - 1)
		return -ENOENT;
	else
		next = index + 1;
	memcpy(next_key, &next, sizeof(next));
	return 0;
}

static int array_alloc(struct xbpf_runtime *rt, const struct xbpf_map_attr *attr,
		       struct xbpf_map **out)
{
	int err = xbpf_array_check_attr(rt, attr);
	if (err)
		return err;
	bool percpu = attr->type == XBPF_MAP_TYPE_PERCPU_ARRAY;
	struct array *a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	xbpf_map_init(&a->map, attr, percpu ? &xbpf_percpu_array_ops : &xbpf_array_ops);
	a->map.percpu = percpu;
	a->stride = (uint32_t)xbpf_round8(attr->value_size);
	a->ncpus = percpu ? xbpf_num_possible_cpus() : 1;
	size_t slots = (size_t)attr->max_entries * a->ncpus;
	a->values = calloc(slots, a->stride);
	if (!a->values) {
		xbpf_log(rt, XBPF_LOG_ERROR, "array map '%s': out of memory for %u entries",
			 attr->name ? attr->name : "", attr->max_entries);
		free(a);
		return -ENOMEM;
	}
	*out = &a->map;
	return 0;
}

static void array_free(struct xbpf_map *map)
{
	struct array *a = array_of(map);
	free(a->values);
	free(a);
}

static inline char *slot(const struct array *a, uint32_t index, unsigned cpu)
{
	return a->values + ((size_t)index * a->ncpus + cpu) * a->stride;
}

static void *array_lookup(struct xbpf_map *map, const void *key, unsigned cpu)
{
	struct array *a = array_of(map);
	uint32_t index;
	memcpy(&index, key, sizeof(index));
	if (index >= map->max_entries || cpu >= a->ncpus)
		return NULL;
	return slot(a, index, map->percpu ? cpu : 0);
}

/* Linux's array_map_update_elem checks, in its order. */
static int check_update(const struct xbpf_map *map, uint32_t index, uint64_t flags)
{
	if ((flags & ~(uint64_t)XBPF_F_LOCK) > XBPF_EXIST)
		return -EINVAL;
	if (index >= map->max_entries)
		return -E2BIG;
	if (flags & XBPF_NOEXIST)
		return -EEXIST;
	if (flags & XBPF_F_LOCK) /* no value here has a bpf_spin_lock */
		return -EINVAL;
	return 0;
}

static long array_update(struct xbpf_map *map, const void *key, const void *value, uint64_t flags,
			 unsigned cpu)
{
	struct array *a = array_of(map);
	uint32_t index;
	memcpy(&index, key, sizeof(index));
	int err = check_update(map, index, flags);
	if (err)
		return err;
	if (cpu >= a->ncpus)
		return -EINVAL;
	xbpf_shared_write(slot(a, index, map->percpu ? cpu : 0), value, map->value_size);
	return 0;
}

static long array_delete(struct xbpf_map *map, const void *key)
{
	return -EINVAL;
}

/* Host lookups need no epoch: array storage never moves. */
static int array_host_lookup(struct xbpf_map *map, const void *key, void *value)
{
	struct array *a = array_of(map);
	uint32_t index;
	memcpy(&index, key, sizeof(index));
	if (index >= map->max_entries)
		return -ENOENT;
	/* Per-CPU: every slot with its padding, as Linux copies them. */
	xbpf_shared_read(value, slot(a, index, 0),
			 map->percpu ? (size_t)a->stride * a->ncpus : map->value_size);
	return 0;
}

static int array_host_update(struct xbpf_map *map, const void *key, const void *value,
			     uint64_t flags)
{
	struct array *a = array_of(map);
	uint32_t index;
	memcpy(&index, key, sizeof(index));
	int err = check_update(map, index, flags);
	if (err)
		return err;
	xbpf_shared_write(slot(a, index, 0), value,
			  map->percpu ? (size_t)a->stride * a->ncpus : map->value_size);
	return 0;
}

static long array_for_each(struct xbpf_map *map, xbpf_map_foreach_fn fn, void *user, unsigned cpu)
{
	struct array *a = array_of(map);
	if (cpu >= a->ncpus)
		return -EINVAL;
	long n = 0;
	for (uint32_t i = 0; i < map->max_entries; i++) {
		n++;
		if (fn(user, map, &i, slot(a, i, map->percpu ? cpu : 0)))
			break;
	}
	return n;
}

static bool array_value_region(const struct xbpf_map *map, uintptr_t addr, size_t size,
			       struct xbpf_region *out)
{
	const struct array *a = array_of(map);
	uintptr_t base = (uintptr_t)a->values;
	uintptr_t span = (uintptr_t)map->max_entries * a->ncpus * a->stride;
	if (addr < base || addr - base >= span)
		return false;
	uintptr_t within = (addr - base) % a->stride;
	if (size > map->value_size || within + size > map->value_size)
		return false;
	out->start = addr - within;
	out->end = out->start + map->value_size;
	return true;
}

static int64_t array_count(const struct xbpf_map *map)
{
	return map->max_entries;
}

const struct xbpf_map_ops xbpf_array_ops = {
	.alloc = array_alloc,
	.free = array_free,
	.lookup = array_lookup,
	.update = array_update,
	.delete = array_delete,
	.for_each = array_for_each,
	.host_lookup = array_host_lookup,
	.host_update = array_host_update,
	.get_next_key = xbpf_array_get_next_key,
	.value_region = array_value_region,
	.count = array_count,
};

const struct xbpf_map_ops xbpf_percpu_array_ops = {
	.alloc = array_alloc,
	.free = array_free,
	.lookup = array_lookup,
	.update = array_update,
	.delete = array_delete,
	.for_each = array_for_each,
	.host_lookup = array_host_lookup,
	.host_update = array_host_update,
	.get_next_key = xbpf_array_get_next_key,
	.value_region = array_value_region,
	.count = array_count,
};
