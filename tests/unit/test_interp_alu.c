/* SPDX-License-Identifier: MIT */
/*
 * Interpreter arithmetic and jumps, at the edges RFC 9669 pins down:
 * division and modulo by zero and INT_MIN / -1 in every width and form,
 * shift-count masking, sign extension of immediates, zero extension of
 * 32-bit results, byte swaps, sign-extending moves, and every conditional
 * jump in both widths and both directions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "vm_test_util.h"

#define I64_MIN 0x8000000000000000ULL
#define U64_MAX 0xffffffffffffffffULL

struct alu_case {
	const char *name;
	struct xbpf_insn op; /* operates on r0 (dst) and r1 (src) */
	uint64_t a, b;       /* r0 and r1 before */
	uint64_t expect;     /* r0 after */
};

static void run_alu_cases(const struct alu_case *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct xbpf_insn prog[] = {T_LDDW(0, cases[i].a), T_LDDW(1, cases[i].b), cases[i].op, T_EXIT()};
		uint64_t got = test_run_simple(prog, T_COUNT(prog));

		if (got != cases[i].expect)
			fail_msg("%s: got 0x%llx, expected 0x%llx", cases[i].name, (unsigned long long)got,
				 (unsigned long long)cases[i].expect);
	}
}

static void test_division_by_zero(void **state)
{
	const struct alu_case cases[] = {
		{"div64 reg by 0", T_ALU64_REG(DIV, 0, 1), 7, 0, 0},
		{"div64 imm by 0", T_ALU64_IMM(DIV, 0, 0), 7, 0, 0},
		{"mod64 reg by 0", T_ALU64_REG(MOD, 0, 1), 0xffffffff00000007ULL, 0, 0xffffffff00000007ULL},
		{"mod64 imm by 0", T_ALU64_IMM(MOD, 0, 0), 0xffffffff00000007ULL, 0, 0xffffffff00000007ULL},
		{"div32 reg by 0", T_ALU32_REG(DIV, 0, 1), 0xffffffff00000007ULL, 0xffffffff00000000ULL, 0},
		{"div32 imm by 0", T_ALU32_IMM(DIV, 0, 0), 0xffffffff00000007ULL, 0, 0},
		{"mod32 reg by 0", T_ALU32_REG(MOD, 0, 1), 0xffffffff00000007ULL, 0x100000000ULL, 7},
		{"mod32 imm by 0", T_ALU32_IMM(MOD, 0, 0), 0xffffffff00000007ULL, 0, 7},
		{"sdiv64 reg by 0", T_SALU64_REG(DIV, 0, 1), (uint64_t)-7, 0, 0},
		{"sdiv64 imm by 0", T_SALU64_IMM(DIV, 0, 0), (uint64_t)-7, 0, 0},
		{"smod64 reg by 0", T_SALU64_REG(MOD, 0, 1), (uint64_t)-7, 0, (uint64_t)-7},
		{"smod64 imm by 0", T_SALU64_IMM(MOD, 0, 0), (uint64_t)-7, 0, (uint64_t)-7},
		{"sdiv32 reg by 0", T_SALU32_REG(DIV, 0, 1), (uint64_t)-7, 0xab00000000ULL, 0},
		{"sdiv32 imm by 0", T_SALU32_IMM(DIV, 0, 0), (uint64_t)-7, 0, 0},
		{"smod32 reg by 0", T_SALU32_REG(MOD, 0, 1), (uint64_t)-7, 0xab00000000ULL, 0xfffffff9},
		{"smod32 imm by 0", T_SALU32_IMM(MOD, 0, 0), (uint64_t)-7, 0, 0xfffffff9},
	};

	run_alu_cases(cases, T_COUNT(cases));
}

