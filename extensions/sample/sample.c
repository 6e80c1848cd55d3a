/* SPDX-License-Identifier: MIT */
/*
 * The sample extension: the smallest complete extension, and the one the
 * ABI and reload tests use. It adds
 *   - the program type "sample" (SEC("sample")) with its own context
 *     (struct sample_ctx in sample.h), whose data/data_end fields are
 *     converted like xdp_md's and whose result field programs may write;
 *   - two program-type helpers, sample_mix (65536) and sample_sum (65537);
 *   - the hook "sample/manual", which runs its programs when the host calls
 *     sample_fire().
 *   - the named helper provider "sample" (kfunc style, see sample.h):
 *     sample_add, sample_hash and sample_scale;
 *   - the map type "sample_counters" (SAMPLE_MAP_TYPE_COUNTERS): a hash map of
 *     counters the core stores, which programs use in place.
 * Built with -DSAMPLE_V2 it changes the prototypes of sample_mix and of the
 * named helper sample_add, for the tests of a provider coming back
 * different.
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <xbpf/extension.h>

#include "sample.h"

static const struct xbpf_core_services *core;
static struct xbpf_extension *self; /* for core->log */

/* The internal context: the visible fields, then the real pointers. */
struct sample_internal {
	struct sample_ctx visible;
	uint8_t *data;
	uint8_t *data_end;
};

static const struct xbpf_ctx_field converted[] = {
	{offsetof(struct sample_ctx, data), 4, offsetof(struct sample_internal, data), 8},
	{offsetof(struct sample_ctx, data_end), 4, offsetof(struct sample_internal, data_end), 8},
};

static const struct xbpf_ctx_range writable[] = {
	{offsetof(struct sample_ctx, result), sizeof(__u32)},
};

static const struct xbpf_context_descriptor context = {
	.hdr = XBPF_ABI_HEADER(struct xbpf_context_descriptor),
	.size = sizeof(struct sample_ctx),
	.internal_size = sizeof(struct sample_internal),
	.data_offset = offsetof(struct sample_internal, data),
	.data_end_offset = offsetof(struct sample_internal, data_end),
	.data_meta_offset = -1,
	.fields = converted,
	.n_fields = 2,
	.writable = writable,
	.n_writable = 1,
};

/* ------------------------------------------------------------------------ */
/* Program-type helpers                                                     */
/* ------------------------------------------------------------------------ */

static uint64_t sample_mix(uint64_t a, uint64_t b, uint64_t r3, uint64_t r4, uint64_t r5,
			   struct xbpf_exec *exec)
{
	return a * 31 + b;
}

static uint64_t sample_sum(uint64_t mem, uint64_t size, uint64_t r3, uint64_t r4, uint64_t r5,
			   struct xbpf_exec *exec)
{
	const uint8_t *p = (const uint8_t *)(uintptr_t)mem;
	uint64_t sum = 0;
	for (uint64_t i = 0; i < size; i++)
		sum += p[i];
	return sum;
}

static const struct xbpf_helper helpers[] = {
	{
		.hdr = XBPF_ABI_HEADER(struct xbpf_helper),
		.name = "sample_mix",
		.id = SAMPLE_HELPER_MIX,
		.fn = sample_mix,
		.ret = XBPF_RET_INTEGER,
#ifdef SAMPLE_V2
		/* The changed prototype: the second argument became a pointer. */
		.args = {XBPF_ARG_ANYTHING, XBPF_ARG_PTR_TO_MEM, XBPF_ARG_CONST_SIZE},
#else
		.args = {XBPF_ARG_ANYTHING, XBPF_ARG_ANYTHING},
#endif
	},
	{
		.hdr = XBPF_ABI_HEADER(struct xbpf_helper),
		.name = "sample_sum",
		.id = SAMPLE_HELPER_SUM,
		.fn = sample_sum,
		.ret = XBPF_RET_INTEGER,
		.args = {XBPF_ARG_PTR_TO_MEM, XBPF_ARG_CONST_SIZE_OR_ZERO},
		.arg_width = {8, 4},
	},
};

/* ------------------------------------------------------------------------ */
/* Named helpers: provider "sample"                                         */
/* ------------------------------------------------------------------------ */

static uint64_t named_add(uint64_t a, uint64_t b, uint64_t r3, uint64_t r4, uint64_t r5,
			  struct xbpf_exec *exec)
{
	return a + b;
}

