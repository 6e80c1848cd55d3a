/* SPDX-License-Identifier: MIT */
/*
 * Instruction constructors for tests and benchmarks that build programs by
 * hand. Each T_* macro is one instruction slot, except T_LDDW (two).
 * OP and SIZE are the suffixes of the XBPF_ALU_*, XBPF_JMP_*, XBPF_SIZE_*
 * constants of isa/insn.h: T_ALU64_IMM(ADD, 0, 1) is "r0 += 1". They are
 * initializers: use them in declarations and array/struct initializers.
 */
#ifndef XBPF_TESTS_INSN_BUILD_H
#define XBPF_TESTS_INSN_BUILD_H

#include "isa/insn.h"

/* A brace initializer, so that tables of programs can be static. */
#define T_INSN(op_, dst_, src_, off_, imm_)                                                    \
	{ .opcode = (op_), .dst = (dst_), .src = (src_), .off = (int16_t)(off_), .imm = (int32_t)(imm_) }

#define T_ALU64_IMM(OP, dst, imm) T_INSN(XBPF_CLASS_ALU64 | XBPF_ALU_##OP | XBPF_SRC_K, dst, 0, 0, imm)
#define T_ALU64_REG(OP, dst, src) T_INSN(XBPF_CLASS_ALU64 | XBPF_ALU_##OP | XBPF_SRC_X, dst, src, 0, 0)
#define T_ALU32_IMM(OP, dst, imm) T_INSN(XBPF_CLASS_ALU | XBPF_ALU_##OP | XBPF_SRC_K, dst, 0, 0, imm)
#define T_ALU32_REG(OP, dst, src) T_INSN(XBPF_CLASS_ALU | XBPF_ALU_##OP | XBPF_SRC_X, dst, src, 0, 0)
/* sdiv/smod: div/mod with offset 1. */
#define T_SALU64_IMM(OP, dst, imm) T_INSN(XBPF_CLASS_ALU64 | XBPF_ALU_##OP | XBPF_SRC_K, dst, 0, 1, imm)
#define T_SALU64_REG(OP, dst, src) T_INSN(XBPF_CLASS_ALU64 | XBPF_ALU_##OP | XBPF_SRC_X, dst, src, 1, 0)
#define T_SALU32_IMM(OP, dst, imm) T_INSN(XBPF_CLASS_ALU | XBPF_ALU_##OP | XBPF_SRC_K, dst, 0, 1, imm)
#define T_SALU32_REG(OP, dst, src) T_INSN(XBPF_CLASS_ALU | XBPF_ALU_##OP | XBPF_SRC_X, dst, src, 1, 0)
#define T_MOV64_IMM(dst, imm) T_ALU64_IMM(MOV, dst, imm)
#define T_MOV64_REG(dst, src) T_ALU64_REG(MOV, dst, src)
#define T_MOVSX64(dst, src, bits) T_INSN(XBPF_CLASS_ALU64 | XBPF_ALU_MOV | XBPF_SRC_X, dst, src, bits, 0)
#define T_MOVSX32(dst, src, bits) T_INSN(XBPF_CLASS_ALU | XBPF_ALU_MOV | XBPF_SRC_X, dst, src, bits, 0)
#define T_NEG64(dst) T_INSN(XBPF_CLASS_ALU64 | XBPF_ALU_NEG, dst, 0, 0, 0)
#define T_NEG32(dst) T_INSN(XBPF_CLASS_ALU | XBPF_ALU_NEG, dst, 0, 0, 0)
#define T_LE(dst, bits) T_INSN(XBPF_CLASS_ALU | XBPF_ALU_END | XBPF_END_TO_LE, dst, 0, 0, bits)
#define T_BE(dst, bits) T_INSN(XBPF_CLASS_ALU | XBPF_ALU_END | XBPF_END_TO_BE, dst, 0, 0, bits)
#define T_BSWAP(dst, bits) T_INSN(XBPF_CLASS_ALU64 | XBPF_ALU_END, dst, 0, 0, bits)

#define T_LDDW_SRC(dst, src, imm64)                                                            \
	T_INSN(XBPF_OP_LDDW, dst, src, 0, (int32_t)(uint32_t)(uint64_t)(imm64)),              \
		T_INSN(0, 0, 0, 0, (int32_t)(uint32_t)((uint64_t)(imm64) >> 32))
#define T_LDDW(dst, imm64) T_LDDW_SRC(dst, 0, imm64)
/* dst = instruction index of the function rel+1 slots after this lddw. */
#define T_LDDW_FUNC(dst, rel) T_LDDW_SRC(dst, XBPF_PSEUDO_FUNC, rel)

#define T_LDX(SIZE, dst, src, off) T_INSN(XBPF_CLASS_LDX | XBPF_MODE_MEM | XBPF_SIZE_##SIZE, dst, src, off, 0)
#define T_LDXS(SIZE, dst, src, off) T_INSN(XBPF_CLASS_LDX | XBPF_MODE_MEMSX | XBPF_SIZE_##SIZE, dst, src, off, 0)
#define T_ST(SIZE, dst, off, imm) T_INSN(XBPF_CLASS_ST | XBPF_MODE_MEM | XBPF_SIZE_##SIZE, dst, 0, off, imm)
#define T_STX(SIZE, dst, src, off) T_INSN(XBPF_CLASS_STX | XBPF_MODE_MEM | XBPF_SIZE_##SIZE, dst, src, off, 0)
/* op: XBPF_ATOMIC_* (or-ed with XBPF_ATOMIC_FETCH where wanted). */
#define T_ATOMIC(SIZE, dst, src, off, op)                                                      \
	T_INSN(XBPF_CLASS_STX | XBPF_MODE_ATOMIC | XBPF_SIZE_##SIZE, dst, src, off, op)

#define T_JMP_IMM(OP, dst, imm, off) T_INSN(XBPF_CLASS_JMP | XBPF_JMP_##OP | XBPF_SRC_K, dst, 0, off, imm)
#define T_JMP_REG(OP, dst, src, off) T_INSN(XBPF_CLASS_JMP | XBPF_JMP_##OP | XBPF_SRC_X, dst, src, off, 0)
#define T_JMP32_IMM(OP, dst, imm, off) T_INSN(XBPF_CLASS_JMP32 | XBPF_JMP_##OP | XBPF_SRC_K, dst, 0, off, imm)
#define T_JMP32_REG(OP, dst, src, off) T_INSN(XBPF_CLASS_JMP32 | XBPF_JMP_##OP | XBPF_SRC_X, dst, src, off, 0)
#define T_JA(off) T_INSN(XBPF_OP_JA, 0, 0, off, 0)
#define T_JA32(imm) T_INSN(XBPF_OP_JA32, 0, 0, 0, imm)
#define T_CALL(id) T_INSN(XBPF_OP_CALL, 0, XBPF_CALL_HELPER, 0, id)
#define T_CALL_LOCAL(rel) T_INSN(XBPF_OP_CALL, 0, XBPF_CALL_LOCAL, 0, rel)
#define T_CALLX(reg) T_INSN(XBPF_OP_CALLX, reg, 0, 0, 0)
#define T_EXIT() T_INSN(XBPF_OP_EXIT, 0, 0, 0, 0)

#define T_COUNT(array) (sizeof(array) / sizeof((array)[0]))

#endif /* XBPF_TESTS_INSN_BUILD_H */
