/* SPDX-License-Identifier: MIT */
/*
 * Maps of extension-provided types: creation, host operations around the
 * core's hash and array storage, programs' accesses, the map services, and
 * orphaning and adoption.
 *
 * Issue 7, "Done when", first bullet: where each scenario is tested (the
 * configurable test map type is testmap_ext.c, built in variants listed in
 * CMakeLists.txt: transforming or not, with or without callbacks, hash or
 * array).
 *  - creating before the provider exists, and with an unregistered type
 *    id, fails: creation_needs_a_provider
 *  - a transforming provider missing its find/update callbacks is
 *    refused; bad provider data refused: test_custom_map_register.c
 *    bad_provider_data_is_refused
 *  - insert up to max_entries and one more fails: plain_hash_operations,
 *    transforming_array, program_writes_call_the_provider
 *  - lookup, absent key, update in place, delete, lookup-and-delete, full
 *    iteration: plain_hash_operations, transforming_hash_round_trip,
 *    transforming_array
 *  - batch update (NOEXIST and EXIST refused as by a built-in hash, as on
 *    Linux) and batch delete: batch_operations
 *  - from programs, lookup and in-place increment on a non-transforming
 *    map, null on a transforming one; update/delete succeed or fail as
 *    the built-in kind: programs_use_plain_maps_not_transforming_ones,
 *    program_writes_call_the_provider,
 *    program_writes_on_an_array_with_callbacks; iteration, push/pop/peek
 *    and lookups from a clang-compiled object: test_custom_map_object.c
 *  - the provider's helper reads through the raw lookup and refuses a
 *    built-in map: test_custom_map_object.c
 *    the_providers_helper_reads_its_maps_only (from a program), and
 *    transforming_hash_round_trip (the services from the host)
 *  - the association veto stops a program of another type:
 *    providers_veto_program_types, and on adoption:
 *    adoption_asks_about_programs_loaded_while_orphaned
 *  - pinning and reopening; orphaning and adoption with entries intact:
 *    orphaned_maps_fail_fast_and_are_adopted; maps freed while orphaned:
 *    maps_freed_while_orphaned_wait_for_their_provider,
 *    buried_maps_go_with_the_runtime
 *  - two providers for one type: test_custom_map_register.c
 *    second_provider_for_a_type_is_refused
 * The second bullet (concurrency) is test_custom_map_stress.c.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <xbpf/extension.h>

#include "ext_test.h"
#include "isa/insn.h"
#include "map_prog.h"
#include "runtime/epoch.h"
#include "tm_test.h"

static struct xbpf_extension *load(struct xbpf_runtime *rt, const char *variant)
{
	struct xbpf_extension *ext;
	if (xbpf_extension_load(rt, tm_path(variant), &ext))
		fail_msg("%s refused:\n%s", variant, ext_log_text);
	return ext;
}

static void creation_needs_a_provider(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_map *map;
	assert_int_equal(xbpf_map_create(rt, TM_PLAIN_HASH, "m", 4, 8, 4, NULL, &map), -EOPNOTSUPP);
	assert_non_null(strstr(ext_log_text, "map 'm': no provider for map type 4096"));
	load(rt, "tm_plain_hash");
	assert_int_equal(xbpf_map_create(rt, 5000, "m", 4, 8, 4, NULL, &map), -EOPNOTSUPP);
	assert_non_null(strstr(ext_log_text, "no provider for map type 5000"));
	/* The provider's create refuses a value size: its error unchanged. */
	assert_int_equal(xbpf_map_create(rt, TM_PLAIN_HASH, "m", 4, 16, 4, NULL, &map), -EMSGSIZE);
	assert_non_null(strstr(ext_log_text, "map type 'tm_plain_hash' (tm_plain_hash) refused it"));
	/* A provider that keeps values as they are cannot change their size. */
	struct xbpf_extension *bad = load(rt, "tm_bad_stored");
	assert_int_equal(xbpf_map_create(rt, 4101, "m", 4, 8, 4, NULL, &map), -EINVAL);
	assert_non_null(strstr(ext_log_text, "chose stored value size 16: only a provider that "
					     "transforms values may change it"));
	assert_int_equal(tm_stats_of(bad).destroyed, 1);
	/* The storage's own checks apply. */
	assert_int_equal(xbpf_map_create(rt, TM_PLAIN_HASH, "m", 0, 8, 4, NULL, &map), -EINVAL);
	xbpf_runtime_free(rt);
}

