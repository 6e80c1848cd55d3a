/* SPDX-License-Identifier: MIT */
/*
 * Interpreter control transfers: bpf-to-bpf calls (argument passing, r6-r9
 * preserved, 8 frames at most, each frame's stack its own), the budget
 * that stops runaway programs, helper calls through the import table
 * (unbound slots fail with -ENOLINK), callx, callbacks run by helpers, and
 * tail calls.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vm_test_util.h"

enum { SLOT_SUM = 1, SLOT_LOOP = 2, SLOT_RUN_AT = 3, SLOT_TAIL = 4, SLOT_UNBOUND = 5, SLOT_HOLD = 6 };

static uint64_t helper_sum(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, struct xbpf_exec *exec)
{
	return r1 + r2 + r3 + r4 + r5;
}

/* bpf_loop-like: runs callback(i, ctx) for i < n, returns the sum of the results. */
static uint64_t helper_loop(uint64_t n, uint64_t fn, uint64_t ctx, uint64_t r4, uint64_t r5, struct xbpf_exec *exec)
{
	uint64_t i, sum = 0;

	for (i = 0; i < n; i++) {
		const uint64_t args[5] = {i, ctx};
		uint64_t r0;

		if (exec->running->engine->call_function(exec, fn, args, &r0))
			return 0;
		sum += r0;
	}
	return sum;
}

/* Runs whatever instruction index it is given as a callback. */
static uint64_t helper_run_at(uint64_t pc, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			      struct xbpf_exec *exec)
{
	const uint64_t args[5] = {0};
	uint64_t r0 = 0;

	exec->running->engine->call_function(exec, pc, args, &r0);
	return r0;
}

static int released;

static void release_counting(void *object)
{
	released++;
}

/* Lends the run a resource that nothing takes back. */
static uint64_t helper_hold(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, struct xbpf_exec *exec)
{
	return xbpf_exec_hold(exec, &released, release_counting, NULL, 0, 0);
}

static const struct xbpf_vm_prog *tail_target;

static uint64_t helper_tail(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, struct xbpf_exec *exec)
{
	exec->tail_call_next = tail_target;
	exec->tail_calls++;
	return 0;
}

static const struct xbpf_helper proto_sum = {
	.name = "sum",
	.fn = helper_sum,
	.args = {XBPF_ARG_ANYTHING, XBPF_ARG_ANYTHING, XBPF_ARG_ANYTHING, XBPF_ARG_ANYTHING, XBPF_ARG_ANYTHING},
};
static const struct xbpf_helper proto_loop = {
	.name = "loop",
	.fn = helper_loop,
	.args = {XBPF_ARG_ANYTHING, XBPF_ARG_PTR_TO_FUNC, XBPF_ARG_ANYTHING},
};
static const struct xbpf_helper proto_run_at = {
	.name = "run_at",
	.fn = helper_run_at,
	.args = {XBPF_ARG_ANYTHING},
};
static const struct xbpf_helper proto_hold = {
	.name = "hold",
	.fn = helper_hold,
};
static const struct xbpf_helper proto_tail = {
	.name = "tail",
	.fn = helper_tail,
	.args = {XBPF_ARG_PTR_TO_CTX, XBPF_ARG_ANYTHING},
};

static const struct xbpf_helper *helper_by_id(const struct xbpf_exec *exec, uint64_t id)
{
	return id == 77 ? &proto_sum : NULL;
}

static const struct xbpf_exec_env test_env = {.helper_by_id = helper_by_id};

static struct xbpf_import imports[TEST_IMPORTS];
static uint64_t ctx_word;

static void init_exec(struct xbpf_exec *exec)
{
	atomic_store(&imports[SLOT_SUM].proto, &proto_sum);
	atomic_store(&imports[SLOT_LOOP].proto, &proto_loop);
	atomic_store(&imports[SLOT_RUN_AT].proto, &proto_run_at);
	atomic_store(&imports[SLOT_TAIL].proto, &proto_tail);
	atomic_store(&imports[SLOT_HOLD].proto, &proto_hold);
	xbpf_exec_init(exec);
	exec->imports = imports;
	exec->n_imports = TEST_IMPORTS;
	exec->env = &test_env;
	test_set_region(&exec->ctx, &ctx_word, sizeof(ctx_word), XBPF_MEM_READ);
}

