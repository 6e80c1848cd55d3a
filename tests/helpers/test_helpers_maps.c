/* SPDX-License-Identifier: MIT */
/*
 * The map helpers called from programs: lookups with in-place updates,
 * update flags and delete, per-CPU slots, map-in-map (the inner map is a
 * map argument, not memory), queues and stacks, which map types each
 * helper takes, and bpf_for_each_map_elem.
 */
#include <linux/bpf.h>

#include "helper_test.h"

#define KEY_SLOT -8    /* u32 key at fp-8 */
#define VALUE_SLOT -16 /* u64 value at fp-16 */

/* r0 = helper(map, &key, &value, flags) with key and value on the stack. */
static int keyed(struct ht_env *env, unsigned cpu, struct xbpf_map *map, uint32_t id, uint32_t key, uint64_t value,
		 uint64_t flags, uint64_t *r0, struct xbpf_exec *exec)
{
	const struct xbpf_insn prog[] = {
		T_ST(W, 10, KEY_SLOT, key),
		T_LDDW(1, value),
		T_STX(DW, 10, 1, VALUE_SLOT),
		T_LDPTR(1, map),
		T_MOV64_REG(2, 10),
		T_ALU64_IMM(ADD, 2, KEY_SLOT),
		T_MOV64_REG(3, 10),
		T_ALU64_IMM(ADD, 3, VALUE_SLOT),
		T_LDDW(4, flags),
		T_CALL(id),
		T_EXIT(),
	};

	ht_exec_init(exec, env, NULL);
	exec->cpu = cpu;
	return ht_run(prog, T_COUNT(prog), exec, 0, r0);
}

static int64_t keyed_result_on(struct ht_env *env, unsigned cpu, struct xbpf_map *map, uint32_t id, uint32_t key,
			       uint64_t value, uint64_t flags)
{
	struct xbpf_exec exec;
	uint64_t r0 = 0;
	int ret = keyed(env, cpu, map, id, key, value, flags, &r0, &exec);

	if (ret)
		fail_msg("%s: run failed: %d %s", xbpf_linux_helper_name(id), ret, exec.fault_msg);
	return (int64_t)r0;
}

static int64_t keyed_result(struct ht_env *env, struct xbpf_map *map, uint32_t id, uint32_t key, uint64_t value,
			    uint64_t flags)
{
	return keyed_result_on(env, 0, map, id, key, value, flags);
}

/* Looks key up and adds 1 to the u64 at the start of its value, in place;
 * returns the new count, or -1 when the key is absent. */
static int64_t count_up(struct ht_env *env, unsigned cpu, struct xbpf_map *map, uint32_t key)
{
	const struct xbpf_insn prog[] = {
		T_ST(W, 10, KEY_SLOT, key),    /* 0 */
		T_LDPTR(1, map),               /* 1 */
		T_MOV64_REG(2, 10),            /* 3 */
		T_ALU64_IMM(ADD, 2, KEY_SLOT), /* 4 */
		T_CALL(BPF_FUNC_map_lookup_elem), /* 5 */
		T_JMP_IMM(JEQ, 0, 0, 5),       /* 6 */
		T_LDX(DW, 1, 0, 0),            /* 7 */
		T_ALU64_IMM(ADD, 1, 1),
		T_STX(DW, 0, 1, 0),
		T_MOV64_REG(0, 1),
		T_EXIT(),
		T_MOV64_IMM(0, -1), /* 12 */
		T_EXIT(),
	};
	struct xbpf_exec exec;
	uint64_t r0 = 0;
	int ret;

	ht_exec_init(&exec, env, NULL);
	exec.cpu = cpu;
	ret = ht_run(prog, T_COUNT(prog), &exec, 0, &r0);
	if (ret)
		fail_msg("run failed: %d %s", ret, exec.fault_msg);
	return (int64_t)r0;
}