static void plain_hash_operations(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_extension *ext = load(rt, "tm_plain_hash");
	struct xbpf_map *map;
	assert_int_equal(xbpf_map_create(rt, TM_PLAIN_HASH, "plain", 4, 8, 3, NULL, &map), 0);
	struct xbpf_map_info info;
	assert_int_equal(xbpf_map_get_info(map, &info), 0);
	assert_int_equal(info.type, TM_PLAIN_HASH);

	uint32_t key;
	uint64_t value, got;
	for (key = 1; key <= 3; key++) {
		value = key * 10;
		assert_int_equal(xbpf_map_update_elem(map, &key, &value, XBPF_ANY), 0);
	}
	key = 4;
	assert_int_equal(xbpf_map_update_elem(map, &key, &value, XBPF_ANY), -E2BIG);
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &got), -ENOENT);
	key = 2;
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &got), 0);
	assert_int_equal(got, 20);
	value = 21;
	assert_int_equal(xbpf_map_update_elem(map, &key, &value, XBPF_NOEXIST), -EEXIST);
	assert_int_equal(xbpf_map_update_elem(map, &key, &value, XBPF_EXIST), 0);
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &got), 0);
	assert_int_equal(got, 21);

	/* Iteration sees every key once. */
	uint32_t next, seen = 0;
	const uint32_t *prev = NULL;
	uint32_t cur;
	while (xbpf_map_get_next_key(map, prev, &next) == 0) {
		seen |= 1u << next;
		cur = next;
		prev = &cur;
	}
	assert_int_equal(seen, (1u << 1) | (1u << 2) | (1u << 3));

	assert_int_equal(xbpf_map_lookup_and_delete_elem(map, &key, &got), 0);
	assert_int_equal(got, 21);
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &got), -ENOENT);
	key = 3;
	assert_int_equal(xbpf_map_delete_elem(map, &key), 0);
	assert_int_equal(xbpf_map_delete_elem(map, &key), -ENOENT);
	assert_int_equal(xbpf_map_get_info(map, &info), 0);
	assert_int_equal(info.entries, 1);

	xbpf_map_put(map);
	xbpf_epoch_barrier();
	struct tm_stats s = tm_stats_of(ext);
	assert_int_equal(s.destroyed, 1);
	assert_int_equal(s.bad, 0);
	xbpf_runtime_free(rt);
}

static void transforming_hash_round_trip(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_extension *ext = load(rt, "tm_xform_hash");
	struct xbpf_map *map;
	assert_int_equal(xbpf_map_create(rt, TM_XFORM_HASH, "xform", 4, 8, 4, NULL, &map), 0);

	uint32_t key = 1;
	uint64_t value = 100, got;
	assert_int_equal(xbpf_map_update_elem(map, &key, &value, XBPF_ANY), 0);
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &got), 0);
	assert_int_equal(got, 100);
	/* Replacing releases the displaced value once. */
	value = 101;
	assert_int_equal(xbpf_map_update_elem(map, &key, &value, XBPF_ANY), 0);
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &got), 0);
	assert_int_equal(got, 101);
	struct tm_stats s = tm_stats_of(ext);
	assert_int_equal(s.created, 2);
	assert_int_equal(s.released, 1);
	assert_int_equal(s.replaced, 1);
	/* A refused update undoes the new value, keeps the old one. */
	value = 102;
	assert_int_equal(xbpf_map_update_elem(map, &key, &value, XBPF_NOEXIST), -EEXIST);
	s = tm_stats_of(ext);
	assert_int_equal(s.undone, 1);
	assert_int_equal(s.released, 2);
	/* The provider's error reaches the caller unchanged. */
	value = TM_REFUSED_VALUE;
	assert_int_equal(xbpf_map_update_elem(map, &key, &value, XBPF_ANY), -EBADMSG);
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &got), 0);
	assert_int_equal(got, 101);

	key = 2;
	value = 200;
	assert_int_equal(xbpf_map_update_elem(map, &key, &value, XBPF_ANY), 0);
	assert_int_equal(xbpf_map_lookup_and_delete_elem(map, &key, &got), 0);
	assert_int_equal(got, 200);
	assert_int_equal(xbpf_map_delete_elem(map, &key), -ENOENT);
	key = 3;
	value = 300;
	assert_int_equal(xbpf_map_update_elem(map, &key, &value, XBPF_ANY), 0);
	assert_int_equal(xbpf_map_delete_elem(map, &key), 0);
	s = tm_stats_of(ext);
	assert_int_equal(s.created, 5);
	assert_int_equal(s.released, 4);

	/* The map services, as the provider's helpers would use them. */
	void *(*map_state)(struct xbpf_map *) = xbpf_extension_symbol(ext, "tm_map_state");
	int (*raw)(struct xbpf_map *, const void *, void *, size_t) =
		xbpf_extension_symbol(ext, "tm_raw_lookup");
	uint32_t (*type_of)(struct xbpf_map *) = xbpf_extension_symbol(ext, "tm_map_type");
	assert_non_null(map_state(map));
	uint64_t stored[2];
	key = 1;
	assert_int_equal(raw(map, &key, stored, sizeof(stored)), 0);
	assert_int_equal(stored[1], 101 ^ 0x11fe11fe11fe11feULL);
	key = 9;
	assert_int_equal(raw(map, &key, stored, sizeof(stored)), -ENOENT);
	assert_int_equal(type_of(map), TM_XFORM_HASH);
	/* A built-in map is not the provider's: no state, no raw lookup. */
	struct xbpf_map *builtin;
	assert_int_equal(xbpf_map_create(rt, XBPF_MAP_TYPE_HASH, "h", 4, 16, 4, NULL, &builtin), 0);
	key = 1;
	assert_int_equal(xbpf_map_update_elem(builtin, &key, stored, XBPF_ANY), 0);
	assert_null(map_state(builtin));
	assert_int_equal(raw(builtin, &key, stored, sizeof(stored)), -ENOENT);
	assert_int_equal(type_of(builtin), XBPF_MAP_TYPE_HASH);
	xbpf_map_put(builtin);

	/* Freeing the map releases what is left (key 1) as a cleanup. */
	xbpf_map_put(map);
	xbpf_epoch_barrier();
	s = tm_stats_of(ext);
	assert_int_equal(s.released, 5);
	assert_int_equal(s.cleaned, 1);
	assert_int_equal(s.destroyed, 1);
	assert_int_equal(s.bad, 0);
	xbpf_runtime_free(rt);
}

