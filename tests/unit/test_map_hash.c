/* SPDX-License-Identifier: MIT */
/* Hash map types: HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH. */
#include <errno.h>
#include <stdlib.h>

#include "map_test.h"
#include "maps/map.h"
#include "runtime/epoch.h"

static void hash_create_checks(void **state)
{
	struct xbpf_runtime *rt = quiet_runtime();
	enum xbpf_map_type t = XBPF_MAP_TYPE_HASH;
	assert_int_equal(try_create(rt, t, 0, 8, 16, 0), -EINVAL);
	assert_int_equal(try_create(rt, t, 8, 0, 16, 0), -EINVAL);
	assert_int_equal(try_create(rt, t, 8, 8, 0, 0), -EINVAL);
	assert_int_equal(try_create(rt, t, 8, (1U << 22) - 52, 16, 0), -E2BIG);
	assert_int_equal(try_create(rt, t, 8, 1U << 22, 16, 0), -E2BIG);
	assert_int_equal(try_create(rt, t, 8, 8, 16, XBPF_F_MMAPABLE), -EINVAL);
	assert_int_equal(try_create(rt, t, 8, 8, 16, XBPF_F_NO_COMMON_LRU), -EINVAL);
	assert_int_equal(try_create(rt, t, 8, 8, 16, XBPF_F_RDONLY | XBPF_F_WRONLY), -EINVAL);
	assert_int_equal(try_create(rt, t, 8, 8, 16, XBPF_F_RDONLY_PROG | XBPF_F_WRONLY_PROG),
			 -EINVAL);
	assert_int_equal(try_create(rt, XBPF_MAP_TYPE_LRU_HASH, 8, 8, 16, XBPF_F_NO_PREALLOC),
			 -EOPNOTSUPP);
	assert_int_equal(try_create(rt, XBPF_MAP_TYPE_PERCPU_HASH, 8, 32769, 16, 0), -E2BIG);
	assert_int_equal(try_create(rt, XBPF_MAP_TYPE_PERCPU_HASH, 8, 8, 16, XBPF_F_NUMA_NODE),
			 -EINVAL);
	assert_int_equal(try_create(rt, t, 8, 8, 16, XBPF_F_NO_PREALLOC | XBPF_F_ZERO_SEED), 0);
	assert_int_equal(try_create(rt, XBPF_MAP_TYPE_LRU_HASH, 8, 8, 16, XBPF_F_NO_COMMON_LRU), 0);

	struct xbpf_map *map;
	struct xbpf_map_create_opts opts = { .sz = sizeof(opts), .map_extra = 1 };
	assert_int_equal(xbpf_map_create(rt, t, NULL, 8, 8, 16, &opts, &map), -EINVAL);
	assert_int_equal(xbpf_map_create(rt, t, "bad name", 8, 8, 16, NULL, &map), -EINVAL);
	assert_int_equal(xbpf_map_create(rt, (enum xbpf_map_type)77, NULL, 8, 8, 16, NULL, &map),
			 -EOPNOTSUPP);
	/* Options from a newer header: unknown trailing bytes must be zero. */
	struct {
		struct xbpf_map_create_opts o;
		uint64_t newer;
	} big = { .o = { .sz = sizeof(big) }, .newer = 1 };
	assert_int_equal(xbpf_map_create(rt, t, NULL, 8, 8, 16, &big.o, &map), -EINVAL);
	big.newer = 0;
	assert_int_equal(xbpf_map_create(rt, t, NULL, 8, 8, 16, &big.o, &map), 0);
	xbpf_map_put(map);
	xbpf_runtime_free(rt);
}

