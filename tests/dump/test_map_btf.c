/* SPDX-License-Identifier: MIT */
/*
 * The BTF maps carry (xbpf_map_btf, src/maps/map_btf.c): what the loader
 * attaches to the maps of a compiled object (.maps definitions, global data
 * with a fixed DATASEC), that it outlives the object, and what
 * xbpf_map_set_btf refuses.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <bpf/btf.h>

#include "maps/map.h"
#include "maps/map_btf.h"
#include "xbpf/xbpf.h"

static char log_text[4096];

static void log_fn(void *user, enum xbpf_log_level level, const char *msg)
{
	(void)user;
	(void)level;
	size_t len = strlen(log_text);
	snprintf(log_text + len, sizeof(log_text) - len, "%s\n", msg);
}

struct loaded {
	struct xbpf_runtime *rt;
	struct xbpf_extension *xdp;
	struct xbpf_object *obj;
};

static void load(struct loaded *l)
{
	assert_int_equal(xbpf_runtime_create(&l->rt), 0);
	xbpf_runtime_set_log(l->rt, log_fn, NULL, XBPF_LOG_INFO);
	assert_int_equal(xbpf_extension_load(l->rt, XBPF_TEST_EXTENSION_DIR "/xdp.so", &l->xdp), 0);
	assert_int_equal(xbpf_object_open_file(l->rt, XBPF_TEST_BPF_OBJECT_DIR "/dump_maps.bpf.o",
					       NULL, &l->obj), 0);
	log_text[0] = '\0';
	if (xbpf_object_load(l->obj, NULL))
		fail_msg("load failed: %s", log_text);
	/* Every map that has BTF types got them: no warning. */
	assert_null(strstr(log_text, "BTF"));
}

static void unload(struct loaded *l)
{
	xbpf_object_close(l->obj);
	xbpf_extension_unload(l->xdp);
	xbpf_runtime_free(l->rt);
}

/* The map's BTF parsed again from the bytes xbpf_map_btf gives. */
static struct btf *map_btf(struct xbpf_map *map, uint32_t *key, uint32_t *value)
{
	const void *raw = NULL;
	size_t size = 0;
	assert_int_equal(xbpf_map_btf(map, &raw, &size, key, value), 0);
	assert_non_null(raw);
	struct btf *btf = btf__new(raw, (uint32_t)size);
	assert_non_null(btf);
	return btf;
}

static const char *type_name(const struct btf *btf, uint32_t id)
{
	return btf__name_by_offset(btf, btf__type_by_id(btf, id)->name_off);
}

static void test_btf_maps_get_their_types(void **state)
{
	(void)state;
	struct loaded l;
	uint32_t key, value;
	load(&l);

	struct btf *btf = map_btf(xbpf_object_find_map(l.obj, "flows"), &key, &value);
	assert_string_equal(type_name(btf, key), "flow_key");
	assert_string_equal(type_name(btf, value), "flow_value");
	assert_int_equal(btf__resolve_size(btf, value), 40);
	btf__free(btf);

	btf = map_btf(xbpf_object_find_map(l.obj, "per_cpu"), &key, &value);
	assert_int_equal(btf__resolve_size(btf, key), 4);
	assert_int_equal(btf__resolve_size(btf, value), 8);
	btf__free(btf);

	/* key_size/value_size without __type: no BTF, as Linux has none. */
	assert_int_equal(xbpf_map_btf(xbpf_object_find_map(l.obj, "raw"), NULL, NULL, NULL, NULL),
			 -ENOENT);
	unload(&l);
}

/* The DATASEC of a data map is its value: size and offsets filled in. */
static void test_data_maps_get_a_fixed_datasec(void **state)
{
	(void)state;
	struct loaded l;
	uint32_t key = 99, value;
	load(&l);

	struct btf *btf = map_btf(xbpf_object_find_map(l.obj, ".bss"), &key, &value);
	assert_int_equal(key, 0);
	const struct btf_type *sec = btf__type_by_id(btf, value);
	assert_true(btf_is_datasec(sec));
	assert_string_equal(type_name(btf, value), ".bss");
	assert_int_equal(sec->size, 4);
	btf__free(btf);

	/* .rodata also holds the initialiser of a local struct. */
	struct xbpf_map_info info;
	assert_int_equal(xbpf_map_get_info(xbpf_object_find_map(l.obj, ".rodata"), &info), 0);
	btf = map_btf(xbpf_object_find_map(l.obj, ".rodata"), &key, &value);
	sec = btf__type_by_id(btf, value);
	assert_int_equal(sec->size, info.value_size);
	assert_int_equal(btf_vlen(sec), 1);
	assert_string_equal(type_name(btf, btf_var_secinfos(sec)[0].type), "banner");
	assert_int_equal(btf_var_secinfos(sec)[0].size, 6);
	btf__free(btf);
	unload(&l);
}

