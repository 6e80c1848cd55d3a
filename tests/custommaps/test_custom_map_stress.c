/* SPDX-License-Identifier: MIT */
/*
 * Concurrency on custom maps, each for a bounded time (XBPF_STRESS_MS,
 * default 1000); CI runs these under ThreadSanitizer (label stress).
 *
 * Issue 7, "Done when", second bullet:
 *  - threads updating and reading the same keys of a transforming map,
 *    every value read one some writer wrote, every displaced object
 *    released exactly once (counted):
 *      racing_updaters_release_each_value_once (host writers and readers)
 *      programs_and_host_race_on_a_map_with_callbacks (program and host
 *      writers and readers on a map whose provider validates and releases)
 *  - a provider unload racing program lookups never crashes:
 *      provider_leaves_under_running_programs (lookups)
 *      provider_leaves_under_program_writers (updates and deletes whose
 *      releases are queued while the provider goes)
 *      adopter_does_not_hold_up_the_leaving_provider (another instance of
 *      the type adopts the map while the first one's unregister waits for
 *      the releases it owes)
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include <xbpf/extension.h>

#include "ext_test.h"
#include "isa/insn.h"
#include "map_prog.h"
#include "runtime/epoch.h"
#include "runtime/registrar.h"
#include "tm_test.h"

#define WRITERS 2
#define READERS 2
#define KEYS 8

static struct xbpf_map *map;
static atomic_bool stop;
static atomic_long wrong, reads, writes;

static uint64_t make_value(uint32_t r)
{
	return ((uint64_t)r << 32) | (uint32_t)~r;
}

static bool value_ok(uint64_t v)
{
	return (uint32_t)v == (uint32_t)~(uint32_t)(v >> 32);
}

static void *writer(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;
	while (!atomic_load(&stop)) {
		uint32_t key = (uint32_t)rand_r(&seed) % KEYS;
		uint64_t v = make_value((uint32_t)rand_r(&seed)), got;
		int op = rand_r(&seed) % 8, err;
		if (op == 0) {
			err = xbpf_map_delete_elem(map, &key);
		} else if (op == 1) {
			err = xbpf_map_lookup_and_delete_elem(map, &key, &got);
			if (!err && !value_ok(got))
				wrong++;
		} else {
			err = xbpf_map_update_elem(map, &key, &v, op == 2 ? XBPF_NOEXIST : XBPF_ANY);
		}
		if (err && err != -ENOENT && err != -EEXIST)
			wrong++;
		writes++;
	}
	return NULL;
}

static void *reader(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;
	while (!atomic_load(&stop)) {
		uint32_t key = (uint32_t)rand_r(&seed) % KEYS;
		uint64_t got;
		int err = xbpf_map_lookup_elem(map, &key, &got);
		if ((err && err != -ENOENT) || (!err && !value_ok(got)))
			wrong++;
		reads++;
	}
	return NULL;
}

static void racing_updaters_release_each_value_once(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_extension *ext;
	assert_int_equal(xbpf_extension_load(rt, tm_path("tm_xform_hash"), &ext), 0);
	assert_int_equal(xbpf_map_create(rt, TM_XFORM_HASH, "stress", 4, 8, KEYS, NULL, &map), 0);

	long ms = getenv("XBPF_STRESS_MS") ? atol(getenv("XBPF_STRESS_MS")) : 1000;
	pthread_t threads[WRITERS + READERS];
	for (uintptr_t i = 0; i < WRITERS + READERS; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, i < WRITERS ? writer : reader,
						(void *)(i + 1)), 0);
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
	atomic_store(&stop, true);
	for (size_t i = 0; i < WRITERS + READERS; i++)
		pthread_join(threads[i], NULL);

	assert_int_equal(wrong, 0);
	assert_true(reads > 0 && writes > 0);
	xbpf_map_put(map);
	xbpf_epoch_barrier();
	struct tm_stats s = tm_stats_of(ext);
	assert_int_equal(s.bad, 0);
	assert_true(s.created > 0);
	assert_int_equal(s.created, s.released);
	assert_int_equal(s.destroyed, 1);
	print_message("%ld writes, %ld reads, %ld values made and released\n", (long)writes,
		      (long)reads, s.released);
	xbpf_runtime_free(rt);
}

/* Program runs incrementing a value in place while the map's provider
 * leaves and comes back: each run either finds the map orphaned (-1) or
 * increments it, so the final value counts the successful runs. */