static void check_basic_semantics(uint32_t flags)
{
	struct xbpf_runtime *rt = quiet_runtime();
	struct xbpf_map *map = make_map(rt, XBPF_MAP_TYPE_HASH, 8, 12, 4, flags);
	uint64_t key = 1;
	char value[12] = "hello world", out[12];

	assert_int_equal(xbpf_map_lookup_elem(map, &key, out), -ENOENT);
	assert_int_equal(xbpf_map_update_elem(map, &key, value, XBPF_EXIST), -ENOENT);
	assert_int_equal(xbpf_map_update_elem(map, &key, value, XBPF_NOEXIST), 0);
	assert_int_equal(xbpf_map_update_elem(map, &key, value, XBPF_NOEXIST), -EEXIST);
	assert_int_equal(xbpf_map_update_elem(map, &key, value, 3), -EINVAL);
	assert_int_equal(xbpf_map_update_elem(map, &key, value, XBPF_F_LOCK), -EINVAL);
	assert_int_equal(xbpf_map_lookup_elem(map, &key, out), 0);
	assert_memory_equal(out, value, sizeof(value));
	assert_int_equal(xbpf_map_lookup_elem_flags(map, &key, out, 8), -EINVAL);
	value[0] = 'j';
	assert_int_equal(xbpf_map_update_elem(map, &key, value, XBPF_EXIST), 0);
	assert_int_equal(xbpf_map_lookup_elem(map, &key, out), 0);
	assert_memory_equal(out, value, sizeof(value));

	for (key = 2; key <= 4; key++)
		assert_int_equal(xbpf_map_update_elem(map, &key, value, XBPF_ANY), 0);
	assert_int_equal(xbpf_map_update_elem(map, &key, value, XBPF_ANY), -E2BIG);
	/* Replacing in a full map works; so does an insert after a delete. */
	key = 2;
	assert_int_equal(xbpf_map_update_elem(map, &key, value, XBPF_ANY), 0);
	assert_int_equal(xbpf_map_delete_elem(map, &key), 0);
	assert_int_equal(xbpf_map_delete_elem(map, &key), -ENOENT);
	key = 9;
	assert_int_equal(xbpf_map_update_elem(map, &key, value, XBPF_NOEXIST), 0);

	struct xbpf_map_info info;
	assert_int_equal(xbpf_map_get_info(map, &info), 0);
	assert_int_equal(info.entries, 4);
	assert_int_equal(info.type, XBPF_MAP_TYPE_HASH);
	assert_int_equal(info.key_size, 8);
	assert_int_equal(info.value_size, 12);
	assert_int_equal(info.map_flags, flags);
	assert_string_equal(info.name, "m");

	assert_int_equal(xbpf_map_lookup_and_delete_elem(map, &key, out), 0);
	assert_memory_equal(out, value, sizeof(value));
	assert_int_equal(xbpf_map_lookup_and_delete_elem(map, &key, out), -ENOENT);
	xbpf_map_put(map);
	xbpf_runtime_free(rt);
}

static void hash_semantics_prealloc(void **state)
{
	check_basic_semantics(0);
}

static void hash_semantics_no_prealloc(void **state)
{
	check_basic_semantics(XBPF_F_NO_PREALLOC);
}

static void hash_iterates_every_key_once(void **state)
{
	struct xbpf_runtime *rt = quiet_runtime();
	struct xbpf_map *map = make_map(rt, XBPF_MAP_TYPE_HASH, 4, 4, 1000, 0);
	static bool seen[1000];
	memset(seen, 0, sizeof(seen));
	for (uint32_t k = 0; k < 1000; k += 3)
		assert_int_equal(xbpf_map_update_elem(map, &k, &k, XBPF_ANY), 0);

	uint32_t key, next;
	int n = 0;
	int err = xbpf_map_get_next_key(map, NULL, &next);
	while (!err) {
		assert_true(next < 1000 && next % 3 == 0);
		assert_false(seen[next]);
		seen[next] = true;
		n++;
		key = next;
		err = xbpf_map_get_next_key(map, &key, &next);
	}
	assert_int_equal(err, -ENOENT);
	assert_int_equal(n, 334);

	/* A missing key starts over from the first. */
	uint32_t first, missing = 1;
	assert_int_equal(xbpf_map_get_next_key(map, NULL, &first), 0);
	assert_int_equal(xbpf_map_get_next_key(map, &missing, &next), 0);
	assert_int_equal(next, first);
	xbpf_map_put(map);

	map = make_map(rt, XBPF_MAP_TYPE_HASH, 4, 4, 8, 0);
	assert_int_equal(xbpf_map_get_next_key(map, NULL, &next), -ENOENT);
	xbpf_map_put(map);
	xbpf_runtime_free(rt);
}

