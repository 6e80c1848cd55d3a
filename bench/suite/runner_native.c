/* SPDX-License-Identifier: MIT */
/*
 * Runs the suite's programs as native C: the same sources compiled with
 * -DBENCH_NATIVE (see bench/suite/CMakeLists.txt), in two variants whose
 * symbols carry a prefix so both link into one binary: map lookups inlined
 * (native_inline_*, no runtime at all) and as out-of-line calls
 * (native_calls_*, the least a helper call costs). As the shared harness
 * does, programs are called through a function pointer on a packet with
 * 256 bytes of headroom, set up once per batch like a test run.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define BENCH_NATIVE 1
#include "bench_common.h"
#include "suite.h"

typedef int (*native_fn)(struct xdp_md *ctx);

#define NATIVE_DECLARE(v)                                                        \
	int native_##v##_empty(struct xdp_md *ctx);                              \
	int native_##v##_alu_loop(struct xdp_md *ctx);                           \
	int native_##v##_hash_lookup(struct xdp_md *ctx);                        \
	int native_##v##_array_sum(struct xdp_md *ctx);                          \
	int native_##v##_packet_parse(struct xdp_md *ctx);                       \
	int native_##v##_subprog_calls(struct xdp_md *ctx);                      \
	extern struct native_hash native_##v##_hl_map;                           \
	extern struct native_array native_##v##_as_map, native_##v##_pp_counters
NATIVE_DECLARE(inline);
NATIVE_DECLARE(calls);

struct native_variant {
	const char *name;
	native_fn fns[SUITE_PROGS]; /* in the order of suite_progs */
	struct native_hash *hl_map;
	struct native_array *as_map, *pp_counters;
};

#define NATIVE_VARIANT(v, label)                                                       \
	{                                                                              \
		label,                                                                 \
		{native_##v##_empty, native_##v##_alu_loop, native_##v##_hash_lookup,  \
		 native_##v##_array_sum, native_##v##_packet_parse,                    \
		 native_##v##_subprog_calls},                                          \
		&native_##v##_hl_map, &native_##v##_as_map, &native_##v##_pp_counters, \
	}
static const struct native_variant variants[2] = {
	NATIVE_VARIANT(inline, "native-inline"),
	NATIVE_VARIANT(calls, "native-calls"),
};

#define HEADROOM 256

struct native_state {
	const struct native_variant *v;
	native_fn fn;
	uint8_t *buf; /* HEADROOM + packet, 64-byte aligned */
};

static int update(void *user, const char *map, uint32_t key, uint64_t value)
{
	const struct native_variant *v = user;

	if (!strcmp(map, "hl_map"))
		return native_hash_update(v->hl_map, key, value) ? -E2BIG : 0;
	if (!strcmp(map, "as_map"))
		return native_array_update(v->as_map, key, value) ? -E2BIG : 0;
	return -ENOENT;
}

static int native_open(struct suite_runner *r, const struct suite_prog *p, char *why, size_t size)
{
	struct native_state *s = r->priv;

	s->fn = NULL;
	for (size_t i = 0; i < SUITE_PROGS; i++)
		if (&suite_progs[i] == p)
			s->fn = s->v->fns[i];
	if (!s->fn)
		return -ENOENT;
	native_hash_init(s->v->hl_map);
	native_array_init(s->v->as_map, 256);
	native_array_init(s->v->pp_counters, 8);
	return suite_fill_maps(p, update, (void *)s->v);
}

static int native_run(struct suite_runner *r, const struct suite_packet *pkt, uint32_t repeat,
		      struct suite_outcome *out, char *why, size_t size)
{
	struct native_state *s = r->priv;
	native_fn volatile fn = s->fn; /* no inlining into the loop */
	struct xdp_md ctx = {
		.data = (uintptr_t)(s->buf + HEADROOM),
		.data_end = (uintptr_t)(s->buf + HEADROOM + pkt->len),
	};
	int ret = 0;

	memcpy(s->buf + HEADROOM, pkt->data, pkt->len);
	for (uint32_t i = 0; i < (repeat ? repeat : 1); i++)
		ret = fn(&ctx);
	out->retval = (uint32_t)ret;
	out->len = pkt->len;
	memcpy(out->packet, s->buf + HEADROOM, pkt->len);
	out->duration_ns = 0;
	return 0;
}

static int native_lookup(struct suite_runner *r, const char *map, uint32_t key, uint64_t *value)
{
	struct native_state *s = r->priv;

	if (strcmp(map, "pp_counters") || key >= s->v->pp_counters->max_entries)
		return -ENOENT;
	*value = s->v->pp_counters->values[key];
	return 0;
}

static void native_close(struct suite_runner *r)
{
	((struct native_state *)r->priv)->fn = NULL;
}

static void native_destroy(struct suite_runner *r)
{
	struct native_state *s = r->priv;

	free(s->buf);
	free(s);
}

int suite_native_runner(struct suite_runner *r, int calls)
{
	struct native_state *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->v = &variants[calls ? 1 : 0];
	s->buf = aligned_alloc(64, HEADROOM + SUITE_PKT_MAX);
	if (!s->buf) {
		free(s);
		return -ENOMEM;
	}
	memset(s->buf, 0, HEADROOM + SUITE_PKT_MAX);
	*r = (struct suite_runner){
		.name = s->v->name,
		.open = native_open,
		.run = native_run,
		.lookup = native_lookup,
		.close = native_close,
		.destroy = native_destroy,
		.priv = s,
	};
	return 0;
}
