/* SPDX-License-Identifier: MIT */
/*
 * Internals of the interpreter: the predecoded ("threaded") form of a
 * program, the specialised operations it is made of, and the per-thread
 * stack areas runs execute on.
 *
 * Prepare turns every instruction slot into one struct xbpf_interp_insn
 * whose handler is the address of the code for exactly that operation
 * (add64 with an immediate, jeq32 with a register going backwards, ...),
 * so running is a chain of indirect jumps with no decoding left to do.
 * Slots map one to one, so an instruction index is a pointer difference.
 */
#ifndef XBPF_VM_INTERP_H
#define XBPF_VM_INTERP_H

#include <stddef.h>
#include <stdint.h>

#include "vm/vm.h"

/* ALU operations with an immediate and a register form in both widths. */
#define XBPF_INTERP_BINOPS(X) \
	X(ADD) X(SUB) X(MUL) X(DIV) X(SDIV) X(OR) X(AND) X(LSH) X(RSH) X(MOD) X(SMOD) X(XOR) X(MOV) X(ARSH)

/* Conditional jumps; each has 8 forms: width x source x direction. */
#define XBPF_INTERP_CONDS(X) \
	X(JEQ) X(JGT) X(JGE) X(JSET) X(JNE) X(JSGT) X(JSGE) X(JLT) X(JLE) X(JSLT) X(JSLE)

/* Atomic operations, each in 32 and 64 bits. F = fetch. */
#define XBPF_INTERP_ATOMICS(X) \
	X(ADD) X(OR) X(AND) X(XOR) X(FADD) X(FOR) X(FAND) X(FXOR) X(XCHG) X(CMPXCHG)

/* Operations with a single form. */
#define XBPF_INTERP_SINGLES(X)                                                                      \
	X(NEG64) X(NEG32) X(MOVSX64_8) X(MOVSX64_16) X(MOVSX64_32) X(MOVSX32_8) X(MOVSX32_16)        \
	X(LE16) X(LE32) X(LE64) X(BE16) X(BE32) X(BE64)                                             \
	X(LDXB) X(LDXH) X(LDXW) X(LDXDW) X(LDXSB) X(LDXSH) X(LDXSW)                                 \
	X(STB) X(STH) X(STW) X(STDW) X(STXB) X(STXH) X(STXW) X(STXDW)                               \
	X(LDDW) X(LDDW_TAIL)                                                                        \
	X(JA_FWD) X(JA_BACK) X(JA32_FWD) X(JA32_BACK)                                               \
	X(CALL_HELPER) X(CALL_LOCAL) X(CALLX) X(EXIT)

enum xbpf_interp_op {
#define XBPF_INTERP_ENUM_BINOP(n) XBPF_IOP_##n##64_IMM, XBPF_IOP_##n##64_REG, XBPF_IOP_##n##32_IMM, XBPF_IOP_##n##32_REG,
	XBPF_INTERP_BINOPS(XBPF_INTERP_ENUM_BINOP)
#undef XBPF_INTERP_ENUM_BINOP
#define XBPF_INTERP_ENUM_COND(n)                                                                     \
	XBPF_IOP_##n##64_IMM_FWD, XBPF_IOP_##n##64_IMM_BACK, XBPF_IOP_##n##64_REG_FWD,                 \
		XBPF_IOP_##n##64_REG_BACK, XBPF_IOP_##n##32_IMM_FWD, XBPF_IOP_##n##32_IMM_BACK,       \
		XBPF_IOP_##n##32_REG_FWD, XBPF_IOP_##n##32_REG_BACK,
	XBPF_INTERP_CONDS(XBPF_INTERP_ENUM_COND)
#undef XBPF_INTERP_ENUM_COND
#define XBPF_INTERP_ENUM_ATOMIC(n) XBPF_IOP_AT32_##n, XBPF_IOP_AT64_##n,
	XBPF_INTERP_ATOMICS(XBPF_INTERP_ENUM_ATOMIC)
#undef XBPF_INTERP_ENUM_ATOMIC
#define XBPF_INTERP_ENUM_SINGLE(n) XBPF_IOP_##n,
	XBPF_INTERP_SINGLES(XBPF_INTERP_ENUM_SINGLE)
#undef XBPF_INTERP_ENUM_SINGLE
	XBPF_IOP_COUNT,
	XBPF_IOP_INVALID = XBPF_IOP_COUNT,
};

/* One predecoded slot. Jumps keep their relative target (off, or imm for
 * ja32 and local calls); helper calls hold their import slot in imm; a lddw
 * holds the low half of its value here and the high half in the next slot. */
struct xbpf_interp_insn {
	const void *handler;
	uint8_t dst;
	uint8_t src;
	int16_t off;
	int32_t imm;
};

struct xbpf_interp_prog {
	struct xbpf_vm_prog base;
	struct xbpf_interp_insn code[];
};

/* The specialised operation of the instruction at pc, and its operands in
 * out (out[1] too for lddw). XBPF_IOP_INVALID for what the interpreter does
 * not run (the validator refuses it first). */
enum xbpf_interp_op xbpf_interp_decode(const struct xbpf_insn *insns, size_t pc, struct xbpf_interp_insn *out);

/* A bpf-to-bpf call in progress: where to go back and what to restore. */
struct xbpf_interp_frame {
	const struct xbpf_interp_insn *ret;
	const struct xbpf_interp_prog *prog;
	uint64_t callee_saved[4]; /* r6..r9 */
};

/* The stack of one run: XBPF_MAX_FRAMES frames of XBPF_STACK_SIZE bytes,
 * frame 0 at the top, growing down. Areas are zeroed when allocated and then
 * reused by the runs of their thread, so a program can only ever read bytes
 * that a program wrote, never host data. */
struct xbpf_interp_stack {
	_Alignas(64) uint8_t mem[XBPF_MAX_FRAMES * XBPF_STACK_SIZE];
	struct xbpf_interp_frame frames[XBPF_MAX_FRAMES];
	unsigned depth;   /* running frame; kept current across helper calls */
	struct xbpf_interp_stack *next_free;
};

/* A stack area for a run on the calling thread (NULL: out of memory). */
struct xbpf_interp_stack *xbpf_interp_stack_acquire(void);
void xbpf_interp_stack_release(struct xbpf_interp_stack *st);

#endif /* XBPF_VM_INTERP_H */
