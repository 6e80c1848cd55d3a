/* SPDX-License-Identifier: MIT */
/*
 * The runtime object: the registry of objects (ids) and pins, and the log
 * settings. Internal to the layers; hosts see an opaque handle.
 *
 * Lifetime: the host holds one reference (dropped by xbpf_runtime_free)
 * and every live object holds one, so the runtime outlives all objects.
 */
#ifndef XBPF_RUNTIME_RUNTIME_H
#define XBPF_RUNTIME_RUNTIME_H

#include "xbpf/xbpf.h"

#include <pthread.h>
#include <stdatomic.h>

#include "runtime/registrar.h"

struct xbpf_obj;

struct xbpf_id_slot {
	uint32_t id;
	struct xbpf_obj *obj;
};

struct xbpf_pin {
	char *path;
	struct xbpf_obj *obj;
};

struct xbpf_runtime {
	_Atomic uint64_t refcnt;

	/* Guards the id table and the pins. Never held while an object is
	 * released (destructors may come back to the registry). */
	pthread_mutex_t lock;
	/* Live objects sorted by id. */
	struct xbpf_id_slot *ids;
	size_t n_ids, cap_ids;
	uint32_t next_id;
	/* Pins sorted by path. */
	struct xbpf_pin *pins;
	size_t n_pins, cap_pins;

	/* Log settings; the lock is held while the callback runs, so messages
	 * arrive one at a time and never after set_log replaced the callback. */
	pthread_mutex_t log_lock;
	xbpf_log_fn log_fn;
	void *log_user;
	/* Highest level the callback takes, -1 when silenced; read without
	 * the lock to skip formatting messages nobody wants. */
	_Atomic int log_max;

	/* Providers and their clients. */
	struct xbpf_registrar reg;
	/* Loaded extensions, guarded by ext_lock. */
	pthread_mutex_t ext_lock;
	struct xbpf_extension *extensions;

	/* CPU slots: a run holds one for its duration, as a kernel program
	 * runs with migration disabled, so per-CPU values are never shared
	 * by two runs at once (see program/cpu_slot.h). */
	_Atomic uint32_t *cpu_busy;
	unsigned n_cpus;
	/* Time every run (program info and statistics): costs two clock
	 * reads per run, off by default as Linux's bpf_stats_enabled. */
	atomic_bool stats_enabled;
};

void xbpf_runtime_get(struct xbpf_runtime *rt);
void xbpf_runtime_put(struct xbpf_runtime *rt);

/* Drops every pin (called by xbpf_runtime_free). */
void xbpf_pins_release_all(struct xbpf_runtime *rt);

#endif /* XBPF_RUNTIME_RUNTIME_H */
