/* SPDX-License-Identifier: MIT */
/*
 * A provider of named helpers unloads and reloads while another thread
 * calls one of its helpers from a program in a loop: no crash, no call into
 * unloaded code (the sanitizers and the unmapped module would show it), and
 * every run returns the right value or fails fast with -XBPF_EDETACHED.
 * Bounded in time: the reloads stop after a count or a few seconds.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include <xbpf/extension.h>

#include "ext_test.h"
#include "sample.h"

#define EVENT_ID 7
#define RELOADS 2000
#define MAX_SECONDS 3.0

static const char *module_path(const char *name)
{
	static char path[512];
	snprintf(path, sizeof(path), "%s/%s.so", XBPF_TEST_MODULE_DIR, name);
	return path;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

struct caller {
	struct xbpf_program *prog;
	atomic_bool stop;
	uint64_t ok, detached, wrong;
	int other_error;
};

static void *call_loop(void *arg)
{
	struct caller *c = arg;
	static const uint8_t data[4];
	while (!atomic_load(&c->stop)) {
		struct sample_ctx ctx = {.id = EVENT_ID};
		struct xbpf_test_run_opts opts = {.sz = sizeof(opts), .data_in = data,
						  .data_size_in = sizeof(data), .ctx_in = &ctx,
						  .ctx_size_in = sizeof(ctx), .repeat = 16};
		int err = xbpf_program_test_run(c->prog, &opts);
		if (err == 0 && opts.retval == EVENT_ID * 3)
			c->ok++;
		else if (err == 0)
			c->wrong++;
		else if (err == -XBPF_EDETACHED)
			c->detached++;
		else
			c->other_error = err;
	}
	return NULL;
}

static void provider_reloads_under_calls(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_extension *sample, *other;
	struct xbpf_object *obj;
	assert_non_null(rt);
	/* Runs log each detached failure: keep only errors. */
	xbpf_runtime_set_log(rt, NULL, NULL, XBPF_LOG_ERROR);
	assert_int_equal(xbpf_extension_load(rt, ext_path("sample"), &sample), 0);
	assert_int_equal(xbpf_extension_load(rt, module_path("other"), &other), 0);
	assert_int_equal(xbpf_object_open_file(rt, bpf_object_path("named_other"), NULL, &obj), 0);
	assert_int_equal(xbpf_object_load(obj, NULL), 0);

	struct caller c = {.prog = xbpf_object_find_program(obj, "mul")};
	assert_non_null(c.prog);
	pthread_t thread;
	assert_int_equal(pthread_create(&thread, NULL, call_loop, &c), 0);

	double end = now() + MAX_SECONDS;
	int reloads = 0;
	for (; reloads < RELOADS && now() < end; reloads++) {
		assert_int_equal(xbpf_extension_unload(other), 0);
		assert_int_equal(xbpf_extension_load(rt, module_path("other"), &other), 0);
		/* Give the caller some time with the provider there. */
		nanosleep(&(struct timespec){.tv_nsec = 100000}, NULL);
	}
	atomic_store(&c.stop, true);
	assert_int_equal(pthread_join(thread, NULL), 0);

	print_message("%d reloads; runs: %llu right, %llu detached\n", reloads,
		      (unsigned long long)c.ok, (unsigned long long)c.detached);
	assert_int_equal(c.other_error, 0);
	assert_int_equal(c.wrong, 0);
	assert_true(reloads > 0);
	assert_true(c.ok > 0);

	/* Settled with the provider present: runs are right again. */
	struct sample_ctx ctx = {.id = EVENT_ID};
	struct xbpf_test_run_opts opts = {.sz = sizeof(opts), .data_in = "abcd", .data_size_in = 4,
					  .ctx_in = &ctx, .ctx_size_in = sizeof(ctx)};
	assert_int_equal(xbpf_program_test_run(c.prog, &opts), 0);
	assert_int_equal(opts.retval, EVENT_ID * 3);

	xbpf_object_close(obj);
	assert_int_equal(xbpf_extension_unload(other), 0);
	assert_int_equal(xbpf_extension_unload(sample), 0);
	xbpf_runtime_free(rt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(provider_reloads_under_calls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
