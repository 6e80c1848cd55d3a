/* SPDX-License-Identifier: MIT */
/* "ext/xdp/interfaces": per-interface counters (see counters_map.h). */
#include "counters_map.h"

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "frame_batch.h"

#define N_FIELDS (sizeof(struct xdp_if_counters) / sizeof(uint64_t))
/* Interfaces the map can show; more are counted per link only. */
#define MAX_INTERFACES 256
#define MAX_LINKS 1024

/* The frame counter behind each field of struct xdp_if_counters. */
static const enum frame_counter field_counter[N_FIELDS] = {
	FRAME_RECEIVED, FRAME_PASS, FRAME_DROP, FRAME_TX,
	FRAME_REDIRECT, FRAME_ABORTED, FRAME_ERROR,
};

struct tracked_link {
	struct xbpf_link *link; /* NULL: a free slot */
	uint32_t ifindex;
	_Atomic uint64_t *counters;
	uint64_t base[N_FIELDS]; /* the link's counts when tracking began */
};

struct interface {
	uint32_t ifindex; /* 0: a free slot */
	uint64_t retired[N_FIELDS]; /* counted by links no longer tracked */
};

struct xdp_counters {
	const struct xbpf_core_services *core;
	struct xbpf_provider *provider;
	pthread_mutex_t lock; /* guards what follows; never held across core calls */
	struct interface ifs[MAX_INTERFACES];
	struct tracked_link links[MAX_LINKS];
};

static uint64_t link_count(const struct tracked_link *l, size_t field)
{
	return atomic_load_explicit(&l->counters[field_counter[field]], memory_order_relaxed);
}

static struct interface *interface_of(struct xdp_counters *c, uint32_t ifindex, bool add)
{
	struct interface *free_slot = NULL;
	for (size_t i = 0; i < MAX_INTERFACES; i++) {
		if (c->ifs[i].ifindex == ifindex)
			return &c->ifs[i];
		if (!c->ifs[i].ifindex && !free_slot)
			free_slot = &c->ifs[i];
	}
	if (add && free_slot)
		free_slot->ifindex = ifindex;
	return add ? free_slot : NULL;
}

void xdp_counters_track(const struct xdp_hook_env *env, struct xbpf_link *link, uint32_t ifindex,
			_Atomic uint64_t *link_counters)
{
	struct xdp_counters *c = env->counters;
	if (!c || ifindex == 0)
		return;
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < MAX_LINKS; i++) {
		struct tracked_link *l = &c->links[i];
		if (l->link)
			continue;
		if (!interface_of(c, ifindex, true))
			break; /* too many interfaces: per link only */
		*l = (struct tracked_link){.link = link, .ifindex = ifindex, .counters = link_counters};
		/* Link counters keep their values across a detach and
		 * re-attach: count only what comes from now on. */
		for (size_t f = 0; f < N_FIELDS; f++)
			l->base[f] = link_count(l, f);
		break;
	}
	pthread_mutex_unlock(&c->lock);
}

void xdp_counters_untrack(const struct xdp_hook_env *env, struct xbpf_link *link)
{
	struct xdp_counters *c = env->counters;
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < MAX_LINKS; i++) {
		struct tracked_link *l = &c->links[i];
		if (l->link != link)
			continue;
		struct interface *ifc = interface_of(c, l->ifindex, false);
		for (size_t f = 0; ifc && f < N_FIELDS; f++)
			ifc->retired[f] += link_count(l, f) - l->base[f];
		l->link = NULL;
	}
	pthread_mutex_unlock(&c->lock);
}

/* ------------------------------------------------------------------------ */
/* The map type (base none): read-only, keys are ifindexes                  */
/* ------------------------------------------------------------------------ */

static int if_create(void *ctx, struct xbpf_map *map, const struct xbpf_map_params *params,
		     void *state, uint32_t *stored_value_size)
{
	if (params->key_size != sizeof(uint32_t) ||
	    params->value_size != sizeof(struct xdp_if_counters))
		return -EINVAL;
	return 0;
}

static void if_destroy(void *ctx, struct xbpf_map *map, void *state)
{
}

static int if_lookup(void *ctx, struct xbpf_map *map, void *state, const void *key, void *value,
		     uint32_t value_size, uint32_t flags)
{
	struct xdp_counters *c = ctx;
	uint32_t ifindex;
	memcpy(&ifindex, key, sizeof(ifindex));
	uint64_t sum[N_FIELDS];
	int err = -ENOENT;
	pthread_mutex_lock(&c->lock);
	struct interface *ifc = ifindex ? interface_of(c, ifindex, false) : NULL;
	if (ifc) {
		memcpy(sum, ifc->retired, sizeof(sum));
		for (size_t i = 0; i < MAX_LINKS; i++)
			for (size_t f = 0; c->links[i].link && c->links[i].ifindex == ifindex &&
					   f < N_FIELDS; f++)
				sum[f] += link_count(&c->links[i], f) - c->links[i].base[f];
		err = 0;
	}
	pthread_mutex_unlock(&c->lock);
	if (!err)
		memcpy(value, sum, value_size < sizeof(sum) ? value_size : sizeof(sum));
	return err;
}