static void test_lookup_and_count(void **state)
{
	struct xbpf_runtime *rt = ht_runtime();
	struct ht_env env = {0};
	struct xbpf_map *array = ht_map(rt, &env, XBPF_MAP_TYPE_ARRAY, 4, 8, 4, NULL);
	struct xbpf_map *hash = ht_map(rt, &env, XBPF_MAP_TYPE_HASH, 4, 8, 4, NULL);
	struct xbpf_map_create_opts no_prealloc = {.sz = sizeof(no_prealloc), .map_flags = XBPF_F_NO_PREALLOC};
	struct xbpf_map *dyn = ht_map(rt, &env, XBPF_MAP_TYPE_HASH, 4, 8, 4, &no_prealloc);
	uint32_t key = 7;
	uint64_t value = 10;

	assert_int_equal(count_up(&env, 0, array, 1), 1);
	assert_int_equal(count_up(&env, 0, array, 1), 2);
	assert_int_equal(count_up(&env, 0, array, 1), 3);
	assert_int_equal(xbpf_map_lookup_elem(array, &(uint32_t){1}, &value), 0);
	assert_int_equal(value, 3);
	assert_int_equal(count_up(&env, 0, array, 4), -1); /* beyond max_entries */
	/* a map that is not per-CPU is the same whatever the run's CPU slot */
	assert_int_equal(count_up(&env, xbpf_num_possible_cpus() - 1, array, 1), 4);
	assert_int_equal(keyed_result_on(&env, xbpf_num_possible_cpus() - 1, array, BPF_FUNC_map_update_elem, 2, 9,
					 BPF_ANY),
			 0);

	value = 10;
	assert_int_equal(xbpf_map_update_elem(hash, &key, &value, XBPF_ANY), 0);
	assert_int_equal(xbpf_map_update_elem(dyn, &key, &value, XBPF_ANY), 0);
	assert_int_equal(count_up(&env, 0, hash, 7), 11);
	assert_int_equal(count_up(&env, 0, dyn, 7), 11); /* values only the gate's note makes accessible */
	assert_int_equal(count_up(&env, 0, hash, 8), -1);
	assert_int_equal(xbpf_map_lookup_elem(dyn, &key, &value), 0);
	assert_int_equal(value, 11);
	xbpf_map_put(array);
	xbpf_map_put(hash);
	xbpf_map_put(dyn);
	xbpf_runtime_free(rt);
}

static void test_update_and_delete(void **state)
{
	struct xbpf_runtime *rt = ht_runtime();
	struct ht_env env = {0};
	struct xbpf_map *hash = ht_map(rt, &env, XBPF_MAP_TYPE_HASH, 4, 8, 2, NULL);
	struct xbpf_map *array = ht_map(rt, &env, XBPF_MAP_TYPE_ARRAY, 4, 8, 2, NULL);
	struct xbpf_map_create_opts ro = {.sz = sizeof(ro), .map_flags = XBPF_F_RDONLY_PROG};
	struct xbpf_map *frozen = ht_map(rt, &env, XBPF_MAP_TYPE_HASH, 4, 8, 2, &ro);
	uint64_t value;

	assert_int_equal(keyed_result(&env, hash, BPF_FUNC_map_update_elem, 1, 100, BPF_EXIST), -ENOENT);
	assert_int_equal(keyed_result(&env, hash, BPF_FUNC_map_update_elem, 1, 100, BPF_NOEXIST), 0);
	assert_int_equal(keyed_result(&env, hash, BPF_FUNC_map_update_elem, 1, 101, BPF_NOEXIST), -EEXIST);
	assert_int_equal(keyed_result(&env, hash, BPF_FUNC_map_update_elem, 1, 102, BPF_EXIST), 0);
	assert_int_equal(keyed_result(&env, hash, BPF_FUNC_map_update_elem, 2, 200, BPF_ANY), 0);
	assert_int_equal(keyed_result(&env, hash, BPF_FUNC_map_update_elem, 3, 300, BPF_ANY), -E2BIG);
	assert_int_equal(keyed_result(&env, hash, BPF_FUNC_map_update_elem, 3, 300, 5), -EINVAL);
	assert_int_equal(xbpf_map_lookup_elem(hash, &(uint32_t){1}, &value), 0);
	assert_int_equal(value, 102);
	assert_int_equal(keyed_result(&env, hash, BPF_FUNC_map_delete_elem, 1, 0, 0), 0);
	assert_int_equal(keyed_result(&env, hash, BPF_FUNC_map_delete_elem, 1, 0, 0), -ENOENT);
	assert_int_equal(xbpf_map_lookup_elem(hash, &(uint32_t){1}, &value), -ENOENT);

	assert_int_equal(keyed_result(&env, array, BPF_FUNC_map_update_elem, 1, 5, BPF_ANY), 0);
	assert_int_equal(keyed_result(&env, array, BPF_FUNC_map_update_elem, 2, 5, BPF_ANY), -E2BIG);
	assert_int_equal(keyed_result(&env, array, BPF_FUNC_map_update_elem, 1, 5, BPF_NOEXIST), -EEXIST);
	assert_int_equal(keyed_result(&env, array, BPF_FUNC_map_delete_elem, 1, 0, 0), -EINVAL);
	/* programs may not write a map created read-only for them */
	assert_int_equal(keyed_result(&env, frozen, BPF_FUNC_map_update_elem, 1, 5, BPF_ANY), -EPERM);
	assert_int_equal(keyed_result(&env, frozen, BPF_FUNC_map_delete_elem, 1, 0, 0), -EPERM);
	xbpf_map_put(hash);
	xbpf_map_put(array);
	xbpf_map_put(frozen);
	xbpf_runtime_free(rt);
}

