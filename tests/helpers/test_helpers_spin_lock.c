/* SPDX-License-Identifier: MIT */
/*
 * bpf_spin_lock and bpf_spin_unlock: two threads counting under the lock
 * of a map value lose no increment; a run holds one lock at a time,
 * unlocks only what it locked, and a lock it still holds when it ends is
 * unlocked then.
 */
#include <linux/bpf.h>
#include <pthread.h>

#include "helper_test.h"

#define RUNS_PER_THREAD 20000

/* The map value: struct bpf_spin_lock first, then a counter. */
struct counted {
	uint32_t lock;
	uint32_t pad;
	uint64_t count;
};

static struct xbpf_runtime *rt;
static struct ht_env env;
static struct xbpf_map *map;

static int setup(void **state)
{
	memset(&env, 0, sizeof(env));
	rt = ht_runtime();
	map = ht_map(rt, &env, XBPF_MAP_TYPE_ARRAY, 4, sizeof(struct counted), 2, NULL);
	return 0;
}

static int teardown(void **state)
{
	xbpf_map_put(map);
	xbpf_runtime_free(rt);
	return 0;
}

/* r6 = &map[key] (9 slots; returns 0 if absent). */
#define VALUE_OF(key)                                                                              \
	T_ST(W, 10, -4, key), T_LDPTR(1, map), T_MOV64_REG(2, 10), T_ALU64_IMM(ADD, 2, -4),           \
		T_CALL(BPF_FUNC_map_lookup_elem), T_MOV64_REG(6, 0), T_JMP_IMM(JNE, 0, 0, 1), T_EXIT()
#define LOCK(reg) T_MOV64_REG(1, reg), T_CALL(BPF_FUNC_spin_lock)
#define UNLOCK(reg) T_MOV64_REG(1, reg), T_CALL(BPF_FUNC_spin_unlock)

/* map[0].count += 1 under map[0].lock; the increment is a plain load and store. */
#define COUNT_PROG                                                                                 \
	VALUE_OF(0), LOCK(6), T_LDX(DW, 1, 6, 8), T_ALU64_IMM(ADD, 1, 1), T_STX(DW, 6, 1, 8), UNLOCK(6), \
		T_MOV64_IMM(0, 0), T_EXIT()

static void *count_many(void *arg)
{
	const struct xbpf_vm_prog *prog = arg;
	struct xbpf_exec exec;
	int i;

	for (i = 0; i < RUNS_PER_THREAD; i++) {
		uint64_t r0;

		ht_exec_init(&exec, &env, NULL);
		if (ht_run_prepared(prog, &exec, 0, &r0) || r0)
			return (void *)1;
	}
	return NULL;
}

static void test_two_threads_count(void **state)
{
	const struct xbpf_insn count[] = {COUNT_PROG};
	struct xbpf_vm_prog *prog;
	pthread_t threads[2];
	struct counted value;
	void *failed[2];
	int i;

	assert_int_equal(ht_prepare(count, T_COUNT(count), &prog), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, count_many, prog), 0);
	for (i = 0; i < 2; i++) {
		pthread_join(threads[i], &failed[i]);
		assert_null(failed[i]);
	}
	assert_int_equal(xbpf_map_lookup_elem(map, &(uint32_t){0}, &value), 0);
	assert_int_equal(value.count, 2 * RUNS_PER_THREAD);
	assert_int_equal(value.lock, 0);
	xbpf_interpreter.free(prog);
}