static void transforming_array(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_extension *ext = load(rt, "tm_xform_array");
	struct xbpf_map *map;
	assert_int_equal(xbpf_map_create(rt, TM_XFORM_ARRAY, "xarr", 4, 8, 4, NULL, &map), 0);
	uint32_t key = 2;
	uint64_t value = 7, got = 1;
	/* A slot never written reads as the provider makes of zeroes. */
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &got), 0);
	assert_int_equal(got, 0);
	assert_int_equal(xbpf_map_update_elem(map, &key, &value, XBPF_ANY), 0);
	value = 8;
	assert_int_equal(xbpf_map_update_elem(map, &key, &value, XBPF_ANY), 0);
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &got), 0);
	assert_int_equal(got, 8);
	key = 4;
	assert_int_equal(xbpf_map_update_elem(map, &key, &value, XBPF_ANY), -E2BIG);
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &got), -ENOENT);
	/* Arrays keep their entries, as the built-in kind. */
	key = 2;
	assert_int_equal(xbpf_map_delete_elem(map, &key), -EINVAL);
	assert_int_equal(xbpf_map_lookup_and_delete_elem(map, &key, &got), -EOPNOTSUPP);
	/* Out of range: the new value was made, then undone. */
	struct tm_stats s = tm_stats_of(ext);
	assert_int_equal(s.created, 3);
	assert_int_equal(s.released, 2);
	assert_int_equal(s.undone, 1);
	xbpf_map_put(map);
	xbpf_epoch_barrier();
	s = tm_stats_of(ext);
	assert_int_equal(s.released, 3);
	assert_int_equal(s.cleaned, 1);
	assert_int_equal(s.bad, 0);
	xbpf_runtime_free(rt);
}

static void batch_operations(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_extension *ext = load(rt, "tm_xform_hash");
	struct xbpf_map *map;
	assert_int_equal(xbpf_map_create(rt, TM_XFORM_HASH, "batch", 4, 8, 8, NULL, &map), 0);
	uint32_t keys[4] = {1, 2, 3, 4}, count = 4;
	uint64_t values[4] = {10, 20, 30, 40};
	/* As on Linux, batch updates take no NOEXIST/EXIST (elem_flags is
	 * for BPF_F_LOCK): BPF_ANY inserts, then replaces. */
	struct xbpf_map_batch_opts opts = {.sz = sizeof(opts)};
	assert_int_equal(xbpf_map_update_batch(map, keys, values, &count, &opts), 0);
	assert_int_equal(count, 4);
	/* NOEXIST and EXIST are refused as by a built-in hash. */
	struct xbpf_map *builtin;
	assert_int_equal(xbpf_map_create(rt, XBPF_MAP_TYPE_HASH, "h", 4, 8, 8, NULL, &builtin), 0);
	static const uint64_t elem_flags[] = {XBPF_NOEXIST, XBPF_EXIST};
	for (size_t i = 0; i < 2; i++) {
		struct xbpf_map_batch_opts bad = {.sz = sizeof(bad), .elem_flags = elem_flags[i]};
		uint32_t n_builtin = 4;
		int want = xbpf_map_update_batch(builtin, keys, values, &n_builtin, &bad);
		assert_int_equal(want, -EINVAL);
		count = 4;
		assert_int_equal(xbpf_map_update_batch(map, keys, values, &count, &bad), want);
		assert_int_equal(count, n_builtin);
	}
	xbpf_map_put(builtin);
	uint64_t more[4] = {11, 21, 31, 41};
	count = 4;
	assert_int_equal(xbpf_map_update_batch(map, keys, more, &count, &opts), 0);
	assert_int_equal(count, 4);

	/* Lookup batch: every entry through after_find. */
	uint32_t out_keys[8], out_batch;
	uint64_t out_values[8];
	count = 8;
	int err = xbpf_map_lookup_batch(map, NULL, &out_batch, out_keys, out_values, &count, &opts);
	assert_true(err == 0 || err == -ENOENT);
	assert_int_equal(count, 4);
	for (uint32_t i = 0; i < count; i++)
		assert_int_equal(out_values[i], out_keys[i] * 10 + 1);

	count = 2;
	assert_int_equal(xbpf_map_delete_batch(map, keys, &count, &opts), 0);
	assert_int_equal(count, 2);
	count = 8;
	err = xbpf_map_lookup_and_delete_batch(map, NULL, &out_batch, out_keys, out_values, &count,
					       &opts);
	assert_true(err == 0 || err == -ENOENT);
	assert_int_equal(count, 2);
	struct tm_stats s = tm_stats_of(ext);
	/* 4 made, 4 more replacing them; all released, none left. */
	assert_int_equal(s.created, 8);
	assert_int_equal(s.undone, 0);
	assert_int_equal(s.replaced, 4);
	assert_int_equal(s.released, 8);
	assert_int_equal(s.bad, 0);
	xbpf_map_put(map);
	xbpf_runtime_free(rt);
}

