/* SPDX-License-Identifier: MIT */
/*
 * Named helpers end to end, with the sample extension (provider "sample")
 * and the "other" test extension (providers "other" and "other_xdp"), which
 * both export sample_scale: x10 from "sample", x100 from "other", so a
 * result shows which one a call bound to.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <xbpf/extension.h>

#include "ext_test.h"
#include "sample.h"

#define EVENT_ID 5

static const char *module_path(const char *name)
{
	static char path[512];
	snprintf(path, sizeof(path), "%s/%s.so", XBPF_TEST_MODULE_DIR, name);
	return path;
}

struct world {
	struct xbpf_runtime *rt;
	struct xbpf_extension *sample, *other;
	char log[8192];
	struct xbpf_log_buf buf;
};

static void world_up(struct world *w)
{
	w->rt = ext_runtime();
	assert_non_null(w->rt);
	assert_int_equal(xbpf_extension_load(w->rt, ext_path("sample"), &w->sample), 0);
	assert_int_equal(xbpf_extension_load(w->rt, module_path("other"), &w->other), 0);
	w->buf = (struct xbpf_log_buf){.buf = w->log, .size = sizeof(w->log)};
}

static void world_down(struct world *w)
{
	if (w->other)
		assert_int_equal(xbpf_extension_unload(w->other), 0);
	if (w->sample)
		assert_int_equal(xbpf_extension_unload(w->sample), 0);
	xbpf_runtime_free(w->rt);
}

/* Opens and loads object `name`; returns the load's result. */
static int load(struct world *w, const char *name, const struct xbpf_helper_binding *bindings,
		size_t n_bindings, struct xbpf_object **out)
{
	struct xbpf_program_load_opts opts = {.sz = sizeof(opts), .log = &w->buf, .bindings = bindings,
					      .n_bindings = n_bindings};
	w->buf.len = 0;
	w->log[0] = '\0';
	assert_int_equal(xbpf_object_open_file(w->rt, bpf_object_path(name), NULL, out), 0);
	int err = xbpf_object_load(*out, &opts);
	if (err) {
		print_message("load of %s: %d:\n%s", name, err, w->log);
		xbpf_object_close(*out);
		*out = NULL;
	}
	return err;
}

static int run(struct xbpf_program *prog, uint64_t *r0, uint32_t *result)
{
	static const uint8_t data[4] = {1, 2, 3, 4};
	struct sample_ctx ctx = {.id = EVENT_ID}, out = {0};
	struct xbpf_test_run_opts opts = {.sz = sizeof(opts), .data_in = data, .data_size_in = sizeof(data),
					  .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .ctx_out = &out,
					  .ctx_size_out = sizeof(out)};
	int err = xbpf_program_test_run(prog, &opts);
	*r0 = opts.retval;
	if (result)
		*result = out.result;
	return err;
}

static void assert_log_has(const char *text, const char *what)
{
	if (!strstr(text, what))
		fail_msg("expected \"%s\" in the log:\n%s", what, text);
}

static void unique_name_binds_and_runs(void **state)
{
	struct world w = {0};
	struct xbpf_object *obj;
	uint64_t r0;
	world_up(&w);
	assert_int_equal(load(&w, "named_unique", NULL, 0, &obj), 0);
	assert_int_equal(run(xbpf_object_find_program(obj, "add"), &r0, NULL), 0);
	assert_int_equal(r0, EVENT_ID + 7);
	/* A pointer argument with its size: FNV-1a of {1, 2, 3, 4}. */
	uint64_t h = 0xcbf29ce484222325ull;
	for (int i = 1; i <= 4; i++)
		h = (h ^ (uint64_t)i) * 0x100000001b3ull;
	assert_int_equal(run(xbpf_object_find_program(obj, "hash"), &r0, NULL), 0);
	assert_int_equal(r0, h & 0x7fffffff);
	xbpf_object_close(obj);
	world_down(&w);
}

