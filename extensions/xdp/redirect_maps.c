/* SPDX-License-Identifier: MIT */
/*
 * Registering the redirect map types, and bpf_redirect_map.
 *
 * A helper has no ctx, and the core gives a provider's raw lookup only to
 * that provider (struct xbpf_provider), of which there is one per runtime
 * that loaded the extension. So the registrations are kept in slots that
 * the helper tries in turn: the core answers only for the provider that
 * serves the map, by comparing pointers (a stale slot is harmless).
 */
#include <errno.h>
#include <linux/bpf.h>
#include <pthread.h>
#include <string.h>

#include "hook_params.h"
#include "redirect_maps.h"

#define MAX_RUNTIMES 32 /* that load the extension at the same time */

static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;
static struct xbpf_provider *_Atomic xsk_slots[MAX_RUNTIMES];
static struct xbpf_provider *_Atomic dev_slots[MAX_RUNTIMES];

static int take_slot(struct xbpf_provider *_Atomic *slots, struct xbpf_provider *p)
{
	int err = -ENOSPC;
	pthread_mutex_lock(&slots_lock);
	for (size_t i = 0; i < MAX_RUNTIMES; i++)
		if (!atomic_load(&slots[i])) {
			atomic_store(&slots[i], p);
			err = 0;
			break;
		}
	pthread_mutex_unlock(&slots_lock);
	return err;
}

static void leave_slot(struct xbpf_provider *_Atomic *slots, struct xbpf_provider *p)
{
	pthread_mutex_lock(&slots_lock);
	for (size_t i = 0; i < MAX_RUNTIMES; i++)
		if (atomic_load(&slots[i]) == p)
			atomic_store(&slots[i], NULL);
	pthread_mutex_unlock(&slots_lock);
}

static int register_one(struct xdp_hook_env *env, const struct xbpf_map_type_provider *type,
			struct xbpf_provider *_Atomic *slots, struct xbpf_provider **out)
{
	struct xbpf_map_type_provider provider = *type; /* the core keeps a copy */
	provider.ctx = env;
	int err = env->core->register_map_type(env->ext, &provider, out);
	if (err)
		return err;
	err = take_slot(slots, *out);
	if (err) {
		hook_log(env, XBPF_LOG_ERROR,
			 "xdp: %s: more than %d runtimes load the extension at once", type->name,
			 MAX_RUNTIMES);
		env->core->unregister(*out);
		*out = NULL;
	}
	return err;
}

/* For the hooks: the interfaces of a DEVMAP a program broadcasts to. */
static uint32_t broadcast_targets(void *map, uint32_t *ifindexes, uint32_t max)
{
	for (size_t i = 0; i < MAX_RUNTIMES; i++) {
		struct xbpf_provider *p = atomic_load_explicit(&dev_slots[i], memory_order_acquire);
		uint32_t n = p ? devmap_ifindexes(map, p, ifindexes, max) : 0;
		if (n)
			return n;
	}
	return 0;
}

int redirect_maps_register(struct xdp_hook_env *env, struct xbpf_provider *out[2])
{
	atomic_store(&redirect_broadcast_targets, broadcast_targets);
	int err = register_one(env, &xdp_xskmap_type, xsk_slots, &out[0]);
	if (!err)
		err = register_one(env, &xdp_devmap_type, dev_slots, &out[1]);
	return err;
}

void redirect_maps_unregister(const struct xdp_hook_env *env, struct xbpf_provider *providers[2])
{
	struct xbpf_provider *_Atomic *slots[2] = {xsk_slots, dev_slots};
	for (size_t i = 0; i < 2; i++) {
		if (!providers[i])
			continue;
		leave_slot(slots[i], providers[i]);
		env->core->unregister(providers[i]);
		providers[i] = NULL;
	}
}

