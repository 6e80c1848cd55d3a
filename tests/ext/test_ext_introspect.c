/* SPDX-License-Identifier: MIT */
/*
 * Extension introspection: the loaded extensions, and what their providers
 * offer (program types with prefixes, context layout and helpers, hooks,
 * named helpers as C prototypes), read back from the sample, xdp and
 * named_test extensions.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include <xbpf/extension.h>

#include "ext_test.h"
#include "sample.h"

/* Everything the callback saw, as text: one line per provider and helper. */
struct seen {
	char text[8192];
	size_t len;
	int providers;
	int stop_after; /* return non-zero from this call on (0: never) */
};

static void add(struct seen *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct seen *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(s->text + s->len, sizeof(s->text) - s->len, fmt, ap);
	va_end(ap);
	s->len += (size_t)n;
	assert_true(s->len < sizeof(s->text));
}

static int record(void *user, const struct xbpf_provider_info *info)
{
	struct seen *s = user;
	s->providers++;
	add(s, "%d %s from %s\n", info->type, info->name, info->extension ? info->extension : "core");
	for (size_t i = 0; i < info->n_section_prefixes; i++)
		add(s, "  prefix %s\n", info->section_prefixes[i]);
	if (info->type == XBPF_PROVIDES_PROGRAM_TYPE)
		add(s, "  ctx %u/%u data %d end %d meta %d\n", info->ctx_size, info->ctx_internal_size,
		    info->ctx_data_offset, info->ctx_data_end_offset, info->ctx_data_meta_offset);
	for (size_t i = 0; i < info->n_ctx_fields; i++)
		add(s, "  field %u+%u -> %u+%u\n", info->ctx_fields[i].offset, info->ctx_fields[i].size,
		    info->ctx_fields[i].internal_offset, info->ctx_fields[i].internal_size);
	for (size_t i = 0; i < info->n_ctx_writable; i++)
		add(s, "  writable %u+%u\n", info->ctx_writable[i].offset, info->ctx_writable[i].size);
	for (size_t i = 0; i < info->n_helpers; i++)
		add(s, "  helper %u %s\n", info->helpers[i].id, info->helpers[i].prototype);
	if (info->program_type)
		add(s, "  runs %s\n", info->program_type);
	if (info->type == XBPF_PROVIDES_HELPERS)
		add(s, "  visible to %s\n", info->program_types ? info->program_types[0] : "all");
	return s->stop_after && s->providers >= s->stop_after ? 7 : 0;
}

static void test_extension_info(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_extension *sample, *xdp;
	struct xbpf_extension_info info;

	assert_int_equal(xbpf_extension_get_info(rt, 0, &info), -ENOENT);
	assert_int_equal(xbpf_extension_load(rt, ext_path("sample"), &sample), 0);
	assert_int_equal(xbpf_extension_load(rt, "xdp", &xdp), 0);
	assert_int_equal(xbpf_extension_get_info(rt, 0, &info), 0);
	assert_string_equal(info.name, "xdp");
	assert_non_null(strstr(info.path, "/xdp.so"));
	assert_non_null(strstr(info.description, "XDP"));
	assert_int_equal(xbpf_extension_get_info(rt, 1, &info), 0);
	assert_string_equal(info.name, "sample");
	assert_string_equal(info.path, ext_path("sample"));
	assert_int_equal(xbpf_extension_get_info(rt, 2, &info), -ENOENT);
	xbpf_extension_unload(xdp);
	assert_int_equal(xbpf_extension_get_info(rt, 1, &info), -ENOENT);
	xbpf_extension_unload(sample);
	xbpf_runtime_free(rt);
}

