/* SPDX-License-Identifier: MIT */
/* Maps whose provider implements the storage (XBPF_MAP_BASE_NONE): checks
 * at registration, host operations, programs' accesses, size-negotiated
 * reads, and control maps published under ext/<extension>/<name>, orphaned
 * and adopted. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <xbpf/extension.h>

#include "ext_test.h"
#include "isa/insn.h"
#include "map_prog.h"
#include "nm_test.h"

static struct xbpf_extension *load(struct xbpf_runtime *rt, const char *variant)
{
	struct xbpf_extension *ext;
	if (xbpf_extension_load(rt, nm_path(variant), &ext))
		fail_msg("%s refused:\n%s", variant, ext_log_text);
	return ext;
}

static void expect_refused(const char *variant, const char *expect)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_extension *ext;
	assert_int_equal(xbpf_extension_load(rt, nm_path(variant), &ext), -EINVAL);
	if (!strstr(ext_log_text, expect))
		fail_msg("variant %s: expected '%s' in the log:\n%s", variant, expect, ext_log_text);
	struct xbpf_map *map;
	assert_int_equal(xbpf_map_create(rt, NM_TYPE, "m", 4, 16, 4, NULL, &map), -EOPNOTSUPP);
	xbpf_runtime_free(rt);
}

static void bad_provider_data_is_refused(void **state)
{
	expect_refused("nm_bad_no_delete",
		       "map type refused: delete_elem is NULL: required with XBPF_MAP_BASE_NONE");
	expect_refused("nm_bad_btf", "map type refused: btf cannot be parsed as raw BTF");
	expect_refused("nm_bad_btf_key",
		       "map type refused: btf_key_type_id is not a type id of the BTF");
	expect_refused("nm_bad_prog_lookup",
		       "map type refused: properties XBPF_MAP_PROG_LOOKUP is for core-stored maps");
}

static void put(struct xbpf_map *map, uint32_t key, uint64_t a, uint64_t flags, int expect)
{
	struct nm_value v = {a, a * 2};
	assert_int_equal(xbpf_map_update_elem(map, &key, &v, flags), expect);
}

static void host_operations(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	load(rt, "nm_noprog");
	struct xbpf_map *map;
	/* The core checks sizes before the provider sees them. */
	assert_int_equal(xbpf_map_create(rt, NM_TYPE, "m", 0, 16, 4, NULL, &map), -EINVAL);
	assert_non_null(strstr(ext_log_text, "key and value sizes must not be 0"));
	/* The provider's BTF says values have 16 bytes. */
	assert_int_equal(xbpf_map_create(rt, NM_TYPE, "m", 4, 8, 4, NULL, &map), -EINVAL);
	assert_non_null(strstr(ext_log_text, "describes values with BTF of 16 bytes"));
	/* The provider's create refuses: its error unchanged. */
	assert_int_equal(xbpf_map_create(rt, NM_TYPE, "m", 4, 16, 9, NULL, &map), -E2BIG);
	assert_int_equal(xbpf_map_create(rt, NM_TYPE, "m", 4, 16, 4, NULL, &map), 0);

	for (uint32_t k = 1; k <= 4; k++)
		put(map, k, k * 10, XBPF_ANY, 0);
	put(map, 5, 50, XBPF_ANY, -E2BIG);
	put(map, 2, 21, XBPF_NOEXIST, -EEXIST);
	put(map, 7, 70, XBPF_EXIST, -ENOENT);
	put(map, 2, 21, XBPF_EXIST, 0);
	put(map, 2, NM_REFUSED, XBPF_ANY, -EBADMSG);
	put(map, 2, 21, XBPF_EXIST + 1, -EINVAL);

	uint32_t key = 2;
	struct nm_value v;
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &v), 0);
	assert_int_equal(v.a, 21);
	assert_int_equal(v.b, 42);
	key = 9;
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &v), -ENOENT);
	assert_int_equal(xbpf_map_delete_elem(map, &key), -ENOENT);
	key = 3;
	assert_int_equal(xbpf_map_delete_elem(map, &key), 0);
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &v), -ENOENT);
	/* No atomic lookup-and-delete in a provider's storage. */
	key = 1;
	assert_int_equal(xbpf_map_lookup_and_delete_elem(map, &key, &v), -EOPNOTSUPP);

	/* Iteration sees every key once. */
	uint32_t next, seen = 0, n = 0;
	const void *prev = NULL;
	while (xbpf_map_get_next_key(map, prev, &next) == 0) {
		seen |= 1u << next;
		n++;
		key = next;
		prev = &key;
	}
	assert_int_equal(n, 3);
	assert_int_equal(seen, (1u << 1) | (1u << 2) | (1u << 4));

	/* Batches through the element operations. */
	uint32_t keys[3] = {4, 5, 6}, count = 2;
	struct nm_value values[3] = {{40, 0}, {50, 0}, {60, 0}};
	/* 5 fits, 6 does not: the batch stops there. */
	assert_int_equal(xbpf_map_update_batch(map, keys + 1, values + 1, &count, NULL), -E2BIG);
	assert_int_equal(count, 1);
	count = 1;
	assert_int_equal(xbpf_map_update_batch(map, keys, values, &count, NULL), 0);
	uint32_t out_keys[8], out_batch;
	struct nm_value out_values[8];
	count = 8;
	assert_int_equal(xbpf_map_lookup_batch(map, NULL, &out_batch, out_keys, out_values, &count, NULL),
			 -ENOENT);
	assert_int_equal(count, 4);
	uint64_t sum = 0;
	for (uint32_t i = 0; i < count; i++)
		sum += out_values[i].a;
	assert_int_equal(sum, 10 + 21 + 40 + 50);
	count = 2;
	assert_int_equal(xbpf_map_delete_batch(map, keys, &count, NULL), 0);
	assert_int_equal(count, 2);
	key = 5;
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &v), -ENOENT);

	struct xbpf_map_info info;
	assert_int_equal(xbpf_map_get_info(map, &info), 0);
	assert_int_equal(info.type, NM_TYPE);
	assert_int_equal(info.entries, -1);
	xbpf_map_put(map);
	xbpf_runtime_free(rt);
}