/* Runs with the helpers above and r1 = arg; returns the result. */
static int run(const struct xbpf_insn *insns, size_t n, struct xbpf_exec *exec, uint64_t arg, uint64_t *r0)
{
	init_exec(exec);
	return test_run_exec(insns, n, exec, arg, r0);
}

static void expect_fault(int ret, const struct xbpf_exec *exec, int err, size_t pc, const char *part)
{
	if (ret != err || exec->error != err || exec->fault_pc != pc || !strstr(exec->fault_msg, part))
		fail_msg("expected %d at insn %zu with '%s', got %d at %zu: '%s'", err, pc, part, ret, exec->fault_pc,
			 exec->fault_msg);
}

static void test_local_call_conventions(void **state)
{
	struct xbpf_insn prog[] = {
		T_MOV64_IMM(1, 1),  T_MOV64_IMM(2, 2),  T_MOV64_IMM(3, 3),  T_MOV64_IMM(4, 4),  T_MOV64_IMM(5, 5),
		T_MOV64_IMM(6, 60), T_MOV64_IMM(7, 70), T_MOV64_IMM(8, 80), T_MOV64_IMM(9, 90),
		T_CALL_LOCAL(5),    /* 9 -> 15 */
		T_ALU64_REG(ADD, 0, 6), T_ALU64_REG(ADD, 0, 7), T_ALU64_REG(ADD, 0, 8), T_ALU64_REG(ADD, 0, 9),
		T_EXIT(),
		/* 15: r0 = r1 + ... + r5, then clobber r6-r9 */
		T_MOV64_REG(0, 1), T_ALU64_REG(ADD, 0, 2), T_ALU64_REG(ADD, 0, 3), T_ALU64_REG(ADD, 0, 4),
		T_ALU64_REG(ADD, 0, 5), T_MOV64_IMM(6, 0), T_MOV64_IMM(7, 0), T_MOV64_IMM(8, 0), T_MOV64_IMM(9, 0),
		T_EXIT(),
	};

	assert_int_equal(test_run_simple(prog, T_COUNT(prog)), 15 + 300);
}

static void test_call_depth_limit(void **state)
{
	/* f(n): n == 0 ? 42 : f(n - 1) */
	struct xbpf_insn prog[] = {
		T_MOV64_IMM(1, 0), /* patched: n */
		T_CALL_LOCAL(1),
		T_EXIT(),
		T_JMP_IMM(JEQ, 1, 0, 3), /* 3 */
		T_ALU64_IMM(SUB, 1, 1),
		T_CALL_LOCAL(-3),        /* 5 */
		T_EXIT(),
		T_MOV64_IMM(0, 42),
		T_EXIT(),
	};
	struct xbpf_exec exec;
	uint64_t r0 = 0;

	/* frame 0 is main, f(n) runs n + 1 frames on top: 8 frames for n = 6 */
	prog[0].imm = XBPF_MAX_FRAMES - 2;
	assert_int_equal(run(prog, T_COUNT(prog), &exec, 0, &r0), 0);
	assert_int_equal(r0, 42);
	prog[0].imm = XBPF_MAX_FRAMES - 1;
	expect_fault(run(prog, T_COUNT(prog), &exec, 0, &r0), &exec, -EOVERFLOW, 5, "call depth limit of 8 frames");
}