/* Keys that collide into one bucket keep working through deletes and
 * reinserts (elements are reused at once). */
static void hash_reuse_in_full_map(void **state)
{
	struct xbpf_runtime *rt = quiet_runtime();
	struct xbpf_map *map = make_map(rt, XBPF_MAP_TYPE_HASH, 8, 8, 64, 0);
	for (uint64_t round = 0; round < 50; round++) {
		for (uint64_t k = 0; k < 64; k++) {
			uint64_t key = round * 64 + k, value = key * 7;
			assert_int_equal(xbpf_map_update_elem(map, &key, &value, XBPF_NOEXIST), 0);
		}
		uint64_t extra = 1U << 30;
		assert_int_equal(xbpf_map_update_elem(map, &extra, &extra, XBPF_ANY), -E2BIG);
		for (uint64_t k = 0; k < 64; k++) {
			uint64_t key = round * 64 + k, value;
			assert_int_equal(xbpf_map_lookup_elem(map, &key, &value), 0);
			assert_int_equal(value, key * 7);
			assert_int_equal(xbpf_map_delete_elem(map, &key), 0);
		}
	}
	xbpf_map_put(map);
	xbpf_runtime_free(rt);
}

static long count_cb(void *user, struct xbpf_map *map, const void *key, void *value)
{
	int *n = user;
	(*n)++;
	uint32_t k;
	memcpy(&k, key, 4);
	memcpy(value, &k, 4); /* programs may write values in place */
	return *n == 5 ? 1 : 0;
}

static void hash_program_path(void **state)
{
	struct xbpf_runtime *rt = quiet_runtime();
	struct xbpf_map *map = make_map(rt, XBPF_MAP_TYPE_HASH, 4, 8, 16, 0);
	uint32_t key = 3;
	uint64_t value = 30;

	xbpf_epoch_enter();
	assert_null(xbpf_map_lookup_prog(map, &key, 0));
	assert_int_equal(xbpf_map_update_prog(map, &key, &value, XBPF_ANY, 0), 0);
	uint64_t *p = xbpf_map_lookup_prog(map, &key, 0);
	assert_non_null(p);
	assert_int_equal(*p, 30);
	*p = 31;
	struct xbpf_region region;
	assert_true(xbpf_map_value_region(map, (uintptr_t)p + 2, 4, &region));
	assert_int_equal(region.start, (uintptr_t)p);
	assert_int_equal(region.end, (uintptr_t)p + 8);
	assert_int_equal(region.perm, XBPF_MEM_RW);
	assert_false(xbpf_map_value_region(map, (uintptr_t)p + 4, 8, &region));
	assert_false(xbpf_map_value_region(map, (uintptr_t)p - 4, 4, &region));
	xbpf_epoch_exit();
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &value), 0);
	assert_int_equal(value, 31);

	for (key = 10; key < 20; key++)
		assert_int_equal(xbpf_map_update_elem(map, &key, &value, XBPF_ANY), 0);
	int n = 0;
	xbpf_epoch_enter();
	assert_int_equal(xbpf_map_for_each_prog(map, count_cb, &n, 1, 0), -EINVAL);
	assert_int_equal(xbpf_map_for_each_prog(map, count_cb, &n, 0, 0), 5);
	key = 3;
	assert_int_equal(xbpf_map_delete_prog(map, &key), 0);
	assert_int_equal(xbpf_map_delete_prog(map, &key), -ENOENT);
	assert_int_equal(xbpf_map_push_prog(map, &value, 0), -EOPNOTSUPP);
	xbpf_epoch_exit();
	xbpf_map_put(map);

	/* BPF_F_RDONLY_PROG: programs read, never write. */
	map = make_map(rt, XBPF_MAP_TYPE_HASH, 4, 8, 16, XBPF_F_RDONLY_PROG);
	assert_int_equal(xbpf_map_update_elem(map, &key, &value, XBPF_ANY), 0);
	xbpf_epoch_enter();
	p = xbpf_map_lookup_prog(map, &key, 0);
	assert_non_null(p);
	assert_true(xbpf_map_value_region(map, (uintptr_t)p, 8, &region));
	assert_int_equal(region.perm, XBPF_MEM_READ);
	assert_int_equal(xbpf_map_update_prog(map, &key, &value, XBPF_ANY, 0), -EPERM);
	assert_int_equal(xbpf_map_delete_prog(map, &key), -EPERM);
	xbpf_epoch_exit();
	struct xbpf_map_shape shape;
	xbpf_map_shape_of(map, &shape);
	assert_int_equal(shape.key_size, 4);
	assert_int_equal(shape.value_size, 8);
	assert_int_equal(shape.value_perm, XBPF_MEM_READ);
	xbpf_map_put(map);
	xbpf_runtime_free(rt);
}

