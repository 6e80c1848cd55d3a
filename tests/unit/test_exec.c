/* SPDX-License-Identifier: MIT */
/*
 * The exec: the access check over all its regions, fault recording, and the
 * call gate that checks helper arguments against prototypes and records
 * the regions helpers return.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vm_test_util.h"

#define MAP_ID 0x5000

static uint8_t map_value[16];
static const struct xbpf_region map_value_region = {(uintptr_t)map_value, (uintptr_t)(map_value + 16),
						    XBPF_MEM_RW};
static int helper_calls;

static bool map_shape(const struct xbpf_exec *exec, uint64_t map, struct xbpf_map_shape *shape)
{
	if (map != MAP_ID)
		return false;
	shape->key_size = 4;
	shape->value_size = sizeof(map_value);
	shape->value_perm = XBPF_MEM_READ;
	return true;
}

static const struct xbpf_exec_env env = {.map_shape = map_shape};

static uint64_t returns_value(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			      struct xbpf_exec *exec)
{
	helper_calls++;
	return (uintptr_t)map_value;
}

static uint8_t buffer[64];
static uint8_t inner_map[64]; /* stands in for a struct xbpf_map */
static size_t seen_call_pc;

/* A map-in-map lookup: hands out an inner map. */
static uint64_t returns_inner_map(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
				  struct xbpf_exec *exec)
{
	seen_call_pc = exec->call_pc;
	xbpf_exec_note_map(exec, inner_map);
	return (uintptr_t)inner_map;
}

static uint64_t returns_buffer(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			       struct xbpf_exec *exec)
{
	helper_calls++;
	return (uintptr_t)buffer;
}

static uint8_t stack[64]; /* stands in for the running frames */
static uint8_t ro[32];

static void init_exec(struct xbpf_exec *exec)
{
	xbpf_exec_init(exec);
	exec->env = &env;
	exec->stack_lo = (uintptr_t)stack;
	exec->stack_hi = (uintptr_t)(stack + sizeof(stack));
	test_set_region(&exec->ctx, ro, sizeof(ro), XBPF_MEM_READ);
	helper_calls = 0;
}

/* Calls the gate with a prototype of the given arguments; returns whether
 * the helper ran. */
static bool gate(struct xbpf_exec *exec, const uint8_t kinds[5], uint64_t a1, uint64_t a2, uint64_t a3,
		 uint64_t *r0)
{
	struct xbpf_helper proto = {.name = "probe", .fn = returns_value, .ret = XBPF_RET_INTEGER};
	const uint64_t args[5] = {a1, a2, a3};
	uint64_t ignored;

	memcpy(proto.args, kinds, 5);
	return xbpf_exec_call_helper(exec, &proto, args, 7, r0 ? r0 : &ignored);
}

static void test_map_arguments(void **state)
{
	const uint8_t lookup[5] = {XBPF_ARG_CONST_MAP_PTR, XBPF_ARG_PTR_TO_MAP_KEY};
	const uint8_t update[5] = {XBPF_ARG_CONST_MAP_PTR, XBPF_ARG_PTR_TO_MAP_KEY, XBPF_ARG_PTR_TO_MAP_VALUE};
	const uint8_t key_only[5] = {XBPF_ARG_PTR_TO_MAP_KEY};
	struct xbpf_exec exec;

	init_exec(&exec);
	assert_true(gate(&exec, lookup, MAP_ID, (uintptr_t)(stack + 60), 0, NULL));
	assert_int_equal(helper_calls, 1);
	/* key runs past the stack */
	assert_false(gate(&exec, lookup, MAP_ID, (uintptr_t)(stack + 61), 0, NULL));
	assert_int_equal(exec.error, -EFAULT);
	assert_int_equal(exec.fault_pc, 7);
	assert_non_null(strstr(exec.fault_msg, "instruction 7: probe argument 2 (r2 = 0x"));
	assert_non_null(strstr(exec.fault_msg, "4 readable bytes are not accessible"));

	init_exec(&exec);
	assert_false(gate(&exec, lookup, MAP_ID + 1, (uintptr_t)stack, 0, NULL));
	assert_non_null(strstr(exec.fault_msg, "not a map of the program"));

	init_exec(&exec);
	assert_true(gate(&exec, update, MAP_ID, (uintptr_t)stack, (uintptr_t)(stack + 48), NULL));
	assert_false(gate(&exec, update, MAP_ID, (uintptr_t)stack, (uintptr_t)(stack + 49), NULL));
	assert_non_null(strstr(exec.fault_msg, "argument 3"));

	init_exec(&exec);
	assert_false(gate(&exec, key_only, (uintptr_t)stack, 0, 0, NULL));
	assert_non_null(strstr(exec.fault_msg, "no map argument"));
	assert_int_equal(helper_calls, 0);
}