static void duplicate_name_fails_listing_candidates(void **state)
{
	struct world w = {0};
	struct xbpf_object *obj;
	world_up(&w);
	assert_int_equal(load(&w, "named_ambiguous", NULL, 0, &obj), -ENOTUNIQ);
	assert_log_has(w.log, "'sample_scale'");                  /* the helper */
	assert_log_has(w.log, "scale");                           /* the program */
	assert_log_has(w.log, "named_ambiguous.bpf.c:");          /* the source line */
	assert_log_has(w.log, "return (int)sample_scale(ctx->id)");
	assert_log_has(w.log, "'sample' (from sample)");          /* every candidate */
	assert_log_has(w.log, "'other' (from other)");
	assert_log_has(w.log, "btf_decl_tag(\"xbpf:provider=NAME\")"); /* both ways to qualify */
	assert_log_has(w.log, "load option bindings");
	world_down(&w);
}

static void qualified_by_decl_tag_binds_that_provider(void **state)
{
	struct world w = {0};
	struct xbpf_object *obj;
	uint64_t r0;
	world_up(&w);
	assert_int_equal(load(&w, "named_tagged", NULL, 0, &obj), 0);
	assert_int_equal(run(xbpf_object_find_program(obj, "scale_other"), &r0, NULL), 0);
	assert_int_equal(r0, EVENT_ID * 100);
	xbpf_object_close(obj);
	world_down(&w);
}

static void qualified_by_load_option_binds_that_provider(void **state)
{
	struct world w = {0};
	struct xbpf_object *obj;
	uint64_t r0;
	world_up(&w);
	const struct xbpf_helper_binding to_sample = {"sample_scale", "sample"};
	assert_int_equal(load(&w, "named_ambiguous", &to_sample, 1, &obj), 0);
	assert_int_equal(run(xbpf_object_find_program(obj, "scale"), &r0, NULL), 0);
	assert_int_equal(r0, EVENT_ID * 10);
	xbpf_object_close(obj);

	const struct xbpf_helper_binding to_other = {"sample_scale", "other"};
	assert_int_equal(load(&w, "named_ambiguous", &to_other, 1, &obj), 0);
	assert_int_equal(run(xbpf_object_find_program(obj, "scale"), &r0, NULL), 0);
	assert_int_equal(r0, EVENT_ID * 100);
	xbpf_object_close(obj);

	/* The host's binding wins over the program's tag. */
	assert_int_equal(load(&w, "named_tagged", &to_sample, 1, &obj), 0);
	assert_int_equal(run(xbpf_object_find_program(obj, "scale_other"), &r0, NULL), 0);
	assert_int_equal(r0, EVENT_ID * 10);
	xbpf_object_close(obj);
	world_down(&w);
}

static void missing_name_fails(void **state)
{
	struct world w = {0};
	struct xbpf_object *obj;
	world_up(&w);
	assert_int_equal(load(&w, "named_missing", NULL, 0, &obj), -ENOENT);
	assert_log_has(w.log, "no provider exports named helper 'nobody_exports_this'");
	world_down(&w);
}

static void weak_missing_name_loads_unbound(void **state)
{
	struct world w = {0};
	struct xbpf_object *obj;
	uint64_t r0;
	world_up(&w);
	assert_int_equal(load(&w, "named_weak", NULL, 0, &obj), 0);
	struct xbpf_program *prog = xbpf_object_find_program(obj, "weak");
	assert_int_equal(run(prog, &r0, NULL), 0);
	assert_int_equal(r0, 1 + 2); /* sample_add exists, the other does not */
	struct xbpf_program_info info;
	assert_int_equal(xbpf_program_get_info(prog, &info), 0);
	assert_true(info.attached); /* an unbound weak import is not missing */
	xbpf_object_close(obj);
	world_down(&w);
}