/* A program calling bpf_map_update_elem (key, value, flags) or, when
 * value is UINT64_MAX, bpf_map_delete_elem (key); returns the helper's r0. */
static int load_write_flags(struct xbpf_runtime *rt, struct xbpf_map *map, uint32_t key,
			    uint64_t value, int32_t flags, struct xbpf_program **prog)
{
	bool del = value == UINT64_MAX;
	const struct xbpf_insn insns[] = {
		xbpf_insn_make(XBPF_CLASS_ST | XBPF_MODE_MEM | XBPF_SIZE_W, 10, 0, -4, (int32_t)key),
		xbpf_insn_make(XBPF_CLASS_ST | XBPF_MODE_MEM | XBPF_SIZE_DW, 10, 0, -16, (int32_t)value),
		xbpf_insn_make(XBPF_CLASS_LD | XBPF_MODE_IMM | XBPF_SIZE_DW, 1, XBPF_PSEUDO_MAP_FD, 0,
			       (int32_t)xbpf_map_id(map)),
		xbpf_insn_make(0, 0, 0, 0, 0),
		xbpf_insn_make(XBPF_CLASS_ALU64 | XBPF_ALU_MOV | XBPF_SRC_X, 2, 10, 0, 0),
		xbpf_insn_make(XBPF_CLASS_ALU64 | XBPF_ALU_ADD, 2, 0, 0, -4),
		xbpf_insn_make(XBPF_CLASS_ALU64 | XBPF_ALU_MOV | XBPF_SRC_X, 3, 10, 0, 0),
		xbpf_insn_make(XBPF_CLASS_ALU64 | XBPF_ALU_ADD, 3, 0, 0, -16),
		xbpf_insn_make(XBPF_CLASS_ALU64 | XBPF_ALU_MOV, 4, 0, 0, flags),
		xbpf_insn_make(XBPF_CLASS_JMP | XBPF_JMP_CALL, 0, 0, 0, del ? 3 : 2),
		xbpf_insn_make(XBPF_CLASS_JMP | XBPF_JMP_EXIT, 0, 0, 0, 0),
	};
	return xbpf_program_load(rt, "sample", insns, sizeof(insns) / sizeof(insns[0]), NULL, prog);
}

static int load_write(struct xbpf_runtime *rt, struct xbpf_map *map, uint32_t key, uint64_t value,
		      struct xbpf_program **prog)
{
	return load_write_flags(rt, map, key, value, XBPF_ANY, prog);
}

static void programs_use_plain_maps_not_transforming_ones(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_extension *sample;
	assert_int_equal(xbpf_extension_load(rt, ext_path("sample"), &sample), 0);
	load(rt, "tm_plain_hash");
	load(rt, "tm_plain_array");
	load(rt, "tm_xform_hash");
	static const uint32_t types[] = {TM_PLAIN_HASH, TM_PLAIN_ARRAY, TM_XFORM_HASH};
	for (size_t i = 0; i < 3; i++) {
		struct xbpf_map *map;
		struct xbpf_program *prog;
		assert_int_equal(xbpf_map_create(rt, types[i], "m", 4, 8, 4, NULL, &map), 0);
		uint32_t key = 1;
		uint64_t value = 41, got;
		assert_int_equal(xbpf_map_update_elem(map, &key, &value, XBPF_ANY), 0);
		if (map_prog_load_increment(rt, map, key, &prog))
			fail_msg("load refused:\n%s", ext_log_text);
		if (types[i] == TM_XFORM_HASH) {
			/* Opaque to programs: the lookup finds nothing. */
			assert_int_equal(map_prog_run(prog), (uint64_t)-1);
			assert_int_equal(xbpf_map_lookup_elem(map, &key, &got), 0);
			assert_int_equal(got, 41);
		} else {
			assert_int_equal(map_prog_run(prog), 42);
			assert_int_equal(xbpf_map_lookup_elem(map, &key, &got), 0);
			assert_int_equal(got, 42);
		}
		xbpf_program_put(prog);
		/* Updates and deletes from programs, per the PROG_* properties. */
		assert_int_equal(load_write(rt, map, 2, 77, &prog), 0);
		if (types[i] == TM_XFORM_HASH) {
			assert_int_equal(map_prog_run(prog), (uint64_t)-EOPNOTSUPP);
		} else {
			assert_int_equal(map_prog_run(prog), 0);
			key = 2;
			assert_int_equal(xbpf_map_lookup_elem(map, &key, &got), 0);
			assert_int_equal(got, 77);
		}
		xbpf_program_put(prog);
		assert_int_equal(load_write(rt, map, 1, UINT64_MAX, &prog), 0);
		if (types[i] == TM_XFORM_HASH)
			assert_int_equal(map_prog_run(prog), (uint64_t)-EOPNOTSUPP);
		else if (types[i] == TM_PLAIN_ARRAY)
			assert_int_equal(map_prog_run(prog), (uint64_t)-EINVAL); /* as arrays do */
		else
			assert_int_equal(map_prog_run(prog), 0);
		xbpf_program_put(prog);
		if (types[i] != TM_PLAIN_ARRAY) {
			/* Absent key. */
			assert_int_equal(map_prog_load_increment(rt, map, 3, &prog), 0);
			assert_int_equal(map_prog_run(prog), (uint64_t)-1);
			xbpf_program_put(prog);
		}
		xbpf_map_put(map);
	}
	/* The maps' frees are still deferred (the transforming one behind the
	 * program holding it): unloading the providers lets them run first,
	 * so the transforming provider releases its values (ASan checks). */
	xbpf_runtime_free(rt);
}

