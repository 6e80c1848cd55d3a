/* SPDX-License-Identifier: MIT */
/*
 * Concurrency on a transforming custom map: writers replace, delete and
 * take entries of a few shared keys while readers look them up, for a
 * bounded time (XBPF_STRESS_MS, default 1000). Every value read must be
 * one a writer wrote (self-checking), the provider must never see a value
 * released twice or a dead object, and when the map is gone every object
 * the provider made has been released exactly once.
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
#include "runtime/epoch.h"
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(racing_updaters_release_each_value_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