static void prototype_mismatch_fails_with_both_signatures(void **state)
{
	struct world w = {0};
	struct xbpf_object *obj;
	world_up(&w);
	assert_int_equal(load(&w, "named_mismatch", NULL, 0, &obj), -EINVAL);
	assert_log_has(w.log, "named helper 'sample_add' does not match its provider");
	assert_log_has(w.log, "`__u32 sample_add(__u64, const void *)`");
	assert_log_has(w.log, "`__u64 sample_add(__u64, __u64)`");
	world_down(&w);
}

static void restricted_name_is_not_visible(void **state)
{
	struct world w = {0};
	struct xbpf_object *obj;
	world_up(&w);
	assert_int_equal(load(&w, "named_restricted", NULL, 0, &obj), -ENOENT);
	assert_log_has(w.log, "named helper 'other_xdp_only' of provider 'other_xdp' is not offered to "
		       "programs of type 'sample'");
	world_down(&w);
}

static void provider_leaves_and_returns(void **state)
{
	struct world w = {0};
	struct xbpf_object *obj;
	struct xbpf_program_info info;
	uint64_t r0;
	uint32_t result;
	world_up(&w);
	assert_int_equal(load(&w, "named_other", NULL, 0, &obj), 0);
	struct xbpf_program *prog = xbpf_object_find_program(obj, "mul");
	assert_int_equal(run(prog, &r0, &result), 0);
	assert_int_equal(r0, EVENT_ID * 3);
	assert_int_equal(result, 1);

	/* Gone: runs fail fast, before the program does anything. */
	assert_int_equal(xbpf_extension_unload(w.other), 0);
	w.other = NULL;
	ext_log_clear();
	assert_int_equal(run(prog, &r0, &result), -XBPF_EDETACHED);
	assert_int_equal(result, 0);
	assert_log_has(ext_log_text, "named helper 'other_mul' of provider 'other' is not registered");
	assert_int_equal(xbpf_program_get_info(prog, &info), 0);
	assert_false(info.attached);

	/* Back: runs work again, with nothing asked of the host. */
	assert_int_equal(xbpf_extension_load(w.rt, module_path("other"), &w.other), 0);
	assert_int_equal(run(prog, &r0, &result), 0);
	assert_int_equal(r0, EVENT_ID * 3);
	assert_int_equal(xbpf_program_get_info(prog, &info), 0);
	assert_true(info.attached);
	xbpf_object_close(obj);
	world_down(&w);
}

static void provider_returns_changed_and_stays_unbound(void **state)
{
	struct world w = {0};
	struct xbpf_object *obj;
	struct xbpf_program_info info;
	uint64_t r0;
	world_up(&w);
	assert_int_equal(load(&w, "named_unique", NULL, 0, &obj), 0);
	struct xbpf_program *prog = xbpf_object_find_program(obj, "add");
	assert_int_equal(run(prog, &r0, NULL), 0);

	assert_int_equal(xbpf_extension_unload(w.sample), 0);
	w.sample = NULL;
	ext_log_clear();
	assert_int_equal(xbpf_extension_load(w.rt, ext_path("sample_v2"), &w.sample), 0);
	assert_log_has(ext_log_text, "program 'add': named helper 'sample_add' stays unbound: provider "
		       "'sample' is back but its argument 2 changed");
	assert_int_equal(run(prog, &r0, NULL), -XBPF_EDETACHED);
	assert_int_equal(xbpf_program_get_info(prog, &info), 0);
	assert_false(info.attached);
	/* The other program of the object, whose helper did not change, runs. */
	assert_int_equal(run(xbpf_object_find_program(obj, "hash"), &r0, NULL), 0);
	xbpf_object_close(obj);
	world_down(&w);
}

/* What xbpf_object_imports / xbpf_program_imports reported, one line each:
 * "program name status provider | detail". */
static int collect(void *user, const struct xbpf_import_info *info)
{
	char *text = user;
	size_t len = strlen(text);
	snprintf(text + len, 4096 - len, "%s %s %d %s | %s\n", info->program, info->name, (int)info->status,
		 info->provider, info->detail);
	return 0;
}