/* A program: bpf_map_lookup_elem(key); r0 = -1 when NULL, else 1. */
static int load_lookup(struct xbpf_runtime *rt, struct xbpf_map *map, uint32_t key,
		       struct xbpf_program **prog)
{
	const struct xbpf_insn insns[] = {
		xbpf_insn_make(XBPF_CLASS_ST | XBPF_MODE_MEM | XBPF_SIZE_W, 10, 0, -4, (int32_t)key),
		xbpf_insn_make(XBPF_CLASS_LD | XBPF_MODE_IMM | XBPF_SIZE_DW, 1, XBPF_PSEUDO_MAP_FD, 0,
			       (int32_t)xbpf_map_id(map)),
		xbpf_insn_make(0, 0, 0, 0, 0),
		xbpf_insn_make(XBPF_CLASS_ALU64 | XBPF_ALU_MOV | XBPF_SRC_X, 2, 10, 0, 0),
		xbpf_insn_make(XBPF_CLASS_ALU64 | XBPF_ALU_ADD, 2, 0, 0, -4),
		xbpf_insn_make(XBPF_CLASS_JMP | XBPF_JMP_CALL, 0, 0, 0, 1),
		xbpf_insn_make(XBPF_CLASS_JMP | XBPF_JMP_JNE, 0, 0, 2, 0),
		xbpf_insn_make(XBPF_CLASS_ALU64 | XBPF_ALU_MOV, 0, 0, 0, -1),
		xbpf_insn_make(XBPF_CLASS_JMP | XBPF_JMP_EXIT, 0, 0, 0, 0),
		xbpf_insn_make(XBPF_CLASS_ALU64 | XBPF_ALU_MOV, 0, 0, 0, 1),
		xbpf_insn_make(XBPF_CLASS_JMP | XBPF_JMP_EXIT, 0, 0, 0, 0),
	};
	return xbpf_program_load(rt, "sample", insns, sizeof(insns) / sizeof(insns[0]), NULL, prog);
}

