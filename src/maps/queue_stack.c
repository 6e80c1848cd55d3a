/* SPDX-License-Identifier: MIT */
/*
 * QUEUE (FIFO) and STACK (LIFO): keyless maps of up to max_entries values
 * in a ring of max_entries + 1 slots. Push with BPF_EXIST into a full map
 * drops the oldest value, as Linux does. One short lock per map; values
 * are only touched under it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "maps/types.h"
#include "runtime/lock.h"
#include "runtime/log.h"

#define KMALLOC_MAX_SIZE (1U << 22)

struct queue_stack {
	struct xbpf_map map;
	xbpf_lock_t lock;
	uint32_t size; /* max_entries + 1 */
	uint32_t head; /* next slot to push into */
	uint32_t tail; /* oldest value */
	char *slots;
};

static struct queue_stack *qs_of(const struct xbpf_map *map)
{
	return (struct queue_stack *)map;
}

static int qs_alloc(struct xbpf_runtime *rt, const struct xbpf_map_attr *attr,
		    const struct xbpf_map_ops *ops, struct xbpf_map **out)
{
	const char *name = attr->name ? attr->name : "";
	const char *tname = xbpf_map_type_name(attr->type);

	if (attr->max_entries == 0 || attr->key_size != 0 || attr->value_size == 0 ||
	    (attr->map_flags & ~(XBPF_F_NUMA_NODE | XBPF_F_ACCESS_MASK))) {
		xbpf_log(rt, XBPF_LOG_ERROR,
			 "%s '%s': key_size %u (want 0), value_size %u and max_entries %u (want "
			 "non-zero), flags 0x%x",
			 tname, name, attr->key_size, attr->value_size, attr->max_entries,
			 attr->map_flags);
		return -EINVAL;
	}
	if (attr->value_size > KMALLOC_MAX_SIZE) {
		xbpf_log(rt, XBPF_LOG_ERROR, "%s '%s': value_size %u too large", tname, name,
			 attr->value_size);
		return -E2BIG;
	}
	struct queue_stack *qs = calloc(1, sizeof(*qs));
	if (!qs)
		return -ENOMEM;
	qs->size = attr->max_entries + 1;
	qs->slots = calloc(qs->size, attr->value_size);
	if (!qs->slots || qs->size == 0) {
		xbpf_log(rt, XBPF_LOG_ERROR, "%s '%s': out of memory for %u entries", tname, name,
			 attr->max_entries);
		free(qs->slots);
		free(qs);
		return -ENOMEM;
	}
	xbpf_map_init(&qs->map, attr, ops);
	xbpf_lock_init(&qs->lock);
	*out = &qs->map;
	return 0;
}

static void qs_free(struct xbpf_map *map)
{
	struct queue_stack *qs = qs_of(map);
	free(qs->slots);
	free(qs);
}

static char *slot(struct queue_stack *qs, uint32_t i)
{
	return qs->slots + (size_t)i * qs->map.value_size;
}

static uint32_t next_index(const struct queue_stack *qs, uint32_t i)
{
	return i + 1 == qs->size ? 0 : i + 1;
}

static long qs_push(struct xbpf_map *map, const void *value, uint64_t flags)
{
	struct queue_stack *qs = qs_of(map);
	if ((flags & XBPF_NOEXIST) || flags > XBPF_EXIST)
		return -EINVAL;

	xbpf_lock(&qs->lock);
	if (next_index(qs, qs->head) == qs->tail) {
		if (!(flags & XBPF_EXIST)) {
			xbpf_unlock(&qs->lock);
			return -E2BIG;
		}
		qs->tail = next_index(qs, qs->tail);
	}
	memcpy(slot(qs, qs->head), value, map->value_size);
	qs->head = next_index(qs, qs->head);
	xbpf_unlock(&qs->lock);
	return 0;
}

/* Queue: the oldest value; stack: the newest. */
static long qs_take(struct xbpf_map *map, void *value, bool remove)
{
	struct queue_stack *qs = qs_of(map);
	bool fifo = map->type == XBPF_MAP_TYPE_QUEUE;

	xbpf_lock(&qs->lock);
	if (qs->head == qs->tail) {
		xbpf_unlock(&qs->lock);
		return -ENOENT;
	}
	uint32_t i = fifo ? qs->tail : (qs->head == 0 ? qs->size - 1 : qs->head - 1);
	memcpy(value, slot(qs, i), map->value_size);
	if (remove) {
		if (fifo)
			qs->tail = next_index(qs, qs->tail);
		else
			qs->head = i;
	}
	xbpf_unlock(&qs->lock);
	return 0;
}

static long qs_pop(struct xbpf_map *map, void *value)
{
	return qs_take(map, value, true);
}

static long qs_peek(struct xbpf_map *map, void *value)
{
	return qs_take(map, value, false);
}

static long qs_delete(struct xbpf_map *map, const void *key)
{
	return -EINVAL;
}

static int qs_get_next_key(struct xbpf_map *map, const void *key, void *next_key)
{
	return -EINVAL;
}

static int64_t qs_count(const struct xbpf_map *map)
{
	struct queue_stack *qs = qs_of(map);
	xbpf_lock(&qs->lock);
	uint32_t n = qs->head >= qs->tail ? qs->head - qs->tail : qs->size - qs->tail + qs->head;
	xbpf_unlock(&qs->lock);
	return n;
}

static int queue_alloc(struct xbpf_runtime *rt, const struct xbpf_map_attr *attr,
		       struct xbpf_map **out)
{
	return qs_alloc(rt, attr, &xbpf_queue_ops, out);
}

static int stack_alloc(struct xbpf_runtime *rt, const struct xbpf_map_attr *attr,
		       struct xbpf_map **out)
{
	return qs_alloc(rt, attr, &xbpf_stack_ops, out);
}

const struct xbpf_map_ops xbpf_queue_ops = {
	.alloc = queue_alloc,
	.free = qs_free,
	.delete = qs_delete,
	.push = qs_push,
	.pop = qs_pop,
	.peek = qs_peek,
	.get_next_key = qs_get_next_key,
	.count = qs_count,
};

const struct xbpf_map_ops xbpf_stack_ops = {
	.alloc = stack_alloc,
	.free = qs_free,
	.delete = qs_delete,
	.push = qs_push,
	.pop = qs_pop,
	.peek = qs_peek,
	.get_next_key = qs_get_next_key,
	.count = qs_count,
};
