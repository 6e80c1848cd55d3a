/* SPDX-License-Identifier: MIT */
/* Context access conversion: which loads are rewritten and which refused. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "isa/insn.h"
#include "verifier/ctx_access.h"

/* An xdp_md-like layout: data at 0 and data_end at 4 live as pointers at 24
 * and 32; bytes 16..20 are writable. */
static const struct xbpf_ctx_field fields[] = {
	{.offset = 0, .size = 4, .internal_offset = 24, .internal_size = 8},
	{.offset = 4, .size = 4, .internal_offset = 32, .internal_size = 8},
};
static const struct xbpf_ctx_range rw[] = {{.offset = 16, .size = 4}};
static const struct xbpf_ctx_layout layout = {
	.size = 24, .converted = fields, .n_converted = 2, .writable = rw, .n_writable = 1};

#define LDXW(dst, src, off) xbpf_insn_make(XBPF_CLASS_LDX | XBPF_MODE_MEM | XBPF_SIZE_W, dst, src, off, 0)
#define LDXH(dst, src, off) xbpf_insn_make(XBPF_CLASS_LDX | XBPF_MODE_MEM | XBPF_SIZE_H, dst, src, off, 0)
#define LDXDW(dst, src, off) xbpf_insn_make(XBPF_CLASS_LDX | XBPF_MODE_MEM | XBPF_SIZE_DW, dst, src, off, 0)
#define STXDW(dst, src, off) xbpf_insn_make(XBPF_CLASS_STX | XBPF_MODE_MEM | XBPF_SIZE_DW, dst, src, off, 0)
#define STXW(dst, src, off) xbpf_insn_make(XBPF_CLASS_STX | XBPF_MODE_MEM | XBPF_SIZE_W, dst, src, off, 0)
#define MOV64_REG(dst, src) xbpf_insn_make(XBPF_CLASS_ALU64 | XBPF_ALU_MOV | XBPF_SRC_X, dst, src, 0, 0)
#define MOV64_IMM(dst, imm) xbpf_insn_make(XBPF_CLASS_ALU64 | XBPF_ALU_MOV, dst, 0, 0, imm)
#define ADD64_IMM(dst, imm) xbpf_insn_make(XBPF_CLASS_ALU64 | XBPF_ALU_ADD, dst, 0, 0, imm)
#define ADD64_REG(dst, src) xbpf_insn_make(XBPF_CLASS_ALU64 | XBPF_ALU_ADD | XBPF_SRC_X, dst, src, 0, 0)
#define JEQ_IMM(dst, imm, off) xbpf_insn_make(XBPF_CLASS_JMP | XBPF_JMP_JEQ, dst, 0, off, imm)
#define CALL(id) xbpf_insn_make(XBPF_OP_CALL, 0, XBPF_CALL_HELPER, 0, id)
#define CALL_LOCAL(rel) xbpf_insn_make(XBPF_OP_CALL, 0, XBPF_CALL_LOCAL, 0, rel)
#define LDDW_FUNC(dst, rel) xbpf_insn_make(XBPF_OP_LDDW, dst, XBPF_PSEUDO_FUNC, 0, rel), xbpf_insn_make(0, 0, 0, 0, 0)
#define EXIT() xbpf_insn_make(XBPF_OP_EXIT, 0, 0, 0, 0)

#define CONVERT(prog, err) xbpf_ctx_convert(prog, sizeof(prog) / sizeof(prog[0]), &layout, err)

static void assert_load(const struct xbpf_insn *insn, uint8_t size, int16_t off)
{
	assert_int_equal(insn->opcode, XBPF_CLASS_LDX | XBPF_MODE_MEM | size);
	assert_int_equal(insn->off, off);
}

static void converts_direct_loads(void **state)
{
	struct xbpf_insn prog[] = {LDXW(2, 1, 0), LDXW(3, 1, 4), LDXW(4, 1, 12), MOV64_IMM(0, 2), EXIT()};
	struct xbpf_ctx_error err;
	assert_int_equal(CONVERT(prog, &err), 0);
	assert_load(&prog[0], XBPF_SIZE_DW, 24);
	assert_load(&prog[1], XBPF_SIZE_DW, 32);
	assert_load(&prog[2], XBPF_SIZE_W, 12); /* a plain field stays as it is */
}

