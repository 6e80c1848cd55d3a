/* SPDX-License-Identifier: MIT */
/*
 * suite_count_loop_insns: the instructions one run of alu_loop executes,
 * which turns its time into ns per instruction. Checked on the layout clang
 * gives alu_loop, on a loop with its test at the bottom, and on programs
 * whose shape the walk does not claim to know.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "insn_build.h"
#include "suite.h"

#define N(prog) suite_count_loop_insns(prog, T_COUNT(prog), 1000)

/* clang -O2 -target bpf's alu_loop: a bounds check, 12 instructions before
 * the loop (lddw counted once), a 14-instruction body left from its middle
 * on the last iteration, 3 after: 12 + 999 * 14 + 13 + 3. */
static void test_clang_layout(void **state)
{
	static const struct xbpf_insn prog[] = {
		T_MOV64_IMM(0, 0),
		T_LDX(W, 2, 1, 4),
		T_LDX(W, 1, 1, 0),
		T_MOV64_REG(3, 1),
		T_ALU64_IMM(ADD, 3, 56),
		T_JMP_REG(JGT, 3, 2, 23),
		T_LDX(W, 2, 1, 30),
		T_LDX(W, 3, 1, 26),
		T_ALU64_IMM(LSH, 3, 32),
		T_ALU64_REG(OR, 3, 2),
		T_MOV64_IMM(2, 0),
		T_LDDW(4, 0x9E3779B97F4A7C15ULL),
		T_ALU64_REG(MUL, 3, 4), /* 13: loop */
		T_MOV64_REG(5, 2),
		T_ALU64_REG(ADD, 5, 3),
		T_MOV64_REG(0, 5),
		T_ALU64_IMM(RSH, 0, 29),
		T_ALU64_REG(XOR, 0, 5),
		T_ALU64_IMM(MUL, 0, 2049),
		T_MOV64_REG(3, 0),
		T_ALU64_IMM(RSH, 3, 17),
		T_ALU64_IMM(MUL, 3, 5),
		T_ALU64_REG(XOR, 3, 0),
		T_ALU64_IMM(ADD, 2, 1),
		T_JMP_IMM(JEQ, 2, 1000, 1),
		T_JA(-14),
		T_STX(DW, 1, 3, 48),
		T_MOV64_IMM(0, 2),
		T_EXIT(),
	};

	(void)state;
	assert_int_equal(N(prog), 14014);
}

/* The test at the bottom: the back jump is taken 999 times. */
static void test_bottom_test(void **state)
{
	static const struct xbpf_insn prog[] = {
		T_MOV64_IMM(0, 0),
		T_MOV64_IMM(1, 0),
		T_ALU64_IMM(ADD, 0, 3), /* 2: loop */
		T_ALU64_IMM(ADD, 1, 1),
		T_JMP_IMM(JLT, 1, 1000, -3),
		T_EXIT(),
	};

	(void)state;
	assert_int_equal(N(prog), 2 + 3 * 1000 + 1);
}

/* Two loops, a call, or no loop: no count rather than a wrong one. */
static void test_unknown_shapes(void **state)
{
	static const struct xbpf_insn two_loops[] = {
		T_MOV64_IMM(1, 0),
		T_ALU64_IMM(ADD, 1, 1),
		T_JMP_IMM(JLT, 1, 10, -2),
		T_ALU64_IMM(ADD, 1, 1),
		T_JMP_IMM(JLT, 1, 20, -2),
		T_EXIT(),
	};
	static const struct xbpf_insn with_call[] = {
		T_MOV64_IMM(1, 0),
		T_CALL(5),
		T_ALU64_IMM(ADD, 1, 1),
		T_JMP_IMM(JLT, 1, 10, -3),
		T_EXIT(),
	};
	static const struct xbpf_insn no_loop[] = {
		T_MOV64_IMM(0, 2),
		T_EXIT(),
	};
	/* an unconditional back jump and no way out: the walk gives up */
	static const struct xbpf_insn endless[] = {
		T_MOV64_IMM(0, 2),
		T_JA(-2),
		T_EXIT(),
	};

	(void)state;
	assert_int_equal(N(two_loops), 0);
	assert_int_equal(N(with_call), 0);
	assert_int_equal(N(no_loop), 0);
	assert_int_equal(N(endless), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clang_layout),
		cmocka_unit_test(test_bottom_test),
		cmocka_unit_test(test_unknown_shapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