static void test_misuse_refused(void **state)
{
	const struct xbpf_insn unlock_unheld[] = {VALUE_OF(0), UNLOCK(6), T_EXIT()};           /* 10 */
	const struct xbpf_insn lock_twice[] = {VALUE_OF(0), LOCK(6), LOCK(6), T_EXIT()};        /* 12 */
	const struct xbpf_insn two_locks[] = {
		VALUE_OF(0), T_MOV64_REG(7, 6), VALUE_OF(1), LOCK(7), LOCK(6), T_EXIT(),         /* 22 */
	};
	const struct xbpf_insn unlock_other[] = {
		VALUE_OF(0), T_MOV64_REG(7, 6), VALUE_OF(1), LOCK(7), UNLOCK(6), T_EXIT(),       /* 22 */
	};
	const struct xbpf_insn on_stack[] = {T_ST(W, 10, -8, 0), T_MOV64_REG(1, 10), T_ALU64_IMM(ADD, 1, -8),
					     T_CALL(BPF_FUNC_spin_lock), T_EXIT()};
	const struct xbpf_insn misaligned[] = {VALUE_OF(0), T_ALU64_IMM(ADD, 6, 2), LOCK(6), T_EXIT()}; /* 11 */
	struct xbpf_exec exec;
	struct counted value;
	uint64_t r0;

	ht_exec_init(&exec, &env, NULL);
	ht_expect_fault(ht_run(unlock_unheld, T_COUNT(unlock_unheld), &exec, 0, &r0), &exec, -EINVAL, 10,
			"bpf_spin_unlock: the program does not hold the lock");
	ht_exec_init(&exec, &env, NULL);
	ht_expect_fault(ht_run(lock_twice, T_COUNT(lock_twice), &exec, 0, &r0), &exec, -EINVAL, 12,
			"already holds a spin lock");
	ht_exec_init(&exec, &env, NULL);
	ht_expect_fault(ht_run(two_locks, T_COUNT(two_locks), &exec, 0, &r0), &exec, -EINVAL, 22,
			"already holds a spin lock");
	ht_exec_init(&exec, &env, NULL);
	ht_expect_fault(ht_run(unlock_other, T_COUNT(unlock_other), &exec, 0, &r0), &exec, -EINVAL, 22,
			"does not hold the lock");
	ht_exec_init(&exec, &env, NULL);
	ht_expect_fault(ht_run(on_stack, T_COUNT(on_stack), &exec, 0, &r0), &exec, -EFAULT, 3,
			"a spin lock must be in a map value");
	ht_exec_init(&exec, &env, NULL);
	ht_expect_fault(ht_run(misaligned, T_COUNT(misaligned), &exec, 0, &r0), &exec, -EFAULT, 11, "4-byte aligned");

	/* every lock those runs took was unlocked when they ended */
	assert_int_equal(xbpf_map_lookup_elem(map, &(uint32_t){0}, &value), 0);
	assert_int_equal(value.lock, 0);
	assert_int_equal(xbpf_map_lookup_elem(map, &(uint32_t){1}, &value), 0);
	assert_int_equal(value.lock, 0);
}

static void test_lock_left_held_is_released(void **state)
{
	const struct xbpf_insn forget[] = {VALUE_OF(0), LOCK(6), T_MOV64_IMM(0, 0), T_EXIT()};
	const struct xbpf_insn fault[] = {VALUE_OF(0), LOCK(6), T_LDX(DW, 0, 7, 0), T_EXIT()};
	const struct xbpf_insn count[] = {COUNT_PROG};
	struct xbpf_exec exec;
	struct counted value;
	uint64_t r0;

	assert_int_equal(ht_result(forget, T_COUNT(forget), &env, 0), 0);
	ht_exec_init(&exec, &env, NULL);
	ht_expect_fault(ht_run(fault, T_COUNT(fault), &exec, 0, &r0), &exec, -EFAULT, 11, "invalid read");
	/* otherwise this would spin for ever */
	assert_int_equal(ht_result(count, T_COUNT(count), &env, 0), 0);
	assert_int_equal(xbpf_map_lookup_elem(map, &(uint32_t){0}, &value), 0);
	assert_int_equal(value.lock, 0);
	assert_int_equal(value.count, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_two_threads_count, setup, teardown),
		cmocka_unit_test_setup_teardown(test_misuse_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_left_held_is_released, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