static void test_arguments_checked(void **state)
{
	struct xbpf_runtime *rt = ht_runtime();
	struct ht_env env = {0};
	struct xbpf_map *hash = ht_map(rt, &env, XBPF_MAP_TYPE_HASH, 4, 8, 2, NULL);
	struct xbpf_map *stranger = ht_map(rt, NULL, XBPF_MAP_TYPE_HASH, 4, 8, 2, NULL);
	struct xbpf_map *big_key = ht_map(rt, &env, XBPF_MAP_TYPE_HASH, 64, 8, 2, NULL);
	struct xbpf_exec exec;
	uint64_t r0;

	/* a map the program does not reference */
	ht_expect_fault(keyed(&env, 0, stranger, BPF_FUNC_map_lookup_elem, 1, 0, 0, &r0, &exec), &exec, -EFAULT, 12,
			"not a map of the program");
	/* a key that runs off the stack */
	ht_expect_fault(keyed(&env, 0, big_key, BPF_FUNC_map_lookup_elem, 1, 0, 0, &r0, &exec), &exec, -EFAULT, 12,
			"64 readable bytes");
	xbpf_map_put(hash);
	xbpf_map_put(stranger);
	xbpf_map_put(big_key);
	xbpf_runtime_free(rt);
}

static void test_percpu_slot(void **state)
{
	struct xbpf_runtime *rt = ht_runtime();
	struct ht_env env = {0};
	struct xbpf_map *pa = ht_map(rt, &env, XBPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 2, NULL);
	unsigned ncpus = xbpf_num_possible_cpus(), cpu = ncpus - 1;
	uint64_t values[ncpus];

	assert_int_equal(count_up(&env, cpu, pa, 1), 1);
	assert_int_equal(count_up(&env, cpu, pa, 1), 2);
	assert_int_equal(count_up(&env, 0, pa, 1), ncpus > 1 ? 1 : 3);
	assert_int_equal(xbpf_map_lookup_elem(pa, &(uint32_t){1}, values), 0);
	assert_int_equal(values[cpu], ncpus > 1 ? 2 : 3);
	assert_int_equal(values[0], ncpus > 1 ? 1 : 3);
	xbpf_map_put(pa);
	xbpf_runtime_free(rt);
}

/* outer[0] is an inner array: the program looks it up, passes it on to
 * bpf_map_lookup_elem and counts in its value. */