static void imports_of(struct world *w, const char *name, const struct xbpf_helper_binding *b, char *text)
{
	struct xbpf_object *obj;
	struct xbpf_program_load_opts opts = {.sz = sizeof(opts), .bindings = b, .n_bindings = b ? 1 : 0};
	text[0] = '\0';
	assert_int_equal(xbpf_object_open_file(w->rt, bpf_object_path(name), NULL, &obj), 0);
	assert_int_equal(xbpf_object_imports(obj, &opts, collect, text), 0);
	xbpf_object_close(obj);
}

static void import_listing_says_what_binds_and_why_not(void **state)
{
	struct world w = {0};
	char text[4096];
	world_up(&w);
	imports_of(&w, "named_unique", NULL, text);
	assert_log_has(text, "add sample_add 0 sample | __u64 sample_add(__u64, __u64)\n");
	assert_log_has(text, "hash sample_hash 0 sample | __u64 sample_hash(const void *, __u32)\n");
	assert_null(strstr(text, "add sample_hash")); /* each program its own imports */
	imports_of(&w, "named_ambiguous", NULL, text);
	assert_log_has(text, "scale sample_scale 3  | named helper 'sample_scale' is exported by several");
	imports_of(&w, "named_ambiguous", &(struct xbpf_helper_binding){"sample_scale", "other"}, text);
	assert_log_has(text, "scale sample_scale 0 other | ");
	imports_of(&w, "named_tagged", NULL, text);
	assert_log_has(text, "scale_other sample_scale 0 other | ");
	imports_of(&w, "named_weak", NULL, text);
	assert_log_has(text, "weak nobody_exports_this 1  | ");
	assert_log_has(text, "weak sample_add 0 sample | ");
	imports_of(&w, "named_missing", NULL, text);
	assert_log_has(text, "missing nobody_exports_this 2  | no provider exports");
	imports_of(&w, "named_mismatch", NULL, text);
	assert_log_has(text, "mismatch sample_add 4 sample | named helper 'sample_add' does not match");
	imports_of(&w, "named_restricted", NULL, text);
	assert_log_has(text, "restricted other_xdp_only 2  | named helper 'other_xdp_only' of provider "
		       "'other_xdp' is not offered");

	/* A loaded program: bound, then detached while its provider is away. */
	struct xbpf_object *obj;
	assert_int_equal(load(&w, "named_other", NULL, 0, &obj), 0);
	struct xbpf_program *prog = xbpf_object_find_program(obj, "mul");
	text[0] = '\0';
	assert_int_equal(xbpf_program_imports(prog, collect, text), 0);
	assert_log_has(text, "mul other_mul 0 other | __u64 other_mul(__u64, __u64)\n");
	assert_int_equal(xbpf_extension_unload(w.other), 0);
	w.other = NULL;
	text[0] = '\0';
	assert_int_equal(xbpf_program_imports(prog, collect, text), 0);
	assert_log_has(text, "mul other_mul 5 other | provider 'other' is not registered");
	xbpf_object_close(obj);
	world_down(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unique_name_binds_and_runs),
		cmocka_unit_test(duplicate_name_fails_listing_candidates),
		cmocka_unit_test(qualified_by_decl_tag_binds_that_provider),
		cmocka_unit_test(qualified_by_load_option_binds_that_provider),
		cmocka_unit_test(missing_name_fails),
		cmocka_unit_test(weak_missing_name_loads_unbound),
		cmocka_unit_test(prototype_mismatch_fails_with_both_signatures),
		cmocka_unit_test(restricted_name_is_not_visible),
		cmocka_unit_test(provider_leaves_and_returns),
		cmocka_unit_test(provider_returns_changed_and_stays_unbound),
		cmocka_unit_test(import_listing_says_what_binds_and_why_not),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
