/* SPDX-License-Identifier: MIT */
/*
 * Element operations from the host: argument, flag and permission checks in
 * Linux's order (so the same call fails the same way), then the type's ops.
 */
#include <errno.h>
#include <stdlib.h>

#include "maps/map.h"
#include "maps/map_sized.h"
#include "maps/shared_mem.h"
#include "runtime/epoch.h"

static bool host_can_read(const struct xbpf_map *map)
{
	return !(map->map_flags & XBPF_F_WRONLY);
}

/* Frozen maps lose write permission, as in Linux's map_get_sys_perms. */
static bool host_can_write(const struct xbpf_map *map)
{
	return !(map->map_flags & XBPF_F_RDONLY) &&
	       !atomic_load_explicit(&map->frozen, memory_order_acquire);
}

/* Keyless types (queue, stack, bloom filter) take NULL keys. */
static bool key_ok(const struct xbpf_map *map, const void *key)
{
	return key || map->key_size == 0;
}

int xbpf_map_lookup_elem_flags(struct xbpf_map *map, const void *key, void *value, uint64_t flags)
{
	if (!map || !value || !key_ok(map, key))
		return -EINVAL;
	/* BPF_F_LOCK needs a bpf_spin_lock in the value, which only BTF
	 * describes: no map here has one. */
	if (flags & ~(uint64_t)XBPF_F_LOCK)
		return -EINVAL;
	if (!host_can_read(map))
		return -EPERM;
	if (flags & XBPF_F_LOCK)
		return -EINVAL;

	if (map->ops->host_lookup)
		return map->ops->host_lookup(map, key, value);
	if (map->key_size == 0)
		return map->ops->peek ? (int)map->ops->peek(map, value) : -EOPNOTSUPP;
	if (!map->ops->lookup)
		return -EOPNOTSUPP;

	int err = 0;
	xbpf_epoch_enter();
	const void *p = map->ops->lookup(map, key, 0);
	if (p)
		xbpf_shared_read(value, p, map->value_size);
	else
		err = -ENOENT;
	xbpf_epoch_exit();
	return err;
}

int xbpf_map_lookup_elem(struct xbpf_map *map, const void *key, void *value)
{
	return xbpf_map_lookup_elem_flags(map, key, value, 0);
}

int xbpf_map_lookup_elem_sized(struct xbpf_map *map, const void *key, void *value,
			       size_t value_size)
{
	if (!map || !value || value_size == 0 || !key_ok(map, key))
		return -EINVAL;
	if (value_size == xbpf_map_host_value_size(map))
		return xbpf_map_lookup_elem(map, key, value);
	if (!host_can_read(map))
		return -EPERM;
	if (map->ops->host_lookup_sized)
		return map->ops->host_lookup_sized(map, key, value, value_size);
	return xbpf_map_lookup_copy(map, key, value, value_size);
}

int xbpf_map_update_elem(struct xbpf_map *map, const void *key, const void *value, uint64_t flags)
{
	if (!map || !value || !key_ok(map, key))
		return -EINVAL;
	if (!host_can_write(map))
		return -EPERM;
	if (flags & XBPF_F_LOCK)
		return -EINVAL;

	if (map->ops->host_update)
		return map->ops->host_update(map, key, value, flags);
	if (map->key_size == 0)
		return map->ops->push ? (int)map->ops->push(map, value, flags) : -EOPNOTSUPP;
	if (!map->ops->update)
		return -EOPNOTSUPP;
	xbpf_epoch_enter();
	int err = (int)map->ops->update(map, key, value, flags, 0);
	xbpf_epoch_exit();
	return err;
}

int xbpf_map_delete_elem(struct xbpf_map *map, const void *key)
{
	if (!map || !key_ok(map, key))
		return -EINVAL;
	if (!host_can_write(map))
		return -EPERM;
	if (map->ops->host_delete)
		return map->ops->host_delete(map, key);
	if (!map->ops->delete)
		return -EOPNOTSUPP;
	xbpf_epoch_enter();
	int err = (int)map->ops->delete(map, key);
	xbpf_epoch_exit();
	return err;
}

int xbpf_map_lookup_and_delete_elem(struct xbpf_map *map, const void *key, void *value)
{
	if (!map || !value || !key_ok(map, key))
		return -EINVAL;
	if (!host_can_read(map) || !host_can_write(map))
		return -EPERM;
	if (map->key_size == 0)
		return map->ops->pop ? (int)map->ops->pop(map, value) : -EOPNOTSUPP;
	if (!map->ops->host_lookup_and_delete)
		return -EOPNOTSUPP;
	return map->ops->host_lookup_and_delete(map, key, value);
}

int xbpf_map_get_next_key(struct xbpf_map *map, const void *key, void *next_key)
{
	if (!map || !next_key)
		return -EINVAL;
	if (!host_can_read(map))
		return -EPERM;
	if (!map->ops->get_next_key)
		return -EOPNOTSUPP;
	return map->ops->get_next_key(map, key, next_key);
}

int xbpf_map_freeze(struct xbpf_map *map)
{
	if (!map)
		return -EINVAL;
	/* A frozen map is no longer writable: freezing again is -EPERM, as
	 * on Linux. */
	if (!host_can_write(map))
		return -EPERM;
	bool was = atomic_exchange_explicit(&map->frozen, true, memory_order_acq_rel);
	return was ? -EBUSY : 0;
}
