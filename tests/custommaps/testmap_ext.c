/* SPDX-License-Identifier: MIT */
/*
 * A test map type extension, built several ways (see CMakeLists.txt):
 *  TM_NAME      extension and map type name
 *  TM_TYPE      map type id
 *  TM_BASE      XBPF_MAP_BASE_HASH or _ARRAY
 *  TM_XFORM     1: transforms values. A caller's value is a uint64_t; the
 *               stored value (16 bytes) points to an object holding it, so
 *               every release is counted and a double release is seen.
 *               0: stores the caller's uint64_t as is, and lets programs
 *               look up, update and delete.
 *  TM_INDEXED   with TM_XFORM 0: keys are indexes (XBPF_MAP_INDEXED).
 *  TM_CALLBACKS with TM_XFORM 0: before_update and after_delete anyway,
 *               called by host and program writes. Each value counts as
 *               one object per store: live[value % TM_SLOTS] goes up in
 *               before_update and down in after_delete, so that with
 *               values unique to each write a second release is seen
 *               (the count goes negative) and the counts end at zero.
 *  TM_BAD_*     malformed provider data, to be refused by the core.
 * The host test reads counters and calls the core's map services through
 * the exported tm_* functions (xbpf_extension_symbol).
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xbpf/extension.h>

#ifndef TM_VETO_POSITIVE
#define TM_VETO_POSITIVE 0
#endif

#define TM_EXPORT __attribute__((visibility("default")))

#define OBJ_LIVE 0x11fe11fe11fe11feULL
#define OBJ_DEAD 0xdeaddeaddeaddeadULL
#define STATE_MAGIC 0x57a7e57a7eULL
/* A value before_update refuses, to see the provider's error unchanged. */
#define TM_REFUSED_VALUE 0xbadULL

struct tm_obj {
	_Atomic uint64_t magic;
	uint64_t payload;
};

struct tm_stored {
	struct tm_obj *obj; /* NULL: an array slot never written */
	uint64_t check;     /* payload ^ OBJ_LIVE */
};

/* Per-map state: kept by the core while the map is orphaned, so its
 * counts span every instance of the provider that served the map. */
struct tm_state {
	uint64_t magic;
	uint64_t adopted;
	/* TM_CALLBACKS: values stored and released, and the sum of those
	 * stored minus those released (the sum of the values in the map). */
	_Atomic uint64_t stored, released, sum;
};

struct tm_stats {
	long created, released, replaced, undone, cleaned, destroyed, adopted, bad;
	long prog_created, prog_released, live_nonzero, over_released;
};

#define TM_SLOTS (1u << 20)
static _Atomic int32_t live[TM_SLOTS];

TM_EXPORT void tm_stats(struct tm_stats *out);
TM_EXPORT void *tm_map_state(struct xbpf_map *map);
TM_EXPORT int tm_raw_lookup(struct xbpf_map *map, const void *key, void *stored, size_t size);
TM_EXPORT uint32_t tm_map_type(struct xbpf_map *map);
TM_EXPORT struct xbpf_provider *tm_provider(void);
TM_EXPORT void tm_gate_releases(_Atomic int *held, _Atomic int *open, int once_left);

static const struct xbpf_core_services *core;
static struct xbpf_provider *provider;
static _Atomic long created, released, replaced, undone, cleaned, destroyed, adopted, bad;
static _Atomic long prog_created, prog_released, over_released;

/* Exactly one of FROM_PROGRAM and FROM_HOST; counts those from programs. */
static void check_from(uint32_t flags, _Atomic long *from_program)
{
	bool prog = flags & XBPF_MAP_FROM_PROGRAM, host = flags & XBPF_MAP_FROM_HOST;
	if (prog == host)
		bad++;
	if (prog)
		(*from_program)++;
}

__attribute__((unused)) static int tm_cb_before_update(void *ctx, struct xbpf_map *map, void *state,
							const void *key, const void *value, void *stored,
							uint32_t flags)
{
	uint64_t v;
	memcpy(&v, value, sizeof(v));
	check_from(flags, &prog_created);
	if (memcmp(stored, value, sizeof(v)) != 0)
		bad++; /* the core hands over the caller's value */
	if (v == TM_REFUSED_VALUE)
		return -EBADMSG;
	struct tm_state *s = state;
	s->stored++;
	s->sum += v;
	live[v % TM_SLOTS]++;
	created++;
	return 0;
}