/* Programs' writes to an indexed map give Linux's results for index maps:
 * updates beyond max_entries -E2BIG, deletes there -EINVAL, deletes of an
 * index without an entry 0. */
static void program_writes_on_an_indexed_map(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_extension *sample;
	assert_int_equal(xbpf_extension_load(rt, ext_path("sample"), &sample), 0);
	load(rt, "tm_indexed");
	struct xbpf_map *map;
	assert_int_equal(xbpf_map_create(rt, TM_INDEXED_HASH, "m", 8, 8, 4, NULL, &map), -EINVAL);
	assert_non_null(strstr(ext_log_text, "is indexed: key_size must be 4"));
	assert_int_equal(xbpf_map_create(rt, TM_INDEXED_HASH, "m", 4, 8, 4, NULL, &map), 0);
	static const struct {
		uint32_t key;
		uint64_t value; /* UINT64_MAX: delete */
		long want;
	} writes[] = {{3, 7, 0}, {4, 7, -E2BIG}, {UINT32_MAX, 7, -E2BIG}, {1, UINT64_MAX, 0},
		      {4, UINT64_MAX, -EINVAL}, {3, UINT64_MAX, 0}, {3, UINT64_MAX, 0}};
	for (size_t i = 0; i < sizeof(writes) / sizeof(writes[0]); i++) {
		struct xbpf_program *prog;
		assert_int_equal(load_write(rt, map, writes[i].key, writes[i].value, &prog), 0);
		if (map_prog_run(prog) != (uint64_t)writes[i].want)
			fail_msg("write %zu: want %ld", i, writes[i].want);
		xbpf_program_put(prog);
		if (i == 0) {
			uint32_t key = 3;
			uint64_t got;
			assert_int_equal(xbpf_map_lookup_elem(map, &key, &got), 0);
			assert_int_equal(got, 7);
		}
	}
	uint32_t key = 3;
	uint64_t got;
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &got), -ENOENT);
	assert_int_equal(xbpf_map_lookup_and_delete_elem(map, &key, &got), -EOPNOTSUPP);
	xbpf_map_put(map);
	xbpf_runtime_free(rt);
}

static void providers_veto_program_types(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_extension *sample, *ext;
	assert_int_equal(xbpf_extension_load(rt, ext_path("sample"), &sample), 0);
	ext = load(rt, "tm_veto");
	load(rt, "tm_veto_positive");
	struct xbpf_map *map, *map2;
	struct xbpf_program *prog;
	assert_int_equal(xbpf_map_create(rt, 4102, "vetoed", 4, 8, 4, NULL, &map), 0);
	assert_int_equal(map_prog_load_increment(rt, map, 1, &prog), -EACCES);
	assert_non_null(strstr(ext_log_text, "map 'vetoed' (type 4102): its provider refuses "
					     "programs of type 'sample'"));
	assert_int_equal(xbpf_map_create(rt, 4103, "vetoed2", 4, 8, 4, NULL, &map2), 0);
	assert_int_equal(map_prog_load_increment(rt, map2, 1, &prog), -EPERM);
	/* Orphaned: nobody to ask, the program loads (and finds nothing). */
	assert_int_equal(xbpf_extension_unload(ext), 0);
	assert_int_equal(map_prog_load_increment(rt, map, 1, &prog), 0);
	assert_int_equal(map_prog_run(prog), (uint64_t)-1);
	xbpf_program_put(prog);
	xbpf_map_put(map);
	xbpf_map_put(map2);
	xbpf_runtime_free(rt);
}

