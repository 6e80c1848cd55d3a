/* SPDX-License-Identifier: MIT */
/* The BTF of a map (see map_btf.h). */
#include "maps/map_btf.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "maps/map.h"
#include "runtime/log.h"

struct xbpf_btf_blob {
	atomic_uint refs;
	struct btf *btf;   /* parsed from data */
	size_t size;
	unsigned char data[];
};

/* What a map points to: a blob and the two ids. */
struct xbpf_map_btf {
	struct xbpf_btf_blob *blob;
	uint32_t key_type_id;
	uint32_t value_type_id;
};

int xbpf_btf_blob_new(struct xbpf_runtime *rt, const void *data, size_t size,
		      struct xbpf_btf_blob **out)
{
	struct xbpf_btf_blob *blob;

	*out = NULL;
	if (!data || size == 0 || size > UINT32_MAX) {
		if (rt)
			xbpf_log(rt, XBPF_LOG_ERROR, "map BTF: %zu bytes is not a possible size", size);
		return -EINVAL;
	}
	blob = malloc(sizeof(*blob) + size);
	if (!blob)
		return -ENOMEM;
	memcpy(blob->data, data, size);
	blob->size = size;
	atomic_init(&blob->refs, 1);
	errno = 0;
	blob->btf = btf__new(blob->data, (uint32_t)size);
	if (!blob->btf) {
		int err = errno == ENOMEM ? -ENOMEM : -EINVAL;
		if (rt)
			xbpf_log(rt, XBPF_LOG_ERROR, "map BTF: libbpf cannot parse the %zu bytes: %s",
				 size, strerror(errno ? errno : EINVAL));
		free(blob);
		return err;
	}
	*out = blob;
	return 0;
}

void xbpf_btf_blob_get(struct xbpf_btf_blob *blob)
{
	atomic_fetch_add_explicit(&blob->refs, 1, memory_order_relaxed);
}

void xbpf_btf_blob_put(struct xbpf_btf_blob *blob)
{
	if (!blob || atomic_fetch_sub_explicit(&blob->refs, 1, memory_order_acq_rel) != 1)
		return;
	btf__free(blob->btf);
	free(blob);
}

const struct btf *xbpf_btf_blob_btf(const struct xbpf_btf_blob *blob)
{
	return blob->btf;
}

/* Is id 0, or a type whose size is want bytes? Logs why not. */
static int check_type(struct xbpf_map *map, const struct btf *btf, uint32_t id, uint32_t want,
		      const char *what)
{
	const char *name = xbpf_map_name(map) ? xbpf_map_name(map) : "";
	long long size;

	if (id == 0)
		return 0;
	if (id >= btf__type_cnt(btf)) {
		xbpf_map_log(map, XBPF_LOG_ERROR, "map '%s': BTF %s type id %u does not exist (%u types)",
			     name, what, id, btf__type_cnt(btf) - 1);
		return -EINVAL;
	}
	size = btf__resolve_size(btf, id);
	if (size < 0 || (uint64_t)size != want) {
		xbpf_map_log(map, XBPF_LOG_ERROR,
			     "map '%s': BTF %s type %u has %lld bytes, the map's %s has %u", name,
			     what, id, size, what, want);
		return -EINVAL;
	}
	return 0;
}

int xbpf_map_set_btf_blob(struct xbpf_map *map, struct xbpf_btf_blob *blob, uint32_t key_type_id,
			  uint32_t value_type_id)
{
	struct xbpf_map_btf *mb, *none = NULL;
	int err;

	if (!map || !blob)
		return -EINVAL;
	if ((err = check_type(map, blob->btf, key_type_id, map->key_size, "key")) ||
	    (err = check_type(map, blob->btf, value_type_id, map->value_size, "value")))
		return err;
	mb = malloc(sizeof(*mb));
	if (!mb)
		return -ENOMEM;
	*mb = (struct xbpf_map_btf){blob, key_type_id, value_type_id};
	xbpf_btf_blob_get(blob);
	/* Set once: a reader never sees the BTF change under it. */
	if (!atomic_compare_exchange_strong_explicit(&map->btf, &none, mb, memory_order_acq_rel,
						     memory_order_acquire)) {
		xbpf_btf_blob_put(blob);
		free(mb);
		return -EEXIST;
	}
	return 0;
}

int xbpf_map_set_btf(struct xbpf_map *map, const void *btf, size_t size, uint32_t key_type_id,
		     uint32_t value_type_id)
{
	struct xbpf_btf_blob *blob;
	int err;

	if (!map)
		return -EINVAL;
	if ((err = xbpf_btf_blob_new(map->obj.rt, btf, size, &blob)))
		return err;
	err = xbpf_map_set_btf_blob(map, blob, key_type_id, value_type_id);
	xbpf_btf_blob_put(blob);
	return err;
}

const struct xbpf_btf_blob *xbpf_map_btf_of(const struct xbpf_map *map, uint32_t *key_type_id,
					    uint32_t *value_type_id)
{
	struct xbpf_map_btf *mb = atomic_load_explicit(&((struct xbpf_map *)map)->btf,
						       memory_order_acquire);
	if (!mb)
		return NULL;
	if (key_type_id)
		*key_type_id = mb->key_type_id;
	if (value_type_id)
		*value_type_id = mb->value_type_id;
	return mb->blob;
}

void xbpf_map_btf_release(struct xbpf_map *map)
{
	struct xbpf_map_btf *mb = atomic_exchange_explicit(&map->btf, NULL, memory_order_acquire);

	if (!mb)
		return;
	xbpf_btf_blob_put(mb->blob);
	free(mb);
}

int xbpf_map_btf(const struct xbpf_map *map, const void **btf, size_t *btf_size,
			  uint32_t *key_type_id, uint32_t *value_type_id)
{
	uint32_t key = 0, value = 0;
	const struct xbpf_btf_blob *blob = map ? xbpf_map_btf_of(map, &key, &value) : NULL;

	if (!map)
		return -EINVAL;
	if (!blob)
		return -ENOENT;
	if (btf)
		*btf = blob->data;
	if (btf_size)
		*btf_size = blob->size;
	if (key_type_id)
		*key_type_id = key;
	if (value_type_id)
		*value_type_id = value;
	return 0;
}