static struct xbpf_program *prog;
static atomic_long incremented, orphaned_runs;

static void *runner(void *arg)
{
	while (!atomic_load(&stop)) {
		struct xbpf_test_run_opts opts = {.sz = sizeof(opts)};
		if (xbpf_program_test_run(prog, &opts)) {
			wrong++;
			continue;
		}
		if (opts.retval == (uint64_t)-1)
			orphaned_runs++;
		else
			incremented++;
	}
	return NULL;
}

static void provider_leaves_under_running_programs(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_extension *sample, *ext;
	assert_int_equal(xbpf_extension_load(rt, ext_path("sample"), &sample), 0);
	assert_int_equal(xbpf_extension_load(rt, tm_path("tm_plain_hash"), &ext), 0);
	assert_int_equal(xbpf_map_create(rt, TM_PLAIN_HASH, "m", 4, 8, 4, NULL, &map), 0);
	uint32_t key = 1;
	uint64_t value = 0;
	assert_int_equal(xbpf_map_update_elem(map, &key, &value, XBPF_ANY), 0);
	assert_int_equal(map_prog_load_increment(rt, map, key, &prog), 0);

	atomic_store(&stop, false);
	wrong = 0;
	pthread_t thread;
	assert_int_equal(pthread_create(&thread, NULL, runner, NULL), 0);
	long ms = getenv("XBPF_STRESS_MS") ? atol(getenv("XBPF_STRESS_MS")) : 1000;
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		assert_int_equal(xbpf_extension_unload(ext), 0);
		assert_int_equal(xbpf_extension_load(rt, tm_path("tm_plain_hash"), &ext), 0);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 < ms);
	atomic_store(&stop, true);
	pthread_join(thread, NULL);

	assert_int_equal(wrong, 0);
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &value), 0);
	assert_int_equal(value, incremented);
	print_message("%ld increments, %ld runs on the orphaned map\n", (long)incremented,
		      (long)orphaned_runs);
	xbpf_program_put(prog);
	xbpf_map_put(map);
	xbpf_runtime_free(rt);
}

/* ------------------------------------------------------------------------ */
/* Programs writing through the provider's callbacks                        */
/* ------------------------------------------------------------------------ */

struct cb_state {
	uint64_t magic, adopted;
	_Atomic uint64_t stored, released, sum;
};

static struct xbpf_object *obj;
static struct xbpf_program *write_prog, *read_prog;
static atomic_long prog_writes, prog_reads, detached_runs;

static long stress_ms(void)
{
	return getenv("XBPF_STRESS_MS") ? atol(getenv("XBPF_STRESS_MS")) : 1000;
}

static void *prog_writer(void *arg)
{
	while (!atomic_load(&stop)) {
		struct xbpf_test_run_opts opts = {.sz = sizeof(opts), .repeat = 16};
		if (xbpf_program_test_run(write_prog, &opts))
			wrong++;
		else if (opts.retval == (uint64_t)-XBPF_EDETACHED)
			detached_runs++;
		else if (opts.retval && opts.retval != (uint64_t)-ENOENT)
			wrong++;
		prog_writes++;
	}
	return NULL;
}

static void *prog_reader(void *arg)
{
	while (!atomic_load(&stop)) {
		struct xbpf_test_run_opts opts = {.sz = sizeof(opts), .repeat = 16};
		if (xbpf_program_test_run(read_prog, &opts) || (opts.retval != 0 && opts.retval != 1))
			wrong++;
		prog_reads++;
	}
	return NULL;
}

/* Host writers give values unique to each write, in the same format. */
static void *host_writer(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;
	uint32_t n = 0;
	while (!atomic_load(&stop)) {
		uint32_t key = (uint32_t)rand_r(&seed) % KEYS;
		uint64_t v = make_value(((uint32_t)(uintptr_t)arg << 28) | (n++ & 0x0fffffff));
		int err = rand_r(&seed) % 8 == 0 ? xbpf_map_delete_elem(map, &key)
						 : xbpf_map_update_elem(map, &key, &v, XBPF_ANY);
		if (err && err != -ENOENT && err != -XBPF_EDETACHED)
			wrong++;
		writes++;
	}
	return NULL;
}