static void test_memory_arguments(void **state)
{
	const uint8_t read_mem[5] = {XBPF_ARG_PTR_TO_MEM, XBPF_ARG_CONST_SIZE};
	const uint8_t read_mem_or_zero[5] = {XBPF_ARG_PTR_TO_MEM | XBPF_ARG_MAYBE_NULL, XBPF_ARG_CONST_SIZE_OR_ZERO};
	const uint8_t write_mem[5] = {XBPF_ARG_PTR_TO_UNINIT_MEM, XBPF_ARG_CONST_SIZE};
	const uint8_t no_size[5] = {XBPF_ARG_PTR_TO_MEM, XBPF_ARG_ANYTHING};
	const uint8_t word[5] = {XBPF_ARG_PTR_TO_LONG};
	const uint8_t lock[5] = {XBPF_ARG_PTR_TO_SPIN_LOCK};
	struct xbpf_exec exec;

	init_exec(&exec);
	assert_true(gate(&exec, read_mem, (uintptr_t)ro, sizeof(ro), 0, NULL));
	assert_false(gate(&exec, read_mem, (uintptr_t)ro, sizeof(ro) + 1, 0, NULL));

	init_exec(&exec);
	assert_false(gate(&exec, read_mem, (uintptr_t)ro, 0, 0, NULL));
	assert_non_null(strstr(exec.fault_msg, "size must not be 0"));

	init_exec(&exec);
	assert_true(gate(&exec, read_mem_or_zero, 0, 0, 0, NULL));
	assert_true(gate(&exec, read_mem_or_zero, 0x1234, 0, 0, NULL)); /* nothing to read */
	assert_true(gate(&exec, read_mem_or_zero, (uintptr_t)stack, 64, 0, NULL));
	assert_false(gate(&exec, read_mem_or_zero, (uintptr_t)stack, 65, 0, NULL));
	init_exec(&exec); /* NULL has no bytes to give */
	assert_false(gate(&exec, read_mem_or_zero, 0, 8, 0, NULL));
	assert_non_null(strstr(exec.fault_msg, "NULL with a size that is not 0"));
	assert_int_equal(helper_calls, 0);

	init_exec(&exec);
	assert_true(gate(&exec, write_mem, (uintptr_t)stack, 64, 0, NULL));
	assert_false(gate(&exec, write_mem, (uintptr_t)ro, 8, 0, NULL)); /* the context is read-only */
	assert_non_null(strstr(exec.fault_msg, "8 writable bytes are not accessible"));

	init_exec(&exec);
	assert_false(gate(&exec, no_size, (uintptr_t)stack, 8, 0, NULL));
	assert_non_null(strstr(exec.fault_msg, "no size argument"));

	init_exec(&exec);
	assert_true(gate(&exec, word, (uintptr_t)(stack + 56), 0, 0, NULL));
	assert_false(gate(&exec, word, (uintptr_t)(stack + 57), 0, 0, NULL));
	/* a spin lock lives in a map value: global data or a returned value */
	init_exec(&exec);
	exec.fixed = &map_value_region;
	exec.n_fixed = 1;
	assert_true(gate(&exec, lock, (uintptr_t)(map_value + 4), 0, 0, NULL));
	assert_false(gate(&exec, lock, (uintptr_t)(map_value + 2), 0, 0, NULL));
	assert_non_null(strstr(exec.fault_msg, "4-byte aligned"));
	init_exec(&exec);
	xbpf_exec_note_region(&exec, map_value, sizeof(map_value), XBPF_MEM_RW);
	assert_true(gate(&exec, lock, (uintptr_t)(map_value + 12), 0, 0, NULL));
	assert_false(gate(&exec, lock, (uintptr_t)(stack + 4), 0, 0, NULL));
	assert_non_null(strstr(exec.fault_msg, "must be in a map value"));
	init_exec(&exec);
	xbpf_exec_note_region(&exec, map_value, sizeof(map_value), XBPF_MEM_READ);
	assert_false(gate(&exec, lock, (uintptr_t)map_value, 0, 0, NULL));
	assert_non_null(strstr(exec.fault_msg, "4 writable bytes"));
}

