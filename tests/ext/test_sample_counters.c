/* SPDX-License-Identifier: MIT */
/*
 * The sample extension's map type "sample_counters" (the example of
 * docs/extensions.md): a map of it declared in a BPF object is created
 * through the provider, programs count in it in place, insert and delete,
 * the host reads what they counted; the provider's size checks refuse bad
 * maps with its message; without the extension the type is unknown.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ext_test.h"
#include "sample.h"

static int64_t run_with_id(struct xbpf_program *prog, __u32 id)
{
	struct sample_ctx ctx = {.id = id};
	struct xbpf_test_run_opts opts = {.sz = sizeof(opts), .ctx_in = &ctx, .ctx_size_in = sizeof(ctx)};
	assert_int_equal(xbpf_program_test_run(prog, &opts), 0);
	return (int32_t)opts.retval;
}

static void test_programs_count_in_place(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_extension *sample;
	struct xbpf_object *obj;

	assert_int_equal(xbpf_extension_load(rt, ext_path("sample"), &sample), 0);
	assert_int_equal(xbpf_object_open_file(rt, bpf_object_path("sample_counters"), NULL, &obj), 0);
	assert_int_equal(xbpf_object_load(obj, NULL), 0);
	struct xbpf_map *map = xbpf_object_find_map(obj, "event_counts");
	struct xbpf_program *count = xbpf_object_find_program(obj, "count_event");
	struct xbpf_program *forget = xbpf_object_find_program(obj, "forget_event");
	assert_non_null(map);
	assert_non_null(count);
	assert_non_null(forget);

	struct xbpf_map_info info;
	assert_int_equal(xbpf_map_get_info(map, &info), 0);
	assert_int_equal(info.type, SAMPLE_MAP_TYPE_COUNTERS);

	/* The first event of an id inserts, the next ones increment the
	 * value the lookup points to. */
	assert_int_equal(run_with_id(count, 5), 1);
	assert_int_equal(run_with_id(count, 5), 2);
	assert_int_equal(run_with_id(count, 9), 1);
	assert_int_equal(run_with_id(count, 5), 3);
	__u32 key = 5;
	uint64_t value = 0;
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &value), 0);
	assert_int_equal(value, 3);

	/* The host's updates are what programs see. */
	value = 100;
	assert_int_equal(xbpf_map_update_elem(map, &key, &value, XBPF_EXIST), 0);
	assert_int_equal(run_with_id(count, 5), 101);

	/* Deletes from programs: the entry goes, a second delete finds none. */
	assert_int_equal(run_with_id(forget, 5), 0);
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &value), -ENOENT);
	assert_int_equal(run_with_id(forget, 5), -ENOENT);
	assert_int_equal(run_with_id(count, 5), 1);

	xbpf_object_close(obj);
	xbpf_extension_unload(sample);
	xbpf_runtime_free(rt);
}

static void test_provider_checks_sizes(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_extension *sample;
	struct xbpf_map *map = NULL;

	assert_int_equal(xbpf_extension_load(rt, ext_path("sample"), &sample), 0);
	ext_log_clear();
	assert_int_equal(xbpf_map_create(rt, SAMPLE_MAP_TYPE_COUNTERS, "odd", 4, 12, 8, NULL, &map), -EINVAL);
	assert_non_null(strstr(ext_log_text, "map 'odd': sample_counters values are __u64 counters: "
					     "value_size 12 is not a multiple of 8"));
	ext_log_clear();
	assert_int_equal(xbpf_map_create(rt, SAMPLE_MAP_TYPE_COUNTERS, "wide", SAMPLE_COUNTERS_MAX_KEY + 1, 8,
					 8, NULL, &map),
			 -E2BIG);
	assert_non_null(strstr(ext_log_text, "map 'wide': sample_counters keys are at most 64 bytes, not 65"));
	assert_null(map);

	/* Sizes it accepts; then the core's hash rules hold (a full map). */
	assert_int_equal(xbpf_map_create(rt, SAMPLE_MAP_TYPE_COUNTERS, "pairs", 8, 16, 2, NULL, &map), 0);
	uint64_t key, value[2] = {1, 2};
	for (key = 0; key < 2; key++)
		assert_int_equal(xbpf_map_update_elem(map, &key, value, XBPF_NOEXIST), 0);
	assert_int_equal(xbpf_map_update_elem(map, &key, value, XBPF_NOEXIST), -E2BIG);
	xbpf_map_put(map);

	xbpf_extension_unload(sample);
	xbpf_runtime_free(rt);
}

static void test_unknown_without_the_extension(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_object *obj;
	struct xbpf_map *map = NULL;

	assert_int_equal(xbpf_map_create(rt, SAMPLE_MAP_TYPE_COUNTERS, "early", 4, 8, 8, NULL, &map),
			 -EOPNOTSUPP);
	assert_non_null(strstr(ext_log_text, "map 'early': no provider for map type 4352"));
	assert_null(map);
	/* An object declaring such a map does not load either. */
	assert_int_equal(xbpf_object_open_file(rt, bpf_object_path("sample_counters"), NULL, &obj), 0);
	ext_log_clear();
	assert_int_equal(xbpf_object_load(obj, NULL), -EOPNOTSUPP);
	assert_non_null(strstr(ext_log_text, "map 'event_counts': no provider for map type 4352"));
	xbpf_object_close(obj);
	xbpf_runtime_free(rt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_programs_count_in_place),
		cmocka_unit_test(test_provider_checks_sizes),
		cmocka_unit_test(test_unknown_without_the_extension),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