static void hash_permissions_and_freeze(void **state)
{
	struct xbpf_runtime *rt = quiet_runtime();
	uint32_t key = 1, value = 2, out;

	struct xbpf_map *map = make_map(rt, XBPF_MAP_TYPE_HASH, 4, 4, 4, XBPF_F_RDONLY);
	assert_int_equal(xbpf_map_update_elem(map, &key, &value, XBPF_ANY), -EPERM);
	assert_int_equal(xbpf_map_delete_elem(map, &key), -EPERM);
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &out), -ENOENT);
	assert_int_equal(xbpf_map_freeze(map), -EPERM);
	xbpf_epoch_enter();
	assert_int_equal(xbpf_map_update_prog(map, &key, &value, XBPF_ANY, 0), 0);
	xbpf_epoch_exit();
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &out), 0);
	xbpf_map_put(map);

	map = make_map(rt, XBPF_MAP_TYPE_HASH, 4, 4, 4, XBPF_F_WRONLY);
	assert_int_equal(xbpf_map_update_elem(map, &key, &value, XBPF_ANY), 0);
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &out), -EPERM);
	assert_int_equal(xbpf_map_get_next_key(map, NULL, &out), -EPERM);
	assert_int_equal(xbpf_map_lookup_and_delete_elem(map, &key, &out), -EPERM);
	xbpf_map_put(map);

	map = make_map(rt, XBPF_MAP_TYPE_HASH, 4, 4, 4, 0);
	assert_int_equal(xbpf_map_update_elem(map, &key, &value, XBPF_ANY), 0);
	assert_int_equal(xbpf_map_freeze(map), 0);
	assert_int_equal(xbpf_map_freeze(map), -EPERM);
	assert_int_equal(xbpf_map_update_elem(map, &key, &value, XBPF_ANY), -EPERM);
	assert_int_equal(xbpf_map_delete_elem(map, &key), -EPERM);
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &out), 0);
	struct xbpf_map_info info;
	xbpf_map_get_info(map, &info);
	assert_true(info.frozen);
	/* Programs may still write a frozen map. */
	xbpf_epoch_enter();
	assert_int_equal(xbpf_map_update_prog(map, &key, &value, XBPF_ANY, 0), 0);
	xbpf_epoch_exit();
	xbpf_map_put(map);
	xbpf_runtime_free(rt);
}

static void percpu_hash_slots(void **state)
{
	struct xbpf_runtime *rt = quiet_runtime();
	unsigned ncpus = xbpf_num_possible_cpus();
	struct xbpf_map *map = make_map(rt, XBPF_MAP_TYPE_PERCPU_HASH, 4, 4, 8, 0);
	size_t host_size = xbpf_map_host_value_size(map);
	assert_int_equal(host_size, 8 * ncpus);
	uint64_t *in = calloc(ncpus, 8), *out = calloc(ncpus, 8);
	for (unsigned c = 0; c < ncpus; c++)
		in[c] = 100 + c;
	uint32_t key = 5;
	assert_int_equal(xbpf_map_update_elem(map, &key, in, XBPF_ANY), 0);
	assert_int_equal(xbpf_map_lookup_elem(map, &key, out), 0);
	assert_memory_equal(in, out, host_size);

	/* A program writes its own CPU's slot; a new key zeroes the others. */
	uint32_t v = 7, key2 = 6;
	unsigned cpu = ncpus - 1;
	xbpf_epoch_enter();
	assert_int_equal(xbpf_map_update_prog(map, &key, &v, XBPF_EXIST, cpu), 0);
	assert_int_equal(xbpf_map_update_prog(map, &key2, &v, XBPF_ANY, cpu), 0);
	uint32_t *p = xbpf_map_lookup_prog(map, &key, cpu);
	assert_non_null(p);
	assert_int_equal(*p, 7);
	assert_null(xbpf_map_lookup_prog(map, &key, ncpus));
	assert_int_equal(xbpf_map_update_prog(map, &key, &v, XBPF_ANY, ncpus), -EINVAL);
	xbpf_epoch_exit();
	assert_int_equal(xbpf_map_lookup_elem(map, &key, out), 0);
	for (unsigned c = 0; c < ncpus; c++)
		assert_int_equal(out[c], c == cpu ? 7 : 100 + c);
	assert_int_equal(xbpf_map_lookup_and_delete_elem(map, &key2, out), 0);
	for (unsigned c = 0; c < ncpus; c++)
		assert_int_equal(out[c], c == cpu ? 7 : 0);
	free(in);
	free(out);
	xbpf_map_put(map);
	xbpf_runtime_free(rt);
}