/* A program: bpf_map_update_elem(key, {a, 7}, BPF_ANY), or with del
 * bpf_map_delete_elem(key); returns the helper's r0. */
static int load_write(struct xbpf_runtime *rt, struct xbpf_map *map, uint32_t key, int32_t a,
		      bool del, struct xbpf_program **prog)
{
	const struct xbpf_insn insns[] = {
		xbpf_insn_make(XBPF_CLASS_ST | XBPF_MODE_MEM | XBPF_SIZE_W, 10, 0, -4, (int32_t)key),
		xbpf_insn_make(XBPF_CLASS_ST | XBPF_MODE_MEM | XBPF_SIZE_DW, 10, 0, -24, a),
		xbpf_insn_make(XBPF_CLASS_ST | XBPF_MODE_MEM | XBPF_SIZE_DW, 10, 0, -16, 7),
		xbpf_insn_make(XBPF_CLASS_LD | XBPF_MODE_IMM | XBPF_SIZE_DW, 1, XBPF_PSEUDO_MAP_FD, 0,
			       (int32_t)xbpf_map_id(map)),
		xbpf_insn_make(0, 0, 0, 0, 0),
		xbpf_insn_make(XBPF_CLASS_ALU64 | XBPF_ALU_MOV | XBPF_SRC_X, 2, 10, 0, 0),
		xbpf_insn_make(XBPF_CLASS_ALU64 | XBPF_ALU_ADD, 2, 0, 0, -4),
		xbpf_insn_make(XBPF_CLASS_ALU64 | XBPF_ALU_MOV | XBPF_SRC_X, 3, 10, 0, 0),
		xbpf_insn_make(XBPF_CLASS_ALU64 | XBPF_ALU_ADD, 3, 0, 0, -24),
		xbpf_insn_make(XBPF_CLASS_ALU64 | XBPF_ALU_MOV, 4, 0, 0, 0),
		xbpf_insn_make(XBPF_CLASS_JMP | XBPF_JMP_CALL, 0, 0, 0, del ? 3 : 2),
		xbpf_insn_make(XBPF_CLASS_JMP | XBPF_JMP_EXIT, 0, 0, 0, 0),
	};
	return xbpf_program_load(rt, "sample", insns, sizeof(insns) / sizeof(insns[0]), NULL, prog);
}

/* Runs and drops a program just loaded (prog is read after the load). */
static uint64_t run_once(int load_err, struct xbpf_program **prog)
{
	assert_int_equal(load_err, 0);
	uint64_t r0 = map_prog_run(*prog);
	xbpf_program_put(*prog);
	return r0;
}

