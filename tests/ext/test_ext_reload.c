/* SPDX-License-Identifier: MIT */
/*
 * Extensions leave and come back while programs, links and maps live on: the
 * reload sequence of the extension model, on every engine.
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

static const uint8_t event[8] = {1, 2, 3, 4, 5, 6, 7, 8};
#define EVENT_ID 5
#define EXPECTED (EVENT_ID * 31 + 36) /* sample_mix(id, sum of the event) */

static int fire(struct xbpf_extension *ext, uint64_t *result)
{
	sample_fire_fn fn = (sample_fire_fn)xbpf_extension_symbol(ext, "sample_fire");
	assert_non_null(fn);
	uint8_t data[sizeof(event)];
	memcpy(data, event, sizeof(data));
	return fn(EVENT_ID, data, sizeof(data), (__u64 *)result, 1);
}

static int test_run(struct xbpf_program *prog, uint64_t *result)
{
	struct sample_ctx ctx = {.id = EVENT_ID};
	struct xbpf_test_run_opts opts = {.sz = sizeof(opts), .data_in = event, .data_size_in = sizeof(event),
					  .ctx_in = &ctx, .ctx_size_in = sizeof(ctx)};
	int err = xbpf_program_test_run(prog, &opts);
	*result = opts.retval;
	return err;
}

static struct xbpf_object *open_sample_object(struct xbpf_runtime *rt)
{
	struct xbpf_object *obj;
	assert_int_equal(xbpf_object_open_file(rt, bpf_object_path("sample_prog"), NULL, &obj), 0);
	return obj;
}

static void reload_sequence(enum xbpf_engine engine)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_program_load_opts opts = {.sz = sizeof(opts), .engine = engine};
	struct xbpf_extension *ext;
	struct xbpf_link *link;
	uint64_t r0 = 0;

	/* Before its extension: the load names the missing program type. */
	struct xbpf_object *early = open_sample_object(rt);
	assert_int_equal(xbpf_object_load(early, &opts), -ENOENT);
	assert_non_null(strstr(ext_log_text, "no program type handles section 'sample'"));
	xbpf_object_close(early);

	/* With it: load, attach, fire. */
	assert_int_equal(xbpf_extension_load(rt, ext_path("sample"), &ext), 0);
	struct xbpf_object *obj = open_sample_object(rt);
	assert_int_equal(xbpf_object_load(obj, &opts), 0);
	struct xbpf_program *prog = xbpf_object_find_program(obj, "mix_event");
	assert_non_null(prog);
	assert_int_equal(xbpf_program_attach(prog, "sample/manual", NULL, 0, &link), 0);
	assert_true(xbpf_link_attached(link));
	assert_int_equal(fire(ext, &r0), 1);
	assert_int_equal(r0, EXPECTED);

	/* Unloaded: programs stay, runs fail fast. */
	assert_int_equal(xbpf_extension_unload(ext), 0);
	assert_false(xbpf_link_attached(link));
	assert_int_equal(test_run(prog, &r0), -XBPF_EDETACHED);
	struct xbpf_program_info info;
	assert_int_equal(xbpf_program_get_info(prog, &info), 0);
	assert_false(info.attached);

	/* Back: everything works again with no action by the host. */
	assert_int_equal(xbpf_extension_load(rt, ext_path("sample"), &ext), 0);
	assert_true(xbpf_link_attached(link));
	r0 = 0;
	assert_int_equal(fire(ext, &r0), 1);
	assert_int_equal(r0, EXPECTED);
	assert_int_equal(test_run(prog, &r0), 0);
	assert_int_equal(r0, EXPECTED);

	/* A build whose helper prototype changed: the program stays detached
	 * and the log says which helper. */
	assert_int_equal(xbpf_extension_unload(ext), 0);
	ext_log_clear();
	assert_int_equal(xbpf_extension_load(rt, ext_path("sample_v2"), &ext), 0);
	assert_non_null(strstr(ext_log_text, "sample_mix"));
	assert_non_null(strstr(ext_log_text, "stays detached"));
	assert_int_equal(fire(ext, &r0), -XBPF_EDETACHED);

	/* The original again: it runs. */
	assert_int_equal(xbpf_extension_unload(ext), 0);
	assert_int_equal(xbpf_extension_load(rt, ext_path("sample"), &ext), 0);
	assert_int_equal(fire(ext, &r0), 1);
	assert_int_equal(r0, EXPECTED);

	/* The hook counted every fire that ran the program. */
	const char *name;
	uint64_t value;
	assert_int_equal(xbpf_link_counter(link, 0, &name, &value), 0);
	assert_string_equal(name, "fired");
	assert_int_equal(value, 3);

	assert_int_equal(xbpf_link_detach(link), 0);
	xbpf_object_close(obj);
	xbpf_runtime_free(rt);
}

static void reload_on_every_engine(void **state)
{
	for (int engine = 0; engine < XBPF_ENGINE_COUNT; engine++)
		reload_sequence((enum xbpf_engine)engine);
}

/* A link made before its hook exists attaches when the hook registers. */
static void link_waits_for_its_hook(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_extension *ext;
	struct xbpf_link *link;
	uint64_t r0 = 0;

	assert_int_equal(xbpf_extension_load(rt, ext_path("sample"), &ext), 0);
	struct xbpf_object *obj = open_sample_object(rt);
	assert_int_equal(xbpf_object_load(obj, NULL), 0);
	assert_int_equal(xbpf_extension_unload(ext), 0);

	assert_int_equal(xbpf_program_attach(xbpf_object_find_program(obj, "mix_event"), "sample/manual",
					     NULL, 0, &link), 0);
	assert_false(xbpf_link_attached(link));
	assert_int_equal(xbpf_extension_load(rt, ext_path("sample"), &ext), 0);
	assert_true(xbpf_link_attached(link));
	assert_int_equal(fire(ext, &r0), 1);
	assert_int_equal(r0, EXPECTED);

	/* Detached by the host, it stays detached across reloads. */
	assert_int_equal(xbpf_link_detach(link), 0);
	assert_int_equal(fire(ext, &r0), 0);
	xbpf_object_close(obj);
	xbpf_runtime_free(rt);
}

/* An extension of a name already loaded is refused. */
static void same_extension_twice_is_refused(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_extension *ext, *again;

	assert_int_equal(xbpf_extension_load(rt, ext_path("sample"), &ext), 0);
	assert_int_equal(xbpf_extension_load(rt, ext_path("sample_v2"), &again), -EEXIST);
	assert_non_null(strstr(ext_log_text, "loaded already"));
	xbpf_runtime_free(rt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reload_on_every_engine),
		cmocka_unit_test(link_waits_for_its_hook),
		cmocka_unit_test(same_extension_twice_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