static int if_update(void *ctx, struct xbpf_map *map, void *state, const void *key,
		     const void *value, uint32_t value_size, uint64_t map_flags, uint32_t flags)
{
	return -EPERM;
}

static int if_delete(void *ctx, struct xbpf_map *map, void *state, const void *key, uint32_t flags)
{
	return -EPERM;
}

/* Interfaces in ascending ifindex order. */
static int if_next_key(void *ctx, struct xbpf_map *map, void *state, const void *key,
		       void *next_key, uint32_t flags)
{
	struct xdp_counters *c = ctx;
	uint32_t after = 0, best = 0;
	if (key)
		memcpy(&after, key, sizeof(after));
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < MAX_INTERFACES; i++) {
		uint32_t ifx = c->ifs[i].ifindex;
		if (ifx > after && (!best || ifx < best))
			best = ifx;
	}
	pthread_mutex_unlock(&c->lock);
	if (!best)
		return -ENOENT;
	memcpy(next_key, &best, sizeof(best));
	return 0;
}

/* BTF: [1] __u32, [2] __u64, [3] struct xdp_if_counters of seven __u64. */
#define BTF_INT(name, size) (name), 0x01000000u, (size), ((size) * 8u)
#define MEMBER(name, index) (name), 2, (index) * 64u
#define STRINGS                                                                            \
	"\0__u32\0__u64\0xdp_if_counters\0received\0passed\0dropped\0transmitted\0redirected" \
	"\0aborted\0errors"
static const struct {
	uint16_t magic;
	uint8_t version, flags;
	uint32_t hdr_len, type_off, type_len, str_off, str_len;
	uint32_t types[4 + 4 + 3 + 3 * N_FIELDS];
	char strings[sizeof(STRINGS)];
} if_btf = {
	.magic = 0xeb9f,
	.version = 1,
	.hdr_len = 24,
	.type_len = sizeof(uint32_t) * (4 + 4 + 3 + 3 * N_FIELDS),
	.str_off = sizeof(uint32_t) * (4 + 4 + 3 + 3 * N_FIELDS),
	.str_len = sizeof(STRINGS),
	.types = {
		BTF_INT(1, 4),
		BTF_INT(7, 8),
		13, 0x04000000u | N_FIELDS, sizeof(struct xdp_if_counters),
		MEMBER(29, 0), MEMBER(38, 1), MEMBER(45, 2), MEMBER(53, 3),
		MEMBER(65, 4), MEMBER(76, 5), MEMBER(84, 6),
	},
	.strings = STRINGS,
};

static const struct xbpf_map_type_provider if_map_type = {
	.hdr = XBPF_ABI_HEADER(struct xbpf_map_type_provider),
	.type = XDP_MAP_TYPE_IF_COUNTERS,
	.name = "xdp_if_counters",
	.base = XBPF_MAP_BASE_NONE,
	.create = if_create,
	.destroy = if_destroy,
	.lookup = if_lookup,
	.update = if_update,
	.delete_elem = if_delete,
	.next_key = if_next_key,
	.btf = &if_btf,
	.btf_size = offsetof(__typeof__(if_btf), strings) + sizeof(STRINGS),
	.btf_key_type_id = 1,
	.btf_value_type_id = 3,
};

int xdp_counters_publish(struct xdp_hook_env *env)
{
	const struct xbpf_core_services *core = env->core;
	/* A core older than control maps (or a test's stand-in without map
	 * types): the hooks count per link only. */
	if (core->hdr.size < offsetof(struct xbpf_core_services, publish_map) + sizeof(void *) ||
	    !core->register_map_type || !core->publish_map || !core->unregister)
		return 0;
	struct xdp_counters *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->core = env->core;
	pthread_mutex_init(&c->lock, NULL);
	struct xbpf_map_type_provider t = if_map_type; /* the core keeps a copy */
	t.ctx = c;
	int err = env->core->register_map_type(env->ext, &t, &c->provider);
	if (!err)
		err = env->core->publish_map(c->provider, "interfaces", sizeof(uint32_t),
					     sizeof(struct xdp_if_counters), MAX_INTERFACES);
	if (err) {
		if (c->provider)
			env->core->unregister(c->provider);
		pthread_mutex_destroy(&c->lock);
		free(c);
		return err;
	}
	env->counters = c;
	return 0;
}

void xdp_counters_unpublish(struct xdp_hook_env *env)
{
	struct xdp_counters *c = env->counters;
	if (!c)
		return;
	/* Waits for lookups in flight; then nothing reads the table. */
	c->core->unregister(c->provider);
	env->counters = NULL;
	pthread_mutex_destroy(&c->lock);
	free(c);
}
