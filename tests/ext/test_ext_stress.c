/* SPDX-License-Identifier: MIT */
/*
 * Hot unload and reload under fire: while one thread unloads and reloads the
 * sample extension 1000 times, two others run its program without pause,
 * one through the extension's hook (sample_fire) and one through the core
 * (xbpf_program_test_run). Every run must either return the expected value
 * or fail fast with -XBPF_EDETACHED; the hook may also find no link attached
 * while it is coming back. Both outcomes must have been seen, so that the
 * races were really run. CI runs this under ThreadSanitizer too.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <xbpf/extension.h>

#include "ext_test.h"
#include "sample.h"

#define RELOADS 1000

static const uint8_t event[8] = {1, 2, 3, 4, 5, 6, 7, 8};
#define EVENT_ID 5
#define EXPECTED (EVENT_ID * 31 + 36) /* sample_mix(id, sum of the event) */

/* What a firing thread saw. */
struct outcomes {
	uint64_t ok;       /* ran, with the expected value */
	uint64_t detached; /* failed fast with -XBPF_EDETACHED */
	uint64_t unlinked; /* the hook had no link to run (sample_fire only) */
	uint64_t wrong;    /* anything else: the test fails */
	int first_wrong;   /* the first unexpected result */
	uint64_t first_wrong_value;
	atomic_uint_fast64_t attempts; /* read by the reloading thread meanwhile */
};

static atomic_bool reloading_done;
static atomic_uint_fast64_t errors_logged;

/* The threads log concurrently: count, keep nothing shared. */
static void count_log(void *user, enum xbpf_log_level level, const char *msg)
{
	atomic_fetch_add(&errors_logged, 1);
}

static void note(struct outcomes *o, int err, uint64_t value)
{
	if (o->wrong++ == 0) {
		o->first_wrong = err;
		o->first_wrong_value = value;
	}
}

static sample_fire_fn fire_fn;

static void *fire_through_hook(void *arg)
{
	struct outcomes *o = arg;
	while (!atomic_load(&reloading_done)) {
		uint8_t data[sizeof(event)];
		__u64 r0 = 0;
		memcpy(data, event, sizeof(data));
		int ran = fire_fn(EVENT_ID, data, sizeof(data), &r0, 1);
		if (ran == 1 && r0 == EXPECTED)
			o->ok++;
		else if (ran == -XBPF_EDETACHED)
			o->detached++;
		else if (ran == 0)
			o->unlinked++;
		else
			note(o, ran, r0);
		atomic_fetch_add(&o->attempts, 1);
	}
	return NULL;
}

static struct xbpf_program *prog;

static void *fire_through_core(void *arg)
{
	struct outcomes *o = arg;
	struct sample_ctx ctx = {.id = EVENT_ID};
	while (!atomic_load(&reloading_done)) {
		struct xbpf_test_run_opts opts = {.sz = sizeof(opts),
						  .data_in = event,
						  .data_size_in = sizeof(event),
						  .ctx_in = &ctx,
						  .ctx_size_in = sizeof(ctx)};
		int err = xbpf_program_test_run(prog, &opts);
		if (err == 0 && opts.retval == EXPECTED)
			o->ok++;
		else if (err == -XBPF_EDETACHED)
			o->detached++;
		else
			note(o, err, opts.retval);
		atomic_fetch_add(&o->attempts, 1);
	}
	return NULL;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void report(const char *who, const struct outcomes *o)
{
	print_message("%s: %llu ok, %llu detached, %llu with no link, %llu wrong\n", who,
		      (unsigned long long)o->ok, (unsigned long long)o->detached,
		      (unsigned long long)o->unlinked, (unsigned long long)o->wrong);
	if (o->wrong)
		print_message("%s: first unexpected result %d (r0 %llu)\n", who, o->first_wrong,
			      (unsigned long long)o->first_wrong_value);
}

/* Waits (at most 5 ms) until each firing thread has started an attempt
 * after this moment, so that every thread also runs while the extension is
 * loaded, however the scheduler interleaves them on a busy machine. */
static void let_both_fire(struct outcomes *a, struct outcomes *b)
{
	uint64_t a0 = atomic_load(&a->attempts), b0 = atomic_load(&b->attempts);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((atomic_load(&a->attempts) < a0 + 2 || atomic_load(&b->attempts) < b0 + 2) &&
	       seconds_since(&t0) < 0.005)
		sched_yield();
}

static void reload_under_fire(void **state)
{
	struct xbpf_runtime *rt;
	struct xbpf_extension *ext;
	struct xbpf_object *obj;
	struct xbpf_link *link;

	assert_int_equal(xbpf_runtime_create(&rt), 0);
	xbpf_runtime_set_log(rt, count_log, NULL, XBPF_LOG_ERROR);

	/* The firing thread calls sample_fire at any moment, also while the
	 * core has the extension unloaded: like a host that keeps the module
	 * whose function it calls, the test holds its own reference, so the
	 * code stays mapped; the core's unload still unregisters everything
	 * and its reload registers everything again. */
	void *pin = dlopen(ext_path("sample"), RTLD_NOW | RTLD_LOCAL);
	assert_non_null(pin);
	fire_fn = (sample_fire_fn)dlsym(pin, "sample_fire");
	assert_non_null(fire_fn);

	assert_int_equal(xbpf_extension_load(rt, ext_path("sample"), &ext), 0);
	assert_int_equal(xbpf_object_open_file(rt, bpf_object_path("sample_prog"), NULL, &obj), 0);
	assert_int_equal(xbpf_object_load(obj, NULL), 0);
	prog = xbpf_object_find_program(obj, "mix_event");
	assert_non_null(prog);
	assert_int_equal(xbpf_program_attach(prog, "sample/manual", NULL, 0, &link), 0);

	struct outcomes hook = {0}, core = {0};
	pthread_t hook_thread, core_thread;
	atomic_store(&reloading_done, false);
	assert_int_equal(pthread_create(&hook_thread, NULL, fire_through_hook, &hook), 0);
	assert_int_equal(pthread_create(&core_thread, NULL, fire_through_core, &core), 0);

	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int failed_at = -1, err = 0;
	for (int i = 0; i < RELOADS; i++) {
		if ((err = xbpf_extension_unload(ext)) || (err = xbpf_extension_load(rt, ext_path("sample"), &ext))) {
			failed_at = i;
			break;
		}
		let_both_fire(&hook, &core);
	}
	atomic_store(&reloading_done, true);
	pthread_join(hook_thread, NULL);
	pthread_join(core_thread, NULL);
	print_message("%d reloads in %.2f s\n", RELOADS, seconds_since(&t0));
	report("sample_fire", &hook);
	report("test_run", &core);
	if (failed_at >= 0)
		fail_msg("reload %d failed: %d", failed_at, err);

	assert_int_equal(hook.wrong, 0);
	assert_int_equal(core.wrong, 0);
	assert_true(hook.ok > 0);
	assert_true(core.ok > 0);
	/* The races happened: runs met the extension away. */
	assert_true(hook.detached > 0);
	assert_true(core.detached > 0);

	/* Still whole afterwards. */
	assert_true(xbpf_link_attached(link));
	__u64 r0 = 0;
	uint8_t data[sizeof(event)];
	memcpy(data, event, sizeof(data));
	assert_int_equal(fire_fn(EVENT_ID, data, sizeof(data), &r0, 1), 1);
	assert_int_equal(r0, EXPECTED);

	assert_int_equal(xbpf_link_detach(link), 0);
	xbpf_object_close(obj);
	xbpf_runtime_free(rt);
	dlclose(pin);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reload_under_fire),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
