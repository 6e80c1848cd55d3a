/* SPDX-License-Identifier: MIT */
/* Runtime creation, release and log settings. */
#include "runtime/runtime.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "maps/custom_map.h"
#include "program/prog_stats_map.h"
#include "runtime/extension.h"
#include "runtime/log.h"

static const char *const level_names[] = { "error", "warning", "info", "debug" };

static void log_to_stderr(void *user, enum xbpf_log_level level, const char *msg)
{
	(void)user;
	fprintf(stderr, "xbpf: %s: %s\n", level_names[level], msg);
}

int xbpf_runtime_create(struct xbpf_runtime **out)
{
	if (!out)
		return -EINVAL;
	struct xbpf_runtime *rt = calloc(1, sizeof(*rt));
	if (!rt)
		return -ENOMEM;
	rt->n_cpus = xbpf_num_possible_cpus();
	rt->cpu_busy = calloc(rt->n_cpus, sizeof(*rt->cpu_busy));
	if (!rt->cpu_busy) {
		free(rt);
		return -ENOMEM;
	}
	atomic_init(&rt->refcnt, 1);
	pthread_mutex_init(&rt->lock, NULL);
	pthread_mutex_init(&rt->log_lock, NULL);
	pthread_mutex_init(&rt->ext_lock, NULL);
	xbpf_registrar_init(&rt->reg);
	rt->next_id = 1;
	rt->log_fn = log_to_stderr;
	atomic_init(&rt->log_max, XBPF_LOG_WARN);
	*out = rt;
	return 0;
}

void xbpf_runtime_get(struct xbpf_runtime *rt)
{
	atomic_fetch_add_explicit(&rt->refcnt, 1, memory_order_relaxed);
}

void xbpf_runtime_put(struct xbpf_runtime *rt)
{
	if (atomic_fetch_sub_explicit(&rt->refcnt, 1, memory_order_acq_rel) != 1)
		return;
	/* Every object held a reference: none is left, so are no ids. */
	free(rt->ids);
	free(rt->pins);
	free(rt->cpu_busy);
	xbpf_custom_maps_free_buried(rt);
	xbpf_registrar_destroy(&rt->reg);
	pthread_mutex_destroy(&rt->lock);
	pthread_mutex_destroy(&rt->log_lock);
	pthread_mutex_destroy(&rt->ext_lock);
	free(rt);
}

void xbpf_runtime_free(struct xbpf_runtime *rt)
{
	if (!rt)
		return;
	/* Pins first, while the extensions are still loaded: a pinned map of
	 * an extension's type is then released by its provider (cleanup and
	 * destroy callbacks, e.g. an XSKMAP closing its sockets) instead of
	 * being orphaned, and pinned links detach through their hooks. */
	xbpf_pins_release_all(rt);
	xbpf_extensions_unload_all(rt);
	xbpf_core_control_maps_release(rt);
	xbpf_runtime_put(rt);
}

void xbpf_runtime_set_log(struct xbpf_runtime *rt, xbpf_log_fn fn, void *user,
			  enum xbpf_log_level max_level)
{
	pthread_mutex_lock(&rt->log_lock);
	rt->log_fn = fn;
	rt->log_user = user;
	atomic_store_explicit(&rt->log_max, fn ? (int)max_level : -1, memory_order_relaxed);
	pthread_mutex_unlock(&rt->log_lock);
}
