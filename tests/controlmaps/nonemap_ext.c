/* SPDX-License-Identifier: MIT */
/*
 * A test map type with provider-implemented storage (XBPF_MAP_BASE_NONE),
 * built several ways (see CMakeLists.txt):
 *  NM_NAME        extension and map type name
 *  NM_V2          a newer version of nm_none (extension "nm_none"): values
 *                 gain a third field c, so maps of the old layout are not
 *                 adopted and its control map is replaced
 *  NM_PROG        1: programs may update and delete through the provider
 *  NM_PUBLISH     1: init publishes a control map "table" (NM_PIN)
 *  NM_BAD_*       malformed provider data, to be refused by the core.
 * Entries live in the per-map state the core allocates (so they survive
 * the provider): up to NM_MAX_ENTRIES u32 keys with nm_value_t values,
 * guarded by a spin flag (the program path must not block).
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <xbpf/extension.h>

#include "nm_test.h"

#ifdef NM_V2
#define EXT_NAME "nm_none"
#define N_FIELDS 3
typedef struct {
	uint64_t a, b, c;
} nm_value_t;
#else
#define EXT_NAME NM_NAME
#define N_FIELDS 2
typedef struct nm_value nm_value_t;
#endif

struct nm_state {
	atomic_flag lock;
	bool used[NM_MAX_ENTRIES];
	uint32_t keys[NM_MAX_ENTRIES];
	nm_value_t values[NM_MAX_ENTRIES];
	uint32_t max_entries;
};

static const struct xbpf_core_services *core;
static struct xbpf_provider *provider;

static void lock(struct nm_state *s)
{
	while (atomic_flag_test_and_set_explicit(&s->lock, memory_order_acquire))
		;
}

static void unlock(struct nm_state *s)
{
	atomic_flag_clear_explicit(&s->lock, memory_order_release);
}

static int slot_of(const struct nm_state *s, uint32_t key)
{
	for (uint32_t i = 0; i < s->max_entries; i++)
		if (s->used[i] && s->keys[i] == key)
			return (int)i;
	return -1;
}

static int nm_create(void *ctx, struct xbpf_map *map, const struct xbpf_map_params *params,
		     void *state, uint32_t *stored_value_size)
{
	struct nm_state *s = state;
	if (params->key_size != 4 || params->value_size != sizeof(nm_value_t))
		return -EMSGSIZE;
	if (params->max_entries == 0 || params->max_entries > NM_MAX_ENTRIES)
		return -E2BIG;
	s->max_entries = params->max_entries;
	return 0;
}

static void nm_destroy(void *ctx, struct xbpf_map *map, void *state)
{
}

static int nm_lookup(void *ctx, struct xbpf_map *map, void *state, const void *key, void *value,
		     uint32_t value_size, uint32_t flags)
{
	struct nm_state *s = state;
	uint32_t k;
	memcpy(&k, key, sizeof(k));
	if (!(flags & XBPF_MAP_FROM_HOST))
		return -EPROTO;
	lock(s);
	int i = slot_of(s, k);
	if (i >= 0)
		memcpy(value, &s->values[i],
		       value_size < sizeof(nm_value_t) ? value_size : sizeof(nm_value_t));
	unlock(s);
	return i >= 0 ? 0 : -ENOENT;
}

static int nm_update(void *ctx, struct xbpf_map *map, void *state, const void *key,
		     const void *value, uint32_t value_size, uint64_t map_flags, uint32_t flags)
{
	struct nm_state *s = state;
	uint32_t k;
	nm_value_t v;
	memcpy(&k, key, sizeof(k));
	memcpy(&v, value, sizeof(v));
	if (value_size != sizeof(v) || !(flags & (XBPF_MAP_FROM_HOST | XBPF_MAP_FROM_PROGRAM)))
		return -EPROTO;
	if (v.a == NM_REFUSED)
		return -EBADMSG;
	int err = 0;
	lock(s);
	int i = slot_of(s, k);
	if (i >= 0 && map_flags == XBPF_NOEXIST)
		err = -EEXIST;
	else if (i < 0 && map_flags == XBPF_EXIST)
		err = -ENOENT;
	else if (i < 0) {
		for (uint32_t j = 0; j < s->max_entries && i < 0; j++)
			if (!s->used[j])
				i = (int)j;
		if (i < 0)
			err = -E2BIG;
	}
	if (!err) {
		s->used[i] = true;
		s->keys[i] = k;
		s->values[i] = v;
	}
	unlock(s);
	return err;
}

__attribute__((unused)) static int nm_delete(void *ctx, struct xbpf_map *map, void *state, const void *key, uint32_t flags)
{
	struct nm_state *s = state;
	uint32_t k;
	memcpy(&k, key, sizeof(k));
	lock(s);
	int i = slot_of(s, k);
	if (i >= 0)
		s->used[i] = false;
	unlock(s);
	return i >= 0 ? 0 : -ENOENT;
}

/* Slot order: after key's slot, or from the first slot when key is NULL
 * or absent. */