static void programs_go_through_the_provider(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_extension *sample;
	assert_int_equal(xbpf_extension_load(rt, ext_path("sample"), &sample), 0);
	struct xbpf_extension *ext = load(rt, "nm_none");
	struct xbpf_map *map;
	assert_int_equal(xbpf_map_get_pinned(rt, NM_PIN, &map), 0);
	struct xbpf_program *prog;
	put(map, 1, 10, XBPF_ANY, 0);

	/* No pointers into the provider's storage. */
	assert_int_equal(run_once(load_lookup(rt, map, 1, &prog), &prog), (uint64_t)-1);
	/* Updates and deletes reach the provider (XBPF_MAP_FROM_PROGRAM). */
	assert_int_equal(run_once(load_write(rt, map, 2, 33, false, &prog), &prog), 0);
	uint32_t key = 2;
	struct nm_value v;
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &v), 0);
	assert_int_equal(v.a, 33);
	assert_int_equal(v.b, 7);
	/* Its errors unchanged. */
	assert_int_equal(run_once(load_write(rt, map, 3, NM_REFUSED, false, &prog), &prog),
			 (uint64_t)-EBADMSG);
	assert_int_equal(run_once(load_write(rt, map, 2, 0, true, &prog), &prog), 0);
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &v), -ENOENT);
	assert_int_equal(run_once(load_write(rt, map, 2, 0, true, &prog), &prog), (uint64_t)-ENOENT);
	xbpf_map_put(map);

	/* Without XBPF_MAP_PROG_UPDATE/_DELETE: refused as on transforming maps. */
	assert_int_equal(xbpf_extension_unload(ext), 0);
	load(rt, "nm_noprog");
	assert_int_equal(xbpf_map_create(rt, NM_TYPE, "m", 4, 16, 4, NULL, &map), 0);
	put(map, 1, 10, XBPF_ANY, 0);
	assert_int_equal(run_once(load_lookup(rt, map, 1, &prog), &prog), (uint64_t)-1);
	assert_int_equal(run_once(load_write(rt, map, 2, 33, false, &prog), &prog),
			 (uint64_t)-EOPNOTSUPP);
	assert_int_equal(run_once(load_write(rt, map, 1, 0, true, &prog), &prog),
			 (uint64_t)-EOPNOTSUPP);
	xbpf_map_put(map);
	xbpf_runtime_free(rt);
}

static void sized_reads(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	load(rt, "nm_none");
	struct xbpf_map *map;
	assert_int_equal(xbpf_map_get_pinned(rt, NM_PIN, &map), 0);
	put(map, 1, 10, XBPF_ANY, 0);
	uint32_t key = 1;
	/* An older reader knows only a. */
	uint64_t old = 0;
	assert_int_equal(xbpf_map_lookup_elem_sized(map, &key, &old, sizeof(old)), 0);
	assert_int_equal(old, 10);
	/* A newer reader knows a third field: zero here. */
	uint64_t newer[3] = {1, 1, 1};
	assert_int_equal(xbpf_map_lookup_elem_sized(map, &key, newer, sizeof(newer)), 0);
	assert_int_equal(newer[0], 10);
	assert_int_equal(newer[1], 20);
	assert_int_equal(newer[2], 0);
	key = 5;
	assert_int_equal(xbpf_map_lookup_elem_sized(map, &key, newer, sizeof(newer)), -ENOENT);
	assert_int_equal(xbpf_map_lookup_elem_sized(map, &key, newer, 0), -EINVAL);
	xbpf_map_put(map);

	/* Built-in maps: the same rule, by copy. */
	assert_int_equal(xbpf_map_create(rt, XBPF_MAP_TYPE_HASH, "h", 4, 8, 4, NULL, &map), 0);
	key = 1;
	uint64_t value = 0x1122334455667788ULL;
	assert_int_equal(xbpf_map_update_elem(map, &key, &value, XBPF_ANY), 0);
	uint32_t half = 0;
	assert_int_equal(xbpf_map_lookup_elem_sized(map, &key, &half, sizeof(half)), 0);
	assert_int_equal(half, 0x55667788);
	uint64_t two[2] = {1, 1};
	assert_int_equal(xbpf_map_lookup_elem_sized(map, &key, two, sizeof(two)), 0);
	assert_int_equal(two[0], value);
	assert_int_equal(two[1], 0);
	xbpf_map_put(map);
	xbpf_runtime_free(rt);
}