static void test_stack_isolation(void **state)
{
	struct xbpf_insn prog[] = {
		T_ST(DW, 10, -8, 111),
		T_MOV64_REG(1, 10),
		T_ALU64_IMM(SUB, 1, 8), /* r1 = &caller's [r10-8] */
		T_CALL_LOCAL(4),        /* 3 -> 8 */
		T_LDX(DW, 0, 10, -8),   /* still 111 */
		T_LDX(DW, 2, 10, -16),  /* 222, written by the callee through r1 */
		T_ALU64_REG(ADD, 0, 2),
		T_EXIT(),
		T_ST(DW, 10, -8, 999),  /* 8: the callee's own slot */
		T_LDX(DW, 3, 1, 0),     /* reads the caller's 111 */
		T_ST(DW, 1, -8, 222),
		T_MOV64_REG(0, 3),
		T_EXIT(),
	};
	struct xbpf_insn below[] = {
		T_CALL_LOCAL(1),
		T_EXIT(),
		T_LDX(DW, 0, 10, -512), /* 2: the bottom of the callee's frame is fine */
		T_LDX(DW, 0, 10, -520), /* below it is not */
		T_EXIT(),
	};
	struct xbpf_exec exec;
	uint64_t r0;

	assert_int_equal(test_run_simple(prog, T_COUNT(prog)), 333);
	expect_fault(run(below, T_COUNT(below), &exec, 0, &r0), &exec, -EFAULT, 3, "invalid read of 8 bytes");
}

static void test_budget(void **state)
{
	struct xbpf_insn spin[] = {T_MOV64_IMM(0, 0), T_JA(-1), T_EXIT()};
	/* ten iterations: nine backward jumps taken */
	struct xbpf_insn loop[] = {
		T_MOV64_IMM(1, 10), T_ALU64_IMM(SUB, 1, 1), T_JMP_IMM(JNE, 1, 0, -2), T_MOV64_IMM(0, 1), T_EXIT(),
	};
	struct xbpf_insn calls[] = {
		T_CALL_LOCAL(3), T_CALL_LOCAL(2), T_CALL_LOCAL(1), T_EXIT(), T_MOV64_IMM(0, 7), T_EXIT(),
	};
	struct xbpf_exec exec;
	uint64_t r0;

	init_exec(&exec);
	exec.budget = 1000;
	expect_fault(test_run_exec(spin, T_COUNT(spin), &exec, 0, &r0), &exec, -E2BIG, 1,
		     "instruction budget exhausted");
	assert_int_equal(exec.budget, 0);

	init_exec(&exec);
	exec.budget = 9;
	assert_int_equal(test_run_exec(loop, T_COUNT(loop), &exec, 0, &r0), 0);
	assert_int_equal(exec.budget, 0);
	exec.budget = 8;
	expect_fault(test_run_exec(loop, T_COUNT(loop), &exec, 0, &r0), &exec, -E2BIG, 2, "budget");

	init_exec(&exec);
	exec.budget = 2;
	expect_fault(test_run_exec(calls, T_COUNT(calls), &exec, 0, &r0), &exec, -E2BIG, 2, "budget");
}

static void test_helper_calls(void **state)
{
	struct xbpf_insn prog[] = {
		T_MOV64_IMM(1, 1), T_MOV64_IMM(2, 2), T_MOV64_IMM(3, 3), T_MOV64_IMM(4, 4), T_MOV64_IMM(5, 5),
		T_CALL(SLOT_SUM),  T_EXIT(),
	};
	struct xbpf_insn unbound[] = {T_CALL(SLOT_UNBOUND), T_EXIT()};
	struct xbpf_exec exec;
	uint64_t r0;

	assert_int_equal(run(prog, T_COUNT(prog), &exec, 0, &r0), 0);
	assert_int_equal(r0, 15);

	expect_fault(run(unbound, T_COUNT(unbound), &exec, 0, &r0), &exec, -ENOLINK, 0, "import slot 5");

	/* a slot the exec's table does not reach */
	init_exec(&exec);
	exec.n_imports = SLOT_SUM;
	expect_fault(test_run_exec(prog, T_COUNT(prog), &exec, 0, &r0), &exec, -ENOLINK, 5, "import slot 1");
	exec.n_imports = 0;
	exec.imports = NULL;
	expect_fault(test_run_exec(prog, T_COUNT(prog), &exec, 0, &r0), &exec, -ENOLINK, 5, "import slot 1");

	/* unbinding a slot between runs takes effect at once */
	init_exec(&exec);
	atomic_store(&imports[SLOT_SUM].proto, NULL);
	expect_fault(test_run_exec(prog, T_COUNT(prog), &exec, 0, &r0), &exec, -ENOLINK, 5, "not bound");
}

