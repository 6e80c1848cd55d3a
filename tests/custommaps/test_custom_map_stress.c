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
#include "isa/insn.h"
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
	const struct xbpf_insn insns[] = {
		xbpf_insn_make(XBPF_CLASS_ST | XBPF_MODE_MEM | XBPF_SIZE_W, 10, 0, -4, 1),
		xbpf_insn_make(XBPF_CLASS_LD | XBPF_MODE_IMM | XBPF_SIZE_DW, 1, XBPF_PSEUDO_MAP_FD, 0,
			       (int32_t)xbpf_map_id(map)),
		xbpf_insn_make(0, 0, 0, 0, 0),
		xbpf_insn_make(XBPF_CLASS_ALU64 | XBPF_ALU_MOV | XBPF_SRC_X, 2, 10, 0, 0),
		xbpf_insn_make(XBPF_CLASS_ALU64 | XBPF_ALU_ADD, 2, 0, 0, -4),
		xbpf_insn_make(XBPF_CLASS_JMP | XBPF_JMP_CALL, 0, 0, 0, 1),
		xbpf_insn_make(XBPF_CLASS_JMP | XBPF_JMP_JNE, 0, 0, 2, 0),
		xbpf_insn_make(XBPF_CLASS_ALU64 | XBPF_ALU_MOV, 0, 0, 0, -1),
		xbpf_insn_make(XBPF_CLASS_JMP | XBPF_JMP_EXIT, 0, 0, 0, 0),
		xbpf_insn_make(XBPF_CLASS_LDX | XBPF_MODE_MEM | XBPF_SIZE_DW, 1, 0, 0, 0),
		xbpf_insn_make(XBPF_CLASS_ALU64 | XBPF_ALU_ADD, 1, 0, 0, 1),
		xbpf_insn_make(XBPF_CLASS_STX | XBPF_MODE_MEM | XBPF_SIZE_DW, 0, 1, 0, 0),
		xbpf_insn_make(XBPF_CLASS_ALU64 | XBPF_ALU_MOV | XBPF_SRC_X, 0, 1, 0, 0),
		xbpf_insn_make(XBPF_CLASS_JMP | XBPF_JMP_EXIT, 0, 0, 0, 0),
	};
	assert_int_equal(xbpf_program_load(rt, "sample", insns, sizeof(insns) / sizeof(insns[0]),
					   NULL, &prog), 0);

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(racing_updaters_release_each_value_once),
		cmocka_unit_test(provider_leaves_under_running_programs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
