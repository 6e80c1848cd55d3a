/* SPDX-License-Identifier: MIT */
/*
 * Batch operations over the element operations, as Linux's generic batch
 * functions do: lookup walks keys with get_next_key from in_batch (the last
 * key of the previous batch) and leaves the last key it copied in
 * out_batch; update and delete stop at the first failing element. *count
 * says how many elements were done.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "maps/map.h"

/* Lookups retried when a key vanishes between get_next_key and lookup. */
#define LOOKUP_RETRIES 3

static int check_opts(const struct xbpf_map_batch_opts *opts, uint64_t *elem_flags)
{
	*elem_flags = 0;
	if (!opts)
		return 0;
	if (opts->sz < sizeof(size_t))
		return -EINVAL;
	struct xbpf_map_batch_opts o = { 0 };
	memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
	/* BPF_F_LOCK would need a bpf_spin_lock in the value; nothing else is
	 * defined. */
	if (o.elem_flags & ~(uint64_t)XBPF_F_LOCK || o.flags)
		return -EINVAL;
	*elem_flags = o.elem_flags;
	return 0;
}

static int lookup_batch(struct xbpf_map *map, void *in_batch, void *out_batch, void *keys,
			void *values, uint32_t *count, const struct xbpf_map_batch_opts *opts,
			bool do_delete)
{
	uint64_t elem_flags;
	if (!map || !count || !keys || !values || !out_batch)
		return -EINVAL;
	int err = check_opts(opts, &elem_flags);
	if (err)
		return err;
	if (map->key_size == 0 || !map->ops->get_next_key ||
	    (do_delete && !map->ops->host_lookup_and_delete))
		return -EOPNOTSUPP;
	if (elem_flags)
		return -EINVAL;

	uint32_t max = *count;
	*count = 0;
	if (max == 0)
		return 0;

	size_t vsize = xbpf_map_host_value_size(map);
	char *buf = malloc(2 * (size_t)map->key_size + vsize);
	if (!buf)
		return -ENOMEM;
	char *prev = buf, *key = buf + map->key_size, *value = key + map->key_size;
	bool have_prev = in_batch != NULL;
	if (have_prev)
		memcpy(prev, in_batch, map->key_size);

	uint32_t done = 0;
	int retries = LOOKUP_RETRIES;
	while (done < max) {
		err = xbpf_map_get_next_key(map, have_prev ? prev : NULL, key);
		if (err)
			break;
		err = do_delete ? xbpf_map_lookup_and_delete_elem(map, key, value)
				: xbpf_map_lookup_elem(map, key, value);
		if (err == -ENOENT) {
			/* Deleted under us: try again from the same place. */
			if (retries--)
				continue;
			err = -EINTR;
			break;
		}
		if (err)
			break;
		memcpy((char *)keys + (size_t)done * map->key_size, key, map->key_size);
		memcpy((char *)values + (size_t)done * vsize, value, vsize);
		memcpy(prev, key, map->key_size);
		have_prev = true;
		retries = LOOKUP_RETRIES;
		done++;
	}
	*count = done;
	if (done)
		memcpy(out_batch, prev, map->key_size);
	free(buf);
	return err;
}

int xbpf_map_lookup_batch(struct xbpf_map *map, void *in_batch, void *out_batch, void *keys,
			  void *values, uint32_t *count, const struct xbpf_map_batch_opts *opts)
{
	return lookup_batch(map, in_batch, out_batch, keys, values, count, opts, false);
}

int xbpf_map_lookup_and_delete_batch(struct xbpf_map *map, void *in_batch, void *out_batch,
				     void *keys, void *values, uint32_t *count,
				     const struct xbpf_map_batch_opts *opts)
{
	return lookup_batch(map, in_batch, out_batch, keys, values, count, opts, true);
}

int xbpf_map_update_batch(struct xbpf_map *map, const void *keys, const void *values,
			  uint32_t *count, const struct xbpf_map_batch_opts *opts)
{
	uint64_t elem_flags;
	if (!map || !count || !keys || !values)
		return -EINVAL;
	int err = check_opts(opts, &elem_flags);
	if (err)
		return err;
	if (map->key_size == 0)
		return -EOPNOTSUPP;

	size_t vsize = xbpf_map_host_value_size(map);
	uint32_t done = 0;
	for (; done < *count; done++) {
		err = xbpf_map_update_elem(map, (const char *)keys + (size_t)done * map->key_size,
					   (const char *)values + (size_t)done * vsize, elem_flags);
		if (err)
			break;
	}
	*count = done;
	return err;
}

int xbpf_map_delete_batch(struct xbpf_map *map, const void *keys, uint32_t *count,
			  const struct xbpf_map_batch_opts *opts)
{
	uint64_t elem_flags;
	if (!map || !count || !keys)
		return -EINVAL;
	int err = check_opts(opts, &elem_flags);
	if (err)
		return err;
	if (map->key_size == 0)
		return -EOPNOTSUPP;

	uint32_t done = 0;
	for (; done < *count; done++) {
		err = xbpf_map_delete_elem(map, (const char *)keys + (size_t)done * map->key_size);
		if (err)
			break;
	}
	*count = done;
	return err;
}