static void follows_copies_offsets_and_spills(void **state)
{
	struct xbpf_insn prog[] = {
		MOV64_REG(6, 1),     /* 0: r6 = ctx */
		STXDW(10, 6, -16),   /* 1: spill */
		CALL(5),             /* 2: clobbers r1-r5 */
		LDXDW(7, 10, -16),   /* 3: reload */
		ADD64_IMM(7, 4),     /* 4: r7 = ctx + 4 */
		LDXW(2, 7, 0),       /* 5: data_end */
		LDXW(3, 6, 0),       /* 6: data */
		MOV64_IMM(0, 0),
		EXIT(),
	};
	struct xbpf_ctx_error err;
	assert_int_equal(CONVERT(prog, &err), 0);
	assert_load(&prog[5], XBPF_SIZE_DW, 28);
	assert_load(&prog[6], XBPF_SIZE_DW, 24);
	assert_int_equal(prog[3].opcode, XBPF_CLASS_LDX | XBPF_MODE_MEM | XBPF_SIZE_DW);
	assert_int_equal(prog[3].off, -16); /* the stack reload is untouched */
}

static void follows_calls_returns_and_callbacks(void **state)
{
	struct xbpf_insn prog[] = {
		MOV64_REG(6, 1),  /* 0 */
		CALL_LOCAL(7),    /* 1: subprogram at 9, gets ctx in r1 */
		LDXW(2, 0, 4),    /* 2: through the ctx the subprogram returned */
		LDDW_FUNC(2, 8),  /* 3-4: callback at 12 */
		MOV64_REG(3, 6),  /* 5: callback context = ctx */
		CALL(181),        /* 6: bpf_loop */
		MOV64_IMM(0, 2),  /* 7 */
		EXIT(),           /* 8 */
		LDXW(4, 1, 0),    /* 9: subprogram(ctx) */
		MOV64_REG(0, 1),  /* 10: returns ctx */
		EXIT(),           /* 11 */
		LDXW(4, 2, 4),    /* 12: callback(index, ctx) */
		MOV64_IMM(0, 0),  /* 13 */
		EXIT(),           /* 14 */
	};
	struct xbpf_ctx_error err;
	assert_int_equal(CONVERT(prog, &err), 0);
	assert_load(&prog[2], XBPF_SIZE_DW, 32);
	assert_load(&prog[9], XBPF_SIZE_DW, 24);
	assert_load(&prog[12], XBPF_SIZE_DW, 32);
}

static void refuses_what_it_cannot_convert(void **state)
{
	struct xbpf_ctx_error err;

	struct xbpf_insn mixed[] = {JEQ_IMM(2, 0, 1), MOV64_REG(1, 10), LDXW(3, 1, 0),
				    MOV64_IMM(0, 0), EXIT()};
	assert_int_equal(CONVERT(mixed, &err), -EACCES);
	assert_int_equal(err.pc, 2);
	assert_non_null(strstr(err.msg, "some paths"));

	struct xbpf_insn narrow[] = {LDXH(2, 1, 0), MOV64_IMM(0, 0), EXIT()};
	assert_int_equal(CONVERT(narrow, &err), -EACCES);
	assert_int_equal(err.pc, 0);

	struct xbpf_insn variable[] = {ADD64_REG(1, 2), LDXW(3, 1, 0), MOV64_IMM(0, 0), EXIT()};
	assert_int_equal(CONVERT(variable, &err), -EACCES);
	assert_non_null(strstr(err.msg, "variable offset"));

	struct xbpf_insn beyond[] = {LDXW(3, 1, 24), MOV64_IMM(0, 0), EXIT()};
	assert_int_equal(CONVERT(beyond, &err), -EACCES);
	assert_non_null(strstr(err.msg, "offset 24"));

	struct xbpf_insn write[] = {STXW(1, 2, 12), MOV64_IMM(0, 0), EXIT()};
	assert_int_equal(CONVERT(write, &err), -EACCES);
	assert_non_null(strstr(err.msg, "not allowed"));

	struct xbpf_insn allowed_write[] = {STXW(1, 2, 16), MOV64_IMM(0, 0), EXIT()};
	assert_int_equal(CONVERT(allowed_write, &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(converts_direct_loads),
		cmocka_unit_test(follows_copies_offsets_and_spills),
		cmocka_unit_test(follows_calls_returns_and_callbacks),
		cmocka_unit_test(refuses_what_it_cannot_convert),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