static void orphaned_maps_fail_fast_and_are_adopted(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_extension *sample;
	assert_int_equal(xbpf_extension_load(rt, ext_path("sample"), &sample), 0);
	struct xbpf_extension *plain = load(rt, "tm_plain_hash");
	struct xbpf_extension *xform = load(rt, "tm_xform_hash");
	struct xbpf_map *pm, *xm;
	assert_int_equal(xbpf_map_create(rt, TM_PLAIN_HASH, "pm", 4, 8, 4, NULL, &pm), 0);
	assert_int_equal(xbpf_map_create(rt, TM_XFORM_HASH, "xm", 4, 8, 4, NULL, &xm), 0);
	uint32_t key = 1, next;
	uint64_t value = 5, got;
	assert_int_equal(xbpf_map_update_elem(pm, &key, &value, XBPF_ANY), 0);
	assert_int_equal(xbpf_map_update_elem(xm, &key, &value, XBPF_ANY), 0);
	assert_int_equal(xbpf_map_pin(xm, "test/xm"), 0);
	struct xbpf_program *prog;
	assert_int_equal(map_prog_load_increment(rt, pm, key, &prog), 0);
	assert_int_equal(map_prog_run(prog), 6);
	struct xbpf_program *writer;
	assert_int_equal(load_write(rt, pm, 3, 8, &writer), 0);

	assert_int_equal(xbpf_extension_unload(plain), 0);
	assert_int_equal(xbpf_extension_unload(xform), 0);
	assert_non_null(strstr(ext_log_text, "map 'xm' (id"));
	assert_non_null(strstr(ext_log_text, "orphaned"));
	struct xbpf_map *maps[] = {pm, xm};
	for (size_t i = 0; i < 2; i++) {
		struct xbpf_map *m = maps[i];
		assert_int_equal(xbpf_map_lookup_elem(m, &key, &got), -XBPF_EDETACHED);
		assert_int_equal(xbpf_map_update_elem(m, &key, &value, XBPF_ANY), -XBPF_EDETACHED);
		assert_int_equal(xbpf_map_delete_elem(m, &key), -XBPF_EDETACHED);
		assert_int_equal(xbpf_map_lookup_and_delete_elem(m, &key, &got), -XBPF_EDETACHED);
		assert_int_equal(xbpf_map_get_next_key(m, NULL, &next), -XBPF_EDETACHED);
	}
	/* Programs' lookups find nothing; pins still lead to the map. */
	assert_int_equal(map_prog_run(prog), (uint64_t)-1);
	assert_int_equal(map_prog_run(writer), (uint64_t)-XBPF_EDETACHED);
	/* A provider of the type with another base does not adopt. */
	struct xbpf_extension *mismatch = load(rt, "tm_mismatch");
	assert_non_null(strstr(ext_log_text, "map 'xm' (id"));
	assert_non_null(strstr(ext_log_text, "stays orphaned: map type 4097 of tm_mismatch has another base"));
	assert_int_equal(tm_stats_of(mismatch).adopted, 0);
	assert_int_equal(xbpf_map_lookup_elem(xm, &key, &got), -XBPF_EDETACHED);
	assert_int_equal(xbpf_extension_unload(mismatch), 0);
	struct xbpf_map *pinned;
	assert_int_equal(xbpf_map_get_pinned(rt, "test/xm", &pinned), 0);
	assert_ptr_equal(pinned, xm);
	xbpf_map_put(pinned);

	/* The same types come back: entries and state intact. */
	plain = load(rt, "tm_plain_hash");
	xform = load(rt, "tm_xform_hash");
	assert_int_equal(tm_stats_of(plain).adopted, 1);
	assert_int_equal(tm_stats_of(xform).adopted, 1);
	assert_int_equal(xbpf_map_lookup_elem(pm, &key, &got), 0);
	assert_int_equal(got, 6);
	assert_int_equal(xbpf_map_lookup_elem(xm, &key, &got), 0);
	assert_int_equal(got, 5);
	assert_int_equal(map_prog_run(prog), 7);
	assert_int_equal(map_prog_run(writer), 0);
	xbpf_program_put(writer);
	void *(*map_state)(struct xbpf_map *) = xbpf_extension_symbol(xform, "tm_map_state");
	uint64_t *st = map_state(xm);
	assert_non_null(st);
	assert_int_equal(st[1], 1); /* adopted once, magic kept */
	assert_null(map_state(pm)); /* another provider's map */
	value = 9;
	assert_int_equal(xbpf_map_update_elem(xm, &key, &value, XBPF_ANY), 0);
	assert_int_equal(tm_stats_of(xform).released, 1);
	xbpf_program_put(prog);
	xbpf_map_put(pm);
	xbpf_map_put(xm);
	assert_int_equal(xbpf_unpin(rt, "test/xm"), 0);
	xbpf_epoch_barrier();
	assert_int_equal(tm_stats_of(xform).cleaned, 1);
	assert_int_equal(tm_stats_of(xform).bad, 0);
	assert_int_equal(tm_stats_of(plain).bad, 0);
	xbpf_runtime_free(rt);
}


/* Runs a program writing (key, value, flags), or deleting key when value
 * is UINT64_MAX; returns the helper's answer. */
static int64_t prog_write(struct xbpf_runtime *rt, struct xbpf_map *map, uint32_t key,
			  uint64_t value, int32_t flags)
{
	struct xbpf_program *prog;
	if (load_write_flags(rt, map, key, value, flags, &prog))
		fail_msg("load refused:\n%s", ext_log_text);
	int64_t r = (int64_t)map_prog_run(prog);
	xbpf_program_put(prog);
	return r;
}

/* Programs' updates and deletes on a map whose provider has before_update
 * and after_delete (not transforming): the provider validates from the
 * program, and every displaced value is released once, after a grace
 * period, with XBPF_MAP_FROM_PROGRAM. */