static void control_maps_are_orphaned_and_adopted(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_extension *sample;
	assert_int_equal(xbpf_extension_load(rt, ext_path("sample"), &sample), 0);
	struct xbpf_extension *ext = load(rt, "nm_none");
	/* Published: no creation step. */
	struct xbpf_map *map;
	assert_int_equal(xbpf_map_get_pinned(rt, NM_PIN, &map), 0);
	uint32_t id = xbpf_map_id(map);
	put(map, 3, 30, XBPF_ANY, 0);
	struct xbpf_program *prog;
	assert_int_equal(load_write(rt, map, 4, 40, false, &prog), 0);

	assert_int_equal(xbpf_extension_unload(ext), 0);
	/* Orphaned: still pinned, every operation fails fast. */
	struct xbpf_map *again;
	assert_int_equal(xbpf_map_get_pinned(rt, NM_PIN, &again), 0);
	assert_ptr_equal(again, map);
	xbpf_map_put(again);
	uint32_t key = 3, next;
	struct nm_value v;
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &v), -XBPF_EDETACHED);
	assert_int_equal(xbpf_map_lookup_elem_sized(map, &key, &v, 8), -XBPF_EDETACHED);
	assert_int_equal(xbpf_map_get_next_key(map, NULL, &next), -XBPF_EDETACHED);
	assert_int_equal(xbpf_map_delete_elem(map, &key), -XBPF_EDETACHED);
	put(map, 3, 31, XBPF_ANY, -XBPF_EDETACHED);
	assert_int_equal(map_prog_run(prog), (uint64_t)-XBPF_EDETACHED);
	assert_non_null(strstr(ext_log_text, "map 'table' (id"));
	/* Its BTF stays with it, for dumps. */
	uint32_t key_id, value_id;
	assert_int_equal(xbpf_map_btf(map, NULL, NULL, &key_id, &value_id), 0);
	assert_int_equal(key_id, 1);
	assert_int_equal(value_id, 3);

	/* Back: adopted with its entries, and publishing again keeps it. */
	ext = load(rt, "nm_none");
	assert_int_equal(xbpf_map_get_pinned(rt, NM_PIN, &again), 0);
	assert_ptr_equal(again, map);
	assert_int_equal(xbpf_map_id(again), id);
	xbpf_map_put(again);
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &v), 0);
	assert_int_equal(v.a, 30);
	assert_int_equal(map_prog_run(prog), 0);
	key = 4;
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &v), 0);
	assert_int_equal(v.a, 40);
	xbpf_program_put(prog);
	xbpf_map_put(map);
	/* Unloaded for good, then the runtime: nothing leaks (ASan). */
	assert_int_equal(xbpf_extension_unload(ext), 0);
	xbpf_runtime_free(rt);
}

/* A new version of the extension with a longer value: the old map cannot
 * be adopted (other state), so publishing replaces it at the path; holders
 * of the old one keep an orphaned map. */
static void a_new_layout_replaces_the_control_map(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_extension *ext = load(rt, "nm_none");
	struct xbpf_map *old, *map;
	assert_int_equal(xbpf_map_get_pinned(rt, NM_PIN, &old), 0);
	put(old, 1, 10, XBPF_ANY, 0);
	assert_int_equal(xbpf_extension_unload(ext), 0);

	ext = load(rt, "nm_none_v2");
	assert_non_null(strstr(ext_log_text, "stays orphaned"));
	assert_non_null(strstr(ext_log_text, "control map 'ext/nm_none/table': replacing the "
					     "orphaned map"));
	assert_int_equal(xbpf_map_get_pinned(rt, NM_PIN, &map), 0);
	assert_ptr_not_equal(map, old);
	struct xbpf_map_info info;
	assert_int_equal(xbpf_map_get_info(map, &info), 0);
	assert_int_equal(info.value_size, 24);
	uint32_t key = 1;
	struct nm_value v;
	assert_int_equal(xbpf_map_lookup_elem(old, &key, &v), -XBPF_EDETACHED);
	assert_int_equal(xbpf_map_lookup_elem_sized(map, &key, &v, sizeof(v)), -ENOENT);
	/* A reader of the old, shorter layout reads the new map's prefix. */
	uint64_t three[3] = {7, 8, 9};
	assert_int_equal(xbpf_map_update_elem(map, &key, three, XBPF_ANY), 0);
	assert_int_equal(xbpf_map_lookup_elem_sized(map, &key, &v, sizeof(v)), 0);
	assert_int_equal(v.a, 7);
	assert_int_equal(v.b, 8);
	xbpf_map_put(old);
	xbpf_map_put(map);
	xbpf_runtime_free(rt);
}