static void test_int_min_by_minus_one(void **state)
{
	const struct alu_case cases[] = {
		{"sdiv64 reg", T_SALU64_REG(DIV, 0, 1), I64_MIN, U64_MAX, I64_MIN},
		{"sdiv64 imm", T_SALU64_IMM(DIV, 0, -1), I64_MIN, 0, I64_MIN},
		{"smod64 reg", T_SALU64_REG(MOD, 0, 1), I64_MIN, U64_MAX, 0},
		{"smod64 imm", T_SALU64_IMM(MOD, 0, -1), I64_MIN, 0, 0},
		{"sdiv32 reg", T_SALU32_REG(DIV, 0, 1), 0x1234567880000000ULL, 0xffffffff, 0x80000000},
		{"sdiv32 imm", T_SALU32_IMM(DIV, 0, -1), 0x1234567880000000ULL, 0, 0x80000000},
		{"smod32 reg", T_SALU32_REG(MOD, 0, 1), 0x80000000, 0x55555555ffffffffULL, 0},
		{"smod32 imm", T_SALU32_IMM(MOD, 0, -1), 0x80000000, 0, 0},
		/* unsigned forms see -1 as the largest value */
		{"div64 imm -1", T_ALU64_IMM(DIV, 0, -1), U64_MAX - 1, 0, 0},
		{"div64 reg", T_ALU64_REG(DIV, 0, 1), I64_MIN, U64_MAX, 0},
		{"mod64 reg", T_ALU64_REG(MOD, 0, 1), I64_MIN, U64_MAX, I64_MIN},
		{"div32 imm -1", T_ALU32_IMM(DIV, 0, -1), 0xffffffff, 0, 1},
		{"mod32 imm -1", T_ALU32_IMM(MOD, 0, -1), 0x80000000, 0, 0x80000000},
		{"mul64 INT_MIN * -1", T_ALU64_REG(MUL, 0, 1), I64_MIN, U64_MAX, I64_MIN},
		{"neg32 INT_MIN", T_NEG32(0), 0xffffffff80000000ULL, 0, 0x80000000},
		{"neg64 INT_MIN", T_NEG64(0), I64_MIN, 0, I64_MIN},
		/* ordinary signed results round toward zero */
		{"sdiv64 -7/2", T_SALU64_IMM(DIV, 0, 2), (uint64_t)-7, 0, (uint64_t)-3},
		{"smod64 -7%2", T_SALU64_IMM(MOD, 0, 2), (uint64_t)-7, 0, (uint64_t)-1},
		{"smod64 7%-2", T_SALU64_REG(MOD, 0, 1), 7, (uint64_t)-2, 1},
		{"sdiv32 -7/2", T_SALU32_IMM(DIV, 0, 2), (uint64_t)-7, 0, 0xfffffffd},
		{"smod32 -7%2", T_SALU32_REG(MOD, 0, 1), 0xfffffff9, 2, 0xffffffff},
	};

	run_alu_cases(cases, T_COUNT(cases));
}

static void test_shifts_are_masked(void **state)
{
	const struct alu_case cases[] = {
		{"lsh64 imm 65", T_ALU64_IMM(LSH, 0, 65), 1, 0, 2},
		{"lsh64 reg 64", T_ALU64_REG(LSH, 0, 1), 1, 64, 1},
		{"lsh64 imm -1", T_ALU64_IMM(LSH, 0, -1), 1, 0, I64_MIN},
		{"lsh32 reg 33", T_ALU32_REG(LSH, 0, 1), 1, 33, 2},
		{"lsh32 imm -1", T_ALU32_IMM(LSH, 0, -1), 0xff00000001ULL, 0, 0x80000000},
		{"rsh64 imm -1", T_ALU64_IMM(RSH, 0, -1), I64_MIN, 0, 1},
		{"rsh32 imm 31", T_ALU32_IMM(RSH, 0, 31), 0xffffffff80000000ULL, 0, 1},
		{"rsh32 reg 32", T_ALU32_REG(RSH, 0, 1), 0xffffffff80000000ULL, 32, 0x80000000},
		{"arsh64 reg 65", T_ALU64_REG(ARSH, 0, 1), I64_MIN, 65, 0xc000000000000000ULL},
		{"arsh32 imm 4", T_ALU32_IMM(ARSH, 0, 4), 0x80000000, 0, 0xf8000000},
		{"arsh32 reg 36", T_ALU32_REG(ARSH, 0, 1), 0x80000000, 36, 0xf8000000},
	};

	run_alu_cases(cases, T_COUNT(cases));
}