static void *host_reader(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;
	while (!atomic_load(&stop)) {
		uint32_t key = (uint32_t)rand_r(&seed) % KEYS;
		uint64_t got;
		int err = xbpf_map_lookup_elem(map, &key, &got);
		if ((err && err != -ENOENT && err != -XBPF_EDETACHED) || (!err && !value_ok(got)))
			wrong++;
		reads++;
	}
	return NULL;
}

static struct xbpf_runtime *load_stress_object(struct xbpf_extension **ext)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_extension *sample;
	assert_int_equal(xbpf_extension_load(rt, ext_path("sample"), &sample), 0);
	assert_int_equal(xbpf_extension_load(rt, tm_path("tm_cb_hash"), ext), 0);
	assert_int_equal(xbpf_object_open_file(rt, bpf_object_path("custom_maps_stress"), NULL, &obj), 0);
	if (xbpf_object_load(obj, NULL))
		fail_msg("object refused:\n%s", ext_log_text);
	map = xbpf_object_find_map(obj, "cb");
	write_prog = xbpf_object_find_program(obj, "write_random");
	read_prog = xbpf_object_find_program(obj, "read_check");
	assert_non_null(map);
	assert_non_null(write_prog);
	assert_non_null(read_prog);
	atomic_store(&stop, false);
	wrong = reads = writes = prog_reads = prog_writes = detached_runs = 0;
	return rt;
}

static void start_threads(pthread_t *threads)
{
	void *(*const fns[])(void *) = {prog_writer, prog_reader, host_writer, host_reader};
	for (uintptr_t i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, fns[i], (void *)(i + 1)), 0);
}

static void stop_threads(pthread_t *threads)
{
	atomic_store(&stop, true);
	for (size_t i = 0; i < 4; i++)
		pthread_join(threads[i], NULL);
}

/* Quiet now: the provider's state counts what the map holds. */
static void check_state_matches_entries(struct xbpf_extension *ext)
{
	xbpf_epoch_barrier(); /* programs' releases run */
	struct cb_state *(*state_of)(struct xbpf_map *) =
		(struct cb_state * (*)(struct xbpf_map *))xbpf_extension_symbol(ext, "tm_map_state");
	struct cb_state *st = state_of(map);
	assert_non_null(st);
	uint64_t count = 0, sum = 0, value;
	uint32_t key, next;
	const uint32_t *prev = NULL;
	while (xbpf_map_get_next_key(map, prev, &next) == 0) {
		assert_int_equal(xbpf_map_lookup_elem(map, &next, &value), 0);
		count++;
		sum += value;
		key = next;
		prev = &key;
	}
	assert_int_equal(st->stored - st->released, count);
	assert_int_equal(st->sum, sum);
}

/* After the object and map are gone: every value made was released once. */
static void check_all_released(struct xbpf_runtime *rt, struct xbpf_extension *ext)
{
	xbpf_object_close(obj);
	xbpf_epoch_barrier();
	xbpf_epoch_barrier();
	struct tm_stats s = tm_stats_of(ext);
	assert_int_equal(s.bad, 0);
	assert_int_equal(s.destroyed, 1);
	assert_int_equal(s.created, s.released);
	assert_int_equal(s.live_nonzero, 0);
	assert_int_equal(s.over_released, 0);
	xbpf_runtime_free(rt);
}

static void programs_and_host_race_on_a_map_with_callbacks(void **state)
{
	struct xbpf_extension *ext;
	struct xbpf_runtime *rt = load_stress_object(&ext);
	pthread_t threads[4];
	start_threads(threads);
	long ms = stress_ms();
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
	stop_threads(threads);

	assert_int_equal(wrong, 0);
	assert_int_equal(detached_runs, 0);
	assert_true(prog_writes > 0 && prog_reads > 0 && writes > 0 && reads > 0);
	check_state_matches_entries(ext);
	struct tm_stats s = tm_stats_of(ext);
	assert_true(s.prog_created > 0 && s.prog_released > 0);
	print_message("%ld program and %ld host write batches, %ld values made\n", (long)prog_writes,
		      (long)writes, s.created);
	check_all_released(rt, ext);
}

/* Adds up the counts of the instances of the provider that served a map. */
static void add_stats(struct tm_stats *sum, struct tm_stats s)
{
	sum->created += s.created;
	sum->released += s.released;
	sum->bad += s.bad;
	sum->destroyed += s.destroyed;
}