/* Hosts cannot pin under "ext/", so nothing can squat the path an
 * extension publishes at. */
static void hosts_cannot_squat_a_control_map_path(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_map *map;
	assert_int_equal(xbpf_map_create(rt, XBPF_MAP_TYPE_HASH, "squatter", 4, 16, 8, NULL, &map), 0);
	assert_int_equal(xbpf_map_pin(map, NM_PIN), -EPERM);
	assert_non_null(strstr(ext_log_text, "pin path '" NM_PIN "': paths under 'ext/' are "
					     "reserved for the control maps extensions publish"));
	load(rt, "nm_none");
	struct xbpf_map *table;
	assert_int_equal(xbpf_map_get_pinned(rt, NM_PIN, &table), 0);
	struct xbpf_map_info info = {0};
	assert_int_equal(xbpf_map_get_info(table, &info), 0);
	assert_int_not_equal(info.id, xbpf_map_id(map));
	xbpf_map_put(table);
	xbpf_map_put(map);
	xbpf_runtime_free(rt);
}

struct racer {
	struct xbpf_map *map;
	struct xbpf_program *prog;
	atomic_bool stop;
	atomic_long ok, detached, bad;
};

/* Host lookups, iteration and a program's updates while the provider
 * comes and goes: each either works or fails fast, none crashes. */
static void *race(void *arg)
{
	struct racer *r = arg;
	while (!atomic_load(&r->stop)) {
		uint32_t key = 1, next;
		struct nm_value v;
		int err = xbpf_map_lookup_elem(r->map, &key, &v);
		int err2 = xbpf_map_get_next_key(r->map, NULL, &next);
		struct xbpf_test_run_opts opts = {.sz = sizeof(opts)};
		int err3 = xbpf_program_test_run(r->prog, &opts);
		long r0 = (long)opts.retval;
		if (!err && v.a == 10 && !err2 && !err3 && r0 == 0)
			r->ok++;
		else if (err == -XBPF_EDETACHED || err2 == -XBPF_EDETACHED || r0 == -XBPF_EDETACHED)
			r->detached++;
		else
			r->bad++;
	}
	return NULL;
}

static void provider_unload_races_operations(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	xbpf_runtime_set_log(rt, NULL, NULL, XBPF_LOG_ERROR);
	struct xbpf_extension *sample;
	assert_int_equal(xbpf_extension_load(rt, ext_path("sample"), &sample), 0);
	struct xbpf_extension *ext = load(rt, "nm_none");
	struct racer r = {0};
	assert_int_equal(xbpf_map_get_pinned(rt, NM_PIN, &r.map), 0);
	put(r.map, 1, 10, XBPF_ANY, 0);
	assert_int_equal(load_write(rt, r.map, 2, 20, false, &r.prog), 0);
	pthread_t threads[2];
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, race, &r), 0);
	for (int i = 0; i < 20; i++) {
		assert_int_equal(xbpf_extension_unload(ext), 0);
		ext = load(rt, "nm_none");
	}
	atomic_store(&r.stop, true);
	for (int i = 0; i < 2; i++)
		pthread_join(threads[i], NULL);
	assert_int_equal(r.bad, 0);
	assert_true(r.ok > 0);
	xbpf_program_put(r.prog);
	xbpf_map_put(r.map);
	xbpf_runtime_free(rt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_provider_data_is_refused),
		cmocka_unit_test(host_operations),
		cmocka_unit_test(programs_go_through_the_provider),
		cmocka_unit_test(sized_reads),
		cmocka_unit_test(control_maps_are_orphaned_and_adopted),
		cmocka_unit_test(a_new_layout_replaces_the_control_map),
		cmocka_unit_test(hosts_cannot_squat_a_control_map_path),
		cmocka_unit_test(provider_unload_races_operations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