static void test_extension(void **state)
{
	const struct alu_case cases[] = {
		/* 64-bit immediates are sign-extended */
		{"add64 imm -1", T_ALU64_IMM(ADD, 0, -1), 0, 0, U64_MAX},
		{"or64 imm INT_MIN", T_ALU64_IMM(OR, 0, INT32_MIN), 0, 0, 0xffffffff80000000ULL},
		{"and64 imm -1", T_ALU64_IMM(AND, 0, -1), 0x1234567890abcdefULL, 0, 0x1234567890abcdefULL},
		{"mov64 imm -2", T_MOV64_IMM(0, -2), 0, 0, U64_MAX - 1},
		{"sub64 imm -1", T_ALU64_IMM(SUB, 0, -1), 1, 0, 2},
		{"xor64 imm -1", T_ALU64_IMM(XOR, 0, -1), 0xff, 0, 0xffffffffffffff00ULL},
		/* 32-bit results are zero-extended */
		{"add32 imm -1", T_ALU32_IMM(ADD, 0, -1), 0, 0, 0xffffffff},
		{"add32 reg wraps", T_ALU32_REG(ADD, 0, 1), U64_MAX, 1, 0},
		{"mov32 reg", T_ALU32_REG(MOV, 0, 1), 5, 0xffffffff12345678ULL, 0x12345678},
		{"mov32 imm -2", T_ALU32_IMM(MOV, 0, -2), U64_MAX, 0, 0xfffffffe},
		{"mul32 reg", T_ALU32_REG(MUL, 0, 1), 0x100000003ULL, 0x500000005ULL, 15},
		{"sub32 imm", T_ALU32_IMM(SUB, 0, 1), 0, 0, 0xffffffff},
		{"xor32 reg", T_ALU32_REG(XOR, 0, 1), 0xff000000ffULL, 0xf0, 0x0f},
		{"and32 imm", T_ALU32_IMM(AND, 0, -1), U64_MAX, 0, 0xffffffff},
		{"or32 reg", T_ALU32_REG(OR, 0, 1), 0x100000000ULL, 1, 1},
		{"neg32 1", T_NEG32(0), 1, 0, 0xffffffff},
		{"neg64 5", T_NEG64(0), 5, 0, (uint64_t)-5},
		/* sign-extending moves */
		{"movsx64 8", T_MOVSX64(0, 1, 8), 0, 0x180, 0xffffffffffffff80ULL},
		{"movsx64 16", T_MOVSX64(0, 1, 16), 0, 0x8000, 0xffffffffffff8000ULL},
		{"movsx64 32", T_MOVSX64(0, 1, 32), 0, 0x80000000, 0xffffffff80000000ULL},
		{"movsx32 8", T_MOVSX32(0, 1, 8), 0, 0xff, 0xffffffff},
		{"movsx32 16", T_MOVSX32(0, 1, 16), U64_MAX, 0x17fff, 0x7fff},
		/* byte order */
		{"le16", T_LE(0, 16), 0x1122334455667788ULL, 0, 0x7788},
		{"le32", T_LE(0, 32), 0x1122334455667788ULL, 0, 0x55667788},
		{"le64", T_LE(0, 64), 0x1122334455667788ULL, 0, 0x1122334455667788ULL},
		{"be16", T_BE(0, 16), 0x1122334455667788ULL, 0, 0x8877},
		{"be32", T_BE(0, 32), 0x1122334455667788ULL, 0, 0x88776655},
		{"be64", T_BE(0, 64), 0x1122334455667788ULL, 0, 0x8877665544332211ULL},
		{"bswap16", T_BSWAP(0, 16), 0x1122334455667788ULL, 0, 0x8877},
		{"bswap32", T_BSWAP(0, 32), 0x1122334455667788ULL, 0, 0x88776655},
		{"bswap64", T_BSWAP(0, 64), 0x1122334455667788ULL, 0, 0x8877665544332211ULL},
	};

	run_alu_cases(cases, T_COUNT(cases));
}