static void test_map_in_map(void **state)
{
	struct xbpf_runtime *rt = ht_runtime();
	struct ht_env env = {0};
	struct xbpf_map *inner = ht_map(rt, NULL, XBPF_MAP_TYPE_ARRAY, 4, 8, 2, NULL);
	struct xbpf_map_create_opts opts = {.sz = sizeof(opts), .inner_map = inner};
	struct xbpf_map *outer = ht_map(rt, &env, XBPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 2, &opts);
	const struct xbpf_insn prog[] = {
		T_ST(W, 10, KEY_SLOT, 0),         /* 0 */
		T_LDPTR(1, outer),                /* 1 */
		T_MOV64_REG(2, 10),               /* 3 */
		T_ALU64_IMM(ADD, 2, KEY_SLOT),    /* 4 */
		T_CALL(BPF_FUNC_map_lookup_elem), /* 5: r0 = the inner map */
		T_JMP_IMM(JEQ, 0, 0, 9),          /* 6 */
		T_MOV64_REG(1, 0),                /* 7 */
		T_MOV64_REG(2, 10),               /* 8 */
		T_ALU64_IMM(ADD, 2, KEY_SLOT),    /* 9 */
		T_CALL(BPF_FUNC_map_lookup_elem), /* 10: r0 = inner[0] */
		T_JMP_IMM(JEQ, 0, 0, 4),          /* 11 */
		T_LDX(DW, 1, 0, 0),               /* 12 */
		T_ALU64_IMM(ADD, 1, 1),
		T_STX(DW, 0, 1, 0),
		T_MOV64_REG(0, 1),                /* 15 */
		T_EXIT(),                         /* 16 */
	};
	const struct xbpf_insn peek_inside[] = {
		T_ST(W, 10, KEY_SLOT, 0),
		T_LDPTR(1, outer),
		T_MOV64_REG(2, 10),
		T_ALU64_IMM(ADD, 2, KEY_SLOT),
		T_CALL(BPF_FUNC_map_lookup_elem), /* 5 */
		T_JMP_IMM(JEQ, 0, 0, 1),
		T_LDX(W, 0, 0, 0),                /* 7: the inner map is not memory */
		T_EXIT(),
	};
	uint32_t inner_id = xbpf_map_id(inner);
	uint64_t value;
	struct xbpf_exec exec;
	uint64_t r0;

	assert_int_equal(ht_result(prog, T_COUNT(prog), &env, 0), 0); /* outer[0] is empty */
	assert_int_equal(xbpf_map_update_elem(outer, &(uint32_t){0}, &inner_id, XBPF_ANY), 0);
	assert_int_equal(ht_result(prog, T_COUNT(prog), &env, 0), 1);
	assert_int_equal(ht_result(prog, T_COUNT(prog), &env, 0), 2);
	assert_int_equal(xbpf_map_lookup_elem(inner, &(uint32_t){0}, &value), 0);
	assert_int_equal(value, 2);

	ht_exec_init(&exec, &env, NULL);
	ht_expect_fault(ht_run(peek_inside, T_COUNT(peek_inside), &exec, 0, &r0), &exec, -EFAULT, 7, "invalid read");
	/* the outer map takes lookups only */
	ht_expect_fault(keyed(&env, 0, outer, BPF_FUNC_map_update_elem, 0, inner_id, 0, &r0, &exec), &exec, -EINVAL,
			12, "bpf_map_update_elem cannot be used with array_of_maps map 'm'");
	ht_expect_fault(keyed(&env, 0, outer, BPF_FUNC_map_delete_elem, 0, 0, 0, &r0, &exec), &exec, -EINVAL, 12,
			"bpf_map_delete_elem cannot be used");
	xbpf_map_put(outer);
	xbpf_map_put(inner);
	xbpf_runtime_free(rt);
}

/* r0 = helper(map, &value, flags), value on the stack; for a successful
 * pop or peek, r0 = the value it gave. */