/* A test's gate on programs' releases (tm_gate_releases): while *open is
 * 0, a release a program queued (run on the epoch thread) sets *held and
 * waits; with once_left, only once this instance no longer serves the
 * map (its unregister has begun). */
static _Atomic int *_Atomic gate_held, *_Atomic gate_open;
static _Atomic int gate_once_left;

static void pass_gate(struct xbpf_map *map, uint32_t flags)
{
	_Atomic int *open = atomic_load(&gate_open), *held = atomic_load(&gate_held);
	/* Undoing is done by the writing program's thread: never held. */
	if (!open || !(flags & XBPF_MAP_FROM_PROGRAM) || (flags & XBPF_MAP_UNDO) || atomic_load(open))
		return;
	if (atomic_load(&gate_once_left) && core->map_state(map, provider))
		return;
	atomic_store(held, 1);
	const struct timespec pause = {.tv_nsec = 100 * 1000};
	while (!atomic_load(open))
		nanosleep(&pause, NULL);
}

__attribute__((unused)) static void tm_cb_after_delete(void *ctx, struct xbpf_map *map, void *state,
						       const void *key, void *stored, uint32_t flags)
{
	pass_gate(map, flags);
	uint64_t v;
	memcpy(&v, stored, sizeof(v));
	check_from(flags, &prog_released);
	if (TM_BASE == XBPF_MAP_BASE_ARRAY && v == 0)
		return; /* an array slot never written */
	struct tm_state *s = state;
	s->released++;
	s->sum -= v;
	if (--live[v % TM_SLOTS] < 0)
		over_released++; /* released more often than stored (by this instance) */
	released++;
	if (flags & XBPF_MAP_REPLACED)
		replaced++;
	if (flags & XBPF_MAP_UNDO)
		undone++;
	if (flags & XBPF_MAP_CLEANUP)
		cleaned++;
}

static int tm_create(void *ctx, struct xbpf_map *map, const struct xbpf_map_params *params,
		     void *state, uint32_t *stored_value_size)
{
	struct tm_state *s = state;
	if (s->magic || s->adopted)
		bad++; /* the core hands over zeroed state */
	if (params->type != TM_TYPE || core->map_type(map) != TM_TYPE)
		bad++;
	if (params->value_size != 8)
		return -EMSGSIZE;
	s->magic = STATE_MAGIC;
	if (TM_XFORM)
		*stored_value_size = sizeof(struct tm_stored);
#ifdef TM_BAD_STORED_SIZE
	*stored_value_size = 16; /* not allowed without TRANSFORMS_VALUES */
#endif
	return 0;
}

__attribute__((unused)) static void tm_destroy(void *ctx, struct xbpf_map *map, void *state)
{
	if (((struct tm_state *)state)->magic != STATE_MAGIC)
		bad++;
	destroyed++;
}

static void tm_adopt(void *ctx, struct xbpf_map *map, void *state)
{
	struct tm_state *s = state;
	if (s->magic != STATE_MAGIC)
		bad++; /* state must survive the provider */
	s->adopted++;
	adopted++;
}

__attribute__((unused)) static int tm_after_find(void *ctx, struct xbpf_map *map, void *state, const void *key,
			 const void *stored, void *value, uint32_t flags)
{
	const struct tm_stored *st = stored;
	uint64_t payload = 0;
	if (!(flags & XBPF_MAP_FROM_HOST))
		bad++;
	if (st->obj) {
		if (st->obj->magic != OBJ_LIVE || (st->obj->payload ^ OBJ_LIVE) != st->check) {
			bad++;
			return -EFAULT;
		}
		payload = st->obj->payload;
	}
	memcpy(value, &payload, sizeof(payload));
	return 0;
}