static struct xbpf_provider *provider_of(struct xbpf_extension *ext)
{
	struct xbpf_provider *(*fn)(void) =
		(struct xbpf_provider * (*)(void))xbpf_extension_symbol(ext, "tm_provider");
	assert_non_null(fn);
	return fn();
}

/* Unregisters the instance's map type (so that every release it owes has
 * run and it gets no more calls), counts what it did, then unloads it. */
static void unload_counted(struct xbpf_extension *ext, struct tm_stats *sum)
{
	assert_int_equal(xbpf_registrar_unregister(provider_of(ext)), 0);
	add_stats(sum, tm_stats_of(ext));
	assert_int_equal(xbpf_extension_unload(ext), 0);
}

static void provider_leaves_under_program_writers(void **state)
{
	struct xbpf_extension *ext;
	struct xbpf_runtime *rt = load_stress_object(&ext);
	struct tm_stats sum = {0};
	pthread_t threads[4];
	start_threads(threads);
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	long cycles = 0;
	do {
		unload_counted(ext, &sum);
		assert_int_equal(xbpf_extension_load(rt, tm_path("tm_cb_hash"), &ext), 0);
		cycles++;
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 < stress_ms());
	stop_threads(threads);

	assert_int_equal(wrong, 0);
	/* The state, kept by the core, spans every instance of the provider. */
	check_state_matches_entries(ext);
	print_message("%ld provider reloads, %ld program write batches (%ld found it away)\n", cycles,
		      (long)prog_writes, (long)detached_runs);
	/* Values move between instances (one makes, the next releases): the
	 * counts are added up over all of them. */
	xbpf_object_close(obj);
	xbpf_epoch_barrier();
	xbpf_epoch_barrier();
	add_stats(&sum, tm_stats_of(ext));
	assert_int_equal(sum.bad, 0);
	assert_int_equal(sum.destroyed, 1);
	assert_true(sum.created > 0);
	assert_int_equal(sum.created, sum.released);
	xbpf_runtime_free(rt);
}

/* ------------------------------------------------------------------------ */
/* An adopter while the leaving provider waits for the releases it owes     */
/* ------------------------------------------------------------------------ */

struct unregistering {
	struct xbpf_provider *p;
	atomic_bool done;
	int err;
};

static void *unregister_thread(void *arg)
{
	struct unregistering *u = arg;
	u->err = xbpf_registrar_unregister(u->p);
	atomic_store(&u->done, true);
	return NULL;
}

typedef void (*gate_fn)(_Atomic int *held, _Atomic int *open, int once_left);

static gate_fn gate_of(struct xbpf_extension *ext)
{
	gate_fn fn = (gate_fn)xbpf_extension_symbol(ext, "tm_gate_releases");
	assert_non_null(fn);
	return fn;
}

static long ms_since(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

/* Waits up to ms for *flag; whether it came. */
static bool wait_for(_Atomic int *flag, long ms)
{
	struct timespec start, pause = {.tv_nsec = 100 * 1000};
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!atomic_load(flag) && ms_since(&start) < ms)
		nanosleep(&pause, NULL);
	return atomic_load(flag);
}

#define UNREGISTER_LIMIT_MS 5000

/*
 * Provider A (tm_cb_hash) unregisters while programs write to its map;
 * during its unregister, B (tm_cb_hash_b, the same map type) registers and
 * adopts the map, and the programs' writes go on through B. A's
 * unregister must wait for the releases that writes through A queued, not
 * for B's, which keep coming.
 *
 * The interleaving is forced with gates in the test module on programs'
 * releases (they run on the epoch thread, one after another):
 *  - A's gate holds the first release of A that runs after A left the map,
 *    so A's unregister is still waiting for its releases when B adopts.
 *    Whether such a release exists depends on timing: an attempt that
 *    finds none (A's unregister returned) starts again with a new A.
 *  - B's gate holds B's first release for good, standing for a stream of
 *    writes through B that never lets up. A's releases were all queued
 *    before B's (A left the map, and its runs ended, before B adopted it),
 *    so they run; A's unregister must then return within
 *    UNREGISTER_LIMIT_MS. Waiting for the map's releases instead of A's
 *    (or for every queued epoch call) never returns while B's gate holds.
 */