static void test_callx(void **state)
{
	struct xbpf_insn prog[] = {
		T_MOV64_IMM(1, 10), T_MOV64_IMM(2, 20), T_MOV64_IMM(3, 0), T_MOV64_IMM(4, 0), T_MOV64_IMM(5, 12),
		T_MOV64_IMM(8, 77), T_CALLX(8),         T_EXIT(),
	};
	struct xbpf_exec exec;
	uint64_t r0;

	assert_int_equal(run(prog, T_COUNT(prog), &exec, 0, &r0), 0);
	assert_int_equal(r0, 42);
	prog[5].imm = 78;
	expect_fault(run(prog, T_COUNT(prog), &exec, 0, &r0), &exec, -ENOLINK, 6, "no helper with id 78 (r8)");
	init_exec(&exec);
	exec.env = NULL;
	expect_fault(test_run_exec(prog, T_COUNT(prog), &exec, 0, &r0), &exec, -ENOLINK, 6, "callx");
}

static void test_callbacks(void **state)
{
	struct xbpf_insn prog[] = {
		T_LDDW_FUNC(2, 5), /* 0: r2 = the function at 6 */
		T_MOV64_IMM(1, 4),
		T_MOV64_IMM(3, 10),
		T_CALL(SLOT_LOOP), /* 4 */
		T_EXIT(),
		T_MOV64_REG(0, 1), /* 6: callback(i, ctx) = i + ctx */
		T_ALU64_REG(ADD, 0, 2),
		T_EXIT(),
	};
	struct xbpf_insn not_func[] = {
		T_MOV64_IMM(2, 3), T_MOV64_IMM(1, 1), T_CALL(SLOT_LOOP), T_EXIT(),
	};
	struct xbpf_insn run_at[] = {
		T_MOV64_IMM(1, 1), T_CALL(SLOT_RUN_AT), T_EXIT(),
	};
	struct xbpf_insn recursive[] = {
		T_CALL_LOCAL(1), /* 0 */
		T_EXIT(),
		T_MOV64_IMM(1, 1), /* 2: calls loop with itself as the callback */
		T_LDDW_FUNC(2, -2),
		T_CALL(SLOT_LOOP), /* 5 */
		T_EXIT(),
	};
	struct xbpf_exec exec;
	uint64_t r0;

	assert_int_equal(run(prog, T_COUNT(prog), &exec, 0, &r0), 0);
	assert_int_equal(r0, 10 + 11 + 12 + 13);
	/* the gate refuses a callback that is not a function */
	expect_fault(run(not_func, T_COUNT(not_func), &exec, 0, &r0), &exec, -EFAULT, 2,
		     "not the start of a function");
	/* call_function itself refuses it too */
	expect_fault(run(run_at, T_COUNT(run_at), &exec, 0, &r0), &exec, -EINVAL, 1,
		     "callback target 1 is not the start of a function");
	/* callbacks take frames: the ninth fails */
	expect_fault(run(recursive, T_COUNT(recursive), &exec, 0, &r0), &exec, -EOVERFLOW, 5, "call depth");
	/* and budget */
	init_exec(&exec);
	exec.budget = 3;
	expect_fault(test_run_exec(prog, T_COUNT(prog), &exec, 0, &r0), &exec, -E2BIG, 4, "budget");
	/* outside a run there is nothing to call back into */
	{
		const uint64_t args[5] = {0};

		init_exec(&exec);
		assert_int_equal(xbpf_interpreter.call_function(&exec, 0, args, &r0), -EINVAL);
	}
}

/* A callback's own calls (local functions, helpers) leave the helper that
 * runs it where it was: frames, call instruction and all. */