__attribute__((unused)) static int tm_before_update(void *ctx, struct xbpf_map *map, void *state, const void *key,
			    const void *value, void *stored, uint32_t flags)
{
	uint64_t payload;
	memcpy(&payload, value, sizeof(payload));
	if (!(flags & XBPF_MAP_FROM_HOST))
		bad++;
	if (payload == TM_REFUSED_VALUE)
		return -EBADMSG;
	struct tm_obj *obj = malloc(sizeof(*obj));
	if (!obj)
		return -ENOMEM;
	obj->magic = OBJ_LIVE;
	obj->payload = payload;
	struct tm_stored st = {.obj = obj, .check = payload ^ OBJ_LIVE};
	memcpy(stored, &st, sizeof(st));
	created++;
	return 0;
}

__attribute__((unused)) static void tm_after_delete(void *ctx, struct xbpf_map *map, void *state, const void *key,
			    void *stored, uint32_t flags)
{
	struct tm_stored st;
	memcpy(&st, stored, sizeof(st));
	if (!(flags & XBPF_MAP_FROM_HOST))
		bad++;
	if (!st.obj)
		return;
	uint64_t was = OBJ_LIVE;
	if (!atomic_compare_exchange_strong(&st.obj->magic, &was, OBJ_DEAD)) {
		bad++; /* released twice */
		return;
	}
	free(st.obj);
	released++;
	if (flags & XBPF_MAP_REPLACED)
		replaced++;
	if (flags & XBPF_MAP_UNDO)
		undone++;
	if (flags & XBPF_MAP_CLEANUP)
		cleaned++;
}

static uint64_t none_lookup_dummy;

__attribute__((unused)) static int tm_none_lookup(void *ctx, struct xbpf_map *map, void *state,
						  const void *key, void *value, uint32_t value_size,
						  uint32_t flags)
{
	memcpy(value, &none_lookup_dummy, value_size < 8 ? value_size : 8);
	return 0;
}

__attribute__((unused)) static int tm_none_update(void *ctx, struct xbpf_map *map, void *state,
						  const void *key, const void *value,
						  uint32_t value_size, uint64_t map_flags, uint32_t flags)
{
	return -EPERM;
}

__attribute__((unused)) static int tm_none_delete(void *ctx, struct xbpf_map *map, void *state,
						  const void *key, uint32_t flags)
{
	return -EPERM;
}

/* Vetoes the "sample" program type: -EACCES, or 1 (any non-zero). */
__attribute__((unused)) static int tm_associate(void *ctx, struct xbpf_map *map, void *state,
						const char *program_type)
{
	if (((struct tm_state *)state)->magic != STATE_MAGIC)
		bad++;
	if (strcmp(program_type, "sample") != 0)
		return 0;
	return TM_VETO_POSITIVE ? 1 : -EACCES;
}

static const struct xbpf_map_type_provider map_type = {
	.hdr = XBPF_ABI_HEADER(struct xbpf_map_type_provider),
#ifdef TM_BAD_BUILTIN_TYPE
	.type = 1,
#else
	.type = TM_TYPE,
#endif
	.name = TM_NAME,
#ifdef TM_BAD_NONE_NO_NEXT_KEY
	.base = XBPF_MAP_BASE_NONE,
	.lookup = tm_none_lookup,
	.update = tm_none_update,
	.delete_elem = tm_none_delete,
#else
	.base = TM_BASE,
#endif
#ifdef TM_BAD_PROG_XFORM
	.properties = XBPF_MAP_TRANSFORMS_VALUES | XBPF_MAP_PROG_LOOKUP | XBPF_MAP_PROG_UPDATE,
#elif defined(TM_BAD_INDEXED)
	.properties = XBPF_MAP_INDEXED,
#elif defined(TM_INDEXED)
	.properties = XBPF_MAP_INDEXED | XBPF_MAP_PROG_LOOKUP | XBPF_MAP_PROG_UPDATE |
		      XBPF_MAP_PROG_DELETE,
#elif TM_XFORM
	.properties = XBPF_MAP_TRANSFORMS_VALUES,
#else
	.properties = XBPF_MAP_PROG_LOOKUP | XBPF_MAP_PROG_UPDATE | XBPF_MAP_PROG_DELETE,
#endif
	.state_size = sizeof(struct tm_state),
	.create = tm_create,
#ifndef TM_BAD_NO_DESTROY
	.destroy = tm_destroy,
#endif
	.adopt = tm_adopt,
#ifdef TM_VETO
	.associate = tm_associate,
#endif
#ifdef TM_CALLBACKS
	.before_update = tm_cb_before_update,
	.after_delete = tm_cb_after_delete,
#endif
#if TM_XFORM
#ifndef TM_BAD_NO_AFTER_FIND
	.after_find = tm_after_find,
#endif
#ifndef TM_BAD_NO_BEFORE_UPDATE
	.before_update = tm_before_update,
#endif
	.after_delete = tm_after_delete,
#endif
};

