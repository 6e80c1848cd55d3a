/* SPDX-License-Identifier: MIT */
/*
 * Custom map types declared in a BPF object (custom_maps.bpf.c, compiled
 * by clang): the maps are created when the object loads, and its programs
 * iterate, look up and use the queue helpers on them as on a built-in hash
 * of the same shape. A map of a type nobody provides fails the load, named.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <xbpf/extension.h>

#include "ext_test.h"
#include "tm_test.h"

struct fixture {
	struct xbpf_runtime *rt;
	struct xbpf_object *obj;
	struct xbpf_map *plain, *xform, *builtin;
	struct xbpf_extension *plain_ext;
};

static void load_object(struct fixture *f)
{
	struct xbpf_extension *ext;
	f->rt = ext_runtime();
	assert_int_equal(xbpf_extension_load(f->rt, ext_path("sample"), &ext), 0);
	assert_int_equal(xbpf_extension_load(f->rt, tm_path("tm_plain_hash"), &f->plain_ext), 0);
	assert_int_equal(xbpf_extension_load(f->rt, tm_path("tm_xform_hash"), &ext), 0);
	assert_int_equal(xbpf_extension_load(f->rt, tm_path("tm_plain_array"), &ext), 0);
	assert_int_equal(xbpf_object_open_file(f->rt, bpf_object_path("custom_maps"), NULL, &f->obj), 0);
	if (xbpf_object_load(f->obj, NULL))
		fail_msg("object refused:\n%s", ext_log_text);
	f->plain = xbpf_object_find_map(f->obj, "plain");
	f->xform = xbpf_object_find_map(f->obj, "xform");
	f->builtin = xbpf_object_find_map(f->obj, "builtin");
	assert_non_null(f->plain);
	assert_non_null(f->xform);
	assert_non_null(f->builtin);
	struct xbpf_map_info info;
	assert_int_equal(xbpf_map_get_info(f->plain, &info), 0);
	assert_int_equal(info.type, TM_PLAIN_HASH);
	assert_int_equal(xbpf_map_get_info(f->xform, &info), 0);
	assert_int_equal(info.type, TM_XFORM_HASH);
	struct xbpf_map *maps[] = {f->plain, f->xform, f->builtin};
	for (size_t i = 0; i < 3; i++)
		for (uint32_t key = 1; key <= 2; key++) {
			uint64_t value = key * 10;
			assert_int_equal(xbpf_map_update_elem(maps[i], &key, &value, XBPF_ANY), 0);
		}
}

static void close_object(struct fixture *f)
{
	xbpf_object_close(f->obj);
	xbpf_runtime_free(f->rt);
}

/* test_run's own result, and the program's r0 in *retval. */
static int run(struct fixture *f, const char *name, uint64_t *retval)
{
	struct xbpf_program *prog = xbpf_object_find_program(f->obj, name);
	if (!prog)
		fail_msg("no program %s", name);
	struct xbpf_test_run_opts opts = {.sz = sizeof(opts)};
	int err = xbpf_program_test_run(prog, &opts);
	*retval = opts.retval;
	return err;
}

static void programs_iterate_plain_maps(void **state)
{
	struct fixture f;
	load_object(&f);
	uint64_t r, got;
	/* (10 + 20) * 1000 + (1 + 2), and each value incremented in place. */
	assert_int_equal(run(&f, "sum_builtin", &r), 0);
	assert_int_equal(r, 30003);
	assert_int_equal(run(&f, "sum_plain", &r), 0);
	assert_int_equal(r, 30003);
	uint32_t key = 2;
	assert_int_equal(xbpf_map_lookup_elem(f.plain, &key, &got), 0);
	assert_int_equal(got, 21);
	assert_int_equal(run(&f, "increment_plain", &r), 0);
	assert_int_equal(r, 12);

	/* A transforming map is opaque to programs: lookups find nothing,
	 * and iterating it stops the run as for a type without iteration. */
	assert_int_equal(run(&f, "increment_xform", &r), 0);
	assert_int_equal(r, (uint64_t)-1);
	ext_log_clear();
	assert_int_equal(run(&f, "sum_xform", &r), -EINVAL);
	if (!strstr(ext_log_text, "bpf_for_each_map_elem") || !strstr(ext_log_text, "'xform' cannot be iterated"))
		fail_msg("log:\n%s", ext_log_text);
	key = 1;
	assert_int_equal(xbpf_map_lookup_elem(f.xform, &key, &got), 0);
	assert_int_equal(got, 10);

	/* Orphaned: iteration fails fast, lookups find nothing. */
	assert_int_equal(xbpf_extension_unload(f.plain_ext), 0);
	assert_int_equal(run(&f, "sum_plain", &r), 0);
	assert_int_equal(r, (uint64_t)-XBPF_EDETACHED);
	assert_int_equal(run(&f, "increment_plain", &r), 0);
	assert_int_equal(r, (uint64_t)-1);
	close_object(&f);
}