static void lru_keeps_recent_keys(void **state)
{
	struct xbpf_runtime *rt = quiet_runtime();
	const uint32_t max = 128;
	struct xbpf_map *map = make_map(rt, XBPF_MAP_TYPE_LRU_HASH, 4, 4, max, 0);
	uint32_t v = 1;
	for (uint32_t k = 0; k < max; k++)
		assert_int_equal(xbpf_map_update_elem(map, &k, &v, XBPF_NOEXIST), 0);
	/* Use a few old keys, then insert more than half the map anew. */
	for (uint32_t k = 0; k < 16; k++)
		assert_int_equal(xbpf_map_lookup_elem(map, &k, &v), 0);
	for (uint32_t k = 1000; k < 1000 + max / 2; k++)
		assert_int_equal(xbpf_map_update_elem(map, &k, &v, XBPF_NOEXIST), 0);
	for (uint32_t k = 0; k < 16; k++)
		assert_int_equal(xbpf_map_lookup_elem(map, &k, &v), 0);
	for (uint32_t k = 1000; k < 1000 + max / 2; k++)
		assert_int_equal(xbpf_map_lookup_elem(map, &k, &v), 0);
	struct xbpf_map_info info;
	xbpf_map_get_info(map, &info);
	assert_int_equal(info.entries, max);
	/* Never more than max_entries keys. */
	int n = 0;
	uint32_t key, next;
	for (int err = xbpf_map_get_next_key(map, NULL, &next); !err;
	     err = xbpf_map_get_next_key(map, &key, &next)) {
		key = next;
		n++;
	}
	assert_int_equal(n, max);
	/* Deleting and reinserting works like a hash. */
	key = 0;
	assert_int_equal(xbpf_map_delete_elem(map, &key), 0);
	assert_int_equal(xbpf_map_update_elem(map, &key, &v, XBPF_EXIST), -ENOENT);
	assert_int_equal(xbpf_map_update_elem(map, &key, &v, XBPF_NOEXIST), 0);
	xbpf_map_put(map);
	xbpf_runtime_free(rt);
}

static void lru_percpu_evicts_and_touches(void **state)
{
	struct xbpf_runtime *rt = quiet_runtime();
	unsigned ncpus = xbpf_num_possible_cpus();
	struct xbpf_map *map = make_map(rt, XBPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 8, 8, 0);
	uint64_t *vals = calloc(ncpus, 8);
	for (uint32_t k = 0; k < 8; k++)
		assert_int_equal(xbpf_map_update_elem(map, &k, vals, XBPF_ANY), 0);
	xbpf_epoch_enter();
	uint32_t hot = 0;
	assert_non_null(xbpf_map_lookup_prog(map, &hot, 0));
	xbpf_epoch_exit();
	for (uint32_t k = 100; k < 104; k++)
		assert_int_equal(xbpf_map_update_elem(map, &k, vals, XBPF_ANY), 0);
	assert_int_equal(xbpf_map_lookup_elem(map, &hot, vals), 0);
	struct xbpf_map_info info;
	xbpf_map_get_info(map, &info);
	assert_int_equal(info.entries, 8);
	free(vals);
	xbpf_map_put(map);
	xbpf_runtime_free(rt);
}

