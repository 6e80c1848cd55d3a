/* SPDX-License-Identifier: MIT */
/* The core's control map "ext/core/programs": per-program run counts and
 * run time, opened with no creation step, read with negotiated sizes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <bpf/btf.h>
#include <cmocka.h>

#include <xbpf/extension.h>

#include "ext_test.h"
#include "isa/insn.h"

static struct xbpf_program *load_return(struct xbpf_runtime *rt, int32_t r0)
{
	const struct xbpf_insn insns[] = {
		xbpf_insn_make(XBPF_CLASS_ALU64 | XBPF_ALU_MOV, 0, 0, 0, r0),
		xbpf_insn_make(XBPF_CLASS_JMP | XBPF_JMP_EXIT, 0, 0, 0, 0),
	};
	struct xbpf_program *prog;
	assert_int_equal(xbpf_program_load(rt, "sample", insns, 2, NULL, &prog), 0);
	return prog;
}

static void run(struct xbpf_program *prog, uint32_t times)
{
	for (uint32_t i = 0; i < times; i++) {
		struct xbpf_test_run_opts opts = {.sz = sizeof(opts)};
		assert_int_equal(xbpf_program_test_run(prog, &opts), 0);
	}
}

static void counts_match_runs(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_extension *sample;
	assert_int_equal(xbpf_extension_load(rt, ext_path("sample"), &sample), 0);
	struct xbpf_program *a = load_return(rt, 1), *b = load_return(rt, 2);
	assert_false(xbpf_runtime_enable_stats(rt, true));
	run(a, 5);
	run(b, 3);

	struct xbpf_map *map;
	assert_int_equal(xbpf_map_get_pinned(rt, XBPF_CORE_PROGRAMS_MAP, &map), 0);
	uint32_t id = xbpf_program_id(a);
	struct xbpf_prog_run_stats st;
	assert_int_equal(xbpf_map_lookup_elem(map, &id, &st), 0);
	assert_int_equal(st.run_cnt, 5);
	assert_true(st.run_time_ns > 0);
	/* Live: more runs show at once. */
	run(a, 2);
	assert_int_equal(xbpf_map_lookup_elem(map, &id, &st), 0);
	assert_int_equal(st.run_cnt, 7);

	/* An older reader knows run_cnt only; a newer one a third field. */
	id = xbpf_program_id(b);
	uint64_t older = 0, newer[3] = {9, 9, 9};
	assert_int_equal(xbpf_map_lookup_elem_sized(map, &id, &older, sizeof(older)), 0);
	assert_int_equal(older, 3);
	assert_int_equal(xbpf_map_lookup_elem_sized(map, &id, newer, sizeof(newer)), 0);
	assert_int_equal(newer[0], 3);
	assert_true(newer[1] > 0);
	assert_int_equal(newer[2], 0);

	/* Keys are the programs' ids, in order. */
	uint32_t key, next, n = 0;
	const void *prev = NULL;
	while (xbpf_map_get_next_key(map, prev, &next) == 0) {
		assert_true(next == xbpf_program_id(a) || next == xbpf_program_id(b));
		n++;
		key = next;
		prev = &key;
	}
	assert_int_equal(n, 2);
	id = 99999;
	assert_int_equal(xbpf_map_lookup_elem(map, &id, &st), -ENOENT);
	id = xbpf_program_id(a);
	assert_int_equal(xbpf_map_update_elem(map, &id, &st, XBPF_ANY), -EPERM);
	assert_int_equal(xbpf_map_delete_elem(map, &id), -EPERM);

	/* Opening it again gives the same map. */
	struct xbpf_map *again;
	assert_int_equal(xbpf_map_get_pinned(rt, XBPF_CORE_PROGRAMS_MAP, &again), 0);
	assert_ptr_equal(again, map);
	xbpf_map_put(again);
	xbpf_map_put(map);
	xbpf_program_put(a);
	xbpf_program_put(b);
	xbpf_runtime_free(rt);
}

static void run_time_needs_stats(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_extension *sample;
	assert_int_equal(xbpf_extension_load(rt, ext_path("sample"), &sample), 0);
	struct xbpf_program *a = load_return(rt, 1);
	run(a, 4);
	struct xbpf_map *map;
	assert_int_equal(xbpf_map_get_pinned(rt, XBPF_CORE_PROGRAMS_MAP, &map), 0);
	uint32_t id = xbpf_program_id(a);
	struct xbpf_prog_run_stats st;
	assert_int_equal(xbpf_map_lookup_elem(map, &id, &st), 0);
	assert_int_equal(st.run_cnt, 4);
	assert_int_equal(st.run_time_ns, 0);
	xbpf_map_put(map);
	xbpf_program_put(a);
	xbpf_runtime_free(rt);
}

/* Keys and values are described with BTF a dump can print. */
static void btf_describes_the_layout(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_map *map;
	assert_int_equal(xbpf_map_get_pinned(rt, XBPF_CORE_PROGRAMS_MAP, &map), 0);
	size_t size;
	uint32_t key_id, value_id;
	const void *raw;
	assert_int_equal(xbpf_map_btf(map, &raw, &size, &key_id, &value_id), 0);
	struct btf *btf = btf__new(raw, (uint32_t)size);
	assert_non_null(btf);
	assert_int_equal(btf__resolve_size(btf, key_id), 4);
	assert_int_equal(btf__resolve_size(btf, value_id), sizeof(struct xbpf_prog_run_stats));
	const struct btf_type *t = btf__type_by_id(btf, value_id);
	assert_string_equal(btf__name_by_offset(btf, t->name_off), "xbpf_prog_run_stats");
	assert_int_equal(btf_vlen(t), 2);
	assert_string_equal(btf__name_by_offset(btf, btf_members(t)[0].name_off), "run_cnt");
	assert_string_equal(btf__name_by_offset(btf, btf_members(t)[1].name_off), "run_time_ns");
	btf__free(btf);
	xbpf_map_put(map);
	xbpf_runtime_free(rt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counts_match_runs),
		cmocka_unit_test(run_time_needs_stats),
		cmocka_unit_test(btf_describes_the_layout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