static void test_map_value_arguments(void **state)
{
	const uint8_t pop[5] = {XBPF_ARG_CONST_MAP_PTR, XBPF_ARG_PTR_TO_UNINIT_MAP_VALUE};
	struct xbpf_exec exec;

	init_exec(&exec);
	assert_true(gate(&exec, pop, MAP_ID, (uintptr_t)(stack + 48), 0, NULL));
	assert_false(gate(&exec, pop, MAP_ID, (uintptr_t)ro, 0, NULL)); /* read-only */
	assert_non_null(strstr(exec.fault_msg, "16 writable bytes"));
}

static void test_string_and_context_arguments(void **state)
{
	const uint8_t str[5] = {XBPF_ARG_PTR_TO_CONST_STR};
	const uint8_t ctx[5] = {XBPF_ARG_PTR_TO_CTX};
	const uint8_t maybe_ctx[5] = {XBPF_ARG_PTR_TO_CTX | XBPF_ARG_MAYBE_NULL};
	struct xbpf_exec exec;

	/* constant strings are in memory the program cannot write */
	init_exec(&exec);
	memset(ro, 'a', sizeof(ro));
	ro[31] = '\0';
	assert_true(gate(&exec, str, (uintptr_t)ro, 0, 0, NULL));
	ro[31] = 'a'; /* runs to the end of the region */
	assert_false(gate(&exec, str, (uintptr_t)ro, 0, 0, NULL));
	assert_non_null(strstr(exec.fault_msg, "NUL-terminated"));
	init_exec(&exec);
	memset(stack, 'a', sizeof(stack));
	stack[63] = '\0';
	assert_false(gate(&exec, str, (uintptr_t)stack, 0, 0, NULL));
	assert_non_null(strstr(exec.fault_msg, "may read but not write"));
	memset(ro, 0, sizeof(ro));

	init_exec(&exec);
	assert_true(gate(&exec, ctx, (uintptr_t)ro, 0, 0, NULL));
	assert_false(gate(&exec, ctx, (uintptr_t)ro + 8, 0, 0, NULL));
	assert_false(gate(&exec, ctx, 0, 0, 0, NULL));
	init_exec(&exec);
	assert_true(gate(&exec, maybe_ctx, 0, 0, 0, NULL));
}

static void test_returned_regions(void **state)
{
	struct xbpf_helper lookup = {
		.name = "lookup",
		.fn = returns_value,
		.ret = XBPF_RET_PTR_TO_MAP_VALUE_OR_NULL,
		.args = {XBPF_ARG_CONST_MAP_PTR, XBPF_ARG_PTR_TO_MAP_KEY},
	};
	struct xbpf_helper reserve = {
		.name = "reserve",
		.fn = returns_buffer,
		.ret = XBPF_RET_PTR_TO_MEM_OR_NULL,
		.args = {XBPF_ARG_ANYTHING, XBPF_ARG_CONST_SIZE_OR_ZERO},
	};
	const uint64_t lookup_args[5] = {MAP_ID, (uintptr_t)stack};
	const uint64_t reserve_args[5] = {0, 24};
	struct xbpf_exec exec;
	uint64_t r0;

	init_exec(&exec);
	assert_false(xbpf_exec_may_access(&exec, (uintptr_t)map_value, 1, XBPF_MEM_READ));
	assert_true(xbpf_exec_call_helper(&exec, &lookup, lookup_args, 0, &r0));
	assert_int_equal(r0, (uintptr_t)map_value);
	/* readable as the map's shape says, not writable */
	assert_true(xbpf_exec_may_access(&exec, (uintptr_t)map_value, sizeof(map_value), XBPF_MEM_READ));
	assert_false(xbpf_exec_may_access(&exec, (uintptr_t)map_value, 1, XBPF_MEM_WRITE));
	assert_false(xbpf_exec_may_access(&exec, (uintptr_t)map_value, sizeof(map_value) + 1, XBPF_MEM_READ));

	assert_true(xbpf_exec_call_helper(&exec, &reserve, reserve_args, 0, &r0));
	assert_true(xbpf_exec_may_access(&exec, (uintptr_t)buffer, 24, XBPF_MEM_RW));
	assert_false(xbpf_exec_may_access(&exec, (uintptr_t)buffer, 25, XBPF_MEM_READ));
	reserve.ret_size = 40;
	assert_true(xbpf_exec_call_helper(&exec, &reserve, reserve_args, 0, &r0));
	assert_true(xbpf_exec_may_access(&exec, (uintptr_t)buffer, 40, XBPF_MEM_RW));

	/* an inner map is noted as a map, never as memory; helpers see the call's pc */
	lookup.fn = returns_inner_map;
	init_exec(&exec);
	assert_true(xbpf_exec_call_helper(&exec, &lookup, lookup_args, 12, &r0));
	assert_int_equal(r0, (uintptr_t)inner_map);
	assert_int_equal(seen_call_pc, 12);
	assert_ptr_equal(exec.maps[0], inner_map);
	assert_false(xbpf_exec_may_access(&exec, (uintptr_t)inner_map, 1, XBPF_MEM_READ));
}