/* Map-in-map by hash: values are inner map ids; programs get the map. */
static void hash_of_maps(void **state)
{
	struct xbpf_runtime *rt = quiet_runtime();
	struct xbpf_map *tmpl = make_map(rt, XBPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);
	struct xbpf_map *inner = make_map(rt, XBPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);
	struct xbpf_map *wrong = make_map(rt, XBPF_MAP_TYPE_ARRAY, 4, 8, 5, 0);
	struct xbpf_map_create_opts opts = { .sz = sizeof(opts), .inner_map = tmpl };
	struct xbpf_map *outer;

	assert_int_equal(xbpf_map_create(rt, XBPF_MAP_TYPE_HASH_OF_MAPS, "o", 4, 8, 4, &opts,
					 &outer),
			 -EINVAL);
	assert_int_equal(xbpf_map_create(rt, XBPF_MAP_TYPE_HASH_OF_MAPS, "o", 4, 4, 4, NULL,
					 &outer),
			 -EINVAL);
	assert_int_equal(xbpf_map_create(rt, XBPF_MAP_TYPE_HASH, "o", 4, 4, 4, &opts, &outer),
			 -EINVAL);
	assert_int_equal(xbpf_map_create(rt, XBPF_MAP_TYPE_HASH_OF_MAPS, "o", 4, 4, 4, &opts,
					 &outer),
			 0);
	struct xbpf_map_info info;
	xbpf_map_get_info(outer, &info);
	assert_int_equal(info.inner_map_id, xbpf_map_id(tmpl));

	/* A map-in-map cannot be a template. */
	struct xbpf_map_create_opts nested = { .sz = sizeof(nested), .inner_map = outer };
	struct xbpf_map *bad;
	assert_int_equal(xbpf_map_create(rt, XBPF_MAP_TYPE_ARRAY_OF_MAPS, "n", 4, 4, 4, &nested,
					 &bad),
			 -EINVAL);

	uint32_t key = 9, id = xbpf_map_id(inner), wrong_id = xbpf_map_id(wrong), none = 999999;
	assert_int_equal(xbpf_map_update_elem(outer, &key, &wrong_id, XBPF_ANY), -EINVAL);
	assert_int_equal(xbpf_map_update_elem(outer, &key, &none, XBPF_ANY), -EBADF);
	assert_int_equal(xbpf_map_update_elem(outer, &key, &id, XBPF_ANY), 0);
	uint32_t got;
	assert_int_equal(xbpf_map_lookup_elem(outer, &key, &got), 0);
	assert_int_equal(got, id);
	xbpf_epoch_enter();
	assert_ptr_equal(xbpf_map_lookup_prog(outer, &key, 0), inner);
	assert_int_equal(xbpf_map_update_prog(outer, &key, &id, XBPF_ANY, 0), -EOPNOTSUPP);
	xbpf_epoch_exit();
	assert_int_equal(xbpf_map_lookup_and_delete_elem(outer, &key, &got), -EOPNOTSUPP);

	/* The outer map keeps the inner map alive. */
	xbpf_map_put(inner);
	struct xbpf_map *again;
	assert_int_equal(xbpf_map_get_by_id(rt, id, &again), 0);
	xbpf_map_put(again);
	assert_int_equal(xbpf_map_delete_elem(outer, &key), 0);
	xbpf_epoch_barrier();
	assert_int_equal(xbpf_map_get_by_id(rt, id, &again), -ENOENT);

	xbpf_map_put(outer);
	xbpf_map_put(wrong);
	xbpf_map_put(tmpl);
	xbpf_runtime_free(rt);
}