static int64_t valued(struct ht_env *env, struct xbpf_map *map, uint32_t id, uint64_t value, uint64_t flags)
{
	const struct xbpf_insn prog[] = {
		T_LDDW(1, value),                /* 0 */
		T_STX(DW, 10, 1, VALUE_SLOT),    /* 2 */
		T_LDPTR(1, map),                 /* 3 */
		T_MOV64_REG(2, 10),              /* 5 */
		T_ALU64_IMM(ADD, 2, VALUE_SLOT), /* 6 */
		T_LDDW(3, flags),                /* 7 */
		T_CALL(id),                      /* 9 */
		T_JMP_IMM(JNE, 0, 0, 1),         /* 10 */
		T_LDX(DW, 0, 10, VALUE_SLOT),    /* 11 */
		T_EXIT(),
	};

	return (int64_t)ht_result(prog, T_COUNT(prog), env, 0);
}

static void test_queue_and_stack(void **state)
{
	struct xbpf_runtime *rt = ht_runtime();
	struct ht_env env = {0};
	struct xbpf_map *queue = ht_map(rt, &env, XBPF_MAP_TYPE_QUEUE, 0, 8, 2, NULL);
	struct xbpf_map *stack = ht_map(rt, &env, XBPF_MAP_TYPE_STACK, 0, 8, 2, NULL);
	struct xbpf_exec exec;
	uint64_t r0;

	assert_int_equal(valued(&env, queue, BPF_FUNC_map_peek_elem, 0, 0), -ENOENT);
	assert_int_equal(valued(&env, queue, BPF_FUNC_map_push_elem, 11, 0), 11);
	assert_int_equal(valued(&env, queue, BPF_FUNC_map_push_elem, 22, 0), 22);
	assert_int_equal(valued(&env, queue, BPF_FUNC_map_push_elem, 33, 0), -E2BIG);
	assert_int_equal(valued(&env, queue, BPF_FUNC_map_push_elem, 33, BPF_EXIST), 33); /* pushes the oldest out */
	assert_int_equal(valued(&env, queue, BPF_FUNC_map_peek_elem, 0, 0), 22);
	assert_int_equal(valued(&env, queue, BPF_FUNC_map_pop_elem, 0, 0), 22);
	assert_int_equal(valued(&env, queue, BPF_FUNC_map_pop_elem, 0, 0), 33);
	assert_int_equal(valued(&env, queue, BPF_FUNC_map_pop_elem, 0, 0), -ENOENT);

	assert_int_equal(valued(&env, stack, BPF_FUNC_map_push_elem, 1, 0), 1);
	assert_int_equal(valued(&env, stack, BPF_FUNC_map_push_elem, 2, 0), 2);
	assert_int_equal(valued(&env, stack, BPF_FUNC_map_pop_elem, 0, 0), 2);

	/* queues take push, pop and peek; other maps do not */
	ht_expect_fault(keyed(&env, 0, queue, BPF_FUNC_map_lookup_elem, 0, 0, 0, &r0, &exec), &exec, -EINVAL, 12,
			"bpf_map_lookup_elem cannot be used with queue map");
	{
		struct xbpf_map *hash = ht_map(rt, &env, XBPF_MAP_TYPE_HASH, 4, 8, 2, NULL);
		const struct xbpf_insn push_hash[] = {
			T_ST(DW, 10, VALUE_SLOT, 1), T_LDPTR(1, hash), T_MOV64_REG(2, 10),
			T_ALU64_IMM(ADD, 2, VALUE_SLOT), T_MOV64_IMM(3, 0), T_CALL(BPF_FUNC_map_push_elem), T_EXIT(),
		};

		ht_exec_init(&exec, &env, NULL);
		ht_expect_fault(ht_run(push_hash, T_COUNT(push_hash), &exec, 0, &r0), &exec, -EINVAL, 6,
				"bpf_map_push_elem cannot be used with hash map");
		xbpf_map_put(hash);
	}
	xbpf_map_put(queue);
	xbpf_map_put(stack);
	xbpf_runtime_free(rt);
}

/* The for_each callback's context (global data): a sum of values, the
 * key at which to stop, the last key pointer seen, and what to do. */
static struct {
	uint64_t sum;
	uint64_t stop_key;
	uint64_t key_ptr;
} fe;
static struct xbpf_region fe_region = {(uintptr_t)&fe, (uintptr_t)(&fe + 1), XBPF_MEM_RW};