static void program_writes_call_the_provider(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_extension *sample;
	assert_int_equal(xbpf_extension_load(rt, ext_path("sample"), &sample), 0);
	struct xbpf_extension *ext = load(rt, "tm_cb_hash");
	struct xbpf_map *map;
	assert_int_equal(xbpf_map_create(rt, TM_CB_HASH, "cb", 4, 8, 2, NULL, &map), 0);
	uint32_t key = 1;
	uint64_t value = 1001, got;
	assert_int_equal(xbpf_map_update_elem(map, &key, &value, XBPF_ANY), 0);
	/* Replacing from a program: validated, the old value released later. */
	assert_int_equal(prog_write(rt, map, 1, 1002, XBPF_ANY), 0);
	xbpf_epoch_barrier();
	struct tm_stats s = tm_stats_of(ext);
	assert_int_equal(s.created, 2);
	assert_int_equal(s.prog_created, 1);
	assert_int_equal(s.released, 1);
	assert_int_equal(s.replaced, 1);
	assert_int_equal(s.prog_released, 1);
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &got), 0);
	assert_int_equal(got, 1002);
	/* The provider's refusal reaches the program unchanged. */
	assert_int_equal(prog_write(rt, map, 1, TM_REFUSED_VALUE, XBPF_ANY), -EBADMSG);
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &got), 0);
	assert_int_equal(got, 1002);
	/* The storage refuses: the new value is undone at once. */
	assert_int_equal(prog_write(rt, map, 1, 1003, XBPF_NOEXIST), -EEXIST);
	assert_int_equal(prog_write(rt, map, 2, 2001, XBPF_ANY), 0);
	assert_int_equal(prog_write(rt, map, 3, 3001, XBPF_ANY), -E2BIG);
	s = tm_stats_of(ext);
	assert_int_equal(s.undone, 2);
	assert_int_equal(s.released, 3);
	/* Deleting from a program, then from the host. */
	assert_int_equal(prog_write(rt, map, 1, UINT64_MAX, 0), 0);
	assert_int_equal(prog_write(rt, map, 1, UINT64_MAX, 0), -ENOENT);
	key = 2;
	assert_int_equal(xbpf_map_delete_elem(map, &key), 0);
	xbpf_epoch_barrier();
	s = tm_stats_of(ext);
	assert_int_equal(s.released, 5);
	assert_int_equal(s.prog_released, 4); /* replaced, 2 undone, deleted */
	assert_int_equal(s.created, s.released);
	assert_int_equal(s.live_nonzero, 0);

	/* Whatever is left goes as a cleanup with the map. */
	assert_int_equal(prog_write(rt, map, 4, 4001, XBPF_ANY), 0);
	xbpf_map_put(map);
	xbpf_epoch_barrier(); /* the program's free drops the map's last reference */
	xbpf_epoch_barrier();
	s = tm_stats_of(ext);
	assert_int_equal(s.cleaned, 1);
	assert_int_equal(s.created, s.released);
	assert_int_equal(s.live_nonzero, 0);
	assert_int_equal(s.over_released, 0);
	assert_int_equal(s.destroyed, 1);
	assert_int_equal(s.bad, 0);
	xbpf_runtime_free(rt);
}

static void program_writes_on_an_array_with_callbacks(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_extension *sample;
	assert_int_equal(xbpf_extension_load(rt, ext_path("sample"), &sample), 0);
	struct xbpf_extension *ext = load(rt, "tm_cb_array");
	struct xbpf_map *map;
	assert_int_equal(xbpf_map_create(rt, TM_CB_ARRAY, "cba", 4, 8, 2, NULL, &map), 0);
	assert_int_equal(prog_write(rt, map, 0, 11, XBPF_ANY), 0);
	assert_int_equal(prog_write(rt, map, 0, 12, XBPF_ANY), 0);
	assert_int_equal(prog_write(rt, map, 2, 13, XBPF_ANY), -E2BIG);
	/* Arrays keep their entries, as the built-in kind. */
	assert_int_equal(prog_write(rt, map, 0, UINT64_MAX, 0), -EINVAL);
	xbpf_epoch_barrier();
	struct tm_stats s = tm_stats_of(ext);
	assert_int_equal(s.created, 3);
	assert_int_equal(s.replaced, 1);
	assert_int_equal(s.undone, 1);
	uint32_t key = 0;
	uint64_t got;
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &got), 0);
	assert_int_equal(got, 12);
	xbpf_map_put(map);
	xbpf_epoch_barrier();
	xbpf_epoch_barrier();
	s = tm_stats_of(ext);
	assert_int_equal(s.cleaned, 1);
	assert_int_equal(s.live_nonzero, 0);
	assert_int_equal(s.over_released, 0);
	assert_int_equal(s.bad, 0);
	xbpf_runtime_free(rt);
}

/* A map freed while orphaned keeps its entries until a provider of its
 * type comes back and releases them (cleanup and destroy, counted). */
static void maps_freed_while_orphaned_wait_for_their_provider(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_extension *ext = load(rt, "tm_xform_hash");
	struct xbpf_map *map;
	assert_int_equal(xbpf_map_create(rt, TM_XFORM_HASH, "buried", 4, 8, 4, NULL, &map), 0);
	for (uint32_t key = 1; key <= 3; key++) {
		uint64_t value = key;
		assert_int_equal(xbpf_map_update_elem(map, &key, &value, XBPF_ANY), 0);
	}
	assert_int_equal(xbpf_extension_unload(ext), 0);
	ext_log_clear();
	xbpf_map_put(map);
	xbpf_epoch_barrier();
	assert_non_null(strstr(ext_log_text, "map 'buried' (id"));
	assert_non_null(strstr(ext_log_text, "freed while orphaned: its entries and state are kept"));
	/* Another base does not fit: the map stays buried. */
	struct xbpf_extension *mismatch = load(rt, "tm_mismatch");
	assert_non_null(strstr(ext_log_text, "map 'buried' (freed while orphaned) stays buried"));
	assert_int_equal(tm_stats_of(mismatch).cleaned, 0);
	assert_int_equal(tm_stats_of(mismatch).destroyed, 0);
	assert_int_equal(xbpf_extension_unload(mismatch), 0);
	/* The type's provider is back: it releases the three values. */
	ext = load(rt, "tm_xform_hash");
	struct tm_stats s = tm_stats_of(ext);
	assert_int_equal(s.cleaned, 3);
	assert_int_equal(s.released, 3);
	assert_int_equal(s.destroyed, 1);
	assert_int_equal(s.adopted, 0);
	assert_int_equal(s.bad, 0);
	assert_non_null(strstr(ext_log_text, "map 'buried' (freed while orphaned): map type "
					     "'tm_xform_hash' (tm_xform_hash) released its 3 entries"));
	/* Only once: unloading and loading again finds nothing to clean. */
	assert_int_equal(xbpf_extension_unload(ext), 0);
	ext = load(rt, "tm_xform_hash");
	assert_int_equal(tm_stats_of(ext).cleaned, 0);
	xbpf_runtime_free(rt);
}

