/* SPDX-License-Identifier: MIT */
/*
 * "ext/core/programs" (see prog_stats_map.h). Keys are program ids (u32);
 * values are struct xbpf_prog_run_stats (xbpf.h), read from the same
 * per-CPU counters as xbpf_program_get_info. Iteration walks program ids
 * in order. Hosts cannot write it (-EPERM).
 *
 * Published on first open rather than with the runtime, so a runtime
 * nobody asks for statistics has no extra map (ids and pin listings stay
 * as the host made them).
 */
#include "program/prog_stats_map.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "maps/control_map.h"
#include "runtime/log.h"
#include "runtime/registrar.h"
#include "runtime/runtime.h"

#define MAP_TYPE_NAME "core_programs"

static int stats_create(void *ctx, struct xbpf_map *map, const struct xbpf_map_params *params,
			void *state, uint32_t *stored_value_size)
{
	if (params->key_size != sizeof(uint32_t) ||
	    params->value_size != sizeof(struct xbpf_prog_run_stats))
		return -EINVAL;
	return 0;
}

static void stats_destroy(void *ctx, struct xbpf_map *map, void *state)
{
}

static int stats_lookup(void *ctx, struct xbpf_map *map, void *state, const void *key, void *value,
			uint32_t value_size, uint32_t flags)
{
	struct xbpf_runtime *rt = ctx;
	uint32_t id;
	memcpy(&id, key, sizeof(id));
	struct xbpf_program *prog;
	if (xbpf_program_get_by_id(rt, id, &prog))
		return -ENOENT;
	struct xbpf_program_info info;
	int err = xbpf_program_get_info(prog, &info);
	xbpf_program_put(prog);
	if (err)
		return err;
	struct xbpf_prog_run_stats stats = {
		.run_cnt = info.run_count,
		.run_time_ns = info.run_time_ns,
	};
	memcpy(value, &stats, value_size < sizeof(stats) ? value_size : sizeof(stats));
	return 0;
}

static int stats_update(void *ctx, struct xbpf_map *map, void *state, const void *key,
			const void *value, uint32_t value_size, uint64_t map_flags, uint32_t flags)
{
	return -EPERM;
}

static int stats_delete(void *ctx, struct xbpf_map *map, void *state, const void *key, uint32_t flags)
{
	return -EPERM;
}

static int stats_next_key(void *ctx, struct xbpf_map *map, void *state, const void *key,
			  void *next_key, uint32_t flags)
{
	uint32_t id = 0, next;
	if (key)
		memcpy(&id, key, sizeof(id));
	int err = xbpf_program_get_next_id(ctx, id, &next);
	if (!err)
		memcpy(next_key, &next, sizeof(next));
	return err;
}

/* BTF: __u32 keys, struct xbpf_prog_run_stats values. */
static struct btf *stats_btf(uint32_t *key_id, uint32_t *value_id)
{
	struct btf *btf = btf__new_empty();
	if (!btf)
		return NULL;
	int u32 = btf__add_int(btf, "__u32", 4, 0);
	int u64 = btf__add_int(btf, "__u64", 8, 0);
	int st = btf__add_struct(btf, "xbpf_prog_run_stats", sizeof(struct xbpf_prog_run_stats));
	if (u32 < 0 || u64 < 0 || st < 0 ||
	    btf__add_field(btf, "run_cnt", u64, offsetof(struct xbpf_prog_run_stats, run_cnt) * 8, 0) ||
	    btf__add_field(btf, "run_time_ns", u64,
			   offsetof(struct xbpf_prog_run_stats, run_time_ns) * 8, 0)) {
		btf__free(btf);
		return NULL;
	}
	*key_id = (uint32_t)u32;
	*value_id = (uint32_t)st;
	return btf;
}

/* The core's provider, held busy, registering it on first use. */
static int find_or_register(struct xbpf_runtime *rt, struct xbpf_provider **out)
{
	xbpf_registrar_find(rt, XBPF_PROVIDER_MAP_TYPE, MAP_TYPE_NAME, out);
	if (*out)
		return 0;
	uint32_t key_id, value_id;
	struct btf *btf = stats_btf(&key_id, &value_id);
	if (!btf)
		return -ENOMEM;
	uint32_t btf_size;
	const void *raw = btf__raw_data(btf, &btf_size);
	struct xbpf_map_type_provider t = {
		.hdr = XBPF_ABI_HEADER(struct xbpf_map_type_provider),
		.type = XBPF_MAP_TYPE_CORE_PROGRAMS,
		.name = MAP_TYPE_NAME,
		.base = XBPF_MAP_BASE_NONE,
		.create = stats_create,
		.destroy = stats_destroy,
		.lookup = stats_lookup,
		.update = stats_update,
		.delete_elem = stats_delete,
		.next_key = stats_next_key,
		.btf = raw,
		.btf_size = btf_size,
		.btf_key_type_id = key_id,
		.btf_value_type_id = value_id,
		.ctx = rt,
	};
	/* Copied at registration. */
	int err = raw ? xbpf_registrar_register(rt, NULL, XBPF_PROVIDER_MAP_TYPE, &t, NULL) : -ENOMEM;
	btf__free(btf);
	if (err && err != -EEXIST)
		return err;
	xbpf_registrar_find(rt, XBPF_PROVIDER_MAP_TYPE, MAP_TYPE_NAME, out);
	return *out ? 0 : -ENOENT;
}

int xbpf_core_control_map_open(struct xbpf_runtime *rt, const char *path)
{
	if (!path || strcmp(path, XBPF_CORE_PROGRAMS_PIN) != 0)
		return -ENOENT;
	/* First opens from several threads: one registers and publishes, the
	 * others find it done (and nobody logs a refused registration). */
	static pthread_mutex_t first_open = PTHREAD_MUTEX_INITIALIZER;
	struct xbpf_provider *p;
	pthread_mutex_lock(&first_open);
	int err = find_or_register(rt, &p);
	if (!err) {
		err = xbpf_control_map_publish(p, "programs", sizeof(uint32_t),
					       sizeof(struct xbpf_prog_run_stats), UINT32_MAX);
		xbpf_provider_release(p);
	}
	pthread_mutex_unlock(&first_open);
	return err;
}

void xbpf_core_control_maps_release(struct xbpf_runtime *rt)
{
	struct xbpf_provider *p;
	xbpf_registrar_find(rt, XBPF_PROVIDER_MAP_TYPE, MAP_TYPE_NAME, &p);
	if (!p)
		return;
	bool ours = p->ext == NULL;
	xbpf_provider_release(p);
	if (ours)
		xbpf_registrar_unregister(p);
}

bool xbpf_runtime_enable_stats(struct xbpf_runtime *rt, bool enable)
{
	if (!rt)
		return false;
	return atomic_exchange_explicit(&rt->stats_enabled, enable, memory_order_relaxed);
}
