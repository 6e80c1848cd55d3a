/* SPDX-License-Identifier: MIT */
/*
 * bpf_loop: the callback runs with (index, ctx), a non-zero answer stops
 * it, the result is the number of iterations done; flags and the loop
 * limit give Linux's errors; a callback that faults ends the whole run
 * with its fault.
 */
#include <linux/bpf.h>

#include "helper_test.h"

/* The callback's context, global data of the program: when to stop or
 * fault, the sum of the indexes seen, and a mark the program sets after
 * bpf_loop returns. */
static struct {
	uint64_t stop_at;
	uint64_t sum;
	uint64_t after;
} ctx;

/* r0 = bpf_loop(n, callback, &ctx, flags); ctx.after = 1. The callback
 * adds i to ctx.sum and stops at ctx.stop_at; with `faulty`, it reads
 * address i at that index instead. */
static int run_loop(uint64_t n, uint64_t flags, bool faulty, struct xbpf_exec *exec, uint64_t *r0)
{
	const struct xbpf_insn prog[] = {
		T_LDDW(1, n),                     /* 0 */
		T_LDDW_FUNC(2, 11),               /* 2: r2 = the callback at 14 */
		T_LDPTR(3, &ctx),                 /* 4 */
		T_LDDW(4, flags),                 /* 6 */
		T_CALL(BPF_FUNC_loop),            /* 8 */
		T_LDPTR(1, &ctx),                 /* 9 */
		T_ST(DW, 1, 16, 1),               /* 11: ctx.after = 1 */
		T_EXIT(),                         /* 12 */
		T_EXIT(),                         /* 13 (unreached) */
		T_LDX(DW, 4, 2, 0),               /* 14: callback(i, ctx): r4 = ctx->stop_at */
		T_MOV64_IMM(0, 0),                /* 15 */
		T_JMP_REG(JNE, 1, 4, 2),          /* 16 */
		faulty ? (struct xbpf_insn)T_LDX(DW, 0, 1, 0) : (struct xbpf_insn)T_MOV64_IMM(0, 1), /* 17 */
		T_EXIT(),                         /* 18 */
		T_LDX(DW, 3, 2, 8),               /* 19: ctx->sum += i */
		T_ALU64_REG(ADD, 3, 1),
		T_STX(DW, 2, 3, 8),
		T_EXIT(),
	};
	struct xbpf_region fixed = {(uintptr_t)&ctx, (uintptr_t)(&ctx + 1), XBPF_MEM_RW};
	int ret;

	ctx.sum = ctx.after = 0;
	ht_exec_init(exec, NULL, NULL);
	exec->fixed = &fixed;
	exec->n_fixed = 1;
	ret = ht_run(prog, T_COUNT(prog), exec, 0, r0);
	exec->fixed = NULL;
	exec->n_fixed = 0;
	return ret;
}

static int64_t loop_result(uint64_t n, uint64_t flags)
{
	struct xbpf_exec exec;
	uint64_t r0 = 0;
	int ret = run_loop(n, flags, false, &exec, &r0);

	if (ret)
		fail_msg("run failed: %d %s", ret, exec.fault_msg);
	assert_int_equal(ctx.after, 1);
	return (int64_t)r0;
}

static void test_iterations(void **state)
{
	ctx.stop_at = UINT64_MAX;
	assert_int_equal(loop_result(10, 0), 10);
	assert_int_equal(ctx.sum, 45);
	assert_int_equal(loop_result(0, 0), 0);
	assert_int_equal(ctx.sum, 0);
	assert_int_equal(loop_result(100000, 0), 100000);
	assert_int_equal(ctx.sum, 100000ull * 99999 / 2);
	/* nr_loops is a u32 */
	assert_int_equal(loop_result(0x100000003ull, 0), 3);
	assert_int_equal(ctx.sum, 3);
}

static void test_early_stop(void **state)
{
	ctx.stop_at = 4;
	assert_int_equal(loop_result(10, 0), 5); /* the iteration that stopped counts */
	assert_int_equal(ctx.sum, 0 + 1 + 2 + 3);
	ctx.stop_at = 0;
	assert_int_equal(loop_result(10, 0), 1);
	assert_int_equal(ctx.sum, 0);
}

static void test_errors(void **state)
{
	ctx.stop_at = UINT64_MAX;
	assert_int_equal(loop_result(10, 1), -EINVAL);
	assert_int_equal(loop_result(10, 1ull << 40), -EINVAL);
	/* As the kernel's inlined bpf_loop: -E2BIG in the low 32 bits only. */
	assert_int_equal(loop_result((1u << 23) + 1, 0), (uint32_t)-E2BIG);
	assert_int_equal(loop_result(UINT32_MAX, 0), (uint32_t)-E2BIG);
	assert_int_equal(ctx.sum, 0); /* no callback ran */
}

static void test_callback_fault_ends_the_run(void **state)
{
	struct xbpf_exec exec;
	uint64_t r0;

	ctx.stop_at = 2;
	ht_expect_fault(run_loop(10, 0, true, &exec, &r0), &exec, -EFAULT, 17, "invalid read of 8 bytes at 0x2");
	assert_int_equal(ctx.sum, 0 + 1);
	assert_int_equal(ctx.after, 0); /* the program did not go on */
	assert_int_equal(exec.n_holds, 0);
}

/* The callback must be a function of the program. */
static void test_callback_checked(void **state)
{
	const struct xbpf_insn prog[] = {
		T_MOV64_IMM(1, 1), T_MOV64_IMM(2, 1), T_MOV64_IMM(3, 0), T_MOV64_IMM(4, 0), T_CALL(BPF_FUNC_loop), T_EXIT(),
	};
	struct xbpf_exec exec;
	uint64_t r0;

	ht_exec_init(&exec, NULL, NULL);
	ht_expect_fault(ht_run(prog, T_COUNT(prog), &exec, 0, &r0), &exec, -EFAULT, 4,
			"not the start of a function");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iterations),
		cmocka_unit_test(test_early_stop),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_callback_fault_ends_the_run),
		cmocka_unit_test(test_callback_checked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