/* The provider's own helper, as programs call it (named helper tm_read):
 * the caller's value of key in a map of this type, read through the raw
 * lookup; -EINVAL for a map that is not this provider's, -ENOENT when the
 * key is absent. */
__attribute__((unused)) static uint64_t tm_read(uint64_t map_arg, uint64_t key, uint64_t r3,
						uint64_t r4, uint64_t r5, struct xbpf_exec *exec)
{
	struct xbpf_map *map = (struct xbpf_map *)(uintptr_t)map_arg;
	if (!core->map_state(map, provider))
		return (uint64_t)-EINVAL;
	const struct tm_stored *st = core->map_raw_lookup(map, provider, (const void *)(uintptr_t)key);
	if (!st)
		return (uint64_t)-ENOENT;
	return st->obj ? st->obj->payload : 0;
}

__attribute__((unused)) static const struct xbpf_helper read_helper = {
	.hdr = XBPF_ABI_HEADER(struct xbpf_helper),
	.name = "tm_read",
	.fn = tm_read,
	.ret = XBPF_RET_INTEGER,
	.args = {XBPF_ARG_CONST_MAP_PTR, XBPF_ARG_PTR_TO_MAP_KEY},
	.arg_width = {8, 8},
};

__attribute__((unused)) static const struct xbpf_helper_provider read_helpers = {
	.hdr = XBPF_ABI_HEADER(struct xbpf_helper_provider),
	.name = TM_NAME,
	.helpers = &read_helper,
	.n_helpers = 1,
};

static int tm_init(struct xbpf_extension *ext, const struct xbpf_core_services *services)
{
	core = services;
	int err = core->register_map_type(ext, &map_type, &provider);
#if TM_XFORM
	if (!err)
		err = core->register_helpers(ext, &read_helpers, NULL);
#endif
	return err;
}

XBPF_EXTENSION(TM_NAME, "test map type", tm_init, NULL);

TM_EXPORT void tm_stats(struct tm_stats *out)
{
	out->created = created;
	out->released = released;
	out->replaced = replaced;
	out->undone = undone;
	out->cleaned = cleaned;
	out->destroyed = destroyed;
	out->adopted = adopted;
	out->bad = bad;
	out->prog_created = prog_created;
	out->prog_released = prog_released;
	out->over_released = over_released;
	out->live_nonzero = 0;
	for (uint32_t i = 0; i < TM_SLOTS; i++)
		if (live[i])
			out->live_nonzero++;
}

/* The core's services as a helper of this provider would use them. */
TM_EXPORT void *tm_map_state(struct xbpf_map *map)
{
	return core->map_state(map, provider);
}

TM_EXPORT int tm_raw_lookup(struct xbpf_map *map, const void *key, void *stored, size_t size)
{
	core->epoch_enter();
	const void *p = core->map_raw_lookup(map, provider, key);
	if (p)
		memcpy(stored, p, size);
	core->epoch_exit();
	return p ? 0 : -ENOENT;
}

TM_EXPORT uint32_t tm_map_type(struct xbpf_map *map)
{
	return core->map_type(map);
}

TM_EXPORT struct xbpf_provider *tm_provider(void)
{
	return provider;
}

TM_EXPORT void tm_gate_releases(_Atomic int *held, _Atomic int *open, int once_left)
{
	atomic_store(&gate_once_left, once_left);
	atomic_store(&gate_held, held);
	atomic_store(&gate_open, open);
}
