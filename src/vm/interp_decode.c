/* SPDX-License-Identifier: MIT */
/*
 * Predecoding for the interpreter: maps each instruction to its specialised
 * operation (see interp.h) and normalises its operands. Index arithmetic on
 * the operation enum relies on the order interp.h lays its forms out in.
 */
#include "vm/interp.h"

#define BINOP_FORMS 4 /* 64 imm, 64 reg, 32 imm, 32 reg */
#define COND_FORMS 8  /* 64 imm fwd/back, 64 reg fwd/back, then the same for 32 */
#define ATOMIC_FORMS 2

/* First operation of each ALU code (XBPF_OP >> 4); -1: not a binary operation. */
static const int binop_base[16] = {
	[XBPF_ALU_ADD >> 4] = XBPF_IOP_ADD64_IMM, [XBPF_ALU_SUB >> 4] = XBPF_IOP_SUB64_IMM,
	[XBPF_ALU_MUL >> 4] = XBPF_IOP_MUL64_IMM, [XBPF_ALU_DIV >> 4] = XBPF_IOP_DIV64_IMM,
	[XBPF_ALU_OR >> 4] = XBPF_IOP_OR64_IMM,   [XBPF_ALU_AND >> 4] = XBPF_IOP_AND64_IMM,
	[XBPF_ALU_LSH >> 4] = XBPF_IOP_LSH64_IMM, [XBPF_ALU_RSH >> 4] = XBPF_IOP_RSH64_IMM,
	[XBPF_ALU_NEG >> 4] = -1,                 [XBPF_ALU_MOD >> 4] = XBPF_IOP_MOD64_IMM,
	[XBPF_ALU_XOR >> 4] = XBPF_IOP_XOR64_IMM, [XBPF_ALU_MOV >> 4] = XBPF_IOP_MOV64_IMM,
	[XBPF_ALU_ARSH >> 4] = XBPF_IOP_ARSH64_IMM, [XBPF_ALU_END >> 4] = -1,
	[0xe] = -1,                               [0xf] = -1,
};

static const int cond_base[16] = {
	[0x0] = -1, [XBPF_JMP_JEQ >> 4] = XBPF_IOP_JEQ64_IMM_FWD, [XBPF_JMP_JGT >> 4] = XBPF_IOP_JGT64_IMM_FWD,
	[XBPF_JMP_JGE >> 4] = XBPF_IOP_JGE64_IMM_FWD, [XBPF_JMP_JSET >> 4] = XBPF_IOP_JSET64_IMM_FWD,
	[XBPF_JMP_JNE >> 4] = XBPF_IOP_JNE64_IMM_FWD, [XBPF_JMP_JSGT >> 4] = XBPF_IOP_JSGT64_IMM_FWD,
	[XBPF_JMP_JSGE >> 4] = XBPF_IOP_JSGE64_IMM_FWD, [XBPF_JMP_CALL >> 4] = -1, [XBPF_JMP_EXIT >> 4] = -1,
	[XBPF_JMP_JLT >> 4] = XBPF_IOP_JLT64_IMM_FWD, [XBPF_JMP_JLE >> 4] = XBPF_IOP_JLE64_IMM_FWD,
	[XBPF_JMP_JSLT >> 4] = XBPF_IOP_JSLT64_IMM_FWD, [XBPF_JMP_JSLE >> 4] = XBPF_IOP_JSLE64_IMM_FWD,
	[0xe] = -1, [0xf] = -1,
};

static enum xbpf_interp_op decode_alu(const struct xbpf_insn *in)
{
	uint8_t code = XBPF_OP(in->opcode) >> 4;
	bool alu64 = XBPF_CLASS(in->opcode) == XBPF_CLASS_ALU64;
	bool reg = XBPF_SRC(in->opcode) == XBPF_SRC_X;
	int base = binop_base[code];

	if (XBPF_OP(in->opcode) == XBPF_ALU_NEG)
		return alu64 ? XBPF_IOP_NEG64 : XBPF_IOP_NEG32;
	if (XBPF_OP(in->opcode) == XBPF_ALU_END) {
		/* le is a truncation on a little-endian host; be and bswap swap. */
		bool swap = alu64 || reg;

		switch (in->imm) {
		case 16:
			return swap ? XBPF_IOP_BE16 : XBPF_IOP_LE16;
		case 32:
			return swap ? XBPF_IOP_BE32 : XBPF_IOP_LE32;
		default:
			return swap ? XBPF_IOP_BE64 : XBPF_IOP_LE64;
		}
	}
	if (base < 0)
		return XBPF_IOP_INVALID;
	if (XBPF_OP(in->opcode) == XBPF_ALU_MOV && reg && in->off != 0) {
		switch (in->off) {
		case 8:
			return alu64 ? XBPF_IOP_MOVSX64_8 : XBPF_IOP_MOVSX32_8;
		case 16:
			return alu64 ? XBPF_IOP_MOVSX64_16 : XBPF_IOP_MOVSX32_16;
		default:
			return XBPF_IOP_MOVSX64_32;
		}
	}
	if (in->off == 1 && (XBPF_OP(in->opcode) == XBPF_ALU_DIV || XBPF_OP(in->opcode) == XBPF_ALU_MOD))
		/* sdiv, smod follow div, mod */
		base += BINOP_FORMS;
	return (enum xbpf_interp_op)(base + (alu64 ? 0 : 2) + (reg ? 1 : 0));
}