/* FNV-1a over size bytes at mem. */
static uint64_t named_hash(uint64_t mem, uint64_t size, uint64_t r3, uint64_t r4, uint64_t r5,
			   struct xbpf_exec *exec)
{
	const uint8_t *p = (const uint8_t *)(uintptr_t)mem;
	uint64_t h = 0xcbf29ce484222325ull;
	for (uint32_t i = 0; i < (uint32_t)size; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/* The "other" test extension exports a sample_scale too (times 100):
 * programs must say which one they mean. */
static uint64_t named_scale(uint64_t a, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			    struct xbpf_exec *exec)
{
	return a * 10;
}

static const struct xbpf_helper named_helpers[] = {
	{
		.hdr = XBPF_ABI_HEADER(struct xbpf_helper),
		.name = "sample_add",
		.fn = named_add,
		.ret = XBPF_RET_INTEGER,
		.args = {XBPF_ARG_ANYTHING, XBPF_ARG_ANYTHING},
#ifdef SAMPLE_V2
		/* The changed prototype: the second argument became 32 bits. */
		.arg_width = {8, 4},
#endif
	},
	{
		.hdr = XBPF_ABI_HEADER(struct xbpf_helper),
		.name = "sample_hash",
		.fn = named_hash,
		.ret = XBPF_RET_INTEGER,
		.args = {XBPF_ARG_PTR_TO_MEM, XBPF_ARG_CONST_SIZE_OR_ZERO},
		.arg_width = {8, 4},
	},
	{
		.hdr = XBPF_ABI_HEADER(struct xbpf_helper),
		.name = "sample_scale",
		.fn = named_scale,
		.ret = XBPF_RET_INTEGER,
		.args = {XBPF_ARG_ANYTHING},
	},
};

static const struct xbpf_helper_provider named_provider = {
	.hdr = XBPF_ABI_HEADER(struct xbpf_helper_provider),
	.name = "sample",
	.helpers = named_helpers,
	.n_helpers = sizeof(named_helpers) / sizeof(named_helpers[0]),
};

/* ------------------------------------------------------------------------ */
/* test_run                                                                 */
/* ------------------------------------------------------------------------ */

static int test_run_create(void *unused, const struct xbpf_test_run_io *io, void **run_ctx)
{
	struct sample_internal *c = calloc(1, sizeof(*c) + io->data_size_in);
	if (!c)
		return -ENOMEM;
	if (io->ctx_in) {
		size_t n = io->ctx_size_in < sizeof(c->visible) ? io->ctx_size_in : sizeof(c->visible);
		memcpy(&c->visible, io->ctx_in, n);
	}
	c->data = (uint8_t *)(c + 1);
	c->data_end = c->data + io->data_size_in;
	if (io->data_size_in)
		memcpy(c->data, io->data_in, io->data_size_in);
	*run_ctx = c;
	return 0;
}

static int test_run_finish(void *unused, void *run_ctx, struct xbpf_test_run_io *io)
{
	struct sample_internal *c = run_ctx;
	uint32_t len = (uint32_t)(c->data_end - c->data);
	int err = 0;
	if (io->data_out) {
		memcpy(io->data_out, c->data, len < io->data_size_out ? len : io->data_size_out);
		err = len > io->data_size_out ? -ENOSPC : 0;
	}
	io->data_size_out = len;
	if (io->ctx_out) {
		size_t n = io->ctx_size_out < sizeof(c->visible) ? io->ctx_size_out : sizeof(c->visible);
		memcpy(io->ctx_out, &c->visible, n);
		io->ctx_size_out = (uint32_t)n;
	}
	free(c);
	return err;
}

static const char *const sections[] = {"sample", NULL};

static const struct xbpf_program_type_provider program_type = {
	.hdr = XBPF_ABI_HEADER(struct xbpf_program_type_provider),
	.name = "sample",
	.section_prefixes = sections,
	.context = &context,
	.helpers = helpers,
	.n_helpers = sizeof(helpers) / sizeof(helpers[0]),
	.test_run_create = test_run_create,
	.test_run_finish = test_run_finish,
};

/* ------------------------------------------------------------------------ */
/* The hook                                                                 */
/* ------------------------------------------------------------------------ */

#define MAX_LINKS 16

/* Attached links; the lock also makes detach wait for a fire in flight. */
static pthread_mutex_t links_lock = PTHREAD_MUTEX_INITIALIZER;
static struct xbpf_link *links[MAX_LINKS];
static _Atomic uint64_t *fired[MAX_LINKS];

static int hook_attach(void *unused, struct xbpf_link *link, const void *params, size_t params_size,
		       void **state)
{
	static const char *const counter_names[] = {"fired"};
	int err = -ENOSPC;
	pthread_mutex_lock(&links_lock);
	for (int i = 0; i < MAX_LINKS; i++)
		if (!links[i]) {
			fired[i] = core->link_counters(link, counter_names, 1);
			if (!fired[i]) {
				err = -ENOMEM;
				break;
			}
			links[i] = link;
			err = 0;
			break;
		}
	pthread_mutex_unlock(&links_lock);
	return err;
}

static void hook_detach(void *unused, struct xbpf_link *link, void *state)
{
	pthread_mutex_lock(&links_lock);
	for (int i = 0; i < MAX_LINKS; i++)
		if (links[i] == link)
			links[i] = NULL;
	pthread_mutex_unlock(&links_lock);
}

static const struct xbpf_hook_provider hook = {
	.hdr = XBPF_ABI_HEADER(struct xbpf_hook_provider),
	.name = "sample/manual",
	.program_type = "sample",
	.attach = hook_attach,
	.detach = hook_detach,
};

__attribute__((visibility("default"))) int sample_fire(__u32 id, void *data, __u32 len, __u64 *results,
						      __u32 max_results)
{
	int ran = 0;
	pthread_mutex_lock(&links_lock);
	for (int i = 0; i < MAX_LINKS && ran >= 0; i++) {
		if (!links[i])
			continue;
		struct sample_internal ctx = {
			.visible = {.id = id},
			.data = data,
			.data_end = (uint8_t *)data + len,
		};
		uint64_t r0;
		int err = core->invoke(links[i], &ctx, &r0);
		if (err) {
			ran = err;
			break;
		}
		atomic_fetch_add(fired[i], 1);
		if ((__u32)ran < max_results)
			results[ran] = r0;
		ran++;
	}
	pthread_mutex_unlock(&links_lock);
	return ran;
}

/* ------------------------------------------------------------------------ */
/* The map type "sample_counters"                                          */
/* ------------------------------------------------------------------------ */

/* The core keeps the entries in its own hash table (base hash) and checks
 * key size, value size, max_entries and flags as for BPF_MAP_TYPE_HASH.
 * Values are stored as callers give them (no transformation), so programs
 * may look up, update and delete entries in place and the provider is
 * never called on their path: all it does is say, at creation, which maps
 * of its type it accepts. */
static int sample_counters_create(void *unused, struct xbpf_map *map,
				  const struct xbpf_map_params *params, void *state,
				  uint32_t *stored_value_size)
{
	if (params->key_size > SAMPLE_COUNTERS_MAX_KEY) {
		core->log(self, XBPF_LOG_ERROR, "map '%s': sample_counters keys are at most %u bytes, not %u",
			  params->name, SAMPLE_COUNTERS_MAX_KEY, params->key_size);
		return -E2BIG;
	}
	if (params->value_size % sizeof(__u64)) {
		core->log(self, XBPF_LOG_ERROR,
			  "map '%s': sample_counters values are __u64 counters: value_size %u is not a multiple of 8",
			  params->name, params->value_size);
		return -EINVAL;
	}
	return 0;
}

/* Nothing to release: the map has no state of its own. */
static void sample_counters_destroy(void *unused, struct xbpf_map *map, void *state)
{
}

static const struct xbpf_map_type_provider sample_counters_type = {
	.hdr = XBPF_ABI_HEADER(struct xbpf_map_type_provider),
	.type = SAMPLE_MAP_TYPE_COUNTERS,
	.name = "sample_counters",
	.base = XBPF_MAP_BASE_HASH,
	.properties = XBPF_MAP_PROG_LOOKUP | XBPF_MAP_PROG_UPDATE | XBPF_MAP_PROG_DELETE,
	.create = sample_counters_create,
	.destroy = sample_counters_destroy,
};

/* ------------------------------------------------------------------------ */
/* The extension                                                            */
/* ------------------------------------------------------------------------ */

static int sample_init(struct xbpf_extension *ext, const struct xbpf_core_services *services)
{
	int err;
	core = services;
	self = ext;
	if ((err = core->register_program_type(ext, &program_type, NULL)) ||
	    (err = core->register_hook(ext, &hook, NULL)) ||
	    (err = core->register_helpers(ext, &named_provider, NULL)) ||
	    (err = core->register_map_type(ext, &sample_counters_type, NULL)))
		return err;
	return 0;
}

XBPF_EXTENSION("sample",
	       "A minimal example: a program type, its helpers, named helpers, a hook fired by the host and a map type",
	       sample_init, NULL);