int redirect_map_check(const struct xdp_hook_env *env, const struct xbpf_map_params *params,
		       const uint32_t *value_sizes)
{
	const char *type = params->type == XDP_MAP_TYPE_XSKMAP ? "xskmap" : "devmap";
	if (params->key_size != sizeof(uint32_t)) {
		hook_log(env, XBPF_LOG_ERROR, "%s '%s': key_size %u; the key is a __u32 index", type,
			 params->name, params->key_size);
		return -EINVAL;
	}
	for (size_t i = 0; value_sizes[i]; i++)
		if (params->value_size == value_sizes[i])
			return 0;
	hook_log(env, XBPF_LOG_ERROR, "%s '%s': value_size %u; it must be %s", type, params->name,
		 params->value_size,
		 params->type == XDP_MAP_TYPE_XSKMAP ? "4 (a socket descriptor)"
						     : "4 (an ifindex) or 8 (struct bpf_devmap_val)");
	return -EINVAL;
}

int redirect_map_check_index(const void *key, uint32_t max_entries)
{
	uint32_t index;
	memcpy(&index, key, sizeof(index));
	return index < max_entries ? 0 : -E2BIG;
}

/* The stored value of key in map, if one of our providers serves it. */
static const void *stored_value(struct xbpf_map *map, struct xbpf_provider *_Atomic *slots,
				uint32_t key)
{
	for (size_t i = 0; i < MAX_RUNTIMES; i++) {
		struct xbpf_provider *p = atomic_load_explicit(&slots[i], memory_order_acquire);
		if (!p)
			continue;
		const void *stored = xdp_core->map_raw_lookup(map, p, &key);
		if (stored || xdp_core->map_state(map, p))
			return stored;
	}
	return NULL;
}

static bool served(struct xbpf_map *map, struct xbpf_provider *_Atomic *slots)
{
	for (size_t i = 0; i < MAX_RUNTIMES; i++) {
		struct xbpf_provider *p = atomic_load_explicit(&slots[i], memory_order_acquire);
		if (p && xdp_core->map_state(map, p))
			return true;
	}
	return false;
}

/* As Linux's __bpf_xdp_redirect_map: the low bits of flags are the
 * verdict when key has no entry; other flags make it XDP_ABORTED, but for
 * DEVMAP's BPF_F_BROADCAST (to every entry; the key does not matter) and
 * BPF_F_EXCLUDE_INGRESS (but the interface the frame came in on). */
uint64_t xdp_redirect_map(uint64_t map_arg, uint64_t key, uint64_t flags, uint64_t r4, uint64_t r5,
			  struct xbpf_exec *exec)
{
	const uint64_t action_mask = XDP_ABORTED | XDP_DROP | XDP_PASS | XDP_TX;
	struct xdp_internal_ctx *ctx = xdp_core->exec_context(exec);
	struct xbpf_map *map = (struct xbpf_map *)(uintptr_t)map_arg;
	uint32_t type = xdp_core->map_type(map);

	uint64_t flag_mask = type == XDP_MAP_TYPE_DEVMAP ? BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS : 0;
	if (flags & ~(action_mask | flag_mask))
		return XDP_ABORTED;
	if ((flags & BPF_F_BROADCAST) && served(map, dev_slots)) {
		ctx->redirect_map_type = XDP_MAP_TYPE_DEVMAP | XDP_REDIRECT_BROADCAST;
		ctx->redirect_key = (uint32_t)flags;
		ctx->redirect_target = map;
		return XDP_REDIRECT;
	}
	const void *stored = NULL;
	if (type == XDP_MAP_TYPE_XSKMAP)
		stored = stored_value(map, xsk_slots, (uint32_t)key);
	else if (type == XDP_MAP_TYPE_DEVMAP)
		stored = stored_value(map, dev_slots, (uint32_t)key);
	else
		return XDP_ABORTED; /* Linux refuses such a program at load */
	if (!stored) {
		/* As Linux, a failed lookup forgets an earlier redirect. */
		ctx->redirect_map_type = 0;
		ctx->redirect_key = 0;
		ctx->redirect_target = NULL;
		return flags & action_mask;
	}
	ctx->redirect_map_type = type;
	ctx->redirect_key = (uint32_t)key;
	ctx->redirect_target = (void *)stored;
	return XDP_REDIRECT;
}