static void buried_maps_go_with_the_runtime(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_extension *ext = load(rt, "tm_plain_hash");
	struct xbpf_map *map;
	assert_int_equal(xbpf_map_create(rt, TM_PLAIN_HASH, "forgotten", 4, 8, 4, NULL, &map), 0);
	uint32_t key = 1;
	uint64_t value = 1;
	assert_int_equal(xbpf_map_update_elem(map, &key, &value, XBPF_ANY), 0);
	assert_int_equal(xbpf_extension_unload(ext), 0);
	xbpf_map_put(map);
	ext_log_clear();
	xbpf_runtime_free(rt);
	xbpf_epoch_barrier();
	xbpf_epoch_barrier();
	/* Freed (ASan would see a leak otherwise), and said so. */
	assert_non_null(strstr(ext_log_text, "map 'forgotten' (type 4096) freed with the runtime "
					     "while orphaned: no provider released its 1 entries"));
}

/* A program loaded while its map was orphaned was not vetted by any
 * provider: the one adopting the map is asked about the program types of
 * the programs using it, and may refuse. */
static void adoption_asks_about_programs_loaded_while_orphaned(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_extension *sample;
	assert_int_equal(xbpf_extension_load(rt, ext_path("sample"), &sample), 0);
	struct xbpf_extension *plain = load(rt, "tm_plain_hash");
	struct xbpf_map *map;
	assert_int_equal(xbpf_map_create(rt, TM_PLAIN_HASH, "asked", 4, 8, 4, NULL, &map), 0);
	uint32_t key = 1;
	uint64_t value = 1;
	assert_int_equal(xbpf_map_update_elem(map, &key, &value, XBPF_ANY), 0);
	assert_int_equal(xbpf_extension_unload(plain), 0);
	struct xbpf_program *prog;
	assert_int_equal(map_prog_load_increment(rt, map, key, &prog), 0);
	assert_int_equal(map_prog_run(prog), (uint64_t)-1);

	/* This provider of the type refuses "sample" programs. */
	ext_log_clear();
	struct xbpf_extension *veto = load(rt, "tm_plain_veto");
	if (!strstr(ext_log_text, "map 'asked' (id") ||
	    !strstr(ext_log_text, "stays orphaned: map type 'tm_plain_veto' (tm_plain_veto) refuses "
				  "programs of type 'sample', which use the map"))
		fail_msg("log:\n%s", ext_log_text);
	assert_int_equal(tm_stats_of(veto).adopted, 0);
	assert_int_equal(map_prog_run(prog), (uint64_t)-1);
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &value), -XBPF_EDETACHED);
	assert_int_equal(xbpf_extension_unload(veto), 0);

	/* One that accepts them adopts the map. */
	plain = load(rt, "tm_plain_hash");
	assert_int_equal(tm_stats_of(plain).adopted, 1);
	assert_int_equal(map_prog_run(prog), 2);

	/* Once no "sample" program uses the map, the vetoing provider takes
	 * it. */
	xbpf_program_put(prog);
	xbpf_epoch_barrier();
	assert_int_equal(xbpf_extension_unload(plain), 0);
	veto = load(rt, "tm_plain_veto");
	assert_int_equal(tm_stats_of(veto).adopted, 1);
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &value), 0);
	assert_int_equal(value, 2);
	/* Its veto still applies to new programs. */
	assert_int_equal(map_prog_load_increment(rt, map, key, &prog), -EACCES);
	assert_int_equal(tm_stats_of(veto).bad, 0);
	xbpf_map_put(map);
	xbpf_runtime_free(rt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(creation_needs_a_provider),
		cmocka_unit_test(plain_hash_operations),
		cmocka_unit_test(transforming_hash_round_trip),
		cmocka_unit_test(transforming_array),
		cmocka_unit_test(batch_operations),
		cmocka_unit_test(programs_use_plain_maps_not_transforming_ones),
		cmocka_unit_test(program_writes_on_an_indexed_map),
		cmocka_unit_test(providers_veto_program_types),
		cmocka_unit_test(orphaned_maps_fail_fast_and_are_adopted),
		cmocka_unit_test(program_writes_call_the_provider),
		cmocka_unit_test(program_writes_on_an_array_with_callbacks),
		cmocka_unit_test(maps_freed_while_orphaned_wait_for_their_provider),
		cmocka_unit_test(buried_maps_go_with_the_runtime),
		cmocka_unit_test(adoption_asks_about_programs_loaded_while_orphaned),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