static void the_providers_helper_reads_its_maps_only(void **state)
{
	struct fixture f;
	load_object(&f);
	uint64_t r;
	assert_int_equal(run(&f, "raw_read_xform", &r), 0);
	assert_int_equal(r, 10);
	uint32_t key = 1;
	uint64_t value = 11;
	assert_int_equal(xbpf_map_update_elem(f.xform, &key, &value, XBPF_ANY), 0);
	assert_int_equal(run(&f, "raw_read_xform", &r), 0);
	assert_int_equal(r, 11);
	assert_int_equal(xbpf_map_delete_elem(f.xform, &key), 0);
	assert_int_equal(run(&f, "raw_read_xform", &r), 0);
	assert_int_equal(r, (uint64_t)-ENOENT);
	/* A built-in map is not the provider's: no foreign memory. */
	assert_int_equal(run(&f, "raw_read_builtin", &r), 0);
	assert_int_equal(r, (uint64_t)-EINVAL);
	close_object(&f);
}

static void queue_helpers_fail_as_on_a_builtin_map(void **state)
{
	struct fixture f;
	load_object(&f);
	static const char *const ops[] = {"push", "pop", "peek"};
	static const char *const kinds[][2] = {{"plain", "builtin"}, {"plain_array", "builtin_array"}};
	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; i < 3; i++) {
			char custom[32], builtin[32], map_name[32];
			snprintf(custom, sizeof(custom), "%s_%s", ops[i], kinds[k][0]);
			snprintf(builtin, sizeof(builtin), "%s_%s", ops[i], kinds[k][1]);
			snprintf(map_name, sizeof(map_name), "map '%s'", kinds[k][0]);
			uint64_t r_custom = 1, r_builtin = 2;
			int err_builtin = run(&f, builtin, &r_builtin);
			ext_log_clear();
			int err_custom = run(&f, custom, &r_custom);
			assert_int_not_equal(err_builtin, 0);
			assert_int_equal(err_custom, err_builtin);
			assert_int_equal(r_custom, r_builtin);
			if (!strstr(ext_log_text, "cannot be used with") || !strstr(ext_log_text, map_name))
				fail_msg("%s: log:\n%s", custom, ext_log_text);
		}
	close_object(&f);
}

static void a_type_without_provider_fails_the_load(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_extension *ext;
	assert_int_equal(xbpf_extension_load(rt, ext_path("sample"), &ext), 0);
	assert_int_equal(xbpf_extension_load(rt, tm_path("tm_plain_hash"), &ext), 0);
	assert_int_equal(xbpf_extension_load(rt, tm_path("tm_xform_hash"), &ext), 0);
	assert_int_equal(xbpf_extension_load(rt, tm_path("tm_plain_array"), &ext), 0);
	struct xbpf_object *obj;
	assert_int_equal(xbpf_object_open_file(rt, bpf_object_path("custom_maps_missing"), NULL, &obj), 0);
	ext_log_clear();
	assert_int_equal(xbpf_object_load(obj, NULL), -EOPNOTSUPP);
	if (!strstr(ext_log_text, "map 'nobody': no provider for map type 4200") ||
	    !strstr(ext_log_text, "map 'nobody' (section .maps): cannot create it"))
		fail_msg("log:\n%s", ext_log_text);
	xbpf_object_close(obj);
	xbpf_runtime_free(rt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(programs_iterate_plain_maps),
		cmocka_unit_test(the_providers_helper_reads_its_maps_only),
		cmocka_unit_test(queue_helpers_fail_as_on_a_builtin_map),
		cmocka_unit_test(a_type_without_provider_fails_the_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