static int released;

static void release_counting(void *object)
{
	released++;
}

static void other_kind(void *object)
{
}

/* Reserves buffer the way ring buffer records are: held, returned. */
static uint64_t holds_buffer(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			     struct xbpf_exec *exec)
{
	return xbpf_exec_hold(exec, buffer, release_counting, buffer, r2, XBPF_MEM_RW) ? (uintptr_t)buffer : 0;
}

static void test_holds(void **state)
{
	const uint8_t alloc[5] = {XBPF_ARG_PTR_TO_ALLOC_MEM};
	const struct xbpf_helper holding_reserve = {
		.name = "holding_reserve",
		.fn = holds_buffer,
		.ret = XBPF_RET_PTR_TO_MEM_OR_NULL,
		.args = {XBPF_ARG_ANYTHING, XBPF_ARG_CONST_SIZE_OR_ZERO},
	};
	const uint64_t reserve_args[5] = {0, 16};
	struct xbpf_exec exec;
	uint64_t r0;
	int i;

	init_exec(&exec);
	released = 0;
	assert_false(xbpf_exec_may_access(&exec, (uintptr_t)buffer, 16, XBPF_MEM_RW));
	assert_true(xbpf_exec_hold(&exec, buffer, release_counting, buffer, 16, XBPF_MEM_RW));
	assert_true(xbpf_exec_hold(&exec, map_value, other_kind, NULL, 0, 0));
	/* held memory is accessible however many regions helpers return */
	for (i = 0; i < 2 * XBPF_EXEC_RECENT; i++)
		xbpf_exec_note_region(&exec, ro, sizeof(ro), XBPF_MEM_READ);
	assert_true(xbpf_exec_may_access(&exec, (uintptr_t)buffer, 16, XBPF_MEM_RW));
	assert_false(xbpf_exec_may_access(&exec, (uintptr_t)buffer, 17, XBPF_MEM_RW));
	assert_non_null(xbpf_exec_find_hold(&exec, buffer, release_counting));
	assert_null(xbpf_exec_find_hold(&exec, buffer, other_kind));
	assert_ptr_equal(xbpf_exec_find_hold(&exec, NULL, other_kind)->object, map_value);

	/* the gate passes held objects only, for their helper to check the kind */
	assert_true(gate(&exec, alloc, (uintptr_t)buffer, 0, 0, NULL));
	assert_true(gate(&exec, alloc, (uintptr_t)map_value, 0, 0, NULL));
	assert_false(gate(&exec, alloc, (uintptr_t)(buffer + 8), 0, 0, NULL));
	assert_non_null(strstr(exec.fault_msg, "not a record the program holds"));
	assert_false(gate(&exec, alloc, 0, 0, 0, NULL)); /* NULL, while things are held */

	/* taking back: only the right kind, and access goes with it (the gate
	 * does not note a returned pointer the run holds) */
	init_exec(&exec);
	assert_true(xbpf_exec_call_helper(&exec, &holding_reserve, reserve_args, 3, &r0));
	assert_int_equal(r0, (uintptr_t)buffer);
	assert_true(xbpf_exec_may_access(&exec, (uintptr_t)buffer, 16, XBPF_MEM_RW));
	assert_false(xbpf_exec_unhold(&exec, buffer, other_kind));
	assert_true(xbpf_exec_unhold(&exec, buffer, release_counting));
	assert_false(xbpf_exec_unhold(&exec, buffer, release_counting));
	assert_false(xbpf_exec_may_access(&exec, (uintptr_t)buffer, 1, XBPF_MEM_READ));
	assert_int_equal(released, 0);

	/* what is left is released, and a full table refuses more */
	for (i = 0; i < XBPF_EXEC_HOLDS; i++)
		assert_true(xbpf_exec_hold(&exec, buffer + i, release_counting, NULL, 0, 0));
	assert_false(xbpf_exec_hold(&exec, buffer, release_counting, NULL, 0, 0));
	assert_true(xbpf_exec_unhold(&exec, buffer + 3, release_counting));
	xbpf_exec_release_holds(&exec);
	assert_int_equal(released, XBPF_EXEC_HOLDS - 1);
	assert_int_equal(exec.n_holds, 0);
}