static int nm_next_key(void *ctx, struct xbpf_map *map, void *state, const void *key,
		       void *next_key, uint32_t flags)
{
	struct nm_state *s = state;
	int err = -ENOENT;
	lock(s);
	int from = 0;
	if (key) {
		uint32_t k;
		memcpy(&k, key, sizeof(k));
		from = slot_of(s, k) + 1;
	}
	for (uint32_t j = (uint32_t)from; j < s->max_entries; j++)
		if (s->used[j]) {
			memcpy(next_key, &s->keys[j], sizeof(uint32_t));
			err = 0;
			break;
		}
	unlock(s);
	return err;
}

/* BTF: [1] int "__u32" (4), [2] int "__u64" (8), [3] struct "nm_value"
 * {__u64 a; __u64 b;}. */
#define BTF_INT(name, size) (name), 0x01000000u, (size), ((size) * 8u)
static const struct {
	uint16_t magic;
	uint8_t version, flags;
	uint32_t hdr_len, type_off, type_len, str_off, str_len;
	uint32_t types[4 + 4 + 3 + 3 * N_FIELDS];
	char strings[32];
} nm_btf __attribute__((unused)) = {
	.magic = 0xeb9f,
	.version = 1,
	.hdr_len = 24,
	.type_off = 0,
	.type_len = sizeof(uint32_t) * (11 + 3 * N_FIELDS),
	.str_off = sizeof(uint32_t) * (11 + 3 * N_FIELDS),
	.str_len = 28,
	.types = {
		BTF_INT(1, 4),
		BTF_INT(7, 8),
		13, 0x04000000u | N_FIELDS, sizeof(nm_value_t), /* struct nm_value */
		22, 2, 0,            /* a: __u64 at bit 0 */
		24, 2, 64,           /* b: __u64 at bit 64 */
#ifdef NM_V2
		26, 2, 128,          /* c: __u64 at bit 128 */
#endif
	},
	.strings = "\0__u32\0__u64\0nm_value\0a\0b\0c",
};

static const struct xbpf_map_type_provider map_type = {
	.hdr = XBPF_ABI_HEADER(struct xbpf_map_type_provider),
	.type = NM_TYPE,
	.name = NM_NAME,
	.base = XBPF_MAP_BASE_NONE,
#ifdef NM_BAD_PROG_LOOKUP
	.properties = XBPF_MAP_PROG_LOOKUP,
#elif NM_PROG
	.properties = XBPF_MAP_PROG_UPDATE | XBPF_MAP_PROG_DELETE,
#endif
	.state_size = sizeof(struct nm_state),
	.create = nm_create,
	.destroy = nm_destroy,
	.lookup = nm_lookup,
	.update = nm_update,
#ifndef NM_BAD_NO_DELETE
	.delete_elem = nm_delete,
#endif
	.next_key = nm_next_key,
#ifdef NM_BAD_BTF
	.btf = "not BTF at all, just text",
	.btf_size = 25,
#else
	.btf = &nm_btf,
	.btf_size = 24 + sizeof(uint32_t) * (11 + 3 * N_FIELDS) + 28,
#endif
#ifdef NM_BAD_BTF_KEY
	.btf_key_type_id = 9,
#else
	.btf_key_type_id = 1,
#endif
	.btf_value_type_id = 3,
};

static int nm_init(struct xbpf_extension *ext, const struct xbpf_core_services *services)
{
	core = services;
	int err = core->register_map_type(ext, &map_type, &provider);
	if (!err && NM_PUBLISH)
		err = core->publish_map(provider, "table", 4, sizeof(nm_value_t), NM_MAX_ENTRIES);
	return err;
}

XBPF_EXTENSION(EXT_NAME, "test map type with provider-implemented storage", nm_init, NULL);