/* r0 = bpf_for_each_map_elem(map, cb, &fe, flags), where cb adds each
 * u64 value to fe.sum, adds 1 to the value, remembers the key pointer,
 * and stops at key fe.stop_key. With r1 = 1 (then_read_key) the program
 * reads through the last key pointer afterwards; with write_key the
 * callback writes the key. */
static int for_each(struct ht_env *env, unsigned cpu, struct xbpf_map *map, uint64_t flags, bool then_read_key,
		    bool write_key, struct xbpf_exec *exec, uint64_t *r0)
{
	const struct xbpf_insn prog[] = {
		T_MOV64_REG(6, 1),                  /* 0 */
		T_LDPTR(1, map),                    /* 1 */
		T_LDDW_FUNC(2, 12),                 /* 3: the callback at 16 */
		T_LDPTR(3, &fe),                    /* 5 */
		T_LDDW(4, flags),                   /* 7 */
		T_CALL(BPF_FUNC_for_each_map_elem), /* 9 */
		T_JMP_IMM(JEQ, 6, 0, 4),            /* 10 */
		T_LDPTR(1, &fe),                    /* 11 */
		T_LDX(DW, 1, 1, 16),                /* 13 */
		T_LDX(W, 1, 1, 0),                  /* 14: reads the last key */
		T_EXIT(),                           /* 15 */
		T_LDX(DW, 5, 3, 0),                 /* 16: callback(map, key, value, ctx) */
		T_LDX(DW, 0, 4, 0),
		T_ALU64_REG(ADD, 0, 5),
		T_STX(DW, 4, 0, 0),                 /* fe.sum += *value */
		T_ALU64_IMM(ADD, 5, 1),
		T_STX(DW, 3, 5, 0),                 /* *value += 1 */
		T_STX(DW, 4, 2, 16),                /* fe.key_ptr = key */
		write_key ? (struct xbpf_insn)T_ST(W, 2, 0, 0) : (struct xbpf_insn)T_MOV64_IMM(0, 0), /* 23 */
		T_LDX(W, 5, 2, 0),
		T_LDX(DW, 0, 4, 8),
		T_JMP_REG(JNE, 5, 0, 2),
		T_MOV64_IMM(0, 1),
		T_EXIT(),
		T_MOV64_IMM(0, 0),
		T_EXIT(),
	};

	ht_exec_init(exec, env, NULL);
	exec->cpu = cpu;
	exec->fixed = &fe_region;
	exec->n_fixed = 1;
	return ht_run(prog, T_COUNT(prog), exec, then_read_key, r0);
}

static int64_t for_each_result(struct ht_env *env, unsigned cpu, struct xbpf_map *map, uint64_t flags,
			       uint64_t stop_key)
{
	struct xbpf_exec exec;
	uint64_t r0 = 0;
	int ret;

	fe.sum = 0;
	fe.stop_key = stop_key;
	ret = for_each(env, cpu, map, flags, false, false, &exec, &r0);
	if (ret)
		fail_msg("run failed: %d %s", ret, exec.fault_msg);
	assert_int_equal(exec.n_holds, 0);
	return (int64_t)r0;
}