static void test_readable_span(void **state)
{
	static uint8_t words[4][8];
	struct xbpf_region fixed[2];
	struct xbpf_exec exec;

	init_exec(&exec);
	exec.ctx = (struct xbpf_region){0};
	test_set_region(&fixed[0], words[0], 8, XBPF_MEM_READ);
	test_set_region(&fixed[1], words[1], 8, XBPF_MEM_RW); /* adjacent */
	exec.fixed = fixed;
	exec.n_fixed = 2;
	assert_int_equal(xbpf_exec_readable_span(&exec, (uintptr_t)words[0], 100), 16);
	assert_int_equal(xbpf_exec_readable_span(&exec, (uintptr_t)words[0] + 3, 10), 10);
	assert_int_equal(xbpf_exec_readable_span(&exec, (uintptr_t)words[2], 10), 0);
	assert_int_equal(xbpf_exec_readable_span(&exec, 0, 10), 0);
	assert_int_equal(xbpf_exec_readable_span(&exec, UINTPTR_MAX, 10), 0);
	assert_int_equal(xbpf_exec_readable_span(&exec, (uintptr_t)stack + 60, 10), 4);
}

static void test_regions_and_faults(void **state)
{
	static uint8_t words[XBPF_EXEC_RECENT + 1][8];
	struct xbpf_region fixed[2];
	struct xbpf_exec exec;
	int i;

	init_exec(&exec);
	test_set_region(&fixed[0], words[0], 4, XBPF_MEM_READ);
	test_set_region(&fixed[1], words[1], 8, XBPF_MEM_RW);
	exec.fixed = fixed;
	exec.n_fixed = 2;
	assert_true(xbpf_exec_may_access(&exec, (uintptr_t)words[0], 4, XBPF_MEM_READ));
	assert_false(xbpf_exec_may_access(&exec, (uintptr_t)words[0], 4, XBPF_MEM_WRITE));
	assert_true(xbpf_exec_may_access(&exec, (uintptr_t)words[1] + 4, 4, XBPF_MEM_WRITE));
	assert_false(xbpf_exec_may_access(&exec, UINTPTR_MAX - 2, 8, XBPF_MEM_READ));

	/* the recent ring keeps the last XBPF_EXEC_RECENT regions */
	exec.n_fixed = 0;
	for (i = 0; i <= XBPF_EXEC_RECENT; i++)
		xbpf_exec_note_region(&exec, words[i], 8, XBPF_MEM_READ);
	assert_false(xbpf_exec_may_access(&exec, (uintptr_t)words[0], 8, XBPF_MEM_READ));
	for (i = 1; i <= XBPF_EXEC_RECENT; i++)
		assert_true(xbpf_exec_may_access(&exec, (uintptr_t)words[i], 8, XBPF_MEM_READ));

	/* the first fault is the one kept */
	assert_int_equal(xbpf_exec_fault(&exec, -EFAULT, 3, "first %d", 1), -EFAULT);
	assert_int_equal(xbpf_exec_fault(&exec, -EINVAL, 4, "second"), -EINVAL);
	assert_int_equal(exec.error, -EFAULT);
	assert_int_equal(exec.fault_pc, 3);
	assert_string_equal(exec.fault_msg, "instruction 3: first 1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_arguments),
		cmocka_unit_test(test_memory_arguments),
		cmocka_unit_test(test_string_and_context_arguments),
		cmocka_unit_test(test_returned_regions),
		cmocka_unit_test(test_map_value_arguments),
		cmocka_unit_test(test_holds),
		cmocka_unit_test(test_readable_span),
		cmocka_unit_test(test_regions_and_faults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