static enum xbpf_interp_op decode_jmp(const struct xbpf_insn *in)
{
	bool jmp32 = XBPF_CLASS(in->opcode) == XBPF_CLASS_JMP32;
	bool reg = XBPF_SRC(in->opcode) == XBPF_SRC_X;
	int base = cond_base[XBPF_OP(in->opcode) >> 4];

	switch (in->opcode) {
	case XBPF_OP_JA:
		return in->off < 0 ? XBPF_IOP_JA_BACK : XBPF_IOP_JA_FWD;
	case XBPF_OP_JA32:
		return in->imm < 0 ? XBPF_IOP_JA32_BACK : XBPF_IOP_JA32_FWD;
	case XBPF_OP_CALL:
		return in->src == XBPF_CALL_LOCAL ? XBPF_IOP_CALL_LOCAL : XBPF_IOP_CALL_HELPER;
	case XBPF_OP_CALLX:
		return XBPF_IOP_CALLX;
	case XBPF_OP_EXIT:
		return XBPF_IOP_EXIT;
	}
	if (base < 0)
		return XBPF_IOP_INVALID;
	return (enum xbpf_interp_op)(base + (jmp32 ? 4 : 0) + (reg ? 2 : 0) + (in->off < 0 ? 1 : 0));
}

static enum xbpf_interp_op decode_mem(const struct xbpf_insn *in)
{
	static const enum xbpf_interp_op ldx[4] = {XBPF_IOP_LDXW, XBPF_IOP_LDXH, XBPF_IOP_LDXB, XBPF_IOP_LDXDW};
	static const enum xbpf_interp_op ldxs[4] = {XBPF_IOP_LDXSW, XBPF_IOP_LDXSH, XBPF_IOP_LDXSB,
						    XBPF_IOP_INVALID};
	static const enum xbpf_interp_op st[4] = {XBPF_IOP_STW, XBPF_IOP_STH, XBPF_IOP_STB, XBPF_IOP_STDW};
	static const enum xbpf_interp_op stx[4] = {XBPF_IOP_STXW, XBPF_IOP_STXH, XBPF_IOP_STXB, XBPF_IOP_STXDW};
	unsigned size = XBPF_SIZE(in->opcode) >> 3;
	uint8_t mode = XBPF_MODE(in->opcode);

	switch (XBPF_CLASS(in->opcode)) {
	case XBPF_CLASS_LDX:
		return mode == XBPF_MODE_MEM ? ldx[size] : mode == XBPF_MODE_MEMSX ? ldxs[size] : XBPF_IOP_INVALID;
	case XBPF_CLASS_ST:
		return mode == XBPF_MODE_MEM ? st[size] : XBPF_IOP_INVALID;
	default: /* STX */
		break;
	}
	if (mode == XBPF_MODE_MEM)
		return stx[size];
	if (mode != XBPF_MODE_ATOMIC || (in->opcode != 0xc3 && in->opcode != 0xdb))
		return XBPF_IOP_INVALID;
	{
		int dw = XBPF_SIZE(in->opcode) == XBPF_SIZE_DW;

		switch (in->imm) {
		case XBPF_ATOMIC_ADD:
			return XBPF_IOP_AT32_ADD + dw;
		case XBPF_ATOMIC_OR:
			return XBPF_IOP_AT32_OR + dw;
		case XBPF_ATOMIC_AND:
			return XBPF_IOP_AT32_AND + dw;
		case XBPF_ATOMIC_XOR:
			return XBPF_IOP_AT32_XOR + dw;
		case XBPF_ATOMIC_ADD | XBPF_ATOMIC_FETCH:
			return XBPF_IOP_AT32_FADD + dw;
		case XBPF_ATOMIC_OR | XBPF_ATOMIC_FETCH:
			return XBPF_IOP_AT32_FOR + dw;
		case XBPF_ATOMIC_AND | XBPF_ATOMIC_FETCH:
			return XBPF_IOP_AT32_FAND + dw;
		case XBPF_ATOMIC_XOR | XBPF_ATOMIC_FETCH:
			return XBPF_IOP_AT32_FXOR + dw;
		case XBPF_ATOMIC_XCHG:
			return XBPF_IOP_AT32_XCHG + dw;
		case XBPF_ATOMIC_CMPXCHG:
			return XBPF_IOP_AT32_CMPXCHG + dw;
		default:
			return XBPF_IOP_INVALID;
		}
	}
}

enum xbpf_interp_op xbpf_interp_decode(const struct xbpf_insn *insns, size_t pc, struct xbpf_interp_insn *out)
{
	const struct xbpf_insn *in = &insns[pc];

	out->dst = in->dst;
	out->src = in->src;
	out->off = in->off;
	out->imm = in->imm;
	switch (XBPF_CLASS(in->opcode)) {
	case XBPF_CLASS_ALU:
	case XBPF_CLASS_ALU64:
		return decode_alu(in);
	case XBPF_CLASS_JMP:
	case XBPF_CLASS_JMP32:
		return decode_jmp(in);
	case XBPF_CLASS_LD:
		if (in->opcode != XBPF_OP_LDDW)
			return XBPF_IOP_INVALID;
		out[1] = (struct xbpf_interp_insn){.imm = insns[pc + 1].imm};
		if (in->src == XBPF_PSEUDO_FUNC) { /* the function's instruction index */
			int64_t target = xbpf_jump_target(in, pc);

			out[0].imm = (int32_t)(uint32_t)target;
			out[1].imm = (int32_t)(uint32_t)((uint64_t)target >> 32);
		}
		return XBPF_IOP_LDDW;
	default:
		return decode_mem(in);
	}
}