static void test_sample_providers(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_extension *ext;
	struct seen seen = {0};

	assert_int_equal(xbpf_extension_load(rt, ext_path("sample"), &ext), 0);
	assert_int_equal(xbpf_provider_foreach(rt, ext, record, &seen), 0);
	char want[1024];
	snprintf(want, sizeof(want),
		 "1 sample from sample\n"
		 "  prefix sample\n"
		 "  ctx %zu/%zu data %zu end %zu meta -1\n"
		 "  field %zu+4 -> %zu+8\n"
		 "  field %zu+4 -> %zu+8\n"
		 "  writable %zu+4\n"
		 "  helper 65536 long sample_mix(__u64 arg1, __u64 arg2)\n"
		 "  helper 65537 long sample_sum(const void *mem, __u32 size)\n"
		 "2 sample/manual from sample\n"
		 "  runs sample\n"
		 "3 sample from sample\n"
		 "  helper 0 long sample_add(__u64 arg1, __u64 arg2)\n"
		 "  helper 0 long sample_hash(const void *mem, __u32 size)\n"
		 "  helper 0 long sample_scale(__u64 arg1)\n"
		 "  visible to all\n"
		 "4 sample_counters from sample\n",
		 sizeof(struct sample_ctx), sizeof(struct sample_ctx) + 16,
		 sizeof(struct sample_ctx), sizeof(struct sample_ctx) + 8,
		 offsetof(struct sample_ctx, data), sizeof(struct sample_ctx),
		 offsetof(struct sample_ctx, data_end), sizeof(struct sample_ctx) + 8,
		 offsetof(struct sample_ctx, result));
	assert_string_equal(seen.text, want);
	xbpf_extension_unload(ext);
	xbpf_runtime_free(rt);
}

static void test_xdp_and_named_helpers(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_extension *xdp, *named;
	struct seen seen = {0};

	assert_int_equal(xbpf_extension_load(rt, "xdp", &xdp), 0);
	assert_int_equal(xbpf_extension_load(rt, XBPF_TEST_MODULE_DIR "/named_test.so", &named), 0);

	/* Every provider, in registration order. */
	assert_int_equal(xbpf_provider_foreach(rt, NULL, record, &seen), 0);
	assert_int_equal(seen.providers, 8); /* xdp: program type, 2 hooks, 3 map types */
	assert_non_null(strstr(seen.text, "1 xdp from xdp\n  prefix xdp\n  prefix xdp.frags\n  prefix xdp/\n"));
	assert_non_null(strstr(seen.text, "helper 44 long bpf_xdp_adjust_head(void *ctx, __u32 arg2)\n"));
	assert_non_null(strstr(seen.text, "long bpf_xdp_load_bytes(void *ctx, __u32 arg2, void *buf, __u32 size)\n"));
	assert_non_null(strstr(seen.text, "2 xdp/pcap from xdp\n  runs xdp\n2 xdp/live from xdp\n  runs xdp\n"));
	assert_non_null(strstr(seen.text,
			       "3 textkit from named_test\n"
			       "  helper 0 long text_hash(const char *str)\n"
			       "  helper 0 int text_fill(void *buf /* or NULL */, __u32 size, __u8 arg3)\n"
			       "  visible to sample\n"
			       "3 anykit from named_test\n"
			       "  helper 0 long any_answer(void)\n"
			       "  visible to all\n"));

	/* Only one extension's providers. */
	struct seen only = {0};
	assert_int_equal(xbpf_provider_foreach(rt, named, record, &only), 0);
	assert_int_equal(only.providers, 2);

	/* A non-zero return stops the walk and is returned. */
	struct seen stopped = {.stop_after = 2};
	assert_int_equal(xbpf_provider_foreach(rt, NULL, record, &stopped), 7);
	assert_int_equal(stopped.providers, 2);

	/* Gone after the unload. */
	xbpf_extension_unload(named);
	struct seen after = {0};
	assert_int_equal(xbpf_provider_foreach(rt, NULL, record, &after), 0);
	assert_int_equal(after.providers, 6);
	assert_null(strstr(after.text, "textkit"));

	assert_int_equal(xbpf_provider_foreach(rt, NULL, NULL, NULL), -EINVAL);
	xbpf_extension_unload(xdp);
	xbpf_runtime_free(rt);
}