static void test_callbacks_that_call(void **state)
{
	struct xbpf_insn prog[] = {
		T_LDDW_FUNC(2, 5), /* 0: r2 = the function at 6 */
		T_MOV64_IMM(1, 20),
		T_MOV64_IMM(3, 0),
		T_CALL(SLOT_LOOP), /* 4 */
		T_EXIT(),
		T_CALL_LOCAL(1), /* 6: callback(i) = g(i) */
		T_EXIT(),
		T_MOV64_IMM(2, 1), /* 8: g(i) = sum(i, 1) */
		T_CALL(SLOT_SUM),
		T_EXIT(),
	};
	struct xbpf_exec exec;
	uint64_t r0;

	assert_int_equal(run(prog, T_COUNT(prog), &exec, 0, &r0), 0);
	assert_int_equal(r0, 20 * 21 / 2);
	assert_int_equal(exec.call_pc, 4);
	/* the second callback finds the budget used up: the loop's call is to blame */
	init_exec(&exec);
	exec.budget = 2;
	expect_fault(test_run_exec(prog, T_COUNT(prog), &exec, 0, &r0), &exec, -E2BIG, 4, "budget");
}

static void test_holds_released_when_run_ends(void **state)
{
	struct xbpf_insn ends[] = {T_CALL(SLOT_HOLD), T_CALL(SLOT_HOLD), T_MOV64_IMM(0, 7), T_EXIT()};
	struct xbpf_insn faults[] = {T_CALL(SLOT_HOLD), T_LDX(DW, 0, 1, 0), T_EXIT()};
	struct xbpf_exec exec;
	uint64_t r0;

	released = 0;
	assert_int_equal(run(ends, T_COUNT(ends), &exec, 0, &r0), 0);
	assert_int_equal(r0, 7);
	assert_int_equal(released, 2);
	assert_int_equal(exec.n_holds, 0);
	expect_fault(run(faults, T_COUNT(faults), &exec, 0, &r0), &exec, -EFAULT, 1, "invalid read");
	assert_int_equal(released, 3);
	assert_int_equal(exec.n_holds, 0);
}

static void test_tail_calls(void **state)
{
	struct xbpf_insn target[] = {T_MOV64_REG(0, 1), T_ALU64_IMM(ADD, 0, 1000), T_EXIT()};
	struct xbpf_insn from_main[] = {
		T_MOV64_IMM(6, 5), T_CALL(SLOT_TAIL), T_MOV64_IMM(0, 99), T_EXIT(),
	};
	struct xbpf_insn from_callee[] = {
		T_CALL_LOCAL(2), T_ALU64_IMM(ADD, 0, 1), T_EXIT(),
		T_CALL(SLOT_TAIL), T_MOV64_IMM(0, 99), T_EXIT(),
	};
	struct xbpf_vm_prog *prog;
	struct xbpf_exec exec;
	uint64_t r0;

	assert_int_equal(test_prepare(target, T_COUNT(target), &prog), 0);
	tail_target = prog;
	assert_int_equal(run(from_main, T_COUNT(from_main), &exec, (uintptr_t)&ctx_word, &r0), 0);
	assert_int_equal(r0, (uintptr_t)&ctx_word + 1000);
	assert_null(exec.tail_call_next);
	assert_int_equal(exec.tail_calls, 1);
	/* from a callee the target replaces the callee; its exit returns to the caller */
	assert_int_equal(run(from_callee, T_COUNT(from_callee), &exec, (uintptr_t)&ctx_word, &r0), 0);
	assert_int_equal(r0, (uintptr_t)&ctx_word + 1001);
	xbpf_interpreter.free(prog);
	tail_target = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_local_call_conventions),
		cmocka_unit_test(test_call_depth_limit),
		cmocka_unit_test(test_stack_isolation),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_helper_calls),
		cmocka_unit_test(test_callx),
		cmocka_unit_test(test_callbacks),
		cmocka_unit_test(test_callbacks_that_call),
		cmocka_unit_test(test_holds_released_when_run_ends),
		cmocka_unit_test(test_tail_calls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