static void adopter_does_not_hold_up_the_leaving_provider(void **state)
{
	static _Atomic int a_held, a_open, b_held, b_open;
	struct xbpf_extension *a, *b = NULL;
	struct xbpf_runtime *rt = load_stress_object(&a);
	struct tm_stats sum = {0};
	pthread_t threads[4], unreg;
	start_threads(threads);

	struct unregistering u;
	bool returned = false;
	int attempts = 0;
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		assert_true(ms_since(&start) < 30000); /* found no interleaving */
		attempts++;
		atomic_store(&a_held, 0);
		atomic_store(&a_open, 0);
		gate_of(a)(&a_held, &a_open, 1);
		u = (struct unregistering){.p = provider_of(a)};
		assert_int_equal(pthread_create(&unreg, NULL, unregister_thread, &u), 0);
		struct timespec pause = {.tv_nsec = 100 * 1000};
		while (!atomic_load(&a_held) && !atomic_load(&u.done))
			nanosleep(&pause, NULL);
		if (!atomic_load(&a_held)) {
			/* A owed nothing once it left: try again. */
			pthread_join(unreg, NULL);
			assert_int_equal(u.err, 0);
			add_stats(&sum, tm_stats_of(a));
			assert_int_equal(xbpf_extension_unload(a), 0);
			assert_int_equal(xbpf_extension_load(rt, tm_path("tm_cb_hash"), &a), 0);
			continue;
		}
		/* A's release waits on the epoch thread; A left the map. */
		assert_int_equal(xbpf_extension_load(rt, tm_path("tm_cb_hash_b"), &b), 0);
		void *(*state_of)(struct xbpf_map *) =
			(void *(*)(struct xbpf_map *))xbpf_extension_symbol(b, "tm_map_state");
		assert_non_null(state_of(map)); /* B adopted it */
		gate_of(b)(&b_held, &b_open, 0);
		/* Programs' writes through B queue releases (behind A's held
		 * one) before A's go: A's unregister finds some of B's queued
		 * when it looks again. */
		struct timespec adopted;
		clock_gettime(CLOCK_MONOTONIC, &adopted);
		while (tm_stats_of(b).prog_created < 2 && ms_since(&adopted) < UNREGISTER_LIMIT_MS)
			nanosleep(&pause, NULL);
		assert_true(tm_stats_of(b).prog_created >= 2);
		atomic_store(&a_open, 1);
		assert_true(wait_for(&b_held, UNREGISTER_LIMIT_MS)); /* writes go through B */
		struct timespec waited;
		clock_gettime(CLOCK_MONOTONIC, &waited);
		while (!atomic_load(&u.done) && ms_since(&waited) < UNREGISTER_LIMIT_MS)
			nanosleep(&pause, NULL);
		returned = atomic_load(&u.done);
		break;
	}
	/* Let everything go before checking, so that a failure ends. */
	atomic_store(&b_open, 1);
	stop_threads(threads);
	pthread_join(unreg, NULL);
	assert_int_equal(u.err, 0);
	if (!returned)
		fail_msg("provider A's unregister did not return within %d ms while the map's new "
			 "provider B had releases queued", UNREGISTER_LIMIT_MS);
	print_message("%d attempts, %ld program write batches (%ld found the map away)\n", attempts,
		      (long)prog_writes, (long)detached_runs);

	assert_int_equal(wrong, 0);
	check_state_matches_entries(b);
	add_stats(&sum, tm_stats_of(a)); /* A is unregistered: its counts are final */
	assert_int_equal(xbpf_extension_unload(a), 0);
	xbpf_object_close(obj); /* B releases what the map holds, then destroys it */
	xbpf_epoch_barrier();
	xbpf_epoch_barrier();
	add_stats(&sum, tm_stats_of(b));
	assert_int_equal(sum.bad, 0);
	assert_int_equal(sum.destroyed, 1);
	assert_true(sum.created > 0);
	assert_int_equal(sum.created, sum.released);
	xbpf_runtime_free(rt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(racing_updaters_release_each_value_once),
		cmocka_unit_test(provider_leaves_under_running_programs),
		cmocka_unit_test(programs_and_host_race_on_a_map_with_callbacks),
		cmocka_unit_test(provider_leaves_under_program_writers),
		cmocka_unit_test(adopter_does_not_hold_up_the_leaving_provider),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