static void test_prototype_text(void **state)
{
	struct xbpf_helper_info h = {
		.name = "two_maps",
		.ret = XBPF_RET_PTR_TO_MAP_VALUE_OR_NULL,
		.args = {XBPF_ARG_CONST_MAP_PTR, XBPF_ARG_PTR_TO_MAP_KEY, XBPF_ARG_PTR_TO_MEM,
			 XBPF_ARG_CONST_SIZE, XBPF_ARG_PTR_TO_MEM},
	};
	char buf[256];
	const char *want = "void *two_maps(void *map, const void *key, const void *mem, __u32 size, "
			   "const void *mem2)";
	assert_int_equal(xbpf_helper_prototype(&h, buf, sizeof(buf)), (int)strlen(want));
	assert_string_equal(buf, want);
	/* Cut like snprintf, with the length it needed. */
	char small[10];
	assert_int_equal(xbpf_helper_prototype(&h, small, sizeof(small)), (int)strlen(want));
	assert_string_equal(small, "void *two");
	h.ret = XBPF_RET_VOID;
	h.args[0] = XBPF_ARG_NONE;
	assert_int_equal(xbpf_helper_prototype(&h, buf, sizeof(buf)), 19);
	assert_string_equal(buf, "void two_maps(void)");
}

/* Walks providers on one thread while another loads and unloads the xdp
 * extension: every walk sees whole providers, and nothing crashes. */
struct churn {
	struct xbpf_runtime *rt;
	atomic_bool stop;
	int walks;
	int failed;
};

static int check_whole(void *user, const struct xbpf_provider_info *info)
{
	/* cmocka's asserts belong to the main thread: report, don't assert. */
	if (info->type == XBPF_PROVIDES_PROGRAM_TYPE && strcmp(info->name, "xdp") == 0 &&
	    (info->n_section_prefixes != 3 || info->n_helpers != 8 ||
	     strcmp(info->helpers[6].name, "bpf_redirect") != 0))
		return -1;
	return 0;
}

static void *walker(void *arg)
{
	struct churn *c = arg;
	while (!atomic_load(&c->stop)) {
		if (xbpf_provider_foreach(c->rt, NULL, check_whole, NULL))
			c->failed++;
		c->walks++;
	}
	return NULL;
}

static void test_walk_while_unloading(void **state)
{
	struct churn c = {.rt = ext_runtime()};
	pthread_t thread;
	xbpf_runtime_set_log(c.rt, NULL, NULL, XBPF_LOG_ERROR);
	assert_int_equal(pthread_create(&thread, NULL, walker, &c), 0);
	for (int i = 0; i < 200; i++) {
		struct xbpf_extension *ext;
		assert_int_equal(xbpf_extension_load(c.rt, "xdp", &ext), 0);
		assert_int_equal(xbpf_extension_unload(ext), 0);
	}
	atomic_store(&c.stop, true);
	pthread_join(thread, NULL);
	assert_true(c.walks > 0);
	assert_int_equal(c.failed, 0);
	xbpf_runtime_free(c.rt);
}

static int collect(void *user, const char *dir)
{
	strcat(user, dir);
	strcat(user, "\n");
	return 0;
}

static void test_search_path(void **state)
{
	char dirs[4096] = "";
	setenv("XBPF_EXTENSION_PATH", "/nowhere/a:/nowhere/b", 1);
	assert_int_equal(xbpf_extension_dir_foreach(collect, dirs), 0);
	unsetenv("XBPF_EXTENSION_PATH");
	assert_true(strncmp(dirs, "/nowhere/a\n/nowhere/b\n", 22) == 0);
	assert_non_null(strstr(dirs, XBPF_TEST_EXTENSION_DIR "\n"));
	assert_int_equal(xbpf_extension_dir_foreach(NULL, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_extension_info),
		cmocka_unit_test(test_sample_providers),
		cmocka_unit_test(test_xdp_and_named_helpers),
		cmocka_unit_test(test_prototype_text),
		cmocka_unit_test(test_walk_while_unloading),
		cmocka_unit_test(test_search_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