static void batch_operations(void **state)
{
	struct xbpf_runtime *rt = quiet_runtime();
	struct xbpf_map *map = make_map(rt, XBPF_MAP_TYPE_HASH, 4, 8, 64, 0);
	uint32_t keys[40];
	uint64_t values[40];
	for (uint32_t i = 0; i < 40; i++) {
		keys[i] = i;
		values[i] = i * 10;
	}
	uint32_t count = 40;
	assert_int_equal(xbpf_map_update_batch(map, keys, values, &count, NULL), 0);
	assert_int_equal(count, 40);
	struct xbpf_map_batch_opts bad = { .sz = sizeof(bad), .flags = 1 };
	assert_int_equal(xbpf_map_update_batch(map, keys, values, &count, &bad), -EINVAL);

	/* Look up in batches of 16 until exhausted. */
	uint32_t out_keys[16], batch;
	uint64_t out_values[16];
	bool seen[40] = { 0 };
	int total = 0, err = 0;
	void *in = NULL;
	while (err == 0) {
		count = 16;
		err = xbpf_map_lookup_batch(map, in, &batch, out_keys, out_values, &count, NULL);
		assert_true(err == 0 || err == -ENOENT);
		for (uint32_t i = 0; i < count; i++) {
			assert_false(seen[out_keys[i]]);
			seen[out_keys[i]] = true;
			assert_int_equal(out_values[i], out_keys[i] * 10);
		}
		total += (int)count;
		in = &batch;
	}
	assert_int_equal(total, 40);

	count = 10;
	assert_int_equal(xbpf_map_delete_batch(map, keys, &count, NULL), 0);
	assert_int_equal(count, 10);
	count = 2;
	assert_int_equal(xbpf_map_delete_batch(map, keys, &count, NULL), -ENOENT);
	assert_int_equal(count, 0);

	count = 16;
	total = 0;
	do {
		count = 16;
		err = xbpf_map_lookup_and_delete_batch(map, NULL, &batch, out_keys, out_values,
						       &count, NULL);
		total += (int)count;
	} while (err == 0);
	assert_int_equal(err, -ENOENT);
	assert_int_equal(total, 30);
	struct xbpf_map_info info;
	xbpf_map_get_info(map, &info);
	assert_int_equal(info.entries, 0);
	xbpf_map_put(map);
	xbpf_runtime_free(rt);
}

static void ids_and_pins_of_maps(void **state)
{
	struct xbpf_runtime *rt = quiet_runtime();
	struct xbpf_map *a = make_map(rt, XBPF_MAP_TYPE_HASH, 4, 4, 4, 0);
	struct xbpf_map *b = make_map(rt, XBPF_MAP_TYPE_ARRAY, 4, 4, 4, 0);
	uint32_t id;
	assert_int_equal(xbpf_map_get_next_id(rt, 0, &id), 0);
	assert_int_equal(id, xbpf_map_id(a));
	assert_int_equal(xbpf_map_get_next_id(rt, id, &id), 0);
	assert_int_equal(id, xbpf_map_id(b));
	assert_int_equal(xbpf_map_get_next_id(rt, id, &id), -ENOENT);
	assert_string_equal(xbpf_map_name(a), "m");

	assert_int_equal(xbpf_map_pin(a, "maps/a"), 0);
	xbpf_map_put(a);
	struct xbpf_map *got;
	assert_int_equal(xbpf_map_get_pinned(rt, "maps/a", &got), 0);
	assert_int_equal(xbpf_map_id(got), id - 1);
	uint32_t k = 1, v = 2;
	assert_int_equal(xbpf_map_update_elem(got, &k, &v, XBPF_ANY), 0);
	xbpf_map_put(got);
	assert_int_equal(xbpf_map_get_pinned(rt, "maps/b", &got), -ENOENT);
	xbpf_map_put(b);
	xbpf_runtime_free(rt); /* unpins a */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hash_create_checks),
		cmocka_unit_test(hash_semantics_prealloc),
		cmocka_unit_test(hash_semantics_no_prealloc),
		cmocka_unit_test(hash_iterates_every_key_once),
		cmocka_unit_test(hash_reuse_in_full_map),
		cmocka_unit_test(hash_program_path),
		cmocka_unit_test(hash_permissions_and_freeze),
		cmocka_unit_test(percpu_hash_slots),
		cmocka_unit_test(lru_keeps_recent_keys),
		cmocka_unit_test(lru_percpu_evicts_and_touches),
		cmocka_unit_test(hash_of_maps),
		cmocka_unit_test(batch_operations),
		cmocka_unit_test(ids_and_pins_of_maps),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	xbpf_epoch_barrier();
	return failed;
}