static void test_for_each(void **state)
{
	struct xbpf_runtime *rt = ht_runtime();
	struct ht_env env = {0};
	struct xbpf_map *array = ht_map(rt, &env, XBPF_MAP_TYPE_ARRAY, 4, 8, 8, NULL);
	struct xbpf_map *hash = ht_map(rt, &env, XBPF_MAP_TYPE_HASH, 4, 8, 8, NULL);
	struct xbpf_map *pa = ht_map(rt, &env, XBPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 2, NULL);
	unsigned ncpus = xbpf_num_possible_cpus();
	uint64_t value, values[ncpus];
	uint32_t key;

	for (key = 0; key < 8; key++) {
		value = key * 10;
		assert_int_equal(xbpf_map_update_elem(array, &key, &value, XBPF_ANY), 0);
	}
	/* stops at key 5: six elements visited, each value written back */
	assert_int_equal(for_each_result(&env, 0, array, 0, 5), 6);
	assert_int_equal(fe.sum, 0 + 10 + 20 + 30 + 40 + 50);
	assert_int_equal(xbpf_map_lookup_elem(array, &(uint32_t){5}, &value), 0);
	assert_int_equal(value, 51);
	assert_int_equal(xbpf_map_lookup_elem(array, &(uint32_t){6}, &value), 0);
	assert_int_equal(value, 60);
	assert_int_equal(for_each_result(&env, 0, array, 0, 100), 8);
	assert_int_equal(fe.sum, 1 + 11 + 21 + 31 + 41 + 51 + 60 + 70);
	assert_int_equal(for_each_result(&env, 0, array, 1, 100), -EINVAL); /* flags */
	assert_int_equal(for_each_result(&env, ncpus - 1, array, 0, 0), 1); /* any CPU slot */

	for (key = 1; key <= 3; key++) {
		value = key * 100;
		assert_int_equal(xbpf_map_update_elem(hash, &key, &value, XBPF_ANY), 0);
	}
	assert_int_equal(for_each_result(&env, 0, hash, 0, 100), 3);
	assert_int_equal(fe.sum, 600);
	assert_int_equal(xbpf_map_lookup_elem(hash, &(uint32_t){2}, &value), 0);
	assert_int_equal(value, 201);

	/* per-CPU maps: the run's slot */
	memset(values, 0, sizeof(values));
	values[ncpus - 1] = 5;
	assert_int_equal(xbpf_map_update_elem(pa, &(uint32_t){1}, values, XBPF_ANY), 0);
	assert_int_equal(for_each_result(&env, ncpus - 1, pa, 0, 100), 2);
	assert_int_equal(fe.sum, 5);
	xbpf_map_put(array);
	xbpf_map_put(hash);
	xbpf_map_put(pa);
	xbpf_runtime_free(rt);
}

static void test_for_each_lends_only_for_the_callback(void **state)
{
	struct xbpf_runtime *rt = ht_runtime();
	struct ht_env env = {0};
	struct xbpf_map *array = ht_map(rt, &env, XBPF_MAP_TYPE_ARRAY, 4, 8, 2, NULL);
	struct xbpf_map *queue = ht_map(rt, &env, XBPF_MAP_TYPE_QUEUE, 0, 8, 2, NULL);
	struct xbpf_map_create_opts no_prealloc = {.sz = sizeof(no_prealloc), .map_flags = XBPF_F_NO_PREALLOC};
	struct xbpf_map *trie = ht_map(rt, &env, XBPF_MAP_TYPE_LPM_TRIE, 8, 8, 2, &no_prealloc);
	struct xbpf_exec exec;
	uint64_t r0;

	/* the key was the callback's to read, not to keep or write */
	fe.stop_key = 100;
	ht_expect_fault(for_each(&env, 0, array, 0, true, false, &exec, &r0), &exec, -EFAULT, 14, "invalid read");
	ht_expect_fault(for_each(&env, 0, array, 0, false, true, &exec, &r0), &exec, -EFAULT, 23, "invalid write");
	assert_int_equal(exec.n_holds, 0);
	/* maps that cannot be iterated */
	ht_expect_fault(for_each(&env, 0, queue, 0, false, false, &exec, &r0), &exec, -EINVAL, 9,
			"bpf_for_each_map_elem cannot be used with queue map");
	ht_expect_fault(for_each(&env, 0, trie, 0, false, false, &exec, &r0), &exec, -EINVAL, 9,
			"lpm_trie map 'm' cannot be iterated");
	xbpf_map_put(array);
	xbpf_map_put(queue);
	xbpf_map_put(trie);
	xbpf_runtime_free(rt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup_and_count),
		cmocka_unit_test(test_update_and_delete),
		cmocka_unit_test(test_arguments_checked),
		cmocka_unit_test(test_percpu_slot),
		cmocka_unit_test(test_map_in_map),
		cmocka_unit_test(test_queue_and_stack),
		cmocka_unit_test(test_for_each),
		cmocka_unit_test(test_for_each_lends_only_for_the_callback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