struct jump_case {
	const char *name;
	struct xbpf_insn jump; /* compares r1 (dst) with r2 or imm; jumps +1 when taken */
	uint64_t a, b;
	bool taken;
};

static void test_conditional_jumps(void **state)
{
	const struct jump_case cases[] = {
		{"jeq imm -1 sign-extends", T_JMP_IMM(JEQ, 1, -1, 1), U64_MAX, 0, true},
		{"jeq32 imm -1", T_JMP32_IMM(JEQ, 1, -1, 1), 0x12345678ffffffffULL, 0, true},
		{"jne reg", T_JMP_REG(JNE, 1, 2, 1), 1, 1, false},
		{"jgt is unsigned", T_JMP_REG(JGT, 1, 2, 1), U64_MAX, 1, true},
		{"jge equal", T_JMP_IMM(JGE, 1, 5, 1), 5, 0, true},
		{"jlt32 looks at the low half", T_JMP32_REG(JLT, 1, 2, 1), 0xffffffff00000001ULL, 2, true},
		{"jle", T_JMP_REG(JLE, 1, 2, 1), 3, 2, false},
		{"jset", T_JMP_IMM(JSET, 1, 0x30, 1), 0x10, 0, true},
		{"jset32 high bits ignored", T_JMP32_REG(JSET, 1, 2, 1), 0x100000000ULL, 0x100000000ULL, false},
		{"jsgt is signed", T_JMP_REG(JSGT, 1, 2, 1), U64_MAX, 1, false},
		{"jsgt32", T_JMP32_REG(JSGT, 1, 2, 1), 0x17fffffffULL, 0x80000000, true},
		{"jsge imm INT_MIN", T_JMP_IMM(JSGE, 1, INT32_MIN, 1), I64_MIN, 0, false},
		{"jslt32 imm", T_JMP32_IMM(JSLT, 1, 0, 1), 0x80000000, 0, true},
		{"jsle imm -1", T_JMP_IMM(JSLE, 1, -1, 1), U64_MAX, 0, true},
		{"jsle32 reg", T_JMP32_REG(JSLE, 1, 2, 1), 1, 0xffffffff, false},
		{"jge32 imm", T_JMP32_IMM(JGE, 1, -1, 1), 0xfffffffeULL, 0, false},
		{"jgt32 imm", T_JMP32_IMM(JGT, 1, 1, 1), 0x100000002ULL, 0, true},
		{"jne32 imm", T_JMP32_IMM(JNE, 1, 0, 1), 0x100000000ULL, 0, false},
		{"jsge32 reg", T_JMP32_REG(JSGE, 1, 2, 1), 0, 0xffffffff, true},
		{"jslt reg", T_JMP_REG(JSLT, 1, 2, 1), (uint64_t)-2, (uint64_t)-1, true},
		{"jle32 imm", T_JMP32_IMM(JLE, 1, 7, 1), 0xff00000007ULL, 0, true},
		{"jlt imm", T_JMP_IMM(JLT, 1, 7, 1), 7, 0, false},
		{"jeq32 reg", T_JMP32_REG(JEQ, 1, 2, 1), 0x1ffffffffULL, 0x2ffffffffULL, true},
		{"jsgt32 imm", T_JMP32_IMM(JSGT, 1, -1, 1), 0, 0, true},
		{"jsge reg", T_JMP_REG(JSGE, 1, 2, 1), 3, 3, true},
		{"jsle32 imm", T_JMP32_IMM(JSLE, 1, -2, 1), 0xffffffff, 0, false},
		{"jslt32 reg", T_JMP32_REG(JSLT, 1, 2, 1), 0xffffffff, 0, true},
		{"jgt32 reg", T_JMP32_REG(JGT, 1, 2, 1), 1, 0xffffffff, false},
		{"jge32 reg", T_JMP32_REG(JGE, 1, 2, 1), 0xffffffff, 0xffffffff, true},
		{"jle32 reg", T_JMP32_REG(JLE, 1, 2, 1), 2, 1, false},
		{"jne32 reg", T_JMP32_REG(JNE, 1, 2, 1), 1, 2, true},
		{"jset32 imm", T_JMP32_IMM(JSET, 1, 1, 1), 3, 0, true},
		{"jsge32 imm", T_JMP32_IMM(JSGE, 1, 1, 1), 0, 0, false},
		{"jsgt imm", T_JMP_IMM(JSGT, 1, -1, 1), 0, 0, true},
		{"jslt imm", T_JMP_IMM(JSLT, 1, -1, 1), 0, 0, false},
		{"jeq reg", T_JMP_REG(JEQ, 1, 2, 1), 4, 4, true},
		{"jge reg", T_JMP_REG(JGE, 1, 2, 1), 4, 5, false},
		{"jgt imm", T_JMP_IMM(JGT, 1, 4, 1), 5, 0, true},
		{"jle imm", T_JMP_IMM(JLE, 1, 4, 1), 5, 0, false},
		{"jlt reg", T_JMP_REG(JLT, 1, 2, 1), 4, 5, true},
		{"jne imm", T_JMP_IMM(JNE, 1, 4, 1), 5, 0, true},
		{"jset reg", T_JMP_REG(JSET, 1, 2, 1), 6, 1, false},
		{"jlt32 imm", T_JMP32_IMM(JLT, 1, 0, 1), 0, 0, false},
	};
	size_t i;

	for (i = 0; i < T_COUNT(cases); i++) {
		struct xbpf_insn prog[] = {
			T_LDDW(1, cases[i].a), T_LDDW(2, cases[i].b), T_MOV64_IMM(0, 0), cases[i].jump, T_EXIT(),
			T_MOV64_IMM(0, 1),     T_EXIT(),
		};
		struct xbpf_insn back[] = {
			/* the same jump going backwards: taken means "goes to the exit with r0 = 1" */
			T_LDDW(1, cases[i].a), T_LDDW(2, cases[i].b), T_JA(2), T_MOV64_IMM(0, 1), T_EXIT(),
			T_MOV64_IMM(0, 0),     cases[i].jump,         T_EXIT(),
		};

		back[8].off = -4; /* to the r0 = 1 at 5 */
		if (test_run_simple(prog, T_COUNT(prog)) != cases[i].taken)
			fail_msg("%s (forward): expected %s", cases[i].name, cases[i].taken ? "taken" : "not taken");
		if (test_run_simple(back, T_COUNT(back)) != cases[i].taken)
			fail_msg("%s (backward): expected %s", cases[i].name, cases[i].taken ? "taken" : "not taken");
	}
}