/* A pinned map keeps its BTF after the object that loaded it is closed. */
static void test_btf_outlives_the_object(void **state)
{
	(void)state;
	struct loaded l;
	uint32_t key, value;
	load(&l);
	struct xbpf_map *flows = xbpf_object_find_map(l.obj, "flows");
	xbpf_map_get(flows);
	xbpf_object_close(l.obj);
	l.obj = NULL;

	struct btf *btf = map_btf(flows, &key, &value);
	assert_string_equal(type_name(btf, value), "flow_value");
	btf__free(btf);
	xbpf_map_put(flows);
	unload(&l);
}

/* BTF with one 4-byte int (id 1) and one 8-byte int (id 2). */
static const void *two_ints(struct btf **btf, uint32_t *size)
{
	*btf = btf__new_empty();
	assert_non_null(*btf);
	assert_int_equal(btf__add_int(*btf, "u32", 4, 0), 1);
	assert_int_equal(btf__add_int(*btf, "u64", 8, 0), 2);
	const void *raw = btf__raw_data(*btf, size);
	assert_non_null(raw);
	return raw;
}

static void test_set_btf_checks(void **state)
{
	(void)state;
	struct xbpf_runtime *rt;
	struct xbpf_map *map;
	struct btf *btf;
	uint32_t size, key = 0, value = 0;
	const void *raw = two_ints(&btf, &size);
	const void *got;
	size_t got_size;
	static const char junk[32] = "not BTF at all";

	assert_int_equal(xbpf_runtime_create(&rt), 0);
	xbpf_runtime_set_log(rt, log_fn, NULL, XBPF_LOG_INFO);
	assert_int_equal(xbpf_map_create(rt, XBPF_MAP_TYPE_HASH, "pairs", 4, 8, 4, NULL, &map), 0);
	assert_int_equal(xbpf_map_btf(map, NULL, NULL, NULL, NULL), -ENOENT);

	log_text[0] = '\0';
	assert_int_equal(xbpf_map_set_btf(map, junk, sizeof(junk), 1, 2), -EINVAL);
	assert_non_null(strstr(log_text, "cannot parse"));
	log_text[0] = '\0';
	assert_int_equal(xbpf_map_set_btf(map, raw, size, 1, 3), -EINVAL);
	assert_non_null(strstr(log_text, "map 'pairs': BTF value type id 3 does not exist"));
	log_text[0] = '\0';
	assert_int_equal(xbpf_map_set_btf(map, raw, size, 2, 2), -EINVAL);
	assert_non_null(strstr(log_text, "BTF key type 2 has 8 bytes, the map's key has 4"));
	assert_int_equal(xbpf_map_btf(map, NULL, NULL, NULL, NULL), -ENOENT);

	assert_int_equal(xbpf_map_set_btf(map, raw, size, 1, 2), 0);
	/* Set once. */
	assert_int_equal(xbpf_map_set_btf(map, raw, size, 0, 2), -EEXIST);
	assert_int_equal(xbpf_map_btf(map, &got, &got_size, &key, &value), 0);
	assert_int_equal(key, 1);
	assert_int_equal(value, 2);
	/* A copy: the caller's bytes may go. */
	assert_int_equal(got_size, size);
	assert_ptr_not_equal(got, raw);
	assert_memory_equal(got, raw, size);
	btf__free(btf);
	xbpf_map_put(map);
	xbpf_runtime_free(rt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_btf_maps_get_their_types),
		cmocka_unit_test(test_data_maps_get_a_fixed_datasec),
		cmocka_unit_test(test_btf_outlives_the_object),
		cmocka_unit_test(test_set_btf_checks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