static void test_loops(void **state)
{
	/* r0 = 0; r1 = 10; do { r0 += 3; r1 -= 1; } while (r1 != 0) */
	struct xbpf_insn loop[] = {
		T_MOV64_IMM(0, 0),     T_MOV64_IMM(1, 10), T_ALU64_IMM(ADD, 0, 3), T_ALU64_IMM(SUB, 1, 1),
		T_JMP_IMM(JNE, 1, 0, -3), T_EXIT(),
	};
	/* the same with a forward exit test and ja32 back */
	struct xbpf_insn loop32[] = {
		T_MOV64_IMM(0, 0),       T_MOV64_IMM(1, 10), T_JMP_IMM(JEQ, 1, 0, 3), T_ALU64_IMM(ADD, 0, 3),
		T_ALU64_IMM(SUB, 1, 1), T_JA32(-4),          T_EXIT(),
	};

	assert_int_equal(test_run_simple(loop, T_COUNT(loop)), 30);
	assert_int_equal(test_run_simple(loop32, T_COUNT(loop32)), 30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_division_by_zero),
		cmocka_unit_test(test_int_min_by_minus_one),
		cmocka_unit_test(test_shifts_are_masked),
		cmocka_unit_test(test_extension),
		cmocka_unit_test(test_conditional_jumps),
		cmocka_unit_test(test_loops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
